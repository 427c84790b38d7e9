"""The HTML reports in a real browser: headless Chromium driven by Playwright.

Chromium comes from Debian (``.ci/install-browser``); Playwright's own browser downloads are
never used. Without Chromium these tests are skipped, except in CI, where they must run.
Set STORYDIFF_SCREENSHOTS to a folder to keep the screenshots for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from storydiff.archive import Archive
from storydiff.model import parse_time
from storydiff.reports import build_all

from .conftest import STORY, Cli
from .test_reports import hostile_article

pytestmark = pytest.mark.browser

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail(
                "CI must run the browser tests: .ci/install-browser did not install Chromium"
            )
        pytest.skip("no Chromium installed (run .ci/install-browser as root)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Watched:
    """A page that records console errors, dialogs and every request it makes."""

    def __init__(self, browser: Any, width: int) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", self._dialog)
        self.page.on("request", lambda r: self.requests.append(r.url))

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def open(self, path: Path) -> Any:
        self.page.goto(path.as_uri())
        return self.page


@pytest.fixture
def reports(seeded: Cli, archive_path: Path, tmp_path: Path) -> Path:
    with Archive.open(archive_path) as archive:
        build_all(archive, tmp_path / "reports")
    return tmp_path / "reports"


def screenshot(page: Any, tmp_path: Path, name: str) -> None:
    path = tmp_path / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    keep = os.environ.get("STORYDIFF_SCREENSHOTS")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(keep) / path.name)


@pytest.mark.parametrize(("width", "label"), [(1280, "desktop"), (390, "phone")])
def test_change_page_toggle_anchors_and_isolation(
    browser: Any, reports: Path, tmp_path: Path, width: int, label: str
) -> None:
    watched = Watched(browser, width)
    path = reports / STORY / "changes-1-2.html"
    page = watched.open(path)
    assert page.is_visible(".inline-view") and not page.is_visible(".side-view")
    # The note's claims link to paragraphs 13 and 16, and those anchors exist.
    for anchor in ("#p13", "#p16"):
        assert page.locator(f'.claims a[href="{anchor}"]').count() >= 1
        assert page.locator(anchor).count() == 1
    page.locator('.claims a[href="#p16"]').first.click()
    assert page.evaluate("location.hash") == "#p16"
    screenshot(page, tmp_path, f"change-inline-{label}")
    page.click('label[for="view-side"]')
    assert page.is_visible(".side-view") and not page.is_visible(".inline-view")
    assert page.locator(".side-view .row.insert").count() == 6
    screenshot(page, tmp_path, f"change-side-{label}")
    page.click('label[for="view-inline"]')
    assert page.is_visible(".inline-view")
    # Folded paragraphs open on demand.
    fold = page.locator(".inline-view details.fold").first
    assert not fold.locator(".para").first.is_visible()
    fold.locator("summary").click()
    assert fold.locator(".para").first.is_visible()
    assert watched.errors == []
    assert watched.requests == [path.as_uri()]


def test_timeline_index_and_version_pages(browser: Any, reports: Path, tmp_path: Path) -> None:
    watched = Watched(browser, 1280)
    page = watched.open(reports / "index.html")
    page.click(f'a[href="{STORY}/index.html"]')
    assert page.locator("table.timeline tbody tr").count() == 3
    assert page.locator("svg.chart circle").count() == 3
    screenshot(page, tmp_path, "timeline-desktop")
    page.click('a[href="changes-2-3.html"]')
    assert page.locator("ins", has_text="Azerbaijan").count() >= 1
    page.click('a[href="v3.html"]')
    assert page.locator("#p12").inner_text().startswith("¶ 12")
    assert watched.errors == [] and watched.dialogs == []
    assert all(url.startswith("file://") for url in watched.requests)


def test_hostile_article_stays_inert(browser: Any, tmp_path: Path) -> None:
    with Archive.create(tmp_path / "archive")[0] as archive:
        archive.save("hostile", hostile_article("one."), at=parse_time("2020-01-01"))
        archive.save("hostile", hostile_article("two."), at=parse_time("2020-01-02"))
        build_all(archive, tmp_path / "out")
    watched = Watched(browser, 1280)
    for path in sorted((tmp_path / "out").rglob("*.html")):
        page = watched.open(path)
        page.wait_for_timeout(50)
        assert page.locator("main script, main iframe, main img").count() == 0, path
    page = watched.open(tmp_path / "out" / "hostile" / "changes-1-2.html")
    text = page.inner_text("body")
    assert "<script>alert(1)</script>" in text
    assert "<img src=x onerror=alert(2)>" in text
    assert "{{ 7*7 }}" in text
    assert watched.dialogs == []
    assert all(url.startswith("file://") for url in watched.requests)


XSS_PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    '<a href="javascript:alert(1)">click</a>',
    "<body onload=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "{{ 7*7 }}",
    "{% raw %}{{ config }}",
    "${7*7} #{7*7}",
    "<style>@import 'http://evil.example/x.css';</style>",
    "<link rel=stylesheet href=http://evil.example/x.css>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="http://evil.example/">',
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!-- ]]><script>alert(1)</script>",
    '<object data="javascript:alert(1)"></object>',
    "<input autofocus onfocus=alert(1)>",
]
URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    'https://example.com/"><script>alert(1)</script>',
    "vbscript:msgbox(1)",
]


def xss_story(folder: Path, index: int, payload: str) -> None:
    folder.mkdir(parents=True)
    for version in (1, 2):
        front = (
            f"---\nstory: xss-{index}\nurl: {URLS[index % len(URLS)]}\nbyline: {payload}\n"
            f"source: {payload}\nupdated: 2020-10-23T1{version}:00:00Z\n---\n"
        )
        body = [f"Headline {payload}", f"(Adds {payload} in paragraph 2)", f"Lede {payload}."]
        body.append(f"Second {payload} version {version}.")
        (folder / f"v{version}.txt").write_text(front + "\n\n".join(body) + "\n", encoding="utf-8")


def test_xss_corpus_stays_inert_in_every_field(browser: Any, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds"
    for index, payload in enumerate(XSS_PAYLOADS):
        xss_story(seeds / f"xss-{index}", index, payload)
    from typer.testing import CliRunner

    cli = Cli(tmp_path / "archive", CliRunner())
    assert cli("import", str(seeds)).code == 0
    assert cli("report", "--all", "--reports", str(tmp_path / "out")).code == 0
    watched = Watched(browser, 1024)
    watched.page.add_init_script("window.__xss = 0; window.alert = () => { window.__xss += 1; };")
    pages = [tmp_path / "out" / "index.html"]
    for index in range(len(XSS_PAYLOADS)):
        folder = tmp_path / "out" / f"xss-{index}"
        pages += [folder / "changes-1-2.html", folder / "index.html", folder / "v2.html"]
    for path in pages:
        page = watched.open(path)
        page.wait_for_timeout(20)
        injected = (
            "main script, main iframe, main img, main object, main link, main style, "
            "main base, main meta, main input:not(.view-toggle), main details[ontoggle], "
            "body[onload]"
        )
        assert page.locator(injected).count() == 0, path
        assert page.evaluate("window.__xss") == 0, path
        if path.name == "changes-1-2.html":
            payload = XSS_PAYLOADS[int(path.parent.name.split("-")[1])]
            text = page.inner_text("body")
            assert f"Headline {payload}" in text, path
            assert f"Lede {payload}." in text, path
    assert watched.dialogs == []
    assert all(url.startswith("file://") for url in watched.requests), set(watched.requests)
    print(f"\n{len(XSS_PAYLOADS)} payloads x 6 fields, {len(pages)} pages checked in Chromium")
