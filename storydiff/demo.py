"""The demo: archive the seed stories into a fresh archive.

``seeds/`` holds one folder per story, one file per version; files are archived in name
order, each at the time its front matter gives.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .archive import Archive, SaveResult
from .errors import ArchiveError, InputError
from .ids import story_id_for
from .reader import read_article_file

#: Marks an archive the demo made, so re-running the demo may replace it and nothing else.
DEMO_MARKER = "STORYDIFF-DEMO"
ARTICLE_SUFFIXES = (".txt", ".html", ".htm")


@dataclass(frozen=True)
class DemoStory:
    story: str
    results: list[SaveResult]


def story_folders(seeds: Path) -> list[Path]:
    """The story folders under ``seeds``, in name order."""
    if not seeds.is_dir():
        raise InputError(f"{seeds}: no such folder of seed stories")
    folders = sorted(p for p in seeds.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(f"{seeds} has no story folders (one folder per story expected)")
    return folders


def version_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES)


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


def run_demo(
    seeds: Path,
    archive: Archive,
    progress: Callable[[Path], None] | None = None,
) -> list[DemoStory]:
    """Archive every version file of every story folder under ``seeds``.

    All files are read and checked before the first is archived, so a bad seed file leaves
    the archive untouched.
    """
    planned = []
    for folder in story_folders(seeds):
        articles = [(path, read_article_file(path)) for path in version_files(folder)]
        if not articles:
            raise InputError(f"{folder} holds no article files ({', '.join(ARTICLE_SUFFIXES)})")
        story = story_id_for(None, articles[0][1].meta, fallback=folder.name)
        planned.append((story, articles))
    stories = []
    for story, articles in planned:
        results = []
        for path, article in articles:
            if progress:
                progress(path)
            results.append(archive.save(story, article))
        stories.append(DemoStory(story, results))
    return stories
