"""Benchmark: paragraph alignment plus word diffs (`storydiff compare`).

Targets (issue 3):
* A 300-paragraph article (~25,000 words) with 30% of paragraphs edited, 5 moved, 10
  inserted and 10 deleted: alignment plus inline diffs under 0.5 s in-process, and the whole
  `storydiff compare` process under 1.0 s.
* Cost no worse than O(n log n) in paragraphs for mostly unchanged articles: times at 100,
  1,000 and 10,000 paragraphs.
* Against `git diff --no-index --word-diff` on the same two files, both as whole processes.

Run:  python benchmarks/bench_compare.py [--runs 7]
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive import storydiff_command  # noqa: E402

from storydiff.compare import Side, compare  # noqa: E402
from storydiff.model import Article  # noqa: E402


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 10))) for _ in range(size)]


def paragraph(rng: random.Random, words: list[str], length: int) -> str:
    # Zipf-like choice: common words repeat, as in real prose.
    chosen = [words[min(int(rng.paretovariate(1.1)) - 1, len(words) - 1)] for _ in range(length)]
    chosen[0] = chosen[0].capitalize()
    return " ".join(chosen) + "."


def make_versions(
    count: int, edited: float, moved: int, inserted: int, deleted: int, seed: int = 7
) -> tuple[list[str], list[str]]:
    rng = random.Random(seed)
    words = vocabulary(rng)
    old = [paragraph(rng, words, rng.randint(60, 106)) for _ in range(count)]
    new = list(old)
    for index in rng.sample(range(count), int(count * edited)):
        tokens = new[index].split()
        for position in rng.sample(range(len(tokens)), max(1, len(tokens) // 10)):
            tokens[position] = rng.choice(words)
        new[index] = " ".join(tokens)
    for _ in range(deleted):
        del new[rng.randrange(len(new))]
    for _ in range(moved):
        source = rng.randrange(len(new) // 4)
        new.insert(rng.randrange(len(new) * 3 // 4, len(new)), new.pop(source))
    for _ in range(inserted):
        new.insert(rng.randrange(len(new) + 1), paragraph(rng, words, rng.randint(40, 90)))
    return old, new


def in_process(old: list[str], new: list[str], runs: int) -> float:
    sides = Side("old", Article("H", None, tuple(old))), Side("new", Article("H", None, tuple(new)))
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        compare(*sides)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def whole_process(command: list[str], runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def write(path: Path, paragraphs: list[str]) -> None:
    path.write_text("Headline\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    old, new = make_versions(300, edited=0.30, moved=5, inserted=10, deleted=10)
    words = sum(len(p.split()) for p in old)
    seconds = in_process(old, new, options.runs)
    print(f"300 paragraphs ({words} words), 30% edited, 5 moved, 10 inserted, 10 deleted:")
    print(f"  alignment + word diffs in-process: {seconds * 1000:.0f} ms (target < 500 ms)")
    with tempfile.TemporaryDirectory() as work:
        old_file, new_file = Path(work) / "old.txt", Path(work) / "new.txt"
        write(old_file, old)
        write(new_file, new)
        ours = whole_process(
            [*storydiff_command(), "compare", str(old_file), str(new_file)], options.runs
        )
        git = whole_process(
            ["git", "diff", "--no-index", "--word-diff", str(old_file), str(new_file)],
            options.runs,
        )
        print(f"  storydiff compare, whole process: {ours * 1000:.0f} ms (target < 1000 ms)")
        print(f"  git diff --no-index --word-diff:  {git * 1000:.0f} ms (ratio {ours / git:.1f}x)")
    print("Mostly unchanged articles (2% edited, 1 moved, 1% inserted and deleted):")
    for count in (100, 1000, 10000):
        old, new = make_versions(
            count, edited=0.02, moved=1, inserted=count // 100, deleted=count // 100
        )
        seconds = in_process(old, new, max(3, options.runs // 2))
        print(
            f"  {count:>6} paragraphs: {seconds * 1000:8.1f} ms "
            f"({seconds / count * 1e6:.1f} µs per paragraph)"
        )


if __name__ == "__main__":
    main()
