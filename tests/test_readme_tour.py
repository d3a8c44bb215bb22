"""The README's five-minute tour, run as written: it builds, and `check --strict` passes."""

from __future__ import annotations

import re

from conftest import REPO


def _blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.DOTALL)


def test_the_tour_passes_check_strict_as_written(tmp_path, cli, monkeypatch):
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    tour = readme[readme.index("## A five-minute tour"):readme.index("**3. Pick a kind.**")]
    first = _blocks(tour, "sh")[0].splitlines()[0]
    init = first.split("&&")[0].split()
    assert init[:2] == ["briefkit", "init"]
    monkeypatch.chdir(tmp_path)
    assert cli(*init[1:]).code == 0
    root = tmp_path / init[2]
    snippet = _blocks(tour, "markdown")[0]
    (root / "snippets" / "notes").mkdir(parents=True, exist_ok=True)
    (root / "snippets" / "notes" / "caucus.md").write_text(snippet, encoding="utf-8")
    brief = _blocks(tour, "yaml")[1]  # the first is briefkit.yaml's example
    assert brief.startswith("kind: position-paper") and "briefs/france-csw.yaml" in tour
    (root / "briefs" / "france-csw.yaml").write_text(brief, encoding="utf-8")
    result = cli("check", "--strict", "--root", root)
    assert result.code == 0, result.err
    built = cli("build", "france-csw", "--root", root, "--format", "md")
    assert built.code == 0 and built.err == "", built.err
    text = (root / "build" / "france-csw-csw.md").read_text(encoding="utf-8")
    assert "France asks the CSW to fund survivor services" in text
    assert "China" not in text
