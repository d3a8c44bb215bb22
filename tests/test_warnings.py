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


def test_country_without_profile_warns_and_uses_iso_names(mini, cli):
    _brief(mini, "kind: position-paper\ncountry: NOR\ncommittee: csw\ntopic: T\n")
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0
    assert result.err_lines == ["briefs/warn.yaml:2: warning: no country profile for NOR (Norway): the library has no "
                                "country-specific content for it (add snippets/countries/nor.yaml)"]
    text = (mini / "build" / "warn-csw.md").read_text()
    assert "country: Kingdom of Norway" in text


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
