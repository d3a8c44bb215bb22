"""Notes referenced more than once, blocks nested in quotes and list items, and the plain-text forms of strike,
long notes and tables: each read back from the output (Word XML, docx2python, LibreOffice's PDF, the text)."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import docx
import lxml.html
import pytest
from docx.oxml.ns import qn
from docx2python import docx2python
from lxml import etree

from briefkit.document import list_scheme, parse
from briefkit.render.html import HtmlWriter
from briefkit.render.text import render_text
from docx_support import docx_bytes, flatten, validation_problems

NESTED = """# Nesting

## Notes twice

Alpha[^n] beta[^m] gamma[^n] delta.

## Quotes and lists

> Quoted
>
> 1. Qone
> 2. Qtwo
>    - Qsub
>
> > Deepquote

- Item

  Second

  ```
  codeline
  ```

  > Itemquote

  | Cellhead | Other |
  |---|---|
  | Cellbody | More |

[^n]: Note N.
[^m]: Note M cites N[^n].
"""


@pytest.fixture(scope="module")
def nested() -> bytes:
    return docx_bytes(NESTED)


def _body_and_notes(data: bytes) -> tuple[str, list[str]]:
    with docx2python(io.BytesIO(data)) as reader:
        notes = [re.sub(r"^footnote\d+\)\t\s*", "", t) for t in flatten(reader.footnotes) if t.strip()]
        return reader.text, notes


# A note referenced twice ---------------------------------------------------------------------------------------

def test_a_note_referenced_twice_is_one_footnote_and_the_later_reference_shows_its_number(nested):
    assert validation_problems(nested) == []
    body, notes = _body_and_notes(nested)
    assert notes == ["Note N.", "Note M cites N1."]  # one footnote per note; the note's own reference reads 1
    assert "Alpha----footnote1---- beta----footnote2---- gamma1 delta." in body


def test_the_later_reference_is_a_noteref_field_to_a_bookmark_around_the_first(nested):
    package = zipfile.ZipFile(io.BytesIO(nested))
    parts = [etree.fromstring(package.read(f"word/{name}.xml")) for name in ("document", "footnotes")]
    starts = [b for part in parts for b in part.iter(qn("w:bookmarkStart"))]
    assert len({b.get(qn("w:id")) for b in starts}) == len(starts) == 5  # three headings, two notes
    instructions = [i.text for part in parts for i in part.iter(qn("w:instrText"))]
    assert len(instructions) == 2  # 'gamma' and inside note M
    name = re.fullmatch(r" NOTEREF (\S+) \\f \\h ", instructions[0]).group(1)
    assert set(instructions) == {f" NOTEREF {name} \\f \\h "}
    start = next(b for b in starts if b.get(qn("w:name")) == name)
    marked = start.getnext().find(qn("w:footnoteReference"))
    assert marked.get(qn("w:id")) == "1" and start.getnext().getnext().tag == qn("w:bookmarkEnd")
    for instruction in (i for part in parts for i in part.iter(qn("w:instrText"))):
        field = _field_runs(instruction.getparent())
        assert [r.find(qn("w:rPr") + "/" + qn("w:rStyle")).get(qn("w:val")) for r in field] == [
            "FootnoteReference"] * len(field)
        assert "".join(t.text for r in field for t in r.iter(qn("w:t"))) == "1"  # the result until Word updates
    assert len([n for n in parts[1].iter(qn("w:footnote")) if n.get(qn("w:type")) is None]) == 2


def _field_runs(run):
    """The runs of the complex field holding `run`, begin to end."""
    while run.find(qn("w:fldChar")) is None or run.find(qn("w:fldChar")).get(qn("w:fldCharType")) != "begin":
        run = run.getprevious()
    runs = [run]
    while runs[-1].find(qn("w:fldChar")) is None or runs[-1].find(qn("w:fldChar")).get(qn("w:fldCharType")) != "end":
        runs.append(runs[-1].getnext())
    return runs


def _word_numbers(data: bytes) -> list[str]:
    """The note numbers Word shows in the body, in order: references numbered by position, fields' results."""
    body = docx.Document(io.BytesIO(data)).element.body
    shown, count, in_field = [], 0, False
    for element in body.iter(qn("w:footnoteReference"), qn("w:fldChar"), qn("w:t")):
        if element.tag == qn("w:footnoteReference"):
            count += 1
            shown.append(str(count))
        elif element.tag == qn("w:fldChar"):
            in_field = element.get(qn("w:fldCharType")) == "separate"
        elif in_field:
            shown.append(element.text)
    return shown


def test_word_shows_the_same_note_numbers_as_html_in_reading_order():
    text = "A[^x] b[^y] c[^x] d[^z] e[^y].\n\n[^x]: X.\n[^y]: Y.\n[^z]: Z.\n"
    data = docx_bytes(text)
    assert validation_problems(data) == []
    html = lxml.html.fragment_fromstring(HtmlWriter().visit(parse(text)), create_parent="div")
    assert _word_numbers(data) == [s.text_content() for s in html.iter("sup")] == ["1", "2", "1", "3", "2"]
    assert _body_and_notes(data)[1] == ["X.", "Y.", "Z."]


def test_a_note_referring_to_itself_is_one_footnote():
    data = docx_bytes("A[^s].\n\n[^s]: Self, see[^s].\n")
    assert validation_problems(data) == []
    assert _body_and_notes(data)[1] == ["Self, see1."]


# Nested blocks keep their indentation ---------------------------------------------------------------------------

def _left(document: docx.document.Document, paragraph) -> int:
    """A paragraph's left indent in twips as Word resolves it: direct, else its list level's, else its style's."""
    if paragraph.paragraph_format.left_indent is not None:
        return paragraph.paragraph_format.left_indent.twips
    num_pr = paragraph._p.find(qn("w:pPr") + "/" + qn("w:numPr"))
    if num_pr is not None:
        numbering = document.part.numbering_part.element
        num_id, level = (num_pr.find(qn(t)).get(qn("w:val")) for t in ("w:numId", "w:ilvl"))
        num = numbering.find(f"{qn('w:num')}[@{qn('w:numId')}='{num_id}']")
        abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        found = numbering.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{abstract}']")
        ind = found.find(f"{qn('w:lvl')}[@{qn('w:ilvl')}='{level}']/{qn('w:pPr')}/{qn('w:ind')}")
        return int(ind.get(qn("w:left")))
    style = paragraph.style
    while style is not None and style.paragraph_format.left_indent is None:
        style = style.base_style
    return style.paragraph_format.left_indent.twips if style is not None else 0


def test_nested_blocks_are_indented_further_with_each_level(nested):
    document = docx.Document(io.BytesIO(nested))
    paragraphs = {p.text: p for p in document.paragraphs}
    left = {text: _left(document, p) for text, p in paragraphs.items()}
    numbered = {t for t, p in paragraphs.items() if p._p.find(qn("w:pPr") + "/" + qn("w:numPr")) is not None}
    assert 0 < left["Quoted"] < left["Deepquote"]  # a quote in a quote
    assert left["Quoted"] < left["Qone"] == left["Qtwo"] < left["Qsub"]  # a list in a quote, and its sub-list
    assert {"Qone", "Qtwo", "Qsub", "Item"} <= numbered and not {"Quoted", "Second", "codeline"} & numbered
    hanging = paragraphs["Qone"].paragraph_format.first_line_indent.twips
    assert left["Quoted"] <= left["Qone"] + hanging < left["Qone"]  # the label hangs inside the quote's text
    assert left["Item"] == left["Second"] == left["codeline"] < left["Itemquote"]  # in an item: at its text
    table = document.tables[0]._tbl.tblPr.find(qn("w:tblInd"))
    assert int(table.get(qn("w:w"))) == left["Item"] and table.get(qn("w:type")) == "dxa"


def test_plain_nested_lists_and_quotes_keep_their_styles_indent_unrepeated():
    document = docx.Document(io.BytesIO(docx_bytes("> Quoted\n\n1. One\n   - Two\n")))
    assert [p.paragraph_format.left_indent for p in document.paragraphs] == [None, None, None]
    assert [_left(document, p) for p in document.paragraphs] == [567, 720, 1440]


def _pdf_words(data: bytes, tmp_path) -> tuple[str, dict[str, float]]:
    (tmp_path / "t.docx").write_bytes(data)
    subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile", "--convert-to",
                    "pdf", "--outdir", str(tmp_path), str(tmp_path / "t.docx")], capture_output=True, timeout=300,
                   check=True)
    pdf = str(tmp_path / "t.pdf")
    text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
    boxes = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True, check=True).stdout
    found = re.findall(r'<word xMin="([\d.]+)"[^>]*>([^<]+)</word>', boxes)
    return text, {word: float(x) for x, word in reversed(found)}  # a word's first position


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed")
def test_libreoffice_shows_the_first_number_again_and_the_nesting(nested, tmp_path):
    text, x = _pdf_words(nested, tmp_path)
    assert "Alpha1 beta2 gamma1 delta." in text and "Note M cites N1." in text
    assert x["Quoted"] < x["Qone"] < x["Qsub"] and x["Quoted"] < x["Deepquote"]
    assert x["Quoted"] < x["1."] < x["Qone"]  # the number is shown, inside the quote
    assert abs(x["Item"] - x["Second"]) < 1 and abs(x["Item"] - x["codeline"]) < 1 and x["Item"] < x["Itemquote"]
    assert x["Cellhead"] >= x["Item"] - 1


INNER = """Alpha[^m] beta[^n] gamma[^m].

[^m]: Note M cites[^k] and again[^k].
[^n]: Note N, see also[^m].
[^k]: Inner note K.
"""


def test_a_note_first_referred_to_from_a_note_follows_it_under_the_html_number(tmp_path):
    """Word has no footnote inside a footnote (LibreOffice refuses such a file): the inner note is printed after
    the note that refers to it, under the number HTML gives it, and the document opens."""
    data = docx_bytes(INNER)
    assert validation_problems(data) == []
    notes = etree.fromstring(zipfile.ZipFile(io.BytesIO(data)).read("word/footnotes.xml"))
    texts = ["".join(t.text for t in note.iter(qn("w:t"))).strip() for note in notes.iter(qn("w:footnote"))
             if not note.get(qn("w:type"))]  # the text Word shows (a field's code is in w:instrText)
    assert texts == ["Note M cites3 and again3.3 Inner note K.", "Note N, see also1."]  # K follows M, under 3
    html = lxml.html.fragment_fromstring(HtmlWriter().visit(parse(INNER)), create_parent="div")
    assert [s.text_content() for s in html.iter("sup")] == ["1", "2", "1", "3", "3", "1"]
    if shutil.which("soffice") and shutil.which("pdftotext"):
        text, _ = _pdf_words(data, tmp_path)
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        assert "Alpha1 beta2 gamma1." in lines
        assert "Note M cites3 and again3." in lines and "Inner note K." in lines and "Note N, see also1." in lines
        assert lines.index("Inner note K.") < lines.index("Note N, see also1.")


# Plain text -----------------------------------------------------------------------------------------------------

def _text(markdown: str) -> str:
    return render_text(parse(markdown), list_scheme("default")).decode()


def test_struck_text_stays_visibly_struck_in_plain_text():
    assert _text("Keep ~~the deleted words~~ out.\n") == "Keep ~~the deleted words~~ out.\n"


def test_a_note_of_several_paragraphs_keeps_them_under_its_label():
    text = _text("A[^1] b[^2].\n\n[^1]: First,\\\n    broken.\n\n    Second.\n\n    - a list\n\n[^2]: Other.\n")
    assert text.endswith("Notes\n\n[1] First,\n    broken.\n\n    Second.\n\n    - a list\n\n[2] Other.\n")


def test_a_table_is_one_labelled_record_per_row():
    text = _text("Intro.\n\n| Instrument | Year | |\n|---|:-:|--|\n| CEDAW | 1979 | ratified |\n| Beijing | | |\n\n"
                 "- Item\n\n  | a | b |\n  |---|---|\n  | 1 | 2 |\n")
    assert text == ("Intro.\n\nInstrument: CEDAW\nYear: 1979\nratified\n\nInstrument: Beijing\nYear:\n\n"
                    "- Item\n    a: 1\n    b: 2\n")
