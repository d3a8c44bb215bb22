"""Markdown written by other hands: what a snippet or a section's text holds reaches every format as GitHub reads
it, and the composer's own additions (note labels, front-matter citations) never change what the author wrote."""

from __future__ import annotations

import zipfile
from pathlib import Path

BRIEF = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n"


def _snippet(mini: Path, name: str, body: str, sources: str = "") -> None:
    front = f"---\ntitle: {name}\n" + (f"sources: [{sources}]\n" if sources else "") + "---\n"
    (mini / "snippets" / "mini" / f"{name}.md").write_text(front + body, encoding="utf-8")


def _build(mini: Path, cli, sections: str) -> tuple[object, str]:
    (mini / "briefs" / "good.yaml").write_text(BRIEF + sections, encoding="utf-8")
    result = cli("build", "--root", mini, "--format", "md,html,txt,docx", "--force")
    built = mini / "build" / "good-third-committee.md"
    return result, built.read_text(encoding="utf-8") if built.is_file() else ""


def test_a_front_matter_citation_ends_the_first_paragraph_whatever_comes_before_it(mini, cli):
    _snippet(mini, "note", "<!-- TODO: check the figure with Mia -->\n\n```text\nfirst\n\nsecond\n```\n\n"
             "[r]: https://example.org/r\n\nLevels\n------\n\n***\n\nThe first paragraph.\n\nThe second [r].\n",
             sources="mini-source")
    result, text = _build(mini, cli, "      - use: [mini/note]\n")
    assert result.code == 0, result.err
    assert "TODO" not in text and "Mia" not in text  # the author's note stays hidden
    assert "```text\nfirst\n\nsecond\n```" in text  # the fence still closes
    assert "The first paragraph.[^1]" in text and "The second [r](https://example.org/r)." in text.replace(
        "<https://example.org/r>", "https://example.org/r")
    assert "## Levels" in text or "Levels\n------" in text
    html = (mini / "build" / "good-third-committee.html").read_text(encoding="utf-8")
    assert 'href="https://example.org/r"' in html and "%5E" not in html


def test_a_snippet_that_opens_with_indented_code_keeps_it_as_code(mini, cli):
    _snippet(mini, "code", "    indented code line\n\nText after.\n")
    result, text = _build(mini, cli, "      - use: [mini/code]\n")
    assert result.code == 0, result.err
    assert "    indented code line" in text or "```\nindented code line\n```" in text


def test_notes_of_two_sections_texts_are_their_own(mini, cli):
    result, text = _build(mini, cli, "      - heading: A\n        text: \"Alpha.[^1]\\n\\n[^1]: Note of A.\"\n"
                                     "      - heading: B\n        text: \"Beta.[^1]\\n\\n[^1]: Note of B.\"\n")
    assert result.code == 0, result.err
    assert "Alpha.[^1]" in text and "Beta.[^2]" in text
    assert "[^1]: Note of A." in text and "[^2]: Note of B." in text


def test_a_note_label_the_snippet_does_not_define_or_writes_in_code_stays_as_typed(mini, cli):
    _snippet(mini, "labels", "Undefined [^nope] and `[^1]` in code.[^1]\n\n[^1]: Real note.\n")
    result, text = _build(mini, cli, "      - use: [mini/labels]\n")
    assert "[^s" not in text and "[^s" not in (mini / "build" / "good-third-committee.txt").read_text()
    assert "`[^1]` in code" in text
    warnings = [line for line in result.err_lines if "has no text" in line]
    assert warnings == ["snippets/mini/labels.md:4: warning: note [^nope] has no text: it prints as typed "
                        "(add a line '[^nope]: the note's text' to the snippet)"]


def test_two_snippets_defining_one_link_label_differently_are_told(mini, cli):
    _snippet(mini, "r1", "See [the report][r].\n\n[r]: https://example.org/one\n")
    _snippet(mini, "r2", "Also [the other][r].\n\n[r]: https://example.org/two\n")
    result, _ = _build(mini, cli, "      - use: [mini/r1, mini/r2]\n")
    [warning] = [line for line in result.err_lines if "link label" in line]
    assert warning.startswith("snippets/mini/r2.md:6: warning: link label [r] is already defined by snippet "
                              "'mini/r1' as https://example.org/one")


def test_a_comment_with_blank_lines_is_hidden_and_text_beside_a_comment_is_shown(mini, cli):
    _snippet(mini, "comments", "<!--\nTODO\n\n- ask Mia\n# internal\n-->\n\n<!-- a --> visible text <!-- b -->\n")
    result, text = _build(mini, cli, "      - use: [mini/comments]\n")
    assert result.code == 0, result.err
    assert "Mia" not in text and "internal" not in text and "TODO" not in text
    assert "visible text" in text


def test_lists_nested_past_what_the_parser_follows_are_an_error_not_a_lost_tail(mini, cli):
    deep = "".join("  " * level + f"- level {level}\n" for level in range(60)) + "\nAfter the list.\n"
    _snippet(mini, "deep", deep)
    result, _ = _build(mini, cli, "      - use: [mini/deep]\n")
    assert result.code == 1
    errors = [line for line in result.err_lines if ": error: " in line]
    assert len(errors) == 1 and "nested more than 49 levels deep" in errors[0]
    assert errors[0].startswith("snippets/mini/deep.md:")


def test_ten_nested_levels_keep_every_line(mini, cli):
    deep = "".join("  " * level + f"- level {level}\n" for level in range(10)) + "\nAfter the list.\n"
    _snippet(mini, "ten", deep)
    result, text = _build(mini, cli, "      - use: [mini/ten]\n      - heading: Later\n        text: Closing.\n")
    assert result.code == 0, result.err
    assert "level 9" in text and "After the list." in text and "Closing." in text
    docx_text = (mini / "build" / "good-third-committee.txt").read_text()
    assert "level 9" in docx_text and "Closing." in docx_text


def test_notes_are_numbered_as_a_reader_meets_them_in_every_format(mini, cli):
    _snippet(mini, "outer", "One[^a] two[^outer].\n\n[^a]: Note A.\n[^outer]: Outer cites[^inner].\n"
             "[^inner]: Inner.\n")
    _snippet(mini, "later", "Three[^b].\n\n[^b]: Note B.\n")
    result, text = _build(mini, cli, "      - use: [mini/outer, mini/later]\n")
    assert result.code == 0, result.err
    assert "One[^1] two[^2]." in text and "Three[^3]." in text  # the body's notes first: 1, 2, 3
    assert "[^2]: Outer cites[^4]." in text and "[^4]: Inner." in text  # then the one only a note refers to


def test_a_run_that_fails_with_no_brief_failed_says_why(mini, cli):
    (mini / "snippets" / "mini" / "broken.md").write_text("---\ntitle: [unclosed\n---\nText.\n", encoding="utf-8")
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.out.strip().splitlines()[-1].startswith("1 built, 0 unchanged, 0 failed; 1 file written in ")
    assert result.out.strip().endswith("; 1 error above")
    assert any(line.startswith("snippets/mini/broken.md:3: error: YAML syntax error") for line in result.err_lines)


def test_a_mistake_in_a_sections_text_is_reported_at_the_brief(mini, cli):
    result, _ = _build(mini, cli, "      - heading: A\n        text: \"Hello {{ nosuchname }}.\"\n")
    assert result.code == 1
    [error] = [line for line in result.err_lines if ": error: " in line]
    assert error.startswith("briefs/good.yaml:7: error: in the section's text: undefined variable"), error


def test_a_bare_address_is_a_link_in_every_format(mini, cli):
    _snippet(mini, "bare", "Read https://www.unodc.org/glotip or www.un.org, or write to info@un.org.\n")
    result, text = _build(mini, cli, "      - use: [mini/bare]\n")
    assert result.code == 0, result.err
    html = (mini / "build" / "good-third-committee.html").read_text(encoding="utf-8")
    for href in ("https://www.unodc.org/glotip", "http://www.un.org", "mailto:info@un.org"):
        assert f'href="{href}"' in html
    rels = zipfile.ZipFile(mini / "build" / "good-third-committee.docx").read("word/_rels/document.xml.rels")
    assert b'Target="https://www.unodc.org/glotip"' in rels and b'Target="mailto:info@un.org"' in rels


def test_editing_a_picture_named_in_any_script_rebuilds_its_brief(mini, cli):
    from test_docx import PNG_1X1

    (mini / "images").mkdir()
    (mini / "images" / "my 图表.png").write_bytes(PNG_1X1)
    _snippet(mini, "picture", "![chart](<images/my 图表.png>)\n")
    (mini / "briefs" / "good.yaml").write_text(BRIEF + "      - use: [mini/picture]\n", encoding="utf-8")
    assert cli("build", "--root", mini, "--format", "docx").code == 0
    assert "0 built, 1 unchanged" in cli("build", "--root", mini, "--format", "docx").out
    (mini / "images" / "my 图表.png").write_bytes(PNG_1X1 + b"\0")
    assert "1 built, 0 unchanged" in cli("build", "--root", mini, "--format", "docx").out


def test_a_bare_address_elsewhere_does_not_turn_domain_names_into_links(mini, cli):
    _snippet(mini, "domains", "Published by China.org.cn (China Gate); see https://example.org/a for more.\n")
    result, text = _build(mini, cli, "      - use: [mini/domains]\n")
    assert result.code == 0, result.err
    assert "Published by China.org.cn (China Gate)" in text  # GitHub links only a scheme, www. or e-mail
    assert "[https://example.org/a](https://example.org/a)" in text or "<https://example.org/a>" in text
