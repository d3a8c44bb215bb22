"""The Markdown writer: front matter, the body as GitHub-flavoured Markdown, footnotes.

Text is escaped so that GitHub (and briefkit) read it back as the same text: raw HTML and entity references
are printed as typed, code is fenced with more backticks than it holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from briefkit.document import PAGE_BREAK
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

_ESCAPE = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)([.)])(?=\s|$))", re.MULTILINE)
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_TICKS = re.compile(r"`+")
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter where installed: same text, faster


def escape(text: str) -> str:
    """Text that reads back as itself in Markdown."""
    return _ESCAPE.sub(lambda m: "\\" + m.group(0), text)


class MarkdownWriter(Visitor[str]):
    """Each method returns its node as Markdown; blocks are joined by blank lines."""

    other_marker = False

    def render(self, document: Document, meta: Mapping[str, Any]) -> str:
        front = yaml.dump(dict(meta), Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=1000)
        return ("---\n" + front + "---\n\n" + self.visit(document)).rstrip() + "\n"

    def blocks(self, nodes: tuple[Node, ...], separator: str = "\n\n") -> str:
        out: list[str] = []
        previous: ListBlock | None = None
        for node in nodes:
            # Two lists in a row stay two lists: the second takes the other marker ('*' for '-', ')' for '.').
            follows = isinstance(node, ListBlock) and previous is not None and previous.ordered == node.ordered
            self.other_marker = follows and not self.other_marker
            text = self.visit(node)
            if text:
                out.append(text)
            previous = node if isinstance(node, ListBlock) else None
        return separator.join(out)

    def inlines(self, nodes: tuple[Node, ...]) -> str:
        return _LINE_START.sub(_line_start, "".join(self.visit_all(nodes)))

    # Blocks -----------------------------------------------------------------------------------------

    def visit_document(self, node: Document) -> str:
        notes = "\n".join(self.visit(note) for note in node.notes)
        return self.blocks(node.children) + ("\n\n" + notes if notes else "")

    def visit_heading(self, node: Heading) -> str:
        return "#" * node.level + " " + self.inlines(node.children).replace("\n", " ")

    def visit_paragraph(self, node: Paragraph) -> str:
        return self.inlines(node.children)

    def visit_list(self, node: ListBlock) -> str:
        items = []
        ordered, bullet = (")", "*") if self.other_marker else (".", "-")
        for number, item in enumerate(node.items, node.start):
            marker = f"{number}{ordered} " if node.ordered else f"{bullet} "
            body = self.blocks(item.children, "\n" if node.tight else "\n\n")
            lines = body.split("\n")
            pad = " " * len(marker)
            items.append(marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:]))
        return ("\n" if node.tight else "\n\n").join(items)

    def visit_block_quote(self, node: BlockQuote) -> str:
        inner = self.blocks(node.children)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))

    def visit_code_block(self, node: CodeBlock) -> str:
        fence = "`" * max(3, 1 + max((len(run) for run in _TICKS.findall(node.text)), default=0))
        return f"{fence}{node.info}\n{node.text}{fence}"

    def visit_thematic_break(self, node: ThematicBreak) -> str:
        return "---"

    def visit_page_break(self, node: PageBreak) -> str:
        return PAGE_BREAK

    def visit_table(self, node: Table) -> str:
        marks = {"left": ":---", "center": ":---:", "right": "---:", "": "---"}
        # GitHub splits a row at every unescaped pipe, inside code spans too, before it reads the cells
        rows = ["| " + " | ".join(_UNESCAPED_PIPE.sub(r"\\|", self.inlines(cell.children)) for cell in row) + " |"
                for row in node.rows]
        rule = "|" + "|".join(marks[cell.align] for cell in node.rows[0]) + "|"
        return "\n".join([rows[0], rule, *rows[1:]])

    def visit_footnote_def(self, node: FootnoteDef) -> str:
        body = self.blocks(node.children)
        return f"[^{node.number}]: " + "\n".join(("    " + line if line and i else line)
                                                for i, line in enumerate(body.split("\n")))

    # Inlines ----------------------------------------------------------------------------------------

    def visit_text(self, node: Text) -> str:
        return escape(node.text)

    def visit_code(self, node: Code) -> str:
        ticks = "`" * (1 + max((len(run) for run in _TICKS.findall(node.text)), default=0))
        text = node.text
        if text.startswith("`") or text.endswith("`") or (text[:1] == " " == text[-1:] and text.strip()):
            text = f" {text} "
        return f"{ticks}{text}{ticks}"

    def visit_emphasis(self, node: Emphasis) -> str:
        return f"*{''.join(self.visit_all(node.children))}*"

    def visit_strong(self, node: Strong) -> str:
        return f"**{''.join(self.visit_all(node.children))}**"

    def visit_strike(self, node: Strike) -> str:
        return f"~~{''.join(self.visit_all(node.children))}~~"

    def visit_link(self, node: Link) -> str:
        if node.auto:
            return f"<{node.href}>"
        return f"[{''.join(self.visit_all(node.children))}]({_url(node.href, node.title)})"

    def visit_image(self, node: Image) -> str:
        return f"![{escape(node.alt)}]({_url(node.src, node.title)})"

    def visit_soft_break(self, node: SoftBreak) -> str:
        return "\n"

    def visit_hard_break(self, node: HardBreak) -> str:
        return "  \n"

    def visit_footnote_ref(self, node: FootnoteRef) -> str:
        return f"[^{node.number}]"


def _line_start(match: re.Match[str]) -> str:
    """A line start that would open a block (heading, list item, setext underline), escaped."""
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def _url(url: str, title: str) -> str:
    target = f"<{url}>" if re.search(r"[\s()<>]", url) else url
    if title:
        target += ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return target


def render_markdown(document: Document, meta: Mapping[str, Any]) -> bytes:
    """The brief as a Markdown file (UTF-8)."""
    return MarkdownWriter().render(document, meta).encode("utf-8")
