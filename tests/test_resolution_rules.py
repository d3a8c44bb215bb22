"""Draft resolutions as a careful delegate signs them (issue #14): repeated openers as the UN writes them, the
clauses one multi-level list in Word with a style per level, labels kept in Markdown and HTML, even spacing, a
running head for a draft with several sponsors, and line numbers where the conference asks; read back from the
outputs."""

from __future__ import annotations

import io
import re
import subprocess
import zipfile
from pathlib import Path

import docx
import lxml.html
import pytest
from docx2python import docx2python
from lxml import etree

from briefkit.pdf import soffice
from briefkit.render.package import CLAUSE_STYLES
from conftest import REPO, validate_docx

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EXAMPLE = "china-third-committee-resolution"
BANK = """---
title: Five calls
tags: [instrument]
clauses:
  preambular:
    - Recalling the first instrument
    - Recalling the second instrument
  operative:
    - Calls upon States to act once
    - Calls upon States to act twice
    - Calls upon States to act three times
    - Calls upon States to act four times
    - Calls upon States to act five times
---
Body.
"""
BRIEF = """kind: resolution
country: CHN
committee: third-committee
sponsors: [CHN, PHL, FRA]
topic: A test topic
clauses:
  tags: [instrument]
  preambular:
    - Recalling the third instrument
  operative:
    - Calls upon everyone to act again
    - Further calls upon everyone to act once more
"""


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from briefkit.cli import main

    out = tmp_path_factory.mktemp("resolution")
    formats = "docx,md,html,txt,pdf" if soffice() else "docx,md,html,txt"
    assert main(["build", EXAMPLE, "--root", str(REPO), "--out", str(out), "--format", formats]) == 0
    return out


def _openers(markdown: str) -> list[str]:
    return re.findall(r"^(?:\d+\. )?\*([^*]+)\*", markdown, re.MULTILINE)


# Repeated openers -------------------------------------------------------------------------------------------------

def test_the_example_repeats_no_opener_bare(example):
    markdown = next(example.glob("*.md")).read_text(encoding="utf-8")
    body = markdown.split("The General Assembly,", 1)[1]
    preambular, operative = body.split("\n1. ", 1)
    for part in (_openers(preambular), _openers("1. " + operative)):
        bare = [o for o in part if not o.startswith(("Also ", "Further ", "Deeply ", "Strongly "))]
        assert len(bare) == len(set(bare)), part
    assert _openers(preambular)[:2] == ["Recalling", "Also recalling"]
    calls = [o for o in _openers("1. " + operative) if o.endswith(("calls upon", "Calls upon"))]
    assert calls == ["Calls upon", "Also calls upon", "Further calls upon"]


def test_one_opener_five_times_in_the_bank_takes_the_adverbs_in_turn(mini, cli, tmp_path):
    _write(mini, {"snippets/mini/bank.md": BANK, "briefs/good.yaml": BRIEF.replace(
        "  preambular:\n    - Recalling the third instrument\n", "").replace(
        "    - Calls upon everyone to act again\n    - Further calls upon everyone to act once more\n",
        "    - Decides to remain seized of the matter\n")})
    result = cli("check", "--root", mini, "--strict")
    assert result.code == 0, result.err
    assert cli("build", "--root", mini, "--out", tmp_path, "--format", "md").code == 0
    openers = _openers(next(tmp_path.glob("*.md")).read_text(encoding="utf-8"))
    assert openers == ["Recalling", "Also recalling", "Calls upon", "Also calls upon", "Further calls upon",
                       "Also calls upon", "Further calls upon", "Decides"]


def test_check_reports_a_bare_repeat_the_delegate_wrote_at_its_line(mini, cli):
    _write(mini, {"snippets/mini/bank.md": BANK, "briefs/good.yaml": BRIEF})
    result = cli("check", "--root", mini)
    assert result.code == 0
    assert result.err_lines == [
        "briefs/good.yaml:9: warning: 'Recalling' already opens 2 earlier preambular clauses: UN practice repeats "
        "an opener with an adverb (write 'Further recalling')",
        "briefs/good.yaml:11: warning: 'Calls upon' already opens 5 earlier operative clauses: UN practice repeats "
        "an opener with an adverb (write 'Also calls upon')",
    ]  # line 12, 'Further calls upon', has its adverb
    assert cli("check", "--root", mini, "--strict").code == 1


# Word: one multi-level list, a style per level ------------------------------------------------------------------

def _clause_paragraphs(data: bytes) -> tuple[list[etree._Element], etree._Element, etree._Element]:
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        body = etree.fromstring(package.read("word/document.xml"))
        styles = etree.fromstring(package.read("word/styles.xml"))
        numbering = etree.fromstring(package.read("word/numbering.xml"))
    clause_ids = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")
                  if s.find(f"{W}name").get(f"{W}val") in CLAUSE_STYLES}
    paragraphs = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}pStyle") is not None
                  and p.find(f"{W}pPr/{W}pStyle").get(f"{W}val") in clause_ids]
    return paragraphs, styles, numbering


def test_clauses_are_one_multi_level_list_each_level_tied_to_its_style(example):
    data = next(example.glob("*.docx")).read_bytes()
    paragraphs, styles, numbering = _clause_paragraphs(data)
    by_id = {s.get(f"{W}styleId"): s for s in styles.iter(f"{W}style")}
    num_ids = {p.find(f"{W}pPr/{W}numPr/{W}numId").get(f"{W}val") for p in paragraphs}
    assert len(num_ids) == 1  # Tab and Shift+Tab move a clause within one list
    num_id = num_ids.pop()
    num = next(n for n in numbering.iter(f"{W}num") if n.get(f"{W}numId") == num_id)
    abstract_id = num.find(f"{W}abstractNumId").get(f"{W}val")
    abstract = next(a for a in numbering.iter(f"{W}abstractNum") if a.get(f"{W}abstractNumId") == abstract_id)
    levels = {int(lvl.get(f"{W}ilvl")): lvl for lvl in abstract.iter(f"{W}lvl")}
    names = {}
    for paragraph in paragraphs:
        style_id = paragraph.find(f"{W}pPr/{W}pStyle").get(f"{W}val")
        level = int(paragraph.find(f"{W}pPr/{W}numPr/{W}ilvl").get(f"{W}val"))
        assert levels[level].find(f"{W}pStyle").get(f"{W}val") == style_id  # the level names the style...
        style_num = by_id[style_id].find(f"{W}pPr/{W}numPr")  # ...and the style the list and level
        assert style_num.find(f"{W}numId").get(f"{W}val") == num_id
        style_level = style_num.find(f"{W}ilvl")
        assert (int(style_level.get(f"{W}val")) if style_level is not None else 0) == level
        names[level] = by_id[style_id].find(f"{W}name").get(f"{W}val")
    assert names == {0: "Preambular Clause", 1: "Operative Clause", 2: "Sub-clause 1", 3: "Sub-clause 2"}
    labels = {level: (lvl.find(f"{W}numFmt").get(f"{W}val"), lvl.find(f"{W}lvlText").get(f"{W}val"))
              for level, lvl in levels.items() if level < 6}
    assert labels == {0: ("none", ""), 1: ("decimal", "%2."), 2: ("lowerLetter", "(%3)"), 3: ("lowerRoman", "(%4)"),
                      4: ("lowerLetter", "%5."), 5: ("lowerRoman", "%6.")}
    document = docx.Document(io.BytesIO(data))  # python-docx reads the same styles
    assert [p.style.name for p in document.paragraphs if p.text.startswith("Also recalling")] == ["Preambular Clause"]


def test_clauses_are_spaced_alike(example):
    data = next(example.glob("*.docx")).read_bytes()
    document = docx.Document(io.BytesIO(data))
    after = set()
    for name in CLAUSE_STYLES:
        style = document.styles[name]
        while style is not None and style.paragraph_format.space_after is None:
            style = style.base_style
        after.add(style.paragraph_format.space_after if style is not None else None)
        assert not document.styles[name].element.xpath("./w:pPr/w:contextualSpacing")
    assert len(after) == 1 and after.pop().pt == 6


def test_markdown_html_and_text_keep_the_sub_clause_labels(example):
    markdown = next(example.glob("*.md")).read_text(encoding="utf-8")
    assert "\n    (a) Progress made by Member States" in markdown
    assert "\n    (b) Measures taken to protect survivors, in particular:\n\n    (i) Access to shelter" in markdown
    assert "\n\n2. *Also calls upon*" in markdown  # spaced as the preambular clauses are
    page = lxml.html.fromstring(next(example.glob("*.html")).read_bytes())
    subs = [" ".join(li.text_content().split()) for li in page.xpath("//ol[@class='sub-clauses']/li")]
    assert subs[0].startswith("(a) Progress made") and "(ii) Long-term reintegration;" in subs
    assert len(page.xpath("//p[@class='preambular']")) >= 5
    text = next(example.glob("*.txt")).read_text(encoding="utf-8")
    assert "    (a) Progress made" in text and "        (ii) Long-term reintegration;" in text
    with pytest.warns(UserWarning, match="none numbering"), \
            docx2python(io.BytesIO(next(example.glob("*.docx")).read_bytes())) as reader:  # Word's own numbers
        assert "\ta)\tProgress made" in reader.text and "\ti)\tAccess to shelter" in reader.text


def test_the_running_head_belongs_to_the_committee_not_one_sponsor(example):
    header = docx.Document(str(next(example.glob("*.docx")))).sections[0].header.paragraphs[0].text
    assert header == "Third Committee | Draft Resolution: Trafficking in women and girls"
    assert not header.startswith("China")


# Line numbers ---------------------------------------------------------------------------------------------------

def test_thimun_numbers_the_lines_of_a_draft_from_its_first_clause(tmp_path, cli):
    brief = (REPO / "briefs" / f"{EXAMPLE}.yaml").read_text(encoding="utf-8").replace(
        "kind: resolution\n", "kind: resolution\nconference: thimun\n")
    (tmp_path / "briefs").mkdir()
    (tmp_path / "briefs" / "thimun-draft.yaml").write_text(brief, encoding="utf-8")
    (tmp_path / "briefkit.yaml").write_text("libraries: [trafficking-women]\n", encoding="utf-8")
    formats = "docx,pdf" if soffice() else "docx"
    assert cli("build", "--root", tmp_path, "--out", tmp_path / "out", "--format", formats).code == 0
    path = next((tmp_path / "out").glob("*.docx"))
    validate_docx(path)
    with zipfile.ZipFile(path) as package:
        body = etree.fromstring(package.read("word/document.xml")).find(f"{W}body")
    numbers = body.find(f"{W}sectPr/{W}lnNumType")
    assert numbers is not None and numbers.get(f"{W}countBy") == "1" and numbers.get(f"{W}restart") == "continuous"
    paragraphs = list(body.iter(f"{W}p"))
    texts = ["".join(p.itertext()) for p in paragraphs]
    first_clause = next(i for i, t in enumerate(texts) if t.startswith("Recalling"))
    suppressed = [p.find(f"{W}pPr/{W}suppressLineNumbers") is not None for p in paragraphs]
    assert all(suppressed[:first_clause]) and not any(suppressed[first_clause:])  # title, header block, organ line
    if soffice():
        text = subprocess.run(["pdftotext", "-layout", "-l", "1", str(path.with_suffix(".pdf")), "-"],
                              capture_output=True, text=True).stdout
        numbered = [line for line in text.splitlines() if re.match(r"\s*\d+\s{2,}\S", line)]
        assert re.match(r"\s*1\s+Recalling", numbered[0]) and len(numbered) >= 30
    generic = next(Path(p) for p in (REPO / "briefs").glob(f"{EXAMPLE}.yaml"))
    assert generic.is_file()  # and the generic conference numbers nothing:
    assert cli("build", EXAMPLE, "--root", REPO, "--out", tmp_path / "generic", "--format", "docx").code == 0
    with zipfile.ZipFile(next((tmp_path / "generic").glob("*.docx"))) as package:
        assert b"lnNumType" not in package.read("word/document.xml")


# Attacks ----------------------------------------------------------------------------------------------------------

def test_thirty_clauses_three_levels_deep(mini, cli, tmp_path):
    operative = []
    for n in range(1, 31):
        if n % 7 == 0:
            operative.append(f"    - text: Requests report {n}\n      sub:\n        - part one\n"
                             "        - text: part two, namely\n          sub:\n            - point a\n"
                             "            - text: point b, by\n              sub: [step x, step y]\n")
        else:
            operative.append(f"    - Urges States to act, item {n}\n")
    brief = ("kind: resolution\ncountry: CHN\ncommittee: third-committee\ntopic: T\nclauses:\n  tags: []\n"
             "  preambular: [Recalling a thing, Noting another]\n  operative:\n" + "".join(operative))
    _write(mini, {"briefs/good.yaml": brief})
    assert cli("build", "--root", mini, "--out", tmp_path, "--format", "docx,md,html,txt").code == 0
    path = next(tmp_path.glob("*.docx"))
    validate_docx(path)
    paragraphs, _, _ = _clause_paragraphs(path.read_bytes())
    levels = [int(p.find(f"{W}pPr/{W}numPr/{W}ilvl").get(f"{W}val")) for p in paragraphs]
    assert levels.count(1) == 30 and max(levels) == 4 and levels.count(0) == 2
    openers = _openers(next(tmp_path.glob("*.md")).read_text(encoding="utf-8"))
    assert openers.count("Urges") == 26 and openers.count("Requests") == 4  # the delegate's own: as typed...
    result = cli("check", "--root", mini)
    assert len([line for line in result.err_lines if "already opens" in line]) == 25 + 3  # ...and reported
    markdown = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "\n    a. Step x;" in markdown and re.search(r"\n30\. \*Urges\* States to act, item 30\.\n", markdown)
    text = next(tmp_path.glob("*.txt")).read_text(encoding="utf-8")
    assert "            a. Step x;" in text


def test_use_nothing_from_the_bank_takes_only_the_briefs_own_clauses(mini, cli):
    _write(mini, {"snippets/mini/bank.md": BANK,
                  "briefs/good.yaml": BRIEF.replace("  tags: [instrument]\n", "  use: []\n")})
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0, result.err
    text = (mini / "build" / "good-third-committee.md").read_text(encoding="utf-8")
    assert "the third instrument" in text and "act again" in text
    assert "the first instrument" not in text and "act once," not in text  # nothing from the bank
