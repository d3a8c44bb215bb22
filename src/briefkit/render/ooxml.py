"""The raw WordprocessingML python-docx lacks: footnotes, hyperlinks, bookmarks, fields, list numbering."""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any

from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import XmlPart
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import nsdecls, qn

ZIP_DATE = (1980, 1, 1, 0, 0, 0)
BULLETS = ("\u2022", "\u25e6", "\u25aa")


def element(tag: str, **attrs: str) -> Any:
    """A `w:` element with `w:` attributes, given without their prefix: element("w:jc", val="left")."""
    node = OxmlElement(tag)
    for key, value in attrs.items():
        node.set(qn(f"w:{key}"), value)
    return node


def hyperlink(part: Any, url: str | None = None, anchor: str | None = None) -> Any:
    """An empty `w:hyperlink` to an external URL (related from `part`) or to a bookmark."""
    link = element("w:hyperlink")
    if url is not None:
        link.set(qn("r:id"), part.relate_to(url, RT.HYPERLINK, is_external=True))
    if anchor is not None:
        link.set(qn("w:anchor"), anchor)
    link.set(qn("w:history"), "1")
    return link


def bookmark(paragraph: Any, name: str, number: int) -> None:
    """Wrap a paragraph's content in a bookmark, the target of internal links."""
    start = element("w:bookmarkStart", id=str(number), name=name)
    end = element("w:bookmarkEnd", id=str(number))
    ppr = paragraph.find(qn("w:pPr"))
    paragraph.insert(1 if ppr is not None else 0, start)
    paragraph.append(end)


def simple_field(instruction: str, placeholder: str) -> Any:
    """A `w:fldSimple` (PAGE, NUMPAGES...) showing `placeholder` until Word updates it."""
    field = element("w:fldSimple", instr=f" {instruction} ")
    run = element("w:r")
    text = element("w:t")
    text.text = placeholder
    run.append(text)
    field.append(run)
    return field


def page_break() -> Any:
    run = element("w:r")
    run.append(element("w:br", type="page"))
    return run


class Footnotes:
    """The footnotes part: created on first use, with Word's separator notes."""

    def __init__(self, document_part: Any):
        self.document_part = document_part
        self.part: XmlPart | None = None
        self.next_id = 1

    def _ensure(self) -> XmlPart:
        if self.part is None:
            root = parse_xml(
                f'<w:footnotes {nsdecls("w", "r")}>'
                '<w:footnote w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" w:line="240" '
                'w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:footnote>'
                '<w:footnote w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
                'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p></w:footnote>'
                "</w:footnotes>"
            )
            package = self.document_part.package
            self.part = XmlPart(PackURI("/word/footnotes.xml"), CT.WML_FOOTNOTES, root, package)
            self.document_part.relate_to(self.part, RT.FOOTNOTES)
        return self.part

    def new(self) -> tuple[int, Any, XmlPart]:
        """A new empty `w:footnote`: (id, element, part to relate its hyperlinks from)."""
        part = self._ensure()
        number = self.next_id
        self.next_id += 1
        note = element("w:footnote", id=str(number))
        part.element.append(note)
        return number, note, part


def footnote_reference(number: int) -> Any:
    run = element("w:r")
    rpr = element("w:rPr")
    rpr.append(element("w:rStyle", val="FootnoteReference"))
    run.append(rpr)
    run.append(element("w:footnoteReference", id=str(number)))
    return run


def footnote_mark() -> Any:
    """The number at the start of a footnote's own text."""
    run = element("w:r")
    rpr = element("w:rPr")
    rpr.append(element("w:rStyle", val="FootnoteReference"))
    run.append(rpr)
    run.append(element("w:footnoteRef"))
    return run


class Numbering:
    """List numbering: one bullet and one ordered definition, and a fresh instance per list (so each restarts)."""

    def __init__(self, numbering_part: Any, scheme: tuple[tuple[str, str], ...]):
        self.root = numbering_part.element
        ids = [int(a.get(qn("w:abstractNumId"))) for a in self.root.findall(qn("w:abstractNum"))]
        nums = [int(n.get(qn("w:numId"))) for n in self.root.findall(qn("w:num"))]
        self.bullet_id = max(ids, default=-1) + 1
        self.ordered_id = self.bullet_id + 1
        self.next_num = max(nums, default=0) + 1
        self._insert_abstract(self._abstract(self.bullet_id, ()))
        self._insert_abstract(self._abstract(self.ordered_id, scheme))

    def _insert_abstract(self, abstract: Any) -> None:
        first_num = self.root.find(qn("w:num"))
        if first_num is not None:
            first_num.addprevious(abstract)
        else:
            self.root.append(abstract)

    @staticmethod
    def _abstract(abstract_id: int, scheme: tuple[tuple[str, str], ...]) -> Any:
        """An ordered list definition labelled by `scheme` (see document.LIST_LABELS), or bullets if it is empty."""
        levels = []
        for level in range(9):
            left, hanging = 720 * (level + 1), 360
            if scheme:
                fmt, label = scheme[level % len(scheme)]
                text = label.format(n=f"%{level + 1}")
                hanging = 360 if len(text) < 4 else 540
            else:
                fmt, text = "bullet", BULLETS[level % 3]
            levels.append(
                f'<w:lvl w:ilvl="{level}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/>'
                f'<w:lvlText w:val="{text}"/><w:lvlJc w:val="left"/>'
                f'<w:pPr><w:ind w:left="{left}" w:hanging="{hanging}"/></w:pPr></w:lvl>'
            )
        return parse_xml(
            f'<w:abstractNum {nsdecls("w")} w:abstractNumId="{abstract_id}">'
            f'<w:multiLevelType w:val="hybridMultilevel"/>{"".join(levels)}</w:abstractNum>'
        )

    def new_list(self, ordered: bool, level: int, start: int = 1) -> int:
        """A new numbering instance that starts at `start` on `level`; returns its numId."""
        num_id = self.next_num
        self.next_num += 1
        abstract = self.ordered_id if ordered else self.bullet_id
        self.root.append(parse_xml(
            f'<w:num {nsdecls("w")} w:numId="{num_id}"><w:abstractNumId w:val="{abstract}"/>'
            f'<w:lvlOverride w:ilvl="{level}"><w:startOverride w:val="{start}"/></w:lvlOverride></w:num>'
        ))
        return num_id


def number_paragraph(paragraph: Any, num_id: int, level: int) -> None:
    """Attach list numbering to a paragraph (`w:numPr` goes right after `w:pStyle`)."""
    ppr = paragraph.get_or_add_pPr()
    num_pr = element("w:numPr")
    num_pr.append(element("w:ilvl", val=str(level)))
    num_pr.append(element("w:numId", val=str(num_id)))
    style = ppr.find(qn("w:pStyle"))
    if style is not None:
        style.addnext(num_pr)
    else:
        ppr.insert(0, num_pr)


def normalize_zip(data: bytes) -> bytes:
    """Rewrite a package with fixed entry dates and attributes, so equal input gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=ZIP_DATE)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


_BOOKMARK_BAD = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(anchor: str) -> str:
    """Word bookmark names: letters, digits and underscores, starting with a letter, at most 40 characters."""
    name = _BOOKMARK_BAD.sub("_", anchor)
    if not name[:1].isalpha():
        name = "h_" + name
    return name[:40]
