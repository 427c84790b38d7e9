"""The demo: archive the seed stories into a fresh archive.

``seeds/`` holds one folder per story, one file per version, each with the time of its
version in its front matter: exactly what ``storydiff import`` reads from a folder.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .archive import Archive, ImportResult
from .errors import ArchiveError, InputError
from .importer import plan_folder

#: Marks an archive the demo made, so re-running the demo may replace it and nothing else.
DEMO_MARKER = "STORYDIFF-DEMO"


def fresh_demo_archive(path: Path) -> Archive:
    """Create an empty archive at ``path``, replacing one an earlier demo made there."""
    if path.exists():
        if not (path / DEMO_MARKER).exists():
            raise ArchiveError(
                f"{path} exists and was not made by the demo; name another place with --archive"
            )
        shutil.rmtree(path)
    archive, _ = Archive.create(path)
    (archive.path / DEMO_MARKER).write_text("made by 'storydiff demo'; safe to delete\n")
    return archive


def run_demo(seeds: Path, archive: Archive) -> tuple[list[str], ImportResult]:
    """Archive every version file of every story folder under ``seeds``.

    Every file is read and checked before the first is archived, so a bad seed file leaves
    the archive untouched. Returns the stories, in the seeds' order, and what was written.
    """
    plan = plan_folder(seeds)
    if plan.errors:
        raise InputError(plan.errors[0])
    stories = list(plan.stories)
    return stories, archive.import_stories(plan.in_time_order())
