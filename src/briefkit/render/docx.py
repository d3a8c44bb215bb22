"""The Word writer: walks the parsed tree into WordprocessingML, styled by the reference document.

The XML is written as text, element by element, into a package copied from the reference document
(`package.py`), which is parsed once per process. Each method knows the schema order of what it writes;
the tests check every output against the OOXML schemas and read it back with independent readers.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from briefkit.compose import Composed
from briefkit.document import list_scheme, split_list_item
from briefkit.errors import BriefkitError, Problem
from briefkit.render.package import (
    CT,
    CT_CORE,
    CT_RELS,
    DROPPED,
    NSDECLS,
    RT,
    RT_CORE,
    XML_HEAD,
    Deflated,
    Reference,
    Rels,
    StyleSettings,
    attr,
    content_types,
    escape,
    load_reference,
    rels_name,
    write_package,
)
from briefkit.workspace import Workspace, is_safe_name
from briefkit.yamlio import XML_ILLEGAL

TWIPS_PER_CM = 1440 / 2.54
EMU_PER_TWIP = 635
PAPER = {"letter": (12240, 15840), "a4": (11906, 16838)}  # twips
HEADING_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4", "Heading 4", "Heading 4")
ALIGN = ("left", "right", "center")
RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff]")
WORD = re.compile(r"\w")
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(cm|mm|in|px|pt|%)?\s*$")
EMU = {"cm": 360000, "mm": 36000, "in": 914400, "pt": 12700, "px": 9525}
SPECIAL = re.compile(r"([\t\n])")
FIXED_DATE = dt.datetime(2000, 1, 1)
BULLETS = ("\u2022", "\u25e6", "\u25aa")
SEPARATORS = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
              'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
              '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
              'w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>')
CORE_NS = ('xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
           'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
           'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"')
PICTURE = ('<w:r><w:drawing><wp:inline distT="0" distB="0" distL="0" distR="0" '
           'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing">'
           '<wp:extent cx="{cx}" cy="{cy}"/><wp:docPr id="{id}" name="Picture {id}" descr="{alt}"/>'
           '<wp:cNvGraphicFramePr><a:graphicFrameLocks xmlns:a="{a}" noChangeAspect="1"/></wp:cNvGraphicFramePr>'
           '<a:graphic xmlns:a="{a}"><a:graphicData uri="{pic}"><pic:pic xmlns:pic="{pic}"><pic:nvPicPr>'
           '<pic:cNvPr id="0" name="{name}"/><pic:cNvPicPr/></pic:nvPicPr><pic:blipFill><a:blip r:embed="{rid}"/>'
           '<a:stretch><a:fillRect/></a:stretch></pic:blipFill><pic:spPr><a:xfrm><a:off x="0" y="0"/>'
           '<a:ext cx="{cx}" cy="{cy}"/></a:xfrm><a:prstGeom prst="rect"><a:avLst/></a:prstGeom></pic:spPr>'
           '</pic:pic></a:graphicData></a:graphic></wp:inline></w:drawing></w:r>')
DRAWING_A = "http://schemas.openxmlformats.org/drawingml/2006/main"
DRAWING_PIC = "http://schemas.openxmlformats.org/drawingml/2006/picture"


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
    link: bool = False


class _Part:
    """A part being written: its XML pieces and the relationships hyperlinks and pictures in it use."""

    def __init__(self, rels: Rels):
        self.xml: list[str] = []
        self.rels = rels


class _Para:
    """A paragraph being written: its runs, and its text (for the writing direction)."""

    def __init__(self, part: _Part):
        self.part = part
        self.runs: list[str] = []
        self.text: list[str] = []


def reference_path(ws: Workspace) -> Path:
    """The workspace's reference document, or the built-in one."""
    path = ws.find("templates/styles", "reference", ".docx")
    if path is None:
        raise BriefkitError([Problem(ws.root, None, "no reference document templates/styles/reference.docx")])
    return path


class DocxWriter:
    """One method per element; block methods add paragraphs to a part, inline methods add runs to a paragraph."""

    def __init__(self, composed: Composed, ws: Workspace):
        self.composed = composed
        self.ws = ws
        self.ref: Reference = load_reference(reference_path(ws))
        conference = composed.job.conference
        self.page = PAPER[conference.paper]
        margins = conference.margins
        self.margins = tuple(round(m * TWIPS_PER_CM) for m in (margins.top, margins.bottom, margins.left,
                                                               margins.right))
        self.body = _Part(Rels([r for r in self.ref.main_rels if r.type not in DROPPED]))
        self.note_rels = Rels()
        self.footnotes: list[str] = []
        self.scheme = list_scheme(composed.job.brief.kind)
        self.nums: list[str] = []
        self.media: list[tuple[str, bytes]] = []
        self.media_types: dict[str, str] = {}
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
        self.walk(root, self.body, "Normal")
        return self.package()

    def style(self, name: str) -> str | None:
        """The id of a style, None for Normal (the default, which Word leaves unnamed)."""
        if name == "Normal":
            return None
        return self.ref.style_ids.get(name.lower())

    def package(self) -> bytes:
        ref, job = self.ref, self.composed.job
        folder = posixpath.dirname(ref.main)
        kept = [name for name, _ in ref.kept]
        taken = set(kept) | {ref.main}

        def fresh(stem: str) -> str:
            n = 1
            while posixpath.join(folder, f"{stem}{n}.xml") in taken:
                n += 1
            taken.add(posixpath.join(folder, f"{stem}{n}.xml"))
            return f"{stem}{n}.xml"

        rels = self.body.rels
        written: list[tuple[str, bytes | Deflated, str]] = []  # name, data, content type
        header, footer = fresh("header"), fresh("footer")
        header_id = rels.add(RT + "header", header)
        footer_id = rels.add(RT + "footer", footer)
        values = {"country": job.country.short_name, "committee": job.committee.short_name,
                  "school": job.brief.school, "conference": job.conference.name, "title": self.composed.title}
        footer_text = job.conference.footer or ("Page {page} of {pages}" if job.conference.page_x_of_y
                                                else "Page {page}")
        written.append((posixpath.join(folder, header), self.header_footer("hdr", "Header", job.conference.header,
                                                                          values), CT + "header+xml"))
        written.append((posixpath.join(folder, footer), self.header_footer("ftr", "Footer", footer_text, values),
                        CT + "footer+xml"))
        settings = StyleSettings(job.conference.font, job.conference.east_asian_font, job.conference.font_size,
                                 job.conference.line_spacing, job.conference.font_size_range, job.brief.language)
        rels.add(RT + "styles", "styles.xml")
        written.append((posixpath.join(folder, "styles.xml"), ref.styles(settings), CT + "styles+xml"))
        rels.add(RT + "numbering", "numbering.xml")
        abstracts = _abstracts(ref.numbering.first_abstract, self.scheme)
        written.append((posixpath.join(folder, "numbering.xml"), ref.numbering.xml(abstracts, "".join(self.nums)),
                        CT + "numbering+xml"))
        if self.footnotes or ref.has_footnotes:
            rels.add(RT + "footnotes", "footnotes.xml")
            notes = f'{XML_HEAD}<w:footnotes {NSDECLS}>' \
                    f'{SEPARATORS}{"".join(self.footnotes)}</w:footnotes>'
            name = posixpath.join(folder, "footnotes.xml")
            written.append((name, notes.encode(), CT + "footnotes+xml"))
            if self.note_rels.items:
                written.append((rels_name(name), self.note_rels.xml(), ""))
        for name, data in self.media:
            written.append((posixpath.join(folder, name), data, ""))
        section = ref.section_xml(self.page, self.margins, header_id, footer_id)
        document = (f'{XML_HEAD}{ref.document_open}<w:body>'
                    f'{"".join(self.body.xml)}{section}</w:body>{ref.document_close}')
        package_rels = Rels(list(ref.package_rels))
        core = next((r for r in package_rels.items if r.type == RT_CORE), None)
        core_name = core.target.lstrip("/") if core else "docProps/core.xml"
        if core is None:
            package_rels.add(RT_CORE, core_name)
        overrides = {name: ref.overrides[name] for name in kept if name in ref.overrides}
        overrides[ref.main] = ref.overrides.get(ref.main, CT + "document.main+xml")
        overrides[core_name] = CT_CORE
        overrides.update({name: ctype for name, _, ctype in written if ctype})
        defaults = {**ref.defaults, "rels": CT_RELS,
                    "xml": "application/xml", **self.media_types}
        parts: list[tuple[str, bytes | Deflated]] = [
            ("[Content_Types].xml", content_types(defaults, overrides)), ("_rels/.rels", package_rels.xml()),
                 (core_name, self.properties()), (ref.main, document.encode()), (rels_name(ref.main), rels.xml())]
        parts += [(name, data) for name, data, _ in written]
        parts += ref.kept
        return write_package(parts)

    def header_footer(self, tag: str, style: str, text: str, values: dict[str, str]) -> bytes:
        para = _Para(_Part(Rels()))
        for piece in re.split(r"(\{page\}|\{pages\})", text):
            if piece in ("{page}", "{pages}"):
                para.runs.append(f'<w:fldSimple w:instr=" {"PAGE" if piece == "{page}" else "NUMPAGES"} ">'
                                 "<w:r><w:t>1</w:t></w:r></w:fldSimple>")
            elif piece:
                self.text(piece.format_map(_Blank(values)), para, Format())
        paragraph = self.paragraph_xml(para, style, align="center")
        return f'{XML_HEAD}<w:{tag} {NSDECLS}>{paragraph}</w:{tag}>' \
            .encode()

    def properties(self) -> bytes:
        job = self.composed.job
        stamp = dt.datetime.combine(job.brief.date, dt.time()) if job.brief.date else FIXED_DATE
        when = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
        author = (", ".join(job.brief.delegates) if job.brief.delegates and job.conference.names_allowed
                  else job.country.delegation)
        fields = (("dc:title", self.composed.title), ("dc:subject", job.committee.name), ("dc:creator", author),
                  ("cp:keywords", "; ".join(topic.title for topic in job.topics)), ("dc:description", ""),
                  ("cp:lastModifiedBy", "briefkit"), ("cp:revision", "1"), ("cp:category", job.brief.kind),
                  ("dc:language", job.brief.language))
        items = "".join(f"<{tag}>{escape(value)}</{tag}>" for tag, value in fields)
        dates = "".join(f'<dcterms:{tag} xsi:type="dcterms:W3CDTF">{when}</dcterms:{tag}>'
                        for tag in ("created", "modified"))
        return (f'{XML_HEAD}<cp:coreProperties {CORE_NS}>{items}'
                f"{dates}<cp:lastPrinted>{when}</cp:lastPrinted></cp:coreProperties>").encode()

    # Blocks -----------------------------------------------------------------------------------

    def walk(self, parent: ET.Element, out: _Part, style: str, level: int = -1) -> None:
        for child in parent:
            method = self.blocks.get(child.tag)
            if method is None:
                raise UnknownElement(f"Word writer has no rule for <{child.tag}>")
            method(child, out, style, level)

    def paragraph_xml(self, para: _Para, style: str, *, numbering: tuple[int, int] | None = None,
                      indent: int | None = None, align: str | None = None, bookmark: str | None = None) -> str:
        """A `w:p` with its properties in schema order (pStyle, numPr, bidi, ind, jc)."""
        ppr = []
        style_id = self.style(style)
        if style_id:
            ppr.append(f'<w:pStyle w:val="{attr(style_id)}"/>')
        if numbering is not None:
            ppr.append(f'<w:numPr><w:ilvl w:val="{numbering[1]}"/><w:numId w:val="{numbering[0]}"/></w:numPr>')
        if para.text:
            text = "".join(para.text)
            if RTL.search(text) and len(RTL.findall(text)) * 2 > len(WORD.findall(text)):
                ppr.append("<w:bidi/>")
        if indent is not None:
            ppr.append(f'<w:ind w:left="{indent}"/>')
        if align:
            ppr.append(f'<w:jc w:val="{align}"/>')
        properties = f"<w:pPr>{''.join(ppr)}</w:pPr>" if ppr else ""
        runs = "".join(para.runs)
        if bookmark is not None:
            self.bookmarks += 1
            runs = (f'<w:bookmarkStart w:id="{self.bookmarks}" w:name="{attr(bookmark)}"/>{runs}'
                    f'<w:bookmarkEnd w:id="{self.bookmarks}"/>')
        return f"<w:p>{properties}{runs}</w:p>"

    def heading(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        rank = int(element.tag[1])
        if rank == 1 and self.first_heading:
            name = "Title"
        else:
            name = HEADING_STYLES[min(rank - 2, 5)] if rank > 1 else "Heading 1"
        self.first_heading = False
        self.references = "references" in (element.get("class") or "")
        para = _Para(out)
        self.runs(element, para, Format())
        anchor = element.get("id")
        out.xml.append(self.paragraph_xml(para, name, bookmark=bookmark_name(anchor) if anchor else None))

    def paragraph(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        if self.references and style == "Normal":
            style = "Bibliography"
        para = _Para(out)
        self.runs(element, para, Format())
        out.xml.append(self.paragraph_xml(para, style))

    def list(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        level += 1
        num_id = self.new_list(element.tag == "ol", level, int(element.get("start", "1")))
        for li in element:
            lead, blocks = split_list_item(li)
            numbered = False
            for child in ([lead] if lead is not None else []) + blocks:
                if child.tag != "p":
                    self.walk(_wrap(child), out, "List Paragraph", level)
                    continue
                para = _Para(out)
                self.runs(child, para, Format())
                if numbered:  # a later paragraph of the same item: indented like the text, no number
                    out.xml.append(self.paragraph_xml(para, "List Paragraph", indent=720 * (level + 1)))
                else:
                    out.xml.append(self.paragraph_xml(para, "List Paragraph", numbering=(num_id, level)))
                    numbered = True

    def new_list(self, ordered: bool, level: int, start: int) -> int:
        """A fresh numbering instance (so each list restarts) that starts at `start` on `level`."""
        numbering = self.ref.numbering
        num_id = numbering.first_num + len(self.nums)
        abstract = numbering.first_abstract + (1 if ordered else 0)
        self.nums.append(f'<w:num w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
                         f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>')
        return num_id

    def blockquote(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        self.walk(element, out, "Block Text", level)

    def code_block(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        code = element.find("code")
        para = _Para(out)
        self.text(((code if code is not None else element).text or "").rstrip("\n"), para, Format(), breaks=True)
        out.xml.append(self.paragraph_xml(para, "Source Code"))

    def rule(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        out.xml.append(self.paragraph_xml(_Para(out), "Thematic Break"))

    def page_break(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        para = _Para(out)
        para.runs.append('<w:r><w:br w:type="page"/></w:r>')
        out.xml.append(self.paragraph_xml(para, "Normal"))

    def division(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        if "footnote" in (element.get("class") or ""):
            return  # notes are placed where they are referenced
        self.walk(element, out, style, level)

    def table(self, element: ET.Element, out: _Part, style: str, level: int) -> None:
        rows = list(element.iter("tr"))
        if not rows:
            return
        columns = max(len(row) for row in rows)
        width = max((self.page[0] - self.margins[2] - self.margins[3]) // max(columns, 1), 1)
        table_style = self.style("Table Grid")
        xml = ["<w:tbl><w:tblPr>"]
        if table_style:
            xml.append(f'<w:tblStyle w:val="{attr(table_style)}"/>')
        xml.append('<w:tblW w:w="0" w:type="auto"/><w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" '
                   'w:firstColumn="1" w:lastColumn="0" w:noHBand="0" w:noVBand="1"/></w:tblPr><w:tblGrid>')
        xml.append(f'<w:gridCol w:w="{width}"/>' * columns)
        xml.append("</w:tblGrid>")
        for r, row in enumerate(rows):
            xml.append("<w:tr><w:trPr><w:tblHeader/></w:trPr>" if r == 0 and row.find("th") is not None
                       else "<w:tr>")
            cells = list(row)
            for c in range(columns):
                cell = cells[c] if c < len(cells) else None
                para = _Para(out)
                align = None
                if cell is not None:
                    found = re.search(r"text-align:\s*(\w+)", cell.get("style") or "")
                    align = found.group(1) if found and found.group(1) in ALIGN else None
                    self.runs(cell, para, Format())
                name = "Table Heading" if cell is not None and cell.tag == "th" else "Table Text"
                xml.append(f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/></w:tcPr>'
                           f"{self.paragraph_xml(para, name, align=align)}</w:tc>")
            xml.append("</w:tr>")
        xml.append("</w:tbl>")
        out.xml.append("".join(xml))

    # Inlines ----------------------------------------------------------------------------------

    def runs(self, element: ET.Element, para: _Para, fmt: Format) -> None:
        """Add an element's text and inline children as runs to a paragraph."""
        if element.text:
            self.text(element.text, para, fmt)
        for child in element:
            method = self.inlines.get(child.tag)
            if method is None:
                raise UnknownElement(f"Word writer has no rule for inline <{child.tag}>")
            method(child, para, fmt)
            if child.tail:
                self.text(child.tail, para, fmt)

    def text(self, text: str, para: _Para, fmt: Format, breaks: bool = False) -> None:
        """A run; a line break in the text is a space (Markdown's soft break) unless `breaks` (code blocks)."""
        if not breaks:
            text = text.replace("\n", " ")
        para.text.append(text)
        rpr = []
        style = "Hyperlink" if fmt.link else "Verbatim Char" if fmt.code else None
        style_id = self.style(style) if style else None
        if style_id:
            rpr.append(f'<w:rStyle w:val="{attr(style_id)}"/>')
        if fmt.bold:
            rpr.append("<w:b/>")
        if fmt.italic:
            rpr.append("<w:i/>")
        if fmt.strike:
            rpr.append("<w:strike/>")
        if fmt.superscript:
            rpr.append('<w:vertAlign w:val="superscript"/>')
        if RTL.search(text):
            rpr.append("<w:rtl/>")
        properties = f"<w:rPr>{''.join(rpr)}</w:rPr>" if rpr else ""
        para.runs.append(f"<w:r>{properties}{_content(text)}</w:r>")

    def styled(self, **flags: bool) -> Callable[..., None]:
        def method(element: ET.Element, para: _Para, fmt: Format) -> None:
            self.runs(element, para, replace(fmt, **flags))
        return method

    def link(self, element: ET.Element, para: _Para, fmt: Format) -> None:
        href = element.get("href", "")
        if href.startswith("#"):
            target = f'w:anchor="{attr(bookmark_name(href[1:]))}"'
        else:
            target = f'r:id="{para.part.rels.add(RT + "hyperlink", href, external=True)}"'
        para.runs.append(f'<w:hyperlink {target} w:history="1">')
        self.runs(element, para, replace(fmt, link=True))
        para.runs.append("</w:hyperlink>")

    def image(self, element: ET.Element, para: _Para, fmt: Format) -> None:
        from docx.image.image import Image  # python-docx reads the picture's size; imported only for pictures

        path = self._image_path(element.get("src", ""))
        picture = Image.from_file(str(path))
        cx, cy = int(picture.width), int(picture.height)
        width = self._width(element.get("width"))
        if width is not None and cx:
            cx, cy = width, int(cy * width / cx)
        number = len(self.media) + 1
        folder = posixpath.dirname(self.ref.main)
        name, clash = f"media/image{number}.{picture.ext}", 0
        while posixpath.join(folder, name) in self.ref.parts:  # a picture the reference document keeps
            clash += 1
            name = f"media/image{number}-{clash}.{picture.ext}"
        self.media.append((name, picture.blob))
        self.media_types[picture.ext] = picture.content_type
        rid = para.part.rels.add(RT + "image", name)
        para.runs.append(PICTURE.format(cx=cx, cy=cy, id=number, alt=attr(element.get("alt", "")),
                                        name=attr(path.name), rid=rid, a=DRAWING_A, pic=DRAWING_PIC))

    def _image_path(self, src: str) -> Path:
        if is_safe_name(src):
            for layer in self.ws.layers:
                if (layer / src).is_file():
                    return layer / src
        raise BriefkitError([Problem(self.composed.job.brief.path, None,
                                     f"image '{src}' not found in the workspace", "give a path relative to it")])

    def _width(self, width: str | None) -> int | None:
        """A width in EMU; a percentage is of the space between the margins."""
        if not width:
            return None
        match = LENGTH.match(width)
        if not match:
            raise BriefkitError([Problem(self.composed.job.brief.path, None, f"cannot read image width '{width}'",
                                         "use e.g. 8cm, 60mm, 3in, 300px or 50%")])
        value, unit = float(match.group(1)), match.group(2) or "px"
        if unit == "%":
            usable = (self.page[0] - self.margins[2] - self.margins[3]) * EMU_PER_TWIP
            return int(usable * value / 100)
        return int(value * EMU[unit])

    def line_break(self, element: ET.Element, para: _Para, fmt: Format) -> None:
        para.runs.append("<w:r><w:br/></w:r>")
        para.text.append("\n")

    def superscript(self, element: ET.Element, para: _Para, fmt: Format) -> None:
        anchor = element.find("a")
        if anchor is None or "footnote-ref" not in (anchor.get("class") or ""):
            self.runs(element, para, replace(fmt, superscript=True))
            return
        note = self.notes.get((anchor.get("href") or "").lstrip("#"))
        if note is None:
            return
        number = len(self.footnotes) + 1
        self.footnotes.append("")  # reserve the number: a note may cite another note
        mark_style = self.style("Footnote Reference")
        mark = f'<w:rPr><w:rStyle w:val="{attr(mark_style)}"/></w:rPr>' if mark_style else ""
        para.runs.append(f'<w:r>{mark}<w:footnoteReference w:id="{number}"/></w:r>')
        part = _Part(self.note_rels)
        first = True
        for child in note:
            if child.tag != "p":
                self.walk(_wrap(child), part, "Footnote Text")
                continue
            inner = _Para(part)
            if first:
                inner.runs.append(f"<w:r>{mark}<w:footnoteRef/></w:r>")
                self.text(" ", inner, Format())
                first = False
            self.runs(child, inner, Format())
            part.xml.append(self.paragraph_xml(inner, "Footnote Text"))
        body = "".join(part.xml) or "<w:p/>"
        self.footnotes[number - 1] = f'<w:footnote w:id="{number}">{body}</w:footnote>'


def _content(text: str) -> str:
    """A run's text: `w:t` pieces, with tabs and line breaks as Word's own elements."""
    if "\t" not in text and "\n" not in text:
        space = ' xml:space="preserve"' if text[:1].isspace() or text[-1:].isspace() else ""
        return f"<w:t{space}>{escape(text)}</w:t>"
    out = []
    for piece in SPECIAL.split(text):
        if piece == "\t":
            out.append("<w:tab/>")
        elif piece == "\n":
            out.append("<w:br/>")
        elif piece:
            out.append(_content(piece))
    return "".join(out)


@lru_cache(maxsize=32)
def _abstracts(first_id: int, scheme: tuple[tuple[str, str], ...]) -> str:
    """The bullet and the ordered list definitions, ordered lists labelled by `scheme` (document.LIST_LABELS)."""
    out = []
    for abstract_id, labels in ((first_id, ()), (first_id + 1, scheme)):
        levels = []
        for level in range(9):
            left, hanging = 720 * (level + 1), 360
            if labels:
                fmt, label = labels[level % len(labels)]
                text = label.format(n=f"%{level + 1}")
                hanging = 360 if len(text) < 4 else 540
            else:
                fmt, text = "bullet", BULLETS[level % 3]
            levels.append(f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                          f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                          f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>')
        out.append(f'<w:abstractNum w:abstractNumId="{abstract_id}"><w:multiLevelType w:val="hybridMultilevel"/>'
                   f'{"".join(levels)}</w:abstractNum>')
    return "".join(out)


class _Blank(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return ""


def _wrap(child: ET.Element) -> ET.Element:
    holder = ET.Element("div")
    holder.append(child)
    return holder


_BOOKMARK_BAD = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(anchor: str) -> str:
    """Word bookmark names: letters, digits and underscores, starting with a letter, at most 40 characters."""
    name = _BOOKMARK_BAD.sub("_", anchor)
    if not name[:1].isalpha():
        name = "h_" + name
    return name[:40]


def render_docx(composed: Composed, root: ET.Element, ws: Workspace) -> bytes:
    """The brief as a Word document; text Word cannot store is an input error, not a crash."""
    for node in root.iter():
        for text in (node.text, node.tail, *node.attrib.values()):
            bad = XML_ILLEGAL.search(text or "")
            if bad:
                raise BriefkitError([Problem(composed.job.brief.path, None, f"control character "
                                             f"U+{ord(bad.group()):04X} cannot be stored in a Word document")])
    return DocxWriter(composed, ws).render(root)
