"""A speech is a reading copy (SPEC 6): nothing in the spoken text that is not spoken, its sources after it and
apart from it, and type large enough to read at a lectern. Read back from Markdown, Word (python-docx and the
package's XML) and the PDF LibreOffice makes."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree

from conftest import validate_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SNIPPET = """---
title: Spoken
tags: [spoken]
sources: [mini-source]
---
Detected victims rose by a quarter[@mini-source, p. 12], most of them women and girls. [@mini-source] The
Protocol binds its parties[@mini-source; @council].

[@council] Cooperation across borders works.
"""
COUNCIL = ("council:\n  type: resolution\n  title: Resolution 2331 (2016)\n  author: United Nations Security Council\n"
           "  issued: 2016-12-20\n  url: https://undocs.org/S/RES/2331(2016)\n")
BRIEF = """kind: speech
country: CHN
committee: csw
conference: {conference}
topic: {{title: Trafficking, sections: [{{use: [mini/spoken]}}]}}
"""


def _build(mini: Path, cli, conference: str = "thimun", formats: str = "md,docx") -> Path:
    (mini / "snippets" / "mini" / "spoken.md").write_text(SNIPPET, encoding="utf-8")
    sources = mini / "snippets" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + COUNCIL, encoding="utf-8")
    (mini / "briefs" / "good.yaml").unlink()
    (mini / "briefs" / "talk.yaml").write_text(BRIEF.format(conference=conference), encoding="utf-8")
    result = cli("build", "--root", mini, "--format", formats)
    assert result.code == 0, result.err
    return mini / "build" / "talk-csw"


@pytest.mark.parametrize("conference", ["thimun", "generic"])  # MLA in text, Chicago notes: neither is read out
def test_the_spoken_text_holds_no_citation_and_the_sources_follow_apart(mini, cli, conference):
    out = _build(mini, cli, conference)
    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    spoken, _, after = markdown.partition("<!-- pagebreak -->")
    assert "[^" not in spoken and "Test Organisation" not in spoken and not re.search(r"\((Test|United)", spoken)
    assert "rose by a quarter, most of them women and girls. The\nProtocol binds its parties." in spoken
    assert "\nCooperation across borders works." in spoken  # a paragraph that began with a citation
    assert after.lstrip().startswith("## Sources\n")
    assert "Test Organisation. *A Small Report*" in after and "<https://undocs.org/S/RES/2331(2016)>" in after
    assert ", 12" not in after  # a source, not the page cited


def test_word_reading_copy_large_type_no_notes_sources_after_a_page_break(mini, cli):
    out = _build(mini, cli)
    path = out.with_suffix(".docx")
    validate_docx(path)
    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    sources = texts.index("Sources")
    assert not any("Test Organisation" in t or "Security Council" in t for t in texts[:sources])
    assert any(t.startswith("Test Organisation. A Small Report") for t in texts[sources + 1:])
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        styles = etree.fromstring(package.read("word/styles.xml"))
    assert not list(body.iter(W + "footnoteReference"))
    paragraphs = list(body.iter(W + "p"))
    heading = next(i for i, p in enumerate(paragraphs) if "".join(t.text or "" for t in p.iter(W + "t")) == "Sources")
    before = paragraphs[heading - 1:heading + 1]
    assert any(br.get(W + "type") == "page" for p in before for br in p.iter(W + "br")) or any(
        p.find(f"{W}pPr/{W}pageBreakBefore") is not None for p in before)
    normal = next(s for s in styles.iter(W + "style") if s.get(W + "styleId") == "Normal")
    assert normal.find(f"{W}rPr/{W}sz").get(W + "val") == "32"  # 16 pt, the kind's default reading size
    assert normal.find(f"{W}pPr/{W}spacing").get(W + "line") == "360"  # 1.5 lines


def test_a_conference_sets_its_own_reading_copy(mini, cli):
    thimun = Path(__file__).resolve().parents[1] / "templates" / "conferences" / "thimun.yaml"
    conferences = mini / "templates" / "conferences"
    conferences.mkdir(parents=True)
    (conferences / "big.yaml").write_text(thimun.read_text(encoding="utf-8").replace("name: The Hague", "name: Big")
                                          + "reading_font_size: 20\nreading_line_spacing: 2\n", encoding="utf-8")
    path = _build(mini, cli, "big").with_suffix(".docx")
    with zipfile.ZipFile(path) as package:
        styles = etree.fromstring(package.read("word/styles.xml"))
    normal = next(s for s in styles.iter(W + "style") if s.get(W + "styleId") == "Normal")
    assert normal.find(f"{W}rPr/{W}sz").get(W + "val") == "40"
    assert normal.find(f"{W}pPr/{W}spacing").get(W + "line") == "480"


def test_the_position_paper_keeps_the_conference_size(mini, cli):
    result = cli("build", "--root", mini, "--format", "docx")
    assert result.code == 0, result.err
    with zipfile.ZipFile(mini / "build" / "good-third-committee.docx") as package:
        styles = etree.fromstring(package.read("word/styles.xml"))
    normal = next(s for s in styles.iter(W + "style") if s.get(W + "styleId") == "Normal")
    assert normal.find(f"{W}rPr/{W}sz").get(W + "val") == "24"


def test_timing_counts_only_the_spoken_words(mini, cli):
    markdown = _build(mini, cli).with_suffix(".md").read_text(encoding="utf-8")
    words = int(re.search(r"\((\d+) words at 140", markdown).group(1))
    spoken = markdown.split("words a minute")[1].split("<!-- pagebreak -->")[0].split(")*", 1)[1]
    assert words == len(re.findall(r"\d+(?:[.,]\d+)*|[^\W\d][\w'’\-]*", spoken))


@pytest.mark.skipif(not (shutil.which("soffice") or shutil.which("libreoffice")), reason="needs LibreOffice")
def test_pdf_the_sources_are_on_a_page_of_their_own(mini, cli):
    path = _build(mini, cli, formats="pdf").with_suffix(".pdf")
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                           check=True).stdout.split("\f")
    pages = [p for p in pages if p.strip()]
    assert len(pages) >= 2
    assert "Sources" in pages[-1] and "Test Organisation" in pages[-1]
    assert not any("Test Organisation" in p or "Sources" in p for p in pages[:-1])
