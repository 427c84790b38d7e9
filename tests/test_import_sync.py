from __future__ import annotations

import json
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storydiff.archive import Archive
from storydiff.model import Article, parse_time

from .conftest import SEEDS, STORY, Cli, git_env


def record(story: str, at: str, *paragraphs: str, **extra: Any) -> str:
    return json.dumps(
        {
            "story": story,
            "time": at,
            "headline": f"{story} headline",
            "paragraphs": list(paragraphs),
            **extra,
        }
    )


def write_lines(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def commits(archive: Path, story: str) -> list[str]:
    return subprocess.run(
        ["git", "-C", str(archive), "rev-list", f"refs/stories/{story}"],
        capture_output=True,
        text=True,
        check=True,
        env=git_env(),
    ).stdout.split()


def test_import_orders_by_time_and_skips_repeats(cli: Cli, tmp_path: Path) -> None:
    source = write_lines(
        tmp_path / "in.jsonl",
        record("b", "2020-10-23T12:00:00Z", "Second."),
        record("a", "2020-10-23T09:00:00Z", "One."),
        record("b", "2020-10-23T10:00:00Z", "First."),
        record("b", "2020-10-23T11:00:00Z", "First."),  # same text as before: skipped
        record("b", "2020-10-23T13:00:00Z", "Third."),
    )
    result = cli("import", str(source))
    assert (result.code, result.stdout) == (
        0,
        "Imported 4 versions of 2 stories (1 unchanged, 0 skipped as bad)\n",
    )
    log: Any = cli("log", "b", "--format", "json").json()
    assert [(v["version"], v["time"]) for v in log["versions"]] == [
        (1, "2020-10-23T10:00:00Z"),
        (2, "2020-10-23T12:00:00Z"),
        (3, "2020-10-23T13:00:00Z"),
    ]
    stories: Any = cli("stories", "--format", "json").json()
    assert [(s["story"], s["versions"]) for s in stories["stories"]] == [("a", 1), ("b", 3)]


BAD_LINES = [
    ("not json", "line 2: not valid JSON (Expecting value)"),
    ('{"story": "x", "time": "2020-01-01"}', "line 2: no 'paragraphs' or 'text'"),
    (
        '{"story": "../x", "time": "2020-01-01", "headline": "h", "text": "b"}',
        "line 2: invalid story id '../x': it must start with a lowercase letter or digit",
    ),
    (
        '{"story": "x", "headline": "h", "text": "b"}',
        "line 2: no 'time' (nor 'updated' or 'published')",
    ),
    (
        '{"story": "x", "time": "soon", "headline": "h", "text": "b"}',
        "line 2: 'time' is not an ISO 8601 time: 'soon'",
    ),
    (
        '{"story": "x", "time": "2020-01-01", "headline": "h", "text": "b", "colour": "red"}',
        "line 2: unknown field 'colour'",
    ),
    ("[1, 2]", "line 2: not a JSON object"),
    (
        '{"time": "2020-01-01", "headline": "h", "text": "b"}',
        "line 2: no story id: give one with --story, or a 'story:' or 'url:' line in the "
        "front matter",
    ),
]


@pytest.mark.parametrize(("line", "message"), BAD_LINES, ids=[m for _, m in BAD_LINES])
def test_bad_lines_are_reported_and_skipped(
    cli: Cli, tmp_path: Path, line: str, message: str
) -> None:
    source = write_lines(
        tmp_path / "in.jsonl",
        record("good", "2020-10-23T10:00:00Z", "Fine."),
        line,
        record("good", "2020-10-23T11:00:00Z", "Fine, updated."),
    )
    result = cli("import", str(source))
    assert result.code == 1
    assert result.stderr == message + "\n"
    assert result.stdout == "Imported 2 versions of 1 story (0 unchanged, 1 skipped as bad)\n"


def test_strict_import_writes_nothing(cli: Cli, archive_path: Path, tmp_path: Path) -> None:
    source = write_lines(tmp_path / "in.jsonl", record("good", "2020-10-23T10:00:00Z", "x"), "{")
    result = cli("import", str(source), "--strict")
    assert result.code == 1
    assert result.stderr.startswith("Error: line 2: not valid JSON")
    assert result.stderr.endswith("(--strict: nothing imported)\n")
    assert cli("stories").stdout == ""


def test_nested_story_ids_are_reported(cli: Cli, tmp_path: Path) -> None:
    source = write_lines(
        tmp_path / "in.jsonl",
        record("world", "2020-10-23T10:00:00Z", "x"),
        record("world/talks", "2020-10-23T10:00:00Z", "y"),
    )
    result = cli("import", str(source))
    assert result.code == 1
    assert "story id 'world/talks' would nest with story 'world'" in result.stderr


def test_folder_import_matches_archiving_one_by_one(cli: Cli, tmp_path: Path) -> None:
    one_by_one = Cli(tmp_path / "one", cli.runner)
    for name in ("v1.txt", "v2.txt", "v3.txt"):
        one_by_one("archive", str(SEEDS / "armenia-azerbaijan" / name))
    assert cli("import", str(SEEDS)).code == 0
    # Same objects, same times: the very same commits.
    assert commits(cli.archive, STORY) == commits(tmp_path / "one", STORY)


def test_export_then_import_gives_identical_histories(seeded: Cli, tmp_path: Path) -> None:
    exported = seeded("export", STORY)
    assert exported.code == 0 and len(exported.stdout.splitlines()) == 3
    first = json.loads(exported.stdout.splitlines()[0])
    assert first["story"] == STORY and first["note"] is None and len(first["paragraphs"]) == 12
    copy = Cli(tmp_path / "copy", seeded.runner)
    assert copy("import", "-", input=exported.stdout).code == 0
    assert commits(tmp_path / "copy", STORY) == commits(seeded.archive, STORY)
    again = copy("import", "-", input=exported.stdout)
    assert again.stdout == "Imported 0 versions of 0 stories (3 unchanged, 0 skipped as bad)\n"
    assert copy("export", "--all").stdout == seeded("export", "--all").stdout


def test_import_appends_to_existing_stories_in_time_order(seeded: Cli, tmp_path: Path) -> None:
    source = write_lines(
        tmp_path / "in.jsonl",
        json.dumps(
            {
                "story": STORY,
                "time": "2020-10-23T18:00:00Z",
                "text": "Late headline\n\n(Adds evening)\n\nEvening paragraph.",
            }
        ),
        json.dumps(
            {
                "story": STORY,
                "time": "2020-10-23T09:00:00Z",
                "text": "Early headline\n\nMorning paragraph.",
            }
        ),
    )
    assert seeded("import", str(source)).code == 0
    log: Any = seeded("log", STORY, "--format", "json").json()
    assert [v["time"] for v in log["versions"]] == [
        "2020-10-23T08:10:00Z",
        "2020-10-23T09:00:00Z",
        "2020-10-23T11:45:00Z",
        "2020-10-23T14:30:00Z",
        "2020-10-23T18:00:00Z",
    ]
    assert log["versions"][-1]["note"] == "(Adds evening)"


def test_export_errors(seeded: Cli) -> None:
    assert seeded("export").stderr == "Error: give a story id or --all\n"
    assert seeded("export", "nope").stderr == "Error: no story 'nope' in the archive\n"


# -- sync -------------------------------------------------------------------------------------


def bare_repository(path: Path) -> Path:
    subprocess.run(["git", "init", "--quiet", "--bare", str(path)], check=True, env=git_env())
    return path


def versions_of(cli: Cli, story: str) -> list[tuple[int, str, str | None]]:
    log: Any = cli("log", story, "--format", "json").json()
    return [(v["version"], v["time"], v["note"]) for v in log["versions"]]


def two_machines_diverge(a: Cli, b: Cli, remote: str) -> None:
    seed = SEEDS / "armenia-azerbaijan"
    assert a("archive", str(seed / "v1.txt")).code == 0
    assert a("sync", remote).code == 0
    assert b("sync", remote).code == 0  # b gets v1
    a("archive", str(seed / "v2.txt"))  # both add a version to the same story
    b("archive", str(seed / "v3.txt"))
    b("archive", str(seed / "v2.txt"))  # b also has v2, archived independently
    a(
        "archive",
        str(SEEDS / "000_3fde548d52f91677.txt"),
        "--story",
        "only-on-a",
        "--at",
        "2020-10-24T00:00:00Z",
    )


def check_converged(a: Cli, b: Cli, remote: str) -> None:
    first = a("sync", remote, "--format", "json").json()
    second = b("sync", remote, "--format", "json").json()
    third = a("sync", remote, "--format", "json").json()
    assert first == {
        "schema": "storydiff.sync/1",
        "remote": remote,
        "pulled": [],
        "pushed": sorted([STORY, "only-on-a"]),
        "merged": [],
    }
    assert isinstance(second, dict) and second["merged"] == [STORY]
    assert second["pulled"] == ["only-on-a"]
    assert isinstance(third, dict) and third["pulled"] == [STORY]
    expected = [
        (1, "2020-10-23T08:10:00Z", None),
        (2, "2020-10-23T11:45:00Z", versions_of(a, STORY)[1][2]),
        (3, "2020-10-23T14:30:00Z", versions_of(b, STORY)[2][2]),
    ]
    assert versions_of(a, STORY) == versions_of(b, STORY) == expected
    assert commits(a.archive, STORY) == commits(b.archive, STORY)
    stories: Any = b("stories", "--format", "json").json()
    assert [(s["story"], s["versions"]) for s in stories["stories"]] == [
        (STORY, 3),
        ("only-on-a", 1),
    ]


def test_sync_through_a_bare_repository(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    remote = str(bare_repository(tmp_path / "central.git"))
    a, b = Cli(tmp_path / "a", CliRunner()), Cli(tmp_path / "b", CliRunner())
    two_machines_diverge(a, b, remote)
    before = subprocess.run(
        ["git", "-C", remote, "rev-parse", f"refs/stories/{STORY}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    check_converged(a, b, remote)
    # The central story only ever moved forward: its old tip is in the new history.
    subprocess.run(
        ["git", "-C", remote, "merge-base", "--is-ancestor", before, f"refs/stories/{STORY}"],
        check=True,
    )
    # And the archive's own check passes on both sides.
    with Archive.open(a.archive) as archive:
        assert len(archive.history(STORY)) == 3
    subprocess.run(
        ["git", "-C", remote, "fsck", "--strict", "--no-dangling"], check=True, capture_output=True
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def git_daemon(tmp_path: Path) -> Iterator[str]:
    root = tmp_path / "served"
    root.mkdir()
    bare_repository(root / "archive.git")
    port = free_port()
    daemon = subprocess.Popen(
        [
            "git",
            "daemon",
            "--reuseaddr",
            "--export-all",
            "--enable=receive-pack",
            f"--base-path={root}",
            "--listen=127.0.0.1",
            f"--port={port}",
            str(root),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        yield f"git://127.0.0.1:{port}/archive.git"
    finally:
        daemon.terminate()
        daemon.wait(timeout=10)


def test_sync_through_git_daemon(tmp_path: Path, git_daemon: str) -> None:
    from typer.testing import CliRunner

    a, b = Cli(tmp_path / "a", CliRunner()), Cli(tmp_path / "b", CliRunner())
    two_machines_diverge(a, b, git_daemon)
    check_converged(a, b, git_daemon)


def test_sync_with_an_unreachable_remote(cli: Cli, tmp_path: Path) -> None:
    result = cli("sync", str(tmp_path / "missing.git"))
    assert result.code == 1
    assert result.stderr.startswith(f"Error: cannot fetch from {tmp_path / 'missing.git'}: ")
    assert result.stderr.count("\n") == 1


def test_history_keeps_one_copy_of_a_version_archived_twice(tmp_path: Path) -> None:
    with Archive.create(tmp_path / "x")[0] as archive:
        archive.save("s", Article("H", None, ("a",)), at=parse_time("2020-01-01T10:00Z"))
        archive.save("s", Article("H", None, ("b",)), at=parse_time("2020-01-01T12:00Z"))
        # Same text as the 10:00 version, archived late for 10:05: not a new version.
        assert not archive.save(
            "s", Article("H", None, ("a",)), at=parse_time("2020-01-01T10:05Z")
        ).created
