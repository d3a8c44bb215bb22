"""Parse composed Markdown once, as GitHub reads it, into briefkit's document tree (`tree.py`).

The parser is markdown-it-py (CommonMark, plus GitHub's tables and strikethrough) with mdit-py-plugins'
footnotes; raw HTML and entity references are text, printed as typed. Marker lines, alone on a line:
`<!-- pagebreak -->` is a page break, and `<!-- references-heading -->` or `<!-- disclosure-heading -->`
just before a heading gives that heading its role (the composer writes them); `<!-- preambular-clause -->` before
a paragraph and `<!-- operative-clauses -->` before a list mark a resolution's clauses (its template writes them),
so that writers can set them as one multi-level list with its own styles and labels.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from markdown_it.common.utils import unescapeAll as unescape_all

from briefkit.errors import BriefkitError, Problem
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
    SourceMap,
    Strike,
    Strong,
    Table,
    TableCell,
    Text,
    ThematicBreak,
    plain_text,
)

PAGE_BREAK = "<!-- pagebreak -->"
_COMMENT = re.compile(r"<!--.*?(?:-->|\Z)", re.DOTALL)  # to the end of the text if never closed, as on GitHub
# A marker line gives the block after it a role: a heading (references, disclosure), a paragraph or a list.
BLOCK_ROLES = {"<!-- references-heading -->": "references", "<!-- disclosure-heading -->": "disclosure",
               "<!-- preambular-clause -->": "preambular", "<!-- operative-clauses -->": "operative"}
_ALIGN = re.compile(r"text-align:(\w+)")
_SLUG_DROP = re.compile(r"[^\w\- ]")


# Bare addresses (`https://...`, `www.`, e-mail) that GitHub links; text in `<...>` or a link's `(...)` is
# already a link. Only a text with such an address is parsed with linkify-it, whose patterns take ~25 ms to build.
_BARE = re.compile(r"://|\bwww\.|@[\w-]+\.\w", re.IGNORECASE)
_GITHUB_BARE = re.compile(r"[a-z][a-z0-9+.-]*://|www\.|[^@\s]+@", re.IGNORECASE)  # what GitHub links bare
_LINKED = re.compile(r"<[^>\s]*>|\]\([^)\s]*[)\s]")


@lru_cache(maxsize=2)
def _parser(linkify: bool = False) -> Any:
    """The parser a process uses (`linkify`: with GitHub's links of bare addresses)."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.attrs import attrs_plugin
    from mdit_py_plugins.footnote import footnote_plugin

    md = MarkdownIt("commonmark", {"html": False, "maxNesting": MAX_NESTING, "linkify": linkify})
    md.enable(["table", "strikethrough", *(["linkify"] if linkify else [])]).disable("entity")
    md.block.ruler.before("html_block", "comment_block", _comment_block, {"alt": ["paragraph", "reference",
                                                                                  "blockquote"]})
    md.use(footnote_plugin, inline=False)  # GitHub's footnotes: [^label] and [^label]: text, no ^[inline]
    md.use(attrs_plugin, after=("image",), allowed=("width",))  # ![a](b.png){ width=5cm }, nothing else
    md.core.ruler.at("inline", _inline_pass)
    # The same sources' URLs recur in brief after brief, and normalising one (mdurl's parse and encode) was a
    # quarter of the parse: the instance's own link hooks, remembered (same results, markdown-it's public hooks).
    md.normalizeLink = lru_cache(maxsize=8192)(md.normalizeLink)  # type: ignore[method-assign]
    md.normalizeLinkText = lru_cache(maxsize=8192)(md.normalizeLinkText)  # type: ignore[method-assign]
    md.validateLink = lru_cache(maxsize=8192)(md.validateLink)  # type: ignore[method-assign]
    return md


MAX_NESTING = 100  # markdown-it's levels (a list and its item are two); past it the parser drops the rest


def _comment_block(state: Any, start: int, end: int, silent: bool) -> bool:
    """An HTML comment that begins a line is a block to the line holding its `-->`, blank lines and all:
    CommonMark's HTML block of type 2, which GitHub hides. (The parser's HTML rules stay off: other HTML is text.)"""
    begin = state.bMarks[start] + state.tShift[start]
    if state.sCount[start] - state.blkIndent >= 4 or not state.src.startswith("<!--", begin):
        return False
    if silent:
        return True
    line = start
    while line < end:
        first = begin + 4 if line == start else state.bMarks[line]
        if "-->" in state.src[first:state.eMarks[line]]:
            break
        line += 1
    state.line = min(line + 1, end)
    token = state.push("comment_block", "", 0)
    token.map = [start, state.line]
    token.content = state.getLines(start, state.line, state.blkIndent, True)
    return True


# The nodes of inline text that holds no '[': such text has no link, image or footnote reference, so its
# nodes depend on nothing but itself (not on the document's link or footnote definitions). The same sentences
# recur in brief after brief; each is parsed once a process. Nodes are immutable, so they are shared.
_KNOWN: dict[bool, dict[str, tuple[Node, ...]]] = {False: {}, True: {}}  # one for each parser
_KNOWN_MAX = 8192


def _inline_pass(state: Any) -> None:
    """markdown-it's core inline pass (its rule 'inline', replaced through the ruler's public `at`), leaving
    out text whose nodes are already known: the builder takes those from `_KNOWN`."""
    known = _KNOWN[bool(state.md.options.get("linkify"))]
    for token in state.tokens:
        if token.type == "inline":
            if token.children is None:
                token.children = []
            if token.content not in known:
                state.md.inline.parse(token.content, state.md, state.env, token.children)


def parse(text: str, source: SourceMap | None = None, origin: Path | None = None) -> Document:
    """The document tree of a composed Markdown text (`source`: where its lines came from, if known; `origin`:
    the brief, for a problem in text that came from no snippet)."""
    source = source or SourceMap()
    linkify = bool(_BARE.search(_LINKED.sub("", text)))
    tokens = _parser(linkify).parse(text)
    deepest = max(tokens, key=lambda token: token.level, default=None)
    if deepest is not None and deepest.level >= MAX_NESTING - 2:
        line = next((t.map[0] + 1 for t in reversed(tokens[:tokens.index(deepest) + 1]) if t.map), 1)
        path, at = source.locate(line)
        where = (path, at) if path is not None else (origin, None)
        message = f"lists or quotes nested more than {MAX_NESTING // 2 - 1} levels deep"
        hint = "flatten the nesting" + (f" (line {at} of the composed text)" if path is None else "")
        raise BriefkitError([Problem(where[0], where[1], message, hint)])
    builder = _Builder(_KNOWN[linkify])
    blocks, definitions = builder.blocks(tokens, 0, len(tokens), 0)
    body, notes, in_body = _reading_order(tuple(blocks), tuple(definitions), builder.refs, builder.note_refs)
    return Document(body, notes, source, in_body)


def _reading_order(body: tuple[Node, ...], notes: tuple[FootnoteDef, ...], refs: list[int],
                   note_refs: dict[int, list[int]]) -> tuple[tuple[Node, ...], tuple[FootnoteDef, ...], int]:
    """Notes numbered as a reader meets them: those the body refers to first, in its order, then those only other
    notes refer to (Word numbers its footnotes by their place in the body, and has no footnote inside a
    footnote). markdown-it numbers by the place of the text, and a snippet's notes stand after the snippet."""
    order: dict[int, int] = {}
    for number in refs:
        order.setdefault(number, len(order) + 1)
    in_body = len(order)
    by_number = {note.number: note for note in notes}
    done = 0
    while done < len(order):
        for number in note_refs.get(list(order)[done], ()):
            order.setdefault(number, len(order) + 1)
        done += 1
    if all(old == new for old, new in order.items()) and len(order) == len(notes):
        return body, notes, in_body
    renumbered = [replace(by_number[old], number=new, children=_renumber(by_number[old].children, order))
                  for old, new in order.items() if old in by_number]
    return _renumber(body, order), tuple(sorted(renumbered, key=lambda note: note.number)), in_body


def _renumber(nodes: tuple[Any, ...], order: dict[int, int]) -> tuple[Any, ...]:
    """`nodes` with each note reference's number mapped through `order` (nodes without one are kept, shared)."""
    out = []
    for node in nodes:
        if isinstance(node, FootnoteRef):
            node = FootnoteRef(order[node.number])
        elif isinstance(node, Table):
            node = replace(node, rows=tuple(tuple(replace(cell, children=_renumber(cell.children, order))
                                                  for cell in row) for row in node.rows))
        elif isinstance(node, ListBlock):
            node = replace(node, items=tuple(replace(item, children=_renumber(item.children, order))
                                             for item in node.items))
        elif getattr(node, "children", ()):
            node = replace(node, children=_renumber(node.children, order))
        out.append(node)
    return tuple(out)


class _Builder:
    """Turns markdown-it's flat token stream into nested nodes."""

    def __init__(self, known: dict[str, tuple[Node, ...]]) -> None:
        self.slugs: dict[str, int] = {}
        self.known = known  # the parser's known inline texts (see `_KNOWN`)
        self.refs: list[int] = []  # note numbers referred to, in reading order: the body's (a note's while in one)
        self.note_refs: dict[int, list[int]] = {}  # note number -> those its text refers to

    def blocks(self, tokens: Sequence[Any], start: int, end: int, lists: int) -> tuple[list[Node], list[FootnoteDef]]:
        """Nodes of tokens[start:end] (and footnote definitions, which only the top level holds)."""
        out: list[Node] = []
        notes: list[FootnoteDef] = []
        role = ""
        i = start
        while i < end:
            token = tokens[i]
            close = _close(tokens, i) if token.nesting == 1 else i
            line = token.map[0] + 1 if token.map else 0
            kind = token.type
            if kind == "paragraph_open":
                out.append(Paragraph(self.inline(tokens[i + 1], line), line, role))
                i += 3
                role = ""
                continue
            if kind == "comment_block":
                marker = token.content.strip()
                if marker == PAGE_BREAK:
                    out.append(PageBreak(line))
                elif marker in BLOCK_ROLES:
                    role = BLOCK_ROLES[marker]
                    i += 1
                    continue  # the role is the next heading's
                else:  # the author's note, hidden as on GitHub; text outside the comment on its lines is shown
                    rest = _COMMENT.sub("", token.content).strip()
                    if rest:
                        out.append(Paragraph((Text(rest),), line))
                role = ""
                i += 1
                continue
            if kind == "heading_open":
                children = self.inline(tokens[i + 1], line)
                out.append(Heading(int(token.tag[1]), children, self.slug(plain_text(children)), role, line))
            elif kind in ("bullet_list_open", "ordered_list_open"):
                out.append(replace(self.list_block(tokens, i, close, lists, line), role=role) if role else
                           self.list_block(tokens, i, close, lists, line))
            elif kind == "blockquote_open":
                out.append(BlockQuote(tuple(self.blocks(tokens, i + 1, close, lists)[0]), line))
            elif kind in ("fence", "code_block"):
                info = unescape_all(token.info).strip().split(maxsplit=1) if kind == "fence" else []
                out.append(CodeBlock(token.content, info[0] if info else "", line))
            elif kind == "hr":
                out.append(ThematicBreak(line))
            elif kind == "table_open":
                out.append(self.table(tokens, i, close, line))
            elif kind == "footnote_block_open":
                notes = self.footnotes(tokens, i + 1, close)
            role = ""
            i = close + 1
        return out, notes

    def list_block(self, tokens: Sequence[Any], start: int, end: int, lists: int, line: int) -> ListBlock:
        items = []
        tight = False
        i = start + 1
        while i < end:
            close = _close(tokens, i)
            tight = tight or any(t.type == "paragraph_open" and t.hidden and t.level == tokens[i].level + 1
                                 for t in tokens[i + 1:close])
            item_line = tokens[i].map[0] + 1 if tokens[i].map else line
            items.append(ListItem(tuple(self.blocks(tokens, i + 1, close, lists + 1)[0]), item_line))
            i = close + 1
        ordered = tokens[start].type == "ordered_list_open"
        number = int(tokens[start].attrs.get("start", 1)) if ordered else 1
        tight = tight or not any(t.type == "paragraph_open" for t in tokens[start:end])
        return ListBlock(ordered, number, tight, lists, tuple(items), line)

    def table(self, tokens: Sequence[Any], start: int, end: int, line: int) -> Table:
        rows: list[tuple[TableCell, ...]] = []
        cells: list[TableCell] = []
        for i in range(start, end):
            token = tokens[i]
            if token.type in ("th_open", "td_open"):
                found = _ALIGN.search(str(token.attrs.get("style", "")))
                content = self.inline(tokens[i + 1], line)
                cells.append(TableCell(content, found.group(1) if found else ""))
            elif token.type == "tr_close":
                rows.append(tuple(cells))
                cells = []
        return Table(tuple(rows), line)

    def footnotes(self, tokens: Sequence[Any], start: int, end: int) -> list[FootnoteDef]:
        notes = []
        i = start
        while i < end:
            close = _close(tokens, i)
            token = tokens[i]
            inner = [t for t in tokens[i + 1:close] if t.type != "footnote_anchor"]
            first = next((t.map[0] + 1 for t in inner if t.map), 0)
            saved, self.refs = self.refs, []
            children = self.blocks(inner, 0, len(inner), 0)[0]
            self.note_refs[token.meta["id"] + 1], self.refs = self.refs, saved
            notes.append(FootnoteDef(token.meta["id"] + 1, token.meta.get("label") or "", tuple(children), first))
            i = close + 1
        return notes

    def inline(self, token: Any, line: int) -> tuple[Node, ...]:
        """The nodes of an inline token (known ones shared, see `_KNOWN`)."""
        known = self.known.get(token.content)
        if known is not None:
            return known
        nodes = tuple(self.inlines(token.children or [], line))
        if "[" not in token.content and len(self.known) < _KNOWN_MAX:
            self.known[token.content] = nodes
        return nodes

    def inlines(self, tokens: Sequence[Any], line: int) -> list[Node]:
        """Inline nodes of an inline token's children; `line` counts the line breaks passed (for images)."""
        stack: list[tuple[str, list[Node], Any]] = [("", [], None)]
        for token in tokens:
            out = stack[-1][1]
            kind = token.type
            if kind == "text":
                if not token.content:
                    continue  # markdown-it leaves empty text where emphasis delimiters were
                if out and isinstance(out[-1], Text):
                    out[-1] = Text(out[-1].text + token.content)
                else:
                    out.append(Text(token.content))
            elif kind == "softbreak":
                out.append(SoftBreak())
                line += 1
            elif kind == "hardbreak":
                out.append(HardBreak())
                line += 1
            elif kind == "code_inline":
                out.append(Code(token.content))
            elif kind == "image":
                alt = plain_text(self.inlines(token.children or [], line))
                out.append(Image(str(token.attrs.get("src", "")), alt, str(token.attrs.get("title", "")),
                                 str(token.attrs.get("width", "")), line))
            elif kind == "footnote_ref":
                out.append(FootnoteRef(token.meta["id"] + 1))
                self.refs.append(token.meta["id"] + 1)
            elif kind.endswith("_open"):
                stack.append((kind, [], token))
            elif kind.endswith("_close") and len(stack) > 1:
                opened, children, opener = stack.pop()
                if opener.markup == "linkify" and not _GITHUB_BARE.match(plain_text(children)):
                    stack[-1][1].extend(children)  # a bare domain ('China.org.cn'): GitHub links only these
                else:
                    stack[-1][1].append(_wrap(opened, tuple(children), opener))
        return stack[0][1]

    def slug(self, text: str) -> str:
        """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens, repeats numbered."""
        base = _SLUG_DROP.sub("", text.strip().lower()).replace(" ", "-")
        slug = base
        while slug in self.slugs:  # 'Foo', 'Foo', 'Foo 1': foo, foo-1, foo-1-1
            self.slugs[base] += 1
            slug = f"{base}-{self.slugs[base]}"
        self.slugs[slug] = 0
        return slug


def _wrap(opened: str, children: tuple[Node, ...], token: Any) -> Node:
    if opened == "em_open":
        return Emphasis(children)
    if opened == "strong_open":
        return Strong(children)
    if opened == "s_open":
        return Strike(children)
    if opened == "link_open":
        return Link(str(token.attrs.get("href", "")), str(token.attrs.get("title", "")), children,
                    token.markup == "autolink")
    raise ValueError(f"unexpected inline token {opened}")


def _close(tokens: Sequence[Any], start: int) -> int:
    """The index of the token closing tokens[start] (matched by type: footnote tokens all have level 0)."""
    opening = tokens[start].type
    closing = opening.removesuffix("_open") + "_close"
    depth = 0
    for i in range(start, len(tokens)):
        kind = tokens[i].type
        if kind == opening:
            depth += 1
        elif kind == closing:
            depth -= 1
            if depth == 0:
                return i
    return len(tokens) - 1


# How ordered lists are labelled, level by level: (Word number format, label with {n} for the number).
# Resolutions label sub-clauses (a), (i), a., i. below their numbered operative clauses.
LIST_LABELS = {
    "default": (("decimal", "{n}."), ("lowerLetter", "{n}."), ("lowerRoman", "{n}.")),
    "resolution": (("decimal", "{n}."), ("lowerLetter", "({n})"), ("lowerRoman", "({n})"), ("lowerLetter", "{n}."),
                   ("lowerRoman", "{n}.")),
}


# The number formats a list level may have: Word's own (ST_NumberFormat), each also printed by list_label
NUMBER_FORMATS = ("decimal", "lowerLetter", "upperLetter", "lowerRoman", "upperRoman", "arabicAbjad",
                  "chineseCounting")


def list_scheme(kind: str) -> tuple[tuple[str, str], ...]:
    """The label of each ordered-list level (it repeats past its last level) of a kind. A resolution's operative
    clauses are labelled in its language's way, from its phrase file (`numbering`, resolution.Phrases)."""
    return LIST_LABELS.get(kind, LIST_LABELS["default"])


def list_label(scheme: tuple[tuple[str, str], ...], level: int, number: int) -> str:
    """The printed label of item `number` on `level`: '3.', '(b)', '(iv)'."""
    fmt, label = scheme[level % len(scheme)]
    if fmt == "lowerLetter":
        text = ""
        while number > 0:
            number, rest = divmod(number - 1, 26)
            text = chr(ord("a") + rest) + text
    elif fmt == "lowerRoman":
        text = _roman(number).lower()
    elif fmt == "arabicAbjad":  # Word's abjad order: أ ب ج د هـ و ز ح ط ي ...
        text = _cycle(ABJAD, number)
    elif fmt == "chineseCounting":
        text = _chinese(number)
    else:
        text = str(number)
    return label.format(n=text)


ABJAD = ("أ", "ب", "ج", "د", "هـ", "و", "ز", "ح", "ط", "ي", "ك", "ل", "م", "ن", "س", "ع", "ف", "ص", "ق", "ر", "ش", "ت",
         "ث", "خ", "ذ", "ض", "ظ", "غ")
_DIGITS = "〇一二三四五六七八九"


def _cycle(letters: tuple[str, ...], number: int) -> str:
    """The letter of `number` (1-based), doubled past the last as Word does (28 letters: the 29th is أأ)."""
    repeat, index = divmod(number - 1, len(letters))
    return letters[index] * (repeat + 1)


def _chinese(number: int) -> str:
    """Chinese counting numerals below 100, as Word's chineseCounting writes them: 一, 十, 十一, 二十一."""
    if number >= 100:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ("" if tens == 1 else _DIGITS[tens]) + "十" if tens else ""
    return text + (_DIGITS[ones] if ones or not tens else "")


def _roman(number: int) -> str:
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        count, number = divmod(number, value)
        out += letters * count
    return out
