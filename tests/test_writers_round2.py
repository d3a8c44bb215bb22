"""Writer defects an outside tester found, each read back as an independent reader would: Word's internal links
and bookmarks, HTML notes' back-links, the Markdown writer read back by the parser, tables that touch, pictures
with spaces or CJK letters in their names or wider than the page, and resolution clauses typed like Markdown."""

from __future__ import annotations

import dataclasses
import io
import json
import re
import shutil
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path
from typing import Any

import docx
import lxml.html
import pytest
from lxml import etree

from briefkit.document import parse
from briefkit.errors import BriefkitError
from briefkit.render.html import write_html
from briefkit.render.markdown import render_markdown
from briefkit.render.settings import RenderSettings
from briefkit.tree import CodeBlock, Image, Paragraph
from briefkit.workspace import Workspace
from commonmark_support import SPEC
from docx_support import REPO, docx_bytes, validation_problems

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _body(data: bytes) -> etree._Element:
    assert validation_problems(data) == []
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read("word/document.xml")).find(f"{W}body")


def _text(element: etree._Element) -> str:
    return "".join(t.text or "" for t in element.iter(f"{W}t"))


# 1. Word: every heading a bookmark of its own, every internal link to its heading ----------------------------

LONG = "The protection of victims of trafficking in the Mekong region"  # 61 letters; differ after 40
HEADINGS = ["# Brief", f"## {LONG}: prevention", f"## {LONG}: prosecution", "## 背景介绍", "## 国际合作",
            "## التعاون الدولي", "## الوقاية", "## 2024 review", "## Résumé", "## Résumé"]


def test_every_heading_has_its_own_valid_bookmark_and_each_internal_link_lands_on_its_heading():
    document = parse("\n\n".join(HEADINGS) + "\n")
    anchors = [node.anchor for node in document.children]
    links = " ".join(f"[to {index}](#{anchor})" for index, anchor in enumerate(anchors))
    body = _body(docx_bytes("\n\n".join(HEADINGS) + f"\n\n{links}\n"))
    bookmarks = {}
    for start in body.iter(f"{W}bookmarkStart"):
        name = start.get(f"{W}name")
        if not name.startswith("_"):  # Word's hidden bookmarks (notes' references) start with '_'
            bookmarks[name] = _text(start.getparent())
    assert len(bookmarks) == len(HEADINGS)  # none lost to a shared name
    assert all(re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,39}", name) for name in bookmarks)
    assert len({name.lower() for name in bookmarks}) == len(bookmarks)
    shown = [heading.split(" ", 1)[1] for heading in HEADINGS]
    landed = {}
    for link in body.iter(f"{W}hyperlink"):
        landed[int(_text(link).removeprefix("to "))] = bookmarks[link.get(f"{W}anchor")]
    assert landed == dict(enumerate(shown))


def test_a_link_to_an_anchor_no_heading_has_keeps_its_text_without_a_dead_link():
    body = _body(docx_bytes("# Title\n\nSee [the annex](#annex) and [the title](#title).\n"))
    names = [start.get(f"{W}name") for start in body.iter(f"{W}bookmarkStart")]
    assert [(_text(link), link.get(f"{W}anchor") in names) for link in body.iter(f"{W}hyperlink")] == [
        ("the title", True)]
    assert "See the annex and the title." in [_text(p) for p in body.iter(f"{W}p")]


# 2. HTML: each note's back-link goes to its first reference in the body --------------------------------------

NOTES = """# Notes

Alpha.[^a] Beta.[^b] Gamma.[^c] Alpha again.[^a]

[^a]: Note A.
[^b]: Note B, which cites A[^a] and C[^c].
[^c]: Note C, citing B[^b].
"""


def test_each_notes_back_link_goes_to_its_first_reference_in_the_body():
    page = lxml.html.fromstring(write_html(parse(NOTES), RenderSettings()))
    notes = page.xpath("//section[@class='footnotes']//li")
    assert len(notes) == 3
    for note in notes:
        href = f"#{note.get('id')}"
        back = note.xpath(".//a[@class='footnote-backref']")[0].get("href")
        target = page.xpath("//*[@id=$id]", id=back[1:])
        assert len(target) == 1 and target[0].get("href") == href  # a reference to this same note
        first = page.xpath("//a[@href=$href]", href=href)[0]
        assert first is target[0] and not first.xpath("ancestor::section")  # the first, in the body


# 3. Markdown: what the writer writes reads back as the same document -------------------------------------------

def _shape(node: Any) -> Any:
    """A node as comparable values, without the lines it came from (they move when the text is rewritten) and
    notes' labels (the writer labels notes by number, as they are shown)."""
    if isinstance(node, CodeBlock) and node.text and not node.text.endswith("\n"):
        node = dataclasses.replace(node, text=node.text + "\n")  # a fence left open at the end: written closed
    if dataclasses.is_dataclass(node):
        return (type(node).__name__, *((f.name, _shape(getattr(node, f.name))) for f in dataclasses.fields(node)
                                       if f.name not in ("line", "source", "label")))
    if isinstance(node, tuple):
        return tuple(_shape(item) for item in node)
    return node


def _spec_inputs() -> list[tuple[int, str]]:
    """Every example's Markdown in the CommonMark specification, raw HTML and entities too (briefkit's text)."""
    fence = "`" * 32
    found = re.findall(rf"^{fence} example\n(.*?)^\.\n", SPEC.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)
    return [(number, text.replace("→", "\t")) for number, text in enumerate(found, 1)]


SPEC_INPUTS = _spec_inputs()


def _written(markdown: str) -> str:
    return render_markdown(parse(markdown), {}).decode().split("---\n", 2)[2].removeprefix("\n")


def test_every_commonmark_example_reads_back_as_the_same_tree():
    assert len(SPEC_INPUTS) == 655
    changed = [number for number, text in SPEC_INPUTS if _shape(parse(_written(text))) != _shape(parse(text))]
    assert changed == []


READ_BACK = {
    "three bullet lists": "- a\n* b\n- c\n",
    "four bullet lists": "- a\n* b\n- c\n* d\n",
    "three ordered lists": "1. x\n1) y\n1. z\n",
    "lists in a row inside an item": "1. a\n   - b\n   * c\n   - d\n",
    "lists in a row inside a quote": "> - a\n> * b\n> - c\n",
    "a list after a list whose item holds a list": "- a\n  1. b\n* c\n",
    "emphases side by side": "_a_*b*\n",
    "emphasis in emphasis": "*_foo_*\n",
    "emphasis in emphasis, then text": "*_foo_ bar*\n",
    "emphasis in emphasis between punctuation": "*[x](/u)_!_===>(*\n",
    "emphasis in strong": "__*a*__\n",
    "strongs side by side": "__a__**b**\n",
    "emphases in a word": "_a_*b*x\n",
    "a heading ending in #": "# foo \\#\n",
    "a heading that is only #": "# # #\n",
    "an e-mail autolink": "<x@y.org>\n",
    "a ! before a link": "\\![foo](/url)\n",
    "a ! before a note": "Wow\\![^1]\n\n[^1]: A note.\n",
    "a rule in a list item": "- * * *\n",
    "a rule under a paragraph in a tight item": "- a\n  ***\n",
    "lists in lists, the last item empty": "- - + \n",
    "a two-line heading": "Foo\nbar\n===\n",
    "a hard break first in emphasis": "a *\\\nb*\n",
    "a line that is only a hard break": "a\n\\\nb\n",
    "a fence's info with a backtick": "~~~ a`b\ncode\n~~~\n",
    "a fence's info starting with a tilde": "~~~ \\~x\ncode\n~~~\n",
    "a fence's info with escapes": "``` a\\\\b&amp;\ncode\n```\n",
    "a table, strike and notes": "| a | *b* |\n|:--|--:|\n| `c|d` | ~~e~~ |\n\nText.[^n]\n\n[^n]: A note.\n",
    "pictures with a space and CJK": "![x](<images/my chart.png>) ![y](images/图表.png) ![z](images/a%2541.png)\n",
}


@pytest.mark.parametrize("markdown", READ_BACK.values(), ids=READ_BACK.keys())
def test_markdown_written_reads_back_as_the_same_tree(markdown):
    assert _shape(parse(_written(markdown))) == _shape(parse(markdown))


def test_lists_in_a_row_take_alternating_markers():
    assert _written("- a\n* b\n- c\n") == "- a\n\n* b\n\n- c\n"
    assert _written("1. x\n1) y\n1. z\n") == "1. x\n\n1) y\n\n1. z\n"


def test_a_picture_is_written_with_the_file_name_github_reads():
    written = _written("![x](<images/my chart.png>)\n\n![y](images/图表.png)\n")
    assert written == "![x](<images/my chart.png>)\n\n![y](images/图表.png)\n"


# 4. Word: two tables separated by a blank line stay two tables ------------------------------------------------

TWO_TABLES = "| a | b |\n|---|---|\n| 1 | 2 |\n\n| c | d |\n|---|---|\n| 3 | 4 |\n"


def test_tables_in_a_row_are_kept_apart_by_a_paragraph():
    body = _body(docx_bytes(TWO_TABLES))
    kinds = [etree.QName(child).localname for child in body if etree.QName(child).localname != "sectPr"]
    assert kinds == ["tbl", "p", "tbl"]
    assert [[cell.text for cell in table.rows[0].cells]
            for table in docx.Document(io.BytesIO(docx_bytes(TWO_TABLES))).tables] == [["a", "b"], ["c", "d"]]


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_two_tables(tmp_path):
    (tmp_path / "t.docx").write_bytes(docx_bytes(TWO_TABLES))
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "html", "--outdir", str(tmp_path), str(tmp_path / "t.docx")], capture_output=True, timeout=300,
                   check=True)
    page = lxml.html.fromstring((tmp_path / "t.html").read_bytes())
    tables = page.xpath("//table")
    assert len(tables) == 2 and ["".join(t.itertext()).split() for t in tables] == [["a", "b", "1", "2"],
                                                                                     ["c", "d", "3", "4"]]


# 5 and 6. Pictures: names with spaces or CJK letters, a width in %, a picture wider than the page ------------

def _png(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\0" + b"\0\0\0" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def pictures(tmp_path: Path) -> Path:
    images = tmp_path / "snippets" / "images"
    images.mkdir(parents=True)
    for name in ("my chart.png", "图表.png", "dot.png"):
        (images / name).write_bytes(_png(2, 1))
    (images / "wide.png").write_bytes(_png(20000, 2))  # 20,000 px at 72 dpi: over 7 m
    (tmp_path / "secret.png").write_bytes(_png(2, 1))
    return tmp_path


NAMED = "![Chart](<images/my chart.png>)\n\n![图](images/图表.png)\n"


def test_pictures_named_with_spaces_or_cjk_letters_are_found_in_word_and_html(pictures):
    document = docx.Document(io.BytesIO(docx_bytes(NAMED, root=pictures)))
    assert [shape._inline.docPr.get("descr") for shape in document.inline_shapes] == ["Chart", "图"]
    settings = RenderSettings(layers=Workspace.open(pictures).layers, origin=REPO / "t.yaml")
    page = lxml.html.fromstring(write_html(parse(NAMED), settings))
    assert [img.get("src")[:22] for img in page.xpath("//img")] == ["data:image/png;base64,"] * 2


@pytest.mark.parametrize("src", ["images/%2E%2E/%2E%2E/secret.png", "%2E%2E/secret.png", "%2Fetc%2Fpasswd",
                                 "images/..%2F..%2Fsecret.png", "images%5Cdot.png", "images/%00dot.png"])
def test_a_decoded_picture_path_still_cannot_leave_the_workspace(pictures, src):
    with pytest.raises(BriefkitError, match="not found in the workspace"):
        docx_bytes(f"![x]({src})\n", root=pictures)


def _text_width_emu(document: docx.document.Document) -> int:
    section = document.sections[0]
    return section.page_width - section.left_margin - section.right_margin


def test_a_picture_wider_than_the_page_is_shrunk_to_the_text_width(pictures):
    for markdown in ("![wide](images/wide.png)\n", "![dot](images/dot.png){ width=200cm }\n"):
        document = docx.Document(io.BytesIO(docx_bytes(markdown, root=pictures)))
        shape = document.inline_shapes[0]
        assert abs(shape.width - _text_width_emu(document)) < 12700  # within a point
        assert shape.height > 0
    in_a_list = docx.Document(io.BytesIO(docx_bytes("- ![wide](images/wide.png)\n", root=pictures)))
    assert in_a_list.inline_shapes[0].width < _text_width_emu(in_a_list)  # the list's indent is room taken


def test_the_width_hint_shows_forms_that_work(pictures):
    with pytest.raises(BriefkitError) as caught:
        docx_bytes("![dot](images/dot.png){ width=wide }\n", root=pictures)
    hint = caught.value.problems[0].hint or ""
    forms = re.findall(r"\{ width=[^}]+ \}", hint)
    assert '{ width="50%" }' in forms and len(forms) >= 2
    for form in forms:
        image = parse(f"![dot](images/dot.png){form}\n").children[0]
        assert isinstance(image, Paragraph) and isinstance(image.children[0], Image) and image.children[0].width
        document = docx.Document(io.BytesIO(docx_bytes(f"![dot](images/dot.png){form}\n", root=pictures)))
        assert document.inline_shapes[0].width <= _text_width_emu(document)
    half = docx.Document(io.BytesIO(docx_bytes('![dot](images/dot.png){ width="50%" }\n', root=pictures)))
    assert abs(half.inline_shapes[0].width - _text_width_emu(half) / 2) < 12700


# 7. Resolutions: a sub-clause typed like Markdown prints as typed ------------------------------------------------

SUB_CLAUSES = ["7. a clause", "- a bullet", "# a heading", "> a quote", "+ a plus", "* a star", "===",
               "---", "1) one"]


def _resolution() -> str:
    subs = "".join(f"        - {json.dumps(text)}\n" for text in SUB_CLAUSES)  # a JSON string is a YAML one
    return ("kind: resolution\ncountry: CHN\ncommittee: csw\ntopic: A test topic\nclauses:\n  tags: []\n"
            "  preambular:\n    - Recalling the first instrument\n  operative:\n"
            "    - text: Urges States to act as follows\n      sub:\n" + subs
            + "    - Requests a report on progress\n")


def test_sub_clauses_typed_like_markdown_print_as_typed(mini, cli, tmp_path):
    (mini / "briefs" / "good.yaml").write_text(_resolution(), encoding="utf-8")
    out = tmp_path / "out"
    result = cli("build", "--root", mini, "--out", out, "--format", "docx,txt,html")
    assert result.code == 0, result.err
    data = next(out.glob("*.docx")).read_bytes()
    assert validation_problems(data) == []
    document = docx.Document(io.BytesIO(data))
    subs = [p for p in document.paragraphs if p._p.pPr is not None and p._p.pPr.numPr is not None
            and p._p.pPr.numPr.ilvl.val == 2]  # level 0: preambular, 1: operative clauses, 2: (a)
    assert [p.text for p in subs] == [f"{text};" for text in SUB_CLAUSES]  # no empty "(a)" before any
    assert {p.style.name for p in subs} == {"Sub-clause 1"}  # no heading, quote or rule
    text = next(out.glob("*.txt")).read_text(encoding="utf-8")
    labels = [f"({chr(ord('a') + index)}) {clause};" for index, clause in enumerate(SUB_CLAUSES)]
    lines = [line.strip() for line in text.splitlines()]
    assert [line for line in lines if line in labels] == labels
    page = lxml.html.fromstring(next(out.glob("*.html")).read_bytes())
    items = page.xpath("//ol/li/ol/li")
    assert [" ".join(li.text_content().split()) for li in items] == labels  # labelled as Word labels them
    assert not page.xpath("//li//h1 | //li//h2 | //li//blockquote | //li//hr | //li//ul")

