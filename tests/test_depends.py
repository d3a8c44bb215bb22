"""Which briefs an edit affects (depends.py), checked against what the build cache rebuilds for the same edit."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from briefkit.depends import Dependencies, editor_file
from briefkit.errors import Problems
from briefkit.pipeline import Session, build_brief
from briefkit.workspace import Workspace
from test_docx import PNG_1X1

BRIEF = ("kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n"
         "      - use: [{use}]\n")


@pytest.fixture
def ws(mini: Path) -> Path:
    """mini plus two briefs: `a` uses mini/a (which includes mini/shared), `b` uses mini/b and a picture."""
    snippets = mini / "snippets" / "mini"
    (snippets / "a.md").write_text("---\ntitle: A\ntags: [x]\n---\nText of A. {{ snippet('mini/shared') }}\n")
    (snippets / "shared.md").write_text("---\ntitle: Shared\n---\nShared text.\n")
    (snippets / "b.md").write_text("---\ntitle: B\n---\nText of B.\n\n![chart](images/chart.png)\n")
    (mini / "images").mkdir()
    (mini / "images" / "chart.png").write_bytes(PNG_1X1)
    (mini / "briefs" / "a.yaml").write_text(BRIEF.format(use="mini/a"))
    (mini / "briefs" / "b.yaml").write_text(BRIEF.format(use="mini/b"))
    return mini


def _recorded(root: Path) -> tuple[Dependencies, dict[str, Path]]:
    """Every brief built once and its inputs recorded, as `serve` does."""
    workspace = Workspace.open(root)
    session = Session(workspace, Problems())
    deps = Dependencies(workspace)
    briefs = {path.stem: path.resolve() for path in (root / "briefs").glob("*.yaml")}
    for path in briefs.values():
        result = build_brief(session, path, None, ("html",))
        deps.record(path, None if result.failed else result.snippets, result.inputs)
    return deps, briefs


def _names(paths: set[Path]) -> set[str]:
    return {path.stem for path in paths}


def test_a_snippet_body_edit_rebuilds_only_the_briefs_that_used_it(ws):
    deps, _ = _recorded(ws)
    shared = ws / "snippets" / "mini" / "shared.md"
    shared.write_text("---\ntitle: Shared\n---\nShared text, edited.\n")
    impact = deps.affected([shared])
    assert not impact.everything
    assert _names(impact.briefs) == {"a"}  # through a's include, not b, not good
    assert list(impact.snippets) == ["mini/shared"]


def test_a_front_matter_edit_or_a_new_or_deleted_snippet_rebuilds_everything(ws):
    deps, _ = _recorded(ws)
    b = ws / "snippets" / "mini" / "b.md"
    b.write_text("---\ntitle: B\ntags: [now-selectable]\n---\nText of B.\n\n![chart](images/chart.png)\n")
    assert deps.affected([b]).shared
    assert not deps.affected([b]).shared  # the same front matter again: nothing new
    new = ws / "snippets" / "mini" / "new.md"
    new.write_text("---\ntitle: New\ntags: [x]\n---\nNew.\n")
    assert deps.affected([new]).shared  # a tag selection may find it
    new.unlink()
    assert deps.affected([new]).shared


@pytest.mark.parametrize("name", ["sources.yaml", "facts.yaml", "countries/chn.yaml"])
def test_library_data_rebuilds_everything(ws, name):
    deps, _ = _recorded(ws)
    path = ws / "snippets" / name
    path.parent.mkdir(exist_ok=True)
    path.write_text((path.read_text() if path.exists() else "") + "\n# edited\n")
    impact = deps.affected([path])
    assert impact.shared and not impact.settings


def test_settings_templates_profiles_and_the_reference_document_rebuild_everything(ws):
    deps, _ = _recorded(ws)
    (ws / "briefkit.yaml").write_text("conference: generic\n")
    assert deps.affected([ws / "briefkit.yaml"]).settings
    for name in ("position-paper.md.j2", "committees/third-committee.yaml", "styles/reference.docx"):
        path = ws / "templates" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
        assert deps.affected([path]).shared, name


def test_a_brief_edit_or_a_picture_rebuilds_that_brief(ws):
    deps, briefs = _recorded(ws)
    assert _names(deps.affected([briefs["a"]]).briefs) == {"a"}
    chart = ws / "images" / "chart.png"
    chart.write_bytes(PNG_1X1 + b"")
    assert _names(deps.affected([chart]).briefs) == {"b"}
    assert deps.affected([ws / "images" / "other.png"]).briefs == set()
    assert deps.affected([ws / "build" / "a-third-committee.docx"]).briefs == set()  # outputs are no input


def test_a_failed_brief_is_rebuilt_by_any_edit(ws):
    (ws / "briefs" / "broken.yaml").write_text(BRIEF.format(use="mini/missing"))
    deps, _ = _recorded(ws)
    shared = ws / "snippets" / "mini" / "shared.md"
    shared.write_text("---\ntitle: Shared\n---\nEdited.\n")
    assert _names(deps.affected([shared]).briefs) == {"a", "broken"}
    assert _names(deps.affected([ws / "notes.txt"]).briefs) == {"broken"}


def test_editor_and_office_files_are_ignored(ws):
    deps, _ = _recorded(ws)
    styles = ws / "templates" / "styles"
    styles.mkdir(parents=True)
    for name in ("~$reference.docx", ".~lock.reference.docx#", "4913", ".a.md.swp", "a.md~", ".#a.md"):
        path = (styles if "docx" in name else ws / "snippets" / "mini") / name
        path.write_text("lock")
        assert editor_file(path)
        impact = deps.affected([path])
        assert not impact.everything and not impact.briefs, name
    assert not editor_file(Path("reference.docx")) and not editor_file(Path("a.md"))


def test_a_shadowed_snippet_changes_nothing(ws, tmp_path):
    """A library's snippet overridden by the workspace's own: editing the library's copy affects no brief."""
    library = tmp_path / "lib"
    (library / "mini").mkdir(parents=True)
    (library / "library.yaml").write_text("name: lib\ntitle: Lib\nversion: '1'\nas_of: 2026-01-01\nlanguages: [en]\n")
    shutil.copy(ws / "snippets" / "mini" / "shared.md", library / "mini" / "shared.md")
    (ws / "briefkit.yaml").write_text(f"libraries: [{library}]\n")
    deps, _ = _recorded(ws)
    (library / "mini" / "shared.md").write_text("---\ntitle: Shared\n---\nThe library's copy, edited.\n")
    impact = deps.affected([library / "mini" / "shared.md"])
    assert not impact.everything and impact.briefs == set() and impact.snippets == {}


def test_the_division_is_the_build_caches(ws, cli):
    """The same edits, built: the cache rebuilds exactly the briefs `affected` names (or all, for a shared file)."""
    assert cli("build", "--root", ws, "--format", "md").code == 0
    deps, _ = _recorded(ws)
    shared = ws / "snippets" / "mini" / "shared.md"
    shared.write_text("---\ntitle: Shared\n---\nEdited once more.\n")
    expected = _names(deps.affected([shared]).briefs)
    result = cli("build", "--root", ws, "--format", "md")
    assert "1 built, 2 unchanged" in result.out and expected == {"a"}
    (ws / "snippets" / "sources.yaml").write_text((ws / "snippets" / "sources.yaml").read_text() + "\n")
    assert deps.affected([ws / "snippets" / "sources.yaml"]).shared
    assert "3 built, 0 unchanged" in cli("build", "--root", ws, "--format", "md").out
