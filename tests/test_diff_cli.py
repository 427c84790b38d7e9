from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from .conftest import SEED_STORY, STORY, Cli, Golden

V1, V2, V3 = (str(SEED_STORY / f"v{n}.txt") for n in (1, 2, 3))


def test_seed_update_golden_json(seeded: Cli, golden: Golden) -> None:
    result = seeded("diff", STORY, "1", "2", "--format", "json")
    assert result.code == 0
    document: Any = result.json()
    assert document["schema"] == "storydiff.diff/1"
    ops = [(p["op"], p["old"], p["new"]) for p in document["paragraphs"]]
    assert ops == [("equal", [n], [n]) for n in range(1, 13)] + [
        ("insert", [], [n]) for n in range(13, 19)
    ]
    assert document["summary"]["insert"] == 6
    golden.check_json("diff-v1-v2.json", document)


def test_seed_correction_golden_json(seeded: Cli, golden: Golden) -> None:
    document: Any = seeded("diff", STORY, "--format", "json").json()
    [edit] = [p for p in document["paragraphs"] if p["op"] != "equal"]
    assert (edit["op"], edit["old"], edit["new"]) == ("edit", [12], [12])
    assert {"op": "delete", "text": "Armenia"} in edit["spans"]
    assert {"op": "insert", "text": "Azerbaijan"} in edit["spans"]
    assert (document["old"]["version"], document["new"]["version"]) == (2, 3)
    golden.check_json("diff-v2-v3.json", document)


def test_terminal_diff(seeded: Cli, golden: Golden) -> None:
    result = seeded("diff", STORY, "2", "3")
    assert "support [-Armenia-]{+Azerbaijan+} “to the end”" in result.stdout
    assert "… 11 unchanged paragraphs …" in result.stdout
    assert result.stdout.rstrip().endswith(
        "1 edited, 0 added, 0 moved, 0 deleted; +1 −1 words; note changed"
    )
    golden.check("diff-v2-v3.txt", result.stdout)


def test_context_shows_neighbouring_paragraphs(seeded: Cli) -> None:
    result = seeded("diff", STORY, "2", "3", "--context", "1")
    assert "… 10 unchanged paragraphs …" in result.stdout
    assert "¶ 11 → 11  Russia is the dominant player" in result.stdout
    assert "¶ 13 → 13  On Thursday, Aliyev vowed" in result.stdout


@pytest.mark.parametrize(
    ("args", "number"),
    [
        ([], (2, 3)),
        (["1"], (1, 3)),
        (["1", "3"], (1, 3)),
        (["-1", "latest"], (2, 3)),
        (["2020-10-23T12:00", "1"], (2, 1)),
    ],
)
def test_version_arguments(seeded: Cli, args: list[str], number: tuple[int, int]) -> None:
    # A negative version looks like an option: it comes after "--", as in git.
    document: Any = seeded("diff", STORY, "-f", "json", "--", *args).json()
    assert (document["old"]["version"], document["new"]["version"]) == number


def test_exit_code_flag(seeded: Cli) -> None:
    assert seeded("diff", STORY).code == 0
    assert seeded("diff", STORY, "--exit-code").code == 1
    assert seeded("diff", STORY, "3", "3", "--exit-code").code == 0
    assert seeded("diff", STORY, "3", "3").stdout.rstrip().endswith("no changes")


def test_compare_files_without_archive(cli: Cli, archive_path: Path) -> None:
    result = cli("compare", V1, V2)
    assert result.code == 0
    assert result.stdout.startswith(f"{V1} → {V2}\n")
    assert "0 edited, 6 added, 0 moved, 0 deleted; +161 −0 words; note changed" in result.stdout
    assert not archive_path.exists()
    document: Any = cli("compare", V2, V3, "--format", "json").json()
    assert document["old"]["version"] is None and document["old"]["label"] == V2


def test_compare_same_file_exit_code(cli: Cli) -> None:
    assert cli("compare", V2, V2, "--exit-code").code == 0
    assert cli("compare", V1, V2, "--exit-code").code == 1


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["diff", "nope"], "Error: no story 'nope' in the archive"),
        (["diff", STORY, "7"], f"Error: story '{STORY}' has no version 7 (it has 3 versions)"),
        (
            ["diff", STORY, "x"],
            f"Error: invalid version '{STORY}@x': after '@' give a number "
            "(1, -1), 'latest' or a time such as 2020-10-23T09:00",
        ),
        (["compare", "missing.txt", V1], "Error: missing.txt: no such file"),
    ],
)
def test_diff_errors(seeded: Cli, args: list[str], message: str) -> None:
    result = seeded(*args)
    assert (result.code, result.stderr) == (1, message + "\n")


def test_diff_of_a_single_version_story(cli: Cli) -> None:
    cli("archive", V1)
    result = cli("diff", STORY)
    assert (result.code, result.stderr) == (
        1,
        f"Error: story '{STORY}' has only one version: nothing to compare yet\n",
    )


def test_split_and_moved_edit_render(cli: Cli, golden: Golden) -> None:
    folder = Path(__file__).parent / "data" / "compare"
    old, new = str(folder / "split-move-old.txt"), str(folder / "split-move-new.txt")
    text = cli("compare", old, new).stdout.replace(str(folder) + "/", "")
    assert "¶ 2 → 2, 3  split" in text
    assert "[- -]" not in text  # the space that became a paragraph break is not noise
    assert "¶ 3 → 6  moved ↓, edited (similarity 0.93)" in text
    assert "Putin said {+on Friday +}the total death toll" in text
    golden.check("compare-split-move.txt", text)
    document: Any = cli("compare", old, new, "-f", "json").json()
    ops = [(p["op"], p["old"], p["new"]) for p in document["paragraphs"]]
    assert ops == [
        ("equal", [1], [1]),
        ("split", [2], [2, 3]),
        ("equal", [4], [4]),
        ("equal", [5], [5]),
        ("move", [3], [6]),
    ]
