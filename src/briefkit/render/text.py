"""The plain-text writer: what pastes cleanly into a conference's resolution editor or an e-mail.

Almost no markup survives: emphasis is dropped, list labels are written out as the Word document
numbers them ('1.', '(a)', '(i)'), notes become '[1]' with the notes listed at the end, links show
their address, and each paragraph is one line (editors re-wrap text themselves); code keeps its lines.

What would change the meaning if dropped is written the way plain-text e-mail writes it:
- struck-through text stays between tildes, `~~withdrawn~~`, so deleted words never read as present;
- a note's later paragraphs and blocks are indented under its '[1]' label, with blank lines between;
- a table is one record per row, one 'Header: value' line per cell, a blank line between rows: e-mail
  shows proportional fonts and re-wraps long lines, which scramble aligned columns and '|' grids, while
  a labelled line stays readable wherever it breaks (a cell under an empty header is written alone).
"""

from __future__ import annotations

from itertools import zip_longest

from briefkit.document import list_label
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
)

INDENT = "    "


class TextWriter(Visitor[str]):
    """Each method returns its node as text; `depth` is how far blocks are indented (lists, quotes)."""

    def __init__(self, scheme: tuple[tuple[str, str], ...], notes_heading: str = "Notes"):
        self.scheme = scheme
        self.notes_heading = notes_heading
        self.depth = 0

    def blocks(self, nodes: tuple[Node, ...], separator: str = "\n\n") -> str:
        return separator.join(text for text in self.visit_all(nodes) if text)

    def inlines(self, nodes: tuple[Node, ...]) -> str:
        return "".join(self.visit_all(nodes)).strip()

    def indented(self, text: str) -> str:
        return "\n".join(INDENT * self.depth + line if line else line for line in text.split("\n"))

    # Blocks -----------------------------------------------------------------------------------------

    def visit_document(self, node: Document) -> str:
        body = self.blocks(node.children)
        if node.notes:
            body += f"\n\n{self.notes_heading}\n\n" + "\n\n".join(self.visit_all(node.notes))
        return body.rstrip() + "\n"

    def visit_heading(self, node: Heading) -> str:
        return self.indented(self.inlines(node.children))

    def visit_paragraph(self, node: Paragraph) -> str:
        return self.indented(self.inlines(node.children))

    def visit_list(self, node: ListBlock) -> str:
        items = []
        for number, item in enumerate(node.items, node.start):
            marker = list_label(self.scheme, node.level, number) if node.ordered else "-"
            lead = ""
            children = item.children
            if children and isinstance(children[0], Paragraph):
                lead, children = self.inlines(children[0].children), children[1:]
            self.depth += 1
            rest = self.blocks(children, "\n")
            self.depth -= 1
            items.append("\n".join(part for part in (self.indented(f"{marker} {lead}".rstrip()), rest) if part))
        return "\n".join(items)

    def visit_block_quote(self, node: BlockQuote) -> str:
        self.depth += 1
        text = self.blocks(node.children)
        self.depth -= 1
        return text

    def visit_code_block(self, node: CodeBlock) -> str:
        return self.indented(node.text.removesuffix("\n"))

    def visit_thematic_break(self, node: ThematicBreak) -> str:
        return self.indented("* * *")

    def visit_page_break(self, node: PageBreak) -> str:
        return ""

    def visit_table(self, node: Table) -> str:
        """One 'Header: value' record per body row (see the module docstring); only a header: its cells."""
        names = [self.cell(cell.children) for cell in node.rows[0]]
        if len(node.rows) == 1:
            return self.indented("\n".join(name for name in names if name))
        records = []
        for row in node.rows[1:]:
            values = [self.cell(cell.children) for cell in row]
            lines = [f"{name}: {value}".rstrip() if name else value
                     for name, value in zip_longest(names, values, fillvalue="")]
            records.append(self.indented("\n".join(line for line in lines if line)))
        return "\n\n".join(records)

    def cell(self, nodes: tuple[Node, ...]) -> str:
        """A cell's text on one line, so each line of a record is one cell."""
        return " ".join(self.inlines(nodes).split("\n"))

    def visit_footnote_def(self, node: FootnoteDef) -> str:
        """'[n] ' and the note's first paragraph, its later blocks indented under it (blank lines between)."""
        children, lead = node.children, ""
        saved, self.depth = self.depth, 1
        if children and isinstance(children[0], Paragraph):
            lead, children = self.inlines(children[0].children).replace("\n", "\n" + INDENT), children[1:]
        rest = self.blocks(children)
        self.depth = saved
        return "\n\n".join(part for part in (f"[{node.number}] {lead}".rstrip(), rest) if part)

    # Inlines ----------------------------------------------------------------------------------------

    def visit_text(self, node: Text) -> str:
        return node.text

    def visit_code(self, node: Code) -> str:
        return node.text

    def visit_emphasis(self, node: Emphasis) -> str:
        return "".join(self.visit_all(node.children))

    def visit_strong(self, node: Strong) -> str:
        return "".join(self.visit_all(node.children))

    def visit_strike(self, node: Strike) -> str:
        return f"~~{''.join(self.visit_all(node.children))}~~"

    def visit_link(self, node: Link) -> str:
        text = "".join(self.visit_all(node.children))
        if node.href.startswith(("http:", "https:", "mailto:")) and text != node.href and not node.auto:
            return f"{text} ({node.href})"
        return text

    def visit_image(self, node: Image) -> str:
        return f"[image: {node.alt or node.src}]"

    def visit_soft_break(self, node: SoftBreak) -> str:
        return " "

    def visit_hard_break(self, node: HardBreak) -> str:
        return "\n"

    def visit_footnote_ref(self, node: FootnoteRef) -> str:
        return f"[{node.number}]"


def render_text(document: Document, scheme: tuple[tuple[str, str], ...], notes_heading: str = "Notes") -> bytes:
    """The brief as plain UTF-8 text."""
    return TextWriter(scheme, notes_heading).visit(document).encode("utf-8")
