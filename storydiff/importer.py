"""Bulk import and export: JSON Lines and folders of article files.

A JSON Lines file holds one version per line::

    {"story": "armenia-azerbaijan-talks", "time": "2020-10-23T11:45:00Z",
     "headline": "...", "note": "(Updated with ...)", "paragraphs": ["...", "..."],
     "url": "https://...", "byline": "...", "source": "Reuters"}

``text`` may stand for ``paragraphs`` (body paragraphs separated by blank lines; without a
``headline`` it is a whole article in storydiff's plain-text format). ``published``,
``updated`` and ``archived`` are optional times; ``story`` may be left out when ``url`` is
given. ``storydiff export`` writes exactly this format, so export and import round-trip.

Reading happens in two passes: the first checks every line and notes where each story's
versions are; the second reads them back story by story, so memory stays small however
large the file.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from .archive import PendingVersion
from .errors import InputError, StorydiffError
from .ids import story_id_for
from .model import Article, ArticleMeta, Version, format_time, parse_time
from .reader import (
    MAX_INPUT_BYTES,
    normalize_paragraph,
    read_article,
    read_article_file,
    split_paragraphs,
)

ARTICLE_SUFFIXES = (".txt", ".html", ".htm")
EXPORT_FIELDS = (
    "story",
    "time",
    "archived",
    "headline",
    "note",
    "paragraphs",
    "url",
    "byline",
    "source",
    "published",
    "updated",
    "page_base64",
)


@dataclass
class ImportPlan:
    """Where every valid version is, by story, and the problems found on the way."""

    #: Each story's versions as (time, order, where) in input order of the stories.
    stories: dict[str, list[tuple[datetime, int, str]]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    #: The JSON Lines file the versions are read back from (None: one file per version).
    jsonl: Path | None = None

    @property
    def versions(self) -> int:
        return sum(len(items) for items in self.stories.values())

    def add(self, story: str, at: datetime, where: str) -> None:
        items = self.stories.setdefault(story, [])
        items.append((at, len(items), where))

    def check_nesting(self, existing: Sequence[str]) -> None:
        """Git cannot keep a story ``a`` beside ``a/b``: of two such ids, the one met later
        (existing stories first, then in input order) is reported and dropped."""
        kept: set[str] = set()
        kept_prefixes: set[str] = set()

        def keep(story: str) -> None:
            kept.add(story)
            parts = story.split("/")
            kept_prefixes.update("/".join(parts[:n]) for n in range(1, len(parts)))

        for story in existing:
            keep(story)
        for story in list(self.stories):
            parts = story.split("/")
            prefixes = ["/".join(parts[:n]) for n in range(1, len(parts))]
            other = next((p for p in prefixes if p in kept), None)
            if other is None and story in kept_prefixes:
                other = next(k for k in sorted(kept) if k.startswith(story + "/"))
            if other is None:
                keep(story)
                continue
            where = self.stories.pop(story)[0][2]
            if where.startswith("line "):
                where = where.partition("@")[0]
            self.errors.append(
                f"{where}: story id {story!r} would nest with story {other!r} "
                "(git cannot keep both 'a' and 'a/b')"
            )

    def in_time_order(self) -> Iterator[tuple[str, list[PendingVersion]]]:
        """Each story's versions, read again and sorted by time (ties: input order)."""
        with self.jsonl.open("rb") if self.jsonl else contextlib.nullcontext() as stream:
            for story, items in self.stories.items():
                yield story, [_load(where, stream) for _, _, where in sorted(items)]


def _load(where: str, stream: IO[bytes] | None) -> PendingVersion:
    """Read one planned version back: ``line N@OFFSET`` of the JSON Lines file, or a path."""
    if stream is None:
        return _version_from_file(Path(where))[1]
    stream.seek(int(where.rpartition("@")[2]))
    return version_from_record(json.loads(stream.readline().decode("utf-8")))[1]


# -- JSON Lines ------------------------------------------------------------------------------


def _text_field(record: dict[str, Any], key: str) -> str | None:
    value = record.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise InputError(f"{key!r} must be a string")
    return value


def _time_field(record: dict[str, Any], key: str) -> datetime | None:
    value = _text_field(record, key)
    if value is None:
        return None
    try:
        return parse_time(value)
    except ValueError:
        raise InputError(f"{key!r} is not an ISO 8601 time: {value!r}") from None


def version_from_record(record: object) -> tuple[str, PendingVersion]:
    """Turn one JSON record into a story id and a version; InputError says what is wrong."""
    if not isinstance(record, dict):
        raise InputError("not a JSON object")
    unknown = sorted(set(record) - set(EXPORT_FIELDS) - {"text"})
    if unknown:
        raise InputError(f"unknown field {unknown[0]!r}")
    meta = ArticleMeta(
        url=_text_field(record, "url"),
        story=_text_field(record, "story"),
        published=_time_field(record, "published"),
        updated=_time_field(record, "updated"),
        byline=_text_field(record, "byline"),
        source=_text_field(record, "source"),
    )
    headline = _text_field(record, "headline")
    paragraphs = record.get("paragraphs")
    text = _text_field(record, "text")
    if paragraphs is not None:
        if not isinstance(paragraphs, list) or not all(isinstance(p, str) for p in paragraphs):
            raise InputError("'paragraphs' must be a list of strings")
        body = list(paragraphs)
    elif text is not None:
        if len(text.encode("utf-8")) > MAX_INPUT_BYTES:
            raise InputError(f"'text' is larger than {MAX_INPUT_BYTES // 1024 // 1024} MB")
        if headline is None:
            article = read_article(text.encode("utf-8"), name="'text'", html=False)
            headline, body = article.headline, list(article.paragraphs)
            if article.note and _text_field(record, "note") is None:
                record = {**record, "note": article.note}
        else:
            body = split_paragraphs(text)
    else:
        raise InputError("no 'paragraphs' or 'text'")
    if headline is None or not normalize_paragraph(headline):
        raise InputError("no 'headline'")
    note = _text_field(record, "note")
    article = Article(
        headline=normalize_paragraph(headline),
        note=normalize_paragraph(note) or None if note else None,
        paragraphs=tuple(p for p in (normalize_paragraph(p) for p in body) if p),
        meta=meta,
    )
    if len(article.text().encode("utf-8")) > MAX_INPUT_BYTES:
        raise InputError(f"the article is larger than {MAX_INPUT_BYTES // 1024 // 1024} MB")
    story = story_id_for(None, meta)
    at = _time_field(record, "time") or meta.updated or meta.published
    if at is None:
        raise InputError("no 'time' (nor 'updated' or 'published')")
    archived = _time_field(record, "archived")
    page = _page_field(record)
    article = replace(article, meta=replace(meta, story=story))
    return story, PendingVersion(article, at, archived, page)


def _page_field(record: dict[str, Any]) -> bytes | None:
    """The saved web page of a fetched version, base64-encoded (pages need not be UTF-8)."""
    encoded = _text_field(record, "page_base64")
    if encoded is None:
        return None
    try:
        return base64.b64decode(encoded, validate=True)
    except ValueError:
        raise InputError("'page_base64' is not valid base64") from None


def plan_jsonl(path: Path) -> ImportPlan:
    """Check every line of a JSON Lines file and note where each story's versions are."""
    plan = ImportPlan()
    with path.open("rb") as stream:
        offset = 0
        for number, raw in enumerate(stream, start=1):
            where = f"line {number}"
            start, offset = offset, offset + len(raw)
            if not raw.strip():
                continue
            try:
                record = json.loads(raw.decode("utf-8"))
                story, pending = version_from_record(record)
            except UnicodeDecodeError:
                plan.errors.append(f"{where}: not valid UTF-8")
                continue
            except json.JSONDecodeError as error:
                plan.errors.append(f"{where}: not valid JSON ({error.msg})")
                continue
            except StorydiffError as error:
                plan.errors.append(f"{where}: {error}")
                continue
            plan.add(story, pending.at, f"{where}@{start}")

    plan.jsonl = path
    return plan


def spool_stdin(stream: IO[bytes], folder: Path) -> Path:
    """Standard input cannot be read twice: keep a copy to plan from and read back."""
    path = folder / "stdin.jsonl"
    with path.open("wb") as copy:
        shutil.copyfileobj(stream, copy)
    return path


# -- folders -------------------------------------------------------------------------------


def plan_folder(root: Path) -> ImportPlan:
    """One sub-folder per story, one article file per version.

    The story id is the front matter's ``story:``, else its ``url:``, else the folder's name;
    a version's time is its front matter ``updated:``/``published:``, else the file's time.
    """
    plan = ImportPlan()
    if not root.is_dir():
        raise InputError(f"{root}: no such folder")
    folders = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not folders:
        raise InputError(f"{root} has no story folders (one folder per story expected)")
    for folder in folders:
        files = sorted(p for p in folder.iterdir() if p.suffix.lower() in ARTICLE_SUFFIXES)
        if not files:
            plan.errors.append(f"{folder}: no article files ({', '.join(ARTICLE_SUFFIXES)})")
        for path in files:
            try:
                story, pending = _version_from_file(path)
            except StorydiffError as error:
                plan.errors.append(str(error) if str(path) in str(error) else f"{path}: {error}")
                continue
            plan.add(story, pending.at, str(path))
    return plan


def _version_from_file(path: Path) -> tuple[str, PendingVersion]:
    article = read_article_file(path)
    story = story_id_for(None, article.meta, fallback=path.parent.name.lower())
    at = article.meta.updated or article.meta.published
    if at is None:
        at = datetime.fromtimestamp(int(os.stat(path).st_mtime), UTC)
    return story, PendingVersion(replace(article, meta=replace(article.meta, story=story)), at)


def plan_source(source: str, scratch: Path, stdin: IO[bytes]) -> ImportPlan:
    """Plan an import from a JSON Lines file, ``-`` (stdin) or a folder."""
    if source == "-":
        return plan_jsonl(spool_stdin(stdin, scratch))
    path = Path(source)
    if path.is_dir():
        return plan_folder(path)
    if not path.exists():
        raise InputError(f"{source}: no such file or folder")
    return plan_jsonl(path)


def scratch_folder() -> tempfile.TemporaryDirectory[str]:
    return tempfile.TemporaryDirectory(prefix="storydiff-import-")


# -- export ----------------------------------------------------------------------------------


def export_record(version: Version, page: bytes | None = None) -> dict[str, Any]:
    """One version as a JSON Lines record that imports back to the same version."""
    article = version.article
    meta = article.meta
    record = {
        "story": version.story,
        "time": format_time(version.time),
        "archived": format_time(version.archived),
        "headline": article.headline,
        "note": article.note,
        "paragraphs": list(article.paragraphs),
        "url": meta.url,
        "byline": meta.byline,
        "source": meta.source,
        "published": format_time(meta.published) if meta.published else None,
        "updated": format_time(meta.updated) if meta.updated else None,
    }
    if page is not None:
        record["page_base64"] = base64.b64encode(page).decode("ascii")
    return record
