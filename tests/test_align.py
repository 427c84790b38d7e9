from __future__ import annotations

import tomllib
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storydiff.align import align, content_words, dice
from storydiff.compare import Side, compare
from storydiff.inline import new_text, old_text
from storydiff.model import Article
from storydiff.reader import normalize_paragraph

from .conftest import DATA

CASES = tomllib.loads((DATA / "alignment_cases.toml").read_text(encoding="utf-8"))["case"]


def _expected(op: list[Any]) -> tuple[Any, ...]:
    name, old, new, *rest = op
    return (name, tuple(old), tuple(new), *(rest or ([False] if name == "move" else [])))


def _actual(old: list[str], new: list[str]) -> list[tuple[Any, ...]]:
    result = []
    for op in align(old, new):
        item: tuple[Any, ...] = (op.op, op.old, op.new)
        if op.op == "move":
            item += (op.edited,)
        result.append(item)
    return result


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_alignment_cases(case: dict[str, Any]) -> None:
    old = [normalize_paragraph(p) for p in case["old"]]
    new = [normalize_paragraph(p) for p in case["new"]]
    assert _actual(old, new) == [_expected(op) for op in case["ops"]]


def test_similarity_of_heavy_rewrite_and_unrelated_paragraph() -> None:
    original = content_words("Prospects for a peace settlement are very remote, Aliyev said.")
    rewrite = content_words("Aliyev said the prospects of a peace settlement were remote.")
    unrelated = content_words("The Karabakh military said the front lines were unchanged.")
    assert dice(original, rewrite) > 0.6
    assert dice(original, unrelated) < 0.2


# -- properties -------------------------------------------------------------------------------

WORDS = [
    "Armenia",
    "Azerbaijan",
    "talks",
    "fighting",
    "Aliyev",
    "said",
    "the",
    "of",
    "ceasefire",
    "Pompeo",
    "Putin",
    "5,000",
    "Thursday",
    "region",
    "army",
    "hills",
]
paragraph = st.lists(st.sampled_from(WORDS), min_size=1, max_size=12).map(" ".join)
paragraphs = st.lists(paragraph, max_size=14)


@st.composite
def related_versions(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """An old version and a new one made from it by edits, moves, inserts and deletes."""
    old = draw(paragraphs)
    new = list(old)
    for _ in range(draw(st.integers(0, 6))):
        action = draw(st.sampled_from(["insert", "delete", "edit", "move", "split", "merge"]))
        if action == "insert" or not new:
            new.insert(draw(st.integers(0, len(new))), draw(paragraph))
            continue
        i = draw(st.integers(0, len(new) - 1))
        if action == "delete":
            del new[i]
        elif action == "edit":
            words = new[i].split()
            words[draw(st.integers(0, len(words) - 1))] = draw(st.sampled_from(WORDS))
            new[i] = " ".join(words)
        elif action == "move":
            new.insert(draw(st.integers(0, len(new) - 1)), new.pop(i))
        elif action == "split" and len(new[i].split()) > 1:
            words = new[i].split()
            cut = draw(st.integers(1, len(words) - 1))
            new[i : i + 1] = [" ".join(words[:cut]), " ".join(words[cut:])]
        elif action == "merge" and i + 1 < len(new):
            new[i : i + 2] = [new[i] + " " + new[i + 1]]
    return old, new


def _check_invariants(old: list[str], new: list[str]) -> None:
    ops = align(old, new)
    # Every paragraph of both sides is in exactly one operation.
    assert sorted(n for op in ops for n in op.old) == list(range(1, len(old) + 1))
    assert sorted(n for op in ops for n in op.new) == list(range(1, len(new) + 1))
    # Operations come in the new version's reading order.
    firsts = [op.new[0] for op in ops if op.new]
    assert firsts == sorted(firsts)
    # Applying the operations to the old version reproduces the new one.
    diff = compare(
        Side("old", Article("H", None, tuple(old))), Side("new", Article("H", None, tuple(new)))
    )
    rebuilt: list[str] = []
    for change in diff.paragraphs:
        if change.op in ("equal", "move") and not change.edited:
            assert [old[n - 1] for n in change.old] == [new[n - 1] for n in change.new]
            rebuilt += [old[n - 1] for n in change.old]
        elif change.op == "insert":
            rebuilt.append(new[change.new[0] - 1])
        elif change.op != "delete":
            assert old_text(list(change.spans)).split("\n") == [old[n - 1] for n in change.old]
            rebuilt += new_text(list(change.spans)).split("\n")
    assert rebuilt == new


@settings(max_examples=300, deadline=None)
@given(related_versions())
def test_alignment_invariants_on_related_versions(versions: tuple[list[str], list[str]]) -> None:
    _check_invariants(*versions)


@settings(max_examples=200, deadline=None)
@given(paragraphs, paragraphs)
def test_alignment_invariants_on_unrelated_versions(old: list[str], new: list[str]) -> None:
    _check_invariants(old, new)


@settings(max_examples=200, deadline=None)
@given(paragraphs)
def test_a_version_compared_with_itself_is_all_equal(texts: list[str]) -> None:
    ops = align(texts, texts)
    assert [(op.op, op.old, op.new) for op in ops] == [
        ("equal", (n,), (n,)) for n in range(1, len(texts) + 1)
    ]
