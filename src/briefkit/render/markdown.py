"""The Markdown writer: front matter, the body as GitHub-flavoured Markdown, footnotes, references."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from typing import Any

import yaml

from briefkit.document import PAGE_BREAK, split_list_item

_ESCAPE = re.compile(r"([\\`*_\[\]<>|~])")
_LINE_START = re.compile(r"^(\s*)([#+\-=]|\d+[.)])(?=\s|$)", re.MULTILINE)

_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)  # libyaml's emitter where installed: same text, faster


class UnknownElement(Exception):
    """The tree holds an element this renderer has no method for."""


def escape(text: str) -> str:
    """Text that reads back as itself in Markdown."""
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), _ESCAPE.sub(r"\\\1", text))


class MarkdownWriter:
    """Walks the tree once; one method per element, an unknown element is an error."""

    def __init__(self) -> None:
        self.blocks: dict[str, Callable[[ET.Element, str], list[str]]] = {
            **{f"h{n}": self.heading for n in range(1, 7)},
            "p": self.paragraph, "ul": self.list_block, "ol": self.list_block, "blockquote": self.blockquote,
            "pre": self.code_block, "hr": self.rule, "table": self.table, "pagebreak": self.page_break,
            "div": self.division,
        }
        self.inlines: dict[str, Callable[[ET.Element], str]] = {
            "strong": lambda e: f"**{self.inline(e)}**", "em": lambda e: f"*{self.inline(e)}*",
            "del": lambda e: f"~~{self.inline(e)}~~", "code": self.code_span, "a": self.link,
            "img": self.image, "br": lambda e: "  \n", "sup": self.footnote_ref,
        }
        self.numbers: dict[str, int] = {}  # footnote label -> number, in order of first reference

    def render(self, root: ET.Element, meta: Mapping[str, Any]) -> str:
        self.numbers = {}
        body = self.children(root, "")
        front = yaml.dump(dict(meta), Dumper=_DUMPER, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=1000)
        parts = ["---\n" + front + "---", *body]
        text = "\n\n".join(parts)
        return text.rstrip() + "\n"

    def children(self, parent: ET.Element, indent: str) -> list[str]:
        out: list[str] = []
        for child in parent:
            method = self.blocks.get(child.tag)
            if method is None:
                raise UnknownElement(f"Markdown writer has no rule for <{child.tag}>")
            out.extend(b for b in method(child, indent) if b != "")
        return out

    def inline(self, element: ET.Element) -> str:
        parts = [escape(element.text)] if element.text else []
        for child in element:
            method = self.inlines.get(child.tag)
            if method is None:
                raise UnknownElement(f"Markdown writer has no rule for inline <{child.tag}>")
            parts.append(method(child))
            if child.tail:
                parts.append(escape(child.tail))
        return "".join(parts)

    # Blocks -----------------------------------------------------------------------------------

    def heading(self, element: ET.Element, indent: str) -> list[str]:
        return ["#" * int(element.tag[1]) + " " + self.inline(element).strip()]

    def paragraph(self, element: ET.Element, indent: str) -> list[str]:
        return [self.inline(element).strip()]

    def list_block(self, element: ET.Element, indent: str) -> list[str]:
        items = []
        number = int(element.get("start", "1"))
        loose = any(child.tag == "p" for li in element for child in li)
        for li in element:
            marker = f"{number}. " if element.tag == "ol" else "- "
            number += 1
            items.append(self.list_item(li, marker, loose))
        return ["\n\n".join(items) if loose else "\n".join(items)]

    def list_item(self, li: ET.Element, marker: str, loose: bool) -> str:
        pad = " " * 4
        lead, blocks = split_list_item(li)
        parts = [self.inline(lead).strip()] if lead is not None else []
        holder = ET.Element("div")
        holder.extend(blocks)
        parts.extend(self.children(holder, ""))
        text = ("\n\n" if loose else "\n").join(parts)
        lines = text.split("\n")
        return marker + lines[0] + "".join("\n" + (pad + line if line else "") for line in lines[1:])

    def blockquote(self, element: ET.Element, indent: str) -> list[str]:
        inner = "\n\n".join(self.children(element, ""))
        return ["\n".join("> " + line if line else ">" for line in inner.split("\n"))]

    def code_block(self, element: ET.Element, indent: str) -> list[str]:
        code = element[0] if len(element) else element
        lang = (code.get("class") or "").removeprefix("language-")
        text = (code.text or "").rstrip("\n")
        fence = "````" if "```" in text else "```"
        return [f"{fence}{lang}\n{text}\n{fence}"]

    def rule(self, element: ET.Element, indent: str) -> list[str]:
        return ["---"]

    def page_break(self, element: ET.Element, indent: str) -> list[str]:
        return [PAGE_BREAK]

    def table(self, element: ET.Element, indent: str) -> list[str]:
        rows = [row for row in element.iter("tr")]
        if not rows:
            return []
        cells = [[self.inline(cell).strip().replace("\n", " ") for cell in row] for row in rows]
        aligns = [_align_mark(cell.get("style") or "") for cell in rows[0]]
        lines = ["| " + " | ".join(cells[0]) + " |", "|" + "|".join(aligns) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
        return ["\n".join(lines)]

    def division(self, element: ET.Element, indent: str) -> list[str]:
        if "footnote" not in (element.get("class") or ""):
            return self.children(element, indent)
        notes = []
        for li in element.iter("li"):
            number = self.number((li.get("id") or "").removeprefix("fn:"))
            inner = self.children(li, "")
            body = "\n\n".join(inner).replace("\n", "\n    ").replace("\n    \n", "\n\n")
            notes.append(f"[^{number}]: {body}")
        return ["\n".join(notes)]

    # Inlines ----------------------------------------------------------------------------------

    def code_span(self, element: ET.Element) -> str:
        text = element.text or ""
        ticks = "``" if "`" in text else "`"
        pad = " " if text.startswith("`") or text.endswith("`") else ""
        return f"{ticks}{pad}{text}{pad}{ticks}"

    def link(self, element: ET.Element) -> str:
        href = element.get("href", "")
        text = self.inline(element)
        if text == escape(href) and re.match(r"https?://", href):
            return f"<{href}>"
        return f"[{text}]({_url(href)})"

    def image(self, element: ET.Element) -> str:
        return f"![{escape(element.get('alt', ''))}]({_url(element.get('src', ''))})"

    def footnote_ref(self, element: ET.Element) -> str:
        anchor = element.find("a")
        if anchor is None or "footnote-ref" not in (anchor.get("class") or ""):
            return f"<sup>{self.inline(element)}</sup>"
        return f"[^{self.number((anchor.get('href') or '').removeprefix('#fn:'))}]"

    def number(self, label: str) -> int:
        return self.numbers.setdefault(label, len(self.numbers) + 1)


def _url(url: str) -> str:
    return f"<{url}>" if re.search(r"[\s()]", url) else url


def _align_mark(style: str) -> str:
    if "center" in style:
        return ":---:"
    if "right" in style:
        return "---:"
    if "left" in style:
        return ":---"
    return "---"


def render_markdown(root: ET.Element, meta: Mapping[str, Any]) -> bytes:
    """The brief as a Markdown file (UTF-8)."""
    return MarkdownWriter().render(root, meta).encode("utf-8")
