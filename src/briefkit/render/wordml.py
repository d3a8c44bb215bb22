"""WordprocessingML, element by element: the only module that writes `w:` markup.

Each function returns one element as text and owns the order of its children (ECMA-376's schema order);
callers pass values, never markup of their own, except the runs and paragraphs other functions here made.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from briefkit.render.package import NSDECLS, XML_HEAD, attr, escape

_SPECIAL = re.compile(r"([\t\n])")
BULLETS = ("\u2022", "\u25e6", "\u25aa")
LIST_STEP = 720  # twips each list level's text starts past the one before, in briefkit's list definitions
DRAWING_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
DRAWING_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"
DRAWING_WP = "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"
CORE_NS = ('xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
           'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')


def paragraph(runs: str, style: str | None = None, *, numbering: tuple[int, int] | None = None, bidi: bool = False,
              indent: int | None = None, hanging: int | None = None, align: str | None = None,
              bookmark: tuple[int, str] | None = None, page_break_before: bool = False,
              no_line_numbers: bool = False) -> str:
    """`w:p`: properties (pStyle, pageBreakBefore, numPr, suppressLineNumbers, bidi, ind, jc), then the runs,
    inside a bookmark if one is given."""
    ppr = []
    if style:
        ppr.append(f'<w:pStyle w:val="{attr(style)}"/>')
    if page_break_before:
        ppr.append("<w:pageBreakBefore/>")
    if numbering is not None:
        num_id, level = numbering
        ppr.append(f'<w:numPr><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>')
    if no_line_numbers:
        ppr.append("<w:suppressLineNumbers/>")
    if bidi:
        ppr.append("<w:bidi/>")
    if indent is not None:
        hang = f' w:hanging="{hanging}"' if hanging is not None else ""
        ppr.append(f'<w:ind w:left="{indent}"{hang}/>')
    if align:
        ppr.append(f'<w:jc w:val="{align}"/>')
    properties = f"<w:pPr>{''.join(ppr)}</w:pPr>" if ppr else ""
    return f"<w:p>{properties}{_bookmarked(runs, bookmark)}</w:p>"


def spacer() -> str:
    """A tiny empty paragraph (1 pt, no spacing): what keeps two tables apart, since Word and LibreOffice join
    tables that touch into one."""
    return ('<w:p><w:pPr><w:spacing w:before="0" w:after="0" w:line="20" w:lineRule="exact"/>'
            '<w:rPr><w:sz w:val="2"/><w:szCs w:val="2"/></w:rPr></w:pPr></w:p>')


def _bookmarked(runs: str, bookmark: tuple[int, str] | None) -> str:
    """Runs between `w:bookmarkStart` and `w:bookmarkEnd` (the id unique in the document, the name a target)."""
    if bookmark is None:
        return runs
    number, name = bookmark
    return f'<w:bookmarkStart w:id="{number}" w:name="{attr(name)}"/>{runs}<w:bookmarkEnd w:id="{number}"/>'


@lru_cache(maxsize=16384)  # the same sentences and citations recur in brief after brief
def run(text: str, style: str | None = None, *, bold: bool = False, italic: bool = False, strike: bool = False,
        superscript: bool = False, rtl: bool = False) -> str:
    """`w:r` with its properties (rStyle, b, i, strike, vertAlign, rtl) and its text. Bold and italic are set for
    complex-script text too (bCs, iCs: Word and LibreOffice read only those for Arabic or Hebrew)."""
    rpr = []
    if style:
        rpr.append(f'<w:rStyle w:val="{attr(style)}"/>')
    if bold:
        rpr.append("<w:b/><w:bCs/>")
    if italic:
        rpr.append("<w:i/><w:iCs/>")
    if strike:
        rpr.append("<w:strike/>")
    if superscript:
        rpr.append('<w:vertAlign w:val="superscript"/>')
    if rtl:
        rpr.append("<w:rtl/>")
    properties = f"<w:rPr>{''.join(rpr)}</w:rPr>" if rpr else ""
    return f"<w:r>{properties}{_content(text)}</w:r>"


def _content(text: str) -> str:
    """A run's text: `w:t` pieces, with tabs and line breaks as Word's own elements."""
    if "\t" not in text and "\n" not in text:
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f"<w:t{space}>{escape(text)}</w:t>"
    out = []
    for piece in _SPECIAL.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece == "\n":
            out.append("<w:br/>")
        elif piece:
            out.append(_content(piece))
    return "".join(out)


def line_break() -> str:
    return "<w:r><w:br/></w:r>"


def page_break() -> str:
    return '<w:r><w:br w:type="page"/></w:r>'


def field(instruction: str, shown: str = "1") -> str:
    """A simple field (PAGE, NUMPAGES) showing `shown` until Word updates it."""
    return f'<w:fldSimple w:instr=" {attr(instruction)} "><w:r><w:t>{escape(shown)}</w:t></w:r></w:fldSimple>'


def complex_field(instruction: str, shown: str) -> str:
    """A field as Word writes one in runs (begin, instruction, separator, result, end): a reader that does not
    know fields still reads `shown`, the result (DOCPROPERTY, TITLE)."""
    return (f'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText xml:space="preserve"> '
            f'{escape(instruction)} </w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'{run(shown) if shown else ""}<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def hyperlink(runs: str, *, rid: str | None = None, anchor: str | None = None) -> str:
    target = f'r:id="{attr(rid)}"' if rid is not None else f'w:anchor="{attr(anchor or "")}"'
    return f'<w:hyperlink {target} w:history="1">{runs}</w:hyperlink>'


def footnote_reference(number: int, style: str | None, bookmark: tuple[int, str] | None = None) -> str:
    """The note's number in the text, inside the bookmark later references to the same note point at."""
    return _bookmarked(f'<w:r>{_mark(style)}<w:footnoteReference w:id="{number}"/></w:r>', bookmark)


def note_reference(bookmark: str, shown: int, style: str | None) -> str:
    """A later reference to a note, as Word writes one: a NOTEREF field to the first reference's bookmark
    (`\\f` formats it as a note mark, `\\h` links it), showing the note's number until Word updates it."""
    mark = _mark(style)
    instruction = f" NOTEREF {bookmark} \\f \\h "
    return (f'<w:r>{mark}<w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r>{mark}<w:instrText xml:space="preserve">{escape(instruction)}</w:instrText></w:r>'
            f'<w:r>{mark}<w:fldChar w:fldCharType="separate"/></w:r><w:r>{mark}<w:t>{shown}</w:t></w:r>'
            f'<w:r>{mark}<w:fldChar w:fldCharType="end"/></w:r>')


def footnote_mark(style: str | None) -> str:
    """The note's own number, at the start of its text."""
    return f"<w:r>{_mark(style)}<w:footnoteRef/></w:r>"


def _mark(style: str | None) -> str:
    """A note-mark run's properties: the character style, where the document has one."""
    return f'<w:rPr><w:rStyle w:val="{attr(style)}"/></w:rPr>' if style else ""


def footnote(number: int, paragraphs: str) -> str:
    return f'<w:footnote w:id="{number}">{paragraphs or "<w:p/>"}</w:footnote>'


_SEPARATOR = ('<w:footnote w:type="{kind}" w:id="{id}"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
              'w:lineRule="auto"/></w:pPr><w:r><w:{kind}/></w:r></w:p></w:footnote>')


def footnotes_part(notes: Iterable[str]) -> bytes:
    """The footnotes part: Word's two separators, then the notes."""
    separators = _SEPARATOR.format(kind="separator", id=-1) + _SEPARATOR.format(kind="continuationSeparator", id=0)
    return f'{XML_HEAD}<w:footnotes {NSDECLS}>{separators}{"".join(notes)}</w:footnotes>'.encode()


def header_footer_part(tag: str, paragraph_xml: str) -> bytes:
    """A header (`hdr`) or footer (`ftr`) part holding its paragraphs."""
    return f"{XML_HEAD}<w:{tag} {NSDECLS}>{paragraph_xml}</w:{tag}>".encode()


def document_part(document_open: str, body: str, section: str, document_close: str) -> bytes:
    """The main document: the reference's document element around a new body (the section properties last)."""
    return f"{XML_HEAD}{document_open}<w:body>{body}{section}</w:body>{document_close}".encode()


def table(rows: Iterable[str], widths: Iterable[int], style: str | None, indent: int = 0, caption: str = "",
          description: str = "", rtl: bool = False) -> str:
    """`w:tbl`: properties (style, right to left, width, indent, fixed layout, look, alt text: caption and
    description), the grid (each column's width, in twips), then the rows. A right-to-left table (`bidiVisual`)
    has its first column on the right, and its indent from the right margin."""
    widths = list(widths)
    table_style = f'<w:tblStyle w:val="{attr(style)}"/>' if style else ""
    table_style += "<w:bidiVisual/>" if rtl else ""
    table_indent = f'<w:tblInd w:w="{indent}" w:type="dxa"/>' if indent else ""
    look = ('<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="1" w:lastColumn="0" '
            'w:noHBand="0" w:noVBand="1"/>')
    alt = (f'<w:tblCaption w:val="{attr(caption)}"/>' if caption else "") + \
        (f'<w:tblDescription w:val="{attr(description)}"/>' if description else "")
    grid = "".join(f'<w:gridCol w:w="{width}"/>' for width in widths)
    return (f'<w:tbl><w:tblPr>{table_style}<w:tblW w:w="{sum(widths)}" w:type="dxa"/>{table_indent}'
            f'<w:tblLayout w:type="fixed"/>{look}{alt}</w:tblPr><w:tblGrid>{grid}</w:tblGrid>{"".join(rows)}</w:tbl>')


def table_row(cells: Iterable[str], header: bool) -> str:
    """`w:tr`, never split across two pages; a header row repeats on each page."""
    properties = "<w:cantSplit/><w:tblHeader/>" if header else "<w:cantSplit/>"
    return f"<w:tr><w:trPr>{properties}</w:trPr>{''.join(cells)}</w:tr>"


def table_cell(paragraph_xml: str, width: int) -> str:
    return f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>{paragraph_xml}</w:tc>'


def num(num_id: int, abstract_id: int, level: int | None = None, start: int = 1) -> str:
    """A numbering instance of a list definition, starting at `start` on `level` (so each list restarts; no level:
    as the definition says)."""
    override = "" if level is None else \
        f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride>'
    return f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract_id}"/>{override}</w:num>'


@lru_cache(maxsize=32)
def abstract_nums(first_id: int, scheme: tuple[tuple[str, str], ...]) -> str:
    """The bullet and the ordered list definitions, ordered lists labelled by `scheme` (document.LIST_LABELS)."""
    out = []
    for abstract_id, labels in ((first_id, ()), (first_id + 1, scheme)):
        levels = []
        for level in range(9):
            left, hanging = level_indent(level, labels)
            if labels:
                fmt, label = labels[level % len(labels)]
                text = label.format(n=f"%{level + 1}")
            else:
                fmt, text = "bullet", BULLETS[level % 3]
            levels.append(f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                          f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                          f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>')
        out.append(f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="hybridMultilevel"/>'
                   f'{"".join(levels)}</w:abstractNum>')
    return "".join(out)


@lru_cache(maxsize=8)
def clause_list(abstract_id: int, labels: tuple[tuple[str, str], ...], styles: tuple[str | None, ...]) -> str:
    """A draft resolution's one multi-level list: level 0 the preambular clauses (no number), level 1 the operative
    clauses, then the sub-clause levels, labelled by `labels` (document.LIST_LABELS["resolution"]); each level
    tied to its paragraph style (`styles`: their ids, in that order), so Word's Tab and Shift+Tab move a clause
    between levels and styles."""
    levels = ['<w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="none"/>'
              + (f'<w:pStyle w:val="{attr(styles[0])}"/>' if styles[0] else "")
              + '<w:suff w:val="nothing"/><w:lvlText w:val=""/><w:lvlJc w:val="left"/>'
              '<w:pPr><w:ind w:left="0" w:firstLine="720"/></w:pPr></w:lvl>']
    for level in range(1, 9):
        fmt, label = labels[(level - 1) % len(labels)]
        left, hanging = level_indent(level - 1, labels)
        style = styles[level] if level < len(styles) else None
        levels.append(f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                      + (f'<w:pStyle w:val="{attr(style)}"/>' if style else "")
                      + f'<w:lvlText w:val="{label.format(n=f"%{level + 1}")}"/><w:lvlJc w:val="left"/>'
                      f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>')
    return (f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="multilevel"/>'
            f'{"".join(levels)}</w:abstractNum>')


def level_indent(level: int, labels: tuple[tuple[str, str], ...] = ()) -> tuple[int, int]:
    """Where a list level's text starts and how far its label hangs before it, in twips (no labels: bullets).
    A list placed further in (inside a quote) keeps the same hang, so its labels still fit."""
    if not labels:
        return LIST_STEP * (level + 1), 360
    label = labels[level % len(labels)][1].format(n=f"%{level + 1}")
    return LIST_STEP * (level + 1), 360 if len(label) < 4 else 540


def picture(number: int, rid: str, cx: int, cy: int, alt: str, name: str) -> str:
    """A run holding an inline picture (`w:drawing` with DrawingML's inline frame)."""
    a, pic = DRAWING_A, DRAWING_PIC
    return (f'<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" xmlns:wp="{DRAWING_WP}">'
            f'<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{number}" name="Picture {number}" descr="{attr(alt)}"/>'
            f'<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{a}" noChangeAspect="1"/></wp:cNvGraphicFramePr>'
            f'<a:graphic xmlns:a="{a}"><a:graphicData uri="{pic}"><pic:pic xmlns:pic="{pic}"><pic:nvPicPr>'
            f'<pic:cNvPr id="0" name="{attr(name)}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill>'
            f'<a:blip r:embed="{attr(rid)}"/><a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm>'
            f'<a:off x="0" y="0"/><a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/>'
            f'</a:prstGeom></pic:spPr></pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')


def core_properties(fields: Iterable[tuple[str, str]], when: str) -> bytes:
    """docProps/core.xml: Dublin Core fields (`dc:title`...), then the created and modified dates (never printed:
    a brief just made has not been)."""
    items = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields)
    dates = "".join(f'<dcterms:{tag} xsi:type="dcterms:W3CDTF">{when}</dcterms:{tag}>'
                    for tag in ("created", "modified"))
    return f"{XML_HEAD}<cp:coreProperties {CORE_NS}>{items}{dates}</cp:coreProperties>".encode()


CUSTOM_NS = ('xmlns="http://schemas.openxmlformats.org/officeDocument/2006/custom-properties" '
             'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"')
CUSTOM_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"  # the one every custom property of a document carries


def custom_properties(fields: Iterable[tuple[str, str]]) -> bytes:
    """docProps/custom.xml: named text properties (File > Info > Properties in Word), which DOCPROPERTY fields
    show."""
    items = "".join(f'<property fmtid="{CUSTOM_FMTID}" pid="{pid}" name="{attr(name)}"><vt:lpwstr>{escape(value)}'
                    f"</vt:lpwstr></property>" for pid, (name, value) in enumerate(fields, 2))
    return f"{XML_HEAD}<Properties {CUSTOM_NS}>{items}</Properties>".encode()
