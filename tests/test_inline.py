from __future__ import annotations

import tomllib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storydiff.inline import Span, new_text, old_text, word_diff

from .conftest import DATA

CASES = tomllib.loads((DATA / "inline_cases.toml").read_text(encoding="utf-8"))["case"]


def marked(spans: list[Span]) -> str:
    marks = {"equal": "{}", "delete": "[-{}-]", "insert": "{{+{}+}}"}
    return "".join(marks[span.op].format(span.text) for span in spans)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_word_diff_cases(case: dict[str, str]) -> None:
    assert marked(word_diff(case["old"], case["new"])) == case["marked"]


@settings(max_examples=300, deadline=None)
@given(st.text(), st.text())
def test_word_diff_reproduces_both_sides(old: str, new: str) -> None:
    spans = word_diff(old, new)
    assert old_text(spans) == old
    assert new_text(spans) == new
    assert all(span.text for span in spans)


def test_word_diff_is_deterministic_for_long_texts() -> None:
    old = " ".join(f"word{i % 97}" for i in range(5000))
    new = " ".join(f"word{(i * 7) % 101}" for i in range(5000))
    assert word_diff(old, new) == word_diff(old, new)


def test_long_texts_changed_at_both_ends_keep_word_level_changes() -> None:
    sentences = [f"Sentence {i} reports on the talks in region {i % 7}." for i in range(1500)]
    changed = list(sentences)
    changed[0] = changed[0].replace("talks", "fighting")
    changed[750] = changed[750].replace("region", "capital")
    changed[-1] = changed[-1].replace("reports", "said")
    spans = word_diff(" ".join(sentences), " ".join(changed))
    changes = [(s.op, s.text) for s in spans if s.op != "equal"]
    assert changes == [
        ("delete", "talks"),
        ("insert", "fighting"),
        ("delete", "region"),
        ("insert", "capital"),
        ("delete", "reports"),
        ("insert", "said"),
    ]


def test_long_unrelated_texts_are_replaced_whole() -> None:
    old = " ".join(f"alpha{i} beta{i}." for i in range(3000))
    new = " ".join(f"gamma{i} delta{i}." for i in range(3000))
    spans = word_diff(old, new)
    assert old_text(spans) == old and new_text(spans) == new
    assert len(spans) <= 4
