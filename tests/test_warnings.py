"""Warnings print like errors but exit 0, unless --strict."""

from __future__ import annotations

import re


def _brief(root, text):
    (root / "briefs" / "warn.yaml").write_text(text, encoding="utf-8")


def test_tag_selection_matching_nothing_warns(mini, cli):
    _brief(mini, "kind: position-paper\ncountry: CHN\ncommittee: csw\ntopics:\n  - title: T\n    sections:\n"
                 "      - heading: H\n        tags: [no-such-tag]\n")
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0
    assert re.match(r"briefs/warn.yaml:7: warning: tag selection \['no-such-tag'\] matches no snippet",
                    result.err_lines[0])
    assert (mini / "build" / "warn-csw.md").exists()
    assert cli("build", "--root", mini, "--format", "md", "--strict").code == 1


def _country_brief(root, name, country):
    (root / "briefs" / f"{name}.yaml").write_text(
        f"kind: position-paper\ncountry: {country}\ncommittee: csw\ntopics:\n  - title: T\n    sections:\n"
        "      - use: [mini/good]\n", encoding="utf-8")


def test_country_without_profile_warns_once_a_run_and_uses_iso_names(mini, cli):
    (mini / "snippets" / "countries").mkdir()
    (mini / "snippets" / "countries" / "chn.yaml").write_text("name: People's Republic of China\nshort_name: China\n")
    _country_brief(mini, "warn", "NOR")
    _country_brief(mini, "warn2", "Norway")
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0
    assert result.err_lines == ["briefs/warn.yaml:2: warning: no country profile for NOR (Norway): the workspace's "
                                "libraries have no country-specific content for it (add snippets/countries/nor.yaml "
                                "or snippets with 'when: {country: [NOR]}')"]
    text = (mini / "build" / "warn-csw.md").read_text()
    assert "country: Kingdom of Norway" in text
    again = cli("build", "--root", mini, "--format", "md")  # skipped briefs report their warnings again, once
    assert again.err_lines == result.err_lines


def test_country_with_snippets_of_its_own_or_a_library_without_countries_does_not_warn(mini, cli):
    _country_brief(mini, "nor", "NOR")
    assert cli("build", "--root", mini, "--format", "md").err_lines == []  # nothing country-specific anywhere
    (mini / "snippets" / "countries").mkdir()
    (mini / "snippets" / "countries" / "chn.yaml").write_text("name: People's Republic of China\nshort_name: China\n")
    (mini / "snippets" / "mini" / "norway.md").write_text("---\ntitle: N\nwhen: {country: [NOR]}\n---\nNorway.\n")
    result = cli("check", "--root", mini, "--strict")
    assert result.code == 0, result.err


def test_unused_source_and_stale_snippet_warn_in_check(mini, cli):
    sources = mini / "snippets" / "sources.yaml"
    sources.write_text(sources.read_text() + "lonely:\n  type: webpage\n  title: L\n  author: A\n  issued: 2020\n"
                       "  url: https://example.org\n")
    good = mini / "snippets" / "mini" / "good.md"
    good.write_text(good.read_text().replace("tags: [mini]", "tags: [mini]\nupdated: 2019-01-01"))
    result = cli("check", "--root", mini)
    assert result.code == 0
    assert result.err_lines == [
        "snippets/sources.yaml:7: warning: source 'lonely' is never cited (cite it from a snippet or a fact a "
        "snippet uses, or remove it)",
        "snippets/mini/good.md:4: warning: snippet was last updated on 2019-01-01, over two years ago (check its "
        "figures and set a new 'updated' date)",
    ]
    assert cli("check", "--root", mini, "--strict").code == 1


def test_shipped_library_checks_clean(cli):
    result = cli("check", "--strict")
    assert result.code == 0, result.err
    assert result.err == ""
