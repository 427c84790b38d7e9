"""Load, concurrency and crash tests: nothing lost, the archive always consistent.

Marked ``stress``. The default (short) profile runs in CI within its time budget; the long
profile runs more processes, versions and kill trials:

    STORYDIFF_STRESS=long pytest -m stress
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storydiff.archive import Archive
from storydiff.model import Article, parse_time

from .conftest import git_env

pytestmark = pytest.mark.stress
LONG = os.environ.get("STORYDIFF_STRESS") == "long"

WORKERS = 8
VERSIONS_EACH = 100 if LONG else 50
KILL_TRIALS = 400 if LONG else 100

WRITER = """
import sys
from storydiff.archive import Archive
from storydiff.model import Article, parse_time
archive_path, worker, count, log_path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
archive, _ = Archive.create(archive_path)
with open(log_path, "a") as log:
    for n in range(count):
        story = "shared" if n % 2 == 0 else f"own-{worker}"
        body = (f"Text {worker}-{n}.", "Shared tail.")
        article = Article(f"Worker {worker} update {n}", None, body)
        at = f"2020-10-23T{n // 60:02d}:{n % 60:02d}:{worker:02d}Z"
        result = archive.save(story, article, at=parse_time(at))
        assert result.created
        log.write(f"{story}\\t{at}\\t{article.content_hash()}\\n")
        log.flush()
"""

READER = """
import sys, os
from storydiff.archive import Archive
from storydiff.compare import Side, compare
from storydiff.render.html import render_change_page
archive_path, stop = sys.argv[1], sys.argv[2]
reads = 0
while not os.path.exists(stop):
    try:
        archive = Archive.open(archive_path)
    except Exception:
        continue  # not created yet
    with archive:
        names = [s.story for s in archive.stories()]
        for name in names:
            versions = archive.history(name)
            assert [v.number for v in versions] == list(range(1, len(versions) + 1))
            if len(versions) >= 2:
                diff = compare(Side.of_version(versions[-2]), Side.of_version(versions[-1]))
                render_change_page(diff)
            reads += 1
print(reads)
"""


def python(*args: str, **kwargs: object) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, *args], **kwargs)  # type: ignore[call-overload]


def present(archive_path: Path, log: Path) -> tuple[int, int]:
    """(reported, lost): versions the writers reported saved, and how many are missing."""
    reported = [line.split("\t") for line in log.read_text().splitlines() if line]
    with Archive.open(archive_path) as archive:
        held: dict[str, set[tuple[str, str]]] = {}
        for story in {story for story, _, _ in reported}:
            versions = archive.history(story)
            times = [v.time for v in versions]
            assert times == sorted(times), story
            held[story] = {
                (v.time.strftime("%Y-%m-%dT%H:%M:%SZ"), v.article.content_hash()) for v in versions
            }
    lost = sum((at, digest) not in held[story] for story, at, digest in reported)
    return len(reported), lost


def git_fsck(archive_path: Path) -> None:
    subprocess.run(
        ["git", "-C", str(archive_path), "fsck", "--strict", "--no-dangling"],
        check=True,
        capture_output=True,
        env=git_env(),
    )


def test_concurrent_writers_import_and_readers_lose_nothing(tmp_path: Path) -> None:
    archive_path, log, stop = tmp_path / "archive", tmp_path / "saved.log", tmp_path / "stop"
    jsonl = tmp_path / "import.jsonl"
    with jsonl.open("w") as out:
        for n in range(60):
            story = "shared" if n % 3 == 0 else f"imported-{n % 5}"
            out.write(
                json.dumps(
                    {
                        "story": story,
                        "time": f"2020-10-24T00:{n:02d}:00Z",
                        "headline": f"Imported {n}",
                        "paragraphs": [f"Imported text {n}."],
                    }
                )
                + "\n"
            )
    Archive.create(archive_path)[0].close()
    started = time.monotonic()
    reader = python("-c", READER, str(archive_path), str(stop), stdout=subprocess.PIPE)
    writers = [
        python("-c", WRITER, str(archive_path), str(w), str(VERSIONS_EACH), str(log))
        for w in range(WORKERS)
    ]
    importer = python(
        "-m",
        "storydiff",
        "import",
        str(jsonl),
        "--archive",
        str(archive_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert [w.wait(timeout=600) for w in writers] == [0] * WORKERS
    import_out, import_err = importer.communicate(timeout=600)
    stop.write_text("")
    reader_out, _ = reader.communicate(timeout=120)
    elapsed = time.monotonic() - started
    assert importer.returncode == 0, import_err
    assert reader.returncode == 0
    reported, lost = present(archive_path, log)
    assert reported == WORKERS * VERSIONS_EACH
    assert lost == 0
    with Archive.open(archive_path) as archive:
        held = {s.story: s.versions for s in archive.stories()}
        for n in range(60):
            story = "shared" if n % 3 == 0 else f"imported-{n % 5}"
            versions = archive.history(story)
            assert any(v.article.headline == f"Imported {n}" for v in versions)
    assert held["shared"] == WORKERS * VERSIONS_EACH // 2 + 20
    git_fsck(archive_path)
    print(
        f"\n{reported} versions by {WORKERS} writers + 60 imported, 0 lost, "
        f"{int(reader_out)} reads, {elapsed:.1f} s"
    )


def test_kill_9_at_random_points(tmp_path: Path) -> None:
    archive_path = tmp_path / "archive"
    rng = random.Random(2020)
    reported: list[tuple[str, str, str]] = []
    started = time.monotonic()
    killed = 0
    for trial in range(KILL_TRIALS):
        at = f"2020-10-23T{trial // 3600:02d}:{trial // 60 % 60:02d}:{trial % 60:02d}Z"
        if trial % 3 == 2:
            source = tmp_path / f"import-{trial}.jsonl"
            lines = [
                json.dumps(
                    {
                        "story": f"bulk-{trial % 4}",
                        "time": at,
                        "headline": f"Bulk {trial}-{k}",
                        "paragraphs": [f"Bulk paragraph {trial} {k}."],
                    }
                )
                for k in range(1)
            ] + [
                json.dumps(
                    {
                        "story": f"batch-{trial}-{k}",
                        "time": at,
                        "headline": "Batch",
                        "paragraphs": [f"Batch {trial} {k}."],
                    }
                )
                for k in range(20)
            ]
            source.write_text("\n".join(lines) + "\n")
            command = ["-m", "storydiff", "import", str(source)]
            expected = [(json.loads(line)["story"], at, line) for line in lines]
        else:
            text = f"Trial {trial} headline\n\nTrial {trial} paragraph.\n"
            source = tmp_path / f"v{trial}.txt"
            source.write_text(text)
            story = "killed" if trial % 2 else f"killed-{trial % 7}"
            command = ["-m", "storydiff", "archive", str(source), "--story", story, "--at", at]
            expected = [(story, at, text)]
        process = python(
            *command,
            "--archive",
            str(archive_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        time.sleep(rng.uniform(0.05, 0.6))
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        out, _ = process.communicate()
        killed += process.returncode == -signal.SIGKILL
        if process.returncode == 0 and (b"Archived" in out or b"Imported" in out):
            reported += [(story, at, "") for story, at, _ in expected]
    # Everything that said it succeeded is there; git finds no damage.
    with Archive.open(archive_path) as archive:
        for story, at, _ in reported:
            assert any(v.time == parse_time(at) for v in archive.history(story)), (story, at)
    git_fsck(archive_path)
    # The next writer works without manual repair, even past a lock a kill left behind.
    with Archive.open(archive_path) as archive:
        result = archive.save(
            "killed",
            Article("After", None, ("After the trials.",)),
            at=parse_time("2030-01-01T00:00Z"),
        )
        assert result.created
    print(
        f"\n{KILL_TRIALS} trials, {killed} killed mid-way, {len(reported)} versions reported "
        f"saved, 0 lost, {time.monotonic() - started:.0f} s"
    )
