"""Benchmark: `storydiff archive` of one version, and history lookup vs archive size.

Targets (issue 2):
* `storydiff archive` of one version, whole process: median under 300 ms.
* history lookup (`storydiff log`, `storydiff show`) must not depend on how many stories
  the archive holds: compared here between a 10-story and a larger archive.

Run:  python benchmarks/bench_archive.py [--runs 21] [--stories 2000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storydiff.archive import Archive  # noqa: E402
from storydiff.model import Article, parse_time  # noqa: E402
from storydiff.reader import read_article_file  # noqa: E402

SEED = ROOT / "seeds" / "armenia-azerbaijan"
STORY = "armenia-azerbaijan-talks"


def storydiff_command() -> list[str]:
    """The installed console script itself (not a version-manager shim in front of it)."""
    script = Path(sysconfig.get_path("scripts")) / "storydiff"
    return [str(script)] if script.exists() else [sys.executable, "-m", "storydiff"]


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def median_ms(samples: list[float]) -> str:
    return f"{statistics.median(samples) * 1000:.0f} ms"


def bench_archive_process(work: Path, runs: int) -> list[float]:
    archive = work / "single"
    command = storydiff_command()
    samples = []
    for run in range(runs):
        version = SEED / f"v{run % 3 + 1}.txt"
        at = f"2020-10-24T{run // 60:02d}:{run % 60:02d}:00Z"
        samples.append(timed([*command, "archive", str(version), "-a", str(archive), "--at", at]))
    return samples


def build_archive(path: Path, stories: int) -> None:
    versions = [read_article_file(SEED / f"v{n}.txt") for n in (1, 2, 3)]
    with Archive.create(path)[0] as archive:
        for article in versions:
            archive.save(STORY, article)
        for index in range(stories - 1):
            article = Article(f"Story {index}", None, (f"Body of story {index}.", "Second."))
            archive.save(f"filler/story-{index:06d}", article, at=parse_time("2021-01-01T00:00Z"))
    # Pack refs and objects as a long-lived archive would be after `git gc`.
    subprocess.run(["git", "-C", str(path), "gc", "--quiet"], check=True)


def bench_lookups(path: Path, runs: int) -> dict[str, list[float]]:
    command = storydiff_command()
    results: dict[str, list[float]] = {"log": [], "show": []}
    for _ in range(runs):
        results["log"].append(timed([*command, "log", STORY, "-a", str(path)]))
        results["show"].append(timed([*command, "show", f"{STORY}@2", "-a", str(path)]))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--stories", type=int, default=2000)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="storydiff-bench-"))
    try:
        archive_samples = bench_archive_process(work, options.runs)
        print(
            f"storydiff archive, whole process: median {median_ms(archive_samples)} "
            f"(max {max(archive_samples) * 1000:.0f} ms, {options.runs} runs; target < 300 ms)"
        )
        small, large = work / "small", work / "large"
        build_archive(small, 10)
        started = time.perf_counter()
        build_archive(large, options.stories)
        print(f"built a {options.stories}-story archive in {time.perf_counter() - started:.1f} s")
        small_times = bench_lookups(small, options.runs)
        large_times = bench_lookups(large, options.runs)
        for name in ("log", "show"):
            ratio = statistics.median(large_times[name]) / statistics.median(small_times[name])
            print(
                f"storydiff {name}: 10 stories {median_ms(small_times[name])}, "
                f"{options.stories} stories {median_ms(large_times[name])} (ratio {ratio:.2f})"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
