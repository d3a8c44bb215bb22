"""State in the output folder: written atomically under unique names, checked on read, keyed on every input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from briefkit import cache
from conftest import REPO
from test_docx import PNG_1X1

BRIEF = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n" \
        "      - use: [{use}]\n"


@pytest.fixture
def three(mini: Path) -> Path:
    """Briefs a (a snippet with an image), b (a snippet that includes a template), c (the mini snippet)."""
    (mini / "templates").mkdir(exist_ok=True)
    (mini / "templates" / "part.md.j2").write_text("Included part.\n")
    (mini / "figures").mkdir()
    (mini / "figures" / "dot.png").write_bytes(PNG_1X1)
    snippets = mini / "snippets" / "mini"
    (snippets / "pic.md").write_text("---\ntitle: Picture\ntags: [pic]\n---\n![A dot](figures/dot.png)\n")
    (snippets / "inc.md").write_text('---\ntitle: Include\ntags: [inc]\n---\n{% include "part.md.j2" %}\n')
    for name, use in (("a", "mini/pic"), ("b", "mini/inc"), ("c", "mini/good")):
        (mini / "briefs" / f"{name}.yaml").write_text(BRIEF.format(use=use))
    (mini / "briefs" / "good.yaml").unlink()
    return mini


def _rebuilt(cli, root: Path) -> set[str]:
    result = cli("build", "--root", root, "--format", "md,docx", "--jobs", "1")
    assert result.code == 0, result.err
    return {line.split("] ", 1)[1] for line in result.out.splitlines() if line.startswith("[")}


def _append(path: Path, text: str) -> None:
    path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")


EDITS = {
    "a snippet's body": (lambda r: _append(r / "snippets/mini/pic.md", "More.\n"), {"a"}),
    "an image": (lambda r: (r / "figures/dot.png").write_bytes(PNG_1X1 + b"\0"), {"a"}),
    "a brief": (lambda r: _append(r / "briefs/b.yaml", "school: S\n"), {"b"}),
    "a template pulled in by include": (lambda r: _append(r / "templates/part.md.j2", "More.\n"), {"a", "b", "c"}),
    "front matter that changes a tag selection": (
        lambda r: (r / "snippets/mini/inc.md").write_text(
            (r / "snippets/mini/inc.md").read_text().replace("tags: [inc]", "tags: [inc, mini]")), {"a", "b", "c"}),
    "facts (reached through another snippet)": (lambda r: _append(r / "snippets/facts.yaml", "  other:\n"
                                                                  "    value: 2\n    source: mini-source\n"
                                                                  "    as_of: 2023\n"), {"a", "b", "c"}),
    "the workspace settings": (lambda r: (r / "briefkit.yaml").write_text("language: en-US\n"), {"a", "b", "c"}),
    "a conference profile": (lambda r: (r / "templates/conferences").mkdir() or
                             (r / "templates/conferences/generic.yaml").write_text("name: Generic\n"),
                             {"a", "b", "c"}),
}


@pytest.mark.parametrize("edit", list(EDITS))
def test_an_edit_rebuilds_exactly_the_briefs_it_affects(three, cli, edit):
    change, expected = EDITS[edit]
    assert _rebuilt(cli, three) == {"a", "b", "c"}
    assert _rebuilt(cli, three) == set()
    change(three)
    assert _rebuilt(cli, three) == expected


def test_including_a_snippet_by_name_is_refused(mini, cli):
    (mini / "snippets" / "mini" / "sneaky.md").write_text('---\ntitle: S\n---\nA.\n{% include "snippet:mini/good" %}\n')
    (mini / "briefs" / "good.yaml").write_text(BRIEF.format(use="mini/sneaky"))
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines == ["snippets/mini/sneaky.md:5: error: not allowed in a template: 'snippet:mini/good' "
                                "cannot be included; use snippet('mini/good')"]


@pytest.mark.parametrize("planted", [cache.CACHE_NAME + ".tmp", cache.CACHE_NAME])
def test_a_link_planted_in_the_output_folder_is_not_written_through(mini, cli, tmp_path, planted):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (mini / "build").mkdir()
    (mini / "build" / planted).symlink_to(victim)
    assert cli("build", "--root", mini, "--format", "md").code == 0
    assert victim.read_text() == "keep"


@pytest.mark.parametrize("content", [
    "not json", "[]", '{"version": "x", "briefs": []}', "9" * 100000,
    '{"briefs": {"B": {"key": 1, "files": ["../../etc/passwd"], "snippets": [], "warnings": []}}}',
    '{"briefs": {"B": {"key": "k", "files": "x", "snippets": null, "warnings": [{"line": "x"}]}}}',
    "[" * 100000,
])
def test_a_damaged_cache_costs_a_rebuild_never_a_crash(mini, cli, content):
    (mini / "build").mkdir()
    brief = str((mini / "briefs" / "good.yaml").resolve())
    (mini / "build" / cache.CACHE_NAME).write_text(content.replace("B", brief).replace('"x"', f'"{cache.__version__}"'
                                                                                      if "version" in content else '"x"'))
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0, result.err
    assert "1 built" in result.out
    assert cli("build", "--root", mini, "--format", "md").out.strip().endswith(
        tuple(f"0 files written in {t / 10:.1f} s" for t in range(100)))


def test_a_planted_citation_memo_never_reaches_a_document(mini, cli):
    """The memo is kept in the user's cache, not in the output folder a stranger's workspace may bring."""
    (mini / "build").mkdir()
    forged = {f"{i:064x}": "FORGED CITATION" for i in range(50)}
    (mini / "build" / ".briefkit-citations.json").write_text(json.dumps(forged))
    assert cli("build", "--root", mini, "--format", "md").code == 0
    assert "FORGED" not in (mini / "build" / "good-third-committee.md").read_text()


def test_a_damaged_memo_in_the_users_cache_costs_a_rebuild_never_a_crash(mini, cli, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cli("build", "--root", mini, "--format", "md").code == 0
    expected = (mini / "build" / "good-third-committee.md").read_bytes()
    memo_file = tmp_path / "xdg" / "briefkit" / cache.MEMO_NAME
    for damaged in ('{"a": {"nested": 1}, "b": [1, 2]}', "not json", "[" * 100000, ""):
        memo_file.write_text(damaged)
        assert cli("build", "--root", mini, "--format", "md", "--force").code == 0
        assert (mini / "build" / "good-third-committee.md").read_bytes() == expected


def test_the_memo_keeps_the_newest_citations_only(mini, cli, tmp_path, monkeypatch):
    """Every style, source or code change adds keys: the user's cache must not grow for ever."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    memo_file = tmp_path / "xdg" / "briefkit" / cache.MEMO_NAME
    memo_file.parent.mkdir(parents=True)
    memo_file.write_text(json.dumps({f"old-{n}": "x" for n in range(cache.MAX_MEMO + 500)}))
    assert cli("build", "--root", mini, "--format", "md").code == 0
    kept = json.loads(memo_file.read_text())
    assert len(kept) == cache.MAX_MEMO and "old-0" not in kept and f"old-{cache.MAX_MEMO + 499}" in kept
    assert any(not key.startswith("old-") for key in kept)  # this run's citations are among the kept


def test_concurrent_builds_of_one_workspace_all_succeed(mini):
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    for _ in range(3):
        runs = [subprocess.Popen([sys.executable, "-c", "import sys; from briefkit.cli import main; sys.exit(main())", "--root", str(mini), "--format", "md,docx",
                                  "--force"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
                for _ in range(4)]
        for run in runs:
            out, err = run.communicate(timeout=120)
            assert run.returncode == 0, err.decode()
    assert not [p for p in (mini / "build").iterdir() if p.name.endswith(".tmp")]
    json.loads((mini / "build" / cache.CACHE_NAME).read_text())
