"""briefkit's own document tree: typed, immutable nodes parsed once from the composed Markdown, and the visitor
every writer subclasses.

Blocks carry the 1-based line of the composed text they start on (`line`); `Document.locate` turns it into the
snippet file and line where the composer recorded where each piece of text came from (`SourceMap`), else into
the composed line. Footnotes are numbered once, in reading order (order of first reference): a `FootnoteRef`
holds the number, `Document.notes` holds the definitions in number order. List items and table cells are
parts of their list or table node, not nodes of their own: a writer handles them in its list or table method.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Generic, TypeVar


class UnknownNode(Exception):
    """A writer was handed a node it has no method for."""


@dataclass(frozen=True, slots=True)
class Node:
    kind: ClassVar[str] = "node"


# Inlines ------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Text(Node):
    kind: ClassVar[str] = "text"
    text: str


@dataclass(frozen=True, slots=True)
class Code(Node):
    """A code span, printed exactly as typed."""

    kind: ClassVar[str] = "code"
    text: str


@dataclass(frozen=True, slots=True)
class Emphasis(Node):
    kind: ClassVar[str] = "emphasis"
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Strong(Node):
    kind: ClassVar[str] = "strong"
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Strike(Node):
    kind: ClassVar[str] = "strike"
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Link(Node):
    """A link; `href` starting with '#' points at a heading's anchor."""

    kind: ClassVar[str] = "link"
    href: str
    title: str
    children: tuple[Node, ...]
    auto: bool = False  # written as <https://...>


@dataclass(frozen=True, slots=True)
class Image(Node):
    kind: ClassVar[str] = "image"
    src: str
    alt: str
    title: str
    width: str  # '' or as written in `{ width=5cm }`
    line: int


@dataclass(frozen=True, slots=True)
class SoftBreak(Node):
    kind: ClassVar[str] = "soft_break"


@dataclass(frozen=True, slots=True)
class HardBreak(Node):
    kind: ClassVar[str] = "hard_break"


@dataclass(frozen=True, slots=True)
class FootnoteRef(Node):
    kind: ClassVar[str] = "footnote_ref"
    number: int  # 1-based, in reading order; the definition is Document.notes[number - 1]


# Blocks -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Heading(Node):
    """A heading; `role` is '' or what a marker line before it said ('references', 'disclosure')."""

    kind: ClassVar[str] = "heading"
    level: int
    children: tuple[Node, ...]
    anchor: str  # GitHub's slug of its text, unique in the document
    role: str
    line: int


@dataclass(frozen=True, slots=True)
class Paragraph(Node):
    """A paragraph; `role` is '' or what a marker line before it said ('preambular': a resolution's clause)."""

    kind: ClassVar[str] = "paragraph"
    children: tuple[Node, ...]
    line: int
    role: str = ""


@dataclass(frozen=True, slots=True)
class ListItem:
    """One item of a list: its blocks (a tight list's paragraphs are shown without paragraph spacing)."""

    children: tuple[Node, ...]
    line: int


@dataclass(frozen=True, slots=True)
class ListBlock(Node):
    kind: ClassVar[str] = "list"
    ordered: bool
    start: int
    tight: bool
    level: int  # 0 for a list not inside another list
    items: tuple[ListItem, ...]
    line: int
    role: str = ""  # '' or what a marker line before it said ('operative': a resolution's operative clauses)


@dataclass(frozen=True, slots=True)
class TableCell:
    children: tuple[Node, ...]
    align: str  # '', 'left', 'center' or 'right'


@dataclass(frozen=True, slots=True)
class Table(Node):
    """A table: the first row is the header row."""

    kind: ClassVar[str] = "table"
    rows: tuple[tuple[TableCell, ...], ...]
    line: int


@dataclass(frozen=True, slots=True)
class BlockQuote(Node):
    kind: ClassVar[str] = "block_quote"
    children: tuple[Node, ...]
    line: int


@dataclass(frozen=True, slots=True)
class CodeBlock(Node):
    """A fenced or indented code block, its text exactly as typed (ending in a newline unless empty)."""

    kind: ClassVar[str] = "code_block"
    text: str
    info: str  # a fence's info string ('python'), '' otherwise
    line: int


@dataclass(frozen=True, slots=True)
class ThematicBreak(Node):
    kind: ClassVar[str] = "thematic_break"
    line: int


@dataclass(frozen=True, slots=True)
class PageBreak(Node):
    """`<!-- pagebreak -->` alone on a line."""

    kind: ClassVar[str] = "page_break"
    line: int


@dataclass(frozen=True, slots=True)
class FootnoteDef(Node):
    kind: ClassVar[str] = "footnote_def"
    number: int
    label: str
    children: tuple[Node, ...]
    line: int


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Where pieces of the composed text came from: (first composed line, file, that line's number in the file),
    sorted by composed line. The composer may hand one to `document.parse`; without it lines stay composed lines."""

    starts: tuple[tuple[int, Path | None, int], ...] = ()  # a None file: from the template, not a snippet

    def locate(self, line: int) -> tuple[Path | None, int]:
        found: tuple[Path | None, int] = (None, line)
        for start, path, file_line in self.starts:
            if start > line:
                break
            found = (path, file_line + line - start) if path is not None else (None, line)
        return found


@dataclass(frozen=True, slots=True)
class Document(Node):
    kind: ClassVar[str] = "document"
    children: tuple[Node, ...]
    notes: tuple[FootnoteDef, ...]
    source: SourceMap = field(default_factory=SourceMap)
    body_notes: int = -1  # notes 1..body_notes are referred to from the body; the others only from notes
                          # (-1: not counted, all of them)

    def locate(self, line: int) -> tuple[Path | None, int]:
        """The snippet file and line a composed line came from (None and the composed line where unknown)."""
        return self.source.locate(line)


BLOCKS = (Heading, Paragraph, ListBlock, Table, BlockQuote, CodeBlock, ThematicBreak, PageBreak, FootnoteDef)
INLINES = (Text, Code, Emphasis, Strong, Strike, Link, Image, SoftBreak, HardBreak, FootnoteRef)
R = TypeVar("R")


class Visitor(Generic[R]):
    """One method per node type, each taking the node; `visit` dispatches, and a node without a method raises."""

    _methods: ClassVar[dict[type, Any]]  # node class -> this writer's method for it, found once

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._methods = {}

    def visit(self, node: Node) -> R:
        method = self._methods.get(type(node))
        if method is None:
            method = getattr(type(self), "visit_" + node.kind, None) if isinstance(node, Node) else None
            if method is None:
                raise UnknownNode(f"{type(self).__name__} has no method for {type(node).__name__}")
            self._methods[type(node)] = method
        result: R = method(self, node)
        return result

    def visit_all(self, nodes: Sequence[Node]) -> list[R]:
        return [self.visit(node) for node in nodes]


def plain_text(nodes: Sequence[Node]) -> str:
    """The text of inline nodes without formatting (image descriptions, slugs, word counts)."""
    out = []
    for node in nodes:
        if isinstance(node, Text | Code):
            out.append(node.text)
        elif isinstance(node, Emphasis | Strong | Strike | Link):
            out.append(plain_text(node.children))
        elif isinstance(node, Image):
            out.append(node.alt)
        elif isinstance(node, SoftBreak | HardBreak):
            out.append(" ")
    return "".join(out)


def blocks_with_text(document: Document) -> Iterator[tuple[int, str]]:
    """(line, plain text) of every paragraph, heading and table of a document, its notes included."""
    stack: list[Any] = [*document.children, *document.notes]
    while stack:
        node = stack.pop()
        if isinstance(node, Paragraph | Heading):
            yield node.line, plain_text(node.children)
        elif isinstance(node, Table):
            yield node.line, " ".join(plain_text(cell.children) for row in node.rows for cell in row)
        stack.extend(getattr(node, "children", ()) if not isinstance(node, Paragraph | Heading) else ())
        stack.extend(getattr(node, "items", ()))


def image_sources(document: Document) -> list[str]:
    """The `src` of every image in a document, its notes included (the files its outputs embed)."""
    found: list[str] = []
    stack: list[Any] = [*document.children, *document.notes]
    while stack:
        node = stack.pop()
        if isinstance(node, Image):
            found.append(node.src)
        stack.extend(getattr(node, "children", ()))
        stack.extend(getattr(node, "items", ()))
        for row in getattr(node, "rows", ()):
            stack.extend(row)
    return found
