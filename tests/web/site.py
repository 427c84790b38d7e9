"""A real HTTP server on 127.0.0.1 that serves scripted article pages and feeds.

Each path has a list of responses; each request gets the next one (the last repeats), so a
page can change between watch cycles. ETags are honoured with 304s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html import escape
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Reply:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    etag: str | None = None
    location: str | None = None
    delay: float = 0.0
    length: int | None = None  # a Content-Length to announce, if not the body's


@dataclass
class Site:
    routes: dict[str, list[Reply]] = field(default_factory=dict)
    hits: dict[str, int] = field(default_factory=dict)
    user_agents: set[str] = field(default_factory=set)
    base: str = ""

    def add(self, path: str, *replies: Reply) -> None:
        self.routes[path] = list(replies)

    def next_reply(self, path: str) -> Reply | None:
        replies = self.routes.get(path)
        if not replies:
            return None
        count = self.hits.get(path, 0)
        self.hits[path] = count + 1
        return replies[min(count, len(replies) - 1)]


def article_html(
    headline: str, paragraphs: list[str], note: str | None = None, canonical: str | None = None
) -> bytes:
    link = f'<link rel="canonical" href="{escape(canonical)}">' if canonical else ""
    body = "".join(f"<p>{escape(p)}</p>" for p in ([note] if note else []) + paragraphs)
    return (
        f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>{escape(headline)}"
        f" | Example News</title>{link}</head><body><nav><a href=/>Home</a></nav>"
        f"<article><h1>{escape(headline)}</h1>{body}</article>"
        "<footer>© Example News</footer></body></html>"
    ).encode()


def rss(items: list[str]) -> bytes:
    entries = "".join(f"<item><title>t</title><link>{escape(u)}</link></item>" for u in items)
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Feed</title>'
        f"<link>http://example.com/</link>{entries}</channel></rss>"
    ).encode()


def atom(items: list[str]) -> bytes:
    entries = "".join(
        f'<entry><title>t</title><id>{escape(u)}</id><link href="{escape(u)}"/>'
        "<updated>2020-10-23T00:00:00Z</updated></entry>"
        for u in items
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom">'
        f"<title>Feed</title><id>urn:x</id><updated>2020-10-23T00:00:00Z</updated>{entries}</feed>"
    ).encode()


def _handler(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:  # quiet
            pass

        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            site.user_agents.add(self.headers.get("User-Agent", ""))
            reply = site.next_reply(self.path)
            if reply is None:
                reply = Reply(b"not found", 404, "text/plain")
            if reply.delay:
                time.sleep(reply.delay)
            if reply.etag and self.headers.get("If-None-Match") == reply.etag:
                self.send_response(304)
                self.send_header("ETag", reply.etag)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            if reply.etag:
                self.send_header("ETag", reply.etag)
            if reply.location:
                self.send_header("Location", reply.location)
            self.send_header("Content-Length", str(reply.length or len(reply.body)))
            self.end_headers()
            try:
                self.wfile.write(reply.body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    return Handler


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        pass  # clients that hang up early (timeouts, size caps) are part of the tests


@contextmanager
def serve(site: Site, host: str = "127.0.0.1") -> Iterator[Site]:
    server = _QuietServer((host, 0), _handler(site))
    server.daemon_threads = True
    site.base = f"http://{host}:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield site
    finally:
        server.shutdown()
        server.server_close()
