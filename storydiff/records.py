"""Plain JSON-ready records of stories and versions: the documented, stable ``--format json``.

Each top-level document carries a ``schema`` name with a version number; fields are only
ever added within a schema version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from .archive import SaveResult
from .model import StorySummary, Version, format_time, paragraph_delta

Record = dict[str, Any]


def _time(moment: datetime | None) -> str | None:
    return format_time(moment) if moment else None


def story_record(summary: StorySummary) -> Record:
    return {
        "story": summary.story,
        "versions": summary.versions,
        "first_seen": _time(summary.first_seen),
        "last_seen": _time(summary.last_seen),
        "headline": summary.headline,
    }


def log_records(versions: Sequence[Version]) -> list[Record]:
    """One record per version, with paragraph counts against the version before it."""
    records = []
    previous = None
    for version in versions:
        delta = paragraph_delta(previous.article if previous else None, version.article)
        records.append(
            {
                "version": version.number,
                "time": _time(version.time),
                "archived": _time(version.archived),
                "headline": version.article.headline,
                "note": version.article.note,
                "paragraphs": len(version.article.paragraphs),
                "paragraphs_added": delta.added,
                "paragraphs_removed": delta.removed,
                "url": version.article.meta.url,
                "commit": version.commit,
            }
        )
        previous = version
    return records


def log_document(story: str, versions: Sequence[Version]) -> Record:
    return {"schema": "storydiff.log/1", "story": story, "versions": log_records(versions)}


def version_document(version: Version, count: int) -> Record:
    article = version.article
    meta = article.meta
    return {
        "schema": "storydiff.version/1",
        "story": version.story,
        "version": version.number,
        "versions": count,
        "time": _time(version.time),
        "archived": _time(version.archived),
        "headline": article.headline,
        "note": article.note,
        "paragraphs": [
            {"number": number, "text": text}
            for number, text in enumerate(article.paragraphs, start=1)
        ],
        "url": meta.url,
        "byline": meta.byline,
        "source": meta.source,
        "published": _time(meta.published),
        "updated": _time(meta.updated),
        "content_hash": article.content_hash(),
        "commit": version.commit,
    }


def save_document(result: SaveResult) -> Record:
    version = result.version
    return {
        "schema": "storydiff.archive/1",
        "story": version.story,
        "created": result.created,
        "version": version.number,
        "time": _time(version.time),
        "paragraphs": len(version.article.paragraphs),
        "paragraphs_added": result.delta.added,
        "paragraphs_removed": result.delta.removed,
        "commit": version.commit,
    }
