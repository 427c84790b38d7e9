"""Renderers: each formats a :class:`~storydiff.compare.StoryDiff` and computes nothing.

A small registry keyed by format name. Text renderers return styled segments
(``(text, style-name)`` pairs) so that the CLI decides how a style looks, or whether a pipe
gets no colour at all; document renderers return a string.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ..compare import ParagraphChange, StoryDiff

#: A piece of text and the name of its style: ``delete``, ``insert``, ``header``, ``fold``,
#: ``title``, ``meta``, ``summary``, ``good``, ``bad``, ``warn`` or ``plain``.
Segment = tuple[str, str]


@dataclass(frozen=True)
class RenderOptions:
    #: Unchanged paragraphs shown around each change (the rest are folded).
    context: int = 0


Renderer = Callable[[StoryDiff, RenderOptions], "str | list[Segment]"]


def renderers() -> dict[tuple[str, str], Renderer]:
    """The registry, keyed by (view, format). Imported on demand: a command loads only what
    it renders."""
    from .html import render_html
    from .json import render_check_json, render_json
    from .terminal import render_check_terminal, render_terminal

    return {
        ("diff", "text"): render_terminal,
        ("diff", "json"): render_json,
        ("diff", "html"): render_html,
        ("check", "text"): render_check_terminal,
        ("check", "json"): render_check_json,
    }


def render(
    diff: StoryDiff, format_name: str, options: RenderOptions | None = None, view: str = "diff"
) -> str | list[Segment]:
    try:
        renderer = renderers()[view, format_name]
    except KeyError:
        raise ValueError(f"no {view} renderer for format {format_name!r}") from None
    return renderer(diff, options or RenderOptions())


def compact_numbers(numbers: Sequence[int]) -> str:
    """Paragraph numbers as people write them.

    >>> compact_numbers([13, 14, 15, 18])
    '13–15, 18'
    """
    runs: list[list[int]] = []
    for number in numbers:
        if runs and number == runs[-1][-1] + 1:
            runs[-1].append(number)
        else:
            runs.append([number])
    return ", ".join(f"{r[0]}–{r[-1]}" if len(r) > 1 else str(r[0]) for r in runs)


@dataclass(frozen=True)
class Fold:
    """A run of unchanged paragraphs a view folds away, from ``changes[start]`` on."""

    start: int
    changes: tuple[ParagraphChange, ...]


def fold_unchanged(
    changes: tuple[ParagraphChange, ...], context: int
) -> list[tuple[int, ParagraphChange] | Fold]:
    """The changes in order, with runs of unchanged paragraphs more than ``context`` away
    from any change folded. Each shown change keeps its index into ``changes``."""
    shown: set[int] = set()
    for index, change in enumerate(changes):
        if change.op != "equal":
            shown.update(range(max(0, index - context), min(len(changes), index + context + 1)))
    items: list[tuple[int, ParagraphChange] | Fold] = []
    run: list[ParagraphChange] = []
    for index, change in enumerate(changes):
        if change.op == "equal" and index not in shown:
            run.append(change)
            continue
        if run:
            items.append(Fold(index - len(run), tuple(run)))
            run = []
        items.append((index, change))
    if run:
        items.append(Fold(len(changes) - len(run), tuple(run)))
    return items
