"""The Word writer: schema-valid, round-trips through an independent reader, reads back as Word-native."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile

import docx
import mammoth
import pytest
from docx.oxml.ns import qn
from docx2python import docx2python
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefkit.document import list_scheme, parse
from briefkit.errors import BriefkitError
from briefkit.model import Conference, Margins
from briefkit.render.html import HtmlWriter, write_html
from briefkit.render.markdown import render_markdown
from briefkit.render.settings import RenderSettings
from briefkit.render.text import render_text
from docx_support import REPO, docx_bytes, flatten, outline, validation_problems

CORPUS = sorted((REPO / "tests" / "fixtures" / "markdown").glob("*.md"))
STYLE_MAP = """
p[style-name='Title'] => h1:fresh
p[style-name='Heading 1'] => h2:fresh
p[style-name='Heading 2'] => h3:fresh
p[style-name='Heading 3'] => h4:fresh
p[style-name='Heading 4'] => h5:fresh
p[style-name='Block Text'] => blockquote > p:fresh
p[style-name='Source Code'] => pre:separator('\\n')
r[style-name='Verbatim Char'] => code
p[style-name='Table Heading'] => p:fresh
"""


def _html_from_markdown(text: str) -> str:
    return HtmlWriter().visit(parse(text))


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_corpus_is_schema_valid(path):
    assert validation_problems(docx_bytes(path.read_text())) == []


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.stem)
def test_round_trip_through_mammoth_keeps_structure(path):
    text = path.read_text()
    result = mammoth.convert_to_html(io.BytesIO(docx_bytes(text)), style_map=STYLE_MAP)
    assert outline(result.value) == outline(_html_from_markdown(text))


def _document(markdown: str, **kwargs) -> docx.document.Document:
    return docx.Document(io.BytesIO(docx_bytes(markdown, **kwargs)))


def test_footnote_texts_read_back():
    data = docx_bytes((REPO / "tests/fixtures/markdown/footnotes.md").read_text())
    with docx2python(io.BytesIO(data)) as reader:
        notes = [re.sub(r"^footnote\d+\)\t\s*", "", text) for text in flatten(reader.footnotes) if text]
    assert notes == ["The first note.", "The second note, with bold text.",
                     'The third note, with a <a href="https://www.unodc.org/">link</a>.']
    document = docx.Document(io.BytesIO(data))
    refs = document.element.body.findall(".//" + qn("w:footnoteReference"))
    assert [r.get(qn("w:id")) for r in refs] == ["1", "2", "3"]
    assert {r.getparent().find(qn("w:rPr")).find(qn("w:rStyle")).get(qn("w:val")) for r in refs} == {
        "FootnoteReference"}


def test_each_list_has_its_own_numbering_instance_restarting_at_one():
    document = _document((REPO / "tests/fixtures/markdown/nesting.md").read_text())
    numbered = []
    for paragraph in document.paragraphs:
        num_pr = paragraph._p.find(qn("w:pPr") + "/" + qn("w:numPr"))
        if num_pr is not None:
            numbered.append((paragraph.text, int(num_pr.find(qn("w:ilvl")).get(qn("w:val"))),
                             num_pr.find(qn("w:numId")).get(qn("w:val"))))
    assert [(t, lvl) for t, lvl, _ in numbered][:5] == [("First ordered", 0), ("bullet under one", 1),
                                                        ("deep ordered", 2), ("deeper bullet", 3),
                                                        ("deep ordered two", 2)]
    lists = {"First ordered": 0, "bullet under one": 1, "deep ordered": 2, "deeper bullet": 3,
             "This list restarts": 4, "Tight bullet": 5}
    by_text = {t: n for t, _, n in numbered}
    assert len({by_text[t] for t in lists}) == len(lists)  # six lists, six instances
    assert by_text["Second ordered"] == by_text["First ordered"]
    numbering = document.part.numbering_part.element
    for text in lists:
        num = numbering.find(f"{qn('w:num')}[@{qn('w:numId')}='{by_text[text]}']")
        assert num.find(".//" + qn("w:startOverride")).get(qn("w:val")) == "1"
    assert all(p.style.name == "List Paragraph" for p in document.paragraphs if p.text in by_text)


def test_later_paragraphs_of_a_list_item_are_indented_without_a_number():
    document = _document("1. A loose item\n\n    with a second paragraph.\n\n2. Another loose item\n")
    rows = [(p.text, p._p.find(qn("w:pPr") + "/" + qn("w:numPr")) is not None, p.paragraph_format.left_indent)
            for p in document.paragraphs]
    assert rows == [("A loose item", True, None), ("with a second paragraph.", False, 457200),
                    ("Another loose item", True, None)]


def test_table_header_repeats_and_cells_keep_alignment_and_formatting():
    document = _document((REPO / "tests/fixtures/markdown/tables.md").read_text())
    table = document.tables[0]
    assert table.style.name == "Table Grid"
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr is None or table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert [c.text for c in table.rows[0].cells] == ["Instrument", "Year", "Parties"]
    assert [c.paragraphs[0].style.name for c in table.rows[0].cells] == ["Table Heading"] * 3
    assert [str(c.paragraphs[0].alignment) for c in table.rows[1].cells] == ["LEFT (0)", "CENTER (1)", "RIGHT (2)"]
    assert table.rows[1].cells[0].paragraphs[0].runs[0].bold


def test_page_setup_header_footer_and_properties_from_the_conference_and_brief():
    conference = Conference(id="a4", name="A4 test", path=REPO, paper="a4", margins=Margins(2, 2.5, 3, 3),
                            font="Arial", font_size=11, line_spacing=1.15, header="{country} | {committee}",
                            footer="Page {page} of {pages}")
    document = _document("# Title\n\nText.\n", conference=conference)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert [round(m.cm, 2) for m in (section.top_margin, section.bottom_margin, section.left_margin)] == [2, 2.5, 3]
    assert section.header.paragraphs[0].text == "China | CSW"
    fields = [f.get(qn("w:instr")).strip() for f in section.footer._element.iter(qn("w:fldSimple"))]
    assert fields == ["PAGE", "NUMPAGES"]
    normal = document.styles["Normal"]
    assert (normal.font.name, normal.font.size.pt, normal.paragraph_format.line_spacing) == ("Arial", 11, 1.15)
    props = document.core_properties
    assert (props.title, props.subject, props.language) == ("A title", "Commission on the Status of Women", "en-GB")
    assert props.created.year == 2027 and props.modified == props.created
    assert document.paragraphs[0].style.name == "Title"


def test_languages_cjk_font_and_right_to_left():
    """A Chinese brief: Latin text tagged with a Latin language (not Chinese), Chinese text Chinese, no complex-script
    language assumed; in it, a paragraph mostly in Arabic is right to left, and only the Arabic words of a mixed one
    are in right-to-left runs."""
    document = _document((REPO / "tests/fixtures/markdown/scripts.md").read_text(), language="zh-CN")
    lang = document.styles.element.find(qn("w:docDefaults")).find(".//" + qn("w:lang"))
    assert (lang.get(qn("w:val")), lang.get(qn("w:eastAsia")), lang.get(qn("w:bidi"))) == ("en-GB", "zh-CN", None)
    arabic = next(p for p in document.paragraphs if p.text.startswith("مكافحة"))
    assert arabic._p.pPr.find(qn("w:bidi")) is not None
    chinese = next(p for p in document.paragraphs if p.text.startswith("中华"))
    assert chinese._p.pPr is None or chinese._p.pPr.find(qn("w:bidi")) is None
    mixed = next(p for p in document.paragraphs if p.text.startswith("Mixed"))
    assert [r.text for r in mixed.runs if r._r.rPr is not None and r._r.rPr.find(qn("w:rtl")) is not None] == ["مصر"]


def test_links_are_clickable_external_and_internal():
    document = _document((REPO / "tests/fixtures/markdown/links.md").read_text())
    links = list(document.element.body.iter(qn("w:hyperlink")))
    targets = [document.part.rels[h.get(qn("r:id"))].target_ref if h.get(qn("r:id")) else "#" + h.get(qn("w:anchor"))
               for h in links]
    assert targets == ["https://www.unodc.org/data?year=2024&lang=en#top",
                       "https://en.wikipedia.org/wiki/Palermo_(protocol)", "https://example.org/a_b",
                       "#target_section"]
    bookmarks = [b.get(qn("w:name")) for b in document.element.body.iter(qn("w:bookmarkStart"))]
    assert "target_section" in bookmarks


def test_page_break_marker_and_thematic_break():
    """A page break is the next paragraph's pageBreakBefore: no empty paragraph, no blank line atop the page."""
    document = _document("# T\n\nOne.\n\n<!-- pagebreak -->\n\nTwo.\n\n---\n\nThree.\n")
    breaks = [b for b in document.element.body.iter(qn("w:br")) if b.get(qn("w:type")) == "page"]
    assert breaks == []
    assert [p.style.name for p in document.paragraphs] == ["Title", "Normal", "Normal", "Thematic Break", "Normal"]
    assert [p.text for p in document.paragraphs if p.paragraph_format.page_break_before] == ["Two."]


PNG_1X1 = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c63f8"
                        "cfc0f01f0005000201e2f0c5a90000000049454e44ae426082")


def test_local_image_with_a_width(tmp_path):
    (tmp_path / "snippets" / "figures").mkdir(parents=True)  # images are read from the snippet layers
    (tmp_path / "snippets" / "figures" / "dot.png").write_bytes(PNG_1X1)
    document = docx.Document(io.BytesIO(docx_bytes("![A dot](figures/dot.png){ width=5cm }\n", root=tmp_path)))
    shapes = document.inline_shapes
    assert len(shapes) == 1 and round(shapes[0].width.cm, 2) == 5
    with pytest.raises(BriefkitError, match="image '../secret.png' not found"):
        docx_bytes("![x](../secret.png)\n", root=tmp_path)


def _word_reference(root):
    """A reference document as Word users make them: python-docx's default template (Word's styles, fewer of
    briefkit's), restyled, with a header of its own."""
    reference = docx.Document()
    reference.styles["Heading 1"].font.color.rgb = docx.shared.RGBColor(0x12, 0x34, 0x56)
    reference.sections[0].header.paragraphs[0].text = "Old letterhead"
    for zoom in reference.settings.element.findall(qn("w:zoom")):  # the template's one schema error; Word's are valid
        zoom.set(qn("w:percent"), "100")
    (root / "templates" / "styles").mkdir(parents=True)
    buffer = io.BytesIO()
    reference.save(buffer)
    with zipfile.ZipFile(buffer) as source, \
            zipfile.ZipFile(root / "templates" / "styles" / "reference.docx", "w") as target:  # and a thumbnail
        for name in source.namelist():
            data = source.read(name)
            if name == "_rels/.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdThumb" Type="http://schemas.'
                                    b'openxmlformats.org/package/2006/relationships/metadata/thumbnail" '
                                    b'Target="docProps/thumbnail.png"/></Relationships>')
            target.writestr(name, data)
        target.writestr("docProps/thumbnail.png", PNG_1X1)


def test_a_users_reference_document_keeps_its_styles_and_gains_the_missing_ones(tmp_path):
    _word_reference(tmp_path)
    text = (REPO / "tests/fixtures/markdown/footnotes.md").read_text() + "\n```\ncode\n```\n\n| a |\n|---|\n| b |\n"
    data = docx_bytes("# Title\n\n## Heading\n\n" + text, root=tmp_path)
    assert validation_problems(data) == []
    document = docx.Document(io.BytesIO(data))
    heading = next(p for p in document.paragraphs if p.text == "Heading")
    assert heading.style.name == "Heading 1" and str(heading.style.font.color.rgb) == "123456"
    names = {p.style.name for p in document.paragraphs}
    assert {"Title", "Source Code"} <= names
    assert document.tables[0].rows[0].cells[0].paragraphs[0].style.name == "Table Heading"
    assert document.sections[0].header.paragraphs[0].text == "China | CSW"
    package = zipfile.ZipFile(io.BytesIO(data))
    assert b"Old letterhead" not in b"".join(package.read(n) for n in package.namelist())
    assert "docProps/thumbnail.png" not in package.namelist()


def test_a_reference_document_that_is_not_a_word_file_is_one_located_error(tmp_path):
    (tmp_path / "templates" / "styles").mkdir(parents=True)
    (tmp_path / "templates" / "styles" / "reference.docx").write_text("not a zip")
    with pytest.raises(BriefkitError) as caught:
        docx_bytes("Text.\n", root=tmp_path)
    message = str(caught.value)
    assert "reference.docx" in message and "refused the reference document: it is not a readable zip" in message


def test_default_footer_is_page_x_of_y_where_the_conference_asks():
    conference = Conference(id="c", name="C", path=REPO, page_x_of_y=True)
    footer = _document("Text.\n", conference=conference).sections[0].footer
    assert "".join(t.text for t in footer._element.iter(qn("w:t"))) == "Page 1 of 1"
    assert [f.get(qn("w:instr")).strip() for f in footer._element.iter(qn("w:fldSimple"))] == ["PAGE", "NUMPAGES"]


def test_text_word_cannot_store_is_an_input_error():
    with pytest.raises(BriefkitError) as caught:
        docx_bytes("Bell \x07 here")
    assert "control character U+0007" in str(caught.value)


def test_identical_input_gives_identical_bytes():
    text = (REPO / "tests/fixtures/markdown/footnotes.md").read_text()
    assert docx_bytes(text) == docx_bytes(text)


BLOCKS = st.sampled_from(["# ", "## ", "#### ", "- ", "1. ", "    - ", "        1. ", "> ", "**", "*", "~~", "`",
                          "[x](https://e.org/?a=1&b=2)", "[in](#x)", "[^1]", "\n\n[^1]: a note\n\n", "| a | b |\n|---|:-:|\n| c | d |\n",
                          "```\n", "\n\n", "<&>", "---\n", "<!-- pagebreak -->\n", "\n", "    ", "中文", "عربي", "🌍",
                          "{: .x }", " { % }", "{#id}"])


MARKDOWN = st.lists(st.one_of(BLOCKS, st.text(max_size=20)), max_size=25).map("".join)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(MARKDOWN)
def test_arbitrary_markdown_never_crashes_and_always_validates(text):
    try:
        data = docx_bytes(text)
    except BriefkitError as err:
        assert "control character" in str(err)
        return
    docx.Document(io.BytesIO(data))
    assert validation_problems(data) == []


@settings(max_examples=100, deadline=None)
@given(MARKDOWN)
def test_arbitrary_markdown_renders_in_every_text_format(text):
    tree = parse(text)
    for render in (lambda: render_markdown(tree, {}), lambda: render_text(tree, list_scheme("resolution")),
                   lambda: write_html(tree, RenderSettings())):
        try:
            render().decode("utf-8")
        except BriefkitError as err:  # a located problem (an image that is not a workspace file) is fine
            assert all(p.line or "line" in p.message for p in err.problems), err


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_every_example_docx(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "--out", out, "--format", "docx").code == 0
    files = sorted(out.glob("*.docx"))
    result = subprocess.run(["soffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/profile",
                             "--convert-to", "pdf", "--outdir", str(tmp_path / "pdf"), *map(str, files)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    pdfs = [tmp_path / "pdf" / f"{f.stem}.pdf" for f in files]
    assert all(p.is_file() and p.read_bytes().startswith(b"%PDF") for p in pdfs)
    if shutil.which("pdfinfo"):
        for pdf in pdfs:
            info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
            assert int(re.search(r"Pages:\s+(\d+)", info).group(1)) >= 1


def docx_outline(data: bytes) -> str:
    """A DOCX as comparable text: each body paragraph's style, list level and number format, and text; then the
    footnotes (read with python-docx's XML, independent of the writer)."""
    document = docx.Document(io.BytesIO(data))
    numbering = document.part.numbering_part.element
    formats = {}
    for num in numbering.findall(qn("w:num")):
        abstract = num.find(qn("w:abstractNumId")).get(qn("w:val"))
        found = numbering.find(f"{qn('w:abstractNum')}[@{qn('w:abstractNumId')}='{abstract}']")
        start = num.find(".//" + qn("w:startOverride"))
        formats[num.get(qn("w:numId"))] = (found.find(".//" + qn("w:numFmt")).get(qn("w:val")),
                                           start.get(qn("w:val")) if start is not None else "1")
    lines, lists = [], {}
    for block in document.element.body.iterchildren():
        if block.tag == qn("w:tbl"):
            for row in block.iter(qn("w:tr")):
                cells = ["".join(t.text or "" for t in cell.iter(qn("w:t"))) for cell in row.iter(qn("w:tc"))]
                lines.append("[table row] " + " | ".join(cells))
            continue
        if block.tag != qn("w:p"):
            continue
        paragraph = docx.text.paragraph.Paragraph(block, document)
        num_pr = block.find(qn("w:pPr") + "/" + qn("w:numPr"))
        label = ""
        if num_pr is not None:
            num_id = num_pr.find(qn("w:numId")).get(qn("w:val"))
            level = num_pr.find(qn("w:ilvl")).get(qn("w:val"))
            fmt, start = formats[num_id]
            lists.setdefault(num_id, len(lists) + 1)
            label = f" [list {lists[num_id]} level {level} {fmt if level == '0' else 'from ' + fmt} start {start}]"
        notes = len(block.findall(".//" + qn("w:footnoteReference")))
        mark = f" [{notes} note{'s' * (notes != 1)}]" if notes else ""
        lines.append(f"{paragraph.style.name}{label}{mark}: {paragraph.text}")
    with docx2python(io.BytesIO(data)) as reader:
        notes = [re.sub(r"^footnote(\d+)\)\t\s*", r"[^\1] ", text) for text in flatten(reader.footnotes) if text]
    return "\n".join(lines + ["", "Footnotes:", *notes]) + "\n"


def test_docx_outline_matches_golden(tmp_path, cli, golden):
    for workspace in ("mini", "climate-fra"):
        out = tmp_path / workspace
        assert cli("build", "--root", REPO / "tests" / "fixtures" / workspace, "--out", out, "--format", "docx").code == 0
        for path in sorted(out.glob("*.docx")):
            golden(f"{workspace}/{path.stem}.docx.txt", docx_outline(path.read_bytes()).encode())


def test_nested_lists_code_and_note_order_are_right_in_every_format():
    text = ("Intro.[^b]\n\n1. First\n   - nested under one (three spaces)\n     1. deeper\n2. Second[^a]\n\n"
            "`code <b>&amp;</b>` stays.\n\n    indented code <b>&amp;</b>\n\n[^a]: Note A.\n[^b]: Note B.\n")
    tree = parse(text)
    assert [n.label for n in tree.notes] == ["b", "a"]  # numbered in reading order
    outline = docx_outline(docx_bytes(text))
    assert "List Paragraph [list 1 level 0 decimal start 1]: First" in outline
    assert "List Paragraph [list 2 level 1 from bullet start 1]: nested under one (three spaces)" in outline
    assert "List Paragraph [list 3 level 2 from decimal start 1]: deeper" in outline
    assert "Normal: code <b>&amp;</b> stays." in outline and "Source Code: indented code <b>&amp;</b>" in outline
    assert outline.endswith("Footnotes:\n[^1] Note B.\n[^2] Note A.\n")
    markdown = render_markdown(tree, {}).decode()
    assert "1. First\n   - nested under one (three spaces)\n     1. deeper\n2. Second[^2]" in markdown
    assert "`code <b>&amp;</b>` stays." in markdown and "```\nindented code <b>&amp;</b>\n```" in markdown
    assert markdown.endswith("[^1]: Note B.\n[^2]: Note A.\n")
    plain = render_text(tree, list_scheme("default")).decode()
    assert "1. First\n    - nested under one (three spaces)\n        i. deeper\n2. Second[2]" in plain  # level 2: as Word numbers it
    assert "code <b>&amp;</b> stays." in plain and "indented code <b>&amp;</b>" in plain
    assert plain.endswith("Notes\n\n[1] Note B.\n\n[2] Note A.\n")
    html = HtmlWriter().visit(tree)
    assert "<code>code &lt;b&gt;&amp;amp;&lt;/b&gt;</code>" in html
    assert "<li>First\n<ul>\n<li>nested under one (three spaces)\n<ol>\n<li>deeper" in html
    assert html.index('id="fn:1"') < html.index("Note B.") < html.index('id="fn:2"') < html.index("Note A.")
