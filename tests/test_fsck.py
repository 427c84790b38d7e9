from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

from .conftest import STORY, Cli, git_env


def git(archive: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(
        ["git", "-C", str(archive), *args],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
        env={
            **git_env(),
            "GIT_AUTHOR_NAME": "x",
            "GIT_AUTHOR_EMAIL": "x@x",
            "GIT_COMMITTER_NAME": "x",
            "GIT_COMMITTER_EMAIL": "x@x",
        },
    ).stdout.strip()


def tamper(archive: Path, text: str) -> None:
    """Commit a version whose article no longer matches the hash in its metadata."""
    ref = f"refs/stories/{STORY}"
    blob = git(archive, "hash-object", "-w", "--stdin", stdin=text)
    meta = git(archive, "rev-parse", f"{ref}:meta.json")
    tree = git(
        archive, "mktree", stdin=f"100644 blob {blob}\tarticle.txt\n100644 blob {meta}\tmeta.json\n"
    )
    message = git(archive, "cat-file", "commit", ref).partition("\n\n")[2]
    commit = git(archive, "commit-tree", tree, "-p", ref, stdin=message)
    git(archive, "update-ref", ref, commit)


def test_clean_archive(seeded: Cli) -> None:
    result = seeded("fsck")
    assert (result.code, result.stdout) == (0, "Checked 1 story and 3 versions: no problems\n")


def test_tampered_text_is_found(seeded: Cli, archive_path: Path) -> None:
    tamper(archive_path, "Tampered headline\n\nSomething else entirely.\n")
    result = seeded("fsck")
    assert result.code == 1
    assert f"story '{STORY}': version 4 (commit " in result.stdout
    assert "does not match its content hash" in result.stdout
    document: Any = seeded("fsck", "--format", "json").json()
    assert document["schema"] == "storydiff.fsck/1" and len(document["problems"]) >= 1


def test_stale_lock_is_reported(seeded: Cli, archive_path: Path) -> None:
    (archive_path / "refs" / "stories" / f"{STORY}.lock").write_text("")
    result = seeded("fsck")
    assert result.code == 1
    assert "lock file" in result.stdout and "a crashed writer left it" in result.stdout


def test_missing_object_is_found(seeded: Cli, archive_path: Path) -> None:
    blob = git(archive_path, "rev-parse", f"refs/stories/{STORY}~1:article.txt")
    (archive_path / "objects" / blob[:2] / blob[2:]).unlink()
    result = seeded("fsck")
    assert result.code == 1
    assert "git fsck found damage" in result.stdout
