"""`briefkit serve` in a real browser: headless Chromium (Debian's `chromium`, driven by Playwright with the
system browser; no browser download). The index, a brief's page updating live on an edit without a reload
(scroll position kept), the problems overlay at the file and line, gone when fixed, the index following along,
markup in a snippet shown as text, and no request leaving 127.0.0.1. Takes the README's screenshot."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import REPO
from serve_support import serve, settled

sync_api = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')")
CHROMIUM = shutil.which("chromium") or next((p for p in ("/usr/bin/chromium",) if Path(p).is_file()), None)
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no Chromium installed (Debian: apt-get install chromium; "
                                                         ".ci/run installs it)")
SCREENSHOT = REPO / "docs" / "serve.png"

BRIEF = """kind: position-paper
country: CHN
committee: csw
conference: nmun-ny
school: Example University
date: 2027-03-20
disclosure: The delegation wrote and sourced this paper itself; no generative AI was used.
topics:
  - title: Trafficking in women and girls
    sections:
      - heading: Background
        use: [context/global-picture]
      - heading: What we ask for
        use: [notes/asks]
      - heading: International framework
        use: [instruments/palermo-protocol, instruments/cedaw-article-6]
"""
ASKS = """---
title: What we ask for
tags: [recommendation]
---
{{ country.short_name }} asks the {{ committee.short_name }} to fund survivor services in every region.
"""


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, headless=True)
        yield launched
        launched.close()


@pytest.fixture
def delegation(tmp_path, cli, monkeypatch) -> Path:
    """A workspace as `briefkit init --library trafficking-women` makes it, with a position paper that uses one
    snippet of the delegation's own (notes/asks) among the library's."""
    monkeypatch.chdir(tmp_path)
    assert cli("init", "delegation", "--library", "trafficking-women").code == 0
    root = tmp_path / "delegation"
    (root / "snippets" / "notes" / "asks.md").write_text(ASKS, encoding="utf-8")
    (root / "briefs" / "china-csw.yaml").write_text(BRIEF, encoding="utf-8")
    return root


def test_a_brief_updates_live_in_the_browser_and_shows_problems_where_they_are(delegation, browser, request,
                                                                                tmp_path):
    running = serve(delegation)
    requests: list[str] = []
    errors: list[str] = []
    context = browser.new_context(viewport={"width": 1280, "height": 820})
    context.on("request", lambda r: requests.append(r.url))
    context.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    try:
        settled(running)
        index = context.new_page()
        index.set_default_timeout(15000)
        index.goto(running.url + "/")
        index.get_by_text("live", exact=True).wait_for()
        rows = index.locator("tr.brief")
        assert sorted(rows.locator("a").all_inner_texts()) == ["china-csw", "example"]
        china = rows.filter(has_text="china-csw")
        assert "built" in china.inner_text() and "words" in china.inner_text() and "limit 2" in china.inner_text()

        page = context.new_page()
        page.set_default_timeout(15000)
        page.goto(running.url + "/")
        page.get_by_role("link", name="china-csw").click()
        page.get_by_text("live", exact=True).wait_for()
        frame = page.frame_locator("#page")
        frame.get_by_role("heading", name="What we ask for").wait_for()
        assert "China asks the CSW to fund survivor services in every region." in frame.locator("main").inner_text()
        out = frame.locator("a[href^='https://']").first
        assert out.get_attribute("target") == "_blank" and out.get_attribute("rel") == "noopener noreferrer"
        page.evaluate("() => { window.notReloaded = true; }")
        page.evaluate("() => document.getElementById('page').contentWindow.scrollTo(0, 400)")

        asks = delegation / "snippets" / "notes" / "asks.md"
        asks.write_text(ASKS.replace("in every region", "in every province, edited live"), encoding="utf-8")
        frame.get_by_text("in every province, edited live").wait_for()
        assert page.evaluate("() => window.notReloaded") is True  # swapped in place, not reloaded
        assert page.evaluate("() => document.getElementById('page').contentWindow.scrollY") == 400
        page.evaluate("() => document.getElementById('page').contentWindow.scrollTo(0, 0)")  # for the screenshot

        asks.write_text(ASKS + "\nAnd {{ country.short_name }\n", encoding="utf-8")  # a mistake on line 7
        overlay = page.locator("#overlay")
        overlay.wait_for(state="visible")
        shown = overlay.inner_text()
        assert "snippets/notes/asks.md:7" in shown and "template syntax error" in shown
        assert "7 | And {{ country.short_name }" in shown
        index.locator("tr.brief", has_text="china-csw").get_by_text("failed").wait_for()  # the index follows
        target = SCREENSHOT if request.config.getoption("--update-golden") else tmp_path / "serve.png"
        page.screenshot(path=str(target))
        assert target.stat().st_size > 10_000

        asks.write_text(ASKS.replace("{{ country.short_name }} asks",
                                     "<script>parent.document.title = 'owned'</script> {{ country.short_name }} "
                                     "asks"), encoding="utf-8")
        overlay.wait_for(state="hidden")
        frame.get_by_text("<script>parent.document.title = ").wait_for()  # shown as text (its quotes curled)
        assert page.title() != "owned"
        index.locator("tr.brief", has_text="china-csw").get_by_text("built", exact=True).wait_for()
    finally:
        context.close()
        running.stop()
    outside = [url for url in requests if not url.startswith(running.url + "/")]
    assert requests and outside == []
    assert errors == []  # no request refused, no policy violated
