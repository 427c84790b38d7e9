"""Benchmark: an archive of 100,000 versions (20,000 stories x 5, ~4 KB each).

Targets (issue 6):
* `storydiff import` of 100,000 versions: at least 2,000 versions/s, and within 2x of raw
  `git fast-import` fed the same blobs and commits (measured in the same run).
* `storydiff log ID` and `storydiff show ID@N` as whole processes in that archive: median
  under 300 ms, and within 1.2x of the same commands in an archive of 10 stories.
* `storydiff stories` over 20,000 stories: under 2 s, streaming.
* Archive size on disk after `git gc`: bytes per version.

Run:  python benchmarks/bench_scale.py [--stories 20000] [--versions 5]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
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

from storydiff import archive as archive_module  # noqa: E402
from storydiff.importer import plan_jsonl  # noqa: E402


def words(rng: random.Random) -> list[str]:
    letters = "abcdefghijklmnopqrstuvwxyz"
    return ["".join(rng.choice(letters) for _ in range(rng.randint(2, 9))) for _ in range(3000)]


def sentence(rng: random.Random, vocabulary: list[str]) -> str:
    chosen = [
        vocabulary[min(int(rng.paretovariate(1.2)) - 1, 2999)] for _ in range(rng.randint(8, 22))
    ]
    return " ".join(chosen).capitalize() + "."


def write_jsonl(path: Path, stories: int, versions: int) -> int:
    """Stories whose versions grow and change like real updates; ~4 KB per version."""
    rng = random.Random(11)
    vocabulary = words(rng)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for index in range(stories):
            paragraphs = [" ".join(sentence(rng, vocabulary) for _ in range(3)) for _ in range(12)]
            for number in range(versions):
                if number:
                    for _ in range(2):
                        paragraphs[rng.randrange(len(paragraphs))] = " ".join(
                            sentence(rng, vocabulary) for _ in range(3)
                        )
                    paragraphs.append(" ".join(sentence(rng, vocabulary) for _ in range(2)))
                day = f"2021-{1 + index % 12:02d}-{1 + index % 28:02d}T{8 + number:02d}"
                record = {
                    "story": f"example.com/{index // 1000:02d}/story-{index:05d}",
                    "time": f"{day}:00:00Z",
                    "archived": f"{day}:00:30Z",
                    "headline": sentence(rng, vocabulary),
                    "note": f"(Adds details in paragraph {len(paragraphs)})" if number else None,
                    "paragraphs": paragraphs[:16],
                    "url": f"https://example.com/{index}",
                    "source": "Example Wire",
                }
                out.write(json.dumps(record) + "\n")
                count += 1
    return count


def raw_fast_import_stream(jsonl: Path, stream_path: Path) -> None:
    """The very commands storydiff sends fast-import, produced in-process, into a file."""
    plan = plan_jsonl(jsonl)
    mark = 0
    with stream_path.open("wb") as out:
        for story, versions in plan.in_time_order():
            state = None
            for pending in versions:
                article = pending.article
                content_hash = article.content_hash()
                state = archive_module._next_state(state, article, pending.at, content_hash)
                mark += 1
                out.write(
                    archive_module._fast_import_commit(
                        story,
                        article,
                        pending.at,
                        pending.archived or pending.at,
                        content_hash,
                        state,
                        mark,
                        None,
                    )
                )
        out.write(b"done\n")


def timed(command: list[str], stdin: Path | None = None) -> float:
    start = time.perf_counter()
    with stdin.open("rb") if stdin else open("/dev/null", "rb") as source:
        subprocess.run(command, check=True, stdin=source, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_of(command: list[str], runs: int = 11) -> float:
    return statistics.median(timed(command) for _ in range(runs))


def size_of(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=20000)
    parser.add_argument("--versions", type=int, default=5)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="storydiff-scale-"))
    command = storydiff_command()
    try:
        jsonl = work / "versions.jsonl"
        count = write_jsonl(jsonl, options.stories, options.versions)
        megabytes = jsonl.stat().st_size / 1e6
        print(f"{count} versions of {options.stories} stories, {megabytes:.0f} MB of JSON Lines")

        archive = work / "archive"
        ours = timed([*command, "import", str(jsonl), "-a", str(archive)])
        print(f"storydiff import: {ours:.1f} s, {count / ours:.0f} versions/s (target >= 2000/s)")

        stream = work / "stream"
        raw_fast_import_stream(jsonl, stream)
        raw_repo = work / "raw.git"
        subprocess.run(["git", "init", "--quiet", "--bare", str(raw_repo)], check=True)
        raw = timed(["git", "--git-dir", str(raw_repo), "fast-import", "--quiet", "--done"], stream)
        print(
            f"raw git fast-import of the same commits: {raw:.1f} s "
            f"(ratio {ours / raw:.2f}x, target <= 2x)"
        )

        before_gc = size_of(archive / "objects")
        subprocess.run(["git", "-C", str(archive), "gc", "--quiet"], check=True)
        after_gc = size_of(archive / "objects")
        text_bytes = jsonl.stat().st_size
        print(
            f"archive objects: {before_gc / count:.0f} B/version after import, "
            f"{after_gc / count:.0f} B/version after git gc "
            f"(JSON input: {text_bytes / count:.0f} B/version)"
        )

        story = "example.com/00/story-00000"
        small = work / "small"
        head = work / "head.jsonl"
        with jsonl.open() as source, head.open("w") as out:
            for _ in range(10 * options.versions):
                out.write(source.readline())
        subprocess.run(
            [*command, "import", str(head), "-a", str(small)], check=True, stdout=subprocess.DEVNULL
        )
        for name, args in (("log", ["log", story]), ("show", ["show", f"{story}@3"])):
            large_time = median_of([*command, *args, "-a", str(archive)])
            small_time = median_of([*command, *args, "-a", str(small)])
            print(
                f"storydiff {name}: {large_time * 1000:.0f} ms at {count} versions, "
                f"{small_time * 1000:.0f} ms at 10 stories (ratio {large_time / small_time:.2f}, "
                "target < 300 ms and <= 1.2)"
            )
        listing = median_of([*command, "stories", "-a", str(archive)], runs=3)
        listing_json = median_of([*command, "stories", "-f", "json", "-a", str(archive)], runs=3)
        first_line = time.perf_counter()
        process = subprocess.Popen(
            [*command, "stories", "-a", str(archive)], stdout=subprocess.PIPE
        )
        assert process.stdout is not None
        process.stdout.readline()
        first = time.perf_counter() - first_line
        process.stdout.read()
        process.wait()
        print(
            f"storydiff stories over {options.stories} stories: {listing:.2f} s text, "
            f"{listing_json:.2f} s JSON, first line after {first * 1000:.0f} ms (target < 2 s)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
