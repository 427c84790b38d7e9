"""Benchmark: one watch cycle over 50 feeds x 20 entries (1,000 pages) on loopback servers.

Targets (issue 8): a cycle where 5% of the pages changed under 60 s, and a cycle where
nothing changed (every page answers 304) under 10 s.

Each feed lives on its own loopback address (127.0.0.2 ... 127.0.0.51), so per-host
politeness applies as it would to 50 news sites: 2 requests at a time per host and, here,
0.25 s between requests to one host (the default is 1 s). The cycles run in-process with a
simulated clock, so every page is due each time.

Run:  python benchmarks/bench_watch.py [--delay 0.25]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from contextlib import ExitStack
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from storydiff.archive import Archive  # noqa: E402
from storydiff.model import parse_time  # noqa: E402
from storydiff.reader import read_article_file  # noqa: E402
from storydiff.watch import WatchOptions, run_cycle  # noqa: E402
from tests.web.site import Reply, Site, article_html, rss, serve  # noqa: E402

FEEDS, ENTRIES = 50, 20
SEED = read_article_file(ROOT / "seeds" / "armenia-azerbaijan" / "v2.txt")


def page(index: int, revision: int) -> Reply:
    paragraphs = [f"{p} (Story {index}.)" for p in SEED.paragraphs]
    if revision:
        paragraphs.append(f"Revision {revision} adds a paragraph to story {index}.")
    return Reply(article_html(f"{SEED.headline} {index}", paragraphs), etag=f'"{index}-{revision}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.25)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="storydiff-watch-"))
    sites = []
    try:
        with ExitStack() as stack:
            for host in range(FEEDS):
                site = stack.enter_context(serve(Site(), host=f"127.0.0.{host + 2}"))
                for entry in range(ENTRIES):
                    site.add(f"/story-{entry}", page(host * ENTRIES + entry, 0))
                site.add(
                    "/robots.txt", Reply(b"User-agent: *\nAllow: /\n", content_type="text/plain")
                )
                site.add(
                    "/feed.xml",
                    Reply(
                        rss([f"{site.base}/story-{e}" for e in range(ENTRIES)]),
                        content_type="application/rss+xml",
                        etag='"feed"',
                    ),
                )
                sites.append(site)
            feeds = [f"{site.base}/feed.xml" for site in sites]
            watch = WatchOptions(delay=options.delay, per_host=2, timeout=20)
            with Archive.create(work / "archive")[0] as archive:
                now = parse_time("2020-10-23T08:00:00Z")
                for label, changed, target in (
                    ("first sight of 1,000 new pages", 0, ""),
                    ("5% of the pages changed", 50, " (target < 60 s)"),
                    ("nothing changed (304s)", 0, " (target < 10 s)"),
                ):
                    if changed:
                        for number in range(changed):
                            site = sites[number % FEEDS]
                            entry = number // FEEDS * 7 % ENTRIES
                            index = (number % FEEDS) * ENTRIES + entry
                            site.add(f"/story-{entry}", page(index, 1))
                    started = time.perf_counter()
                    outcomes = run_cycle(archive, feeds, watch, now=now)
                    elapsed = time.perf_counter() - started
                    kinds: dict[str, int] = {}
                    for outcome in outcomes:
                        kinds[outcome.kind] = kinds.get(outcome.kind, 0) + 1
                    print(f"cycle, {label}: {elapsed:.1f} s{target} {dict(sorted(kinds.items()))}")
                    now += timedelta(minutes=11)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
