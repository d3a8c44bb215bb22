"""The HTML writer: one standalone file per brief, with print CSS for the conference's paper."""

from __future__ import annotations

import copy
import html
import xml.etree.ElementTree as ET

from briefkit.compose import Composed

PAPER = {"letter": "letter", "a4": "A4"}


def _css_string(text: str) -> str:
    """Text as a CSS string literal that cannot end the string or the style element."""
    return '"' + text.replace("\\", "\\5C ").replace('"', "\\22 ").replace("<", "\\3C ").replace("\n", " ") + '"'


def _css(composed: Composed) -> str:
    conference = composed.job.conference
    m = conference.margins
    header = _css_string(_header_text(composed))
    return f"""
@page {{ size: {PAPER[conference.paper]}; margin: {m.top}cm {m.right}cm {m.bottom}cm {m.left}cm;
  @top-center {{ content: {header}; font-size: 9pt; }}
  @bottom-center {{ content: "Page " counter(page); font-size: 9pt; }} }}
html {{ font-family: {_css_string(conference.font)}, {_css_string(conference.east_asian_font)}, serif;
  font-size: {conference.font_size}pt; line-height: {1.15 * conference.line_spacing:.2f}; }}
body {{ max-width: 42em; margin: 2em auto; padding: 0 1em; color: #111; }}
h1 {{ text-align: center; font-size: 1.45em; }} h2 {{ font-size: 1.2em; }} h3, h4, h5, h6 {{ font-size: 1.05em; }}
h1, h2, h3, h4 {{ break-after: avoid; page-break-after: avoid; }}
table {{ border-collapse: collapse; width: 100%; }} th, td {{ border: 1px solid #888; padding: .2em .4em;
  vertical-align: top; }} thead {{ display: table-header-group; }}
pre {{ white-space: pre-wrap; font-size: .9em; }} blockquote {{ margin-left: 2em; }}
.page-break {{ break-after: page; page-break-after: always; }}
.footnote {{ font-size: .85em; border-top: 1px solid #888; margin-top: 2em; }}
.references p {{ padding-left: 2em; text-indent: -2em; }}
.kind-resolution ol ol > li::marker {{ content: "(" counter(list-item, lower-alpha) ") "; }}
.kind-resolution ol ol ol > li::marker {{ content: "(" counter(list-item, lower-roman) ") "; }}
.kind-resolution ol ol ol ol > li::marker {{ content: counter(list-item, lower-alpha) ". "; }}
.kind-resolution ol ol ol ol ol > li::marker {{ content: counter(list-item, lower-roman) ". "; }}
@media print {{ body {{ max-width: none; margin: 0; padding: 0; }} a {{ color: inherit; }} }}
"""


def _header_text(composed: Composed) -> str:
    job = composed.job
    values = {"country": job.country.short_name, "committee": job.committee.short_name, "school": job.brief.school,
              "conference": job.conference.name, "title": composed.title}
    text = job.conference.header
    for key, value in values.items():
        text = text.replace("{" + key + "}", value)
    return text


def render_html(composed: Composed, tree: ET.Element) -> bytes:
    """The brief as one standalone HTML file (UTF-8): no external resources except linked images."""
    body = copy.deepcopy(tree)  # renderers never change the shared tree
    body.tag = "main"
    for element in body.iter():
        if element.tag == "pagebreak":
            element.tag = "div"
            element.set("class", "page-break")
        if element.tag == "div" and "footnote" in (element.get("class") or ""):
            for li in element.iter("li"):
                label = (li.get("id") or "").removeprefix("fn:")
                target = li[-1] if len(li) and li[-1].tag == "p" else li
                back = ET.SubElement(target, "a", {"href": f"#fnref:{label}", "class": "footnote-backref",
                                                  "title": "back to the text"})
                back.text = "\u21a9"
                back.tail = None
    for heading in body.iter("h2"):
        if "references" in (heading.get("class") or ""):
            heading.set("class", "references-heading")
    _wrap_references(body)
    job = composed.job
    meta = (f'<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(composed.title)}</title>\n"
            f'<meta name="author" content="{html.escape(job.country.delegation)}">\n'
            f'<meta name="description" content="{html.escape(job.committee.name)}">\n')
    main = ET.tostring(body, encoding="unicode", method="html")
    page = (f'<!DOCTYPE html>\n<html lang="{html.escape(job.brief.language)}">\n<head>\n{meta}'
            f"<style>{_css(composed)}</style>\n</head>\n"
            f'<body class="kind-{job.brief.kind}">\n{main}\n</body>\n</html>\n')
    return page.encode("utf-8")


def _wrap_references(body: ET.Element) -> None:
    """Notes go before the reference list, whose paragraphs go in a `div.references` for their hanging indent."""
    notes = next((c for c in body if c.tag == "div" and "footnote" in (c.get("class") or "")), None)
    children = list(body)
    for index, child in enumerate(children):
        if child.tag == "h2" and child.get("class") == "references-heading":
            if notes is not None:
                body.remove(notes)
                body.insert(index, notes)
                index += 1
                children = list(body)
            holder = ET.Element("div", {"class": "references"})
            for entry in children[index + 1:]:
                if entry.tag != "p":
                    break
                body.remove(entry)
                holder.append(entry)
            body.insert(index + 1, holder)
            return
