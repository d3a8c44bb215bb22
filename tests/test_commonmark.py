"""CommonMark conformance: the specification's examples through briefkit's parse and the HTML of its tree, and the
Word, Markdown and text writers read back on the list, code and quote examples.

tests/commonmark/spec.txt is CommonMark 0.31.2 (CC-BY-SA 4.0, tests/commonmark/LICENSE). Sections not run, by
design: HTML blocks, raw HTML, entity and numeric character references (briefkit prints them as typed).
"""

from __future__ import annotations

import io
import re

import pytest
from docx2python import docx2python
from markdown_it import MarkdownIt

from briefkit.document import list_scheme, parse
from briefkit.render.html import HtmlWriter
from briefkit.render.markdown import render_markdown
from briefkit.render.text import render_text
from briefkit.tree import BlockQuote, CodeBlock, Heading, ListBlock, Node, Paragraph, ThematicBreak, plain_text
from commonmark_support import examples, normalize
from docx_support import docx_bytes

EXAMPLES = examples()
# Examples whose input holds raw HTML: briefkit prints it as typed, so they differ from the specification by
# design. Each is checked instead against the reference parser (markdown-it-py) with its `html` option off.
BY_DESIGN = {
    21: "an HTML tag with a backslash in an attribute", 203: "<bar> after a link label is an HTML tag",
    310: "an HTML comment ends a list (the comment is left out)", 311: "an HTML comment ends a list (likewise)",
    346: "an HTML tag holding a backtick",
    477: "an HTML tag inside emphasis", 478: "an HTML tag inside strong emphasis",
    479: "an HTML tag inside strong emphasis", 493: "an HTML tag across lines in a link destination",
    496: "<b> in a link destination", 526: "an HTML tag in link text", 538: "an HTML tag in link text",
    645: "a hard break inside an HTML tag", 646: "a hard break inside an HTML tag",
}
# Examples where GitHub (the GFM specification's autolink extension) differs from CommonMark, and briefkit reads
# Markdown as GitHub does: a bare address is a link.
GITHUB = {604: "https://foo.bar/baz inside <... bim> is a bare address", 610: "https://foo.bar inside < ... >",
          613: "a bare https:// address", 614: "a bare e-mail address"}
READ_BACK = ("Lists", "List items", "Fenced code blocks", "Indented code blocks", "Code spans", "Block quotes")


def spec_html(markdown: str) -> str:
    """briefkit's tree as the specification writes HTML (every link kept, no anchors)."""
    return HtmlWriter(link_ok=lambda href: True, ids=False).visit(parse(markdown))


def test_the_spec_has_the_examples_we_count():
    assert len(EXAMPLES) == 571 and set(BY_DESIGN) <= {e.number for e in EXAMPLES}


def test_commonmark_conformance_is_at_least_99_percent():
    checked = [e for e in EXAMPLES if e.number not in BY_DESIGN and e.number not in GITHUB]
    failed = [e.number for e in checked if normalize(spec_html(e.markdown)) != normalize(e.html)]
    assert len(checked) - len(failed) >= 0.99 * len(checked), f"failing examples: {failed}"
    assert failed == []  # today all of them pass: a new failure is a regression


@pytest.mark.parametrize("number", sorted(GITHUB))
def test_bare_addresses_are_links_as_on_github(number):
    [example] = [e for e in EXAMPLES if e.number == number]
    html = spec_html(example.markdown)
    address = re.search(r"https://[\w./]+|[\w.]+@[\w.]+", example.markdown).group()
    assert re.search(rf'<a href="(mailto:)?{re.escape(address)}">{re.escape(address)}</a>', html), html


COMMENTS = (310, 311)  # a paragraph that is only an HTML comment is the author's note: left out, as GitHub hides it


@pytest.mark.parametrize("number", sorted(set(BY_DESIGN) - set(COMMENTS)))
def test_raw_html_examples_read_as_text_like_the_reference_parser_without_html(number):
    example = next(e for e in EXAMPLES if e.number == number)
    assert "<" in example.markdown
    reference = MarkdownIt("commonmark", {"html": False}).disable("entity").render(example.markdown)
    assert normalize(spec_html(example.markdown)) == normalize(reference)


@pytest.mark.parametrize("number", COMMENTS)
def test_a_comment_between_lists_ends_the_list_and_is_left_out(number):
    example = next(e for e in EXAMPLES if e.number == number)
    expected = re.sub(r"<!--.*?-->\n?", "", example.html, flags=re.DOTALL)
    assert normalize(spec_html(example.markdown)) == normalize(expected)


CASES = [e for e in EXAMPLES if e.section in READ_BACK]


@pytest.mark.parametrize("example", CASES, ids=lambda e: str(e.number))
def test_markdown_writer_reads_back_as_the_same_document(example):
    written = render_markdown(parse(example.markdown), {}).decode().split("---\n", 2)[2]
    assert normalize(spec_html(written)) == normalize(spec_html(example.markdown))


def _expected_text(nodes: tuple[Node, ...]) -> list[str]:
    """The text pieces a plain-text rendering must show, in reading order (code lines exactly as typed)."""
    out: list[str] = []
    for node in nodes:
        if isinstance(node, Paragraph | Heading):
            text = " ".join(plain_text(node.children).split())
            out += [text] if text else []
        elif isinstance(node, CodeBlock):
            out += [line for line in node.text.split("\n") if line.strip()]
        elif isinstance(node, BlockQuote):
            out += _expected_text(node.children)
        elif isinstance(node, ListBlock):
            for item in node.items:
                out += _expected_text(item.children)
    return out


@pytest.mark.parametrize("example", CASES, ids=lambda e: str(e.number))
def test_text_writer_shows_every_paragraph_and_code_line_in_order(example):
    document = parse(example.markdown)
    text = render_text(document, list_scheme("default")).decode()
    flat, position = " ".join(text.split()), 0
    for piece in _expected_text(document.children):
        found = flat.find(" ".join(piece.split()), position)
        assert found >= 0, (piece, text)
        position = found + 1
    for node in document.children:
        if isinstance(node, CodeBlock):
            assert node.text.rstrip() in text  # code keeps its lines and spaces


def _word_outline(nodes: tuple[Node, ...], style: str = "Normal") -> list[tuple[str, str, str]]:
    """What Word should hold: (style id, list label kind and level, text) per paragraph."""
    out: list[tuple[str, str, str]] = []
    for node in nodes:
        if isinstance(node, Paragraph):
            out.append((style, "", plain_text(node.children).strip()))
        elif isinstance(node, Heading):
            name = "Title" if not out and node.level == 1 else f"Heading{min(max(node.level - 1, 1), 4)}"
            out.append((name, "", plain_text(node.children).strip()))
        elif isinstance(node, CodeBlock):
            out.append(("SourceCode", "", node.text.removesuffix("\n")))
        elif isinstance(node, ThematicBreak):
            out.append(("ThematicBreak", "", ""))
        elif isinstance(node, BlockQuote):
            out += _word_outline(node.children, "BlockText")
        elif isinstance(node, ListBlock):
            label = f"{node.level}:{'number' if node.ordered else 'bullet'}"
            for item in node.items:
                children = item.children
                lead = ""
                if children and isinstance(children[0], Paragraph):
                    lead, children = plain_text(children[0].children).strip(), children[1:]
                out.append(("ListParagraph", label, lead))
                out += _word_outline(children, "ListParagraph")
    return out


def _label(label: str) -> str:
    """docx2python's list label ('\t\ti)\t', '\t--\t') as level and kind (it ignores start overrides)."""
    bare = label.strip("\t")
    return f"{len(label) - len(label.lstrip(chr(9)))}:{'bullet' if bare == '--' else 'number'}"


WORD_CASES = [e for e in CASES if e.section != "Code spans"]


@pytest.mark.parametrize("example", WORD_CASES, ids=lambda e: str(e.number))
def test_word_writer_reads_back_through_docx2python(example):
    with docx2python(io.BytesIO(docx_bytes(example.markdown))) as reader:
        paragraphs = [p for page in reader.document_pars for row in page for cell in row for p in cell
                      if p.lineage[3] is None]  # not the header or footer
    got = []
    for paragraph in paragraphs:
        texts = [run.text for run in paragraph.runs if run.text]
        label = _label(texts.pop(0)) if paragraph.list_position[0] is not None and texts else ""
        text = "".join(texts)
        got.append((paragraph.style or "Normal", label, text if paragraph.style == "SourceCode" else text.strip()))
    assert got == _word_outline(parse(example.markdown).children)
