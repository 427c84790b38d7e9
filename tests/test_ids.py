from __future__ import annotations

import tomllib

import pytest

from storydiff.errors import InvalidStoryId
from storydiff.ids import (
    MAX_STORY_ID_LENGTH,
    parse_version_ref,
    story_id_for,
    story_id_from_url,
    validate_story_id,
)
from storydiff.model import ArticleMeta, parse_time

from .conftest import DATA

IDS = tomllib.loads((DATA / "story_ids.toml").read_text(encoding="utf-8"))
INVALID = [case for case in IDS["invalid"] if not case.get("valid")]


@pytest.mark.parametrize("story", IDS["valid"])
def test_valid_ids_are_accepted_unchanged(story: str) -> None:
    assert validate_story_id(story) == story


@pytest.mark.parametrize("case", INVALID, ids=[repr(case["id"]) for case in INVALID])
def test_invalid_ids_are_rejected_with_the_reason(case: dict[str, str]) -> None:
    with pytest.raises(InvalidStoryId) as caught:
        validate_story_id(case["id"])
    assert str(caught.value) == f"invalid story id {case['id']!r}: {case['reason']}"


def test_refs_syntax_id_stays_inside_the_story_namespace() -> None:
    # 'refs/heads/main' is a fine slug; the archive stores it as refs/stories/refs/heads/main.
    assert validate_story_id("refs/heads/main") == "refs/heads/main"


def test_very_long_id_is_rejected_and_shortened_in_the_message() -> None:
    story = "a" * 10_000
    with pytest.raises(InvalidStoryId) as caught:
        validate_story_id(story)
    message = str(caught.value)
    assert message.endswith(f"it is longer than {MAX_STORY_ID_LENGTH} characters")
    assert len(message) < 150


URLS = [
    (
        "https://example.com/world/armenia-azerbaijan-talks",
        "example.com/world/armenia-azerbaijan-talks",
    ),
    ("https://www.Example.com/World/Talks/?utm_source=rss#top", "example.com/world/talks"),
    (
        "http://news.example.org/2020/10/23/Fighting%20Talks.html",
        "news.example.org/2020/10/23/fighting-20talks.html",
    ),
    ("https://example.com/a..b/x.lock", "example.com/a.b/x"),
    ("https://example.com/über/straße", "example.com/uber/strae"),
    ("https://example.com", "example.com"),
]


@pytest.mark.parametrize(("url", "story"), URLS)
def test_story_id_from_url(url: str, story: str) -> None:
    assert story_id_from_url(url) == story


@pytest.mark.parametrize("url", ["ftp://example.com/x", "javascript:alert(1)", "not a url"])
def test_story_id_from_non_http_url_is_rejected(url: str) -> None:
    with pytest.raises(InvalidStoryId, match="not an http\\(s\\) URL"):
        story_id_from_url(url)


def test_story_id_precedence() -> None:
    meta = ArticleMeta(url="https://example.com/x", story="from-front-matter")
    assert story_id_for("explicit", meta) == "explicit"
    assert story_id_for(None, meta) == "from-front-matter"
    assert story_id_for(None, ArticleMeta(url="https://example.com/x")) == "example.com/x"
    with pytest.raises(InvalidStoryId, match="no story id: give one with --story"):
        story_id_for(None, ArticleMeta())


REFS = [
    ("talks", None, None),
    ("talks@latest", None, None),
    ("talks@1", 1, None),
    ("talks@12", 12, None),
    ("talks@-1", -1, None),
    ("talks@2020-10-23T09:00", None, "2020-10-23T09:00:00Z"),
    ("talks@2020-10-23T09:00:00+02:00", None, "2020-10-23T07:00:00Z"),
    ("talks@2020-10-23", None, "2020-10-23T00:00:00Z"),
]


@pytest.mark.parametrize(("text", "number", "at"), REFS)
def test_version_refs(text: str, number: int | None, at: str | None) -> None:
    ref = parse_version_ref(text)
    assert ref.story == "talks"
    assert ref.number == number
    assert ref.at == (parse_time(at) if at else None)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("talks@0", "invalid version 'talks@0': versions are numbered from 1"),
        ("talks@first", "invalid version 'talks@first': after '@' give a number"),
        ("talks@2020-13-45", "invalid version 'talks@2020-13-45': after '@' give a number"),
        ("../x@1", "invalid story id '../x'"),
    ],
)
def test_bad_version_refs(text: str, message: str) -> None:
    with pytest.raises(InvalidStoryId) as caught:
        parse_version_ref(text)
    assert str(caught.value).startswith(message)
