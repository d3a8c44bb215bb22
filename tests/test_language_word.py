"""Word and HTML in every script and direction: each script's language and font from the brief's language (nothing
assumed), right-to-left paragraphs, sections and tables, complex-script bold, italic and sizes, East Asian line
breaking, and HTML's `lang` and `dir`. The documents are read back with python-docx and lxml; the settings are
made here, not read from the language data files, so that these tests hold whatever fonts those files name."""

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
from docx.oxml.ns import qn
from lxml import etree

from briefkit.document import parse
from briefkit.pdf import soffice
from briefkit.render.docx import write_docx
from briefkit.render.html import CSP, write_html
from briefkit.render.settings import RenderSettings
from conftest import validate_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

# The brief's language as `from_composed` reads it from a language: tag, direction, Word's tag for each script,
# and fonts (latin, east_asian, complex). Japanese proves nothing is Chinese by default.
LANGUAGES = {
    "en-GB": dict(language="en-GB", lang_latin="en-GB", east_asian_font="", footer="Page {page} of {pages}"),
    "zh-CN": dict(language="zh-CN", lang_latin="en-GB", lang_east_asian="zh-CN", east_asian_font="Noto Serif CJK SC",
                  footer="第{page}页，共{pages}页"),
    "ja": dict(language="ja", lang_latin="en-US", lang_east_asian="ja-JP", east_asian_font="Noto Serif CJK JP",
               footer="{page}"),
    "ar": dict(language="ar", direction="rtl", lang_latin="en-GB", lang_complex="ar-SA", east_asian_font="",
               complex_font="Amiri", footer="الصفحة {page} من {pages}", notes_heading="الحواشي",
               back_label="العودة إلى النص"),
}
EXPECTED_LANG = {  # w:val, w:eastAsia, w:bidi (None: left out)
    "en-GB": ("en-GB", None, None), "zh-CN": ("en-GB", "zh-CN", None), "ja": ("en-US", "ja-JP", None),
    "ar": ("en-GB", None, "ar-SA"),
}

ARABIC = """# ورقة موقف

مكافحة **الاتجار بالنساء** والفتيات مسؤولية *مشتركة*، وفقاً لبروتوكول باليرمو (Palermo Protocol).[^1]

1. تعزيز التعاون الدولي.
2. دعم الضحايا.

> إن الجمعية العامة،

| البلد | النسبة |
|:--|--:|
| الصين | 25 |

[^1]: **بروتوكول** منع وقمع الاتجار بالأشخاص، https://www.unodc.org/
"""
CHINESE = """# 立场文件

中华人民共和国坚决打击拐卖妇女儿童犯罪，积极参与 **United Nations Office on Drugs and Crime** 的国际合作。

| 指标 | 数值 |
|---|---|
| 比例 | 25% |
"""


def _settings(tag: str, **extra: object) -> RenderSettings:
    return RenderSettings(title="T", **LANGUAGES[tag], **extra)  # type: ignore[arg-type]


def _docx(markdown: str, tag: str, tmp_path: Path | None = None) -> bytes:
    data = write_docx(parse(markdown), _settings(tag))
    if tmp_path is not None:
        path = tmp_path / f"{tag}.docx"
        path.write_bytes(data)
        validate_docx(path)
    return data


def _part(data: bytes, name: str) -> etree._Element:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        return etree.fromstring(package.read(name))


def _styles(data: bytes) -> etree._Element:
    return docx.Document(io.BytesIO(data)).styles.element


def _on(element: etree._Element | None) -> bool:
    """Whether an on/off property element is present and on."""
    return element is not None and element.get(f"{W}val", "true") not in ("0", "false", "off")


@pytest.mark.parametrize("tag", list(LANGUAGES))
def test_each_script_gets_the_language_of_the_brief(tag, tmp_path):
    data = _docx(CHINESE if tag in ("zh-CN", "ja") else ARABIC if tag == "ar" else "# T\n\nText.\n", tag, tmp_path)
    lang = _styles(data).find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}lang")
    assert (lang.get(f"{W}val"), lang.get(f"{W}eastAsia"), lang.get(f"{W}bidi")) == EXPECTED_LANG[tag]
    theme = _part(data, "word/settings.xml").find(f"{W}themeFontLang")
    assert (theme.get(f"{W}val"), theme.get(f"{W}eastAsia"), theme.get(f"{W}bidi")) == EXPECTED_LANG[tag]
    tags = {value for element in _styles(data).iter(f"{W}lang") for value in element.attrib.values()}
    assert tags == {value for value in EXPECTED_LANG[tag] if value}  # nothing else anywhere: no zh-CN, no ar-SA


def test_fonts_per_script_and_the_font_table(tmp_path):
    for tag, expected in (("zh-CN", ("Times New Roman", "Noto Serif CJK SC", None)),
                          ("ar", ("Times New Roman", None, "Amiri")), ("en-GB", ("Times New Roman", None, None))):
        data = _docx(CHINESE, tag, tmp_path)
        fonts = docx.Document(io.BytesIO(data)).styles["Normal"].element.rPr.rFonts
        assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:hAnsi")) == expected[0]
        assert (fonts.get(qn("w:eastAsia")), fonts.get(qn("w:cs"))) == expected[1:]
        table = {font.get(f"{W}name"): font for font in _part(data, "word/fontTable.xml").iter(f"{W}font")}
        for name in filter(None, expected):
            assert name in table
    alt = {font.get(f"{W}name"): (font.find(f"{W}altName").get(f"{W}val"), font.find(f"{W}charset").get(f"{W}val"))
           for font in _part(_docx(ARABIC, "ar"), "word/fontTable.xml").iter(f"{W}font")
           if font.find(f"{W}altName") is not None}
    assert alt == {"Amiri": ("Simplified Arabic", "B2")}
    chinese = _part(_docx(CHINESE, "zh-CN"), "word/fontTable.xml")
    assert [(f.find(f"{W}altName").get(f"{W}val"), f.find(f"{W}charset").get(f"{W}val"))
            for f in chinese.iter(f"{W}font") if f.get(f"{W}name") == "Noto Serif CJK SC"] == [("SimSun", "86")]
    # an English brief names no East Asian or complex font: the theme's stand (and the reference's font table)
    english = _styles(_docx("# T\n\nText.\n", "en-GB")).find(f"{W}docDefaults/{W}rPrDefault/{W}rPr/{W}rFonts")
    assert (english.get(f"{W}eastAsiaTheme"), english.get(f"{W}cstheme")) == ("minorEastAsia", "minorBidi")


def test_arabic_bold_and_italic_carry_their_complex_script_twins(tmp_path):
    data = _docx(ARABIC, "ar", tmp_path)
    document = docx.Document(io.BytesIO(data))
    runs = [run for paragraph in document.paragraphs for run in paragraph.runs]
    notes = _part(data, "word/footnotes.xml")
    properties = [run._r.rPr for run in runs if run._r.rPr is not None] + list(notes.iter(f"{W}rPr"))
    bold = [rpr for rpr in properties if rpr.find(f"{W}b") is not None]
    italic = [rpr for rpr in properties if rpr.find(f"{W}i") is not None]
    assert len(bold) == 2 and len(italic) == 1  # the body's bold and italic, the note's bold
    assert all(_on(rpr.find(f"{W}bCs")) for rpr in bold) and all(_on(rpr.find(f"{W}iCs")) for rpr in italic)
    # every style: bold, italic and sizes for complex script too; the title is bold in Arabic
    for name, twin in (("b", "bCs"), ("i", "iCs"), ("sz", "szCs")):
        for element in document.styles.element.iter(f"{W}{name}"):
            assert element.getparent().find(f"{W}{twin}") is not None, etree.tostring(element.getparent())
    title = document.styles["Title"].element.rPr
    assert _on(title.find(qn("w:b"))) and _on(title.find(qn("w:bCs")))
    assert document.paragraphs[0].style.name == "Title"
    arabic_runs = [run for run in runs if re.search("[\u0600-\u06ff]", run.text)]
    assert arabic_runs and all(run._r.rPr.find(qn("w:rtl")) is not None for run in arabic_runs)
    latin = next(run for run in runs if "Palermo" in run.text)
    assert latin._r.rPr is None or latin._r.rPr.find(qn("w:rtl")) is None


def test_arabic_paragraphs_sections_and_tables_are_right_to_left(tmp_path):
    data = _docx(ARABIC, "ar", tmp_path)
    styles = _styles(data)
    assert _on(styles.find(f"{W}docDefaults/{W}pPrDefault/{W}pPr/{W}bidi"))  # every paragraph: notes, headers too
    document = docx.Document(io.BytesIO(data))
    assert _on(document.styles["Normal"].element.pPr.find(qn("w:bidi")))
    section = document.element.body.find(qn("w:sectPr"))
    assert _on(section.find(qn("w:bidi"))) and _on(section.find(qn("w:rtlGutter")))
    tables = document.element.body.findall(qn("w:tbl"))
    assert tables and all(_on(t.find(f"{qn('w:tblPr')}/{qn('w:bidiVisual')}")) for t in tables)
    # a paragraph of its own direction is never turned back left to right
    assert not [p for p in document.element.body.iter(qn("w:bidi")) if not _on(p)]
    # a link in Latin letters stays whole: a left-to-right mark after it
    assert "https://www.unodc.org/\u200e" in "".join(t.text or "" for t in _part(data, "word/footnotes.xml")
                                                   .iter(f"{W}t"))
    # a left-to-right brief has none of it
    english = _docx("# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n", "en-GB")
    body = docx.Document(io.BytesIO(english)).element.body
    assert body.find(f".//{qn('w:bidiVisual')}") is None and body.find(f".//{qn('w:bidi')}") is None
    assert _styles(english).find(f".//{W}bidi") is None


@pytest.mark.parametrize("tag", ["zh-CN", "ja"])
def test_east_asian_line_breaking_is_on_for_east_asian_briefs(tag):
    defaults = _styles(_docx(CHINESE, tag)).find(f"{W}docDefaults/{W}pPrDefault/{W}pPr")
    for name in ("kinsoku", "overflowPunct", "autoSpaceDE", "autoSpaceDN"):
        assert _on(defaults.find(f"{W}{name}")), name
    # wordWrap on: Latin words break only between words (ECMA-376 17.3.1.45; off would break them anywhere)
    assert _on(defaults.find(f"{W}wordWrap"))
    english = _styles(_docx("# T\n\nText.\n", "en-GB"))
    assert all(english.find(f".//{W}{name}") is None for name in ("kinsoku", "wordWrap", "overflowPunct"))


def test_arabic_html_is_right_to_left_with_the_notes_in_arabic():
    page = write_html(parse(ARABIC), _settings("ar")).decode()
    root = lxml.html.document_fromstring(page)
    assert (root.get("lang"), root.get("dir")) == ("ar", "rtl")
    assert root.xpath("//meta[@http-equiv='Content-Security-Policy']/@content") == [CSP]
    assert root.xpath("//section[@class='footnotes']/@aria-label") == ["الحواشي"]
    assert root.xpath("//a[@class='footnote-backref']/@title") == ["العودة إلى النص"]
    assert root.xpath("//a[@href='https://www.unodc.org/']/@dir") == ["ltr"]
    css = root.xpath("//style/text()")[0]
    assert 'font-family: "Amiri", "Times New Roman", serif' in css
    assert not re.search(r"(margin|padding)-(left|right)", css)  # logical properties only
    assert '"الصفحة " counter(page) " من " counter(pages)' in css
    english = lxml.html.document_fromstring(write_html(parse("# T\n\nText.[^1]\n\n[^1]: A note.\n"),
                                                       _settings("en-GB")).decode())
    assert (english.get("lang"), english.get("dir")) == ("en-GB", "ltr")
    assert english.xpath("//section[@class='footnotes']/@aria-label") == ["Notes"]
    assert 'font-family: "Times New Roman", serif' in english.xpath("//style/text()")[0]


# A Chinese brief as delegates write them: English names, terms and a URL in long Chinese paragraphs, so that
# lines wrap beside them.
MIXED = """# 立场文件：中华人民共和国

中华人民共和国坚决打击拐卖妇女儿童犯罪，积极参与 United Nations Office on Drugs and Crime 的国际合作，并支持 \
Sustainable Development Goals 的全面落实。根据 https://www.unodc.org/unodc/en/human-trafficking/global-report.html \
所载的数据，全球范围内被拐卖的受害者中妇女和女童占绝大多数。中国政府认为，international cooperation against \
transnational organized crime 是国际社会的共同责任，应当在 Palermo Protocol 框架下加强合作。我们呼吁各会员国 \
strengthen national legislation and implementation mechanisms，并为受害者提供 comprehensive protection and \
assistance services。中国愿与各方一道，推动构建人类命运共同体，积极参与 transnational cooperation and \
information sharing 的国际合作。

各国应当加强国际执法合作，包括 extradition, mutual legal assistance and the recovery of assets 等方面的合作，\
并通过 United Nations Convention against Transnational Organized Crime 及其 Protocol to Prevent, Suppress and \
Punish Trafficking in Persons, Especially Women and Children 推动各项承诺的落实。中国支持 Commission on the \
Status of Women 在 gender equality and the empowerment of all women and girls 方面的工作。
"""


@pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed")
def test_libreoffice_breaks_no_english_word_in_a_chinese_brief(tmp_path):
    path = tmp_path / "zh.docx"
    path.write_bytes(_docx(MIXED, "zh-CN"))
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180,
                   check=True)
    text = subprocess.run(["pdftotext", "-layout", str(tmp_path / "zh.pdf"), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = set(re.findall(r"[A-Za-z]+", MIXED))
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    assert len(lines) > 10  # the paragraphs did wrap
    broken = []
    for line, following in zip(lines, lines[1:], strict=False):
        end, start = re.search(r"[A-Za-z]+$", line), re.match(r"[A-Za-z]+", following)
        if end and start and not (end.group() in words and start.group() in words):
            broken.append(f"{end.group()}|{start.group()}")
    assert broken == []
    assert "https://www.unodc.org/" in text  # the URL is not broken inside its scheme or host
    for word in ("international", "transnational", "implementation", "Suppress", "Sustainable"):
        assert word in text


@pytest.mark.skipif(soffice() is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice or pdftotext is not installed")
def test_libreoffice_keeps_a_grouped_number_whole_in_an_arabic_brief(tmp_path):
    """Arabic groups digits with a space, as the UN's Arabic texts do: the language's group (a narrow no-break
    space) keeps the number one piece in right-to-left text, wherever a line ends."""
    from briefkit.languages import load_language
    from briefkit.workspace import Workspace

    number = load_language(Workspace.open(tmp_path), "ar").number(35689968)
    assert number == "35\u202f689\u202f968"
    words = "انخفض عدد الوفيات الناجمة عن حوادث المرور بين عامي 2010 و2021 على الرغم من أن عدد المركبات زاد".split()
    text = " ".join(f"{word} {number}" if i % 5 == 4 else word for i, word in enumerate(words * 12))
    path = tmp_path / "ar.docx"
    path.write_bytes(_docx(f"# عنوان\n\n{text}\n", "ar"))
    subprocess.run([soffice(), "--headless", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)], capture_output=True, timeout=180,
                   check=True)
    pdf = subprocess.run(["pdftotext", str(tmp_path / "ar.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    assert len([line for line in pdf.splitlines() if line.strip()]) > 10  # the paragraph did wrap
    plain = re.sub(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069]", "", pdf)
    assert len(re.findall(r"35\s?689\s?968", plain)) == text.count(number), plain
