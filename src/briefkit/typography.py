"""Typographic quotation marks and apostrophes, per language, on the document tree's text.

Authors type straight quotes ("..." and '); a printed brief shows the language's own marks (English: “...”, ‘...’
and ’), the same in the body as in the notes that citation styles format. The marks of each language are data
(templates/typography.yaml, which a workspace may override or extend); a language it does not list keeps its
text as typed. Code spans, code blocks, link addresses, and links that show their own address are never
changed, and nor is anything but the text: the tree's shape and every other node stay as they were.

Which mark a straight quote becomes depends on what stands before and after it (across emphasis and links,
within one paragraph): after a letter or a digit, before a letter, an apostrophe (don't, States' rights); at the
start, after a space or an opening bracket or dash, an opening mark; otherwise a closing one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefkit.errors import Problems
from briefkit.schema import STR, Field, ListOf, MapOf, Record, validate
from briefkit.tree import (
    BlockQuote,
    Code,
    Document,
    Emphasis,
    FootnoteDef,
    HardBreak,
    Heading,
    Image,
    Link,
    ListBlock,
    Node,
    Paragraph,
    SoftBreak,
    Strike,
    Strong,
    Table,
    Text,
    plain_text,
)
from briefkit.yamlio import load_yaml_file

SCHEMA = MapOf(Record({"quotes": Field(ListOf(STR), required=True,
                                       doc="opening and closing double, then opening and closing single marks"),
                       "apostrophe": Field(STR, required=True)}))
_OPENS_BEFORE = set(" \t\n([{\u2014\u2013-/\u00a0\u202f\u201c\u2018\u00ab\u201e")  # a quote after these opens
_URL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|www\.)\S*$", re.IGNORECASE)
_OPAQUE = "\ufffc"  # stands for code or an address in the text the rules read: like a letter, never changed


@dataclass(frozen=True)
class Marks:
    """One language's marks: double open and close, single open and close, apostrophe."""

    double: tuple[str, str]
    single: tuple[str, str]
    apostrophe: str


def marks_for(path: Path | None, language: str) -> Marks | None:
    """The marks of a language (a BCP 47 tag: 'en-GB' falls back to 'en') from a typography file, or None."""
    if path is None:
        return None
    table = _table(path, path.stat().st_mtime_ns)
    tag = language.lower()
    while tag:
        if tag in table:
            return table[tag]
        tag = tag.rpartition("-")[0]
    return None


@lru_cache(maxsize=4)
def _table(path: Path, stamp: int) -> dict[str, Marks]:
    problems = Problems()
    data = validate(load_yaml_file(path), SCHEMA, path, problems)
    for language, entry in (data or {}).items():
        if len(entry["quotes"]) != 4:
            problems.error(path, None, f"'{language}': quotes must list four marks (opening and closing double, "
                           f"opening and closing single), not {len(entry['quotes'])}")
    problems.raise_errors()
    return {str(language).lower(): Marks(tuple(e["quotes"][:2]), tuple(e["quotes"][2:]), e["apostrophe"])
            for language, e in (data or {}).items()}


def curl_text(text: str, marks: Marks | None) -> str:
    """A plain text (a title, a header field) with typographic marks."""
    if marks is None or ('"' not in text and "'" not in text):
        return text
    return _curl(text, marks)


_QUOTE = re.compile("[\"']")


def _curl(text: str, marks: Marks) -> str:
    out = []
    open_single = 0
    last = len(text) - 1
    done = 0
    for match in _QUOTE.finditer(text):  # only the quotes are looked at: text between them is copied
        i, char = match.start(), match.group()
        out.append(text[done:i])
        done = i + 1
        before = text[i - 1] if i else " "
        after = text[i + 1] if i < last else " "
        opens = before in _OPENS_BEFORE and not after.isspace()
        if char == '"':
            out.append(marks.double[0] if opens else marks.double[1])
        elif before.isalnum() or before == _OPAQUE:
            closes = open_single > 0 and not after.isalnum()
            open_single -= closes
            out.append(marks.single[1] if closes else marks.apostrophe)
        elif opens and after.isdigit():  # '90s
            out.append(marks.apostrophe)
        elif opens:
            open_single += 1
            out.append(marks.single[0])
        else:
            open_single = max(open_single - 1, 0)
            out.append(marks.single[1])
    out.append(text[done:])
    return "".join(out)


def curl_document(document: Document, marks: Marks | None) -> Document:
    """The document with typographic marks in its text (itself if nothing changes)."""
    if marks is None:
        return document
    children = _blocks(document.children, marks)
    notes = tuple(_block(note, marks) for note in document.notes)
    if children is document.children and all(a is b for a, b in zip(notes, document.notes, strict=True)):
        return document
    return replace(document, children=children, notes=notes)


def _blocks(nodes: tuple[Node, ...], marks: Marks) -> tuple[Node, ...]:
    out = tuple(_block(node, marks) for node in nodes)
    return nodes if all(a is b for a, b in zip(out, nodes, strict=True)) else out


def _block(node: Any, marks: Marks) -> Any:
    if isinstance(node, Paragraph | Heading):
        children = _inlines(node.children, marks)
        return node if children is node.children else replace(node, children=children)
    if isinstance(node, BlockQuote | FootnoteDef):
        children = _blocks(node.children, marks)
        return node if children is node.children else replace(node, children=children)
    if isinstance(node, ListBlock):
        items = tuple(replace(item, children=c) if (c := _blocks(item.children, marks)) is not item.children else item
                      for item in node.items)
        return node if all(a is b for a, b in zip(items, node.items, strict=True)) else replace(node, items=items)
    if isinstance(node, Table):
        rows = tuple(tuple(replace(cell, children=c) if (c := _inlines(cell.children, marks)) is not cell.children
                           else cell for cell in row) for row in node.rows)
        return replace(node, rows=rows) if rows != node.rows else node
    return node  # code blocks, breaks: as typed


# Inline texts recur in brief after brief (the parser shares their nodes): each is curled once a process.
_DONE: dict[tuple[int, Marks], tuple[tuple[Node, ...], tuple[Node, ...]]] = {}
_DONE_MAX = 16384


def _inlines(nodes: tuple[Node, ...], marks: Marks) -> tuple[Node, ...]:
    """A paragraph's inline nodes with its straight quotes turned, read as one text."""
    key = (id(nodes), marks)
    done = _DONE.get(key)
    if done is not None and done[0] is nodes:
        return done[1]
    texts = list(_texts(nodes))
    if not any('"' in t or "'" in t for t in texts if t is not None):
        result = nodes
    else:
        whole = "".join(_OPAQUE if t is None else t for t in texts)
        curled = iter(_pieces(_curl(whole, marks), texts))
        result = _rebuild(nodes, curled)
    if len(_DONE) >= _DONE_MAX:  # texts with notes are new in every brief: start again rather than grow
        _DONE.clear()
    _DONE[key] = (nodes, result)  # the key's tuple is kept, so its id stays its own
    return result


def _opaque(node: Node) -> bool:
    """Code, and a link that shows an address: printed exactly as typed."""
    if isinstance(node, Code | Image):
        return True
    return isinstance(node, Link) and (node.auto or bool(_URL.match(plain_text(node.children).strip())))


def _texts(nodes: tuple[Node, ...]) -> Iterator[str | None]:
    """The text of each Text node, in order (None for an opaque node, which stands for one letter)."""
    for node in nodes:
        if isinstance(node, Text):
            yield node.text
        elif _opaque(node):
            yield None
        elif isinstance(node, SoftBreak | HardBreak):
            yield " "
        elif isinstance(node, Emphasis | Strong | Strike | Link):
            yield from _texts(node.children)


def _pieces(curled: str, texts: list[str | None]) -> Iterator[str | None]:
    at = 0
    for text in texts:
        if text is None:
            at += 1
            yield None
        else:
            yield curled[at: at + len(text)]
            at += len(text)


def _rebuild(nodes: tuple[Node, ...], curled: Iterator[str | None]) -> tuple[Node, ...]:
    out: list[Node] = []
    for node in nodes:
        if isinstance(node, Text):
            text = next(curled)
            out.append(node if text == node.text else Text(text or ""))
        elif _opaque(node) or isinstance(node, SoftBreak | HardBreak):
            next(curled)
            out.append(node)
        elif isinstance(node, Emphasis | Strong | Strike | Link):
            children = _rebuild(node.children, curled)
            out.append(node if children == node.children else replace(node, children=children))
        else:
            out.append(node)
    return tuple(out)
