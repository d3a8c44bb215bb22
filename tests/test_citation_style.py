"""Citations as the Chicago Manual of Style (17th ed., notes and bibliography) and the MLA Handbook (9th ed.) print
them: a golden file per source type per style, the rules behind them, and where citations land in a document,
read back from Markdown and Word.

Each golden file (tests/golden/citations/<style>-<type>.md, rewritten only by `pytest --update-golden`) holds,
for each source of its case: Chicago, the first note, a short note (with a locator where the source has pages),
and the bibliography entry; MLA, the in-text citation, one with a locator, and the works-cited entry. The cases
below name the published example each follows. Where a case reproduces a published example, the golden file was
compared with it by hand and agrees word for word except where noted. Where no published example was at hand,
the form is reasoned from the manual's rules (section named) and says so: these were not compared with a
printed page.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from briefkit.citations import apply_citations
from briefkit.errors import Problems
from briefkit.library import load_library
from briefkit.model import Source
from briefkit.workspace import BUILTIN, Workspace
from conftest import REPO, validate_docx

STYLES = (BUILTIN / "templates" / "styles",)
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _source(key: str, **fields: object) -> Source:
    return Source(key=key, path=Path("sources.yaml"), line=1, **fields)  # type: ignore[arg-type]


def _library() -> dict[str, Source]:
    return dict(load_library(Workspace.open(REPO), Problems()).sources)


LIBRARY = _library()

# type -> (what it follows, sources). The sources of a published example carry its data; the others are the
# shipped library's own.
CASES: dict[str, tuple[str, list[Source]]] = {
    "news": (
        "Chicago: CMOS 17 Quick Guide (chicagomanualofstyle.org, 'Notes and Bibliography: Sample Citations'), "
        "newspaper article: '1. Mike Isaac, \u201cUber\u2019s C.E.O. Plays with Fire,\u201d New York Times, April "
        "23, 2017, https://www.nytimes.com/...' / '2. Isaac, \u201cUber\u2019s C.E.O.\u201d' / 'Isaac, Mike. "
        "\u201cUber\u2019s C.E.O. Plays with Fire.\u201d New York Times, April 23, 2017. https://...'; matches. "
        "Unsigned: CMOS 17 unsigned newspaper articles ('the name of the newspaper stands in place of the author', "
        "quoted in the CMOS Q&A, Documentation, faq0076), whose example 'New York Times. \u201cIn Texas, Ad Heats "
        "Up Race for Governor.\u201d July 30, 2002' is the author-date form; the notes form here puts the date "
        "where notes and bibliography put it. MLA: MLA 9 core elements (5.1-5.99: Author. \u201cTitle.\u201d "
        "Container, Date, Location.), reasoned; the paper's name as the source gives it (no 'The' here).",
        [_source("isaac-2017", type="news", title="Uber\u2019s C.E.O. Plays with Fire", author="Isaac, Mike",
                 person=True, short_title="Uber\u2019s C.E.O.", issued=dt.date(2017, 4, 23),
                 container="New York Times", url="https://www.nytimes.com/2017/04/23/technology/travis-kalanick"
                 "-pushes-uber-and-himself-to-the-precipice.html"),
         _source("nyt-2002", type="news", title="In Texas, Ad Heats Up Race for Governor", author="New York Times",
                 issued=dt.date(2002, 7, 30), container="New York Times"),
         LIBRARY["chinadaily-campaign-2025"]]),
    "article": (
        "Chicago: CMOS 17 Quick Guide, journal article: '1. Susan Satterfield, \u201cLivy and the Pax Deum,\u201d "
        "Classical Philology 111, no. 2 (April 2016): 170.' / '2. Satterfield, \u201cLivy,\u201d 172\u201373.' / "
        "'Satterfield, Susan. \u201cLivy and the Pax Deum.\u201d Classical Philology 111, no. 2 (April 2016): "
        "165\u201376.'; matches, except that 'Pax Deum' is italic in the Guide (a sources.yaml title is plain "
        "text). MLA: MLA 9 journal article (core elements, 5.1-5.99: \u2026 Container, vol., no., Date, pp.), "
        "reasoned: 'Satterfield, Susan. \u201cLivy and the Pax Deum.\u201d Classical Philology, vol. 111, no. 2, "
        "Apr. 2016, pp. 165-76.'",
        [_source("satterfield-2016", type="article", title="Livy and the Pax Deum", author="Satterfield, Susan",
                 person=True, short_title="Livy", issued=dt.date(2016, 4, 1), container="Classical Philology",
                 volume="111", issue="2", pages="165-76")]),
    "webpage": (
        "Chicago: CMOS 17 Quick Guide, website content: '1. \u201cAbout Yale: Yale Facts,\u201d Yale University, "
        "accessed May 1, 2017, https://www.yale.edu/about-yale/yale-facts.' / '2. \u201cYale Facts.\u201d' / "
        "'Yale University. \u201cAbout Yale: Yale Facts.\u201d Accessed May 1, 2017. https://...'; matches except "
        "that the page's own date stands where the Guide has an access date (briefkit requires `issued`). The "
        "owner named as author and as site is named once (CMOS 17 14.206). MLA: MLA 9 web page (\u201cTitle.\u201d "
        "Website, Date, URL.), reasoned.",
        [_source("yale-facts", type="webpage", title="About Yale: Yale Facts", author="Yale University",
                 short_title="Yale Facts", issued=dt.date(2017, 5, 1), container="Yale University",
                 url="https://www.yale.edu/about-yale/yale-facts"),
         LIBRARY["unodc-blue-heart-2009"]]),
    "report": (
        "Chicago: CMOS 17 Quick Guide, book: '1. Zadie Smith, Swing Time (New York: Penguin Press, 2016), "
        "315\u201316.' / '2. Smith, Swing Time, 320.' / 'Smith, Zadie. Swing Time. New York: Penguin Press, "
        "2016.'; matches without the place of publication (sources.yaml has no place; CMOS 18 drops it). An "
        "organisation as author, the library's own report, follows the same pattern (reasoned). MLA: MLA 9 book "
        "(Author. Title. Publisher, Date.), reasoned; the date as fully as the source gives it (5.68-5.83).",
        [_source("smith-2016", type="report", title="Swing Time", author="Smith, Zadie", person=True,
                 issued=2016, publisher="Penguin Press"),
         LIBRARY["unodc-glotip-2024"], LIBRARY["us-tip-2024"]]),
    "resolution": (
        "Reasoned, no published example compared: CMOS 17, publications of international bodies (authorizing "
        "body, title, document number, date, URL); the official title exactly as the United Nations writes it, "
        "never title-cased; a URL with parentheses kept whole. MLA: MLA 9 core elements (Author. Title. Number, "
        "Date, Location.), reasoned.",
        [LIBRARY["un-gpa-2010"], LIBRARY["un-sc-2331-2016"], LIBRARY["un-ga-coordination-2025"]]),
    "treaty": (
        "Reasoned, no published example compared: CMOS 17, treaties (legal style: name in roman, parties or "
        "adopting body, date, where the text is published; short form the name), the official title as written "
        "('against', 'supplementing' lowercase). MLA: MLA 9 core elements, reasoned; the adopting body as author.",
        [LIBRARY["un-palermo-protocol-2000"], LIBRARY["un-cedaw-1979"], LIBRARY["ilo-c029"]]),
    "legislation": (
        "Reasoned, no published example compared: CMOS 17, legal and public documents (name in roman, issuing "
        "body, date, number, URL; no 'Pub. L. No.', which is for United States statutes); a number in Chinese "
        "kept as written. MLA: MLA 9 core elements, reasoned.",
        [LIBRARY["china-npa-2021"]]),
}


def _format(style: str, sources: list[Source]) -> str:
    """A golden file's text: each source cited twice (the second with a locator where it has pages), then the
    reference list."""
    text = []
    for source in sources:
        locator = ", pp. 172-73" if source.pages else ", p. 12" if source.type in ("report", "book") else ""
        text.append(f"First[@{source.key}]. Again[@{source.key}{locator}].")
    cited = apply_citations("\n\n".join(text), {s.key: s for s in sources}, style, STYLES,
                            lambda offset: (Path("x"), None), {})
    return f"{cited.text.rstrip()}\n\n## {cited.heading}\n\n" + "\n\n".join(cited.references) + "\n"


@pytest.mark.parametrize("style", ["chicago", "mla"])
@pytest.mark.parametrize("kind", sorted(CASES))
def test_golden_citation_per_source_type(style, kind, golden):
    follows, sources = CASES[kind]
    assert all(s.type == kind for s in sources), follows
    golden(f"citations/{style}-{kind}.md", _format(style, sources).encode())


def test_the_published_examples_word_for_word():
    """The golden cases that reproduce a published example, held to its text (Markdown italics as '*')."""
    chicago = _format("chicago", CASES["news"][1][:1] + CASES["article"][1])
    assert ("Mike Isaac, \u201cUber\u2019s C.E.O. Plays with Fire,\u201d *New York Times*, April 23, 2017, "
            "<https://www.nytimes.com/2017/04/23/") in chicago
    assert "Isaac, \u201cUber\u2019s C.E.O.\u201d\n" in chicago
    assert "Isaac, Mike. \u201cUber\u2019s C.E.O. Plays with Fire.\u201d *New York Times*, April 23, 2017. <" in chicago
    assert ("Susan Satterfield, \u201cLivy and the Pax Deum,\u201d *Classical Philology* 111, no. 2 (April 2016)."
            in chicago)
    assert "Satterfield, \u201cLivy,\u201d 172\u201373." in chicago
    assert ("Satterfield, Susan. \u201cLivy and the Pax Deum.\u201d *Classical Philology* 111, no. 2 (April 2016): "
            "165\u201376." in chicago)
    web = _format("chicago", CASES["webpage"][1][:1])
    assert "\u201cAbout Yale: Yale Facts,\u201d Yale University, May 1, 2017, <https://www.yale.edu/" in web
    assert "[^cite-2]: \u201cYale Facts.\u201d" in web
    assert "Yale University. \u201cAbout Yale: Yale Facts.\u201d May 1, 2017. <https://" in web
    book = _format("chicago", CASES["report"][1][:1])
    assert "Zadie Smith, *Swing Time* (Penguin Press, 2016)." in book and "Smith, *Swing Time*, 12." in book
    assert "Smith, Zadie. *Swing Time*. Penguin Press, 2016." in book
    mla = _format("mla", CASES["article"][1])
    assert ("Satterfield, Susan. \u201cLivy and the Pax Deum.\u201d *Classical Philology*, vol. 111, no. 2, Apr. "
            "2016, pp. 165-76." in mla)
    assert "(Satterfield 172-73)" in mla  # MLA: a page after the author with no comma, a hyphen in a range


def test_rules_hold_for_every_source_of_the_library():
    """Every shipped source, both styles: no comma or period outside a closing quotation mark, no name printed
    twice in a row, official titles exactly as written, URLs whole and clickable."""
    for style in ("chicago", "mla"):
        text = _format(style, list(LIBRARY.values()))
        assert not re.search(r"[\u201d\u2019][.,]", text), style  # punctuation inside quotation marks
        assert not re.search(r"(\b[A-Z][\w.]+(?: [\w.]+)*), \*?\1\*?[,.]", text), style  # "China Daily, China Daily"
        assert "Pub. L." not in text and "Edition" not in text
        for source in LIBRARY.values():
            if source.type in ("treaty", "resolution", "legislation"):
                assert source.title in text, (style, source.title)
            if source.url:
                assert f"<{source.url}>" in text, source.url
    chicago = _format("chicago", list(LIBRARY.values()))
    assert "Convention against Transnational" in chicago and "Against" not in chicago
    assert "*China Daily*, February 25, 2025" in chicago  # the paper in italics, named once
    assert "UN Treaty against Organized Crimes Takes Effect" in chicago  # headline style lowercases prepositions


def test_titles_not_in_english_and_sources_with_little_data():
    french = _source("crc-fr", type="treaty", title="Convention relative aux droits de l'enfant",
                     author="Assemblée générale des Nations Unies", issued=1989, language="fr")
    bare = _source("bare-page", type="webpage", title="a page with no site", author="Someone", issued=2020)
    bare_report = _source("bare-report", type="report", title="notes on things", author="An Office", issued=2021)
    for style in ("chicago", "mla"):
        text = _format(style, [french, bare, bare_report])
        assert "Convention relative aux droits de l'enfant" in text
        assert not re.search(r",,|, \.|\(\)|\( |  |\.\.", text), text
    assert "Someone, \u201cA Page with No Site,\u201d 2020." in _format("chicago", [bare])
    assert "*Notes on Things* (2021)" in _format("chicago", [bare_report])


# Where citations land, read back from Markdown and from Word ---------------------------------------------------

SNIPPET = """---
title: Marks
---
The mark follows the stop[@alpha]. Two sources, one note[@alpha][@beta]. Apart but adjacent[@alpha]. [@beta]
A \u201cquoted phrase[@beta]\u201d, then a colon[@alpha]: a semicolon[@alpha]; a question[@alpha]? Three in a
row[@alpha][@beta][@gamma, p. 12]. Locators [@alpha, art. 6] and [@beta, para. 3] and [@gamma, annex II].
[@alpha] starts this line. A dash[@alpha]\u2014goes after. (In brackets[@beta].)

Own note[^own].

[^own]: Inside a note [@alpha]; [@beta].
"""
SOURCES = """alpha:
  type: treaty
  title: Convention against Everything
  author: Assembly
  issued: 2000-01-02
  url: https://example.org/a(1)
beta:
  type: news
  title: paper says things
  author: Daily Paper
  container: Daily Paper
  issued: 2001-02-03
  url: https://example.org/b
gamma:
  type: report
  title: A Report
  author: An Office
  publisher: A Press
  issued: 2002
"""


def _build(mini: Path, cli, conference: str = "", language: str = "") -> Path:
    (mini / "snippets" / "mini" / "good.md").write_text(SNIPPET, encoding="utf-8")
    (mini / "snippets" / "sources.yaml").write_text(SOURCES, encoding="utf-8")
    (mini / "snippets" / "facts.yaml").write_text("", encoding="utf-8")
    brief = mini / "briefs" / "good.yaml"
    extra = (f"conference: {conference}\n" if conference else "") + (f"language: {language}\n" if language else "")
    brief.write_text(brief.read_text(encoding="utf-8") + extra, encoding="utf-8")
    result = cli("build", "--root", mini, "--format", "md,docx")
    assert result.code == 0, result.err
    return mini / "build" / "good-third-committee"


def _word_text(docx: Path) -> tuple[str, dict[str, str]]:
    """The body's text with each note reference as ^id, and each footnote's text by id."""
    with zipfile.ZipFile(docx) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        notes = etree.fromstring(package.read("word/footnotes.xml"))
    text = "".join(f"^{el.get(W + 'id')}" if el.tag == W + "footnoteReference" else el.text or ""
                   for el in body.iter(W + "t", W + "footnoteReference"))
    footnotes = {note.get(W + "id"): "".join(t.text or "" for t in note.iter(W + "t"))
                 for note in notes.iter(W + "footnote")}
    return text, footnotes


def test_note_marks_follow_punctuation_and_adjacent_citations_are_one_note(mini, cli):
    out = _build(mini, cli)
    markdown = out.with_suffix(".md").read_text(encoding="utf-8")
    notes = dict(re.findall(r"^\[\^(\d+)\]: (.*)$", markdown, re.MULTILINE))
    for phrase in ("the stop.[^", "one note.[^", "adjacent.[^", "quoted phrase\u201d,[^", "a colon:[^",
                   "a semicolon;[^", "a question?[^", "row.[^", "In brackets.[^"):
        assert phrase in markdown, phrase
    assert "[^1][^" not in markdown and "].[^" not in markdown and " [^" not in markdown
    assert "dash[^" in markdown and "]\u2014goes" in markdown  # a mark stands before a dash (CMOS 14.26)
    assert re.search(r"Two sources, one note\.\[\^(\d+)\]", markdown)
    two = notes[re.search(r"one note\.\[\^(\d+)\]", markdown).group(1)]
    assert two.startswith("Convention against Everything") and "; \u201cPaper Says Things,\u201d" in two
    three = notes[re.search(r"row\.\[\^(\d+)\]", markdown).group(1)]
    assert three.count(";") == 2 and three.endswith("(A Press, 2002), 12.")  # three sources, the locator kept
    assert any("art. 6" in n for n in notes.values()) and any("annex II" in n for n in notes.values())
    assert "Inside a note Convention against Everything; \u201cPaper Says Things.\u201d\n" in markdown
    assert "<https://example.org/a(1)>" in markdown
    docx = out.with_suffix(".docx")
    validate_docx(docx)
    body, footnotes = _word_text(docx)
    for phrase in ("the stop.^", "one note.^", "adjacent.^", "phrase\u201d,^", "colon:^", "question?^"):
        assert phrase in body, phrase
    assert not re.search(r"[a-z]\^\d+[.,;:?]", body.replace("Own note^", "")) and not re.search(r"\^\d+\^", body)
    assert any("Daily Paper, February 3, 2001" in note for note in footnotes.values())


def test_newspaper_in_italics_in_word(mini, cli):
    docx = _build(mini, cli).with_suffix(".docx")
    with zipfile.ZipFile(docx) as package:
        notes = etree.fromstring(package.read("word/footnotes.xml"))
    italic = {"".join(t.text or "" for t in run.iter(W + "t")) for run in notes.iter(W + "r")
              if run.find(f"{W}rPr/{W}i") is not None}
    assert "Daily Paper" in italic and "A Report" in italic and "Convention against Everything" not in italic


def test_in_text_citations_stand_before_the_stop_after_a_space(mini, cli):
    markdown = _build(mini, cli, conference="thimun").with_suffix(".md").read_text(encoding="utf-8")
    assert "the stop (Assembly)." in markdown
    assert "one note (Assembly; \u201cPaper Says Things\u201d)." in markdown
    assert "adjacent (Assembly; \u201cPaper Says Things\u201d).\n" in markdown
    assert "\u201cquoted phrase\u201d (\u201cPaper Says Things\u201d)," in markdown
    assert "row (Assembly; \u201cPaper Says Things\u201d; An Office 12)." in markdown
    assert "Locators (Assembly, art. 6) and (\u201cPaper Says Things,\u201d par. 3)" in markdown
    assert "[^" in markdown.split("## Works Cited")[0]  # only the text's own note


def test_outside_english_a_note_mark_stands_before_the_stop(mini, cli):
    markdown = _build(mini, cli, language="fr").with_suffix(".md").read_text(encoding="utf-8")
    assert re.search(r"the stop\[\^\d+\]\.", markdown) and re.search(r"one note\[\^\d+\]\.", markdown)
