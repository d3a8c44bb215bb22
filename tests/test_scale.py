"""Batch builds: the cache, parallel workers, one LibreOffice process per run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from briefkit.batch import brief_files
from briefkit.errors import Problems
from briefkit.pdf import soffice
from briefkit.pipeline import Session, compose_brief
from briefkit.workspace import Workspace
from conftest import REPO

EDITED = "china/campaign-2024"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """The example briefs in a workspace of their own, with one built-in snippet copied into it (to edit)."""
    root = tmp_path / "ws"
    shutil.copytree(REPO / "briefs", root / "briefs")
    shutil.copy(REPO / "briefkit.yaml", root / "briefkit.yaml")
    target = root / "snippets" / f"{EDITED}.md"
    target.parent.mkdir(parents=True)
    shutil.copy(REPO / "snippets" / f"{EDITED}.md", target)
    return root


def _users_of(root: Path, snippet_id: str) -> set[str]:
    """The briefs whose outputs use a snippet, found by composing them (not from the cache)."""
    ws = Workspace.open(root)
    problems = Problems()
    session = Session(ws, problems)
    return {path.stem for path in brief_files(ws, [], problems)
            if any(snippet_id in c.snippets for c in compose_brief(session, path, None, problems))}


def _summary(out: str) -> str:
    return out.strip().splitlines()[-1]


def test_cache_skips_unchanged_briefs_and_rebuilds_exactly_the_users_of_an_edited_snippet(workspace, cli):
    briefs = sorted(p.stem for p in (workspace / "briefs").glob("*.yaml"))
    first = cli("build", "--root", workspace, "--format", "md")
    assert first.code == 0, first.err
    assert _summary(first.out).startswith(f"{len(briefs)} built, 0 unchanged, 0 failed")

    again = cli("build", "--root", workspace, "--format", "md")
    assert again.code == 0 and "wrote" not in again.out
    assert _summary(again.out).startswith(f"0 built, {len(briefs)} unchanged, 0 failed; 0 files written")

    snippet = workspace / "snippets" / f"{EDITED}.md"
    snippet.write_text(snippet.read_text(encoding="utf-8").rstrip() + " It was the largest such campaign.\n",
                       encoding="utf-8")
    users = _users_of(workspace, EDITED)
    assert users and users != set(briefs)  # the test means something: some briefs use it, some do not
    edited = cli("build", "--root", workspace, "--format", "md")
    assert edited.code == 0
    rebuilt = {line.split("] ", 1)[1] for line in edited.out.splitlines() if line.startswith("[")}
    assert rebuilt == users
    assert _summary(edited.out).startswith(f"{len(users)} built, {len(briefs) - len(users)} unchanged")

    forced = cli("build", "--root", workspace, "--format", "md", "--force", briefs[0])
    assert _summary(forced.out).startswith("1 built, 0 unchanged")
    # forcing one brief keeps what the cache knows of the others
    assert _summary(cli("build", "--root", workspace, "--format", "md").out).startswith(
        f"0 built, {len(briefs)} unchanged")
    forced = cli("build", "--root", workspace, "--format", "md", "--force")
    assert _summary(forced.out).startswith(f"{len(briefs)} built, 0 unchanged")

    shutil.rmtree(workspace / "build")  # deleting build/ is always safe: everything is built again
    assert _summary(cli("build", "--root", workspace, "--format", "md").out).startswith(f"{len(briefs)} built")


def test_a_brief_edit_or_a_new_format_rebuilds(workspace, cli):
    assert cli("build", "--root", workspace, "--format", "md").code == 0
    brief = workspace / "briefs" / "china-hrc-policy-brief.yaml"
    brief.write_text(brief.read_text(encoding="utf-8") + "date: 2027-04-01\n", encoding="utf-8")
    result = cli("build", "--root", workspace, "--format", "md")
    assert [line for line in result.out.splitlines() if line.startswith("[")] == ["[1/1] china-hrc-policy-brief"]
    every = len(list((workspace / "briefs").glob("*.yaml")))  # a new format: every brief is built again
    assert _summary(cli("build", "--root", workspace, "--format", "txt").out).startswith(f"{every} built")


def test_parallel_build_gives_the_same_bytes_as_serial(tmp_path, cli):
    serial, parallel = tmp_path / "serial", tmp_path / "parallel"
    assert cli("build", "--out", serial, "--format", "docx,md,txt,html", "--jobs", "1").code == 0
    assert cli("build", "--out", parallel, "--format", "docx,md,txt,html", "--jobs", "3").code == 0
    names = sorted(p.name for p in serial.glob("[!.]*"))
    assert names == sorted(p.name for p in parallel.glob("[!.]*")) and len(names) > 20
    for name in names:
        assert (serial / name).read_bytes() == (parallel / name).read_bytes(), name


@pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")
def test_pdfs_of_a_run_come_from_one_libreoffice_process(tmp_path, cli, monkeypatch):
    calls = []
    real = subprocess.Popen

    def counting(command, *args, **kwargs):
        calls.append(command)
        return real(command, *args, **kwargs)

    monkeypatch.setattr("briefkit.pdf.subprocess.Popen", counting)
    out = tmp_path / "out"
    result = cli("build", "china-caucus-handout", "china-opening-speech", "china-third-committee-resolution",
                 "--format", "pdf", "--out", out)
    assert result.code == 0, result.err
    assert len(calls) == 1 and sum(arg.endswith(".docx") for arg in calls[0]) == 3
    pdfs = sorted(p.name for p in out.glob("*.pdf"))
    assert len(pdfs) == 3 and all((out / name).read_bytes().startswith(b"%PDF") for name in pdfs)
    assert not list(out.glob(".*.tmp"))  # written atomically, no temporary file left


def test_citation_memo_kept_between_runs_gives_the_same_bytes(tmp_path, cli, monkeypatch):
    from briefkit import cache, citations

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "user-cache"))
    out = tmp_path / "out"
    assert cli("build", "china-hrc-policy-brief", "--format", "docx,md", "--out", out).code == 0
    memo = tmp_path / "user-cache" / "briefkit" / cache.MEMO_NAME
    assert memo.is_file() and memo.stat().st_size > 1000  # in the user's cache, not the output folder
    assert not list(out.glob(".*citations*"))
    first = {p.name: p.read_bytes() for p in out.glob("[!.]*")}
    for path in out.glob("[!.]*"):
        path.unlink()
    monkeypatch.setattr(citations, "_run_citeproc", None)  # formatted from the memo, or this fails
    assert cli("build", "china-hrc-policy-brief", "--format", "docx,md", "--out", out).code == 0
    assert {p.name: p.read_bytes() for p in out.glob("[!.]*")} == first


def test_compiled_templates_are_kept_between_runs_outside_the_workspace_and_follow_edits(workspace, cli,
                                                                                       monkeypatch):
    from jinja2.sandbox import SandboxedEnvironment

    compiled: list[str] = []
    compile_source = SandboxedEnvironment.compile

    def counting(self, source, name=None, filename=None, *args, **kwargs):
        if name is not None:  # a template or snippet (strings from a brief are compiled as they come)
            compiled.append(name)
        return compile_source(self, source, name, filename, *args, **kwargs)

    monkeypatch.setattr(SandboxedEnvironment, "compile", counting)
    template = workspace / "templates" / "handout.md.j2"
    template.parent.mkdir()
    template.write_text((REPO / "templates" / "handout.md.j2").read_text(encoding="utf-8")
                        + f"\nPrinted for the caucus ({workspace.name}).\n", encoding="utf-8")
    assert cli("build", "--root", workspace, "china-caucus-handout", "--format", "md").code == 0
    compiled.clear()
    assert cli("build", "--root", workspace, "china-caucus-handout", "--format", "md", "--force").code == 0
    assert compiled == []  # a new run (a new environment) took every template and snippet from the cache
    template.write_text(template.read_text(encoding="utf-8") + "Second edition.\n", encoding="utf-8")
    assert cli("build", "--root", workspace, "china-caucus-handout", "--format", "md").code == 0
    assert compiled == ["handout.md.j2"]  # only the edited template, compiled again
    assert "Second edition." in (workspace / "build" / "china-caucus-handout-third-committee.md").read_text(
        encoding="utf-8")
    assert not [p for p in workspace.rglob("*") if "jinja" in p.name]  # nothing compiled is kept in the workspace


def test_country_lookup_reads_pycountry_data_as_pycountry_does():
    import pycountry

    from briefkit.profiles import _iso_country

    for country in pycountry.countries:
        for value in {country.alpha_2, country.alpha_3, country.numeric, country.name,
                      getattr(country, "official_name", country.name), getattr(country, "common_name", country.name)}:
            for variant in (value, value.lower(), value.upper()):
                found = _iso_country(variant)
                expected = pycountry.countries.lookup(variant)
                assert found is not None and found.alpha_3 == expected.alpha_3, variant
                assert (found.name, found.official_name) == (
                    expected.name, getattr(expected, "official_name", expected.name))
    for unknown in ("Atlantis", "XX", ""):
        assert _iso_country(unknown) is None


def test_a_snippet_edited_during_a_build_leaves_its_briefs_to_be_built_again(workspace, cli, monkeypatch):
    import briefkit.pipeline

    snippet = workspace / "snippets" / f"{EDITED}.md"
    render_all = briefkit.pipeline.render_all

    def edit_while_rendering(*args, **kwargs):
        for number, result in enumerate(render_all(*args, **kwargs)):
            if number == 0:  # before any brief's outputs are written and its key recorded
                snippet.write_text(snippet.read_text(encoding="utf-8") + "\nAdded while the build ran.\n",
                                   encoding="utf-8")
            yield result

    monkeypatch.setattr(briefkit.pipeline, "render_all", edit_while_rendering)
    assert cli("build", "--root", workspace, "--format", "md").code == 0
    monkeypatch.undo()
    users = _users_of(workspace, EDITED)
    again = cli("build", "--root", workspace, "--format", "md")
    rebuilt = {line.split("] ", 1)[1] for line in again.out.splitlines() if line.startswith("[")}
    assert users and rebuilt == users


def test_a_build_with_nothing_to_rebuild_loads_no_composing_or_rendering_module(workspace):
    import sys

    build = [sys.executable, "-m", "briefkit", "--root", str(workspace), "build", "--format", "md"]
    assert subprocess.run(build, capture_output=True, check=False).returncode == 0
    probe = ("import sys; from briefkit.cli import main; code = main(sys.argv[1:]); "
             "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('jinja2', 'markdown', 'lxml', 'citeproc') "
             "or m in ('briefkit.pipeline', 'briefkit.compose', 'briefkit.library')); "
             "print('loaded:', heavy); sys.exit(code)")
    again = subprocess.run([sys.executable, "-c", probe, *build[3:]], capture_output=True, text=True, check=False)
    assert again.returncode == 0, again.stderr
    assert "unchanged" in again.stdout and "loaded: []" in again.stdout
