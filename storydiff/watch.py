"""Watching the web: fetch article pages, archive them when they changed, follow feeds.

One cycle fetches the feeds that are due (RSS 0.9x/1.0/2.0 and Atom, read with
feedparser), adds their new entries as pages to watch, then fetches every page that is due.
A page is re-checked often in its first hours and rarely after days, and no longer after
``max_age``; a failure is retried with back-off. One bad feed or page never stops a cycle.

The state (schedules, ETags, failure counts) lives in ``storydiff-watch.json`` inside the
archive's git folder. It is a cache: if it is lost, :func:`rebuild_state` recreates the page
list from the archive itself (every story that has a URL).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from .archive import Archive
from .compare import Side, compare
from .errors import StorydiffError
from .ids import story_id_from_url
from .model import Article, format_time, parse_time
from .reader import read_article
from .web import FEED_TYPES, HTML_TYPES, Fetcher, FetchError, canonical_url, suspect_extraction

STATE_FILE = "storydiff-watch.json"

#: How often a page is checked, by its age: often at first, rarely after days.
SCHEDULE = (
    (timedelta(hours=6), timedelta(minutes=10)),
    (timedelta(hours=24), timedelta(hours=1)),
    (timedelta(days=3), timedelta(hours=3)),
)
LATE_INTERVAL = timedelta(hours=12)
SUSPECT_RETRY = timedelta(minutes=15)
MAX_BACKOFF = timedelta(days=1)

OutcomeKind = Literal[
    "archived", "unchanged", "not_modified", "suspect", "failed", "feed", "feed_failed"
]


@dataclass
class FeedState:
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    next_check: str | None = None
    last_error: str | None = None


@dataclass
class PageState:
    first_seen: str
    next_check: str | None
    story: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    page_hash: str | None = None
    failures: int = 0
    suspects: int = 0
    last_error: str | None = None


@dataclass
class WatchState:
    feeds: dict[str, FeedState] = field(default_factory=dict)
    pages: dict[str, PageState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> WatchState | None:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                feeds={url: FeedState(**value) for url, value in data["feeds"].items()},
                pages={url: PageState(**value) for url, value in data["pages"].items()},
            )
        except (OSError, ValueError, KeyError, TypeError):
            return None

    def save(self, path: Path) -> None:
        document = {
            "schema": "storydiff.watch/1",
            "feeds": {url: asdict(value) for url, value in sorted(self.feeds.items())},
            "pages": {url: asdict(value) for url, value in sorted(self.pages.items())},
        }
        descriptor, temporary = tempfile.mkstemp(prefix=".watch.", dir=path.parent)
        with os.fdopen(descriptor, "w", encoding="utf-8") as stream:
            json.dump(document, stream, indent=1)
        os.replace(temporary, path)


def rebuild_state(archive: Archive) -> WatchState:
    """Recreate the page list from the archive: every story whose versions have a URL."""
    state = WatchState()
    for summary in archive.stories():
        latest = archive.history(summary.story)[-1]
        url = latest.article.meta.url
        if url and url.startswith(("http://", "https://")):
            state.pages[url] = PageState(
                first_seen=format_time(summary.first_seen), next_check=None, story=summary.story
            )
    return state


@dataclass(frozen=True)
class WatchOptions:
    per_host: int = 2
    delay: float = 1.0
    timeout: float = 20.0
    concurrency: int = 16
    respect_robots: bool = True
    max_age: timedelta = timedelta(days=7)
    force: bool = False
    notify: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What happened to one feed or page in a cycle."""

    kind: OutcomeKind
    url: str
    detail: str = ""
    story: str | None = None
    version: int | None = None


def next_check(first_seen: datetime, now: datetime, max_age: timedelta) -> datetime | None:
    """When to look at a page again, by its age; None once it is older than ``max_age``."""
    age = now - first_seen
    if age >= max_age:
        return None
    for limit, interval in SCHEDULE:
        if age < limit:
            return now + interval
    return now + LATE_INTERVAL


def backoff(failures: int) -> timedelta:
    """Five minutes after a first failure, doubling each time, at most a day."""
    delay: timedelta = timedelta(minutes=5) * (2 ** min(failures - 1, 12))
    return min(delay, MAX_BACKOFF)


def _due(when: str | None, now: datetime) -> bool:
    return when is None or parse_time(when) <= now


class Cycle:
    """One watch cycle over a set of feeds (and the pages already known)."""

    def __init__(
        self,
        archive: Archive,
        state: WatchState,
        options: WatchOptions,
        now: datetime,
        log: Callable[[Outcome], None] | None = None,
    ) -> None:
        self.archive = archive
        self.state = state
        self.options = options
        self.now = now
        self.log = log
        self.outcomes: list[Outcome] = []
        # git and the archive's helper processes are used from one task at a time.
        self._archive_lock = asyncio.Lock()

    def _record(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        if self.log:
            self.log(outcome)

    async def run(self, feeds: Sequence[str]) -> list[Outcome]:
        async with Fetcher(
            timeout=self.options.timeout,
            per_host=self.options.per_host,
            delay=self.options.delay,
            concurrency=self.options.concurrency,
            respect_robots=self.options.respect_robots,
        ) as fetcher:
            await asyncio.gather(*(self._feed(fetcher, url) for url in feeds))
            due = [
                url
                for url, page in sorted(self.state.pages.items())
                if page.next_check is not None or page.page_hash is None
                if _due(page.next_check, self.now)
            ]
            await asyncio.gather(*(self._page(fetcher, url) for url in due))
        return self.outcomes

    async def _feed(self, fetcher: Fetcher, url: str) -> None:
        import feedparser

        feed = self.state.feeds.setdefault(url, FeedState())
        if not _due(feed.next_check, self.now):
            return
        try:
            page = await fetcher.get(
                url,
                etag=feed.etag,
                last_modified=feed.last_modified,
                accept=(*FEED_TYPES, *HTML_TYPES),
            )
        except FetchError as error:
            self._feed_failed(feed, url, str(error))
            return
        feed.failures, feed.last_error = 0, None
        feed.next_check = format_time(self.now + timedelta(minutes=5))
        if page.status == 304:
            self._record(Outcome("feed", url, "not modified"))
            return
        parsed = await asyncio.to_thread(feedparser.parse, page.body)
        entries = [entry.get("link") for entry in parsed.entries if entry.get("link")]
        if parsed.bozo and not entries:
            reason = getattr(parsed, "bozo_exception", "not a feed")
            self._feed_failed(feed, url, f"{url}: malformed feed ({reason})")
            return
        feed.etag, feed.last_modified = page.etag, page.last_modified
        added = 0
        for link in entries:
            target = canonical_url(str(link))
            if target.startswith(("http://", "https://")) and target not in self.state.pages:
                self.state.pages[target] = PageState(
                    first_seen=format_time(self.now), next_check=format_time(self.now)
                )
                added += 1
        self._record(Outcome("feed", url, f"{len(entries)} entries, {added} new"))

    def _feed_failed(self, feed: FeedState, url: str, reason: str) -> None:
        feed.failures += 1
        feed.last_error = reason
        feed.next_check = format_time(self.now + backoff(feed.failures))
        self._record(Outcome("feed_failed", url, reason))

    async def _page(self, fetcher: Fetcher, url: str) -> None:
        state = self.state.pages[url]
        try:
            page = await fetcher.get(url, etag=state.etag, last_modified=state.last_modified)
        except FetchError as error:
            self._page_failed(state, url, str(error))
            return
        state.failures, state.last_error = 0, None
        if page.status == 304:
            self._schedule(state)
            self._record(Outcome("not_modified", url, story=state.story))
            return
        state.etag, state.last_modified = page.etag, page.last_modified
        digest = hashlib.sha256(page.body).hexdigest()
        if digest == state.page_hash:
            self._schedule(state)
            self._record(Outcome("unchanged", url, "same page", story=state.story))
            return
        try:
            article = await asyncio.to_thread(read_article, page.body, name=url, html=True)
            story = story_id_from_url(canonical_url(article.meta.url or page.final_url))
        except StorydiffError as error:
            self._page_failed(state, url, f"{url}: {error}")
            return
        await self._archive(url, state, page.body, digest, story, article, page.final_url)

    async def _archive(
        self,
        url: str,
        state: PageState,
        body: bytes,
        digest: str,
        story: str,
        article: Article,
        final_url: str,
    ) -> None:
        canonical = canonical_url(article.meta.url or final_url)
        article = replace(article, meta=replace(article.meta, url=canonical, story=story))
        async with self._archive_lock:
            previous = await asyncio.to_thread(self._latest, story)
            reason = suspect_extraction(previous.article if previous else None, article)
            if reason and not self.options.force:
                state.suspects += 1
                state.next_check = format_time(self.now + SUSPECT_RETRY)
                state.story = story
                self._record(Outcome("suspect", url, f"{url}: {reason}", story=story))
                return
            try:
                result = await asyncio.to_thread(
                    self.archive.save, story, article, at=self.now, page=body
                )
            except StorydiffError as error:
                self._page_failed(state, url, f"{url}: {error}")
                return
        state.story, state.page_hash = story, digest
        self._schedule(state)
        if not result.created:
            self._record(Outcome("unchanged", url, "same text", story, result.version.number))
            return
        self._record(Outcome("archived", url, "", story, result.version.number))
        if self.options.notify and previous is not None:
            await asyncio.to_thread(self._notify, previous, result.version)

    def _latest(self, story: str) -> Any:
        try:
            return self.archive.history(story)[-1]
        except StorydiffError:
            return None

    def _notify(self, previous: Any, version: Any) -> None:
        from .render.json import diff_document

        diff = compare(Side.of_version(previous), Side.of_version(version), story=version.story)
        document = json.dumps(diff_document(diff), ensure_ascii=False).encode("utf-8")
        assert self.options.notify is not None
        try:
            # The user's own command, run by their shell; the story reaches it only on stdin.
            completed = subprocess.run(
                self.options.notify,
                shell=True,
                input=document,
                timeout=60,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                check=False,
                env={
                    **os.environ,
                    "STORYDIFF_STORY": version.story,
                    "STORYDIFF_VERSION": str(version.number),
                },
            )
        except subprocess.TimeoutExpired:
            self._record(Outcome("failed", version.story, "--notify command timed out"))
            return
        if completed.returncode != 0:
            self._record(
                Outcome("failed", version.story, f"--notify command exited {completed.returncode}")
            )

    def _schedule(self, state: PageState) -> None:
        when = next_check(parse_time(state.first_seen), self.now, self.options.max_age)
        state.next_check = format_time(when) if when else None

    def _page_failed(self, state: PageState, url: str, reason: str) -> None:
        state.failures += 1
        state.last_error = reason
        state.next_check = format_time(self.now + backoff(state.failures))
        self._record(Outcome("failed", url, reason, story=state.story))


def add_pages(state: WatchState, urls: Sequence[str], now: datetime) -> list[str]:
    """Watch these pages too, and check them in this cycle; return their state keys."""
    keys = []
    for url in urls:
        target = canonical_url(url)
        page = state.pages.setdefault(
            target, PageState(first_seen=format_time(now), next_check=None)
        )
        page.next_check = format_time(now)
        keys.append(target)
    return keys


def parse_duration(text: str) -> timedelta:
    """``90s``, ``10m``, ``2h``, ``7d`` (a bare number is minutes).

    >>> parse_duration("10m"), parse_duration("7d")
    (datetime.timedelta(seconds=600), datetime.timedelta(days=7))
    """
    from .errors import InputError

    units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
    value = text.strip().lower()
    unit = units.get(value[-1:], "minutes")
    number = value[:-1] if value[-1:] in units else value
    try:
        amount = float(number)
    except ValueError:
        raise InputError(f"{text!r} is not a duration such as 90s, 10m, 2h or 7d") from None
    if amount <= 0:
        raise InputError(f"{text!r}: a duration must be more than zero")
    return timedelta(**{unit: amount})


def state_path(archive: Archive) -> Path:
    return archive.path / STATE_FILE


def load_state(archive: Archive) -> WatchState:
    """The saved watch state, or one rebuilt from the archive if it is missing or damaged."""
    return WatchState.load(state_path(archive)) or rebuild_state(archive)


def run_cycle(
    archive: Archive,
    feeds: Sequence[str],
    options: WatchOptions,
    *,
    pages: Sequence[str] = (),
    now: datetime | None = None,
    log: Callable[[Outcome], None] | None = None,
) -> list[Outcome]:
    """Run one watch cycle and save the state; return every outcome."""
    now = now or datetime.now(UTC).replace(microsecond=0)
    state = load_state(archive)
    add_pages(state, pages, now)
    cycle = Cycle(archive, state, options, now, log)
    outcomes = asyncio.run(cycle.run(feeds))
    state.save(state_path(archive))
    return outcomes


def read_feed_list(path: Path) -> list[str]:
    """Feed URLs, one per line; blank lines and ``#`` comments are ignored."""
    from .errors import InputError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror})") from None
    feeds = [line.split("#", 1)[0].strip() for line in lines]
    feeds = [feed for feed in feeds if feed]
    for feed in feeds:
        if not feed.startswith(("http://", "https://")):
            raise InputError(f"{path}: {feed!r} is not an http(s) URL")
    if not feeds:
        raise InputError(f"{path} lists no feeds")
    return feeds
