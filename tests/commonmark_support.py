"""The CommonMark specification's examples (tests/commonmark/spec.txt) and its HTML normaliser, as in the
specification's own test/spec_tests.py and test/normalize.py: attribute order, entity spelling and whitespace
next to block tags do not count."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

SPEC = Path(__file__).resolve().parent / "commonmark" / "spec.txt"
# Raw HTML and entity references are text in briefkit, by design (SPEC.md section 3): these sections are not run.
EXCLUDED = ("HTML blocks", "Raw HTML", "Entity and numeric character references")
BLOCK = {"article", "header", "aside", "hgroup", "blockquote", "hr", "iframe", "body", "li", "map", "button", "object",
         "canvas", "ol", "caption", "output", "col", "p", "colgroup", "pre", "dd", "progress", "div", "section", "dl",
         "table", "td", "dt", "tbody", "embed", "textarea", "fieldset", "tfoot", "figcaption", "th", "figure", "thead",
         "footer", "tr", "form", "ul", "h1", "h2", "h3", "h4", "h5", "h6", "video", "script", "style"}


@dataclass(frozen=True)
class Example:
    number: int
    section: str
    markdown: str
    html: str


def examples() -> list[Example]:
    """The specification's examples, minus the excluded sections."""
    found, state, markdown, output, section, number = [], 0, [], [], "", 0
    for line in SPEC.read_text(encoding="utf-8").splitlines(keepends=True):
        stripped = line.strip()
        if stripped == "`" * 32 + " example":
            state = 1
        elif state == 2 and stripped == "`" * 32:
            state, number = 0, number + 1
            if section not in EXCLUDED:
                found.append(Example(number, section, "".join(markdown).replace("→", "\t"),
                                     "".join(output).replace("→", "\t")))
            markdown, output = [], []
        elif state == 1 and stripped == ".":
            state = 2
        elif state == 1:
            markdown.append(line)
        elif state == 2:
            output.append(line)
        elif state == 0 and re.match("#+ ", line):
            section = re.sub("#+ ", "", line).strip()
    return found


class _Normaliser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.out: list[str] = []
        self.last = "starttag"
        self.last_tag = ""
        self.in_pre = False

    def handle_data(self, data: str) -> None:
        after_tag = self.last in ("endtag", "starttag")
        if after_tag and self.last_tag == "br":
            data = data.lstrip("\n")
        if not self.in_pre:
            data = re.sub(r"\s+", " ", data)
            if after_tag and self.last_tag in BLOCK:
                data = data.lstrip() if self.last == "starttag" else data.strip()
        self.out.append(html.escape(html.unescape(data), quote=False))
        self.last = "data"

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "pre":
            self.in_pre = True
        if tag in BLOCK and self.out:
            self.out[-1] = self.out[-1].rstrip()
        shown = "".join(f' {k}="{html.escape(html.unescape(v), quote=True)}"' if v is not None else f" {k}"
                        for k, v in sorted(attrs))
        self.out.append(f"<{tag}{shown}>")
        self.last, self.last_tag = "starttag", tag

    def handle_endtag(self, tag: str) -> None:
        if tag == "pre":
            self.in_pre = False
        elif tag in BLOCK and self.out:
            self.out[-1] = self.out[-1].rstrip()
        self.out.append(f"</{tag}>")
        self.last, self.last_tag = "endtag", tag

    def handle_entityref(self, name: str) -> None:
        self.handle_data(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.handle_data(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")
        self.last = "comment"


def normalize(text: str) -> str:
    parser = _Normaliser()
    parser.feed(text)
    parser.close()
    return "".join(parser.out).strip()
