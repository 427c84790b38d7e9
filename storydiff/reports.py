"""HTML reports of an archive: a timeline per story, a change page per update, the text of
every version, and an index of all stories.

Layout under the reports folder (``reports/`` by default)::

    index.html                     every story, most recently updated first
    <story-id>/index.html          the story's timeline
    <story-id>/v<N>.html           the full text of version N
    <story-id>/changes-<A>-<B>.html what changed from version A to version B

Re-running only re-renders stories whose history changed: ``.storydiff-reports.json``
records, for each story, the commit its ref pointed at when its pages were written, and a
fingerprint of the templates; a story whose ref still points there is skipped. The archive
stays the record: deleting the folder and re-running rebuilds everything.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from . import __version__
from .archive import Archive
from .compare import Side, StoryDiff, compare
from .errors import ArchiveError, InputError
from .inline import count_words
from .model import Version, format_time, parse_time

MANIFEST = ".storydiff-reports.json"
ProgressCallback = Callable[[int, int, str], None]


@dataclass(frozen=True)
class ReportResult:
    """What :func:`build_all` did: stories rendered and skipped as unchanged."""

    rendered: tuple[str, ...]
    skipped: int
    index: Path


def change_page_name(old: int, new: int) -> str:
    return f"changes-{old}-{new}.html"


def write_atomic(path: Path, text: str) -> None:
    """Write a file so that readers see the old or the new content, never a part."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(descriptor, "w", encoding="utf-8", newline="\n") as stream:
                stream.write(text)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError as error:
        raise ArchiveError(f"cannot write {path}: {error.strerror or error}") from None


def _story_folder(out: Path, story: str) -> Path:
    if story == "index.html":
        raise InputError("story id 'index.html' cannot be reported: it is the index's file name")
    return out / story


def _up(story: str) -> str:
    """From a story's folder back to the reports folder."""
    return "../" * (story.count("/") + 1)


def story_diffs(versions: Sequence[Version]) -> list[StoryDiff]:
    """The diff of every version against the one before it."""
    return [
        compare(Side.of_version(old), Side.of_version(new), story=new.story)
        for old, new in zip(versions, versions[1:], strict=False)
    ]


def undisclosed_count(diff: StoryDiff) -> int:
    note = diff.note
    return len(note.undisclosed) + len(note.undisclosed_deleted) + int(note.undisclosed_headline)


def build_story(archive: Archive, story: str, out: Path) -> dict[str, object]:
    """Write every page of one story; return its line of the index (as the manifest keeps it)."""
    from .render.html import (
        PageLinks,
        TimelineEntry,
        render_change_page,
        render_timeline,
        render_version_page,
    )

    folder = _story_folder(out, story)
    versions = archive.history(story)
    diffs = story_diffs(versions)
    up = _up(story)
    count = len(versions)
    for index, version in enumerate(versions):
        number = version.number
        links = PageLinks(
            index=f"{up}index.html",
            timeline="index.html",
            previous=f"v{number - 1}.html" if index else None,
            next=f"v{number + 1}.html" if index + 1 < count else None,
        )
        write_atomic(folder / f"v{number}.html", render_version_page(version, count, links))
    for index, diff in enumerate(diffs):
        old, new = versions[index].number, versions[index + 1].number
        links = PageLinks(
            index=f"{up}index.html",
            timeline="index.html",
            previous=change_page_name(old - 1, old) if index else None,
            next=change_page_name(new, new + 1) if index + 1 < len(diffs) else None,
            old_version=f"v{old}.html",
            new_version=f"v{new}.html",
        )
        write_atomic(folder / change_page_name(old, new), render_change_page(diff, links))
    entries = [
        TimelineEntry(
            version=version,
            words=sum(count_words(p) for p in version.article.paragraphs),
            diff=diffs[index - 1] if index else None,
            change_page=change_page_name(version.number - 1, version.number) if index else None,
            version_page=f"v{version.number}.html",
        )
        for index, version in enumerate(versions)
    ]
    timeline = render_timeline(story, entries, PageLinks(index=f"{up}index.html"))
    write_atomic(folder / "index.html", timeline)
    return {
        "headline": versions[-1].article.headline,
        "versions": count,
        "last_seen": format_time(versions[-1].time),
        "undisclosed": sum(undisclosed_count(diff) for diff in diffs),
    }


def write_comparison(diff: StoryDiff, path: Path) -> None:
    """Write the change page of any two versions of one story to ``path`` (standalone)."""
    from .render.html import render_change_page

    write_atomic(path, render_change_page(diff))


def _fingerprint() -> str:
    """Changes when storydiff or its templates change, so that reports are rebuilt."""
    digest = hashlib.sha256(__version__.encode())
    templates = resources.files("storydiff") / "templates"
    for entry in sorted(templates.iterdir(), key=lambda e: e.name):
        digest.update(entry.name.encode())
        digest.update(entry.read_bytes())
    return digest.hexdigest()[:16]


def _load_manifest(out: Path, fingerprint: str) -> dict[str, dict[str, object]]:
    try:
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("fingerprint") != fingerprint:
        return {}
    stories = manifest.get("stories")
    return stories if isinstance(stories, dict) else {}


def build_all(
    archive: Archive,
    out: Path,
    *,
    force: bool = False,
    progress: ProgressCallback | None = None,
) -> ReportResult:
    """Write reports for every story whose history changed since the last run, and the index."""
    from .render.html import IndexEntry, render_index

    fingerprint = _fingerprint()
    previous = {} if force else _load_manifest(out, fingerprint)
    summaries = list(archive.stories())
    stories: dict[str, dict[str, object]] = {}
    rendered = []
    for done, summary in enumerate(summaries, start=1):
        known = previous.get(summary.story)
        if known and known.get("tip") == summary.tip and (out / summary.story).is_dir():
            stories[summary.story] = known
        else:
            stories[summary.story] = {
                "tip": summary.tip,
                **build_story(archive, summary.story, out),
            }
            rendered.append(summary.story)
        if progress:
            progress(done, len(summaries), summary.story)
    index = out / "index.html"
    if rendered or not index.exists() or set(previous) != set(stories):
        entries = [
            IndexEntry(
                story=story,
                headline=str(info["headline"]),
                versions=int(str(info["versions"])),
                last_seen=parse_time(str(info["last_seen"])),
                undisclosed=int(str(info["undisclosed"])),
                href=f"{story}/index.html",
            )
            for story, info in stories.items()
        ]
        write_atomic(index, render_index(entries))
        write_changes_feed(archive, out)
        manifest = {"fingerprint": fingerprint, "stories": stories}
        write_atomic(out / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True) + "\n")
    return ReportResult(tuple(rendered), len(summaries) - len(rendered), index)


#: How many recent updates the Atom feed of changes lists.
CHANGES_FEED_ENTRIES = 50


def write_changes_feed(archive: Archive, out: Path, limit: int = CHANGES_FEED_ENTRIES) -> Path:
    """``changes.xml``: an Atom feed of the latest updates, each with its change summary, its
    note check and a link to its change page, so a feed reader shows what changed."""
    from .notes import describe_claim
    from .render.html import environment
    from .render.terminal import summary_line

    summaries = sorted(archive.stories(), key=lambda s: (s.last_seen, s.story), reverse=True)
    events = []
    for summary in summaries[:limit]:
        if summary.versions < 2:
            continue
        versions = archive.history(summary.story)
        for diff in story_diffs(versions[-limit:])[-limit:]:
            events.append(diff)
    events.sort(key=lambda d: (d.new.time, d.story or ""), reverse=True)
    entries = []
    for diff in events[:limit]:
        check = [
            f"{'✓' if c.verdict == 'confirmed' else '✗' if c.verdict == 'not_found' else '?'} "
            f"{describe_claim(c.claim)}: {c.claim.subject} — {c.verdict.replace('_', ' ')}"
            for c in diff.note.claims
        ]
        if diff.note.undisclosed:
            check.append(
                f"! undisclosed changes in paragraphs {', '.join(map(str, diff.note.undisclosed))}"
            )
        if diff.note.undisclosed_headline:
            check.append("! undisclosed headline change")
        story = diff.story or ""
        entries.append(
            {
                "story": story,
                "old": diff.old.version,
                "new": diff.new.version,
                "headline": diff.new.article.headline,
                "time": format_time(diff.new.time) if diff.new.time else "",
                "href": f"{story}/{change_page_name(diff.old.version or 0, diff.new.version or 0)}",
                "summary": summary_line(diff),
                "note": diff.new.article.note,
                "check": check,
            }
        )
    updated = entries[0]["time"] if entries else "1970-01-01T00:00:00Z"
    text = environment().get_template("changes.xml.j2").render(entries=entries, updated=updated)
    path = out / "changes.xml"
    write_atomic(path, text)
    return path
