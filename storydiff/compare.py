"""Comparing two versions of a story: the diff, computed once into plain data.

:func:`compare` aligns the paragraphs, diffs words inside every changed paragraph and the
headline, and counts what changed. Renderers (terminal, JSON, HTML) only format the
resulting :class:`StoryDiff`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from .align import Op, align
from .ids import VersionRef
from .inline import Span, count_words, word_diff
from .model import Article, Version
from .notes import ChangedParagraphs, NoteCheck, check_note, split_wire_prefix


@dataclass(frozen=True)
class Side:
    """One side of a comparison: an archived version or a file."""

    label: str
    article: Article
    version: int | None = None
    time: datetime | None = None

    @classmethod
    def of_version(cls, version: Version) -> Side:
        return cls(
            label=f"{version.story}@{version.number}",
            article=version.article,
            version=version.number,
            time=version.time,
        )


@dataclass(frozen=True)
class ParagraphChange:
    """What happened to one paragraph, or to a group of them (splits and merges).

    ``old``/``new`` are 1-based editors' paragraph numbers. ``spans`` is the word diff for
    edits, edited moves, splits and merges; for splits and merges the paragraphs of each side
    are joined with a newline, so a newline in a span marks a paragraph break.
    """

    op: Op
    old: tuple[int, ...]
    new: tuple[int, ...]
    similarity: float | None = None
    edited: bool = False
    spans: tuple[Span, ...] = ()

    @property
    def substantive(self) -> bool:
        """True when words changed (not for unchanged or purely moved paragraphs)."""
        if self.op in ("equal",):
            return False
        if self.op == "move":
            return self.edited
        if self.op in ("split", "merge"):
            return any(span.op != "equal" and span.text.strip() for span in self.spans)
        return True


@dataclass(frozen=True)
class Summary:
    equal: int
    edit: int
    insert: int
    delete: int
    move: int
    split: int
    merge: int
    words_added: int
    words_removed: int
    title_changed: bool
    note_changed: bool

    @property
    def changed(self) -> bool:
        return bool(
            self.edit
            or self.insert
            or self.delete
            or self.move
            or self.split
            or self.merge
            or self.title_changed
            or self.note_changed
        )


@dataclass(frozen=True)
class StoryDiff:
    story: str | None
    old: Side
    new: Side
    title_spans: tuple[Span, ...]
    paragraphs: tuple[ParagraphChange, ...]
    summary: Summary
    note: NoteCheck
    #: Where each moved paragraph used to stand: (index into ``paragraphs`` before which its
    #: old place is, index of the move). Lets a view mark both ends of a move.
    move_origins: tuple[tuple[int, int], ...] = ()


def compare(old: Side, new: Side, story: str | None = None) -> StoryDiff:
    """Compare two sides: align paragraphs, diff words, count the changes."""
    old_paragraphs = old.article.paragraphs
    new_paragraphs = new.article.paragraphs
    changes = []
    added = removed = 0
    for op in align(old_paragraphs, new_paragraphs):
        spans: tuple[Span, ...] = ()
        if op.op in ("edit", "split", "merge") or (op.op == "move" and op.edited):
            spans = tuple(
                word_diff(
                    "\n".join(old_paragraphs[n - 1] for n in op.old),
                    "\n".join(new_paragraphs[n - 1] for n in op.new),
                )
            )
            added += sum(count_words(s.text) for s in spans if s.op == "insert")
            removed += sum(count_words(s.text) for s in spans if s.op == "delete")
        elif op.op == "insert":
            added += count_words(new_paragraphs[op.new[0] - 1])
        elif op.op == "delete":
            removed += count_words(old_paragraphs[op.old[0] - 1])
        changes.append(ParagraphChange(op.op, op.old, op.new, op.similarity, op.edited, spans))
    counts = {name: 0 for name in ("equal", "edit", "insert", "delete", "move", "split", "merge")}
    for change in changes:
        counts[change.op] += 1
    # Wire prefixes ("UPDATE 2-") change with every update; the headline is compared without.
    _, old_title = split_wire_prefix(old.article.headline)
    new_prefix, new_title = split_wire_prefix(new.article.headline)
    title_spans = tuple(word_diff(old_title, new_title))
    summary = Summary(
        **counts,
        words_added=added,
        words_removed=removed,
        title_changed=old_title != new_title,
        note_changed=old.article.note != new.article.note,
    )
    note = check_note(
        old.article.note,
        new.article.note,
        new_prefix,
        _changed_paragraphs(changes, old.article, new.article, summary.title_changed),
    )
    return StoryDiff(
        story, old, new, title_spans, tuple(changes), summary, note, _move_origins(changes)
    )


def _move_origins(changes: list[ParagraphChange]) -> tuple[tuple[int, int], ...]:
    origins = []
    for move_index, move in enumerate(changes):
        if move.op != "move":
            continue
        # The old place is before the first paragraph that stayed and came after it.
        before = next(
            (
                i
                for i, c in enumerate(changes)
                if c.op != "move" and c.old and c.old[0] > move.old[0]
            ),
            len(changes),
        )
        origins.append((before, move_index))
    return tuple(sorted(origins))


def _changed_paragraphs(
    changes: list[ParagraphChange], old: Article, new: Article, title_changed: bool
) -> ChangedParagraphs:
    changed = {n for change in changes if change.substantive for n in change.new}
    moved = {n for change in changes if change.op == "move" for n in change.new}
    deleted = []
    for index, change in enumerate(changes):
        if change.op == "delete":
            # A deletion stood before the next paragraph the new version still has.
            following = (c.new[0] for c in changes[index + 1 :] if c.new and c.op != "move")
            deleted.append((change.old[0], next(following, len(new.paragraphs) + 1)))
    return ChangedParagraphs(
        changed=frozenset(changed),
        moved=frozenset(moved),
        deleted=tuple(deleted),
        count=len(new.paragraphs),
        headline_changed=title_changed,
        byline_changed=old.meta.byline != new.meta.byline,
    )


def compare_versions(versions: Sequence[Version], old: VersionRef, new: VersionRef) -> StoryDiff:
    """Compare the two versions that ``old`` and ``new`` name in one story's history."""
    from .archive import select_version

    return compare(
        Side.of_version(select_version(versions, old)),
        Side.of_version(select_version(versions, new)),
        story=old.story,
    )
