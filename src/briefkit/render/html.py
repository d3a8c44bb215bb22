"""The HTML writer: one standalone file per brief, with print CSS for the conference's paper.

The body is written as CommonMark's reference implementation writes HTML (the conformance tests compare the
two), with GitHub's footnotes. The page runs nothing and loads nothing: a Content-Security-Policy forbids
scripts and remote loads, links keep only safe schemes (others become their text), the tree carries no
attributes from the text, and pictures are embedded as data URIs.
"""

from __future__ import annotations

import base64
import html
import re
from collections.abc import Callable

from briefkit.document import list_label, list_scheme
from briefkit.render.settings import RTL_LETTERS, RenderSettings, fill, image_file, without_empty_fields
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

PAPER = {"letter": "letter", "a4": "A4"}
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*):")
SAFE_SCHEMES = ("http", "https", "mailto")
_RTL_LETTER = re.compile(f"[{RTL_LETTERS}]")
_LETTER = re.compile(r"[^\W\d_]")
_WIDTH = re.compile(r"^\d+(?:\.\d+)?(?:px|%)?$")


def safe_link(href: str) -> bool:
    """http, https, mailto, relative and '#' links; anything with another scheme (javascript:, data:...) is not."""
    scheme = _SCHEME.match(href)
    return scheme is None or scheme.group(1).lower() in SAFE_SCHEMES


def _escape(text: str) -> str:
    return html.escape(text, quote=False)


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


class HtmlWriter(Visitor[str]):
    """The body as HTML. `link_ok` says which links stay links, `image_src` gives a picture's `src`;
    `ids` adds headings' anchors and the references' layout (off for the conformance tests)."""

    def __init__(self, link_ok: Callable[[str], bool] = safe_link,
                 image_src: Callable[[Image], str] = lambda image: image.src, ids: bool = True,
                 notes_label: str = "", back_label: str = "back to the text", rtl: bool = False,
                 clause_scheme: tuple[tuple[str, str], ...] | None = None):
        self.link_ok = link_ok
        self.image_src = image_src
        self.ids = ids
        self.notes_label = notes_label  # the notes section's name for screen readers (its aria-label)
        self.back_label = back_label  # the title of a note's link back to its reference
        self.clause_scheme = clause_scheme or list_scheme("resolution")  # a resolution's labels, in its language
        self.rtl = rtl  # a right-to-left page: a table column aligned left or right is aligned to its start or end
        self.tight = False
        self.refs: dict[int, int] = {}  # note number -> references seen so far
        self.clauses = False  # inside a resolution's operative clauses: sub-clauses carry their labels as text

    def blocks(self, nodes: tuple[Node, ...]) -> str:
        return "".join(self.visit_all(nodes))

    def inlines(self, nodes: tuple[Node, ...]) -> str:
        return "".join(self.visit_all(nodes))

    # Blocks -----------------------------------------------------------------------------------------

    def visit_document(self, node: Document) -> str:
        """The body, then the notes (before the reference list or the disclosure page, whichever comes first: a
        conference wants the disclosure on a page of its own). The body is written first so that its references
        take the ids `fnref:N` in reading order, the ones each note's back-link goes to."""
        out: list[str] = []
        children, place, index = list(node.children), -1, 0
        while index < len(children):
            child = children[index]
            following = children[index + 1] if index + 1 < len(children) else None
            before_disclosure = _disclosure(child) or isinstance(child, PageBreak) and _disclosure(following)
            if self.ids and place < 0 and before_disclosure:
                place = len(out)
            if self.ids and isinstance(child, Heading) and child.role == "references":
                place = len(out) if place < 0 else place  # notes go before the (first) reference list
                out.append(self.visit(child))
                entries = []
                while index + 1 < len(children) and isinstance(children[index + 1], Paragraph):
                    index += 1
                    entries.append(self.visit(children[index]))
                out.append('<div class="references">\n' + "".join(entries) + "</div>\n")
            else:
                out.append(self.visit(child))
            index += 1
        notes = ""
        if node.notes:
            label = f' aria-label="{_attr(self.notes_label)}"' if self.notes_label else ""
            notes = f'<section class="footnotes"{label}>\n<ol>\n' + self.blocks(node.notes) + "</ol>\n</section>\n"
        out.insert(len(out) if place < 0 else place, notes)
        return "".join(out)

    def visit_heading(self, node: Heading) -> str:
        tag = f"h{node.level}"
        attrs = ""
        if self.ids:
            attrs = f' id="{_attr(node.anchor)}"' + (f' class="{node.role}"' if node.role else "")
        return f"<{tag}{attrs}>{self.inlines(node.children)}</{tag}>\n"

    def visit_paragraph(self, node: Paragraph) -> str:
        if self.tight:
            return self.inlines(node.children) + "\n"
        role = f' class="{node.role}"' if node.role and self.ids else ""
        if self.rtl and not _RTL_LETTER.search(text := plain_text(node.children)) and _LETTER.search(text):
            role += ' dir="ltr"'  # an English citation in an Arabic page: its stop at its end
        return f"<p{role}>{self.inlines(node.children)}</p>\n"

    def visit_list(self, node: ListBlock) -> str:
        """A list; a resolution's operative clauses are `ol.clauses`, and their sub-clauses carry their labels
        ((a), (i), a., i.) as text, so that they print, copy and read aloud as the resolution numbers them."""
        tag = "ol" if node.ordered else "ul"
        start = f' start="{node.start}"' if node.ordered and node.start != 1 else ""
        sub = node.ordered and self.clauses and self.ids
        # operative clauses numbered otherwise than "1." (Arabic "1 -") carry their labels too
        own = node.role == "operative" and self.ids and tuple(self.clause_scheme[0]) != ("decimal", "{n}.")
        kind = (' class="clauses labelled"' if own else ' class="clauses"' if node.role == "operative" and self.ids
                else ' class="sub-clauses"' if sub else "")
        saved, self.tight = self.tight, node.tight
        saved_clauses, self.clauses = self.clauses, node.ordered and (self.clauses or node.role == "operative")
        items = []
        for number, item in enumerate(node.items, node.start):
            inner = self.blocks(item.children)
            if sub or own:
                label = f'<span class="label">{list_label(self.clause_scheme, node.level, number)}</span> '
                inner = "<p>" + label + inner[3:] if inner.startswith("<p>") else label + inner
            items.append(f"<li>{inner}</li>\n")
        self.tight, self.clauses = saved, saved_clauses
        return f"<{tag}{start}{kind}>\n{''.join(items)}</{tag}>\n"

    def visit_block_quote(self, node: BlockQuote) -> str:
        saved, self.tight = self.tight, False
        inner = self.blocks(node.children)
        self.tight = saved
        return f"<blockquote>\n{inner}</blockquote>\n"

    def visit_code_block(self, node: CodeBlock) -> str:
        language = f' class="language-{_attr(node.info)}"' if node.info else ""
        return f"<pre><code{language}>{_escape(node.text)}</code></pre>\n"

    def visit_thematic_break(self, node: ThematicBreak) -> str:
        return "<hr />\n"

    def visit_page_break(self, node: PageBreak) -> str:
        return '<div class="page-break"></div>\n'

    def visit_table(self, node: Table) -> str:
        rows = []
        for number, row in enumerate(node.rows):
            tag = "th" if number == 0 else "td"
            cells = "".join(f"<{tag}{_align(cell.align, self.rtl)}>{self.inlines(cell.children)}</{tag}>"
                            for cell in row)
            rows.append(f"<tr>{cells}</tr>\n")
        body = f"<tbody>\n{''.join(rows[1:])}</tbody>\n" if len(rows) > 1 else ""
        return f"<table>\n<thead>\n{rows[0]}</thead>\n{body}</table>\n"

    def visit_footnote_def(self, node: FootnoteDef) -> str:
        saved, self.tight = self.tight, False
        inner = self.blocks(node.children)
        self.tight = saved
        back = (f' <a href="#fnref:{node.number}" class="footnote-backref" title="{_attr(self.back_label)}">'
                '\u21a9</a>')
        if inner.endswith("</p>\n"):
            inner = inner[: -len("</p>\n")] + back + "</p>\n"
        else:
            inner += f"<p>{back.strip()}</p>\n"
        return f'<li id="fn:{node.number}">\n{inner}</li>\n'

    # Inlines ----------------------------------------------------------------------------------------

    def visit_text(self, node: Text) -> str:
        return _escape(node.text)

    def visit_code(self, node: Code) -> str:
        return f"<code>{_escape(node.text)}</code>"

    def visit_emphasis(self, node: Emphasis) -> str:
        return f"<em>{self.inlines(node.children)}</em>"

    def visit_strong(self, node: Strong) -> str:
        return f"<strong>{self.inlines(node.children)}</strong>"

    def visit_strike(self, node: Strike) -> str:
        return f"<del>{self.inlines(node.children)}</del>"

    def visit_link(self, node: Link) -> str:
        inner = self.inlines(node.children)
        if not self.link_ok(node.href):
            return inner
        title = f' title="{_attr(node.title)}"' if node.title else ""
        # on a right-to-left page, a link in Latin letters (a URL) is set left to right as a whole: its trailing
        # '/' or '.' would otherwise be drawn at its other end
        isolate = ' dir="ltr"' if self.rtl and not _RTL_LETTER.search(plain_text(node.children)) else ""
        return f'<a href="{_attr(node.href)}"{title}{isolate}>{inner}</a>'

    def visit_image(self, node: Image) -> str:
        title = f' title="{_attr(node.title)}"' if node.title else ""
        width = f' width="{node.width}"' if _WIDTH.match(node.width) else ""
        return f'<img src="{_attr(self.image_src(node))}" alt="{_attr(node.alt)}"{title}{width} />'

    def visit_soft_break(self, node: SoftBreak) -> str:
        return "\n"

    def visit_hard_break(self, node: HardBreak) -> str:
        return "<br />\n"

    def visit_footnote_ref(self, node: FootnoteRef) -> str:
        seen = self.refs[node.number] = self.refs.get(node.number, 0) + 1
        ref_id = f"fnref:{node.number}" + (f":{seen}" if seen > 1 else "")
        return f'<sup class="footnote-ref"><a href="#fn:{node.number}" id="{ref_id}">{node.number}</a></sup>'


def _disclosure(node: Node | None) -> bool:
    return isinstance(node, Heading) and node.role == "disclosure"


def _align(align: str, rtl: bool = False) -> str:
    """A cell's alignment; on a right-to-left page, left and right are mirrored (the start and the end of the
    line), as Word reads them in a right-to-left paragraph."""
    if rtl:
        align = LOGICAL.get(align, align)
    return f' style="text-align:{align}"' if align else ""


LOGICAL = {"left": "start", "right": "end"}


def _css_string(text: str) -> str:
    """Text as a CSS string literal that cannot end the string or the style element."""
    return '"' + text.replace("\\", "\\5C ").replace('"', "\\22 ").replace("<", "\\3C ").replace("\n", " ") + '"'


def _css_content(text: str, values: dict[str, str]) -> str:
    """A header or footer as the value of a CSS `content` property: its fields filled in, {page} and {pages}
    the printed page's counters."""
    pieces = []
    for piece in re.split(r"(\{pages?\})", fill(without_empty_fields(text, values), values)):
        if piece in ("{page}", "{pages}"):
            pieces.append(f"counter({piece[1:-1]})")
        elif piece:
            pieces.append(_css_string(re.sub(r"\{\w+\}", "", piece)))
    return " ".join(pieces) or '""'


def _css(settings: RenderSettings) -> str:
    """The page's style. Written with logical properties (margin-inline-start, not margin-left), so it lays out a
    right-to-left page (`dir="rtl"`) as its mirror image; the font list names each script's font."""
    top, bottom, left, right = settings.margins
    header = _css_string(settings.header_text())
    footer = _css_content(settings.footer, dict(settings.fields)) if settings.footer else "counter(page)"
    start = "right" if settings.direction == "rtl" else "left"
    internal = (f"\n  @top-{start} {{ content: {_css_string(settings.internal_mark)}; font-size: 9pt; "
                "font-weight: bold; color: #c00000; text-transform: uppercase; }") if settings.internal else ""
    # A browser takes each character from the first font in the list that has it: a Latin font first, as Word's
    # runs do, except on a right-to-left page, where fonts such as Times New Roman would draw the Arabic in place of
    # the complex-script font the brief asks for.
    order = (settings.font, settings.east_asian_font, settings.complex_font)
    if settings.direction == "rtl":
        order = (settings.complex_font, *order[:2])
    fonts = ", ".join(_css_string(font) for font in dict.fromkeys(order) if font)
    return f"""
@page {{ size: {PAPER[settings.paper]}; margin: {top}cm {right}cm {bottom}cm {left}cm;
  @top-center {{ content: {header}; font-size: 9pt; }}{internal}
  @bottom-center {{ content: {footer}; font-size: 9pt; }} }}
html {{ font-family: {fonts + ", " if fonts else ""}serif;
  font-size: {settings.font_size}pt; line-height: {1.15 * settings.line_spacing:.2f}; }}
body {{ max-width: 42em; margin: 2em auto; padding: 0 1em; color: #111; }}
h1 {{ text-align: center; font-size: 1.45em; }} h2 {{ font-size: 1.2em; }} h3, h4, h5, h6 {{ font-size: 1.05em; }}
h1, h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #888; padding: .2em .4em;
  vertical-align: top; }} thead {{ display: table-header-group; }}
pre {{ white-space: pre-wrap; font-size: .9em; }} blockquote {{ margin-inline-start: 2em; }}
.page-break {{ break-after: page; page-break-after: always; }}
.footnotes {{ font-size: .85em; border-top: 1px solid #888; margin-top: 2em; }}
.references p {{ padding-inline-start: 2em; text-indent: -2em; }}
p.preambular {{ text-indent: 2.5em; }} ol.clauses > li, ol.sub-clauses > li {{ margin: 0 0 1em; }}
ol.sub-clauses, ol.labelled {{ list-style: none; padding-inline-start: 2.5em; margin-top: 1em; }}
ol.sub-clauses .label, ol.labelled > li > .label, ol.labelled > li > p > .label {{ display: inline-block;
  width: 2.5em; margin-inline-start: -2.5em; }}
.internal-mark {{ color: #c00000; font-weight: bold; text-transform: uppercase; text-align: center; }}
@media print {{ body {{ max-width: none; margin: 0; padding: 0; }} a {{ color: inherit; }} }}
"""


def write_html(document: Document, settings: RenderSettings) -> bytes:
    """The brief as one standalone HTML file (UTF-8), pictures embedded; a picture that cannot be read is a
    located error."""
    def embedded(image: Image) -> str:
        _, data, kind = image_file(settings, document, image.src, image.line)
        return f"data:image/{kind};base64," + base64.b64encode(data).decode("ascii")

    rtl = settings.direction == "rtl"
    main = HtmlWriter(safe_link, embedded, notes_label=settings.notes_heading, back_label=settings.back_label,
                      clause_scheme=settings.scheme if settings.kind == "resolution" else None,
                      rtl=rtl).visit(document)
    if settings.internal:  # preparation notes: said on screen, and on every printed page (the @page rule)
        main = f'<p class="internal-mark">{_escape(settings.internal_mark)}</p>\n{main}'
    meta = (f'<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{_escape(settings.title)}</title>\n"
            f'<meta name="author" content="{_attr(settings.delegation)}">\n'
            f'<meta name="description" content="{_attr(settings.subject)}">\n')
    page = (f'<!DOCTYPE html>\n<html lang="{_attr(settings.language)}" dir="{"rtl" if rtl else "ltr"}">\n'
            f"<head>\n{meta}"
            f"<style>{_css(settings)}</style>\n</head>\n"
            f'<body class="kind-{_attr(settings.kind)}">\n<main>\n{main}</main>\n</body>\n</html>\n')
    return page.encode("utf-8")
