"""Parse composed Markdown once into the element tree every renderer walks."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from functools import lru_cache

import markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions.attr_list import AttrListExtension
from markdown.extensions.footnotes import FootnoteExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension
from markdown.extensions.toc import TocExtension
from markdown.inlinepatterns import SimpleTagInlineProcessor
from markdown.treeprocessors import InlineProcessor
from markdown.util import AtomicString

PAGE_BREAK = "<!-- pagebreak -->"
_PLACEHOLDER = re.compile(r"\x02?(?:qq\d+zz|zz\d+qq)\x03?")


class _FenceProcessor(BlockProcessor):
    """Fenced code blocks as real `pre/code` elements (the stock extension stashes raw HTML instead)."""

    OPEN = re.compile(r"^(`{3,}|~{3,})[ \t]*([\w#.+-]*)[^\n]*(?:\n|$)")

    def test(self, parent: ET.Element, block: str) -> bool:
        return bool(self.OPEN.match(block))

    def run(self, parent: ET.Element, blocks: list[str]) -> None:
        first = blocks.pop(0)
        opening = self.OPEN.match(first)
        assert opening is not None  # test() matched
        fence, lang = opening.group(1), opening.group(2)
        closing = re.compile(rf"(?:^|\n){re.escape(fence[0])}{{{len(fence)},}}[ \t]*(?:\n|$)")
        text = first[opening.end():]
        while True:
            end = closing.search(text)
            if end is not None:
                rest = text[end.end():]
                if rest.strip():
                    blocks.insert(0, rest)
                text = text[: end.start()]
                break
            if not blocks:
                break
            text += "\n\n" + blocks.pop(0)
        code = ET.SubElement(ET.SubElement(parent, "pre"), "code")
        code.text = AtomicString(text)
        if lang:
            code.set("class", f"language-{lang}")


class _InlineProcessor(InlineProcessor):
    """Python-Markdown's inline pass, skipping each pattern on text that lacks what the pattern needs.

    The stock pass runs each of its 14 pattern regexes over every piece of text, though most of a brief is
    plain prose. `NEEDS` names, per registered pattern, strings of which any match must contain one; a pattern
    whose strings are all absent cannot match, and the stock pass would move on to the next one, as this one
    does. A pattern not listed here is always tried.
    """

    NEEDS = {"backtick": ("`",), "escape": ("\\",), "footnote": ("[^",), "reference": ("[",), "link": ("[",),
             "image_link": ("![",), "image_reference": ("![",), "short_reference": ("[",),
             "short_image_ref": ("![",), "autolink": ("<",), "automail": ("<",), "linebreak": ("  \n",),
             "strike": ("~~",), "em_strong": ("*", "_")}

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802, N803
        if isinstance(data, AtomicString):
            return data
        if self.needs is None:
            patterns = self.inlinePatterns
            self.needs = [None] * len(patterns)
            for name, strings in self.NEEDS.items():
                if name in patterns:
                    self.needs[patterns.get_index_for_name(name)] = strings
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        start = 0
        while patternIndex < len(self.needs):
            wanted = self.needs[patternIndex]
            if wanted is not None:
                for need in wanted:
                    if need in data:
                        break
                else:  # nothing the pattern needs is there
                    patternIndex, start = patternIndex + 1, 0
                    continue
            data, matched, start = apply(self.inlinePatterns[patternIndex], data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data

    needs: list[tuple[str, ...] | None] | None = None


@lru_cache(maxsize=2)
def _parser(fast: bool = True) -> markdown.Markdown:
    """The one parser a process uses (`fast=False`: with the stock inline pass, for the tests to compare)."""
    # Extensions as instances, not names: Python-Markdown finds a name through the installed packages' entry
    # points, which costs a cold build more than the parsing.
    extensions = [TableExtension(), FootnoteExtension(USE_DEFINITION_ORDER=False), AttrListExtension(),
                  SaneListExtension(), TocExtension(permalink=False, marker="")]
    md = markdown.Markdown(extensions=extensions)
    # Text is text: raw HTML and entities are shown as typed, in every output.
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    md.inlinePatterns.deregister("entity")
    md.treeprocessors.deregister("prettify")  # it only adds newlines for HTML's sake
    md.inlinePatterns.register(SimpleTagInlineProcessor(r"(~~)(.+?)~~", "del"), "strike", 65)
    md.parser.blockprocessors.register(_FenceProcessor(md.parser), "fence", 75)
    if fast:
        md.treeprocessors.register(_InlineProcessor(md), "inline", 20)
    return md


# How ordered lists are labelled, level by level: (Word number format, label with {n} for the number).
# Resolutions label sub-clauses (a), (i), a., i. below their numbered operative clauses.
LIST_LABELS = {
    "default": (("decimal", "{n}."), ("lowerLetter", "{n}."), ("lowerRoman", "{n}.")),
    "resolution": (("decimal", "{n}."), ("lowerLetter", "({n})"), ("lowerRoman", "({n})"), ("lowerLetter", "{n}."),
                   ("lowerRoman", "{n}.")),
}


def list_scheme(kind: str) -> tuple[tuple[str, str], ...]:
    """The label of each ordered-list level (it repeats past its last level) for a kind."""
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
    else:
        text = str(number)
    return label.format(n=text)


def _roman(number: int) -> str:
    numerals = ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I"))
    out = ""
    for value, letters in numerals:
        count, number = divmod(number, value)
        out += letters * count
    return out


BLOCK_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "p", "ul", "ol", "blockquote", "pre", "hr", "table",
                        "div", "pagebreak"})


def split_list_item(li: ET.Element) -> tuple[ET.Element | None, list[ET.Element]]:
    """A list item's leading inline content (as a `p`, or None if it has none) and its block children.

    Tight items hold text and inline elements directly; loose ones hold `p` elements. The tree is not changed.
    """
    lead = ET.Element("p")
    lead.text = li.text
    blocks: list[ET.Element] = []
    for child in li:
        (blocks if blocks or child.tag in BLOCK_TAGS else lead).append(child)
    has_lead = bool((lead.text or "").strip()) or len(lead) > 0
    return (lead if has_lead else None), blocks


def parse(text: str, fast: bool = True) -> ET.Element:
    """The tree of a Markdown text: a `div` root of block elements (h1-h6, p, ul, ol, table, ...)."""
    md = _parser(fast)
    md.reset()
    lines = text.split("\n")
    for prep in md.preprocessors:
        lines = prep.run(lines)
    root = md.parser.parseDocument(lines).getroot()
    assert root is not None
    for processor in md.treeprocessors:
        new_root = processor.run(root)
        if new_root is not None:
            root = new_root
    _tidy(root)
    return root


def _tidy(root: ET.Element) -> None:
    """Page-break markers become `pagebreak` elements; footnotes lose their HTML back-links; attributes without a
    value go."""
    for element in root.iter():
        for key in [k for k, v in element.attrib.items() if v is None]:
            del element.attrib[key]  # attr_list's leftover for a `{ % }` it cannot read
        if element.tag == "p" and not len(element) and (element.text or "").strip() == PAGE_BREAK:
            element.text = None
            element.tag = "pagebreak"
        for child in list(element):
            if child.tag == "a" and "footnote-backref" in (child.get("class") or ""):
                _remove(element, child)
            elif child.tag == "hr" and "footnote" in (element.get("class") or ""):
                element.remove(child)
        if element.text:
            element.text = _PLACEHOLDER.sub("", element.text)
        if element.tail:
            element.tail = _PLACEHOLDER.sub("", element.tail)


def _remove(parent: ET.Element, child: ET.Element) -> None:
    """Remove an element but keep its tail text."""
    index = list(parent).index(child)
    tail = child.tail or ""
    if index:
        previous = parent[index - 1]
        previous.tail = (previous.tail or "") + tail
    else:
        parent.text = (parent.text or "") + tail
    parent.remove(child)
