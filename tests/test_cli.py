from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer.main
from typer.testing import CliRunner

from storydiff.cli import app

from .conftest import SEED_FILE, SEED_STORY, STORY, Cli, Golden


def test_archive_then_log(cli: Cli) -> None:
    first = cli("archive", str(SEED_STORY / "v1.txt"))
    assert first.code == 0
    assert first.stdout == (
        f"Archived {STORY} version 1 at 2020-10-23T08:10:00Z: 12 paragraphs (+12 −0)\n"
    )
    second = cli("archive", str(SEED_FILE), "--story", STORY, "--at", "2020-10-23T11:45:00Z")
    assert second.stdout == (
        f"Archived {STORY} version 2 at 2020-10-23T11:45:00Z: 18 paragraphs (+6 −0)\n"
    )
    log = cli("log", STORY)
    assert log.code == 0
    assert "2020-10-23T11:45:00Z" in log.stdout
    assert "(Updated with further comments" in log.stdout


def test_archiving_identical_text_says_so(seeded: Cli) -> None:
    again = seeded("archive", str(SEED_STORY / "v3.txt"))
    assert again.code == 0
    assert again.stdout == (
        f"Unchanged: {STORY} version 3 already has this text; nothing recorded\n"
    )


def test_archive_from_stdin(cli: Cli) -> None:
    text = (SEED_STORY / "v2.txt").read_bytes()
    result = cli("archive", "-", "--format", "json", input=text)
    assert result.code == 0
    document = result.json()
    assert isinstance(document, dict)
    assert (document["story"], document["created"], document["version"]) == (STORY, True, 1)
    assert document["paragraphs"] == 18


def test_json_documents_are_stable(seeded: Cli, golden: Golden) -> None:
    golden.check_json("log.json", seeded("log", STORY, "--format", "json").json())
    golden.check_json("show-v1.json", seeded("show", f"{STORY}@1", "--format", "json").json())
    golden.check_json("stories.json", seeded("stories", "--format", "json").json())


def test_show_numbers_paragraphs_as_editors_do(seeded: Cli, golden: Golden) -> None:
    result = seeded("show", f"{STORY}@2")
    assert result.code == 0
    assert "\n[13] On Thursday, Aliyev vowed" in result.stdout
    assert "\n[16] The Azeri Defence Ministry said" in result.stdout
    golden.check("show-v2.txt", result.stdout)


def test_show_latest_and_by_time(seeded: Cli) -> None:
    latest = seeded("show", STORY, "--format", "json").json()
    assert isinstance(latest, dict) and latest["version"] == 3
    at_noon = seeded("show", f"{STORY}@2020-10-23T12:00", "--format", "json").json()
    assert isinstance(at_noon, dict) and at_noon["version"] == 2


def test_log_text(seeded: Cli, golden: Golden) -> None:
    golden.check("log.txt", seeded("log", STORY).stdout)


def test_stories_text(seeded: Cli) -> None:
    result = seeded("stories")
    assert result.stdout.startswith(
        f"{STORY}  3 versions  2020-10-23T08:10:00Z → 2020-10-23T14:30:00Z  Fighting between"
    )


def test_init(cli: Cli, archive_path: Path) -> None:
    assert cli("init").stdout == f"Created an empty storydiff archive in {archive_path}\n"
    assert cli("init").stdout == f"{archive_path} is already an archive; nothing changed\n"
    assert cli("stories").stderr.startswith("The archive holds no stories yet")


ERRORS = [
    (["log", "nope"], "Error: no story 'nope' in the archive"),
    (["show", f"{STORY}@9"], f"Error: story '{STORY}' has no version 9 (it has 3 versions)"),
    (
        ["show", f"{STORY}@0"],
        f"Error: invalid version '{STORY}@0': versions are numbered from 1 "
        "(use -1 for the previous one)",
    ),
    (
        ["log", "../x"],
        "Error: invalid story id '../x': it must start with a lowercase letter or digit",
    ),
    (
        ["show", "a/../../b"],
        "Error: invalid story id 'a/../../b': no part between slashes may start or end with '.'",
    ),
    (["archive", "missing.txt", "-s", "x"], "Error: missing.txt: no such file"),
    (
        ["archive", str(SEED_FILE), "-s", "x.lock"],
        "Error: invalid story id 'x.lock': no part between slashes may end with '.lock'",
    ),
    (
        ["archive", str(SEED_FILE), "-s", "x", "--at", "soon"],
        "Error: --at 'soon' is not an ISO 8601 time such as 2020-10-23T08:10:00Z",
    ),
    (
        ["archive", str(SEED_FILE)],
        "Error: no story id: give one with --story, or a 'story:' or "
        "'url:' line in the front matter",
    ),
]


@pytest.mark.parametrize(("args", "message"), ERRORS, ids=[" ".join(a) for a, _ in ERRORS])
def test_errors_are_one_line_and_exit_1(seeded: Cli, args: list[str], message: str) -> None:
    before = seeded("log", STORY, "--format", "json").stdout
    result = seeded(*args)
    assert (result.code, result.stderr, result.stdout) == (1, message + "\n", "")
    assert seeded("log", STORY, "--format", "json").stdout == before


BAD_FILES = [
    ("empty.txt", b"", "empty.txt is empty"),
    ("blank.txt", b" \n \n", "blank.txt contains only whitespace"),
    (
        "image.png",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        "image.png looks like a binary file (it contains NUL bytes), not an article",
    ),
    ("latin1.txt", b"Caf\xe9\n", "latin1.txt is not valid UTF-8 (byte 0xe9 at offset 3)"),
]


@pytest.mark.parametrize(("name", "data", "message"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_files_write_nothing(
    cli: Cli, archive_path: Path, tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = tmp_path / name
    path.write_bytes(data)
    result = cli("archive", str(path), "--story", "x")
    assert (result.code, result.stderr) == (1, f"Error: {path.parent}/{message}\n")
    assert not archive_path.exists()


def test_huge_file_is_refused(cli: Cli, archive_path: Path, tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    path.write_bytes(b"word " * (1024 * 1024 + 1))
    result = cli("archive", str(path), "--story", "x")
    assert (result.code, result.stderr) == (
        1,
        f"Error: {path} is 5.0 MB; articles are limited to 5 MB\n",
    )
    assert not archive_path.exists()


def test_reading_a_missing_archive(cli: Cli, archive_path: Path) -> None:
    result = cli("stories")
    assert (result.code, result.stderr) == (
        1,
        f"Error: no archive at {archive_path} (create one with 'storydiff init {archive_path}')\n",
    )


def test_demo(workdir: Path, golden: Golden) -> None:
    cli = Cli(workdir / "unused", CliRunner())
    first = cli("demo")
    assert first.code == 0, first.stderr
    assert first.stdout.startswith(f"Archived 3 versions of {STORY} into demo-archive/\n")
    assert "v2  2020-10-23T11:45:00Z   18 ¶  +6 −0  (Updated with further comments" in first.stdout
    golden.check("demo.txt", first.stdout)
    again = cli("demo")  # replaces its own archive
    assert again.stdout == first.stdout
    (workdir / "mine").mkdir()
    (workdir / "mine" / "notes.txt").write_text("keep me")
    refused = cli("demo", "--archive", "mine")
    assert refused.code == 1
    assert refused.stderr == (
        "Error: mine exists and was not made by the demo; name another place with --archive\n"
    )
    assert (workdir / "mine" / "notes.txt").read_text() == "keep me"


def _commands() -> dict[str, Any]:
    # typer ships its own click; ask for its command objects, not the click package's.
    group = typer.main.get_command(app)
    return dict(group.commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", sorted(_commands()))
def test_every_command_has_help_with_an_example(cli: Cli, name: str) -> None:
    result = cli(name, "--help")
    assert result.code == 0
    assert "Example" in result.stdout


def test_the_installed_command_reports_errors_without_traceback(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "storydiff.cli", "log", "nope", "--archive", str(tmp_path / "a")],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "Traceback" not in result.stderr


def test_url_option_derives_the_story_id(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "plain.txt"
    path.write_text("Headline\n\nBody.\n")
    result = cli("archive", str(path), "--url", "https://www.example.com/World/Talks?utm_x=1")
    assert result.code == 0, result.stderr
    shown = cli("show", "example.com/world/talks", "--format", "json").json()
    assert isinstance(shown, dict)
    assert shown["url"] == "https://www.example.com/World/Talks?utm_x=1"


def test_a_damaged_archive_gives_one_line_not_a_traceback(seeded: Cli, archive_path: Path) -> None:
    # Delete the object a story ref points at: reading that story must fail cleanly.
    import subprocess as sp

    tip = sp.run(
        ["git", "-C", str(archive_path), "rev-parse", f"refs/stories/{STORY}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (archive_path / "objects" / tip[:2] / tip[2:]).unlink()
    for args in (["log", STORY], ["show", STORY], ["archive", str(SEED_FILE), "-s", STORY]):
        result = seeded(*args)
        assert result.code == 1, args
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, args
