"""The Markdown writer: front matter, the body as GitHub-flavoured Markdown, footnotes.

Text is escaped so that GitHub (and briefkit) read it back as the same text: raw HTML and entity references
are printed as typed, code is fenced with more backticks than it holds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml
from markdown_it.common.normalize_url import normalizeLink as normalize_link

from briefkit.document import PAGE_BREAK, list_label, list_scheme
from briefkit.render.settings import image_path
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

_ESCAPE = re.compile(r"([\\`*_\[\]<>|~])|&(?=#?\w+;)")
_LINE_START = re.compile(r"^(?:([#+=-])|(\d+)([.)])(?=\s|$))", re.MULTILINE)
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
_TICKS = re.compile(r"`+")
_CLOSING_HASHES = re.compile(r"(?:^|(?<=[ \t]))(#+)$")  # what an ATX heading would read as its closing sequence
BREAK = "***"  # a thematic break that no text above it can turn into a setext heading's underline
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter where installed: same text, faster


def escape(text: str) -> str:
    """Text that reads back as itself in Markdown."""
    return _ESCAPE.sub(lambda m: "\\" + m.group(0), text)


class MarkdownWriter(Visitor[str]):
    """Each method returns its node as Markdown; blocks are joined by blank lines."""

    def __init__(self, clause_scheme: tuple[tuple[str, str], ...] | None = None) -> None:
        self.clause_scheme = clause_scheme or list_scheme("resolution")  # a resolution's labels, in its language
        self.avoid = ""  # for the list about to be written: the marker of the list just before it, if any
        self.marker = ""  # the marker the list just written took
        self.mark = "*"  # for the emphasis about to be written: '*' or '_'

    def render(self, document: Document, meta: Mapping[str, Any]) -> str:
        front = yaml.dump(dict(meta), Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=1000)
        return ("---\n" + front + "---\n\n" + self.visit(document)).rstrip() + "\n"

    def blocks(self, nodes: tuple[Node, ...], separator: str = "\n\n") -> str:
        out: list[str] = []
        previous = ""  # the marker of the list just written, if the last block was one
        for node in nodes:
            # Lists in a row stay apart: each takes another marker than the one before ('*' after '-', ')'
            # after '.'), so CommonMark starts a new list at each.
            self.avoid = previous
            text = self.visit(node)
            if text:
                out.append(text)
            previous = self.marker if isinstance(node, ListBlock) else ""
        return separator.join(out)

    def inlines(self, nodes: tuple[Node, ...]) -> str:
        return _LINE_START.sub(_line_start, self.joined(nodes))

    def joined(self, nodes: tuple[Node, ...], outer: Node | None = None) -> str:
        """Inline nodes side by side (`outer`: the emphasis they are in), each emphasis with the delimiter that
        reads back as the same emphasis (`_marks`)."""
        pieces = [None if isinstance(node, Emphasis | Strong) else self.visit(node) for node in nodes]
        marks = _marks(nodes, pieces, outer, self.mark)
        out: list[str] = []
        for index, node in enumerate(nodes):
            piece = pieces[index]
            if piece is None:
                self.mark = marks[index]
                piece = self.visit(node)
            elif isinstance(node, HardBreak) and not (out and out[-1][-1:].strip()):
                piece = "\\\n"  # after nothing or a space, two more spaces would not read as a break
            elif isinstance(node, Link | FootnoteRef) and out and out[-1].endswith("!"):
                out[-1] = out[-1][:-1] + "\\!"  # a '!' just before a link is text, not an image's
            out.append(piece)
        return "".join(out)

    # Blocks -----------------------------------------------------------------------------------------

    def visit_document(self, node: Document) -> str:
        notes = "\n".join(self.visit(note) for note in node.notes)
        return self.blocks(node.children) + ("\n\n" + notes if notes else "")

    def visit_heading(self, node: Heading) -> str:
        """An ATX heading ('## Text'), or a setext one (text underlined) where the text has line breaks, which
        only that form holds. A '#' ending the text is escaped: it would be read as the closing sequence."""
        text = self.inlines(node.children)
        # (not when its last line holds a '|': over '---', markdown-it reads that line as a table's header)
        if "\n" in text and node.level <= 2 and "|" not in text.rsplit("\n", 1)[1]:
            return text + "\n" + ("===" if node.level == 1 else "---")
        text = _CLOSING_HASHES.sub(r"\\\1", text.replace("\n", " "))
        return "#" * node.level + " " + text

    def visit_paragraph(self, node: Paragraph) -> str:
        return self.inlines(node.children)

    def visit_list(self, node: ListBlock) -> str:
        if node.role == "operative" and node.ordered:
            return self.clauses(node)
        items = []
        # '+' where '- - -' (lists in lists, the last item empty) would read as a thematic break
        bare = not node.ordered and any(_bullets_alone(item) >= 3 for item in node.items)
        choices = (".", ")") if node.ordered else ("+", "-") if bare else ("-", "*")
        mark = next(m for m in choices if m != self.avoid)
        for number, item in enumerate(node.items, node.start):
            marker = f"{number}{mark} " if node.ordered else f"{mark} "
            body = self.blocks(item.children, "\n" if node.tight else "\n\n")
            if body.startswith(BREAK) and marker == "* ":  # '* ***' would be one thematic break, not an item
                body = "---" + body[len(BREAK):]
            lines = body.split("\n")
            pad = " " * len(marker)
            items.append(marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:]))
        self.marker = mark  # (after the items, whose own lists set it too)
        return ("\n" if node.tight else "\n\n").join(items)

    def clauses(self, node: ListBlock) -> str:
        """A resolution's operative clauses: numbered items, blank lines between them as between the preambular
        clauses, each sub-clause a paragraph of its clause's item that begins with its label ((a), (i), a., i.),
        which a Markdown list cannot show."""
        items = []
        mark = next(m for m in (".", ")") if m != self.avoid)
        for number, item in enumerate(node.items, node.start):
            marker = f"{number}{mark} "
            body = "\n\n".join(self._clause_blocks(item.children))
            pad = " " * len(marker)
            items.append(marker + "\n".join(pad + line if line and i else line
                                             for i, line in enumerate(body.split("\n"))))
        self.marker = mark
        return "\n\n".join(items)

    def _clause_blocks(self, nodes: tuple[Node, ...]) -> list[str]:
        out = []
        for child in nodes:
            if isinstance(child, ListBlock) and child.ordered:
                for number, item in enumerate(child.items, child.start):
                    inner = self._clause_blocks(item.children) or [""]
                    inner[0] = f"{list_label(self.clause_scheme, child.level, number)} {inner[0]}".rstrip()
                    out.extend(inner)
            else:
                out.append(self.blocks((child,)))
        return out

    def visit_block_quote(self, node: BlockQuote) -> str:
        inner = self.blocks(node.children)
        return "\n".join("> " + line if line else ">" for line in inner.split("\n"))

    def visit_code_block(self, node: CodeBlock) -> str:
        """A fence longer than any run of its character in the text: backticks, or tildes where the info string
        holds a backtick (a backtick fence's info cannot)."""
        char = "~" if "`" in node.info else "`"
        runs = re.findall(re.escape(char) + "+", node.text)
        fence = char * max(3, 1 + max((len(run) for run in runs), default=0))
        text = node.text if node.text.endswith("\n") or not node.text else node.text + "\n"
        # the info string reads backslash escapes and entities; one starting with the fence's character would
        # lengthen the fence
        info = re.sub(r"([\\&])", r"\\\1", node.info)
        info = "\\" + info if info.startswith(char) else info
        return f"{fence}{info}\n{text}{fence}"

    def visit_thematic_break(self, node: ThematicBreak) -> str:
        return BREAK

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
        mark = self.mark
        return f"{mark}{self.joined(node.children, node)}{mark}"

    def visit_strong(self, node: Strong) -> str:
        mark = self.mark
        return f"{mark * 2}{self.joined(node.children, node)}{mark * 2}"

    def visit_strike(self, node: Strike) -> str:
        return f"~~{self.joined(node.children)}~~"

    def visit_link(self, node: Link) -> str:
        if node.auto:  # as typed: an e-mail address shows without the 'mailto:' its link adds
            email = node.href.removeprefix("mailto:")
            return f"<{email if node.href != email and plain_text(node.children) == email else node.href}>"
        return f"[{self.joined(node.children)}]({_url(node.href, node.title)})"

    def visit_image(self, node: Image) -> str:
        return f"![{escape(node.alt)}]({_url(_file_src(node.src), node.title)})"

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


def _marks(nodes: tuple[Node, ...], pieces: list[str | None], outer: Node | None, outer_mark: str) -> list[str]:
    """The delimiter of each emphasis among inline nodes (`pieces`: None for an emphasis, else its text as
    written; `outer`: the emphasis they are in, written with `outer_mark`): '*', or '_' where '*' would misread
    and '_' can stand there ('_' cannot open or close inside a word); if it cannot, the emphasis before takes
    '_'. As read back, '*' misreads beside the same kind of emphasis (`*a**b*` is one emphasis), inside the same
    kind (`*a)*!*b*`, `**a**`), and alone inside strong (`***a***` is emphasis around strong); strong alone
    inside strong (`****a****`) and touching runs of the other kind (`***a**b*`) read back as they were."""
    marks = ["*" if piece is None else "" for piece in pieces]
    last = len(pieces) - 1

    def can_take_underscore(index: int) -> bool:
        before = (pieces[index - 1] or "*")[-1:] if index > 0 else ""
        after = (pieces[index + 1] or "*")[:1] if index < last else ""
        return not before.isalnum() and not after.isalnum()

    def misreads(index: int, mark: str) -> bool:
        node = nodes[index]
        if index > 0 and pieces[index - 1] is None and type(nodes[index - 1]) is type(node):
            if marks[index - 1] == mark:
                return True
        if outer is None or outer_mark != mark:
            return False
        if isinstance(node, Emphasis):
            return isinstance(outer, Emphasis) or last == 0
        return isinstance(outer, Strong) and last > 0

    for index, piece in enumerate(pieces):
        if piece is None and misreads(index, "*"):
            if can_take_underscore(index):
                marks[index] = "_"
            elif index > 0 and pieces[index - 1] is None and can_take_underscore(index - 1) \
                    and not misreads(index - 1, "_"):
                marks[index - 1] = "_"
    return marks


def _bullets_alone(item: ListItem) -> int:
    """How many bullets an item's first line would hold with nothing after them (0 if it holds text): an item
    of bullet lists, each first item of which is one too, down to an empty one."""
    count = 1
    while item.children:
        first = item.children[0]
        if not isinstance(first, ListBlock) or first.ordered:
            return 0
        item, count = first.items[0], count + 1
    return count


def _file_src(src: str) -> str:
    """A local picture's path as written (`images/my chart.png`), not %-escaped, where reading it back gives
    the same `src`: GitHub and briefkit both read the same file from it."""
    name = image_path(src)
    if name is None or name == src or any(c in name for c in "<>\\") or normalize_link(name) != src:
        return src
    return name


def _url(url: str, title: str) -> str:
    target = f"<{url}>" if re.search(r"[\s()<>]", url) else url
    if title:
        target += ' "' + title.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return target


def render_markdown(document: Document, meta: Mapping[str, Any],
                    clause_scheme: tuple[tuple[str, str], ...] | None = None) -> bytes:
    """The brief as a Markdown file (UTF-8); `clause_scheme`: a resolution's clause labels (list_scheme's)."""
    return MarkdownWriter(clause_scheme).render(document, meta).encode("utf-8")
