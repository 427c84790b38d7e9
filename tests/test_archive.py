from __future__ import annotations

import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from storydiff import archive as archive_module
from storydiff.archive import Archive
from storydiff.errors import ArchiveError, InputError, StoryNotFound, VersionNotFound
from storydiff.ids import parse_version_ref
from storydiff.model import Article, format_time, parse_time
from storydiff.reader import read_article, read_article_file

from .conftest import SEED_STORY, STORY, git_env


def git(archive: Archive, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(archive.path), *args],
        check=True,
        capture_output=True,
        text=True,
        env=git_env(),
    ).stdout


def seed_versions() -> list[Article]:
    return [read_article_file(SEED_STORY / f"v{n}.txt") for n in (1, 2, 3)]


@pytest.fixture
def store(archive_path: Path) -> Archive:
    archive, created = Archive.create(archive_path)
    assert created
    return archive


@pytest.fixture
def seeded_store(store: Archive) -> Archive:
    for article in seed_versions():
        assert store.save(STORY, article).created
    return store


def test_versions_are_numbered_in_time_order(seeded_store: Archive) -> None:
    versions = seeded_store.history(STORY)
    assert [v.number for v in versions] == [1, 2, 3]
    assert [format_time(v.time) for v in versions] == [
        "2020-10-23T08:10:00Z",
        "2020-10-23T11:45:00Z",
        "2020-10-23T14:30:00Z",
    ]
    assert versions[0].article.note is None
    assert versions[1].article.paragraph(13).startswith("On Thursday, Aliyev vowed")
    assert versions[2].article.note is not None
    assert versions[2].article.note.startswith("(Corrects paragraph 12")


def test_stored_article_reads_back_identically(seeded_store: Archive) -> None:
    for stored, original in zip(seeded_store.history(STORY), seed_versions(), strict=True):
        assert stored.article.headline == original.headline
        assert stored.article.note == original.note
        assert stored.article.paragraphs == original.paragraphs
        assert stored.article.meta.url == original.meta.url
        assert stored.article.meta.source == "Reuters"


def test_saving_the_same_text_again_records_nothing(seeded_store: Archive) -> None:
    before = git(seeded_store, "rev-parse", f"refs/stories/{STORY}")
    rewrapped = read_article(seed_versions()[2].text().replace(". ", ".\n   ").encode("utf-8"))
    result = seeded_store.save(STORY, rewrapped, at=parse_time("2020-10-23T18:00Z"))
    assert not result.created
    assert result.version.number == 3
    assert git(seeded_store, "rev-parse", f"refs/stories/{STORY}") == before


def test_save_reports_number_and_paragraph_delta(store: Archive) -> None:
    v1, v2, v3 = seed_versions()
    assert store.save(STORY, v1).delta.added == 12
    second = store.save(STORY, v2)
    assert (second.version.number, second.delta.added, second.delta.removed) == (2, 6, 0)
    third = store.save(STORY, v3)
    assert (third.version.number, third.delta.added, third.delta.removed) == (3, 1, 1)


def test_version_refs(seeded_store: Archive) -> None:
    def number(text: str) -> int:
        return seeded_store.version(parse_version_ref(text)).number

    assert number(STORY) == 3
    assert number(f"{STORY}@latest") == 3
    assert number(f"{STORY}@1") == 1
    assert number(f"{STORY}@-1") == 2
    assert number(f"{STORY}@-2") == 1
    assert number(f"{STORY}@2020-10-23T11:45") == 2
    assert number(f"{STORY}@2020-10-23T12:00") == 2
    assert number(f"{STORY}@2020-10-24") == 3


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"{STORY}@4", f"story '{STORY}' has no version 4 (it has 3 versions)"),
        (f"{STORY}@-3", f"story '{STORY}' has no version -3 (it has 3 versions)"),
        (
            f"{STORY}@2020-10-22",
            f"story '{STORY}' had no version yet at 2020-10-22T00:00:00Z "
            "(its first is from 2020-10-23T08:10:00Z)",
        ),
    ],
)
def test_missing_versions(seeded_store: Archive, text: str, message: str) -> None:
    with pytest.raises(VersionNotFound) as caught:
        seeded_store.version(parse_version_ref(text))
    assert str(caught.value) == message


def test_unknown_story(seeded_store: Archive) -> None:
    with pytest.raises(StoryNotFound, match="^no story 'nope' in the archive$"):
        seeded_store.history("nope")


def test_version_archived_out_of_time_order_is_placed_in_time_order(store: Archive) -> None:
    v1, v2, v3 = seed_versions()
    store.save(STORY, v1)
    store.save(STORY, v3)
    late = store.save(STORY, v2)  # archived last, published between the other two
    assert late.created
    assert late.version.number == 2
    assert [v.article.note for v in store.history(STORY)] == [v1.note, v2.note, v3.note]
    [summary] = store.stories()
    assert summary.versions == 3
    assert summary.last_seen == parse_time("2020-10-23T14:30:00Z")


def test_out_of_order_duplicate_of_its_predecessor_is_skipped(store: Archive) -> None:
    v1, v2, v3 = seed_versions()
    store.save(STORY, v1)
    store.save(STORY, v3)
    result = store.save(STORY, v1, at=parse_time("2020-10-23T09:00Z"))
    assert not result.created
    assert result.version.number == 1


def test_stories_listing(seeded_store: Archive) -> None:
    other = Article("Other story", None, ("Body.",))
    seeded_store.save("example.com/other", other, at=parse_time("2021-01-01T00:00Z"))
    summaries = list(seeded_store.stories())
    assert [s.story for s in summaries] == [STORY, "example.com/other"]
    first = summaries[0]
    assert (first.versions, format_time(first.first_seen), format_time(first.last_seen)) == (
        3,
        "2020-10-23T08:10:00Z",
        "2020-10-23T14:30:00Z",
    )
    assert first.headline.startswith("Fighting between Armenia")


def test_archive_is_plain_git(seeded_store: Archive) -> None:
    ref = f"refs/stories/{STORY}"
    subjects = git(seeded_store, "log", "--format=%ad %s", "--date=iso-strict", ref).splitlines()
    assert len(subjects) == 3
    assert subjects[0].startswith("2020-10-23T14:30:00+00:00 Fighting between Armenia")
    assert git(seeded_store, "show", f"{ref}~2:article.txt") == seed_versions()[0].text()
    word_diff = git(seeded_store, "diff", "--word-diff", f"{ref}~1", ref, "--", "article.txt")
    assert "[-Armenia-]{+Azerbaijan+}" in word_diff
    assert '"content_hash": "sha256:' in git(seeded_store, "show", f"{ref}:meta.json")
    git(seeded_store, "fsck", "--strict", "--no-dangling")


def test_a_mirror_clone_is_a_working_archive(seeded_store: Archive, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "clone", "--quiet", "--mirror", str(seeded_store.path), str(clone)],
        check=True,
        env=git_env(),
    )
    with Archive.open(clone) as copy:
        assert [v.commit for v in copy.history(STORY)] == [
            v.commit for v in seeded_store.history(STORY)
        ]


def test_nested_story_ids_conflict_clearly(store: Archive) -> None:
    store.save("example.com/world", Article("A", None, ("x",)))
    with pytest.raises(InputError, match="would nest a story inside another's name"):
        store.save("example.com/world/talks", Article("B", None, ("y",)))


def test_opening_a_missing_archive(tmp_path: Path) -> None:
    with pytest.raises(ArchiveError) as caught:
        Archive.open(tmp_path / "none")
    assert str(caught.value) == (
        f"no archive at {tmp_path / 'none'} (create one with 'storydiff init {tmp_path / 'none'}')"
    )


def test_opening_a_folder_that_is_not_an_archive(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    with pytest.raises(ArchiveError, match="is not a storydiff archive"):
        Archive.open(tmp_path)


def test_create_on_existing_archive_opens_it(seeded_store: Archive) -> None:
    again, created = Archive.create(seeded_store.path)
    assert not created
    assert len(again.history(STORY)) == 3


def test_old_stale_lock_is_removed_and_reported(seeded_store: Archive) -> None:
    import os
    import time

    lock = seeded_store.path / "refs" / "stories" / f"{STORY}.lock"
    lock.write_text("")
    old = time.time() - archive_module.STALE_LOCK_SECONDS - 5
    os.utime(lock, (old, old))
    new = replace(seed_versions()[2], paragraphs=("Entirely new text.",))
    result = seeded_store.save(STORY, new, at=parse_time("2020-10-24T00:00Z"))
    assert result.created
    assert result.removed_locks == (str(lock),)
    assert not lock.exists()


def test_stale_lock_gives_a_clear_error_and_writes_nothing(
    seeded_store: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive_module, "WRITE_DEADLINE_SECONDS", 0.3)
    lock = seeded_store.path / "refs" / "stories" / f"{STORY}.lock"
    lock.write_text("")
    new = replace(seed_versions()[2], paragraphs=("Entirely new text.",))
    with pytest.raises(ArchiveError, match=r"is locked by .*\.lock .*delete that file and retry"):
        seeded_store.save(STORY, new, at=parse_time("2020-10-24T00:00Z"))
    lock.unlink()
    assert len(seeded_store.history(STORY)) == 3
    assert seeded_store.save(STORY, new, at=parse_time("2020-10-24T00:00Z")).created


WRITER = """
import sys
from storydiff.archive import Archive
from storydiff.model import Article, parse_time
archive, _ = Archive.create(sys.argv[1])
worker = int(sys.argv[2])
for n in range(int(sys.argv[3])):
    article = Article(f"Worker {worker} update {n}", None, (f"Text {worker}-{n}.",))
    result = archive.save("shared", article, at=parse_time(f"2020-10-23T10:{worker:02d}:{n:02d}Z"))
    assert result.created
"""


def test_concurrent_writers_never_drop_a_version(archive_path: Path) -> None:
    workers, each = 4, 6
    processes = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(archive_path), str(w), str(each)])
        for w in range(workers)
    ]
    assert [p.wait(timeout=120) for p in processes] == [0] * workers
    with Archive.open(archive_path) as store:
        versions = store.history("shared")
        assert len(versions) == workers * each
        assert [v.time for v in versions] == sorted(v.time for v in versions)
        [summary] = store.stories()
        assert summary.versions == workers * each
        git(store, "fsck", "--strict", "--no-dangling")
