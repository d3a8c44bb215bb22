"""The Word writer: what goes into the document, node by node.

Three layers: this visitor decides what (a paragraph in style X, a footnote, a numbered item); `wordml.py`
writes each WordprocessingML element in schema order; `package.py` reads the reference document and writes
the zip. The tests check every output against the OOXML schemas and read it back with independent readers.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING
from urllib.parse import unquote

from briefkit.document import list_scheme
from briefkit.render import wordml
from briefkit.render.package import (
    BUILTIN,
    CLAUSE_STYLES,
    CT,
    CT_CORE,
    CT_CUSTOM,
    CT_RELS,
    DROPPED,
    RT,
    RT_CORE,
    RT_CUSTOM,
    Deflated,
    Reference,
    Rels,
    StyleSettings,
    content_types,
    load_reference,
    rels_name,
    write_package,
)
from briefkit.render.settings import RTL_LETTERS, RenderSettings, image_file, without_empty_fields
from briefkit.tree import (
    BlockQuote,
    Code,
    CodeBlock,
    Document,
    Emphasis,
    FootnoteDef,
    FootnoteRef,
    HardBreak,
    Heading,
    Image,
    Link,
    ListBlock,
    ListItem,
    Node,
    PageBreak,
    Paragraph,
    SoftBreak,
    Strike,
    Strong,
    Table,
    Text,
    ThematicBreak,
    Visitor,
    plain_text,
)
from briefkit.yamlio import XML_ILLEGAL

if TYPE_CHECKING:
    from briefkit.compose import Composed
    from briefkit.workspace import Workspace

TWIPS_PER_CM = 1440 / 2.54
EMU_PER_TWIP = 635
PAPER = {"letter": (12240, 15840), "a4": (11906, 16838)}  # twips
HEADING_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4")
_RTL = RTL_LETTERS
RTL = re.compile(f"[{_RTL}]")
# Right-to-left text as Word wants it in runs marked w:rtl: from a right-to-left letter to the last one before a
# letter of another script (the spaces, digits and punctuation between its words with it).
RTL_SPAN = re.compile(f"([{_RTL}](?:[{_RTL}\\W\\d_]*[{_RTL}])?)")
WORD = re.compile(r"\w")
LETTER = re.compile(r"[^\W\d_]")
LRM = "\u200e"  # LEFT-TO-RIGHT MARK
LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(cm|mm|in|px|pt|%)?\s*$")
EMU = {"cm": 360000, "mm": 36000, "in": 914400, "pt": 12700, "px": 9525}
FIXED_DATE = dt.datetime(2000, 1, 1)
MEDIA = {"png": ("png", "image/png"), "jpeg": ("jpg", "image/jpeg"), "gif": ("gif", "image/gif")}
_BOOKMARK_BAD = re.compile(r"[^A-Za-z0-9]+")
BOOKMARK_MAX = 40  # Word drops a bookmark with a longer name
CELL_MARGIN = 108  # twips: Word's default space between a cell's edge and its text, each side
QUOTE_STEP = 567  # twips a block quote indents its text: the built-in Block Text style's 1 cm
STYLE_INDENT = {"Block Text": QUOTE_STEP}  # the left indents styles give, not repeated on their paragraphs
# Header and footer fields shown from the document's custom properties (DOCPROPERTY fields: change the property in
# Word, update the fields, and every header follows), and the property each is kept in.
PROPERTIES = {"country": "Country", "committee": "Committee", "conference": "Conference", "school": "School"}
# A paragraph that captions the table after it: 'Table 2: Key facts', 'Table: Key facts'.
CAPTION = re.compile(r"^(?:Table|Tab\.)\s*[\dIVXivx]*\s*[.:\u2013\u2014-]?\s+\S")
_FIELD = re.compile(r"(\{\w+\})")
CHAR_EM = 0.5  # a character's average width, in ems (for column widths)
WIDE = re.compile("[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]")


@dataclass(frozen=True)
class Format:
    """Inline formatting in force while walking runs."""

    bold: bool = False
    italic: bool = False
    strike: bool = False
    code: bool = False
    link: bool = False


class DocxWriter(Visitor[None]):
    """Block methods add paragraphs to the part being written; inline methods add runs to the paragraph."""

    def __init__(self, settings: RenderSettings):
        self.settings = settings
        self.rtl = settings.direction == "rtl"  # every paragraph right to left (the styles say so)
        self.ref: Reference = load_reference(settings.reference or BUILTIN)
        self.page = PAPER[settings.paper]
        self.margins = tuple(round(m * TWIPS_PER_CM) for m in settings.margins)  # top, bottom, left, right
        self.document = Document((), ())
        self.body_rels = Rels([r for r in self.ref.main_rels if r.type not in DROPPED])
        self.note_rels = Rels()
        self.rels = self.body_rels  # of the part being written
        self.out: list[str] = []  # paragraphs and tables of the part being written
        self.runs: list[str] = []  # runs of the paragraph being written
        self.text: list[str] = []  # its text (for the writing direction)
        self.fmt = Format()
        self.style = "Normal"  # paragraph style of the blocks being written
        self.indent = 0  # twips: where the text of the quote or list item being written starts
        self.line = 0
        self.footnotes: list[str] = []
        self.noted: set[int] = set()  # notes already placed (a Word footnote, or text after the note citing it)
        self.nums: list[str] = []
        self.media: list[tuple[str, bytes]] = []
        self.media_types: dict[str, str] = {}
        self.bookmarks = 0
        self.inner: list[int] | None = None  # inside a note: notes first referred to from it, to follow it
        self.first_heading = True
        self.references = False  # inside the reference list
        self.cell: int | None = None  # twips across the table cell being written, if any
        self.marks: dict[str, str] = {}  # heading anchor -> the bookmark a link to it goes to
        self.heading_marks: dict[int, str] = {}  # id of a heading node -> its bookmark's name
        self.break_before = False  # a page break waits for the next paragraph (its pageBreakBefore)
        self.clauses = False  # inside a resolution's operative clauses (one multi-level list)
        self.numbered_lines = not settings.line_numbers  # line numbers start at the first clause
        self.last_heading: Heading | None = None  # the last heading and paragraph written (a table's alt text)
        self.last_paragraph: Paragraph | None = None

    def render(self, document: Document) -> bytes:
        self.document = document
        found = list(headings(document))
        names = bookmark_names([heading.anchor for heading in found])
        self.heading_marks = {id(heading): name for heading, name in zip(found, names, strict=True)}
        self.marks = {}
        for heading, name in zip(found, names, strict=True):
            self.marks.setdefault(heading.anchor, name)  # two headings with one anchor: links go to the first
        if not any(getattr(node, "role", "") in ("preambular", "operative") for node in document.children):
            self.numbered_lines = True  # no clauses: every line is numbered, if any are
        self.visit(document)
        return self.package()

    def style_id(self, name: str | None) -> str | None:
        """The id of a style, None for Normal (the default, which Word leaves unnamed)."""
        return None if name in (None, "Normal") else self.ref.style_ids.get(name.lower())

    # Blocks -----------------------------------------------------------------------------------------

    def visit_document(self, node: Document) -> None:
        self.visit_all(node.children)

    def blocks(self, nodes: tuple[Node, ...], style: str) -> None:
        saved, self.style = self.style, style
        self.visit_all(nodes)
        self.style = saved

    def paragraph(self, node: Paragraph | Heading | None, style: str, lead: str = "", **options: object) -> None:
        """A paragraph of the node's inline content (none: an empty paragraph) after `lead` runs, added to the
        part."""
        page_break = self.take_break()  # before the runs: a footnote's paragraphs are written while they are
        self.runs, self.text = [lead] if lead else [], []
        if node is not None:
            self.line = node.line
            self.visit_all(node.children)
        text = "".join(self.text)
        # in a left-to-right brief, a paragraph mostly in a right-to-left script is right to left
        bidi = not self.rtl and bool(RTL.search(text)) and len(RTL.findall(text)) * 2 > len(WORD.findall(text))
        if self.rtl and not RTL.search(text) and LETTER.search(text):
            # an English citation in a right-to-left brief: left-to-right marks at both ends keep its numbers and
            # closing stop with it (the paragraph stays right to left: LibreOffice lays out the paragraphs before
            # a left-to-right one in an Arabic document wrongly, overprinting numbers)
            self.runs = [wordml.run(LRM), *self.runs, wordml.run(LRM)]
        if "numbering" not in options:
            options["indent"] = self.indentation(style)
        if page_break:
            options["page_break_before"] = True
        if not self.numbered_lines and self.inner is None:
            options["no_line_numbers"] = True
        self.out.append(wordml.paragraph("".join(self.runs), self.style_id(style), bidi=bidi, **options))  # type: ignore[arg-type]

    def take_break(self) -> bool:
        """Whether a page break waits for the next paragraph (which takes it as `pageBreakBefore`, so no empty
        paragraph stands at the top of the new page)."""
        waiting, self.break_before = self.break_before, False
        return waiting

    def indentation(self, style: str) -> int | None:
        """The left indent of a paragraph inside a quote or list item, None where its style alone puts it there."""
        return None if self.indent == STYLE_INDENT.get(style, 0) else self.indent

    def visit_heading(self, node: Heading) -> None:
        if node.level == 1 and self.first_heading:
            name = "Title"
        else:
            name = HEADING_STYLES[min(max(node.level - 2, 0), 3)]
        self.first_heading = False
        self.references = node.role == "references"
        self.last_heading, self.last_paragraph = node, None
        self.bookmarks += 1
        self.paragraph(node, name, bookmark=(self.bookmarks, self.heading_marks[id(node)]))

    def visit_paragraph(self, node: Paragraph) -> None:
        self.last_paragraph = node
        if node.role == "preambular" and self.style == "Normal":  # level 0 of the resolution's list: no number
            self.numbered_lines = True
            self.paragraph(node, CLAUSE_STYLES[0], numbering=(self.ref.numbering.first_num, 0))
            return
        self.paragraph(node, "Bibliography" if self.references and self.style == "Normal" else self.style)

    def visit_list(self, node: ListBlock) -> None:
        """Numbered paragraphs; a list inside a quote is moved in past the quote, its labels still hanging. A
        resolution's operative clauses and their sub-clauses are levels 1 and below of its one clause list, each
        level in its own style."""
        numbering = self.ref.numbering
        clauses = node.ordered and (node.role == "operative" or self.clauses)
        if clauses:
            num_id, level, style = numbering.first_num, node.level + 1, CLAUSE_STYLES[min(node.level + 1, 5)]
            self.numbered_lines = True
        else:
            num_id, level, style = numbering.first_num + 1 + len(self.nums), node.level, "List Paragraph"
            abstract = numbering.first_abstract + (1 if node.ordered else 0)
            self.nums.append(wordml.num(num_id, abstract, node.level, node.start))
        saved, saved_clauses = self.indent, self.clauses
        self.clauses = clauses
        self.indent += wordml.LIST_STEP  # where the items' text starts
        left, hanging = wordml.level_indent(node.level, self.settings.scheme if node.ordered else ())
        moved = self.indent != left  # then the level's indent is repeated further in, its labels hanging as before
        indent, hang = (self.indent, hanging) if moved else (None, None)
        for item in node.items:
            numbered = False
            if not item.children or not isinstance(item.children[0], Paragraph):  # the item's number, on its own
                self.paragraph(None, style, numbering=(num_id, level), indent=indent, hanging=hang)
                numbered = True
            for child in item.children:
                if not isinstance(child, Paragraph):
                    self.blocks((child,), "List Paragraph")
                elif numbered:  # a later paragraph of the same item: indented like the text, no number
                    self.paragraph(child, "List Paragraph")
                else:
                    self.paragraph(child, style, numbering=(num_id, level), indent=indent, hanging=hang)
                    numbered = True
        self.indent, self.clauses = saved, saved_clauses
        self.last_paragraph = None  # a caption stands right before its table

    def visit_block_quote(self, node: BlockQuote) -> None:
        self.indent += QUOTE_STEP
        self.blocks(node.children, "Block Text")
        self.indent -= QUOTE_STEP

    def visit_code_block(self, node: CodeBlock) -> None:
        self.runs, self.text = [], []
        self.line = node.line
        self.add_text(node.text.removesuffix("\n"), breaks=True)
        self.out.append(wordml.paragraph("".join(self.runs), self.style_id("Source Code"),
                                         indent=self.indentation("Source Code"), page_break_before=self.take_break(),
                                         no_line_numbers=not self.numbered_lines))

    def visit_thematic_break(self, node: ThematicBreak) -> None:
        self.paragraph(None, "Thematic Break")

    def visit_page_break(self, node: PageBreak) -> None:
        if self.take_break():  # two in a row: the first one's page stays empty
            self.out.append(wordml.paragraph(wordml.page_break()))
        self.break_before = True

    def visit_table(self, node: Table) -> None:
        """A table starting where the text around it does (inside a list item: at the item's text), its columns
        as wide as their text needs, its rows never split across pages, its alt text from the caption before it
        ('Table 2: ...') or else the heading it stands under."""
        if self.take_break():  # a table has no pageBreakBefore of its own
            self.out.append(wordml.paragraph(wordml.page_break()))
        columns = max(len(row) for row in node.rows)
        room = max(self.page[0] - self.margins[2] - self.margins[3] - self.indent, columns)
        texts = [[plain_text(cell.children) for cell in row] for row in node.rows]
        widths = column_widths(texts, columns, room, self.settings.font_size)
        before = plain_text(self.last_paragraph.children) if self.last_paragraph else ""
        heading = plain_text(self.last_heading.children) if self.last_heading else ""
        caption = before if CAPTION.match(before) else heading
        headers = [text for text in texts[0] if text.strip()] if texts else []
        description = f"{caption}: " if caption else ""
        description += f"a table of {len(node.rows) - 1} rows" + (f"; columns {', '.join(headers)}" if headers else "")
        self.check(caption + description)
        indent, self.indent = self.indent, 0  # a cell's paragraphs start at the cell's own edge
        outer = self.cell
        rows = []
        for number, row in enumerate(node.rows):
            cells = []
            for column, cell in enumerate(row):
                saved, self.out = self.out, []
                self.cell = widths[column]
                holder = Paragraph(cell.children, node.line)
                # in a right-to-left brief, Word and LibreOffice read jc left and right as the start and end of the
                # line: a column aligned left is aligned right, mirrored like the table (ind left is the start too)
                self.paragraph(holder, "Table Heading" if number == 0 else "Table Text", align=cell.align or None)
                cells.append(wordml.table_cell(self.out[0], widths[column]))
                self.out = saved
            empty = wordml.paragraph("", self.style_id("Table Text"))
            cells += [wordml.table_cell(empty, widths[column]) for column in range(len(row), columns)]
            rows.append(wordml.table_row(cells, header=number == 0))
        self.indent, self.cell = indent, outer
        if self.out and self.out[-1].startswith("<w:tbl>"):
            self.out.append(wordml.spacer())
        self.out.append(wordml.table(rows, widths, self.style_id("Table Grid"), indent, caption, description,
                                     self.rtl))
        self.last_paragraph = None

    # Inlines ----------------------------------------------------------------------------------------

    def add_text(self, text: str, breaks: bool = False) -> None:
        """A run; a line break in the text is a space (Markdown's soft break) unless `breaks` (code blocks)."""
        self.check(text)
        if not breaks:
            text = text.replace("\n", " ")
        self.text.append(text)
        fmt = self.fmt
        style = self.style_id("Hyperlink" if fmt.link else "Verbatim Char" if fmt.code else None)
        pieces = RTL_SPAN.split(text) if RTL.search(text) else (text,)
        for index, piece in enumerate(pieces):  # right-to-left words (odd pieces) in runs marked w:rtl
            if piece:
                self.runs.append(wordml.run(piece, style, bold=fmt.bold, italic=fmt.italic, strike=fmt.strike,
                                            rtl=index % 2 == 1))

    def check(self, text: str) -> None:
        bad = XML_ILLEGAL.search(text)
        if bad:
            raise self.settings.problem(self.document, self.line, f"control character U+{ord(bad.group()):04X} "
                                        "cannot be stored in a Word document")

    def formatted(self, children: tuple[Node, ...], **flags: bool) -> None:
        saved, self.fmt = self.fmt, replace(self.fmt, **flags)
        self.visit_all(children)
        self.fmt = saved

    def visit_text(self, node: Text) -> None:
        self.add_text(node.text)

    def visit_code(self, node: Code) -> None:
        saved, self.fmt = self.fmt, replace(self.fmt, code=True)
        self.add_text(node.text)
        self.fmt = saved

    def visit_emphasis(self, node: Emphasis) -> None:
        self.formatted(node.children, italic=True)

    def visit_strong(self, node: Strong) -> None:
        self.formatted(node.children, bold=True)

    def visit_strike(self, node: Strike) -> None:
        self.formatted(node.children, strike=True)

    def visit_soft_break(self, node: SoftBreak) -> None:
        self.add_text(" ")

    def visit_hard_break(self, node: HardBreak) -> None:
        self.runs.append(wordml.line_break())
        self.text.append("\n")

    def visit_link(self, node: Link) -> None:
        """An outside link, or one to the bookmark of the heading whose anchor it names; a link to an anchor no
        heading has is its text alone (Word would show a link that goes nowhere)."""
        self.check(node.href)
        target = self.marks.get(unquote(node.href[1:])) if node.href.startswith("#") else None
        if node.href.startswith("#") and target is None:
            self.visit_all(node.children)
            return
        saved = self.runs
        self.runs = []
        self.formatted(node.children, link=True)
        inner, self.runs = "".join(self.runs), saved
        if self.rtl and not RTL.search(plain_text(node.children)):
            # a link in Latin letters (a URL) in a right-to-left paragraph: a left-to-right mark after it keeps its
            # trailing '/' or '.' at its end (the bidi algorithm would give it the paragraph's direction)
            inner += wordml.run(LRM)
        if target is not None:
            self.runs.append(wordml.hyperlink(inner, anchor=target))
        else:
            self.runs.append(wordml.hyperlink(inner, rid=self.rels.add(RT + "hyperlink", node.href, external=True)))

    def visit_image(self, node: Image) -> None:
        from docx.image.image import Image as Picture  # python-docx reads the picture's size, only for pictures

        self.check(node.alt)
        path, data, kind = image_file(self.settings, self.document, node.src, node.line)
        try:
            picture = Picture.from_blob(data)
            cx, cy = int(picture.width), int(picture.height)
        except Exception as err:  # noqa: BLE001 - python-docx raises many kinds on a damaged picture
            raise self.settings.problem(self.document, node.line, f"image '{unquote(node.src)}' is damaged: its size "
                                        f"cannot be read ({type(err).__name__})", "save the picture again") from None
        width = self.width(node)
        if width is not None and cx:
            cx, cy = width, int(cy * width / cx)
        room = self.room()
        if cx > room:  # Word would let the picture run off the page: it is shrunk to fit, keeping its shape
            cx, cy = room, int(cy * room / cx)
        number = len(self.media) + 1
        ext, content_type = MEDIA[kind]
        folder = posixpath.dirname(self.ref.main)
        name, clash = f"media/image{number}.{ext}", 0
        while posixpath.join(folder, name) in self.ref.parts:  # a picture the reference document keeps
            clash += 1
            name = f"media/image{number}-{clash}.{ext}"
        self.media.append((name, data))
        self.media_types[ext] = content_type
        self.runs.append(wordml.picture(number, self.rels.add(RT + "image", name), cx, cy, node.alt, path.name))

    def width(self, node: Image) -> int | None:
        """A width in EMU; a percentage is of the space between the margins."""
        if not node.width:
            return None
        match = LENGTH.match(node.width)
        if not match:
            # the hint's forms are ones the attribute syntax reads: '%' needs quotes ({ width=50% } is text)
            raise self.settings.problem(self.document, node.line, f"cannot read image width '{node.width}'",
                                        'write e.g. { width=8cm }, { width=60mm }, { width=3in } or '
                                        '{ width="50%" }')
        value, unit = float(match.group(1)), match.group(2) or "px"
        if unit == "%":
            usable = (self.page[0] - self.margins[2] - self.margins[3]) * EMU_PER_TWIP
            return int(usable * value / 100)
        return int(value * EMU[unit])

    def room(self) -> int:
        """The width in EMU a picture has where it stands: the text's, past any quote or list indent, or the
        table cell's inside its margins."""
        if self.cell is not None:
            return max(self.cell - 2 * CELL_MARGIN, 1) * EMU_PER_TWIP
        return max(self.page[0] - self.margins[2] - self.margins[3] - self.indent, 1) * EMU_PER_TWIP

    def visit_footnote_ref(self, node: FootnoteRef) -> None:
        """A Word footnote at a note's first reference (Word numbers them by position, so in reading order); a
        later reference, even from inside the note, is Word's own cross-reference showing the same number."""
        mark = self.style_id("Footnote Reference")
        in_body = self.document.body_notes < 0 or node.number <= self.document.body_notes
        if node.number in self.noted or (self.inner is not None and in_body):
            # a later reference, or one from a note to a note the body refers to later: Word's cross-reference to
            # its footnote (the tree numbers body notes as Word does, by their place in the body)
            self.runs.append(wordml.note_reference(f"_Ref{node.number}", node.number, mark) if in_body
                             else wordml.run(str(node.number), mark))
            return
        if self.inner is not None:  # only notes refer to it: Word has no footnote in a footnote, so its number as
            self.noted.add(node.number)  # a mark, its text after the note that first refers to it
            self.runs.append(wordml.run(str(node.number), mark))
            self.inner.append(node.number)
            return
        number = len(self.footnotes) + 1
        self.footnotes.append("")  # reserve the number: a note may refer to another note
        self.bookmarks += 1  # ids shared with the headings' bookmarks: unique in the document
        self.noted.add(node.number)  # its bookmark '_RefN' ('_': Word's hidden bookmarks; headings' start a letter)
        self.runs.append(wordml.footnote_reference(number, mark, (self.bookmarks, f"_Ref{node.number}")))
        note = self.document.notes[node.number - 1]
        saved = (self.out, self.runs, self.text, self.fmt, self.rels, self.line, self.indent)
        self.out, self.fmt, self.rels, self.indent, self.inner = [], Format(), self.note_rels, 0, []
        self.note_text(note, wordml.footnote_mark(mark))
        while self.inner:  # the notes this one referred to first, each after it, under its number
            inner = self.document.notes[self.inner.pop(0) - 1]
            self.note_text(inner, wordml.run(str(inner.number), mark))
        self.footnotes[number - 1] = wordml.footnote(number, "".join(self.out))
        self.inner = None
        self.out, self.runs, self.text, self.fmt, self.rels, self.line, self.indent = saved

    def note_text(self, note: FootnoteDef, lead: str) -> None:
        """A note's blocks in the Footnote Text style, the first paragraph after its mark (`lead`)."""
        for index, child in enumerate(note.children):
            if index == 0 and isinstance(child, Paragraph):
                first = Paragraph((Text(" "), *child.children), child.line)
                self.paragraph(first, "Footnote Text", lead)
            else:
                self.blocks((child,), "Footnote Text")

    # The package ------------------------------------------------------------------------------------

    def package(self) -> bytes:
        ref, settings = self.ref, self.settings
        folder = posixpath.dirname(ref.main)
        kept = [name for name, _ in ref.kept]
        taken = set(kept) | {ref.main}

        def fresh(stem: str) -> str:
            n = 1
            while posixpath.join(folder, f"{stem}{n}.xml") in taken:
                n += 1
            taken.add(posixpath.join(folder, f"{stem}{n}.xml"))
            return f"{stem}{n}.xml"

        rels = self.body_rels
        written: list[tuple[str, bytes | Deflated, str]] = []  # name, data, content type
        header, footer = fresh("header"), fresh("footer")
        header_id, footer_id = rels.add(RT + "header", header), rels.add(RT + "footer", footer)
        written.append((posixpath.join(folder, header), self.header_footer("hdr", "Header", settings.header,
                                                                           settings.internal), CT + "header+xml"))
        written.append((posixpath.join(folder, footer), self.header_footer("ftr", "Footer", settings.footer),
                        CT + "footer+xml"))
        styles = StyleSettings(settings.font, settings.east_asian_font, settings.font_size, settings.line_spacing,
                               settings.font_size_range, settings.lang_latin, settings.complex_font,
                               settings.lang_east_asian, settings.lang_complex, self.rtl)
        rels.add(RT + "styles", "styles.xml")
        written.append((posixpath.join(folder, "styles.xml"), ref.styles(styles), CT + "styles+xml"))
        rels.add(RT + "settings", "settings.xml")
        written.append((posixpath.join(folder, "settings.xml"),
                        ref.settings(settings.lang_latin, settings.lang_east_asian, settings.lang_complex),
                        CT + "settings+xml"))
        font_table = ref.font_table((
            (settings.font, "latin"), (settings.east_asian_font, f"east_asian:{settings.lang_east_asian}"),
            (settings.complex_font, f"complex:{settings.lang_complex}")))
        rels.add(RT + "numbering", "numbering.xml")
        first = ref.numbering.first_abstract
        abstracts = wordml.abstract_nums(first, settings.scheme) + wordml.clause_list(
            first + 2, settings.scheme if settings.kind == "resolution" else list_scheme("resolution"),
            tuple(self.style_id(name) for name in CLAUSE_STYLES))
        nums = wordml.num(ref.numbering.first_num, first + 2) + "".join(self.nums)
        written.append((posixpath.join(folder, "numbering.xml"), ref.numbering.xml(abstracts, nums),
                        CT + "numbering+xml"))
        if self.footnotes or ref.has_footnotes:
            rels.add(RT + "footnotes", "footnotes.xml")
            name = posixpath.join(folder, "footnotes.xml")
            written.append((name, wordml.footnotes_part(self.footnotes), CT + "footnotes+xml"))
            if self.note_rels.items:
                written.append((rels_name(name), self.note_rels.xml(), ""))
        written += [(posixpath.join(folder, name), data, "") for name, data in self.media]
        section = ref.section_xml(self.page, self.margins, header_id, footer_id, settings.line_numbers, self.rtl)
        document = wordml.document_part(ref.document_open, "".join(self.out), section, ref.document_close)
        package_rels = Rels(list(ref.package_rels))
        core = next((r for r in package_rels.items if r.type == RT_CORE), None)
        core_name = core.target.lstrip("/") if core else "docProps/core.xml"
        if core is None:
            package_rels.add(RT_CORE, core_name)
        custom_name = "docProps/custom.xml" if "docProps/custom.xml" not in taken else "docProps/briefkit-custom.xml"
        package_rels.add(RT_CUSTOM, custom_name)
        overrides = {name: ref.overrides[name] for name in kept if name in ref.overrides}
        overrides[ref.main] = ref.overrides.get(ref.main, CT + "document.main+xml")
        overrides[core_name] = CT_CORE
        overrides[custom_name] = CT_CUSTOM
        overrides.update({name: ctype for name, _, ctype in written if ctype})
        defaults = {**ref.defaults, "rels": CT_RELS, "xml": "application/xml", **self.media_types}
        parts: list[tuple[str, bytes | Deflated]] = [
            ("[Content_Types].xml", content_types(defaults, overrides)), ("_rels/.rels", package_rels.xml()),
            (core_name, self.properties()), (custom_name, self.custom_properties()), (ref.main, document),
            (rels_name(ref.main), rels.xml())]
        parts += [(name, data) for name, data, _ in written]
        if font_table is None:
            parts += ref.kept
        else:  # the reference's font table with the brief's fonts added
            parts += [font_table if name == font_table[0] else (name, data) for name, data in ref.kept]
        return write_package(parts)

    def header_footer(self, tag: str, style: str, text: str, internal: bool = False) -> bytes:
        """A header or footer: its text with fields Word keeps current (page numbers; the country, committee,
        conference and school from the document's properties; the title), a field with no value left out with
        its separator; preparation notes say on every page that they are internal."""
        self.runs, self.text, self.fmt = [], [], Format()
        values = dict(self.settings.fields)
        for piece in _FIELD.split(without_empty_fields(text, values)):
            field = piece[1:-1] if _FIELD.fullmatch(piece) else None
            if field in ("page", "pages"):
                self.runs.append(wordml.field("PAGE" if field == "page" else "NUMPAGES"))
            elif field in PROPERTIES or field == "title":
                self.check(values.get(field, ""))
                instruction = "TITLE" if field == "title" else f"DOCPROPERTY {PROPERTIES[field]} \\* MERGEFORMAT"
                self.runs.append(wordml.complex_field(instruction, values.get(field, "")))
            elif field is None and piece:
                self.add_text(piece)
        mark = ""
        if internal:
            mark = wordml.paragraph(wordml.run(self.settings.internal_mark, self.style_id("Internal Mark")),
                                    self.style_id(style), align="center")
        body = wordml.paragraph("".join(self.runs), self.style_id(style), align="center") if self.runs else ""
        return wordml.header_footer_part(tag, mark + body or wordml.paragraph("", self.style_id(style)))

    def properties(self) -> bytes:
        settings = self.settings
        stamp = dt.datetime.combine(settings.date, dt.time()) if settings.date else FIXED_DATE
        fields = (("dc:title", settings.title), ("dc:subject", settings.subject), ("dc:creator", settings.author),
                  ("cp:keywords", settings.keywords), ("dc:description", ""), ("cp:lastModifiedBy", "briefkit"),
                  ("cp:revision", "1"), ("cp:category", settings.kind), ("dc:language", settings.language))
        return wordml.core_properties(fields, stamp.strftime("%Y-%m-%dT%H:%M:%SZ"))

    def custom_properties(self) -> bytes:
        """The country, committee, conference and school as the document's own properties (the header shows
        them through DOCPROPERTY fields)."""
        values = dict(self.settings.fields)
        return wordml.custom_properties((name, values.get(key, "")) for key, name in PROPERTIES.items())


def column_widths(texts: list[list[str]], columns: int, room: int, font_size: float) -> list[int]:
    """Each column's width in twips, within `room`: at least its longest word (so no word is broken); then, as
    a browser lays out a table, the columns that want least more (their whole text on one line) get it while
    it is no more than an even share of what is left, and the others share the rest by how much more they
    want. A column of short values keeps them on one line beside one long cell. Where even the longest words do
    not fit, they share the room in proportion."""
    char = CHAR_EM * font_size * 20  # twips a character takes, on average (20 twips a point)
    padding = 2 * CELL_MARGIN + char
    least, most = [0.0] * columns, [0.0] * columns
    for row in texts:
        for column, text in enumerate(row):
            wide = len(WIDE.findall(text))  # Chinese, Japanese, Korean: a character is an em, and a line may break
            words = WIDE.sub("", text).split()  # after any of them
            longest = max(max((len(w) for w in words), default=1), 2 if wide else 1)
            least[column] = max(least[column], longest * char + padding)
            most[column] = max(most[column], (len(text) + wide) * char + padding)
    total_least = sum(least)
    if total_least >= room:
        widths = [room * value / total_least for value in least]
    else:
        wants = [max(m - low, 0.0) for m, low in zip(most, least, strict=True)]
        spare, widths = room - total_least, list(least)
        if sum(wants) <= spare:  # every cell fits on one line: the room left is shared evenly
            widths = [low + want + (spare - sum(wants)) / columns for low, want in zip(least, wants, strict=True)]
        else:
            left = sorted(range(columns), key=lambda column: wants[column])
            while left and wants[left[0]] <= spare / len(left):
                column = left.pop(0)
                widths[column] += wants[column]
                spare -= wants[column]
            wanted = sum(wants[column] for column in left)
            for column in left:
                widths[column] += spare * wants[column] / wanted
    out = [max(int(width), 1) for width in widths]
    out[-1] += max(room - sum(out), 0) if total_least < room else 0  # rounding: the table fills the room exactly
    return out


def headings(document: Document) -> Iterator[Heading]:
    """Every heading of a document in reading order, those inside lists, quotes and notes too."""
    stack: list[object] = [*document.notes[::-1], *document.children[::-1]]
    while stack:
        node = stack.pop()
        if isinstance(node, Heading):
            yield node
        elif isinstance(node, BlockQuote | FootnoteDef | ListItem):
            stack.extend(reversed(node.children))
        elif isinstance(node, ListBlock):
            stack.extend(reversed(node.items))


def bookmark_names(anchors: Iterable[str]) -> list[str]:
    """Each anchor's bookmark name, unique in the document and one Word keeps: ASCII letters, digits and
    underscores, starting with a letter, at most 40 characters. Anchors are GitHub's slugs, which keep any
    script's letters and may be long, so a name is the slug's ASCII letters (accents dropped), cut short, with
    a counter where two would be the same."""
    names: list[str] = []
    taken: set[str] = set()  # lower case: Word matches bookmark names without regard to case
    for anchor in anchors:
        ascii_text = unicodedata.normalize("NFKD", anchor).encode("ascii", "ignore").decode()
        base = _BOOKMARK_BAD.sub("_", ascii_text).strip("_")
        if not base[:1].isalpha():
            base = ("h_" + base).rstrip("_")
        name, count = base[:BOOKMARK_MAX], 1
        while name.lower() in taken:
            count += 1
            suffix = f"_{count}"
            name = base[: BOOKMARK_MAX - len(suffix)] + suffix
        taken.add(name.lower())
        names.append(name)
    return names


def write_docx(document: Document, settings: RenderSettings) -> bytes:
    """The brief as a Word document; text Word cannot store is a located input error, not a crash."""
    return DocxWriter(settings).render(document)


def render_docx(composed: Composed, document: Document, ws: Workspace) -> bytes:
    """`write_docx` with the settings read from a composed brief (for callers holding one)."""
    from briefkit.render.settings import from_composed

    return write_docx(document, from_composed(composed, ws))
