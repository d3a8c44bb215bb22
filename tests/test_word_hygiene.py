"""Documents a careful delegate would sign (issue #14): what Word, a PDF reader and a printer show besides the
text, read back from the outputs: Word's compatibility mode, no leftovers of another program or template, the
disclosure page, tables, bookmarks, quotation marks, document properties in the header, internal notes marked,
tagged PDF, and the HTML's printed disclosure page."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from docx2python import docx2python
from lxml import etree

from briefkit.document import parse
from briefkit.pdf import soffice
from briefkit.render.docx import column_widths
from briefkit.render.package import BUILTIN, CLAUSE_STYLES
from briefkit.typography import curl_document, curl_text, marks_for
from conftest import REPO, validate_docx
from docx_support import docx_bytes, validation_problems
from test_docx import _word_reference

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TYPOGRAPHY = REPO / "src" / "briefkit" / "builtin" / "templates" / "typography.yaml"
needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")


def _part(path_or_data: Path | bytes, name: str) -> etree._Element:
    data = path_or_data.read_bytes() if isinstance(path_or_data, Path) else path_or_data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def _names(path_or_data: Path | bytes) -> list[str]:
    data = path_or_data.read_bytes() if isinstance(path_or_data, Path) else path_or_data
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return package.namelist()


def _leftovers(data: Path | bytes) -> list[str]:
    """What a careful reader of the package would call left over from somewhere else."""
    found = []
    settings = _part(data, "word/settings.xml")
    mode = [c.get(f"{W}val") for c in settings.iter(f"{W}compatSetting") if c.get(f"{W}name") == "compatibilityMode"]
    if mode != ["15"]:
        found.append(f"compatibility mode {mode}")
    for name in ("proofState", "attachedTemplate", "mailMerge", "documentProtection", "savePreviewPicture"):
        if settings.find(f"{W}{name}") is not None:
            found.append(f"settings: {name}")
    if "docProps/app.xml" in _names(data):
        found.append("app.xml of the program that saved the reference document")
    if b"lastPrinted" in etree.tostring(_part(data, "docProps/core.xml")):
        found.append("a printing date")
    styles = _part(data, "word/styles.xml")
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    for style in by_id.values():
        link = style.find(f"{W}link")
        if link is not None and link.get(f"{W}val") not in by_id:
            found.append(f"style {style.get(f'{W}styleId')} linked to a missing style")
    numbering = _part(data, "word/numbering.xml")
    for link in numbering.iter(f"{W}pStyle"):
        if link.get(f"{W}val") not in by_id:
            found.append(f"a list level tied to the missing style {link.get(f'{W}val')}")
    return found


def _rpr(style: etree._Element) -> bytes:
    rpr = style.find(f"{W}rPr")
    return b"" if rpr is None else etree.tostring(rpr, method="c14n")


# Word hygiene -------------------------------------------------------------------------------------------------

def test_examples_have_no_leftovers_and_validate(examples):
    files = sorted(examples.glob("*.docx"))
    assert len(files) == 11  # the seven English outputs, the Chinese paper (two) and draft, the French handout
    validate_docx(*files)
    for path in files:
        assert _leftovers(path) == [], path.name
        lang = _part(path, "word/settings.xml").find(f"{W}themeFontLang")
        language = (_part(path, "docProps/core.xml").findtext("{http://purl.org/dc/elements/1.1/}language") or "")
        # the brief's languages: Latin text in a Chinese brief is English, and only it names an East Asian one
        expected = {"en-GB": ("en-GB", None), "zh-CN": ("en-GB", "zh-CN"), "fr": ("fr-FR", None)}[language]
        assert (lang.get(f"{W}val"), lang.get(f"{W}eastAsia")) == expected, path.name


def test_the_reference_document_carries_nothing_a_brief_does_not_use():
    names = _names(BUILTIN)
    assert "docProps/app.xml" not in names and "word/numbering.xml" not in names
    assert validation_problems(BUILTIN.read_bytes()) == []
    styles = _part(BUILTIN, "word/styles.xml")
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    twins = [s for s in by_id.values() if s.get(f"{W}type") == "character" and s.find(f"{W}link") is not None]
    assert {s.get(f"{W}styleId") for s in twins} == {"TitleChar", "Heading1Char", "Heading2Char", "Heading3Char",
                                                     "Heading4Char"}
    for twin in twins:  # the same look as its paragraph style: no other font, no blue
        paragraph = by_id[twin.find(f"{W}link").get(f"{W}val")]
        assert paragraph.find(f"{W}link").get(f"{W}val") == twin.get(f"{W}styleId")
        assert _rpr(twin) == _rpr(paragraph)
    assert b"majorHAnsi" not in etree.tostring(styles) and b"4F81BD" not in etree.tostring(styles)


def test_a_users_word_reference_loses_its_leftovers_and_keeps_its_styles(tmp_path):
    """python-docx's default template is what Word users' references look like: an app.xml of Word for Mac, a
    proofing state, compatibility mode 14, numbering tied to styles it lacks."""
    _word_reference(tmp_path)
    path = tmp_path / "templates" / "styles" / "reference.docx"
    with zipfile.ZipFile(path) as package:
        parts = {name: package.read(name) for name in package.namelist()}
    assert "docProps/app.xml" in parts and b"proofState" in parts["word/settings.xml"]
    parts["word/settings.xml"] = parts["word/settings.xml"].replace(  # and a stranger's mail merge and lock
        b"<w:defaultTabStop", b'<w:mailMerge><w:mainDocumentType w:val="formLetters"/><w:dataType w:val="native"/>'
        b'<w:query w:val="SELECT * FROM contacts"/></w:mailMerge><w:documentProtection w:edit="readOnly" '
        b'w:enforcement="1"/><w:defaultTabStop', 1)
    with zipfile.ZipFile(path, "w") as package:
        for name, data in parts.items():
            package.writestr(name, data)
    data = docx_bytes("# Title\n\nText with a list:\n\n1. one\n2. two\n", root=tmp_path)
    assert validation_problems(data) == []
    assert _leftovers(data) == []
    document = docx.Document(io.BytesIO(data))
    assert str(document.styles["Heading 1"].font.color.rgb) == "123456"  # the user's own styles stay
    assert {name for name in CLAUSE_STYLES} <= {s.name for s in document.styles}


def test_the_disclosure_page_starts_with_its_heading(examples):
    path = examples / "CSW_China_Example_University.docx"
    body = _part(path, "word/document.xml").find(f"{W}body")
    assert not [b for b in body.iter(f"{W}br") if b.get(f"{W}type") == "page"]
    paragraphs = list(body.iter(f"{W}p"))
    breaking = [p for p in paragraphs if p.find(f"{W}pPr/{W}pageBreakBefore") is not None]
    assert len(breaking) == 1 and "".join(breaking[0].itertext()) == "AI/LLM disclosure statement"
    before = paragraphs[paragraphs.index(breaking[0]) - 1]
    assert "".join(before.itertext()).strip()  # no empty paragraph left to print as a blank line
    if soffice():
        page = subprocess.run(["pdftotext", "-f", "3", "-l", "3", "-layout", str(path.with_suffix(".pdf")), "-"],
                              capture_output=True, text=True).stdout
        lines = [line.strip() for line in page.splitlines() if line.strip()]
        assert lines[1] == "AI/LLM disclosure statement"  # straight after the running head
        assert len(lines) <= 5  # the heading, the statement, the page number: nothing else


def test_table_rows_do_not_split_columns_fit_their_text_and_the_table_has_alt_text(examples):
    path = examples / "china-hrc-policy-brief-hrc.docx"
    table = next(_part(path, "word/document.xml").iter(f"{W}tbl"))
    rows = table.findall(f"{W}tr")
    assert all(row.find(f"{W}trPr/{W}cantSplit") is not None for row in rows)
    assert rows[0].find(f"{W}trPr/{W}tblHeader") is not None
    widths = [int(col.get(f"{W}w")) for col in table.iter(f"{W}gridCol")]
    assert widths[0] > widths[1] > widths[2] and sum(widths) == 12240 - 2 * 1440  # labels widest; the text width
    assert table.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val") == "Key facts"
    description = table.find(f"{W}tblPr/{W}tblDescription").get(f"{W}val")
    assert description.startswith("Key facts: a table of ") and "columns Figure, Value, As of" in description
    with docx2python(io.BytesIO(path.read_bytes())) as reader:  # an independent reader sees the same table
        rows = [["".join(cell) for cell in row] for table in reader.body for row in table]
    assert ["Figure", "Value", "As of"] in rows


def test_a_caption_before_a_table_is_its_alt_text_and_a_long_cell_does_not_squeeze_the_others():
    long_cell = " ".join(["evidence"] * 120)
    data = docx_bytes(f"## Results\n\nTable 2: Cases by year\n\n| Year | Cases | Note |\n|---|---|---|\n"
                      f"| 2023 | 1,204 | {long_cell} |\n| 2024 | 1,530 | short |\n")
    assert validation_problems(data) == []
    table = next(_part(data, "word/document.xml").iter(f"{W}tbl"))
    assert table.find(f"{W}tblPr/{W}tblCaption").get(f"{W}val") == "Table 2: Cases by year"
    widths = [int(col.get(f"{W}w")) for col in table.iter(f"{W}gridCol")]
    assert widths[2] > 3 * (widths[0] + widths[1]) and min(widths[:2]) >= 5 * 120  # 'Cases', '1,204' stay whole
    # a word longer than the page: every column still gets a share, none is negative or zero
    squeezed = column_widths([["a" * 400, "b" * 400], ["x", "y"]], 2, 9000, 12)
    assert sum(squeezed) <= 9000 and min(squeezed) > 1000


def test_bookmark_names_are_unique_in_every_example_and_when_every_heading_is_the_same(examples):
    for path in examples.glob("*.docx"):
        names = [b.get(f"{W}name") for b in _part(path, "word/document.xml").iter(f"{W}bookmarkStart")]
        assert len({n.lower() for n in names}) == len(names), path.name
        assert all(len(n) <= 40 and re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", n) for n in names)
    same = "\n\n".join(["# Brief"] + ["## The protection of victims of trafficking in the Mekong region"] * 12)
    names = [b.get(f"{W}name") for b in _part(docx_bytes(same + "\n"), "word/document.xml").iter(f"{W}bookmarkStart")]
    assert len(names) == 13 and len({n.lower() for n in names}) == 13 and max(map(len, names)) <= 40


def test_quotation_marks_are_typographic_in_body_and_notes_but_never_in_code_or_addresses(examples):
    for path in examples.glob("*.docx"):
        for part in ("word/document.xml", "word/footnotes.xml", "word/header1.xml"):
            if part in _names(path):
                texts = "".join(t.text or "" for t in _part(path, part).iter(f"{W}t"))
                assert "'" not in texts and '"' not in texts, (path.name, part)
    markdown = (examples / "CSW_China_Example_University.md").read_text(encoding="utf-8")
    assert "People\u2019s Republic of China" in markdown and "\u201call appropriate measures" in markdown
    marks = marks_for(TYPOGRAPHY, "en-GB")
    tree = curl_document(parse('"Quoted" and `code "as typed"` and <https://example.org/it\'s> and '
                               "https://example.org/don't, but don't.\n\n```\nx = 'straight'\n```\n"), marks)
    paragraph, code = tree.children
    text = "".join(getattr(node, "text", "") or "".join(getattr(c, "text", "") for c in getattr(node, "children", ()))
                   for node in paragraph.children)
    assert text.startswith("\u201cQuoted\u201d and code \"as typed\" and https://example.org/it's")
    assert "https://example.org/don't" in text and text.endswith("but don\u2019t.")
    assert code.text == "x = 'straight'\n"


def test_quotation_marks_follow_the_language_data():
    assert curl_text('"Bonjour", l\'ami', marks_for(TYPOGRAPHY, "fr-FR")) == "\u00ab\u202fBonjour\u202f\u00bb, l\u2019ami"
    assert curl_text('"Hallo"', marks_for(TYPOGRAPHY, "de")) == "\u201eHallo\u201c"
    assert marks_for(TYPOGRAPHY, "xx") is None and curl_text("'as typed'", None) == "'as typed'"
    assert curl_text("the '90s, the States' duty, 'a' \"b 'c'\"", marks_for(TYPOGRAPHY, "en")) == \
        "the \u201990s, the States\u2019 duty, \u2018a\u2019 \u201cb \u2018c\u2019\u201d"


def test_country_committee_and_conference_are_document_properties_shown_in_the_header(examples):
    path = examples / "CSW_China_Example_University.docx"
    properties = {p.get("name"): "".join(p.itertext()) for p in _part(path, "docProps/custom.xml")}
    assert properties == {"Country": "China", "Committee": "CSW", "School": "Example University",
                          "Conference": "National Model United Nations New York"}
    header = _part(path, "word/header1.xml")
    fields = [" ".join(t.text.split()) for t in header.iter(f"{W}instrText")]
    assert fields == ["DOCPROPERTY Country \\* MERGEFORMAT", "DOCPROPERTY Committee \\* MERGEFORMAT",
                      "DOCPROPERTY School \\* MERGEFORMAT"]
    assert docx.Document(str(path)).sections[0].header.paragraphs[0].text == "China | CSW | Example University"


def test_preparation_notes_say_internal_on_every_page_and_print_no_instructions(examples, tmp_path):
    path = examples / "china-prep-notes-third-committee.docx"
    header = docx.Document(str(path)).sections[0].header.paragraphs
    assert header[0].text == "Internal: not for submission" and header[0].runs[0].style.name == "Internal Mark"
    with docx2python(io.BytesIO(path.read_bytes())) as reader:
        assert "internal: true" not in reader.text and "Not for any paper" not in reader.text
    if soffice():
        pdf = path.with_suffix(".pdf")
        pages = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout.split("\f")
        pages = [page for page in pages if page.strip()]
        assert len(pages) >= 3 and all(page.lstrip().startswith("INTERNAL: NOT FOR SUBMISSION") for page in pages)
    from briefkit.cli import main

    assert main(["build", "china-prep-notes", "--root", str(REPO), "--out", str(tmp_path), "--format", "html,md"]) == 0
    html = (tmp_path / "china-prep-notes-third-committee.html").read_text(encoding="utf-8")
    assert '<p class="internal-mark">Internal: not for submission</p>' in html and "@top-left" in html
    assert "internal: true\n" in (tmp_path / "china-prep-notes-third-committee.md").read_text(encoding="utf-8")
    paper = (examples / "CSW_China_Example_University.docx")  # a submitted paper says nothing of the kind
    assert "Internal" not in docx.Document(str(paper)).sections[0].header.paragraphs[0].text


def test_the_handout_gives_a_year_only_where_its_label_does_not(examples):
    text = (examples / "china-caucus-handout-third-committee.md").read_text(encoding="utf-8")
    facts = [line for line in text.splitlines() if line.startswith("- **")]
    assert any("2022 against 2019" in line for line in facts)
    for line in facts:
        years = re.findall(r"\b(?:19|20)\d\d\b", line.split("\u2014", 1)[1])
        assert len(years) == len(set(years)) or "against" in line, line  # no "2022 against 2019 (2022)"
        assert not re.search(r"(\d{4})\b.*\(\1\)$", line), line


# PDF ------------------------------------------------------------------------------------------------------------

@needs_soffice
def test_pdfs_are_tagged_and_show_their_title(examples):
    for pdf in examples.glob("*.pdf"):
        data = pdf.read_bytes()
        assert b"/StructTreeRoot" in data and re.search(rb"/MarkInfo\s*<<\s*/Marked\s+true", data), pdf.name
        assert re.search(rb"/DisplayDocTitle\s+true", data), pdf.name
        if shutil.which("pdfinfo"):
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            assert re.search(r"^Tagged:\s+yes", info, re.MULTILINE), pdf.name
            assert re.search(r"^Title:\s+\S", info, re.MULTILINE), pdf.name


# HTML printing ----------------------------------------------------------------------------------------------------

def test_the_printed_html_keeps_the_disclosure_page_to_itself(examples):
    page = lxml.html.fromstring((examples / "CSW_China_Example_University.html").read_bytes())
    main = page.find(".//main")
    children = list(main)
    notes = next(i for i, c in enumerate(children) if c.get("class") == "footnotes")
    breaking = next(i for i, c in enumerate(children) if c.get("class") == "page-break")
    heading = next(i for i, c in enumerate(children) if c.get("class") == "disclosure")
    assert notes < breaking == heading - 1  # the notes, then the break, then the disclosure alone
    assert len(children[notes].findall(".//li")) >= 16  # every note of the paper
    assert all(c.get("class") != "footnotes" for c in children[heading:])
