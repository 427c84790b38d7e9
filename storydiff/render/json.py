"""The diff as JSON: the ``storydiff.diff/1`` contract, documented in the README."""

from __future__ import annotations

import json
from typing import Any

from ..compare import ParagraphChange, Side, StoryDiff
from ..inline import Span
from ..model import format_time
from ..notes import NoteCheck, split_wire_prefix
from . import RenderOptions

SCHEMA = "storydiff.diff/1"


def spans_record(spans: tuple[Span, ...]) -> list[dict[str, str]]:
    return [{"op": span.op, "text": span.text} for span in spans]


def side_record(side: Side) -> dict[str, Any]:
    article = side.article
    return {
        "label": side.label,
        "version": side.version,
        "time": format_time(side.time) if side.time else None,
        "title": article.headline,
        "prefix": split_wire_prefix(article.headline)[0],
        "note": article.note,
        "paragraphs": len(article.paragraphs),
        "url": article.meta.url,
    }


def change_record(change: ParagraphChange, diff: StoryDiff) -> dict[str, Any]:
    record: dict[str, Any] = {"op": change.op, "old": list(change.old), "new": list(change.new)}
    if change.op == "move":
        record["edited"] = change.edited
    if change.similarity is not None and change.op != "equal":
        record["similarity"] = change.similarity
    if change.spans:
        record["spans"] = spans_record(change.spans)
    if change.op == "insert":
        record["text"] = diff.new.article.paragraph(change.new[0])
    if change.op == "delete":
        record["text"] = diff.old.article.paragraph(change.old[0])
    return record


def diff_document(diff: StoryDiff) -> dict[str, Any]:
    summary = diff.summary
    return {
        "schema": SCHEMA,
        "story": diff.story,
        "old": side_record(diff.old),
        "new": side_record(diff.new),
        "title": {"changed": summary.title_changed, "spans": spans_record(diff.title_spans)},
        "paragraphs": [change_record(change, diff) for change in diff.paragraphs],
        "note": note_record(diff.note),
        "undisclosed": list(diff.note.undisclosed),
        "undisclosed_deleted": list(diff.note.undisclosed_deleted),
        "undisclosed_headline": diff.note.undisclosed_headline,
        "summary": {
            "equal": summary.equal,
            "edit": summary.edit,
            "insert": summary.insert,
            "delete": summary.delete,
            "move": summary.move,
            "split": summary.split,
            "merge": summary.merge,
            "words_added": summary.words_added,
            "words_removed": summary.words_removed,
            "title_changed": summary.title_changed,
            "note_changed": summary.note_changed,
        },
    }


def note_record(note: NoteCheck) -> dict[str, Any]:
    return {
        "raw": note.raw,
        "changed": note.changed,
        "prefix": note.prefix,
        "claims": [
            {
                "action": checked.claim.action,
                "subject": checked.claim.subject,
                "ranges": [[start, end] for start, end in checked.claim.ranges],
                "targets": list(checked.claim.targets),
                "verdict": checked.verdict,
                "evidence": list(checked.evidence),
            }
            for checked in note.claims
        ],
    }


def check_document(diff: StoryDiff) -> dict[str, Any]:
    """Just the note check: ``storydiff check --format json``."""
    return {
        "schema": "storydiff.check/1",
        "story": diff.story,
        "old": side_record(diff.old),
        "new": side_record(diff.new),
        "passed": diff.note.passed,
        "note": note_record(diff.note),
        "undisclosed": list(diff.note.undisclosed),
        "undisclosed_deleted": list(diff.note.undisclosed_deleted),
        "undisclosed_headline": diff.note.undisclosed_headline,
    }


def render_check_json(diff: StoryDiff, options: RenderOptions) -> str:
    return json.dumps(check_document(diff), ensure_ascii=False, indent=2) + "\n"


def render_json(diff: StoryDiff, options: RenderOptions) -> str:
    return json.dumps(diff_document(diff), ensure_ascii=False, indent=2) + "\n"
