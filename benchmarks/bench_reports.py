"""Benchmark: HTML reports.

Targets (issue 5):
* Rendering the change page of a 300-paragraph article: under 0.3 s in-process.
* `storydiff report --all` for 1,000 stories x 4 versions: under 60 s from scratch, under
  3 s when nothing changed (whole processes).

Run:  python benchmarks/bench_reports.py [--stories 1000]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_archive import storydiff_command  # noqa: E402
from bench_compare import make_versions  # noqa: E402

from storydiff.archive import Archive  # noqa: E402
from storydiff.compare import Side, compare  # noqa: E402
from storydiff.model import Article, parse_time  # noqa: E402
from storydiff.reader import read_article_file  # noqa: E402
from storydiff.render.html import render_change_page  # noqa: E402

SEED = ROOT / "seeds" / "armenia-azerbaijan"


def bench_change_page(runs: int = 7) -> tuple[float, float]:
    old, new = make_versions(300, edited=0.30, moved=5, inserted=10, deleted=10)
    sides = Side("old", Article("H", None, tuple(old))), Side("new", Article("H", None, tuple(new)))
    diff = compare(*sides)
    render_change_page(diff)  # warm the template cache, as a report run does after one page
    render_times, total_times = [], []
    for _ in range(runs):
        start = time.perf_counter()
        render_change_page(diff)
        render_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        render_change_page(compare(*sides))
        total_times.append(time.perf_counter() - start)
    return statistics.median(render_times), statistics.median(total_times)


def build_archive(path: Path, stories: int) -> None:
    v1, v2, v3 = (read_article_file(SEED / f"v{n}.txt") for n in (1, 2, 3))
    v4 = replace(
        v3,
        note="(Adds Kremlin comment in paragraph 19)",
        paragraphs=(*v3.paragraphs, "The Kremlin said it was ready to host new talks."),
    )
    with Archive.create(path)[0] as archive:
        for index in range(stories):
            story = f"wire/story-{index:05d}"
            for hours, article in enumerate((v1, v2, v3, v4)):
                headline = f"{article.headline} ({index})"
                at = parse_time(f"2020-10-23T{8 + hours:02d}:{index % 60:02d}:00Z")
                archive.save(story, replace(article, headline=headline), at=at)


def timed(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stories", type=int, default=1000)
    options = parser.parse_args()
    render, total = bench_change_page()
    print(
        f"change page, 300 paragraphs: render {render * 1000:.0f} ms, "
        f"compare + render {total * 1000:.0f} ms (target < 300 ms)"
    )
    work = Path(tempfile.mkdtemp(prefix="storydiff-bench-"))
    try:
        archive, reports = work / "archive", work / "reports"
        started = time.perf_counter()
        build_archive(archive, options.stories)
        print(
            f"built {options.stories} stories x 4 versions in {time.perf_counter() - started:.0f} s"
        )
        command = [*storydiff_command(), "report", "--all", "-a", str(archive), "-r", str(reports)]
        scratch = timed(command)
        pages = sum(1 for _ in reports.rglob("*.html"))
        print(f"report --all from scratch: {scratch:.1f} s, {pages} pages (target < 60 s)")
        unchanged = statistics.median(timed(command) for _ in range(3))
        print(f"report --all, nothing changed: {unchanged:.2f} s (target < 3 s)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
