"""Renderers: each formats a :class:`~storydiff.compare.StoryDiff` and computes nothing.

A small registry keyed by format name. Text renderers return styled segments
(``(text, style-name)`` pairs) so that the CLI decides how a style looks, or whether a pipe
gets no colour at all; document renderers return a string.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ..compare import StoryDiff

#: A piece of text and the name of its style: ``delete``, ``insert``, ``header``, ``fold``,
#: ``title``, ``meta``, ``summary`` or ``plain``.
Segment = tuple[str, str]


@dataclass(frozen=True)
class RenderOptions:
    #: Unchanged paragraphs shown around each change (the rest are folded).
    context: int = 0


Renderer = Callable[[StoryDiff, RenderOptions], "str | list[Segment]"]


def renderers() -> dict[str, Renderer]:
    """The registry. Imported on demand so that a command loads only what it renders."""
    from .json import render_json
    from .terminal import render_terminal

    return {"text": render_terminal, "json": render_json}


def render(
    diff: StoryDiff, format_name: str, options: RenderOptions | None = None
) -> str | list[Segment]:
    try:
        renderer = renderers()[format_name]
    except KeyError:
        raise ValueError(f"no renderer for format {format_name!r}") from None
    return renderer(diff, options or RenderOptions())
