"""Fetching article pages politely, and deciding what a fetched page means.

* :class:`Fetcher` is an httpx client with timeouts, a size cap, redirects followed (the final
  URL recorded), a clear User-Agent, conditional requests (ETag / Last-Modified, so an
  unchanged page costs a 304), robots.txt respected (standard library robotparser), and
  per-host politeness: at most N requests at a time to one host and a delay between them.
* :func:`canonical_url` names a story by its canonical URL, tracking parameters and
  fragments removed, so one story is not archived twice under two URLs.
* :func:`suspect_extraction` guards against the most common bogus diff: a truncated,
  paywalled or consent-page extraction.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from urllib.robotparser import RobotFileParser

from . import __version__
from .errors import StorydiffError
from .model import Article

if TYPE_CHECKING:
    import httpx

USER_AGENT = (
    f"storydiff/{__version__} (news revision archiver; +https://pypi.org/project/storydiff/)"
)
MAX_PAGE_BYTES = 5 * 1024 * 1024
HTML_TYPES = ("text/html", "application/xhtml+xml")
FEED_TYPES = ("xml", "rss", "atom")

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|ocid|cmpid|icid|ref_src|smid|"
    r"_ga|yclid|igshid|ito|taid|outputType)$",
    re.IGNORECASE,
)
_PAYWALL = re.compile(
    r"(subscribe (now )?to (continue|keep) reading|subscribers? only|sign in to (continue|read)|"
    r"already a subscriber|create a free account to continue|to continue reading|"
    r"we use cookies|accept (all )?cookies|your privacy choices|consent to the use|"
    r"enable javascript|are you a robot|verify you are human|access denied)",
    re.IGNORECASE,
)
#: An extraction this much shorter than the previous version is more likely broken than cut.
SHRINK_LIMIT = 0.5


class FetchError(StorydiffError):
    """A page could not be fetched; the message is the reason, for logs and people."""


@dataclass(frozen=True)
class Page:
    """A fetched page. ``status`` 304 means unchanged since the ETag/date we sent."""

    url: str
    final_url: str
    status: int
    body: bytes = b""
    etag: str | None = None
    last_modified: str | None = None
    content_type: str = ""


def canonical_url(url: str) -> str:
    """The URL without fragment, tracking parameters or AMP/mobile variants.

    >>> canonical_url("https://m.example.com/world/talks/amp?utm_source=rss&id=7#top")
    'https://example.com/world/talks?id=7'
    """
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    for prefix in ("amp.", "m.", "mobile."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host.removeprefix(prefix)
    if parts.port and parts.port not in (80, 443):
        host = f"{host}:{parts.port}"
    path = re.sub(r"/amp/?$|\.amp(?=\.html?$)|/amp(?=/)", "", parts.path) or "/"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not _TRACKING.match(key) and key.lower() not in ("amp", "outputtype")
    ]
    return urlunsplit((parts.scheme.lower(), host, path, urlencode(query), ""))


def suspect_extraction(previous: Article | None, new: Article) -> str | None:
    """Why a new extraction should not be archived as a version, or None if it looks fine."""
    words = sum(len(p.split()) for p in new.paragraphs)
    if previous is not None:
        before = sum(len(p.split()) for p in previous.paragraphs)
        if before >= 80 and words < before * SHRINK_LIMIT:
            return f"extraction shrank from {before} to {words} words (truncated or paywalled?)"
    text = " ".join((new.headline, *new.paragraphs[:6]))
    if words < 250 and _PAYWALL.search(text):
        return "looks like a paywall, consent or bot-check page"
    if not new.paragraphs:
        return "no article text was extracted"
    return None


@dataclass
class _Host:
    slots: asyncio.Semaphore
    next_start: float = 0.0
    robots: RobotFileParser | None = None
    robots_loaded: bool = False
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)


class Fetcher:
    """An asynchronous, polite HTTP client for article pages and feeds."""

    def __init__(
        self,
        *,
        timeout: float = 20.0,
        max_bytes: int = MAX_PAGE_BYTES,
        per_host: int = 2,
        delay: float = 1.0,
        concurrency: int = 16,
        respect_robots: bool = True,
        user_agent: str = USER_AGENT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.per_host = per_host
        self.delay = delay
        self.respect_robots = respect_robots
        self.user_agent = user_agent
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self._client: httpx.AsyncClient | None = None
        # Taken only for the request itself, after a host's politeness wait: a task waiting
        # for its turn at one busy host must not hold up requests to other hosts.
        self._in_flight = asyncio.Semaphore(concurrency)

    async def __aenter__(self) -> Fetcher:
        import httpx

        self._client = httpx.AsyncClient(
            follow_redirects=True,
            max_redirects=10,
            timeout=httpx.Timeout(self.timeout),
            headers={"User-Agent": self.user_agent},
            limits=httpx.Limits(max_connections=64, max_keepalive_connections=32),
            trust_env=False,
        )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        if self._client is not None:
            await self._client.aclose()

    def _host(self, url: str) -> _Host:
        netloc = urlsplit(url).netloc.lower()
        host = self._hosts.get(netloc)
        if host is None:
            host = self._hosts[netloc] = _Host(asyncio.Semaphore(self.per_host))
        return host

    async def _allowed(self, url: str, host: _Host) -> bool:
        if not self.respect_robots:
            return True
        async with host.lock:
            if not host.robots_loaded:
                host.robots = await self._load_robots(url)
                host.robots_loaded = True
        return host.robots is None or host.robots.can_fetch(self.user_agent, url)

    async def _load_robots(self, url: str) -> RobotFileParser | None:
        """The host's robots.txt; None (allow all) when it has none or cannot be read."""
        assert self._client is not None
        parts = urlsplit(url)
        robots_url = urlunsplit((parts.scheme, parts.netloc, "/robots.txt", "", ""))
        try:
            response = await self._client.get(robots_url)
        except Exception:  # noqa: BLE001 - any failure to read robots.txt means "no rules"
            return None
        if response.status_code >= 400:
            return None
        parser = RobotFileParser(robots_url)
        parser.parse(response.text.splitlines())
        return parser

    async def get(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: tuple[str, ...] = HTML_TYPES,
    ) -> Page:
        """Fetch ``url`` politely; raise FetchError with the reason when it fails."""
        import httpx

        assert self._client is not None, "use 'async with Fetcher()'"
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"{url}: not an http(s) URL")
        host = self._host(url)
        if not await self._allowed(url, host):
            raise FetchError(f"{url}: disallowed by robots.txt")
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with host.slots:
            async with host.lock:
                wait = host.next_start - self._clock()
                host.next_start = max(host.next_start, self._clock()) + self.delay
            if wait > 0:
                await asyncio.sleep(wait)
            try:
                async with self._in_flight:
                    async with self._client.stream("GET", url, headers=headers) as response:
                        return await self._read(url, response, accept)
            except httpx.TimeoutException:
                raise FetchError(f"{url}: timed out after {self.timeout:g} s") from None
            except httpx.TooManyRedirects:
                raise FetchError(f"{url}: too many redirects") from None
            except httpx.HTTPError as error:
                raise FetchError(f"{url}: {type(error).__name__}: {error}") from None

    async def _read(self, url: str, response: httpx.Response, accept: tuple[str, ...]) -> Page:
        final_url = str(response.url)
        if response.status_code == 304:
            return Page(url, final_url, 304, etag=response.headers.get("ETag"))
        if response.status_code >= 400:
            raise FetchError(f"{url}: HTTP {response.status_code}")
        content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
        if content_type and not any(kind in content_type for kind in accept):
            raise FetchError(f"{url}: not a page to read ({content_type})")
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise FetchError(f"{url}: too large ({int(declared) // 1024} KB)")
        body = bytearray()
        async for chunk in response.aiter_bytes():
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchError(f"{url}: too large (over {self.max_bytes // 1024} KB)")
        return Page(
            url,
            final_url,
            response.status_code,
            bytes(body),
            etag=response.headers.get("ETag"),
            last_modified=response.headers.get("Last-Modified"),
            content_type=content_type,
        )
