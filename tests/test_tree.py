"""The document tree: typed nodes with their lines, notes numbered once in reading order, one visitor base."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from briefkit.document import parse
from briefkit.tree import (
    CodeBlock,
    Document,
    FootnoteRef,
    Heading,
    ListBlock,
    Paragraph,
    SourceMap,
    UnknownNode,
    Visitor,
)


def test_blocks_carry_their_composed_line_and_a_source_map_turns_it_into_the_snippet_line():
    document = parse("# Title\n\nText.\n\n- item\n\n```py\ncode\n```\n", SourceMap(((5, Path("s.md"), 12),)))
    assert [(type(n).__name__, n.line) for n in document.children] == [("Heading", 1), ("Paragraph", 3),
                                                                       ("ListBlock", 5), ("CodeBlock", 7)]
    assert document.locate(3) == (None, 3) and document.locate(7) == (Path("s.md"), 14)
    code = document.children[3]
    assert isinstance(code, CodeBlock) and (code.info, code.text) == ("py", "code\n")


def test_notes_are_numbered_once_in_reading_order_and_unused_definitions_are_dropped():
    document = parse("B first.[^b] A.[^a] B again.[^b]\n\n[^a]: A.\n[^b]: B.\n[^unused]: never cited.\n")
    refs = [n.number for n in document.children[0].children if isinstance(n, FootnoteRef)]
    assert refs == [1, 2, 1] and [(n.number, n.label) for n in document.notes] == [(1, "b"), (2, "a")]


def test_lists_know_order_start_level_and_tightness():
    document = parse("3. a\n   - b\n\n     c\n4. d\n")
    outer = document.children[0]
    assert isinstance(outer, ListBlock) and (outer.ordered, outer.start, outer.level, outer.tight) == (True, 3, 0, True)
    inner = outer.items[0].children[1]
    assert isinstance(inner, ListBlock) and (inner.ordered, inner.level, inner.tight) == (False, 1, False)


def test_marker_lines_give_page_breaks_and_heading_roles():
    document = parse("One.\n\n<!-- pagebreak -->\n\n<!-- references-heading -->\n## Sources\n\nEntry.\n")
    kinds = [type(n).__name__ for n in document.children]
    assert kinds == ["Paragraph", "PageBreak", "Heading", "Paragraph"]
    heading = document.children[2]
    assert isinstance(heading, Heading) and (heading.role, heading.anchor) == ("references", "sources")


def test_a_visitor_without_a_method_for_a_node_raises():
    class Partial(Visitor[str]):
        def visit_document(self, node: Document) -> str:
            return "".join(self.visit_all(node.children))

    with pytest.raises(UnknownNode, match="Partial has no method for Paragraph"):
        Partial().visit(parse("Text.\n"))
    with pytest.raises(UnknownNode):
        Partial().visit(Paragraph((), 1).children or object())  # type: ignore[arg-type]


def test_importing_the_writers_imports_no_jinja():
    probe = ("import sys; import briefkit.render.markdown, briefkit.render.text, briefkit.render.html, "
             "briefkit.render.docx; print(sorted(m for m in sys.modules if m.split('.')[0] == 'jinja2' "
             "or m == 'briefkit.compose'))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
