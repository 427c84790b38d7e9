"""Story ids and version references: what users type, checked before anything touches git.

A story id becomes part of a git ref name (``refs/stories/<id>``), so the rules here are
stricter than git's own: lowercase slugs only, which also keeps ids safe as file names and
URL paths in reports.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit

from .errors import InvalidStoryId
from .model import ArticleMeta, parse_time

MAX_STORY_ID_LENGTH = 200

_STORY_ID = re.compile(r"[a-z0-9][a-z0-9._/-]*")
_SLUG_SEPARATORS = re.compile(r"[^a-z0-9.]+")
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}")


def _describe(text: str) -> str:
    """Quote a user's id for an error message, shortened so a huge id stays one line."""
    shown = text if len(text) <= 60 else text[:57] + "..."
    return repr(shown)


def validate_story_id(story: str) -> str:
    """Return ``story`` unchanged if it is a valid story id, else raise InvalidStoryId.

    >>> validate_story_id("example.com/world/armenia-azerbaijan-talks")
    'example.com/world/armenia-azerbaijan-talks'
    >>> validate_story_id("../x")
    Traceback (most recent call last):
    ...
    storydiff.errors.InvalidStoryId: invalid story id '../x': it must start with a lowercase ...
    """

    def reject(reason: str) -> InvalidStoryId:
        return InvalidStoryId(f"invalid story id {_describe(story)}: {reason}")

    if not story:
        raise reject("it is empty")
    if len(story) > MAX_STORY_ID_LENGTH:
        raise reject(f"it is longer than {MAX_STORY_ID_LENGTH} characters")
    if not story[0].isascii() or not story[0].isalnum() or story[0].isupper():
        raise reject("it must start with a lowercase letter or digit")
    if not _STORY_ID.fullmatch(story):
        raise reject("use only lowercase letters, digits, '.', '_', '-' and '/'")
    if story.endswith("/"):
        raise reject("it must not end with '/'")
    for part in story.split("/"):
        if not part:
            raise reject("it must not contain '//'")
        if part.startswith(".") or part.endswith("."):
            raise reject("no part between slashes may start or end with '.'")
        if ".." in part:
            raise reject("it must not contain '..'")
        if part.endswith(".lock"):
            raise reject("no part between slashes may end with '.lock'")
    return story


def story_id_from_url(url: str) -> str:
    """Derive a story id from an article URL: host (without ``www.``) and path, slugged.

    >>> story_id_from_url("https://www.Example.com/World/Armenia_Talks.html?utm_source=x#top")
    'example.com/world/armenia-talks.html'
    """
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidStoryId(f"cannot derive a story id from {_describe(url)}: not an http(s) URL")
    host = parts.hostname.lower().removeprefix("www.")
    segments = [host] + [segment for segment in parts.path.split("/") if segment]
    slugged = [_slug(segment) for segment in segments]
    story = "/".join(segment for segment in slugged if segment)[:MAX_STORY_ID_LENGTH].rstrip("/")
    return validate_story_id(story)


def _slug(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = _SLUG_SEPARATORS.sub("-", ascii_text.lower())
    # Dots stay (they carry meaning in host names and file endings) but never at the edges
    # of a part, and never doubled, since git ref names forbid both.
    slug = re.sub(r"\.{2,}", ".", slug).strip(".-")
    return slug.removesuffix(".lock")


@dataclass(frozen=True)
class VersionRef:
    """A parsed ``ID[@SELECTOR]`` reference.

    Exactly one of the selectors is set: ``number`` (1-based; negative counts back from the
    latest, so -1 is the previous version), ``at`` (the version current at that time), or
    neither, meaning the latest version.
    """

    story: str
    number: int | None = None
    at: datetime | None = None

    def describe(self) -> str:
        if self.number is not None:
            return f"{self.story}@{self.number}"
        if self.at is not None:
            return f"{self.story}@{self.at.isoformat()}"
        return f"{self.story}@latest"


def parse_version_ref(text: str) -> VersionRef:
    """Parse ``ID``, ``ID@N``, ``ID@latest``, ``ID@-1`` or ``ID@2020-10-23T09:00``.

    >>> parse_version_ref("talks@3")
    VersionRef(story='talks', number=3, at=None)
    >>> parse_version_ref("talks@-1").number
    -1
    >>> parse_version_ref("talks@2020-10-23T09:00").at.isoformat()
    '2020-10-23T09:00:00+00:00'
    """
    story, sep, selector = text.partition("@")
    validate_story_id(story)
    if not sep or selector == "latest":
        return VersionRef(story)
    if re.fullmatch(r"-?\d+", selector):
        number = int(selector)
        if number == 0:
            raise InvalidStoryId(
                f"invalid version {_describe(text)}: versions are numbered from 1 "
                "(use -1 for the previous one)"
            )
        return VersionRef(story, number=number)
    if _TIMESTAMP.match(selector):
        try:
            return VersionRef(story, at=parse_time(selector))
        except ValueError:
            pass
    raise InvalidStoryId(
        f"invalid version {_describe(text)}: after '@' give a number (1, -1), 'latest' "
        "or a time such as 2020-10-23T09:00"
    )


def story_id_for(explicit: str | None, meta: ArticleMeta, *, fallback: str | None = None) -> str:
    """The story id for a version: given explicitly, else from front matter, else its URL.

    >>> story_id_for(None, ArticleMeta(url="https://example.com/world/talks"))
    'example.com/world/talks'
    """
    if explicit:
        return validate_story_id(explicit)
    if meta.story:
        return validate_story_id(meta.story)
    if meta.url:
        return story_id_from_url(meta.url)
    if fallback:
        return validate_story_id(fallback)
    raise InvalidStoryId(
        "no story id: give one with --story, or a 'story:' or 'url:' line in the front matter"
    )
