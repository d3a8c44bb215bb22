"""One error boundary per brief, and a run that stops cleanly: whatever fails is that brief's located problem."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from test_docx import PNG_1X1

BRIEF = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n" \
        "      - use: [{use}]\n"


def _second(mini: Path, body: str, name: str = "bad") -> None:
    (mini / "snippets" / "mini" / f"{name}.md").write_text(f"---\ntitle: {name}\n---\n{body}\n", encoding="utf-8")
    (mini / "briefs" / f"{name}.yaml").write_text(BRIEF.format(use=f"mini/{name}"), encoding="utf-8")


def test_an_unexpected_failure_is_that_briefs_problem_and_the_others_build(mini, cli, monkeypatch):
    from briefkit.render import text

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(text, "render_text", boom)
    _second(mini, "Other.")
    (mini / "briefs" / "bad.yaml").write_text(BRIEF.format(use="mini/bad") + "formats: [md, txt]\n")
    result = cli("build", "--root", mini)
    assert result.code == 1
    assert result.err_lines == ["briefs/bad.yaml: error: internal error while writing bad-third-committee as txt: "
                                "RuntimeError: boom (run with --debug for a traceback)"]
    assert (mini / "build" / "good-third-committee.md").is_file()
    assert "1 built, 0 unchanged, 1 failed" in result.out
    debug = cli("build", "--root", mini, "--debug", "--force")
    assert debug.code == 1 and "traceback:" in debug.err and 'raise RuntimeError("boom")' in debug.err


@pytest.mark.parametrize("picture, message", [
    (PNG_1X1[:40], "image 'figures/pic.png' is damaged"),  # a PNG cut short
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 64, "image 'figures/pic.png' is damaged"),  # a signature, then nothing
    (b"GIF89a", "image 'figures/pic.png' is damaged"),
])
def test_a_corrupt_picture_is_that_briefs_problem(mini, cli, picture, message):
    (mini / "figures").mkdir()
    (mini / "figures" / "pic.png").write_bytes(picture)
    _second(mini, "![A picture](figures/pic.png)")
    result = cli("build", "--root", mini, "--format", "docx,html")
    assert result.code == 1 and "Traceback" not in result.err
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith("snippets/mini/bad.md:4: error:"), result.err
    assert message in result.err_lines[0]
    assert (mini / "build" / "good-third-committee.docx").is_file()
    assert not list((mini / "build").glob("bad-*"))


def test_an_unreadable_snippet_is_a_located_error(mini, cli):
    (mini / "snippets" / "mini" / "folder.md").mkdir()  # a folder with a snippet's name is no snippet
    (mini / "snippets" / "mini" / "fifo.md").symlink_to(mini / "snippets" / "mini" / "nowhere")  # a broken link
    result = cli("build", "--root", mini, "--format", "md")
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert (mini / "build" / "good-third-committee.md").is_file()


def test_deep_nesting_in_markdown_is_that_briefs_problem(mini, cli):
    _second(mini, "\n".join("  " * i + "- x" for i in range(600)) + "\n\n" + ">" * 5000 + " deep")
    result = cli("build", "--root", mini, "--format", "md,docx,html,txt")
    assert "Traceback" not in result.err and "internal error" not in result.err, result.err
    assert (mini / "build" / "good-third-committee.md").is_file()
    assert result.code in (0, 1)


def test_a_worker_that_dies_names_its_brief_and_the_others_finish(mini, cli, monkeypatch):
    from briefkit import pipeline

    real = pipeline.build_brief

    def dying(session, path, *args, **kwargs):
        if path.stem == "bad" and os.getpid() != parent:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(session, path, *args, **kwargs)

    parent = os.getpid()
    monkeypatch.setattr(pipeline, "build_brief", dying)
    for name in ("a", "bad", "c", "d"):
        _second(mini, f"Text of {name}.", name)
    result = cli("build", "--root", mini, "--format", "md", "--jobs", "2")
    assert result.code == 1
    assert result.err_lines == ["briefs/bad.yaml: error: the worker process building this brief died: it was killed "
                                "by signal SIGKILL (out of memory?) (the other briefs were built; try this one alone "
                                "with --jobs 1)"]
    built = sorted(p.name for p in (mini / "build").glob("*.md"))
    assert built == ["a-third-committee.md", "c-third-committee.md", "d-third-committee.md", "good-third-committee.md"]


def _slow_workspace(mini: Path) -> None:
    for name in ("s1", "s2", "s3"):
        _second(mini, "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}x", name)


def _run(mini: Path, *args: str) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    return subprocess.Popen([sys.executable, "-m", "briefkit", "--root", str(mini), "--format", "md", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            start_new_session=True)


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
@pytest.mark.parametrize("signum, code, words", [(signal.SIGINT, 130, "interrupted"),
                                                 (signal.SIGTERM, 143, "stopped (SIGTERM)")])
def test_ctrl_c_and_sigterm_stop_the_workers_and_exit_cleanly(mini, signum, code, words):
    _slow_workspace(mini)
    run = _run(mini, "--jobs", "2")
    deadline = time.monotonic() + 20
    while len(_children(run.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = _children(run.pid)
    assert workers, "no workers started"
    os.kill(run.pid, signum)
    out, err = run.communicate(timeout=30)
    assert run.returncode == code, err
    assert err.strip().splitlines()[-1].startswith(f"briefkit: {words}") and "Traceback" not in err
    time.sleep(0.5)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()
                and "Z" not in (Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0])]
    assert not [p for p in (mini / "build").glob(".*.tmp")] if (mini / "build").exists() else True


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_workers_exit_when_the_main_process_is_killed(mini):
    _slow_workspace(mini)
    run = _run(mini, "--jobs", "2")
    deadline = time.monotonic() + 20
    while len(_children(run.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    workers = _children(run.pid)
    assert workers
    os.kill(run.pid, signal.SIGKILL)
    run.communicate(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{pid}").exists() for pid in workers):
        time.sleep(0.1)
    alive = [pid for pid in workers if Path(f"/proc/{pid}").exists()
             and Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    assert alive == []


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads /proc")
def test_sigterm_while_the_main_process_renders_stops_the_run(mini):
    _slow_workspace(mini)
    run = _run(mini, "--jobs", "1")
    time.sleep(2.5)  # inside the first slow brief's render
    os.kill(run.pid, signal.SIGTERM)
    out, err = run.communicate(timeout=30)
    assert run.returncode == 143, err
    assert err.strip().splitlines() == ["briefkit: stopped (SIGTERM); nothing half-written was left behind"]


def test_a_problem_found_after_composition_is_reported_at_the_snippet_line(mini, cli):
    (mini / "snippets" / "mini" / "pic.md").write_text("---\ntitle: Pic\n---\nIntro line.\n\nSecond paragraph.\n\n"
                                                      "![x](missing.png)\n")
    (mini / "briefs" / "good.yaml").write_text(BRIEF.format(use="mini/good, mini/pic"))
    for command in ("build", "check"):
        result = cli(command, "--root", mini, "--format", "docx,html") if command == "build" else \
            cli(command, "--root", mini)
        assert result.code == 1
        assert "snippets/mini/pic.md:8: error: image 'missing.png' not found in the workspace" in result.err, \
            result.err
