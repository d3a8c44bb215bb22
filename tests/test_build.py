"""Building: outputs, determinism, layering, golden Markdown, the other fixture workspace."""

from __future__ import annotations

import shutil

import docx
import yaml

from conftest import FIXTURES, REPO, validate_docx


def test_example_briefs_build(tmp_path, cli):
    out = tmp_path / "out"
    result = cli("build", "--out", out)
    assert result.code == 0, result.err
    names = sorted(p.name for p in out.glob("[!.]*"))
    assert "CSW_China_Example_University.docx" in names
    assert "Third_Committee_China_Example_University.md" in names
    for path in out.glob("*.docx"):
        docx.Document(str(path))  # reopens in python-docx
    validate_docx(*out.glob("*.docx"))


def test_two_builds_are_byte_identical(tmp_path, cli):
    first, second = tmp_path / "a", tmp_path / "b"
    assert cli("build", "--out", first).code == 0
    assert cli("build", "--out", second).code == 0
    for path in first.glob("[!.]*"):
        assert path.read_bytes() == (second / path.name).read_bytes(), path.name


def test_markdown_output_matches_golden(tmp_path, cli, golden):
    for workspace in ("mini", "climate-fra"):
        out = tmp_path / workspace
        assert cli("build", "--root", FIXTURES / workspace, "--out", out, "--format", "md").code == 0
        for path in sorted(out.glob("*.md")):
            golden(f"{workspace}/{path.name}", path.read_bytes())


def test_markdown_has_front_matter_footnotes_and_references(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "--root", FIXTURES / "mini", "--out", out, "--format", "md").code == 0
    text = (out / "good-third-committee.md").read_text()
    front = yaml.safe_load(text.split("---\n")[1])
    assert front["title"].startswith("Position Paper: China")
    assert front["committee"].startswith("Third Committee")
    assert front["date"] == "2027-01-10"
    assert "A figure: 1,234,[^1] from the Third Committee." in text  # the mark after the comma (CMOS 14.26)
    assert "\n[^1]: Test Organisation, *A Small Report* (Test Press, 2024).\n" in text
    assert "## Bibliography\n\nTest Organisation. *A Small Report*. Test Press, 2024.\n" in text


def test_other_topic_workspace_builds_with_its_own_committee_and_template(tmp_path, cli):
    out = tmp_path / "out"
    result = cli("build", "--root", FIXTURES / "climate-fra", "--out", out)
    assert result.code == 0, result.err
    text = (out / "france-finance-second-committee.md").read_text()
    assert text.split("---\n", 2)[2].startswith("\n# France on Climate finance for adaptation")
    assert "France supports doubling adaptation finance" in text
    assert "lang: fr-FR" in text
    validate_docx(out / "france-finance-second-committee.docx")


def test_one_brief_two_committees_differ_where_profiles_differ(tmp_path, cli):
    out = tmp_path / "out"
    assert cli("build", "china-csw", "--out", out, "--format", "md").code == 0
    csw = (out / "CSW_China_Example_University.md").read_text()
    third = (out / "Third_Committee_China_Example_University.md").read_text()
    assert "principal global intergovernmental body dedicated to gender equality" in csw
    assert "considers social, humanitarian and human rights questions" in third
    assert "which is why the CSW treats it" in csw and "which is why the Third Committee treats it" in third


def test_committee_filter_and_mla_citations(mini, cli):
    shutil.copy(REPO / "templates" / "conferences" / "thimun.yaml", mini / "thimun.yaml")
    brief = mini / "briefs" / "good.yaml"
    brief.write_text(brief.read_text().replace("committee: third-committee", "committees: [third-committee, csw]\n"
                                               "conference: thimun"))
    assert cli("build", "--root", mini, "--committee", "csw", "--format", "md").code == 0
    assert [p.name for p in (mini / "build").glob("[!.]*")] == ["good-csw.md"]
    text = (mini / "build" / "good-csw.md").read_text()
    assert "A figure: 1,234 (Test Organisation), from" in text  # one work by its author: no title (MLA 9, ch. 6)
    assert "## Works Cited\n\nTest Organisation. *A Small Report*. Test Press, 2024.\n" in text


def test_committee_filter_that_matches_nothing_is_an_error(cli):
    result = cli("build", "china-csw", "--committee", "cws", "--format", "md", "--out", "/nonexistent-never")
    assert result.code == 1
    assert result.err_lines == ["briefkit: error: no brief has the committee 'cws' (did you mean csw?)"]
