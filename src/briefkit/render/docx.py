"""The Word writer: walks the parsed tree into a DOCX styled by the reference document."""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Emu, Inches, Mm, Pt
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from briefkit.compose import Composed
from briefkit.document import list_scheme, split_list_item
from briefkit.errors import BriefkitError, Problem
from briefkit.render import ooxml
from briefkit.workspace import Workspace, is_safe_name
from briefkit.yamlio import XML_ILLEGAL

PAPER = {"letter": (Inches(8.5), Inches(11)), "a4": (Mm(210), Mm(297))}
HEADING_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 4", "Heading 4")
ALIGN = {"left": WD_ALIGN_PARAGRAPH.LEFT, "right": WD_ALIGN_PARAGRAPH.RIGHT, "center": WD_ALIGN_PARAGRAPH.CENTER}
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(cm|mm|in|px|pt|%)?\s*$")
FIXED_DATE = dt.datetime(2000, 1, 1)


class UnknownElement(Exception):
    """The tree holds an element the Word writer has no rule for."""


@dataclass(frozen=True)
class Format:
    """Inline formatting in force while walking runs."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    superscript: bool = False


@lru_cache(maxsize=8)
def _reference_bytes(path: Path, mtime: float) -> bytes:
    return path.read_bytes()


def reference_path(ws: Workspace) -> Path:
    """The workspace's reference document, or the built-in one."""
    path = ws.find("templates/styles", "reference", ".docx")
    if path is None:
        raise BriefkitError([Problem(ws.root, None, "no reference document templates/styles/reference.docx")])
    return path


_STYLE_IDS: dict[tuple[Path, float], dict[str, str | None]] = {}  # per reference document: style name -> id


class _StyleIds(dict[str, str | None]):
    """Style ids by name, each looked up once per reference document (None for a default style, as python-docx
    writes it), instead of python-docx's search through every style on every use."""

    def __init__(self, doc: Any, known: dict[str, str | None]):
        super().__init__(known)
        self.doc = doc
        self.known = known

    def __missing__(self, name: str) -> str | None:
        style = self.doc.styles[name]
        self[name] = self.known[name] = self.doc.part.get_style_id(style, style.type)
        return self[name]


class DocxWriter:
    """One method per element; block methods add to a container, inline methods add runs."""

    def __init__(self, composed: Composed, ws: Workspace):
        self.composed = composed
        self.ws = ws
        path = reference_path(ws)
        self.doc = docx.Document(io.BytesIO(_reference_bytes(path, path.stat().st_mtime)))
        body = self.doc.element.body
        for child in list(body):
            if child.tag != qn("w:sectPr"):
                body.remove(child)
        self.style_ids = _StyleIds(self.doc, _STYLE_IDS.setdefault((path, path.stat().st_mtime), {}))
        self.footnotes = ooxml.Footnotes(self.doc.part)
        self.numbering = ooxml.Numbering(self.doc.part.numbering_part, list_scheme(composed.job.brief.kind))
        self.notes: dict[str, ET.Element] = {}
        self.bookmarks = 0
        self.first_heading = True
        self.references = False  # inside the reference list, whose heading has class "references"
        self.blocks: dict[str, Callable[..., None]] = {
            **{f"h{n}": self.heading for n in range(1, 7)},
            "p": self.paragraph, "ul": self.list, "ol": self.list, "blockquote": self.blockquote,
            "pre": self.code_block, "hr": self.rule, "table": self.table, "pagebreak": self.page_break,
            "div": self.division,
        }
        self.inlines: dict[str, Callable[..., None]] = {
            "strong": self.styled(bold=True), "em": self.styled(italic=True), "del": self.styled(strike=True),
            "code": self.styled(code=True), "a": self.link, "img": self.image, "br": self.line_break,
            "sup": self.superscript,
        }

    # The document -----------------------------------------------------------------------------

    def render(self, root: ET.Element) -> bytes:
        self.notes = {li.get("id", ""): li for div in root.iter("div") if "footnote" in (div.get("class") or "")
                      for li in div.iter("li")}
        self.page_setup()
        self.walk(root, self.doc.element.body, "Normal")
        self.properties()
        out = io.BytesIO()
        self.doc.save(out)
        return ooxml.normalize_zip(out.getvalue())

    def page_setup(self) -> None:
        conference = self.composed.job.conference
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAPER[conference.paper]
        margins = conference.margins
        section.top_margin, section.bottom_margin = Cm(margins.top), Cm(margins.bottom)
        section.left_margin, section.right_margin = Cm(margins.left), Cm(margins.right)
        styles = self.doc.styles
        normal = styles["Normal"]
        normal.font.name = conference.font
        normal.font.size = Pt(conference.font_size)
        normal.paragraph_format.line_spacing = conference.line_spacing
        fonts = normal.element.get_or_add_rPr().get_or_add_rFonts()
        fonts.set(qn("w:eastAsia"), conference.east_asian_font)
        fonts.set(qn("w:cs"), conference.font)
        if "Footnote Text" in styles:
            styles["Footnote Text"].font.size = Pt(max(conference.font_size - 2, 8))
        if conference.font_size_range:
            low, high = conference.font_size_range
            for style in styles:  # every size the reference document sets, headings and notes included
                font = getattr(style, "font", None)
                if font is not None and font.size is not None:
                    font.size = Pt(min(max(font.size.pt, low), high))
        self.language()
        self.header_footer()

    def language(self) -> None:
        """Spell-check language from the brief; East Asian and complex-script languages for CJK and RTL text."""
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
        rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
        if rpr is None:
            return
        for old in rpr.findall(qn("w:lang")):
            rpr.remove(old)
        rpr.append(ooxml.element("w:lang", val=self.composed.job.brief.language, eastAsia="zh-CN", bidi="ar-SA"))

    def header_footer(self) -> None:
        job = self.composed.job
        values = {"country": job.country.short_name, "committee": job.committee.short_name,
                  "school": job.brief.school, "conference": job.conference.name, "title": self.composed.title}
        section = self.doc.sections[0]
        footer = job.conference.footer or ("Page {page} of {pages}" if job.conference.page_x_of_y else "Page {page}")
        for text, part in ((job.conference.header, section.header), (footer, section.footer)):
            part.is_linked_to_previous = False
            paragraph = part.paragraphs[0]
            paragraph._p.style = self.style_ids["Header" if part is section.header else "Footer"]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for piece in re.split(r"(\{page\}|\{pages\})", text):
                if piece == "{page}":
                    paragraph._p.append(ooxml.simple_field("PAGE", "1"))
                elif piece == "{pages}":
                    paragraph._p.append(ooxml.simple_field("NUMPAGES", "1"))
                elif piece:
                    paragraph.add_run(piece.format_map(_Blank(values)))

    def properties(self) -> None:
        job = self.composed.job
        props = self.doc.core_properties
        stamp = dt.datetime.combine(job.brief.date, dt.time()) if job.brief.date else FIXED_DATE
        props.title = self.composed.title
        props.subject = job.committee.name
        props.author = (", ".join(job.brief.delegates) if job.brief.delegates and job.conference.names_allowed
                        else job.country.delegation)
        props.keywords = "; ".join(topic.title for topic in job.topics)
        props.language = job.brief.language
        props.comments = ""
        props.category = job.brief.kind
        props.last_modified_by = "briefkit"
        props.revision = 1
        props.created = props.modified = stamp
        props.last_printed = stamp

    # Blocks -----------------------------------------------------------------------------------

    def walk(self, parent: ET.Element, container: Any, style: str, level: int = -1) -> None:
        for child in parent:
            method = self.blocks.get(child.tag)
            if method is None:
                raise UnknownElement(f"Word writer has no rule for <{child.tag}>")
            method(child, container, style, level)

    def new_paragraph(self, container: Any, style: str) -> Paragraph:
        p = ooxml.element("w:p")
        container.append(p) if container.tag != qn("w:body") else self._body_append(p)
        paragraph = Paragraph(p, self.doc._body)
        p.style = self.style_ids[style]
        return paragraph

    def _body_append(self, p: Any) -> None:
        self.doc.element.body.find(qn("w:sectPr")).addprevious(p)

    def heading(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        rank = int(element.tag[1])
        if rank == 1 and self.first_heading:
            name = "Title"
        else:
            name = HEADING_STYLES[min(rank - 2, 5)] if rank > 1 else "Heading 1"
        self.first_heading = False
        self.references = "references" in (element.get("class") or "")
        paragraph = self.new_paragraph(container, name)
        self.runs(element, paragraph._p, paragraph, Format())
        if element.get("id"):
            self.bookmarks += 1
            ooxml.bookmark(paragraph._p, ooxml.bookmark_name(element.get("id", "")), self.bookmarks)

    def paragraph(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        if self.references and style == "Normal":
            style = "Bibliography"
        paragraph = self.new_paragraph(container, style)
        self.runs(element, paragraph._p, paragraph, Format())
        self.direction(paragraph)

    def list(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        level += 1
        num_id = self.numbering.new_list(element.tag == "ol", level, int(element.get("start", "1")))
        for li in element:
            lead, blocks = split_list_item(li)
            numbered = False
            for child in ([lead] if lead is not None else []) + blocks:
                if child.tag != "p":
                    self.walk(_wrap(child), container, "List Paragraph", level)
                    continue
                paragraph = self.new_paragraph(container, "List Paragraph")
                self.runs(child, paragraph._p, paragraph, Format())
                self.direction(paragraph)
                if numbered:  # a later paragraph of the same item: indented like the text, no number
                    paragraph.paragraph_format.left_indent = Emu(Inches(0.5) * (level + 1))
                else:
                    ooxml.number_paragraph(paragraph._p, num_id, level)
                    numbered = True

    def blockquote(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        self.walk(element, container, "Block Text", level)

    def code_block(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        code = element.find("code")
        text = ((code if code is not None else element).text or "").rstrip("\n")
        paragraph = self.new_paragraph(container, "Source Code")
        paragraph.add_run(text)

    def rule(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        self.new_paragraph(container, "Thematic Break")

    def page_break(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        paragraph = self.new_paragraph(container, "Normal")
        paragraph._p.append(ooxml.page_break())

    def division(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        if "footnote" in (element.get("class") or ""):
            return  # notes are placed where they are referenced
        self.walk(element, container, style, level)

    def table(self, element: ET.Element, container: Any, style: str, level: int) -> None:
        rows = list(element.iter("tr"))
        if not rows:
            return
        columns = max(len(row) for row in rows)
        table = self.doc.add_table(rows=len(rows), cols=columns)
        table.style = self.doc.styles["Table Grid"]
        tbl = table._tbl
        tbl.getparent().remove(tbl)
        container.append(tbl) if container.tag != qn("w:body") else self._body_append(tbl)
        header = rows[0].find("th") is not None
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                target = table.cell(r, c)
                paragraph = target.paragraphs[0]
                paragraph._p.style = self.style_ids["Table Heading" if cell.tag == "th" else "Table Text"]
                align = re.search(r"text-align:\s*(\w+)", cell.get("style") or "")
                if align and align.group(1) in ALIGN:
                    paragraph.alignment = ALIGN[align.group(1)]
                self.runs(cell, paragraph._p, paragraph, Format())
        if header:
            tr_pr = table.rows[0]._tr.get_or_add_trPr()
            tr_pr.append(ooxml.element("w:tblHeader"))

    # Inlines ----------------------------------------------------------------------------------

    def runs(self, element: ET.Element, target: Any, paragraph: Paragraph, fmt: Format) -> None:
        """Add an element's text and inline children as runs to `target` (a paragraph or hyperlink)."""
        if element.text:
            self.text(element.text, target, paragraph, fmt)
        for child in element:
            method = self.inlines.get(child.tag)
            if method is None:
                raise UnknownElement(f"Word writer has no rule for inline <{child.tag}>")
            method(child, target, paragraph, fmt)
            if child.tail:
                self.text(child.tail, target, paragraph, fmt)

    def text(self, text: str, target: Any, paragraph: Paragraph, fmt: Format, style: str | None = None) -> None:
        r = ooxml.element("w:r")
        target.append(r)
        run = Run(r, paragraph)
        run.text = text
        if fmt.bold:
            run.bold = True
        if fmt.italic:
            run.italic = True
        if fmt.strike:
            run.font.strike = True
        if fmt.superscript:
            run.font.superscript = True
        if fmt.code:
            style = style or "Verbatim Char"
        if style:
            r.style = self.style_ids[style]
        if RTL.search(text):
            r.get_or_add_rPr().append(ooxml.element("w:rtl"))

    def styled(self, **flags: bool) -> Callable[..., None]:
        def method(element: ET.Element, target: Any, paragraph: Paragraph, fmt: Format) -> None:
            self.runs(element, target, paragraph, replace(fmt, **flags))
        return method

    def link(self, element: ET.Element, target: Any, paragraph: Paragraph, fmt: Format) -> None:
        href = element.get("href", "")
        part = self._part_of(target)
        if href.startswith("#"):
            link = ooxml.hyperlink(part, anchor=ooxml.bookmark_name(href[1:]))
        else:
            link = ooxml.hyperlink(part, url=href)
        target.append(link)
        start = len(link)
        self.runs(element, link, paragraph, fmt)
        for r in list(link)[start:]:
            r.style = self.style_ids["Hyperlink"]

    def _part_of(self, target: Any) -> Any:
        """The package part a node belongs to: hyperlinks in footnotes relate from the footnotes part."""
        root = target.getroottree().getroot()
        if self.footnotes.part is not None and root is self.footnotes.part.element:
            return self.footnotes.part
        return self.doc.part

    def image(self, element: ET.Element, target: Any, paragraph: Paragraph, fmt: Format) -> None:
        path = self._image_path(element.get("src", ""))
        r = ooxml.element("w:r")
        target.append(r)
        Run(r, paragraph).add_picture(str(path), width=self._width(element.get("width")))

    def _image_path(self, src: str) -> Path:
        if is_safe_name(src):
            for layer in self.ws.layers:
                if (layer / src).is_file():
                    return layer / src
        raise BriefkitError([Problem(self.composed.job.brief.path, None,
                                     f"image '{src}' not found in the workspace", "give a path relative to it")])

    def _width(self, width: str | None) -> int | None:
        if not width:
            return None
        match = LENGTH.match(width)
        if not match:
            raise BriefkitError([Problem(self.composed.job.brief.path, None, f"cannot read image width '{width}'",
                                         "use e.g. 8cm, 60mm, 3in, 300px or 50%")])
        value, unit = float(match.group(1)), match.group(2) or "px"
        if unit == "%":
            section = self.doc.sections[0]
            usable = (section.page_width or 0) - (section.left_margin or 0) - (section.right_margin or 0)
            return int(usable * value / 100)
        return int({"cm": Cm, "mm": Mm, "in": Inches, "pt": Pt, "px": lambda v: Inches(v / 96)}[unit](value))

    def line_break(self, element: ET.Element, target: Any, paragraph: Paragraph, fmt: Format) -> None:
        r = ooxml.element("w:r")
        r.append(ooxml.element("w:br"))
        target.append(r)

    def superscript(self, element: ET.Element, target: Any, paragraph: Paragraph, fmt: Format) -> None:
        anchor = element.find("a")
        if anchor is None or "footnote-ref" not in (anchor.get("class") or ""):
            self.runs(element, target, paragraph, replace(fmt, superscript=True))
            return
        note = self.notes.get((anchor.get("href") or "").lstrip("#"))
        if note is None:
            return
        number, footnote, part = self.footnotes.new()
        target.append(ooxml.footnote_reference(number))
        first = True
        for child in note:
            if child.tag != "p":
                self.walk(_wrap(child), footnote, "Footnote Text")
                continue
            p = ooxml.element("w:p")
            footnote.append(p)
            para = Paragraph(p, paragraph._parent)
            para._p.style = self.style_ids["Footnote Text"]
            if first:
                p.append(ooxml.footnote_mark())
                self.text(" ", p, para, Format())
                first = False
            self.runs(child, p, para, Format())

    def direction(self, paragraph: Paragraph) -> None:
        """Right-to-left paragraphs for Arabic and Hebrew text."""
        text = paragraph.text
        if RTL.search(text) and len(RTL.findall(text)) * 2 > len(re.findall(r"\w", text)):
            ppr = paragraph._p.get_or_add_pPr()
            ppr.append(ooxml.element("w:bidi"))


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _wrap(child: ET.Element) -> ET.Element:
    holder = ET.Element("div")
    holder.append(child)
    return holder


def render_docx(composed: Composed, root: ET.Element, ws: Workspace) -> bytes:
    """The brief as a Word document; text Word cannot store is an input error, not a crash."""
    for node in root.iter():
        for text in (node.text, node.tail, *node.attrib.values()):
            bad = XML_ILLEGAL.search(text or "")
            if bad:
                raise BriefkitError([Problem(composed.job.brief.path, None, f"control character "
                                             f"U+{ord(bad.group()):04X} cannot be stored in a Word document")])
    return DocxWriter(composed, ws).render(root)
