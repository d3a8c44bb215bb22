"""HTML output: one standalone file, print CSS for the conference's paper, notes with back links; it runs no
script and loads nothing (safe links only, pictures embedded, a Content-Security-Policy)."""

from __future__ import annotations

import base64
import re
import shutil
from html.parser import HTMLParser

import pytest

from briefkit.document import parse
from briefkit.errors import BriefkitError
from briefkit.render.html import CSP, safe_link, write_html
from briefkit.render.settings import RenderSettings
from briefkit.workspace import Workspace
from conftest import FIXTURES
from docx_support import REPO

PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8"
                        "cfc0f01f0005000201e2f0c5a90000000049454e44ae426082")


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []
        self.attributes: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.attributes |= {name for name, _ in attrs}
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "a":
            self.links.append(found.get("href") or "")
        if tag in ("link", "script", "iframe", "object", "embed") or (
                tag == "img" and not (found.get("src") or "").startswith("data:image/")):
            self.sources.append(tag)


def _page(markdown: str, tmp_path=None) -> str:
    ws = Workspace.open(tmp_path or REPO)
    return write_html(parse(markdown), RenderSettings(layers=ws.layers, origin=REPO / "t.yaml")).decode()


def test_html_is_standalone_with_print_css_and_linked_notes(tmp_path, cli):
    out = tmp_path / "out"
    cli("build", "china-csw", "china-opening-speech", "--format", "html", "--out", out)
    page = (out / "CSW_China_Example_University.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en-GB" dir="ltr">' in page
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "@page { size: letter; margin: 2.54cm" in page  # NMUN: US Letter, one-inch margins
    assert 'font-family: "Times New Roman"' in page and "font-size: 11pt" in page
    assert "<title>Position Paper: China, Commission on the Status of Women</title>" in page
    parsed = _Collect()
    parsed.feed(page)
    notes = [link[1:] for link in parsed.links if link.startswith("#fn:")]
    backs = [link[1:] for link in parsed.links if link.startswith("#fnref:")]
    assert notes and len(backs) == len(set(notes))
    assert set(notes) | set(backs) <= parsed.ids  # every note and every back link lands somewhere
    assert [int(n[3:]) for n in dict.fromkeys(notes)] == list(range(1, len(set(notes)) + 1))  # reading order
    assert parsed.sources == []  # no stylesheet, script or remote image to fetch
    speech = (out / "china-opening-speech-third-committee.html").read_text(encoding="utf-8")
    assert "@page { size: A4;" in speech  # THIMUN
    assert re.search(r"Speaking time: about \d+ s \(\d+ words", speech)


def test_html_rebuilds_byte_identical(tmp_path, cli):
    first, second = tmp_path / "a", tmp_path / "b"
    for out in (first, second):
        assert cli("build", "china-third-committee-resolution", "--format", "html", "--out", out).code == 0
    name = "china-third-committee-resolution-third-committee.html"
    assert (first / name).read_bytes() == (second / name).read_bytes()
    assert 'class="kind-resolution"' in (first / name).read_text(encoding="utf-8")


def test_html_matches_golden(tmp_path, cli, golden):
    for workspace in ("mini", "climate-fra"):
        out = tmp_path / workspace
        assert cli("build", "--root", FIXTURES / workspace, "--out", out, "--format", "html").code == 0
        for path in sorted(out.glob("*.html")):
            golden(f"{workspace}/{path.name}", path.read_bytes())
    page = (tmp_path / "mini" / "good-third-committee.html").read_text()
    notes, heading = page.index('<section class="footnotes" aria-label="Notes">'), page.index('class="references">Bibliography</h2>')
    assert notes < heading < page.index('<div class="references">\n<p>Test Organisation.')  # notes, then sources


@pytest.mark.parametrize("href", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
                                  "vbscript:msgbox", "file:///etc/passwd", "ftp://example.org/x"])
def test_unsafe_links_become_their_text(href):
    page = _page(f"[click me](<{href}>) and <{href}>\n")
    parsed = _Collect()
    parsed.feed(page)
    assert parsed.links == [] and "click me" in page


@pytest.mark.parametrize("href", ["https://example.org/a?b=1&c=2", "http://example.org/", "mailto:un@example.org",
                                  "relative/page.html", "#a-heading", "/rooted"])
def test_safe_links_stay_links(href):
    assert safe_link(href)
    parsed = _Collect()
    parsed.feed(_page(f"[x](<{href}>)\n"))
    assert len(parsed.links) == 1


def test_text_never_becomes_markup_events_or_styles():
    page = _page('<script>alert(1)</script> <img src=x onerror="alert(1)"> <b style="color:red">b</b> '
                 "`code <b>&amp;</b>` &amp; &copy;\n\n<div onclick=\"x()\">\n")
    parsed = _Collect()
    parsed.feed(page)
    assert parsed.sources == [] and not {a for a in parsed.attributes if a.startswith("on") or a == "style"}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<code>code &lt;b&gt;&amp;amp;&lt;/b&gt;</code>" in page  # shows `code <b>&amp;</b>` as typed
    assert "&amp;amp; &amp;copy;" in page


def test_images_are_embedded_and_a_bad_one_is_a_located_error(tmp_path):
    figures = tmp_path / "snippets" / "figures"
    figures.mkdir(parents=True)
    (figures / "dot.png").write_bytes(PNG_1X1)
    (figures / "fake.png").write_text("<svg onload=alert(1)>")
    page = _page("Intro.\n\n![A dot](figures/dot.png)\n", tmp_path)
    assert f'src="data:image/png;base64,{base64.b64encode(PNG_1X1).decode()}"' in page
    with pytest.raises(BriefkitError, match=r"image 'figures/missing.png' not found .*line 3 of the composed text"):
        _page("Intro.\n\n![gone](figures/missing.png)\n", tmp_path)
    with pytest.raises(BriefkitError, match="'figures/fake.png' is not a PNG, JPEG or GIF image"):
        _page("![fake](figures/fake.png)\n", tmp_path)
    with pytest.raises(BriefkitError, match="briefkit loads nothing from the network"):
        _page("![remote](https://example.org/x.png)\n", tmp_path)


def test_an_image_linked_from_outside_its_layer_is_refused(tmp_path):
    outside = tmp_path / "outside.png"
    outside.write_bytes(PNG_1X1)
    (tmp_path / "ws" / "snippets").mkdir(parents=True)
    (tmp_path / "ws" / "snippets" / "leak.png").symlink_to(outside)
    with pytest.raises(BriefkitError, match="leads outside"):
        _page("![x](leak.png)\n", tmp_path / "ws")
    shutil.rmtree(tmp_path / "ws")
