from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from storydiff.errors import InputError
from storydiff.model import parse_time
from storydiff.reader import MAX_INPUT_BYTES, normalize_paragraph, read_article, read_article_file

from .conftest import DATA, SEED_FILE, SEED_STORY

CASES = tomllib.loads((DATA / "reader_cases.toml").read_text(encoding="utf-8"))["case"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_reader_cases(case: dict[str, object]) -> None:
    article = read_article(str(case["input"]).encode("utf-8"))
    assert article.headline == case["headline"]
    assert article.note == case.get("note")
    assert list(article.paragraphs) == case["paragraphs"]


def test_seed_paragraphs_are_numbered_as_its_note_promises() -> None:
    # The note says: further comments by Aliyev from paragraph 13; on-ground developments
    # from paragraph 16. Editors count body paragraphs from 1, headline and note excluded.
    article = read_article_file(SEED_FILE)
    assert article.headline == (
        "Fighting between Armenia, Azerbaijan dampens optimism for U.S. talks"
    )
    assert article.note == (
        "(Updated with further comments by Aliyev from paragraph 13; "
        "on-ground developments from paragraph 16)"
    )
    assert len(article.paragraphs) == 18
    assert article.paragraph(1).startswith("Continued fighting between Armenia and Azerbaijan")
    assert article.paragraph(13).startswith("On Thursday, Aliyev vowed")
    assert article.paragraph(16).startswith("The Azeri Defence Ministry said")
    assert article.paragraph(18).startswith("The Karabakh military reported")


def test_seed_story_versions() -> None:
    v1, v2, v3 = (read_article_file(SEED_STORY / f"v{n}.txt") for n in (1, 2, 3))
    seed = read_article_file(SEED_FILE)
    assert (v2.headline, v2.note, v2.paragraphs) == (seed.headline, seed.note, seed.paragraphs)
    assert v1.note is None
    assert v1.paragraphs == seed.paragraphs[:12]
    assert v3.note == (
        "(Corrects paragraph 12 to show Turkey vowed to support Azerbaijan, not Armenia)"
    )
    changed = [n for n in range(1, 19) if v3.paragraph(n) != v2.paragraph(n)]
    assert changed == [12]
    assert "support Azerbaijan “to the end”" in v3.paragraph(12)
    assert [v.meta.updated for v in (v1, v2, v3)] == [
        parse_time("2020-10-23T08:10:00Z"),
        parse_time("2020-10-23T11:45:00Z"),
        parse_time("2020-10-23T14:30:00Z"),
    ]
    assert {v.meta.story for v in (v1, v2, v3)} == {"armenia-azerbaijan-talks"}


def test_canonical_text_reads_back_to_the_same_article() -> None:
    article = read_article_file(SEED_FILE)
    again = read_article(article.text().encode("utf-8"))
    assert (again.headline, again.note, again.paragraphs) == (
        article.headline,
        article.note,
        article.paragraphs,
    )


def test_front_matter_metadata() -> None:
    article = read_article(
        b"---\nurl: https://example.com/a\nbyline: 'Jane Doe'\nsource: Reuters\n"
        b"updated: 2020-10-23T13:45:00+02:00\n---\nHeadline\n\nBody.\n"
    )
    assert article.meta.url == "https://example.com/a"
    assert article.meta.byline == "Jane Doe"
    assert article.meta.source == "Reuters"
    assert article.meta.updated == parse_time("2020-10-23T11:45:00Z")


BAD_INPUTS = [
    pytest.param(b"", "in.txt is empty", id="empty"),
    pytest.param(b"  \n\t\n  ", "in.txt contains only whitespace", id="whitespace-only"),
    pytest.param(
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
        "in.txt looks like a binary file (it contains NUL bytes), not an article",
        id="binary",
    ),
    pytest.param(
        b"Caf\xe9 talks\n",
        "in.txt is not valid UTF-8 (byte 0xe9 at offset 3)",
        id="invalid-utf8",
    ),
    pytest.param(
        b"---\nstory: x\nHeadline\n",
        "in.txt: front matter starts with '---' but never ends",
        id="unterminated-front-matter",
    ),
    pytest.param(
        b"---\nauthor: x\n---\nHeadline\n",
        "in.txt, line 2: unknown front matter key 'author' "
        "(known: url, story, published, updated, byline, source)",
        id="unknown-front-matter-key",
    ),
    pytest.param(
        b"---\npublished: yesterday\n---\nHeadline\n",
        "in.txt: front matter 'published' is not an ISO 8601 time: 'yesterday'",
        id="bad-front-matter-time",
    ),
    pytest.param(b"---\nstory: x\n---\n\n", "in.txt contains no text", id="front-matter-only"),
    pytest.param(
        b"x" * (MAX_INPUT_BYTES + 1),
        "in.txt is 5.0 MB; articles are limited to 5 MB",
        id="too-large",
    ),
]


@pytest.mark.parametrize(("data", "message"), BAD_INPUTS)
def test_bad_input_is_refused_with_one_clear_line(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        read_article(data, name="in.txt")
    assert str(caught.value) == message


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nope\.txt: no such file$"):
        read_article_file(tmp_path / "nope.txt")


def test_directory_is_not_an_article(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"is a directory, not an article file$"):
        read_article_file(tmp_path)


HTML_PAGE = """<!DOCTYPE html>
<html lang="en"><head><title>Fighting dampens optimism | Example News</title>
<meta name="author" content="Jane Doe">
<link rel="canonical" href="https://example.com/world/talks">
</head><body>
<nav><a href="/">Home</a> <a href="/world">World</a></nav>
<article>
<h1>Fighting dampens optimism for U.S. talks</h1>
<p>(Updated with further comments by Aliyev from paragraph 3)</p>
<p>Continued fighting between Armenia and Azerbaijan in the disputed region has dimmed
optimism for U.S.-sponsored talks later on Friday, Radio Free Europe reported.</p>
<p>The foreign ministers of the warring countries were due to meet separately with the
U.S. Secretary of State in Washington on Friday afternoon.</p>
<p>On Thursday, Aliyev vowed to “break the back of Armenian fascism” to save the region,
according to the state-run news agency.</p>
</article>
<footer>© Example News. All rights reserved.</footer>
</body></html>
"""


def test_html_page_is_extracted_into_the_same_model() -> None:
    article = read_article(HTML_PAGE.encode("utf-8"), name="page.html")
    assert article.headline == "Fighting dampens optimism for U.S. talks"
    assert article.note == "(Updated with further comments by Aliyev from paragraph 3)"
    assert len(article.paragraphs) == 3
    assert article.paragraph(1).startswith("Continued fighting between Armenia")
    assert article.paragraph(3).startswith("On Thursday, Aliyev vowed")
    assert article.meta.byline == "Jane Doe"
    assert "Home" not in " ".join(article.paragraphs)
    assert "All rights reserved" not in " ".join(article.paragraphs)


def test_html_detected_by_content_without_html_extension() -> None:
    article = read_article(HTML_PAGE.encode("utf-8"), name="saved-page")
    assert article.headline == "Fighting dampens optimism for U.S. talks"


def test_html_without_article_text() -> None:
    with pytest.raises(InputError, match=r"no article text could be extracted"):
        read_article(b"<html><body></body></html>", name="page.html")


def _normalize_slowly(text: str) -> str:
    import re
    import unicodedata

    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff]", "", text)
    text = unicodedata.normalize("NFC", text)
    return re.sub(r"\s+", " ", text).strip()


@settings(max_examples=500, deadline=None)
@given(st.text())
def test_normalize_paragraph_fast_path_agrees_with_the_rules(text: str) -> None:
    normal = normalize_paragraph(text)
    assert normal == _normalize_slowly(text)
    assert normalize_paragraph(normal) == normal
