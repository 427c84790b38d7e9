"""The diff for a terminal or a pipe: styled segments, marked so they read without colour.

Deletions read ``[-like this-]`` and insertions ``{+like this+}`` (as ``git diff
--word-diff``); the CLI adds colour only when the output is a terminal.
"""

from __future__ import annotations

from ..compare import ParagraphChange, Side, StoryDiff
from ..inline import Span
from ..model import format_time
from ..notes import CheckedClaim, describe_claim
from . import Fold, RenderOptions, Segment, compact_numbers, fold_unchanged

_OP_LABELS = {
    "edit": "edited",
    "insert": "added",
    "delete": "deleted",
    "move": "moved",
    "split": "split",
    "merge": "merged",
}


def render_terminal(diff: StoryDiff, options: RenderOptions) -> list[Segment]:
    out: list[Segment] = []
    out += [(f"{_describe(diff.old)} → {_describe(diff.new)}", "title"), ("\n", "plain")]
    if diff.summary.title_changed:
        out.append(("headline: ", "meta"))
        out += _spans(diff.title_spans, indent="")
    else:
        out += [("headline: ", "meta"), (diff.new.article.headline, "plain")]
    out.append(("\n", "plain"))
    old_note, new_note = diff.old.article.note, diff.new.article.note
    if old_note != new_note:
        out += [("note was: ", "meta"), (old_note or "(none)", "delete" if old_note else "meta")]
        out += [("\n", "plain"), ("note now: ", "meta")]
        out += [(new_note or "(none)", "insert" if new_note else "meta"), ("\n", "plain")]
    elif new_note:
        out += [("note: ", "meta"), (new_note, "plain"), ("\n", "plain")]
    out += note_check_block(diff)
    for block in _blocks(diff, options.context):
        out.append(("\n", "plain"))
        out += block
    out += [("\n", "plain"), (summary_line(diff), "summary"), ("\n", "plain")]
    return out


def render_check_terminal(diff: StoryDiff, options: RenderOptions) -> list[Segment]:
    """Only the note check: ``storydiff check``."""
    out: list[Segment] = [(f"{_describe(diff.old)} → {_describe(diff.new)}", "title")]
    out.append(("\n", "plain"))
    block = note_check_block(diff)
    if not block:
        return [*out, ("no note to check and no substantive change", "meta"), ("\n", "plain")]
    return out + block


def note_check_block(diff: StoryDiff) -> list[Segment]:
    """``✓ paragraph 13 onward: further comments by Aliyev — confirmed (13–15)`` lines."""
    check = diff.note
    out: list[Segment] = []
    for checked in check.claims:
        out += _claim_line(checked)
    if check.undisclosed:
        noun = "paragraph" if len(check.undisclosed) == 1 else "paragraphs"
        if check.changed and check.raw:
            what = (
                "the note does not mention it"
                if len(check.undisclosed) == 1
                else ("the note does not mention them")
            )
        else:
            what = "and the update note did not change" if check.raw else "with no update note"
        out += [
            ("  ! ", "bad"),
            (f"undisclosed: {noun} {compact_numbers(check.undisclosed)} changed; {what}", "bad"),
            ("\n", "plain"),
        ]
    if check.undisclosed_deleted:
        noun = "paragraph" if len(check.undisclosed_deleted) == 1 else "paragraphs"
        out += [
            ("  ! ", "bad"),
            (
                f"undisclosed: old {noun} {compact_numbers(check.undisclosed_deleted)} deleted",
                "bad",
            ),
            ("\n", "plain"),
        ]
    if check.undisclosed_headline:
        out += [("  ! ", "bad"), ("undisclosed: the headline changed", "bad"), ("\n", "plain")]
    if out:
        out.insert(0, ("note check:\n", "meta"))
    return out


_MARKS = {"confirmed": ("✓", "good"), "not_found": ("✗", "bad"), "unverifiable": ("?", "warn")}


def _claim_line(checked: CheckedClaim) -> list[Segment]:
    mark, style = _MARKS[checked.verdict]
    claim = checked.claim
    verdict = checked.verdict.replace("_", " ")
    if checked.evidence:
        verdict += f" ({compact_numbers(checked.evidence)})"
    subject = f": {claim.subject}" if claim.subject else ""
    return [
        (f"  {mark} ", style),
        (f"{describe_claim(claim)}{subject} [{claim.action}] — ", "plain"),
        (verdict, style),
        ("\n", "plain"),
    ]


def summary_line(diff: StoryDiff) -> str:
    """``3 edited, 6 added, 1 moved, 0 deleted; +412 −38 words; headline changed``."""
    s = diff.summary
    if not s.changed:
        return "no changes"
    parts = [f"{s.edit} edited", f"{s.insert} added", f"{s.move} moved", f"{s.delete} deleted"]
    if s.split:
        parts.append(f"{s.split} split")
    if s.merge:
        parts.append(f"{s.merge} merged")
    line = ", ".join(parts) + f"; +{s.words_added} −{s.words_removed} words"
    if s.title_changed:
        line += "; headline changed"
    if s.note_changed:
        line += "; note changed"
    return line


def _describe(side: Side) -> str:
    return f"{side.label} ({format_time(side.time)})" if side.time else side.label


def _blocks(diff: StoryDiff, context: int) -> list[list[Segment]]:
    """One block per shown paragraph or folded run, in the new version's reading order."""
    return [
        _fold(len(item.changes)) if isinstance(item, Fold) else _paragraph(item[1], diff)
        for item in fold_unchanged(diff.paragraphs, context)
    ]


def _fold(count: int) -> list[Segment]:
    noun = "paragraph" if count == 1 else "paragraphs"
    return [(f"… {count} unchanged {noun} …", "fold"), ("\n", "plain")]


def _numbers(numbers: tuple[int, ...]) -> str:
    return ", ".join(str(n) for n in numbers) if numbers else "–"


def _paragraph(change: ParagraphChange, diff: StoryDiff) -> list[Segment]:
    header = f"¶ {_numbers(change.old)} → {_numbers(change.new)}"
    if change.op == "equal":
        text = diff.new.article.paragraph(change.new[0])
        return [(header + "  ", "meta"), (text, "plain"), ("\n", "plain")]
    label = _OP_LABELS[change.op]
    if change.op == "move":
        label += " ↓" if change.new[0] > change.old[0] else " ↑"
        if change.edited:
            label += ", edited"
    if change.similarity is not None and (change.op != "move" or change.edited):
        label += f" (similarity {change.similarity:.2f})"
    out: list[Segment] = [(header + "  ", "header"), (label, "header"), ("\n", "plain")]
    if change.op == "insert":
        out += _spans((Span("insert", diff.new.article.paragraph(change.new[0])),))
    elif change.op == "delete":
        out += _spans((Span("delete", diff.old.article.paragraph(change.old[0])),))
    elif change.spans:
        out += _spans(change.spans)
    else:
        out += [("  ", "plain"), (diff.new.article.paragraph(change.new[0]), "plain")]
    out.append(("\n", "plain"))
    return out


def _spans(spans: tuple[Span, ...], indent: str = "  ") -> list[Segment]:
    """Spans with their markers; a newline (a split or merge boundary) starts a new line.

    Changes of whitespace alone (the space that became a paragraph break in a split) are
    shown as the whitespace itself, without markers: ``[- -]`` would only be noise.
    """
    out: list[Segment] = [(indent, "plain")]
    for span in spans:
        if not span.text.strip():
            if span.op != "delete":
                out.append((span.text.replace("\n", "\n" + indent), "plain"))
            continue
        for line_number, piece in enumerate(span.text.split("\n")):
            if line_number:
                out.append(("\n" + indent, "plain"))
            if not piece:
                continue
            if span.op == "equal":
                out.append((piece, "plain"))
            elif span.op == "delete":
                out.append((f"[-{piece}-]", "delete"))
            else:
                out.append((f"{{+{piece}+}}", "insert"))
    return out
