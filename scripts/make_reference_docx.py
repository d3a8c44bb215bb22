#!/usr/bin/env python3
"""Regenerate the built-in Word reference document (templates/styles/reference.docx).

The reference document carries every style briefkit uses. Restyle it in Word (Home > Styles > Modify) to
restyle every brief; a workspace may bring its own templates/styles/reference.docx.

The package is written here part by part, from the table of styles below, so it carries nothing a brief does
not use: no numbering definitions (briefkit writes its own lists), no linked character style that differs from
its paragraph style (each is made from it), no extended properties naming another program, no proofing state,
no printing date, and Word's current compatibility mode (15), so Word does not open briefs in "Compatibility
Mode". Only the theme comes from python-docx's default template (Word's own Office theme).
"""

from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

TARGET = Path(__file__).resolve().parents[1] / "src/briefkit/builtin/templates/styles/reference.docx"
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
HEAD = "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
INK = "1F2A44"  # the headings' colour
FONT = "Times New Roman"

# Paragraph styles: name (as Word names its built-in ones), based on, next, pPr and rPr children (schema order).
PARAGRAPH_STYLES: list[tuple[str, str | None, str | None, str, str]] = [
    ("Normal", None, None, '<w:spacing w:after="120" w:line="240" w:lineRule="auto"/>', ""),
    ("Title", "Normal", "Normal", '<w:keepNext/><w:spacing w:before="0" w:after="240"/><w:jc w:val="center"/>'
     '<w:outlineLvl w:val="0"/>', f'<w:b/><w:bCs/><w:color w:val="{INK}"/><w:sz w:val="32"/><w:szCs w:val="32"/>'),
    ("heading 1", "Normal", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="240" w:after="80"/>'
     '<w:outlineLvl w:val="0"/>', f'<w:b/><w:bCs/><w:color w:val="{INK}"/><w:sz w:val="28"/><w:szCs w:val="28"/>'),
    ("heading 2", "Normal", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="200" w:after="80"/>'
     '<w:outlineLvl w:val="1"/>', f'<w:b/><w:bCs/><w:color w:val="{INK}"/>'),
    ("heading 3", "Normal", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="160" w:after="80"/>'
     '<w:outlineLvl w:val="2"/>', f'<w:b/><w:bCs/><w:i/><w:iCs/><w:color w:val="{INK}"/>'),
    ("heading 4", "Normal", "Normal", '<w:keepNext/><w:keepLines/><w:spacing w:before="120" w:after="80"/>'
     '<w:outlineLvl w:val="3"/>', f'<w:i/><w:iCs/><w:color w:val="{INK}"/>'),
    ("header", "Normal", None, '<w:tabs><w:tab w:val="center" w:pos="4680"/><w:tab w:val="right" w:pos="9360"/>'
     '</w:tabs><w:spacing w:after="0"/>', '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    ("footer", "Normal", None, '<w:tabs><w:tab w:val="center" w:pos="4680"/><w:tab w:val="right" w:pos="9360"/>'
     '</w:tabs><w:spacing w:after="0"/>', '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    ("List Paragraph", "Normal", None, '<w:ind w:left="720"/><w:contextualSpacing/>', ""),
    ("Block Text", "Normal", None, '<w:ind w:left="567" w:right="567"/>', ""),
    ("Source Code", "Normal", None, '<w:spacing w:after="0"/>',
     '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/><w:sz w:val="20"/>'
     '<w:szCs w:val="20"/>'),
    ("Thematic Break", "Normal", "Normal", '<w:pBdr><w:bottom w:val="single" w:sz="6" w:space="1" '
     'w:color="auto"/></w:pBdr><w:spacing w:before="120" w:after="120"/>', ""),
    ("Bibliography", "Normal", None, '<w:ind w:left="720" w:hanging="720"/>', ""),
    ("caption", "Normal", "Normal", '<w:keepNext/><w:spacing w:after="60"/>', "<w:b/><w:bCs/>"),
    ("Table Text", "Normal", None, '<w:spacing w:after="0"/>', ""),
    ("Table Heading", "Table Text", None, "<w:keepNext/>", "<w:b/><w:bCs/>"),
    ("footnote text", "Normal", None, '<w:spacing w:after="0"/>', '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    # A draft resolution: one multi-level list (briefkit's numbering links each level to its style), so Tab and
    # Shift+Tab move a clause between levels in Word. The same space after every clause.
    ("Preambular Clause", "Normal", None, '<w:ind w:firstLine="720"/>', ""),
    ("Operative Clause", "Normal", None, "", ""),
    ("Sub-clause 1", "Operative Clause", None, "", ""),
    ("Sub-clause 2", "Operative Clause", None, "", ""),
    ("Sub-clause 3", "Operative Clause", None, "", ""),
    ("Sub-clause 4", "Operative Clause", None, "", ""),
]
# Character styles: name, rPr.
CHARACTER_STYLES: list[tuple[str, str]] = [
    ("footnote reference", '<w:vertAlign w:val="superscript"/>'),
    ("Hyperlink", '<w:color w:val="0563C1"/><w:u w:val="single"/>'),
    ("Verbatim Char", '<w:rFonts w:ascii="Courier New" w:hAnsi="Courier New" w:cs="Courier New"/>'
     '<w:sz w:val="20"/><w:szCs w:val="20"/>'),
    ("Strong", "<w:b/><w:bCs/>"),
    ("Emphasis", "<w:i/><w:iCs/>"),
    ("Internal Mark", '<w:b/><w:bCs/><w:caps/><w:color w:val="C00000"/>'),
]
LINKED = ("Title", "heading 1", "heading 2", "heading 3", "heading 4")  # paragraph styles with a character twin
PRIORITY = {"Normal": 0, "Title": 10, "heading 1": 9, "heading 2": 9, "heading 3": 9, "heading 4": 9,
            "List Paragraph": 34, "Bibliography": 37, "caption": 35, "Strong": 22, "Emphasis": 20}
HIDDEN_BUILTINS = {"header": 99, "footer": 99, "footnote text": 99, "footnote reference": 99, "Hyperlink": 99}
BUILTIN_NAMES = {"Normal", "Title", "heading 1", "heading 2", "heading 3", "heading 4", "header", "footer",
                 "List Paragraph", "Block Text", "Bibliography", "caption", "footnote text", "footnote reference",
                 "Hyperlink", "Strong", "Emphasis", "Default Paragraph Font", "Normal Table", "Table Grid", "No List"}


def style_id(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.replace("-", " ").split())


def _style(kind: str, name: str, body: str, default: bool = False) -> str:
    custom = "" if name in BUILTIN_NAMES else ' w:customStyle="1"'
    flag = ' w:default="1"' if default else ""
    return (f'<w:style w:type="{kind}"{flag}{custom} w:styleId="{style_id(name)}"><w:name w:val="{name}"/>{body}'
            "</w:style>")


def _ui(name: str) -> str:
    """uiPriority, then how Word shows the style (in the gallery, or hidden until used)."""
    if name in HIDDEN_BUILTINS:
        return f'<w:uiPriority w:val="{HIDDEN_BUILTINS[name]}"/><w:unhideWhenUsed/>'
    priority = PRIORITY.get(name)
    return (f'<w:uiPriority w:val="{priority}"/>' if priority is not None else "") + "<w:qFormat/>"


def styles_xml() -> str:
    # East Asian and complex-script text in the theme's fonts for the brief's languages (settings' themeFontLang),
    # unless the conference or the language names a font (briefkit writes it over these); the languages are the
    # brief's, written by briefkit: none is assumed here.
    defaults = (f'<w:docDefaults><w:rPrDefault><w:rPr><w:rFonts w:ascii="{FONT}" w:eastAsiaTheme="minorEastAsia" '
                f'w:hAnsi="{FONT}" w:cstheme="minorBidi"/><w:sz w:val="24"/><w:szCs w:val="24"/>'
                '<w:lang w:val="en-GB"/></w:rPr></w:rPrDefault><w:pPrDefault><w:pPr><w:spacing w:after="0" '
                'w:line="240" w:lineRule="auto"/></w:pPr></w:pPrDefault></w:docDefaults>')
    out = []
    for name, based, following, ppr, rpr in PARAGRAPH_STYLES:
        body = f'<w:basedOn w:val="{style_id(based)}"/>' if based else ""
        body += f'<w:next w:val="{style_id(following)}"/>' if following else ""
        body += f'<w:link w:val="{style_id(name)}Char"/>' if name in LINKED else ""
        body += _ui(name)
        body += f"<w:pPr>{ppr}</w:pPr>" if ppr else ""
        body += f"<w:rPr>{rpr}</w:rPr>" if rpr else ""
        out.append(_style("paragraph", name, body, default=name == "Normal"))
        if name in LINKED:  # the character twin Word uses for part of a paragraph: the same look, made from it
            twin = name[:1].upper() + name[1:] + " Char"
            out.append(f'<w:style w:type="character" w:customStyle="1" w:styleId="{style_id(name)}Char">'
                       f'<w:name w:val="{twin}"/><w:basedOn w:val="DefaultParagraphFont"/>'
                       f'<w:link w:val="{style_id(name)}"/><w:uiPriority w:val="{PRIORITY[name]}"/>'
                       f"<w:rPr>{rpr}</w:rPr></w:style>")
    out.append(_style("character", "Default Paragraph Font", '<w:uiPriority w:val="1"/><w:semiHidden/>'
                      "<w:unhideWhenUsed/>", default=True))
    for name, rpr in CHARACTER_STYLES:
        based = '<w:basedOn w:val="DefaultParagraphFont"/>'
        out.append(_style("character", name, f"{based}{_ui(name)}<w:rPr>{rpr}</w:rPr>"))
    margins = ('<w:tblCellMar><w:top w:w="0" w:type="dxa"/><w:left w:w="108" w:type="dxa"/><w:bottom w:w="0" '
               'w:type="dxa"/><w:right w:w="108" w:type="dxa"/></w:tblCellMar>')
    out.append(_style("table", "Normal Table", '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>'
                      f'<w:tblPr><w:tblInd w:w="0" w:type="dxa"/>{margins}</w:tblPr>', default=True))
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="auto"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    out.append(_style("table", "Table Grid", '<w:basedOn w:val="NormalTable"/><w:uiPriority w:val="59"/>'
                      f'<w:tblPr><w:tblBorders>{borders}</w:tblBorders></w:tblPr>'))
    out.append(_style("numbering", "No List", '<w:uiPriority w:val="99"/><w:semiHidden/><w:unhideWhenUsed/>',
                      default=True))
    return f'{HEAD}<w:styles xmlns:w="{W}">{defaults}{"".join(out)}</w:styles>'


def settings_xml() -> str:
    compat = "".join(f'<w:compatSetting w:name="{name}" w:uri="http://schemas.microsoft.com/office/word" '
                     f'w:val="{value}"/>' for name, value in (
                         ("compatibilityMode", 15), ("overrideTableStyleFontSizeAndJustification", 1),
                         ("enableOpenTypeFeatures", 1), ("doNotFlipMirrorIndents", 1),
                         ("differentiateMultirowTableHeaders", 1)))
    colours = " ".join(f'w:{name}="{value}"' for name, value in (
        ("bg1", "light1"), ("t1", "dark1"), ("bg2", "light2"), ("t2", "dark2"), *((f"accent{i}", f"accent{i}")
                                                                                 for i in range(1, 7)),
        ("hyperlink", "hyperlink"), ("followedHyperlink", "followedHyperlink")))
    return (f'{HEAD}<w:settings xmlns:w="{W}"><w:zoom w:percent="100"/><w:defaultTabStop w:val="720"/>'
            '<w:characterSpacingControl w:val="doNotCompress"/>'
            f'<w:compat>{compat}</w:compat><w:themeFontLang w:val="en-GB"/>'
            f'<w:clrSchemeMapping {colours}/><w:decimalSymbol w:val="."/><w:listSeparator w:val=","/>'
            "</w:settings>")


def font_table_xml() -> str:
    fonts = "".join(f'<w:font w:name={quoteattr(name)}><w:charset w:val="{charset}"/><w:family w:val="{family}"/>'
                    f'<w:pitch w:val="{pitch}"/></w:font>' for name, charset, family, pitch in (
                        ("Times New Roman", "00", "roman", "variable"), ("Arial", "00", "swiss", "variable"),
                        ("Courier New", "00", "modern", "fixed")))
    return f'{HEAD}<w:fonts xmlns:w="{W}">{fonts}</w:fonts>'


def document_xml() -> str:
    """A body that shows the styles (a brief replaces it): open the file in Word to see what you restyle."""
    samples = [("Title", "briefkit reference document"),
               ("Normal", "Restyle this document in Word (Home > Styles > Modify) to restyle every brief; the text "
                          "here is only a sample, and no brief prints it."),
               ("heading 1", "Heading 1"), ("heading 2", "Heading 2"), ("heading 3", "Heading 3"),
               ("heading 4", "Heading 4"), ("Block Text", "Block Text: a quotation."),
               ("Source Code", "Source Code"), ("Bibliography", "Bibliography: an entry of the reference list."),
               ("Preambular Clause", "Preambular Clause,"), ("Operative Clause", "Operative Clause;"),
               ("Sub-clause 1", "Sub-clause 1;"), ("Sub-clause 2", "Sub-clause 2.")]
    body = "".join(f'<w:p><w:pPr><w:pStyle w:val="{style_id(name)}"/></w:pPr><w:r><w:t>{escape(text)}</w:t></w:r></w:p>'
                   for name, text in samples)
    section = ('<w:sectPr><w:pgSz w:w="12240" w:h="15840"/><w:pgMar w:top="1440" w:right="1440" w:bottom="1440" '
               'w:left="1440" w:header="720" w:footer="720" w:gutter="0"/><w:cols w:space="720"/></w:sectPr>')
    return f'{HEAD}<w:document xmlns:w="{W}" xmlns:r="{R}"><w:body>{body}{section}</w:body></w:document>'


def core_xml() -> str:
    return (f'{HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:title>briefkit reference document</dc:title>'
            "<dc:creator>briefkit</dc:creator><dc:description>Restyle this document in Word to restyle every "
            'brief.</dc:description><dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:created>'
            '<dcterms:modified xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z</dcterms:modified>'
            "</cp:coreProperties>")


def theme_xml() -> bytes:
    """Word's own Office theme, from python-docx's default template."""
    import docx

    with zipfile.ZipFile(Path(docx.__file__).parent / "templates" / "default.docx") as template:
        return template.read("word/theme/theme1.xml")


def main() -> int:
    ct = "application/vnd.openxmlformats-officedocument.wordprocessingml."
    rt = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
    types = "".join(f'<Override PartName="/{name}" ContentType="{kind}"/>' for name, kind in (
        ("word/document.xml", ct + "document.main+xml"), ("word/styles.xml", ct + "styles+xml"),
        ("word/settings.xml", ct + "settings+xml"), ("word/fontTable.xml", ct + "fontTable+xml"),
        ("word/theme/theme1.xml", "application/vnd.openxmlformats-officedocument.theme+xml"),
        ("docProps/core.xml", "application/vnd.openxmlformats-package.core-properties+xml")))
    content_types = (f'{HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
                     '<Default Extension="rels" '
                     'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
                     f'<Default Extension="xml" ContentType="application/xml"/>{types}</Types>')
    rels = "http://schemas.openxmlformats.org/package/2006/relationships"
    package_rels = (f'{HEAD}<Relationships xmlns="{rels}"><Relationship Id="rId1" Type="{rt}officeDocument" '
                    'Target="word/document.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                    'package/2006/relationships/metadata/core-properties" Target="docProps/core.xml"/></Relationships>')
    document_rels = f'{HEAD}<Relationships xmlns="{rels}">' + "".join(
        f'<Relationship Id="rId{i}" Type="{rt}{kind}" Target="{target}"/>' for i, (kind, target) in enumerate((
            ("styles", "styles.xml"), ("settings", "settings.xml"), ("fontTable", "fontTable.xml"),
            ("theme", "theme/theme1.xml")), 1)) + "</Relationships>"
    parts = [("[Content_Types].xml", content_types), ("_rels/.rels", package_rels), ("docProps/core.xml", core_xml()),
             ("word/document.xml", document_xml()), ("word/_rels/document.xml.rels", document_rels),
             ("word/styles.xml", styles_xml()), ("word/settings.xml", settings_xml()),
             ("word/fontTable.xml", font_table_xml()), ("word/theme/theme1.xml", theme_xml())]
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(TARGET, "w", zipfile.ZIP_DEFLATED) as package:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            package.writestr(info, data if isinstance(data, bytes) else data.encode("utf-8"))
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
