"""Word-level diffs inside a paragraph, with diff-match-patch.

Each word, run of whitespace and punctuation mark is mapped to one character, the encoded
strings are diffed and semantically cleaned up, then decoded. A changed word is therefore
always replaced whole: ``Tuesday`` → ``Wednesday`` never reads ``[-Tu-]{+Wedn+}esday``.
There is no time limit, so the same input always gives the same output on any machine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

SpanOp = Literal["equal", "delete", "insert"]

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")
# Token codes start past the Basic Multilingual Plane, clear of surrogates; Python strings
# hold such characters as one code point each, which is all diff-match-patch needs.
_FIRST_CODE = 0x10000


@dataclass(frozen=True)
class Span:
    """A run of text that both sides share (``equal``), only the old has, or only the new."""

    op: SpanOp
    text: str


def tokenize(text: str) -> list[str]:
    """Split text into words, whitespace runs and single punctuation marks.

    >>> tokenize("U.S.-sponsored talks, 12")
    ['U', '.', 'S', '.', '-', 'sponsored', ' ', 'talks', ',', ' ', '12']
    """
    return _TOKEN.findall(text)


def count_words(text: str) -> int:
    """Words as storydiff counts them for ``words_added``/``words_removed``.

    >>> count_words("“very remote”, Aliyev said.")
    4
    """
    return len(_WORD.findall(text))


def word_diff(old: str, new: str) -> list[Span]:
    """Diff two texts word by word.

    >>> [(s.op, s.text) for s in word_diff("Prospects are very remote", "Prospects are dim")]
    [('equal', 'Prospects are '), ('delete', 'very remote'), ('insert', 'dim')]
    >>> [(s.op, s.text) for s in word_diff("on Tuesday", "on Wednesday")]
    [('equal', 'on '), ('delete', 'Tuesday'), ('insert', 'Wednesday')]
    """
    from diff_match_patch import diff_match_patch

    if old == new:
        return [Span("equal", old)] if old else []
    codes: dict[str, str] = {}
    tokens: list[str] = []

    def encode(text: str) -> str:
        encoded = []
        for token in tokenize(text):
            code = codes.get(token)
            if code is None:
                code = chr(_FIRST_CODE + len(tokens))
                codes[token] = code
                tokens.append(token)
            encoded.append(code)
        return "".join(encoded)

    old_codes, new_codes = encode(old), encode(new)
    engine = diff_match_patch()
    engine.Diff_Timeout = 0  # no deadline: results must not depend on machine speed
    diffs = engine.diff_main(old_codes, new_codes, False)
    engine.diff_cleanupSemantic(diffs)
    ops: dict[int, SpanOp] = {0: "equal", -1: "delete", 1: "insert"}
    spans = [
        Span(ops[op], "".join(tokens[ord(code) - _FIRST_CODE] for code in text))
        for op, text in diffs
        if text
    ]
    return _tidy(spans)


def _tidy(spans: list[Span]) -> list[Span]:
    """Merge neighbours of the same kind and put each deletion before its insertion."""
    merged: list[Span] = []
    for span in spans:
        if merged and merged[-1].op == span.op:
            merged[-1] = Span(span.op, merged[-1].text + span.text)
        elif (
            len(merged) >= 2
            and span.op == "delete"
            and merged[-1].op == "insert"
            and merged[-2].op == "delete"
        ):
            merged[-2] = Span("delete", merged[-2].text + span.text)
        else:
            merged.append(span)
    ordered: list[Span] = []
    for span in merged:
        if span.op == "delete" and ordered and ordered[-1].op == "insert":
            ordered.insert(len(ordered) - 1, span)
        else:
            ordered.append(span)
    return ordered


def old_text(spans: list[Span]) -> str:
    """The old side of a diff: its equal and deleted text."""
    return "".join(span.text for span in spans if span.op != "insert")


def new_text(spans: list[Span]) -> str:
    """The new side of a diff: its equal and inserted text."""
    return "".join(span.text for span in spans if span.op != "delete")
