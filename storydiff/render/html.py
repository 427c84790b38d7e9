"""HTML pages: change pages, story timelines, version texts and the archive index.

Pages are jinja2 templates with autoescape on; nothing derived from an article is marked
safe. Every page is one self-contained file: inline CSS, no script at all (the view switch
is a pair of radio buttons, folding uses ``<details>``), and a Content-Security-Policy that
forbids scripts and every request, so even a missed escape could not run or fetch anything.

This module arranges data for the templates (rows, links, chart coordinates); it computes
nothing about the diff itself.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ..compare import ParagraphChange, StoryDiff
from ..inline import Span
from ..model import Version, format_time
from ..notes import describe_claim
from . import Fold, RenderOptions, compact_numbers, fold_unchanged

if TYPE_CHECKING:
    import jinja2

#: Unchanged paragraphs shown beside each change before the rest fold away.
PAGE_CONTEXT = 1


@cache
def environment() -> jinja2.Environment:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("storydiff", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["time"] = lambda moment: format_time(moment) if moment else ""
    env.filters["numbers"] = compact_numbers
    env.filters["http_url"] = http_url
    return env


def http_url(url: str | None) -> str | None:
    """The URL if it is http(s) with a host, else None: only such links are shown."""
    if not url:
        return None
    parts = urlsplit(url)
    return url if parts.scheme in ("http", "https") and parts.netloc else None


# -- change pages ----------------------------------------------------------------------------


@dataclass
class Row:
    """One row of a change page: a paragraph (or a split/merge group) in both views."""

    kind: str
    old: tuple[int, ...] = ()
    new: tuple[int, ...] = ()
    spans: tuple[Span, ...] = ()
    old_text: str = ""
    new_text: str = ""
    edited: bool = False
    arrow: str = ""
    similarity: float | None = None
    old_paragraphs: list[list[Span]] = field(default_factory=list)
    new_paragraphs: list[list[Span]] = field(default_factory=list)
    inline_paragraphs: list[list[Span]] = field(default_factory=list)


@dataclass
class FoldRows:
    kind: str
    rows: list[Row]


@dataclass(frozen=True)
class PageLinks:
    """Where a page sits in a report folder, for its navigation links (None: standalone)."""

    index: str | None = None
    timeline: str | None = None
    previous: str | None = None
    next: str | None = None
    old_version: str | None = None
    new_version: str | None = None


def _paragraph_pieces(spans: tuple[Span, ...], side: str) -> list[list[Span]]:
    """The spans of one side, cut into paragraphs at newlines (splits and merges)."""
    keep = "delete" if side == "old" else "insert"
    paragraphs: list[list[Span]] = [[]]
    for span in spans:
        if span.op not in ("equal", keep):
            continue
        if not span.text.strip():
            span = Span("equal", span.text)  # a changed space or break is layout, not text
        for number, piece in enumerate(span.text.split("\n")):
            if number:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append(Span(span.op, piece))
    return paragraphs


def _inline_pieces(spans: tuple[Span, ...]) -> list[list[Span]]:
    """All spans, cut into the new version's paragraphs.

    A whitespace-only change is layout, not text: a deleted break or space disappears and
    an inserted one is plain whitespace or, with a newline, a new paragraph.
    """
    paragraphs: list[list[Span]] = [[]]
    for span in spans:
        if not span.text.strip():
            if span.op == "delete":
                continue
            span = Span("equal", span.text)
        if span.op == "delete":
            paragraphs[-1].append(Span("delete", span.text.replace("\n", " ")))
            continue
        for number, piece in enumerate(span.text.split("\n")):
            if number:
                paragraphs.append([])
            if piece:
                paragraphs[-1].append(Span(span.op, piece))
    return [paragraph for paragraph in paragraphs if paragraph]


def _row(change: ParagraphChange, diff: StoryDiff) -> Row:
    old_article, new_article = diff.old.article, diff.new.article
    row = Row(
        kind=change.op,
        old=change.old,
        new=change.new,
        spans=change.spans,
        edited=change.edited,
        similarity=change.similarity,
        old_text=" ".join(old_article.paragraph(n) for n in change.old),
        new_text=" ".join(new_article.paragraph(n) for n in change.new),
    )
    if change.op == "move":
        row.arrow = "↓" if change.new[0] > change.old[0] else "↑"
    if change.spans:
        row.old_paragraphs = _paragraph_pieces(change.spans, "old")
        row.new_paragraphs = _paragraph_pieces(change.spans, "new")
        row.inline_paragraphs = _inline_pieces(change.spans)
    return row


def change_rows(diff: StoryDiff) -> list[Row | FoldRows]:
    """The page's rows in the new version's reading order, with the old place of every
    moved paragraph marked, and long unchanged runs folded."""
    origins: dict[int, list[int]] = {}
    for before, move_index in diff.move_origins:
        origins.setdefault(before, []).append(move_index)
    rows: list[Row | FoldRows] = []

    def add_origins(before: int) -> None:
        for move_index in origins.pop(before, []):
            move = diff.paragraphs[move_index]
            rows.append(
                Row(
                    kind="origin",
                    old=move.old,
                    new=move.new,
                    old_text=diff.old.article.paragraph(move.old[0]),
                    arrow="↓" if move.new[0] > move.old[0] else "↑",
                )
            )

    for item in fold_unchanged(diff.paragraphs, PAGE_CONTEXT):
        if isinstance(item, Fold):
            # Origins inside a folded run are shown before it: a move is never hidden.
            for index in range(item.start, item.start + len(item.changes)):
                add_origins(index)
            rows.append(FoldRows("fold", [_row(change, diff) for change in item.changes]))
            continue
        index, change = item
        add_origins(index)
        rows.append(_row(change, diff))
    for before in sorted(origins):
        add_origins(before)
    return rows


def _summary_bar(diff: StoryDiff) -> list[dict[str, Any]]:
    s = diff.summary
    parts = [
        ("edit", "edited", s.edit),
        ("insert", "added", s.insert),
        ("delete", "deleted", s.delete),
        ("move", "moved", s.move),
        ("split", "split", s.split),
        ("merge", "merged", s.merge),
        ("equal", "unchanged", s.equal),
    ]
    total = sum(count for _, _, count in parts) or 1
    return [
        {"kind": kind, "label": label, "count": count, "percent": round(100 * count / total, 2)}
        for kind, label, count in parts
    ]


def _claims(diff: StoryDiff) -> list[dict[str, Any]]:
    return [
        {
            "action": checked.claim.action,
            "subject": checked.claim.subject,
            "where": describe_claim(checked.claim),
            "anchor": checked.claim.ranges[0][0] if checked.claim.ranges else None,
            "verdict": checked.verdict,
            "evidence": checked.evidence,
        }
        for checked in diff.note.claims
    ]


def change_context(diff: StoryDiff, links: PageLinks | None = None) -> dict[str, Any]:
    old, new = diff.old, diff.new
    return {
        "diff": diff,
        "story": diff.story,
        "old": old,
        "new": new,
        "title_spans": diff.title_spans,
        "rows": change_rows(diff),
        "summary": diff.summary,
        "bar": _summary_bar(diff),
        "note": diff.note,
        "claims": _claims(diff),
        "links": links or PageLinks(),
        "url": http_url(new.article.meta.url),
    }


def render_change_page(diff: StoryDiff, links: PageLinks | None = None) -> str:
    return environment().get_template("change.html.j2").render(change_context(diff, links))


def render_html(diff: StoryDiff, options: RenderOptions) -> str:
    """Registry entry: a standalone change page (no links to other report pages)."""
    return render_change_page(diff)


# -- story timeline, version pages, index -------------------------------------------------------


@dataclass(frozen=True)
class TimelineEntry:
    """One version on a story's timeline, with what changed since the version before."""

    version: Version
    words: int
    diff: StoryDiff | None
    change_page: str | None
    version_page: str


def _chart(entries: Sequence[TimelineEntry]) -> dict[str, Any]:
    """Coordinates for the timeline's SVG: article length as a line, changes as bars."""
    width, height, pad = 640, 160, 24
    times = [entry.version.time.timestamp() for entry in entries]
    span = (max(times) - min(times)) or 1.0
    most_words = max(entry.words for entry in entries) or 1
    volumes = [
        (e.diff.summary.words_added + e.diff.summary.words_removed) if e.diff else 0
        for e in entries
    ]
    most_volume = max(volumes) or 1

    def x(index: int) -> float:
        if len(entries) == 1:
            return width / 2
        return round(pad + (width - 2 * pad) * (times[index] - min(times)) / span, 1)

    def y(words: int) -> float:
        return round(height - pad - (height - 2 * pad) * words / most_words, 1)

    points = [(x(i), y(entry.words)) for i, entry in enumerate(entries)]
    bars = [
        {
            "x": round(x(i) - 4, 1),
            "y": round(height - pad - (height / 3) * volume / most_volume, 1),
            "height": round((height / 3) * volume / most_volume, 1),
            "volume": volume,
        }
        for i, volume in enumerate(volumes)
    ]
    return {
        "width": width,
        "height": height,
        "baseline": height - pad,
        "polyline": " ".join(f"{px},{py}" for px, py in points),
        "points": [
            {"x": px, "y": py, "entry": entry}
            for (px, py), entry in zip(points, entries, strict=True)
        ],
        "bars": bars,
        "most_words": most_words,
    }


def render_timeline(story: str, entries: Sequence[TimelineEntry], links: PageLinks) -> str:
    return (
        environment()
        .get_template("timeline.html.j2")
        .render(
            story=story,
            entries=entries,
            latest=entries[-1].version,
            chart=_chart(entries),
            links=links,
            url=http_url(entries[-1].version.article.meta.url),
        )
    )


def render_version_page(version: Version, count: int, links: PageLinks) -> str:
    return (
        environment()
        .get_template("version.html.j2")
        .render(
            version=version,
            article=version.article,
            count=count,
            links=links,
            url=http_url(version.article.meta.url),
        )
    )


@dataclass(frozen=True)
class IndexEntry:
    story: str
    headline: str
    versions: int
    last_seen: datetime
    undisclosed: int
    href: str


def render_index(entries: Sequence[IndexEntry]) -> str:
    ordered = sorted(entries, key=lambda e: (-e.last_seen.timestamp(), e.story))
    return environment().get_template("index.html.j2").render(entries=ordered)
