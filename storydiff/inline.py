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


#: Above this many cells (old tokens × new tokens) a diff is first aligned sentence by
#: sentence: diff-match-patch without a deadline costs time in proportion to the product
#: for unrelated texts (about 0.1 s at this size), and the bound must not be a clock. A
#: changed stretch still above it after sentence alignment is shown deleted and inserted.
MAX_DIFF_CELLS = 250_000

_SENTENCE_END = frozenset({".", "!", "?", "\n"})


def word_diff(old: str, new: str) -> list[Span]:
    """Diff two texts word by word.

    >>> [(s.op, s.text) for s in word_diff("Prospects are very remote", "Prospects are dim")]
    [('equal', 'Prospects are '), ('delete', 'very remote'), ('insert', 'dim')]
    >>> [(s.op, s.text) for s in word_diff("on Tuesday", "on Wednesday")]
    [('equal', 'on '), ('delete', 'Tuesday'), ('insert', 'Wednesday')]

    Very long, very different texts are aligned sentence by sentence first; a changed stretch
    still too long to diff word by word is shown deleted and inserted whole. The result
    depends only on the input, never on the machine's speed.
    """
    if old == new:
        return [Span("equal", old)] if old else []
    return _tidy(_diff_tokens(tokenize(old), tokenize(new), allow_sentences=True))


def _diff_tokens(old: list[str], new: list[str], *, allow_sentences: bool) -> list[Span]:
    prefix = 0
    limit = min(len(old), len(new))
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    middle_old = old[prefix : len(old) - suffix]
    middle_new = new[prefix : len(new) - suffix]
    spans = [Span("equal", "".join(old[:prefix]))]
    if not middle_old or not middle_new or len(middle_old) * len(middle_new) <= MAX_DIFF_CELLS:
        spans += _diff_match_patch(middle_old, middle_new)
    elif allow_sentences:
        spans += _diff_sentences(middle_old, middle_new)
    else:
        spans += [Span("delete", "".join(middle_old)), Span("insert", "".join(middle_new))]
    spans.append(Span("equal", "".join(old[len(old) - suffix :])))
    return [span for span in spans if span.text]


def _diff_match_patch(old: list[str], new: list[str]) -> list[Span]:
    """Diff token lists with diff-match-patch, one character standing for each token."""
    from diff_match_patch import diff_match_patch

    codes: dict[str, str] = {}
    tokens: list[str] = []

    def encode(items: list[str]) -> str:
        encoded = []
        for token in items:
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
    return [
        Span(_OPS[op], "".join(tokens[ord(code) - _FIRST_CODE] for code in text))
        for op, text in diffs
        if text
    ]


_OPS: dict[int, SpanOp] = {0: "equal", -1: "delete", 1: "insert"}


def _diff_sentences(old: list[str], new: list[str]) -> list[Span]:
    """Align whole sentences first, then diff words inside each changed stretch.

    Sentences are matched with difflib's SequenceMatcher, whose cost follows the number of
    matching sentences rather than the product of the lengths, so long unrelated texts stay
    cheap.
    """
    from difflib import SequenceMatcher

    old_sentences = ["".join(s) for s in _sentences(old)]
    new_sentences = ["".join(s) for s in _sentences(new)]
    matcher = SequenceMatcher(None, old_sentences, new_sentences, autojunk=True)
    spans: list[Span] = []
    for tag, old_lo, old_hi, new_lo, new_hi in matcher.get_opcodes():
        old_part = "".join(old_sentences[old_lo:old_hi])
        if tag == "equal":
            spans.append(Span("equal", old_part))
            continue
        new_part = "".join(new_sentences[new_lo:new_hi])
        spans += _diff_tokens(tokenize(old_part), tokenize(new_part), allow_sentences=False)
    return spans


def _sentences(tokens: list[str]) -> list[list[str]]:
    sentences: list[list[str]] = []
    current: list[str] = []
    for index, token in enumerate(tokens):
        current.append(token)
        ends = token in _SENTENCE_END or (token.isspace() and "\n" in token)
        following_space = index + 1 < len(tokens) and tokens[index + 1].isspace()
        if ends and (following_space or "\n" in token):
            sentences.append(current)
            current = []
    if current:
        sentences.append(current)
    return sentences


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
