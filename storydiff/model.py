"""The plain data storydiff speaks in: articles, archived versions and story summaries.

Nothing here knows about git, files or terminals.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class ArticleMeta:
    """Metadata that travels with a version but is not part of its text."""

    url: str | None = None
    story: str | None = None
    published: datetime | None = None
    updated: datetime | None = None
    byline: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Article:
    """One published state of a story, already normalised.

    ``paragraphs`` are the body paragraphs in the editors' numbering: ``paragraphs[0]`` is
    paragraph 1. The headline and the update note are not counted.

    >>> a = Article("Talks stall", "(Adds comment in paragraph 2)", ("One.", "Two."))
    >>> a.paragraph(2)
    'Two.'
    >>> a.text()
    'Talks stall\\n\\n(Adds comment in paragraph 2)\\n\\nOne.\\n\\nTwo.\\n'
    """

    headline: str
    note: str | None
    paragraphs: tuple[str, ...]
    meta: ArticleMeta = field(default_factory=ArticleMeta)

    def paragraph(self, number: int) -> str:
        """Return body paragraph ``number`` (1-based, as editors count)."""
        return self.paragraphs[number - 1]

    def text(self) -> str:
        """The canonical plain-text form: one block per paragraph, blank lines between."""
        blocks = [self.headline]
        if self.note is not None:
            blocks.append(self.note)
        blocks.extend(self.paragraphs)
        return "\n\n".join(blocks) + "\n"

    def content_hash(self) -> str:
        """A digest of the normalised text; equal hashes mean nothing a reader sees changed."""
        return "sha256:" + hashlib.sha256(self.text().encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Version:
    """An archived version of a story.

    ``number`` is 1-based in time order. ``time`` is when the version was published or seen;
    ``archived`` is when storydiff recorded it.
    """

    story: str
    number: int
    time: datetime
    archived: datetime
    article: Article
    commit: str


@dataclass(frozen=True)
class StorySummary:
    """One line of the story listing."""

    story: str
    versions: int
    first_seen: datetime
    last_seen: datetime
    headline: str
    #: The commit the story's ref points at: changes whenever a version is added.
    tip: str = ""


@dataclass(frozen=True)
class ParagraphDelta:
    """How many paragraphs a version gained and lost against the one before it.

    Counted by exact (normalised) paragraph text, so an edited paragraph counts once on each
    side; ``storydiff diff`` gives the precise, aligned picture.
    """

    added: int
    removed: int


def paragraph_delta(old: Article | None, new: Article) -> ParagraphDelta:
    """Count paragraphs of ``new`` not in ``old`` and of ``old`` not in ``new`` (as multisets).

    >>> old = Article("H", None, ("a", "b", "c"))
    >>> paragraph_delta(old, Article("H", None, ("a", "b2", "c", "d")))
    ParagraphDelta(added=2, removed=1)
    """
    if old is None:
        return ParagraphDelta(added=len(new.paragraphs), removed=0)
    old_counts = Counter(old.paragraphs)
    new_counts = Counter(new.paragraphs)
    return ParagraphDelta(
        added=sum((new_counts - old_counts).values()),
        removed=sum((old_counts - new_counts).values()),
    )


def format_time(moment: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, to the second: ``2020-10-23T08:10:00Z``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_time(text: str) -> datetime:
    """Parse an ISO 8601 time; a time without a zone is taken as UTC.

    >>> format_time(parse_time("2020-10-23T11:45"))
    '2020-10-23T11:45:00Z'
    >>> format_time(parse_time("2020-10-23T13:45:00+02:00"))
    '2020-10-23T11:45:00Z'

    Raises ValueError when ``text`` is not such a time.
    """
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)
