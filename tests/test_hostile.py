"""Hostile and malformed input: fuzzing the reader, the note parser and the aligner, hostile
story ids, and a full or read-only disk. Every case ends in a result or one clear error."""

from __future__ import annotations

import os
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from storydiff.align import align
from storydiff.compare import Side, compare
from storydiff.errors import InputError
from storydiff.model import Article
from storydiff.notes import parse_note
from storydiff.reader import read_article

from .conftest import SEED_STORY, STORY, Cli

FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text with everything that breaks naive code: RTL, combining marks, emoji, zero-width and
# control characters, NUL, and all line ends.
nasty = st.lists(
    st.one_of(
        st.text(max_size=20),
        st.sampled_from(
            [
                "\u202e",
                "\u0301",
                "\u200b",
                "\u200d",
                "👩‍👩‍👧",
                "\x00",
                "\x1b",
                "\r\n",
                "\r",
                "\n\n",
                "\t",
                "\ufeff",
                "ﷺ",
                "עברית",
                " ",
                "(",
            ]
        ),
    ),
    max_size=40,
).map("".join)


@FUZZ
@given(st.binary(max_size=2000))
def test_reader_on_arbitrary_bytes(data: bytes) -> None:
    try:
        article = read_article(data, name="fuzz")
    except InputError as error:
        assert "\n" not in str(error)
        return
    assert article.headline and "\n" not in article.headline
    assert all(p and "\n" not in p for p in article.paragraphs)


@FUZZ
@given(nasty)
def test_reader_on_arbitrary_text(text: str) -> None:
    try:
        article = read_article(text.encode("utf-8", "surrogatepass"), name="fuzz")
    except InputError:
        return
    # Reading the canonical text back gives the same article: normalisation is stable.
    again = read_article(article.text().encode("utf-8"))
    assert (again.headline, again.paragraphs) == (article.headline, article.paragraphs)


@FUZZ
@given(nasty)
def test_note_parser_never_fails(note: str) -> None:
    for claim in parse_note(note, paragraphs=20):
        assert claim.action in (
            "add",
            "update",
            "correct",
            "recast",
            "remove",
            "move",
            "refile",
            "clarify",
            "other",
        )
        assert all(start >= 0 for start, _ in claim.ranges)


@FUZZ
@given(st.lists(nasty, max_size=12), st.lists(nasty, max_size=12))
def test_aligner_invariants_on_nasty_text(old: list[str], new: list[str]) -> None:
    ops = align(old, new)
    assert sorted(n for op in ops for n in op.old) == list(range(1, len(old) + 1))
    assert sorted(n for op in ops for n in op.new) == list(range(1, len(new) + 1))


def timed_compare(old: list[str], new: list[str]) -> float:
    started = time.perf_counter()
    diff = compare(
        Side("a", Article("H", None, tuple(old))), Side("b", Article("H", None, tuple(new)))
    )
    assert sum(len(c.new) for c in diff.paragraphs) == len(new)
    return time.perf_counter() - started


def test_one_megabyte_paragraph_with_an_edit() -> None:
    words = [f"word{i % 5000}" for i in range(150_000)]
    old = " ".join(words)
    words[75_000] = "changed"
    assert timed_compare([old], [" ".join(words)]) < 10


def test_twenty_thousand_tiny_paragraphs() -> None:
    old = [f"Item {i}." for i in range(20_000)]
    new = old[:5000] + ["Inserted."] + old[5000:15000] + old[15001:]
    assert timed_compare(old, new) < 10


def test_two_unrelated_one_megabyte_texts() -> None:
    old = [" ".join(f"alpha{i}x{j}" for j in range(1000)) for i in range(100)]
    new = [" ".join(f"beta{i}y{j}" for j in range(1000)) for i in range(100)]
    assert timed_compare(old, new) < 10


HOSTILE_IDS = [
    "../../etc/passwd",
    "a/../../b",
    "x.lock",
    "has space",
    "$(touch pwned)",
    "`touch pwned`",
    "a;touch pwned",
    "a|b",
    "x" * 10_000,
    "refs/../x",
    "a\\b",
    "~x",
    "x^{}",
    "x:y",
    "@",
    "*",
]


@pytest.mark.parametrize("story", HOSTILE_IDS, ids=[s[:20] for s in HOSTILE_IDS])
def test_hostile_story_ids_touch_nothing(
    cli: Cli, tmp_path: Path, story: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    before = set(tmp_path.iterdir())
    for args in (
        ["archive", str(SEED_STORY / "v1.txt"), f"--story={story}"],
        ["log", story],
        ["show", story],
        ["diff", story],
        ["export", story],
        ["report", story],
    ):
        result = cli(*args)
        assert result.code == 1, args
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert len(result.stderr) < 300
    assert set(tmp_path.iterdir()) <= before | {cli.archive}
    assert not (tmp_path / "pwned").exists()


def test_dash_id_is_an_option_error_not_a_story(cli: Cli) -> None:
    assert cli("log", "-rf").code == 2


def test_refs_like_id_stays_under_refs_stories(cli: Cli, archive_path: Path) -> None:
    assert cli("archive", str(SEED_STORY / "v1.txt"), "--story", "refs/heads/main").code == 0
    refs = subprocess.run(
        ["git", "-C", str(archive_path), "for-each-ref", "--format=%(refname)"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert refs == ["refs/stories/refs/heads/main"]


# -- full and read-only disks (a small tmpfs; needs root, as CI has) --------------------------


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True
    )
    if result.returncode != 0:
        if os.environ.get("CI"):
            pytest.fail(f"cannot mount a tmpfs in CI: {result.stderr!r}")
        pytest.skip("cannot mount a tmpfs here (not root)")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def refs_of(archive: Path) -> str:
    return subprocess.run(
        ["git", "-C", str(archive), "for-each-ref"], capture_output=True, text=True, check=True
    ).stdout


def test_full_disk(small_disk: Path) -> None:
    from typer.testing import CliRunner

    cli = Cli(small_disk / "archive", CliRunner())
    assert cli("archive", str(SEED_STORY / "v1.txt")).code == 0
    before = refs_of(cli.archive)
    filler = small_disk / "filler"
    descriptor = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while True:
            os.write(descriptor, b"\0" * 4096)
    except OSError:
        pass  # the disk is full
    finally:
        os.close(descriptor)
    result = cli("archive", str(SEED_STORY / "v2.txt"))
    assert result.code == 1
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    assert refs_of(cli.archive) == before
    filler.unlink()
    assert cli("log", STORY).code == 0
    assert cli("archive", str(SEED_STORY / "v2.txt")).code == 0


def test_read_only_disk(small_disk: Path) -> None:
    from typer.testing import CliRunner

    cli = Cli(small_disk / "archive", CliRunner())
    assert cli("archive", str(SEED_STORY / "v1.txt")).code == 0
    before = refs_of(cli.archive)
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    try:
        result = cli("archive", str(SEED_STORY / "v2.txt"))
        assert result.code == 1
        assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
        assert "Read-only file system" in result.stderr or "read-only" in result.stderr.lower()
        assert cli("log", STORY).code == 0
        assert cli("show", f"{STORY}@1").code == 0
    finally:
        subprocess.run(["mount", "-o", "remount,rw", str(small_disk)], check=True)
    assert refs_of(cli.archive) == before
