"""The plain-text writer: what pastes cleanly into a conference's resolution editor or an e-mail.

No markup survives: emphasis is dropped, list labels are written out as the Word document numbers
them ('1.', '(a)', '(i)'), notes become '[1]' with the notes listed at the end, links show their
address, and each paragraph is one line (editors re-wrap text themselves); code keeps its lines.
"""

from __future__ import annotations

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

    def __init__(self, scheme: tuple[tuple[str, str], ...]):
        self.scheme = scheme
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
            body += "\n\nNotes\n\n" + "\n\n".join(self.visit_all(node.notes))
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
        return "\n".join(self.indented(" | ".join(self.inlines(cell.children) for cell in row)) for row in node.rows)

    def visit_footnote_def(self, node: FootnoteDef) -> str:
        saved, self.depth = self.depth, 0
        text = f"[{node.number}] " + self.blocks(node.children, " ").replace("\n", " ")
        self.depth = saved
        return text

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
        return "".join(self.visit_all(node.children))

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


def render_text(document: Document, scheme: tuple[tuple[str, str], ...]) -> bytes:
    """The brief as plain UTF-8 text."""
    return TextWriter(scheme).visit(document).encode("utf-8")
