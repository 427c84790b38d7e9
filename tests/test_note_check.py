from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from storydiff.compare import Side, compare
from storydiff.model import Article
from storydiff.reader import read_article_file

from .conftest import SEED_STORY, STORY, Cli, Golden

V1, V2, V3 = (read_article_file(SEED_STORY / f"v{n}.txt") for n in (1, 2, 3))


def check(old: Article, new: Article) -> Any:
    return compare(Side("old", old), Side("new", new)).note


def stealth_v3() -> Article:
    """v3 that also changes a number in paragraph 7 without saying so."""
    paragraphs = list(V3.paragraphs)
    assert "nearing 5,000" in paragraphs[6]
    paragraphs[6] = paragraphs[6].replace("nearing 5,000", "nearing 6,000")
    return replace(V3, paragraphs=tuple(paragraphs))


def test_update_confirms_both_claims_with_nothing_undisclosed() -> None:
    note = check(V1, V2)
    assert [(c.verdict, c.evidence) for c in note.claims] == [
        ("confirmed", (13, 14, 15)),
        ("confirmed", (16, 17, 18)),
    ]
    assert note.undisclosed == ()
    assert note.passed


def test_correction_is_confirmed() -> None:
    note = check(V2, V3)
    [claim] = note.claims
    assert (claim.claim.action, claim.verdict, claim.evidence) == ("correct", "confirmed", (12,))
    assert note.undisclosed == () and note.passed


def test_stealth_edit_in_paragraph_7_is_undisclosed() -> None:
    note = check(V2, stealth_v3())
    assert [c.verdict for c in note.claims] == ["confirmed"]
    assert note.undisclosed == (7,)
    assert not note.passed


def test_unchanged_note_makes_every_change_undisclosed() -> None:
    edited = replace(V2, paragraphs=V2.paragraphs[:3] + ("A new paragraph.",) + V2.paragraphs[3:])
    note = check(V2, edited)
    assert (note.changed, note.claims, note.undisclosed) == (False, (), (4,))


def test_claim_with_no_change_in_its_range_is_not_found() -> None:
    claimed = replace(V3, note="(Corrects paragraph 5 to show the dispute began in 1994)")
    note = check(V2, claimed)
    assert [(c.verdict, c.evidence) for c in note.claims] == [("not_found", ())]
    assert note.undisclosed == (12,)


def test_unclaimed_headline_change_is_reported() -> None:
    retitled = replace(V3, headline="Fighting between Armenia, Azerbaijan dims hopes for talks")
    assert check(V2, retitled).undisclosed_headline
    claimed = replace(retitled, note="(Updates headline; corrects paragraph 12)")
    assert not check(V2, claimed).undisclosed_headline


def test_wire_prefix_change_is_not_a_headline_change() -> None:
    old = replace(V2, headline="UPDATE 1-" + V2.headline)
    new = replace(V2, headline="UPDATE 2-" + V2.headline, note="(Adds background)")
    diff = compare(Side("old", old), Side("new", new))
    assert not diff.summary.title_changed
    assert diff.note.prefix == "UPDATE 2-"


def test_unverifiable_claim_and_pure_moves() -> None:
    moved = list(V2.paragraphs)
    moved.append(moved.pop(1))  # paragraph 2 moves to the end: not substantive
    new = replace(V2, paragraphs=tuple(moved), note="(Recasts with Pompeo meeting)")
    note = check(V2, new)
    assert [c.verdict for c in note.claims] == ["unverifiable"]
    assert note.undisclosed == ()


def test_deleted_paragraph_without_claim_is_undisclosed() -> None:
    trimmed = replace(V2, paragraphs=V2.paragraphs[:6] + V2.paragraphs[7:])
    note = check(V2, trimmed)
    assert note.undisclosed_deleted == (7,)
    claimed = replace(trimmed, note="(Removes death toll in paragraph 7)")
    assert check(V2, claimed).undisclosed_deleted == ()


def test_check_command(seeded: Cli, golden: Golden) -> None:
    result = seeded("check", STORY, "1", "2")
    assert result.code == 0
    assert (
        "✓ paragraph 13 onward: further comments by Aliyev [update] — confirmed (13–15)"
        in result.stdout
    )
    golden.check("check-v1-v2.txt", result.stdout)
    document: Any = seeded("check", STORY, "--format", "json").json()
    assert document["schema"] == "storydiff.check/1" and document["passed"] is True
    golden.check_json("check-v2-v3.json", document)


def test_check_command_exits_1_on_stealth_edit(cli: Cli, tmp_path: Path) -> None:
    cli("archive", str(SEED_STORY / "v2.txt"))
    stealth = tmp_path / "v3-stealth.txt"
    stealth.write_text(
        (SEED_STORY / "v3.txt")
        .read_text(encoding="utf-8")
        .replace("nearing 5,000", "nearing 6,000"),
        encoding="utf-8",
    )
    cli("archive", str(stealth))
    result = cli("check", STORY)
    assert result.code == 1
    assert "! undisclosed: paragraph 7 changed; the note does not mention it" in result.stdout
    document: Any = cli("diff", STORY, "--format", "json").json()
    assert document["undisclosed"] == [7]
    assert document["note"]["claims"][0]["verdict"] == "confirmed"


@pytest.mark.parametrize(("old", "new"), [("1", "2"), ("2", "3")])
def test_diff_json_carries_the_note_check(seeded: Cli, old: str, new: str) -> None:
    document: Any = seeded("diff", STORY, old, new, "--format", "json").json()
    assert document["note"]["changed"] is True
    assert all(c["verdict"] == "confirmed" for c in document["note"]["claims"])
    assert document["undisclosed"] == []
