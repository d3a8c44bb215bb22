"""Helpers for DOCX tests: render Markdown text without a workspace brief, validate in-process, outline HTML."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import lxml.html

from briefkit.compose import Composed, Job
from briefkit.document import parse
from briefkit.model import Brief, Committee, Conference, Country, Topic
from briefkit.render.docx import render_docx
from briefkit.workspace import Workspace
from ooxml_check import check_docx

REPO = Path(__file__).resolve().parents[1]


def composed(markdown: str, conference: Conference | None = None, language: str = "en-GB") -> Composed:
    brief = Brief(id="t", path=REPO / "t.yaml", kind="position-paper", country="CHN", committees=("csw",),
                  date=dt.date(2027, 1, 1), language=language, topics=(Topic("A topic"),), school="Example School")
    committee = Committee(id="csw", name="Commission on the Status of Women", short_name="CSW", path=REPO)
    conference = conference or Conference(id="generic", name="Generic", path=REPO, header="{country} | {committee}",
                                          footer="Page {page} of {pages}", page_x_of_y=True)
    country = Country(code="CHN", name="People's Republic of China", short_name="China", adjective="Chinese",
                      delegation="Delegation of the People's Republic of China")
    return Composed(Job(brief, committee, conference, country), "A title", markdown, (), ())


def docx_bytes(markdown: str, root: Path = REPO, **kwargs: object) -> bytes:
    item = composed(markdown, **kwargs)  # type: ignore[arg-type]
    return render_docx(item, parse(item.markdown), Workspace.open(root))


def validation_problems(data: bytes) -> list[str]:
    """The OOXML schema check's problems for a DOCX (tests/ooxml_check.py)."""
    return check_docx(data)


BLOCK = {"h1", "h2", "h3", "h4", "h5", "p", "ul", "ol", "li", "table", "tr", "th", "td", "blockquote", "pre"}
MARKS = {"strong": "strong", "b": "strong", "em": "em", "i": "em", "s": "s", "del": "s", "code": "code"}


def outline(html: str) -> list[str]:
    """A comparable structure: block tags open and close; text carries the set of inline marks in force.

    Inline nesting order is not compared (<strong><em> and <em><strong> are the same formatting).
    """
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    tokens: list[str] = []

    last: list[frozenset[str] | None] = [None]  # marks of the text token at the end of `tokens`, if any

    def text(value: str | None, marks: frozenset[str]) -> None:
        value = re.sub(r"\s+", " ", value or "").strip()
        if not value:
            return
        label = "{" + ",".join(sorted(marks)) + "}"
        if last[0] == marks:
            tokens[-1] = tokens[-1][: -len(label)] + " " + value + label
        else:
            tokens.append(value + label)
        last[0] = marks

    def tag_token(token: str) -> None:
        tokens.append(token)
        last[0] = None

    def walk(node: lxml.html.HtmlElement, inside: str, marks: frozenset[str]) -> None:
        tag = node.tag
        if tag == "sup" and node.find("a") is not None:
            tag_token("[note]")
            return
        href = node.get("href") or ""
        if tag == "a" and (href.startswith("#footnote-ref") or "footnote-backref" in (node.get("class") or "")):
            return
        block = tag in BLOCK and not (tag == "p" and inside in ("li", "td", "th"))
        if tag in MARKS and not (tag == "code" and inside == "pre"):
            marks = marks | {MARKS[tag]}
        if tag == "a" and href:
            marks = marks | {"link#" if href.startswith("#") else "link:" + href}
        if block:
            tag_token(f"<{tag}>")
        text(node.text, marks)
        for child in node:
            walk(child, tag if block else inside, marks)
            text(child.tail, marks)
        if block:
            tag_token(f"</{tag}>")

    for child in root:
        walk(child, "", frozenset())
    return tokens


def flatten(value: object) -> Iterator[str]:
    """The strings of docx2python's nested lists, in order."""
    if isinstance(value, str):
        yield value
    else:
        for item in value:  # type: ignore[attr-defined]
            yield from flatten(item)
