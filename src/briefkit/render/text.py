"""The plain-text writer: what pastes cleanly into a conference's resolution editor or an e-mail.

No markup survives: emphasis is dropped, list labels are written out as the Word document numbers
them ('1.', '(a)', '(i)'), notes become '[1]' with the notes listed at the end, links show their
address, and each paragraph is one line (editors re-wrap text themselves).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable

from briefkit.document import list_label, split_list_item

INDENT = "    "


class UnknownElement(Exception):
    """The tree holds an element the text writer has no rule for."""


class TextWriter:
    def __init__(self, scheme: tuple[tuple[str, str], ...]):
        self.scheme = scheme
        self.numbers: dict[str, int] = {}
        self.notes: list[tuple[int, str]] = []
        self.blocks: dict[str, Callable[[ET.Element, int], list[str]]] = {
            **{f"h{n}": self.paragraph for n in range(1, 7)},
            "p": self.paragraph, "ul": self.list_block, "ol": self.list_block, "blockquote": self.blockquote,
            "pre": self.code_block, "hr": lambda e, d: ["* * *"], "table": self.table,
            "pagebreak": lambda e, d: [], "div": self.division,
        }

    def render(self, root: ET.Element) -> str:
        blocks = self.children(root, 0)
        if self.notes:
            blocks += ["Notes", *(f"[{number}] {text}" for number, text in sorted(self.notes))]
        return "\n\n".join(blocks).rstrip() + "\n"

    def children(self, parent: ET.Element, depth: int) -> list[str]:
        out: list[str] = []
        for child in parent:
            method = self.blocks.get(child.tag)
            if method is None:
                raise UnknownElement(f"text writer has no rule for <{child.tag}>")
            out.extend(block for block in method(child, depth) if block)
        return out

    def inline(self, element: ET.Element) -> str:
        parts = [element.text or ""]
        for child in element:
            if child.tag == "br":
                parts.append("\n")
            elif child.tag == "sup" and child.find("a") is not None:
                anchor = child.find("a")
                assert anchor is not None
                label = (anchor.get("href") or "").removeprefix("#fn:")
                parts.append(f"[{self.numbers.setdefault(label, len(self.numbers) + 1)}]")
            elif child.tag == "img":
                parts.append(f"[image: {child.get('alt') or child.get('src')}]")
            elif child.tag == "a" and child.get("href", "").startswith(("http:", "https:", "mailto:")):
                text = self.inline(child)
                href = child.get("href", "")
                parts.append(text if text == href else f"{text} ({href})")
            else:
                parts.append(self.inline(child))
            parts.append(child.tail or "")
        return "".join(parts)

    def paragraph(self, element: ET.Element, depth: int) -> list[str]:
        lines = self.inline(element).strip().split("\n")
        return ["\n".join(INDENT * depth + line.strip() for line in lines)]

    def list_block(self, element: ET.Element, depth: int) -> list[str]:
        items = []
        number = int(element.get("start", "1"))
        for li in element:
            marker = list_label(self.scheme, depth, number) if element.tag == "ol" else "-"
            number += 1
            lead, blocks = split_list_item(li)
            text = self.inline(lead).strip() if lead is not None else ""
            rest: list[str] = []
            for block in blocks:
                holder = ET.Element("div")
                holder.append(block)
                rest.extend(self.children(holder, depth + 1))
            if lead is None and rest:
                text, rest = rest[0].strip(), rest[1:]
            items.append("\n".join([INDENT * depth + f"{marker} {text}", *rest]))
        return ["\n".join(items)]

    def blockquote(self, element: ET.Element, depth: int) -> list[str]:
        return self.children(element, depth + 1)

    def code_block(self, element: ET.Element, depth: int) -> list[str]:
        code = element.find("code")
        return [((code if code is not None else element).text or "").rstrip("\n")]

    def table(self, element: ET.Element, depth: int) -> list[str]:
        rows = [" | ".join(self.inline(cell).strip() for cell in row) for row in element.iter("tr")]
        return ["\n".join(rows)]

    def division(self, element: ET.Element, depth: int) -> list[str]:
        if "footnote" not in (element.get("class") or ""):
            return self.children(element, depth)
        for li in element.iter("li"):
            label = (li.get("id") or "").removeprefix("fn:")
            number = self.numbers.setdefault(label, len(self.numbers) + 1)
            text = " ".join(self.children(li, 0))
            self.notes.append((number, text))
        return []


def render_text(root: ET.Element, scheme: tuple[tuple[str, str], ...]) -> bytes:
    """The brief as plain UTF-8 text."""
    return TextWriter(scheme).render(root).encode("utf-8")
