"""Where citations land: note marks, notes inside notes, locators, and URLs, read back from every format."""

from __future__ import annotations

import re
import zipfile

from conftest import validate_docx

SNIPPET = """---
title: Notes
---
A claim[^c]. The Charter binds its members [@mini-source, art. 2]. Again [@mini-source, p. 12]. See
[@council].

[^c]: See the report [@mini-source] for details.
"""
COUNCIL = ("council:\n  type: resolution\n  title: Resolution 2331 (2016)\n  author: United Nations Security Council\n"
           "  issued: 2016-12-20\n  url: https://undocs.org/S/RES/2331(2016)\n")


def _build(mini, cli, formats="md,docx,html,txt"):
    (mini / "snippets" / "mini" / "good.md").write_text(SNIPPET, encoding="utf-8")
    sources = mini / "snippets" / "sources.yaml"
    sources.write_text(sources.read_text(encoding="utf-8") + COUNCIL, encoding="utf-8")
    result = cli("build", "--root", mini, "--format", formats)
    assert result.code == 0, result.err
    return mini / "build" / "good-third-committee"


def test_note_marks_follow_the_word_and_notes_in_notes_are_set_inline(mini, cli):
    out = _build(mini, cli)
    text = out.with_suffix(".md").read_text(encoding="utf-8")
    assert "its members.[^" in text and "members [^" not in text and "members[^" not in text
    definition = re.search(r"^\[\^1\]: (.*)$", text, re.MULTILINE).group(1)
    assert definition == "See the report Test Organisation, *A Small Report* for details."
    docx = out.with_suffix(".docx")
    validate_docx(docx)
    with zipfile.ZipFile(docx) as package:
        notes = package.read("word/footnotes.xml").decode()
    assert "footnoteReference" not in notes  # Word has no notes inside notes


def test_locators_stay_in_their_note_and_articles_print_as_written(mini, cli):
    text = _build(mini, cli, "md").with_suffix(".md").read_text(encoding="utf-8")
    notes = dict(re.findall(r"^\[\^(\d+)\]: (.*)$", text, re.MULTILINE))
    assert any(note.rstrip(".").endswith("art. 2") for note in notes.values()), notes
    assert any(", 12." in note for note in notes.values()), notes
    bibliography = text.split("## Bibliography", 1)[1].split("\n[^", 1)[0]
    assert "A Small Report" in bibliography and ", 12" not in bibliography and "§" not in text


def test_a_url_ending_in_a_parenthesis_survives_in_every_format(mini, cli):
    out = _build(mini, cli)
    assert "<https://undocs.org/S/RES/2331(2016)>" in out.with_suffix(".md").read_text(encoding="utf-8")
    assert 'href="https://undocs.org/S/RES/2331(2016)"' in out.with_suffix(".html").read_text(encoding="utf-8")
    assert "https://undocs.org/S/RES/2331(2016)" in out.with_suffix(".txt").read_text(encoding="utf-8")
    with zipfile.ZipFile(out.with_suffix(".docx")) as package:
        assert 'Target="https://undocs.org/S/RES/2331(2016)"' in package.read("word/_rels/document.xml.rels").decode()
