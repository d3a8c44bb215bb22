"""Shared test helpers: fixture workspaces, the CLI run in-process, golden files, the DOCX validator."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from briefkit.cli import main
from ooxml_check import check_docx

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "tests" / "fixtures"
GOLDEN = REPO / "tests" / "golden"
SHARED_VALIDATOR = REPO.parent / "shared" / "tools" / "validate_docx.py"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ from the current output")


@pytest.fixture(autouse=True, scope="session")
def _private_user_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The tests' own user cache folder (citation memo), not the developer's."""
    import os

    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("user-cache"))


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., Result]:
    """Run the command line in-process: cli("check", "--root", path)."""

    def run(*args: str | Path) -> Result:
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A copy of the small fixture workspace, safe to break."""
    target = tmp_path / "ws"
    shutil.copytree(FIXTURES / "mini", target)
    return target


@pytest.fixture(scope="session")
def examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every example brief built once for the whole run, in every format (PDF too where LibreOffice is present)."""
    from briefkit.pdf import soffice

    out = tmp_path_factory.mktemp("examples")
    formats = "docx,md,txt,html,pdf" if soffice() else "docx,md,txt,html"
    assert main(["build", "--root", str(REPO), "--out", str(out), "--format", formats]) == 0
    return out


@pytest.fixture
def golden(request: pytest.FixtureRequest) -> Callable[[str, bytes], None]:
    """Compare bytes with tests/golden/NAME, or rewrite it under --update-golden."""

    def check(name: str, data: bytes) -> None:
        path = GOLDEN / name
        if request.config.getoption("--update-golden"):
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        assert path.exists(), f"no golden file {name}: run pytest --update-golden"
        assert data.decode() == path.read_text(encoding="utf-8")

    return check


def validate_docx(*paths: Path) -> None:
    """Fail the test unless every DOCX passes the OOXML schema check (tests/ooxml_check.py, with the ECMA-376
    schemas in tests/ooxml/); where the workplace's own validator stands beside the repository, it runs too."""
    problems = [f"{path.name}:{problem}" for path in paths for problem in check_docx(path)]
    assert not problems, "\n".join(problems[:20])
    if SHARED_VALIDATOR.exists():
        result = subprocess.run([sys.executable, str(SHARED_VALIDATOR), "-q", *map(str, paths)], capture_output=True,
                                text=True)
        assert result.returncode == 0, result.stdout + result.stderr
