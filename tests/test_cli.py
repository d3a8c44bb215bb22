"""The other commands: list, new, init, and the installed wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from conftest import REPO, validate_docx


def test_list_snippets_by_tag(cli):
    result = cli("list", "snippets", "--tag", "recommendation")
    assert result.code == 0
    ids = [line.split()[0] for line in result.out.splitlines()]
    assert "recommendations/legal-frameworks" in ids and all(i.startswith("recommendations/") for i in ids)


@pytest.mark.parametrize("what, expected", [("committees", "csw"), ("conferences", "nmun-ny"),
                                            ("kinds", "position-paper"), ("sources", "unodc-glotip-2024"),
                                            ("facts", "unodc-glotip-2024.victims-change")])
def test_list_everything_else(cli, what, expected):
    result = cli("list", what)
    assert result.code == 0 and expected in [line.split()[0] for line in result.out.splitlines()]


def test_new_scaffolds_a_brief_that_builds(mini, cli):
    result = cli("new", "norway-csw", "--root", mini, "--country", "Norway", "--committee", "csw")
    assert result.code == 0
    text = (mini / "briefs" / "norway-csw.yaml").read_text()
    assert text.splitlines()[:3] == ["kind: position-paper", "country: NOR", "committee: csw"]
    assert cli("build", "norway-csw", "--root", mini).code == 0
    validate_docx(mini / "build" / "norway-csw-csw.docx")


def test_new_rejects_unknown_committee(mini, cli):
    result = cli("new", "x", "--root", mini, "--country", "FRA", "--committee", "cws")
    assert result.code == 1 and "unknown committee 'cws' (did you mean csw?)" in result.err
    assert not (mini / "briefs" / "x.yaml").exists()


def test_init_refuses_a_folder_with_files(tmp_path, cli):
    (tmp_path / "x").write_text("x")
    result = cli("init", tmp_path)
    assert result.code == 1 and "folder is not empty" in result.err


def test_wheel_installs_and_builds_in_a_fresh_environment(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", dist,
                    REPO], check=True)
    wheel = next(dist.glob("briefkit-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)  # inherits nothing from the base interpreter
    bindir = env_dir / "bin"
    subprocess.run([bindir / "python", "-m", "pip", "install", "-q", "--no-deps", wheel], check=True)
    # The dependencies come from the environment running the tests (offline, whatever its base interpreter has);
    # a .pth line adds its site-packages after the new environment's own, where the wheel is.
    site = subprocess.run([bindir / "python", "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (Path(site) / "test-dependencies.pth").write_text("\n".join(ours) + "\n")
    workspace = tmp_path / "empty"
    workspace.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    where = subprocess.run([bindir / "python", "-c", "import briefkit; print(briefkit.__file__)"], check=True,
                           capture_output=True, text=True, env=env, cwd=workspace).stdout
    assert str(env_dir) in where
    assets = subprocess.run([bindir / "python", "-c", "from importlib.resources import files; print(sorted(p.name for p "
                             "in (files('briefkit.serve') / 'static').iterdir()))"], check=True, capture_output=True,
                            text=True, env=env, cwd=workspace).stdout
    assert assets.strip() == "['live.css', 'live.js']"  # `briefkit serve`'s script and style sheet are installed
    subprocess.run([bindir / "briefkit", "init", "ws"], check=True, cwd=workspace, env=env)
    result = subprocess.run([bindir / "briefkit"], cwd=workspace / "ws", env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert (workspace / "ws" / "build" / "example-third-committee.docx").is_file()


def test_build_py_runs_the_same_program(tmp_path):
    result = subprocess.run([sys.executable, REPO / "build.py", "list", "kinds"], capture_output=True, text=True,
                            cwd=REPO)
    assert result.returncode == 0
    assert result.stdout.startswith("position-paper")
