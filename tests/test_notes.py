from __future__ import annotations

import tomllib
from typing import Any

import pytest

from storydiff.notes import Claim, Range, parse_note, split_wire_prefix

from .conftest import DATA

CASES = tomllib.loads((DATA / "notes.toml").read_text(encoding="utf-8"))["case"]


def _range(text: str) -> Range:
    if text.endswith("+"):
        return (int(text[:-1]), None)
    start, _, end = text.partition("-")
    return (int(start), int(end or start))


def _claim(data: dict[str, Any]) -> Claim:
    return Claim(
        action=data["action"],
        subject=data["subject"],
        ranges=tuple(_range(r) for r in data.get("ranges", [])),
        targets=tuple(data.get("targets", [])),
    )


def test_at_least_forty_notes() -> None:
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_note_parsing(case: dict[str, Any]) -> None:
    claims = parse_note(case["note"], case.get("paragraphs"))
    assert claims == [_claim(c) for c in case["claims"]]


PREFIXES = [
    ("UPDATE 2-Fighting dampens optimism", "UPDATE 2-", "Fighting dampens optimism"),
    (
        "CORRECTED-UPDATE 1-Fighting dampens optimism",
        "CORRECTED-UPDATE 1-",
        "Fighting dampens optimism",
    ),
    ("REFILE-Fighting dampens optimism", "REFILE-", "Fighting dampens optimism"),
    ("RPT-Fighting dampens optimism", "RPT-", "Fighting dampens optimism"),
    ("WRAPUP 1-Fighting dampens optimism", "WRAPUP 1-", "Fighting dampens optimism"),
    ("RPT-UPDATE 3-Fighting", "RPT-UPDATE 3-", "Fighting"),
    (
        "Fighting between Armenia, Azerbaijan dampens optimism",
        None,
        "Fighting between Armenia, Azerbaijan dampens optimism",
    ),
    ("U.S.-sponsored talks stall", None, "U.S.-sponsored talks stall"),
    ("UPDATE-", None, "UPDATE-"),
]


@pytest.mark.parametrize(("headline", "prefix", "rest"), PREFIXES)
def test_wire_prefixes(headline: str, prefix: str | None, rest: str) -> None:
    assert split_wire_prefix(headline) == (prefix, rest)
