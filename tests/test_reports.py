from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from storydiff.archive import Archive
from storydiff.compare import Side, compare
from storydiff.model import Article, ArticleMeta, parse_time
from storydiff.reader import read_article_file
from storydiff.render.html import render_change_page
from storydiff.reports import MANIFEST, build_all, build_story

from .conftest import SEED_STORY, STORY, Cli, Golden

PAGES = ["index.html", "v1.html", "v3.html", "changes-1-2.html", "changes-2-3.html"]


@pytest.fixture
def seeded_archive(seeded: Cli, archive_path: Path) -> Archive:
    return Archive.open(archive_path)


def test_seed_story_pages_golden(seeded_archive: Archive, tmp_path: Path, golden: Golden) -> None:
    out = tmp_path / "reports"
    result = build_all(seeded_archive, out)
    assert result.rendered == (STORY,)
    golden.check("reports/index.html", (out / "index.html").read_text(encoding="utf-8"))
    for page in PAGES:
        text = (out / STORY / page).read_text(encoding="utf-8")
        golden.check(f"reports/{STORY}/{page}", text)


def test_reports_are_byte_identical_across_runs(seeded_archive: Archive, tmp_path: Path) -> None:
    build_all(seeded_archive, tmp_path / "a")
    build_all(seeded_archive, tmp_path / "b", force=True)
    files_a = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.html"))
    files_b = sorted(p.relative_to(tmp_path / "b") for p in (tmp_path / "b").rglob("*.html"))
    assert files_a == files_b and len(files_a) == 7
    for name in files_a:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_change_page_content(seeded_archive: Archive, tmp_path: Path) -> None:
    build_all(seeded_archive, tmp_path)
    page = (tmp_path / STORY / "changes-1-2.html").read_text(encoding="utf-8")
    assert 'id="p13"' in page and 'id="p16"' in page
    assert '<a href="#p13">paragraph 13 onward</a>' in page
    assert "✓ confirmed" in page
    assert 'id="view-inline"' in page and 'id="view-side"' in page
    assert "<script" not in page
    assert "default-src 'none'" in page
    correction = (tmp_path / STORY / "changes-2-3.html").read_text(encoding="utf-8")
    assert "support <del>Armenia</del><ins>Azerbaijan</ins> “to the end”" in correction


def test_only_changed_stories_are_rendered_again(
    seeded: Cli, archive_path: Path, tmp_path: Path
) -> None:
    out = tmp_path / "reports"
    with Archive.open(archive_path) as archive:
        archive.save("other-story", Article("Other", None, ("Body.",)), at=parse_time("2021-01-01"))
        first = build_all(archive, out)
        assert sorted(first.rendered) == sorted([STORY, "other-story"])
        second = build_all(archive, out)
        assert (second.rendered, second.skipped) == ((), 2)
        archive.save(
            "other-story", Article("Other", None, ("Body, changed.",)), at=parse_time("2021-01-02")
        )
        third = build_all(archive, out)
        assert (third.rendered, third.skipped) == (("other-story",), 1)
        assert (out / "other-story" / "changes-1-2.html").exists()
        assert "other-story" in (out / MANIFEST).read_text()


def test_index_lists_latest_first_with_undisclosed_counts(
    cli: Cli, archive_path: Path, tmp_path: Path
) -> None:
    v2 = read_article_file(SEED_STORY / "v2.txt")
    stealth = replace(v2, paragraphs=tuple(p.replace("5,000", "6,000") for p in v2.paragraphs))
    with Archive.create(archive_path)[0] as archive:
        archive.save(STORY, v2)
        archive.save(STORY, stealth, at=parse_time("2020-10-23T15:00Z"))
        archive.save("older", Article("Older story", None, ("x",)), at=parse_time("2019-01-01"))
        build_all(archive, tmp_path)
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert index.index(STORY) < index.index("older")
    assert '<span class="badge bad">1</span>' in index


HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(2)>",
    "</title><script>alert(3)</script>",
    "</textarea><svg onload=alert(4)>",
    '"><iframe src=javascript:alert(5)>',
    "{{ 7*7 }} {% raw %}",
]


def hostile_article(extra: str) -> Article:
    return Article(
        headline="Headline " + " ".join(HOSTILE),
        note="(Adds " + HOSTILE[1] + " in paragraph 2)",
        paragraphs=(*HOSTILE, "Plain paragraph " + extra),
        meta=ArticleMeta(url="javascript:alert(6)", byline=HOSTILE[4], source=HOSTILE[3]),
    )


def test_hostile_text_is_escaped_everywhere(tmp_path: Path) -> None:
    with Archive.create(tmp_path / "archive")[0] as archive:
        archive.save("hostile", hostile_article("one."), at=parse_time("2020-01-01"))
        archive.save("hostile", hostile_article("two."), at=parse_time("2020-01-02"))
        build_all(archive, tmp_path / "out")
    pages = list((tmp_path / "out").rglob("*.html"))
    assert len(pages) == 5
    for page in pages:
        html = page.read_text(encoding="utf-8")
        assert not re.search(
            r"<(script|iframe|svg|img)\b", html.replace('<svg class="chart"', "")
        ), page
        assert "javascript:" not in re.sub(
            r"&[a-z]+;|&#\d+;", "", "".join(re.findall(r'href="([^"]*)"', html))
        )
        assert "49" not in html or "{{ 7*7 }}" in html
    change = (tmp_path / "out" / "hostile" / "changes-1-2.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in change
    assert "{{ 7*7 }}" in change


def test_source_links_only_for_http_urls() -> None:
    article = read_article_file(SEED_STORY / "v2.txt")
    for url, shown in [
        ("https://example.com/a", True),
        ("javascript:alert(1)", False),
        ("data:text/html,x", False),
        ("ftp://example.com/x", False),
    ]:
        bad = replace(article, meta=replace(article.meta, url=url))
        page = render_change_page(compare(Side("a", article), Side("b", bad)))
        assert (f'href="{url}"' in page) is shown


def test_report_cli(seeded: Cli, tmp_path: Path) -> None:
    out = tmp_path / "r"
    result = seeded("report", STORY, "--reports", str(out))
    assert result.code == 0, result.stderr
    assert (out / STORY / "index.html").exists()
    one = seeded("report", STORY, "1", "3", "-o", str(tmp_path / "one.html"))
    assert one.stdout == f"Wrote {tmp_path / 'one.html'}\n"
    page = (tmp_path / "one.html").read_text(encoding="utf-8")
    assert "All stories" not in page  # a standalone page has no links to other pages
    everything = seeded("report", "--all", "--reports", str(out))
    assert everything.stdout.startswith("Rendered 1 story (0 unchanged)")
    again = seeded("report", "--all", "--reports", str(out))
    assert again.stdout.startswith("Rendered 0 stories (1 unchanged)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report"], "Error: give a story id, or --all for every story"),
        (["report", STORY, "--all"], "Error: give a story id or --all, not both"),
        (["report", STORY, "1"], "Error: give both versions to compare (OLD NEW), or neither"),
        (["report", STORY, "-o", "x.html"], "Error: --output goes with two versions (OLD NEW)"),
        (
            ["report", STORY, "1", "9"],
            f"Error: story '{STORY}' has no version 9 (it has 3 versions)",
        ),
        (
            ["report", "index.html"],
            "Error: story id 'index.html' cannot be reported: it is the index's file name",
        ),
    ],
)
def test_report_errors(seeded: Cli, args: list[str], message: str) -> None:
    result = seeded(*args)
    assert (result.code, result.stderr) == (1, message + "\n")


def test_html_format_of_diff(seeded: Cli) -> None:
    result = seeded("diff", STORY, "--format", "html")
    assert result.stdout.startswith("<!DOCTYPE html>")
    assert "<del>Armenia</del>" in result.stdout


def test_build_story_for_single_story(seeded_archive: Archive, tmp_path: Path) -> None:
    entry = build_story(seeded_archive, STORY, tmp_path)
    assert entry == {
        "headline": "Fighting between Armenia, Azerbaijan dampens optimism for U.S. talks",
        "versions": 3,
        "last_seen": "2020-10-23T14:30:00Z",
        "undisclosed": 0,
    }
