"""HTML output: one standalone file, print CSS for the conference's paper, notes with back links."""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.links: list[str] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"] or "")
        if tag == "a" and (found.get("href") or "").startswith("#"):
            self.links.append((found.get("href") or "")[1:])
        if tag in ("link", "script") or (tag == "img" and (found.get("src") or "").startswith("http")):
            self.sources.append(tag)


def test_html_is_standalone_with_print_css_and_linked_notes(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "china-csw", "china-opening-speech", "--format", "html", "--out", out).code == 0
    page = (out / "CSW_China_Example_University.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<html lang="en-GB">' in page
    assert "@page { size: letter; margin: 2.54cm" in page  # NMUN: US Letter, one-inch margins
    assert 'font-family: "Times New Roman"' in page and "font-size: 11pt" in page
    assert "<title>Position Paper: China, Commission on the Status of Women</title>" in page
    parsed = _Collect()
    parsed.feed(page)
    notes = [link for link in parsed.links if link.startswith("fn:")]
    backs = [link for link in parsed.links if link.startswith("fnref:")]
    assert notes and len(backs) == len(set(notes))
    assert set(notes) | set(backs) <= parsed.ids  # every note and every back link lands somewhere
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
