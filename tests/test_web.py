"""Fetching and watching against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from storydiff.archive import Archive
from storydiff.model import parse_time
from storydiff.reader import read_article_file
from storydiff.watch import STATE_FILE, WatchOptions, next_check, run_cycle
from storydiff.web import canonical_url

from .conftest import SEED_STORY, Cli
from .web.site import Reply, Site, article_html, atom, rss, serve

SEED = read_article_file(SEED_STORY / "v2.txt")
PARAGRAPHS = list(SEED.paragraphs)
T0 = parse_time("2020-10-23T08:00:00Z")
FAST = WatchOptions(delay=0, timeout=1.0, per_host=4)


def page(
    paragraphs: list[str],
    note: str | None = None,
    canonical: str | None = None,
    etag: str | None = None,
    headline: str = SEED.headline,
) -> Reply:
    return Reply(article_html(headline, paragraphs, note, canonical), etag=etag)


@pytest.fixture
def site() -> Iterator[Site]:
    with serve(Site()) as running:
        yield running


def build(site: Site) -> dict[str, str]:
    b = site.base
    site.add(
        "/robots.txt", Reply(b"User-agent: *\nDisallow: /private\n", content_type="text/plain")
    )
    site.add(
        "/story-a",
        page(PARAGRAPHS[:12]),
        page(
            PARAGRAPHS,
            note="(Updated with further comments by Aliyev from paragraph 13; "
            "on-ground developments from paragraph 16)",
        ),
        page(["Subscribe to continue reading. Already a subscriber? Sign in."]),
    )
    site.add("/story-b", Reply(b"", 301, location=f"{b}/news/story-b"))
    site.add("/news/story-b", page(PARAGRAPHS[:10], canonical=f"{b}/news/story-b"))
    # The feed lists the AMP page; storydiff asks for the canonical page instead.
    site.add("/amp/story-c", page(PARAGRAPHS[2:14], canonical=f"{b}/story-c"))
    site.add("/story-c", page(PARAGRAPHS[2:14], canonical=f"{b}/story-c", etag='"c1"'))
    corrected = [p.replace("support Armenia", "support Azerbaijan") for p in PARAGRAPHS]
    stealth = [p.replace("nearing 5,000", "nearing 6,000") for p in corrected]
    site.add(
        "/story-d",
        page(PARAGRAPHS),
        page(
            corrected,
            note="(Corrects paragraph 12 to show Turkey vowed to support Azerbaijan, not Armenia)",
        ),
        page(
            stealth,
            note="(Corrects paragraph 12 to show Turkey vowed to support Azerbaijan, not Armenia)",
        ),
    )
    site.add(
        "/paywalled",
        page(["Subscribe now to continue reading this article. Already a subscriber? Sign in."]),
    )
    site.add("/broken", Reply(b"oops", 500, "text/plain"))
    site.add("/slow", Reply(article_html("Slow", PARAGRAPHS), delay=3))
    site.add("/huge", Reply(b"<html>" + b"x" * 100, length=6 * 1024 * 1024))
    site.add("/report.pdf", Reply(b"%PDF-1.4", content_type="application/pdf"))
    site.add("/private/story", page(PARAGRAPHS))
    site.add(
        "/rss.xml",
        Reply(
            rss(
                [
                    f"{b}/story-a?utm_source=rss&utm_medium=feed",
                    f"{b}/story-b",
                    f"{b}/amp/story-c",
                    f"{b}/paywalled",
                    f"{b}/missing",
                    f"{b}/broken",
                    f"{b}/slow",
                    f"{b}/huge",
                    f"{b}/report.pdf",
                    f"{b}/private/story",
                ]
            ),
            content_type="application/rss+xml",
            etag='"feed1"',
        ),
    )
    site.add(
        "/atom.xml", Reply(atom([f"{b}/story-d#comments"]), content_type="application/atom+xml")
    )
    site.add("/malformed.xml", Reply(b"<rss><channel><item>", content_type="application/rss+xml"))
    return {"rss": f"{b}/rss.xml", "atom": f"{b}/atom.xml", "bad": f"{b}/malformed.xml"}


def by_url(outcomes: list[Any], base: str) -> dict[str, tuple[str, str]]:
    return {o.url.removeprefix(base): (o.kind, o.detail) for o in outcomes}


def _id(url: str) -> str:
    from storydiff.ids import story_id_from_url

    return story_id_from_url(canonical_url(url))


def test_watch_cycles_archive_exactly_the_expected_versions(site: Site, tmp_path: Path) -> None:
    feeds = build(site)
    archive, _ = Archive.create(tmp_path / "archive")
    first = by_url(run_cycle(archive, list(feeds.values()), FAST, now=T0), site.base)
    assert first["/rss.xml"] == ("feed", "10 entries, 10 new")
    assert first["/atom.xml"] == ("feed", "1 entries, 1 new")
    assert first["/malformed.xml"][0] == "feed_failed"
    assert "malformed feed" in first["/malformed.xml"][1]
    assert first["/story-a"][0] == "archived"  # tracking parameters removed from the URL
    assert first["/story-b"][0] == "archived"  # followed the redirect
    assert first["/story-c"][0] == "archived"  # AMP URL mapped to the canonical page
    assert first["/story-d"][0] == "archived"  # fragment removed
    assert first["/paywalled"] == (
        "suspect",
        f"{site.base}/paywalled: looks like a paywall, consent or bot-check page",
    )
    assert first["/missing"] == ("failed", f"{site.base}/missing: HTTP 404")
    assert first["/broken"] == ("failed", f"{site.base}/broken: HTTP 500")
    assert first["/slow"] == ("failed", f"{site.base}/slow: timed out after 1 s")
    assert first["/huge"][1].startswith(f"{site.base}/huge: too large")
    assert first["/report.pdf"] == (
        "failed",
        f"{site.base}/report.pdf: not a page to read (application/pdf)",
    )
    assert first["/private/story"] == (
        "failed",
        f"{site.base}/private/story: disallowed by robots.txt",
    )
    stories = {s.story: s.versions for s in archive.stories()}
    assert stories == {
        _id(f"{site.base}/{p}"): 1 for p in ("story-a", "news/story-b", "story-c", "story-d")
    }

    second = by_url(
        run_cycle(archive, list(feeds.values()), FAST, now=T0 + timedelta(minutes=11)), site.base
    )
    assert second["/rss.xml"] == ("feed", "not modified")  # its ETag answered with a 304
    assert second["/story-a"] == ("archived", "")
    assert second["/story-b"] == ("unchanged", "same page")
    assert second["/story-c"][0] == "not_modified"  # the ETag answered with a 304
    assert second["/story-d"] == ("archived", "")
    assert second["/missing"][0] == "failed"  # retried after its back-off: 10 min > 5 min

    third = by_url(
        run_cycle(archive, list(feeds.values()), FAST, now=T0 + timedelta(minutes=22)), site.base
    )
    assert third["/story-a"] == (
        "suspect",
        f"{site.base}/story-a: extraction shrank from 552 to 9 words (truncated or paywalled?)",
    )
    assert third["/story-d"] == ("archived", "")
    with archive:
        a = archive.history(_id(f"{site.base}/story-a"))
        assert [len(v.article.paragraphs) for v in a] == [12, 18]
        assert archive.page(a[-1]) is not None and b"<article>" in (archive.page(a[-1]) or b"")
        d = archive.history(_id(f"{site.base}/story-d"))
        assert len(d) == 3
    assert site.user_agents == {ua for ua in site.user_agents if ua.startswith("storydiff/")}


def test_state_survives_and_is_rebuilt_from_the_archive(site: Site, tmp_path: Path) -> None:
    feeds = build(site)
    archive, _ = Archive.create(tmp_path / "archive")
    run_cycle(archive, [feeds["atom"]], FAST, now=T0)
    state_file = archive.path / STATE_FILE
    saved = json.loads(state_file.read_text())
    page_state = saved["pages"][f"{site.base}/story-d"]
    assert page_state["story"] == _id(f"{site.base}/story-d")
    assert page_state["next_check"] == "2020-10-23T08:10:00Z"
    state_file.unlink()
    outcomes = run_cycle(archive, [], FAST, now=T0 + timedelta(minutes=11))
    assert [(o.kind, o.url) for o in outcomes] == [("archived", f"{site.base}/story-d")]


def test_notify_gets_the_diff_json(site: Site, tmp_path: Path) -> None:
    feeds = build(site)
    archive, _ = Archive.create(tmp_path / "archive")
    received = tmp_path / "received"
    received.mkdir()
    options = WatchOptions(delay=0, timeout=1.0, notify=f"cat > {received}/$STORYDIFF_VERSION.json")
    run_cycle(archive, [feeds["atom"]], options, now=T0)
    run_cycle(archive, [feeds["atom"]], options, now=T0 + timedelta(minutes=11))
    document = json.loads((received / "2.json").read_text())
    assert document["schema"] == "storydiff.diff/1"
    assert document["note"]["claims"][0]["verdict"] == "confirmed"
    run_cycle(archive, [feeds["atom"]], options, now=T0 + timedelta(minutes=22))
    stealth = json.loads((received / "3.json").read_text())
    assert stealth["undisclosed"] == [7]


def test_changes_feed(site: Site, tmp_path: Path) -> None:
    import feedparser

    from storydiff.reports import write_changes_feed

    feeds = build(site)
    archive, _ = Archive.create(tmp_path / "archive")
    for minutes in (0, 11, 22):
        run_cycle(archive, [feeds["atom"], feeds["rss"]], FAST, now=T0 + timedelta(minutes=minutes))
    path = write_changes_feed(archive, tmp_path / "reports")
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo
    titles = [entry.title for entry in parsed.entries]
    assert len(titles) == 3 and all(t.startswith("Updated: ") for t in titles)
    newest = parsed.entries[0]
    assert "undisclosed changes in paragraphs 7" in newest.summary
    assert newest.link.endswith("changes-2-3.html")


def test_schedule_backs_off_with_age() -> None:
    first = T0
    assert next_check(first, T0 + timedelta(hours=1), timedelta(days=7)) == T0 + timedelta(
        hours=1, minutes=10
    )
    assert next_check(first, T0 + timedelta(hours=12), timedelta(days=7)) == T0 + timedelta(
        hours=13
    )
    assert next_check(first, T0 + timedelta(days=2), timedelta(days=7)) == T0 + timedelta(
        days=2, hours=3
    )
    assert next_check(first, T0 + timedelta(days=5), timedelta(days=7)) == T0 + timedelta(
        days=5, hours=12
    )
    assert next_check(first, T0 + timedelta(days=8), timedelta(days=7)) is None


CANONICAL = [
    (
        "https://www.example.com/a?utm_source=x&utm_medium=y&id=3#top",
        "https://www.example.com/a?id=3",
    ),
    ("https://amp.example.com/news/story", "https://example.com/news/story"),
    ("https://example.com/news/story/amp/", "https://example.com/news/story"),
    ("https://m.example.com/news/story?fbclid=abc", "https://example.com/news/story"),
    ("https://example.com/news/story.amp.html", "https://example.com/news/story.html"),
    ("HTTPS://Example.COM/Path", "https://example.com/Path"),
]


@pytest.mark.parametrize(("url", "expected"), CANONICAL)
def test_canonical_urls(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_fetch_command(site: Site, cli: Cli) -> None:
    build(site)
    url = f"{site.base}/story-d?utm_campaign=x"
    first = cli("fetch", url, "--format", "json")
    document: Any = first.json()
    assert (first.code, document["outcome"], document["version"]) == (0, "archived", 1)
    second = cli("fetch", url)
    assert second.code == 0
    assert "Corrects paragraph 12" in second.stdout
    assert "[-Armenia-]{+Azerbaijan+}" in second.stdout
    missing = cli("fetch", f"{site.base}/missing")
    assert (missing.code, missing.stdout.split()) == (
        1,
        ["failed", f"{site.base}/missing:", f"{site.base}/missing:", "HTTP", "404"],
    )


def test_reextract(site: Site, cli: Cli) -> None:
    build(site)
    assert cli("fetch", f"{site.base}/story-d").code == 0
    story = _id(f"{site.base}/story-d")
    result = cli("reextract", f"{story}@1")
    assert result.code == 0
    assert result.stdout.rstrip().endswith("no changes")
    assert cli("reextract", "x@1").stderr == "Error: no story 'x' in the archive\n"


def test_watch_command_once(site: Site, cli: Cli, tmp_path: Path) -> None:
    feeds = build(site)
    listing = tmp_path / "feeds.txt"
    listing.write_text(f"# news\n{feeds['atom']}\n\n{feeds['bad']}  # broken\n")
    result = cli(
        "watch",
        str(listing),
        "--once",
        "--delay",
        "0",
        "--timeout",
        "1",
        "--reports",
        str(tmp_path / "reports"),
    )
    assert result.code == 0, result.stderr
    assert "1 archived" in result.stdout and "1 failed" in result.stdout
    assert "malformed feed" in result.stderr
    assert (tmp_path / "reports" / "changes.xml").exists()


def test_watch_rejects_bad_feed_lists(cli: Cli, tmp_path: Path) -> None:
    listing = tmp_path / "feeds.txt"
    listing.write_text("ftp://example.com/feed\n")
    result = cli("watch", str(listing), "--once")
    assert (result.code, result.stderr) == (
        1,
        f"Error: {listing}: 'ftp://example.com/feed' is not an http(s) URL\n",
    )
    assert cli("watch", str(listing), "--interval", "soon").code == 1


def test_export_of_fetched_stories_keeps_the_pages(site: Site, cli: Cli, tmp_path: Path) -> None:
    import subprocess

    build(site)
    cli("fetch", f"{site.base}/story-d")
    cli("fetch", f"{site.base}/story-d")
    exported = cli("export", "--all").stdout
    assert exported.count('"page_base64"') == 2
    copy = Cli(tmp_path / "copy", cli.runner)
    assert copy("import", "-", input=exported).code == 0
    story = _id(f"{site.base}/story-d")

    def commits(path: Path) -> str:
        return subprocess.run(
            ["git", "-C", str(path), "rev-list", f"refs/stories/{story}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout

    assert commits(tmp_path / "copy") == commits(cli.archive)
    assert copy("reextract", f"{story}@2").code == 0
