"""Writes stay inside the output folder: file-name patterns, the values put into them, clashes, and write errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

GOOD = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n" \
       "      - use: [mini/good]\n"


def _conference(root, pattern):
    folder = root / "templates" / "conferences"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "odd.yaml").write_text(f"name: Odd\nfilename: '{pattern}'\n", encoding="utf-8")


def _outside_files(root):
    return sorted(p.name for p in root.parent.iterdir() if p.name != root.name)


@pytest.mark.parametrize("pattern, message", [
    ("../escape-{brief}", "names a folder"),
    ("..{brief}", "would make a hidden file or leave the output folder"),
    ("/tmp/abs-{brief}", "names a folder"),
    ("sub/{brief}", "names a folder"),
    ("..\\\\{brief}", "names a folder"),
    (".hidden-{brief}", "would make a hidden file or leave the output folder"),
    ("{topic}", "gives an empty name for this brief"),
])
def test_a_file_name_pattern_cannot_leave_the_output_folder(mini, cli, pattern, message):
    _conference(mini, pattern)
    (mini / "briefs" / "good.yaml").write_text(GOOD.replace("title: T", "title: '???'") + "conference: odd\n")
    before = _outside_files(mini)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert len(result.err_lines) == 1 and message in result.err_lines[0], result.err
    assert result.err_lines[0].startswith(("templates/conferences/odd.yaml: error:", "briefs/good.yaml:8: error:"))
    assert _outside_files(mini) == before
    assert not [p for p in (mini / "build").glob("*") if not p.name.startswith(".")] if (mini / "build").exists() \
        else True


@pytest.mark.parametrize("school", ["../../../etc/evil", "/etc/passwd", "a/b\\c", "..", "x" * 300])
def test_values_put_into_a_pattern_stay_one_file_in_the_output_folder(mini, cli, school):
    _conference(mini, "{school}-{country}")
    (mini / "briefs" / "good.yaml").write_text(GOOD + f"conference: odd\nschool: '{school}'\n")
    before = _outside_files(mini)
    result = cli("build", "--root", mini, "--format", "md")
    assert _outside_files(mini) == before
    written = [p for p in (mini / "build").glob("*") if not p.name.startswith(".")]
    if len(school) > 255:
        assert result.code == 1 and "bytes long" in result.err and result.err.startswith("briefs/good.yaml:")
        assert written == []
    else:
        assert result.code == 0, result.err
        assert len(written) == 1 and written[0].parent == mini / "build" and "/" not in written[0].name


def test_two_briefs_writing_one_file_is_an_error_naming_both(mini, cli):
    _conference(mini, "{country}")
    for name in ("a", "b"):
        (mini / "briefs" / f"{name}.yaml").write_text(GOOD + "conference: odd\n")
    (mini / "briefs" / "good.yaml").unlink()
    result = cli("build", "--root", mini, "--format", "md", "--jobs", "1")
    assert result.code == 1
    assert result.err_lines == ["briefs/b.yaml: error: output CHN.md is also written by brief 'a' in this run (give "
                                "the briefs (or the conference's file-name pattern) names that differ)"]
    assert (mini / "build" / "CHN.md").is_file()
    again = cli("build", "--root", mini, "--format", "md", "--jobs", "1")  # a is now skipped, and still claims it
    assert again.code == 1 and "also written by brief 'a'" in again.err


@pytest.mark.parametrize("name", ["../escape", "/tmp/abs", "sub/brief", ".", "..", "x" * 120, ""])
def test_new_writes_only_inside_briefs(mini, cli, name):
    before = _outside_files(mini)
    result = cli("new", name, "--root", mini, "--country", "FRA", "--committee", "csw")
    assert result.code == 1 and "must be a plain file name" in result.err, result.err
    assert _outside_files(mini) == before
    assert sorted(p.name for p in (mini / "briefs").iterdir()) == ["good.yaml"]


def test_new_does_not_write_through_a_planted_link(mini, cli, tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    (mini / "briefs" / "x.yaml").symlink_to(victim)
    result = cli("new", "x", "--root", mini, "--country", "FRA", "--committee", "csw")
    assert result.code == 1 and "brief already exists" in result.err
    assert victim.read_text() == "keep"


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_output_folder_is_an_error_at_the_output(mini, cli):
    (mini / "build").mkdir()
    (mini / "build").chmod(0o555)
    try:
        result = cli("build", "--root", mini, "--format", "md")
    finally:
        (mini / "build").chmod(0o755)
    assert result.code == 1 and result.err_lines[0].startswith("build/good-third-committee.md: error: cannot write")


def test_an_output_folder_that_is_a_file_is_an_error_at_the_output(mini, cli):
    (mini / "build").write_text("not a folder")
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines[0].startswith("build/good-third-committee.md: error: cannot write the output"), result.err
    assert "Traceback" not in result.err and ".tmp" not in result.err


def test_a_full_disk_is_an_error_at_the_output_and_leaves_no_temporary_file(mini, cli, monkeypatch):
    import errno

    from briefkit import output

    real = os.fdopen

    class Full:
        def __init__(self, fd, mode):
            self.handle = real(fd, mode)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.handle.close()

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(output.os, "fdopen", Full)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines[0] == ("build/good-third-committee.md: error: cannot write the output: No space left on "
                                   "device (check that the output folder is a writable folder with free space)")
    assert [p.name for p in (mini / "build").iterdir()] == []


@pytest.mark.parametrize("pattern", ["{brief:/>1.0}tmp{brief:/>1.0}pwned", "{brief!r}", "{country:>300}"])
def test_a_pattern_cannot_format_its_fields(mini, cli, pattern):
    _conference(mini, pattern)
    (mini / "briefs" / "good.yaml").write_text(GOOD + "conference: odd\n")
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1 and "formats a field" in result.err, result.err
    assert not Path("/tmp/pwned.md").exists()


def test_a_build_folder_linked_out_of_the_workspace_is_not_written(mini, cli, tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (mini / "build").symlink_to(target)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1 and "build/ is a symbolic link to" in result.err
    assert list(target.iterdir()) == []
    out = tmp_path / "chosen"
    assert cli("build", "--root", mini, "--format", "md", "--out", out).code == 0  # a folder the user names is fine
