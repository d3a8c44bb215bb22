#!/usr/bin/env python3
"""Regenerate the built-in Word reference document (templates/styles/reference.docx).

The reference document carries every style briefkit uses. Restyle it in Word (Home > Styles >
Modify) to restyle every brief; a workspace may bring its own templates/styles/reference.docx.
This script only makes the default one, from python-docx's template, without its leftovers.
"""

from __future__ import annotations

import sys
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Cm, Pt, RGBColor

TARGET = Path(__file__).resolve().parents[1] / "src/briefkit/builtin/templates/styles/reference.docx"
INK = RGBColor(0x1F, 0x2A, 0x44)


def _plain_font(style) -> None:
    """Headings inherit the body font the conference sets, instead of the theme's Calibri Light."""
    rpr = style.element.get_or_add_rPr()
    for fonts in rpr.findall(qn("w:rFonts")):
        rpr.remove(fonts)


def _paragraph(doc, name, base="Normal", size=None, bold=None, italic=None, before=None, after=None, **kw):
    styles = doc.styles
    style = styles[name] if name in [s.name for s in styles] else styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
    style.base_style = styles[base] if base else None
    style.hidden = False
    style.quick_style = True
    font = style.font
    if size:
        font.size = Pt(size)
    if bold is not None:
        font.bold = bold
    if italic is not None:
        font.italic = italic
    fmt = style.paragraph_format
    if before is not None:
        fmt.space_before = Pt(before)
    if after is not None:
        fmt.space_after = Pt(after)
    for key, value in kw.items():
        setattr(fmt, key, value)
    return style


def _character(doc, style_name, **font):
    styles = doc.styles
    style = (styles[style_name] if style_name in [s.name for s in styles]
             else styles.add_style(style_name, WD_STYLE_TYPE.CHARACTER))
    for key, value in font.items():
        setattr(style.font, key, value)
    style.hidden = False
    return style


KEEP = {"Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4", "Title", "Subtitle", "Quote", "Header",
        "Footer", "List Paragraph", "Caption", "Table Grid", "Normal Table", "No List", "Default Paragraph Font",
        "Strong", "Emphasis", "Body Text"}


def _trim(doc) -> None:
    """Drop the template's dozens of unused table and list styles, latent styles and odd settings."""
    styles = doc.styles.element
    for style in styles.findall(qn("w:style")):
        name = style.find(qn("w:name"))
        value = name.get(qn("w:val")).lower() if name is not None else ""
        if value not in {k.lower() for k in KEEP} and not value.endswith(" char"):
            styles.remove(style)
    for latent in styles.findall(qn("w:latentStyles")):
        styles.remove(latent)
    settings = doc.settings.element
    for zoom in settings.findall(qn("w:zoom")):
        zoom.set(qn("w:percent"), "100")


def main() -> int:
    doc = docx.Document()
    package = doc.part.package
    for rel_id, rel in list(package.rels.items()):
        if rel.reltype in (RT.THUMBNAIL,):
            package.rels.pop(rel_id)
    for rel_id, rel in list(doc.part.rels.items()):
        if rel.reltype == RT.CUSTOM_XML or rel.reltype.endswith("/stylesWithEffects"):
            doc.part.drop_rel(rel_id)
    _trim(doc)
    doc.core_properties.title = "briefkit reference document"
    doc.core_properties.author = "briefkit"
    doc.core_properties.comments = "Restyle this document in Word to restyle every brief."

    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(12)
    normal.paragraph_format.space_after = Pt(6)
    normal.paragraph_format.line_spacing = 1.0

    title = _paragraph(doc, "Title", size=16, bold=True, before=0, after=12, alignment=WD_ALIGN_PARAGRAPH.CENTER)
    sizes = {"Heading 1": (14, True, False, 12), "Heading 2": (12, True, False, 10),
             "Heading 3": (12, True, True, 8), "Heading 4": (12, False, True, 6)}
    for name, (size, bold, italic, before) in sizes.items():
        style = _paragraph(doc, name, size=size, bold=bold, italic=italic, before=before, after=4)
        style.font.color.rgb = INK
        _plain_font(style)
    _plain_font(title)
    title.font.color.rgb = INK
    for rule in title.element.findall(".//" + qn("w:pBdr")):
        rule.getparent().remove(rule)

    _paragraph(doc, "Footnote Text", size=10, before=0, after=0)
    _character(doc, "Footnote Reference", superscript=True)
    _character(doc, "Hyperlink", underline=True).font.color.rgb = RGBColor(0x05, 0x63, 0xC1)
    _character(doc, "Verbatim Char", name="Courier New", size=Pt(10))
    code = _paragraph(doc, "Source Code", size=10, before=0, after=0)
    code.font.name = "Courier New"
    _paragraph(doc, "Bibliography", after=6, left_indent=Cm(1.27), first_line_indent=Cm(-1.27))
    _paragraph(doc, "Compact", before=0, after=2)
    _paragraph(doc, "Title Block", before=0, after=0)
    _paragraph(doc, "Table Text", before=0, after=0)
    _paragraph(doc, "Table Heading", base="Table Text", bold=True, before=0, after=0)
    quote = _paragraph(doc, "Block Text", left_indent=Cm(1), right_indent=Cm(1), after=6)
    quote.font.italic = False
    rule = _paragraph(doc, "Thematic Break", before=6, after=6)
    ppr = rule.element.get_or_add_pPr()
    ppr.insert(0, parse_xml(f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="6" w:space="1" '
                            'w:color="auto"/></w:pBdr>'))
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    doc.save(str(TARGET))
    print(f"wrote {TARGET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
