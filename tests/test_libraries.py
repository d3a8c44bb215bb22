"""Workspaces choose their libraries (briefkit.yaml), a new workspace works at once, and the command line's details."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from briefkit import cli as cli_module
from conftest import FIXTURES, REPO, validate_docx

LIBRARY_YAML = "name: {name}\ntitle: {name} library\nversion: '1'\nas_of: 2026-11-01\nlanguages: [en]\n"


def _climate(tmp_path: Path) -> Path:
    """The France climate workspace, with the built-in position-paper template (its default sections)."""
    root = tmp_path / "climate"
    shutil.copytree(FIXTURES / "climate-fra", root)
    (root / "templates" / "position-paper.md.j2").unlink()
    return root


def test_a_workspace_gets_no_library_it_does_not_name(tmp_path, cli):
    root = _climate(tmp_path)
    (root / "briefs" / "kenya.yaml").write_text("kind: position-paper\ncountry: KEN\ncommittee: second-committee\n"
                                                "topic: Financing adaptation to climate change\n")
    result = cli("build", "kenya", "--root", root, "--format", "md,docx")
    assert result.code == 0, result.err
    text = (root / "build" / "kenya-second-committee.md").read_text(encoding="utf-8")
    assert "adaptation finance" in text  # the workspace's own snippet fills Background
    assert not re.search(r"traffick|Palermo|UNODC|Blue Heart|CEDAW", text, re.IGNORECASE)
    validate_docx(root / "build" / "kenya-second-committee.docx")
    assert result.err_lines == [
        "briefs/kenya.yaml:2: warning: no country profile for KEN (Kenya): the workspace's libraries have no "
        "country-specific content for it (add snippets/countries/ken.yaml or snippets with "
        "'when: {country: [KEN]}')",
        "briefs/kenya.yaml:4: warning: default sections International framework, The United Nations system, National "
        "action, Recommendations left out: no snippet in this workspace or its libraries (none) has the tags they "
        "select (write snippets tagged country, institution, instrument, recommendation, give the topic its own "
        "sections, or add a library to briefkit.yaml (built-in: trafficking-women))",
    ]
    assert "### Background" in text and "International framework" not in text


def test_naming_the_library_brings_its_snippets(tmp_path, cli):
    root = _climate(tmp_path)
    (root / "briefs" / "kenya.yaml").write_text("kind: position-paper\ncountry: KEN\ncommittee: second-committee\n"
                                                "topic: Trafficking in women and girls\n")
    (root / "briefkit.yaml").write_text("libraries: [trafficking-women]\n")
    assert cli("build", "kenya", "--root", root, "--format", "md").code == 0
    assert "Palermo" in (root / "build" / "kenya-second-committee.md").read_text(encoding="utf-8")


def test_a_library_folder_is_used_only_where_named_and_a_clash_is_reported(tmp_path, cli):
    root = _climate(tmp_path)
    for name, words in (("one", "First library text."), ("two", "Second library text.")):
        lib = tmp_path / name
        (lib / "notes").mkdir(parents=True)
        (lib / "library.yaml").write_text(LIBRARY_YAML.format(name=name))
        (lib / "notes" / "shared.md").write_text(f"---\ntitle: Shared\n---\n{words}\n")
    (root / "briefs" / "note.yaml").write_text("kind: position-paper\ncountry: FRA\ncommittee: second-committee\n"
                                               "topics:\n  - title: T\n    sections:\n      - use: [notes/shared]\n")
    unnamed = cli("build", "note", "--root", root, "--format", "md")
    assert unnamed.code == 1 and "unknown snippet 'notes/shared'" in unnamed.err
    (root / "briefkit.yaml").write_text("libraries: [../one, ../two]\n")
    result = cli("build", "note", "--root", root, "--format", "md")
    assert result.code == 0, result.err
    assert "First library text." in (root / "build" / "note-second-committee.md").read_text(encoding="utf-8")
    shadowed = str((tmp_path / "two" / "notes" / "shared.md").resolve())
    assert result.err_lines == [f"{shadowed}: warning: snippet 'notes/shared' is also in the library 'one', which "
                                "comes first in briefkit.yaml, so this one is never used (rename one, reorder the "
                                "libraries, or copy the one you want into the workspace's snippets/)"]


@pytest.mark.parametrize("config, message", [
    ("libraries: [trafficking-woman]\n", "briefkit.yaml:1: error: unknown library 'trafficking-woman' (did you mean "
                                         "trafficking-women?)"),
    ("librarys: []\n", "briefkit.yaml:1: error: unknown key 'librarys' here (did you mean libraries?)"),
    ("libraries: [./nowhere/]\n", "briefkit.yaml:1: error: library folder './nowhere/' has no library.yaml"),
])
def test_a_bad_briefkit_yaml_is_one_located_error(mini, cli, config, message):
    (mini / "briefkit.yaml").write_text(config)
    result = cli("check", "--root", mini)
    assert result.code == 1 and result.err_lines[0].startswith(message), result.err


def test_init_without_a_library_builds_and_checks_clean(tmp_path, cli):
    target = tmp_path / "new-ws"
    assert cli("init", target).code == 0
    assert "libraries: []" in (target / "briefkit.yaml").read_text()
    result = cli("build", "--root", target)
    assert result.code == 0, result.err
    assert result.err == ""
    validate_docx(target / "build" / "example-third-committee.docx")
    text = (target / "build" / "example-third-committee.md").read_text()
    assert "the delegation of China welcomes the Third Committee\u2019s attention" in text
    assert "Trafficking" not in text
    assert cli("check", "--strict", "--root", target).code == 0


def test_init_with_a_library_builds_and_checks_clean(tmp_path, cli):
    target = tmp_path / "new-ws"
    assert cli("init", target, "--library", "trafficking-women").code == 0
    result = cli("build", "--root", target)
    assert result.code == 0 and result.err == "", result.err
    text = (target / "build" / "example-third-committee.md").read_text()
    assert "Global Report on Trafficking in Persons 2024" in text  # from the library
    assert cli("check", "--strict", "--root", target).code == 0


def test_init_with_a_library_folder_of_other_tags_checks_clean(tmp_path, cli):
    """A library of someone's own making need not use briefkit's tag names: the example brief asks for the tags
    its snippets carry."""
    library = tmp_path / "climate"
    (library / "finance").mkdir(parents=True)
    (library / "library.yaml").write_text("name: climate\ntitle: Climate finance\nversion: 1\nas_of: 2026-11-01\n"
                                          "languages: [en]\ndescription: Climate finance for delegates.\n")
    (library / "finance" / "gap.md").write_text("---\ntitle: The finance gap\ntags: [climate-finance]\n---\n"
                                                "Developing countries need more climate finance.\n")
    target = tmp_path / "new-ws"
    assert cli("init", target, "--library", library).code == 0
    assert "tags: [climate-finance]" in (target / "briefs" / "example.yaml").read_text()
    assert cli("check", "--strict", "--root", target).code == 0
    result = cli("build", "--root", target)
    assert result.code == 0 and result.err == "", result.err
    text = (target / "build" / "example-third-committee.md").read_text()
    assert "## Climate finance\n\nDeveloping countries need more climate finance." in text


def test_init_with_an_unknown_library_writes_nothing(tmp_path, cli):
    result = cli("init", tmp_path / "x", "--library", "trafficking")
    assert result.code == 1 and "unknown library 'trafficking'" in result.err
    assert not (tmp_path / "x").exists()


def test_list_libraries_says_which_the_workspace_uses(tmp_path, cli):
    result = cli("list", "libraries")
    assert result.code == 0
    assert re.match(r"trafficking-women  Trafficking in women and girls .*\(version .*, as of 2026-\d\d-\d\d; used by "
                    r"this workspace\)", result.out)
    cli("init", tmp_path / "ws")
    assert "not used" in cli("list", "libraries", "--root", tmp_path / "ws").out


def test_list_without_an_argument_says_what_can_be_listed(cli):
    result = cli("list")
    assert result.code == 0
    assert [line.split()[0] for line in result.out.splitlines()[1:]] == list(cli_module.LISTABLE)


def test_help_examples_work_in_an_init_workspace(tmp_path, cli, monkeypatch):
    cli("init", tmp_path / "ws")
    monkeypatch.chdir(tmp_path / "ws")
    examples = [line.split("  ")[0].strip() for line in cli_module.EPILOG.splitlines()[1:] if line.strip()]
    assert len(examples) >= 6
    for example in examples:
        result = cli(*example.split()[1:])
        assert result.code == 0, f"{example}: {result.err}"


def test_unknown_format_and_a_folder_that_is_no_workspace_are_usage_errors(tmp_path, cli):
    result = cli("build", "--format", "docx,pfd")
    assert result.code == 2
    assert result.err_lines == ["briefkit: error: unknown format 'pfd' in --format (did you mean pdf? available: docx, "
                                "md, txt, html, pdf)"]
    for command in ("build", "check"):
        result = cli(command, "--root", tmp_path)
        assert result.code == 2 and "is not a briefkit workspace (it has no briefs/ folder)" in result.err


def test_did_you_mean_never_suggests_the_input(mini, cli):
    result = cli("build", "--root", mini, "--committee", "hrc", "--format", "md")
    assert result.code == 1
    assert "did you mean hrc" not in result.err and "no brief has the committee 'hrc'" in result.err


def test_summaries_count_in_the_singular_and_plural(mini, cli):
    result = cli("build", "--root", mini, "--format", "md")
    assert "1 file written" in result.out
    checked = cli("check", "--root", mini).out
    assert re.search(r"checked \d+ snippets?, 1 source and 1 output: 0 errors, 0 warnings", checked), checked


def test_repository_root_uses_the_named_library_through_its_link(tmp_path):
    from briefkit.workspace import Workspace

    ws = Workspace.open(REPO)
    assert [layer.name for layer in ws.snippet_layers] == ["trafficking-women"]
    assert ws.snippet_layers[0].root == (REPO / "snippets").resolve()


def test_check_reports_stale_facts_and_facts_newer_than_their_source(tmp_path, cli):
    root = _climate(tmp_path)
    lib = tmp_path / "lib"
    (lib / "notes").mkdir(parents=True)
    (lib / "library.yaml").write_text(LIBRARY_YAML.format(name="lib") + "freshness_years: 3\n")
    (lib / "sources.yaml").write_text("old-report:\n  type: report\n  title: Old report\n  author: UNEP\n"
                                      "  issued: 2019\n  publisher: UNEP\n")
    (lib / "facts.yaml").write_text("stale:\n  value: 1\n  source: old-report\n  as_of: 2018\n"
                                    "checked:\n  value: 2\n  source: old-report\n  as_of: 2018\n  verified: 2026-10-01\n"
                                    "newer:\n  value: 3\n  source: old-report\n  as_of: 2025\n")
    (lib / "notes" / "figures.md").write_text('---\ntitle: F\n---\n{{ fact("stale") }} {{ fact("checked") }} '
                                              '{{ fact("newer") }}\n')
    (root / "briefkit.yaml").write_text("libraries: [../lib]\n")
    result = cli("check", "--root", root, "france-finance")
    facts = str((lib / "facts.yaml").resolve())
    assert result.err_lines[:2] == [
        f"{facts}:1: warning: fact 'stale' is as of 2018, more than 3 years before the library's as-of date 2026-11-01 "
        "(look for a newer figure; if this is still the latest published, say so with 'verified: <date>')",
        f"{facts}:10: warning: fact 'newer' is as of 2025, but its source 'old-report' was issued 2019, before that "
        "(cite the source that states the newer figure, or correct as_of)",
    ]


@pytest.mark.parametrize("folder", ["templates", "snippets"])
def test_a_workspace_folder_linked_out_of_the_workspace_is_refused(tmp_path, cli, folder):
    secret = tmp_path / "victim"
    (secret / "notes").mkdir(parents=True)
    (secret / "secret.txt").write_text("VICTIM-MARKER")
    (secret / "notes" / "opening.md").write_text("---\ntitle: T\n---\nVICTIM-MARKER\n")
    cli("init", tmp_path / "ws")
    ws = tmp_path / "ws"
    shutil.rmtree(ws / folder)
    (ws / folder).symlink_to(secret)
    result = cli("build", "--root", ws, "--format", "md")
    assert result.code == 1 and f"{folder}/ is a symbolic link to" in result.err
    assert "VICTIM-MARKER" not in result.out + result.err
    assert not list((ws / "build").glob("*.md")) if (ws / "build").exists() else True


def test_seven_topics_are_numbered_in_roman_numerals(mini, cli):
    topics = "".join(f"  - T{i}\n" for i in range(1, 8))
    (mini / "briefs" / "good.yaml").write_text("kind: position-paper\ncountry: CHN\ncommittee: csw\ntopics:\n"
                                               + topics)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0, result.err
    assert "## VII. T7" in (mini / "build" / "good-csw.md").read_text()
