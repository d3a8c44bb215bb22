"""Bad input: one located line per problem, exit 1, no output for the broken brief, the others built."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

BAD_BRIEF_USING = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopic:\n  title: T\n  sections:\n    - use: [mini/bad]\n"


def snippet(body: str, front: str = "title: Bad") -> str:
    return f"---\n{front}\n---\n{body}\n"


CASES = {
    "brief-yaml-syntax": ({"briefs/bad.yaml": "kind: position-paper\ncountry: [CHN\ncommittee: csw\n"},
                          r"briefs/bad.yaml:3: error: YAML syntax error"),
    "snippet-yaml-syntax": ({"snippets/mini/bad.md": "---\ntitle: ok\ntags: [a\n---\nBody\n", "briefs/bad.yaml": BAD_BRIEF_USING},
                            r"snippets/mini/bad.md:4: error: YAML syntax error"),
    "brief-empty": ({"briefs/bad.yaml": "# nothing here\n"}, r"briefs/bad.yaml:1: error: brief is empty"),
    "brief-list": ({"briefs/bad.yaml": "- kind: position-paper\n- country: CHN\n"},
                   r"briefs/bad.yaml:1: error: a brief must be a mapping"),
    "brief-unknown-key": ({"briefs/bad.yaml": "kind: position-paper\ncountry: CHN\ncomittee: csw\ntopic: T\n"},
                          r"briefs/bad.yaml:3: error: unknown key 'comittee' here \(did you mean committee\?\)"),
    "snippet-unknown-key": ({"snippets/mini/bad.md": snippet("Body", "title: Bad\ntagz: [x]"),
                             "briefs/bad.yaml": BAD_BRIEF_USING},
                            r"snippets/mini/bad.md:3: error: unknown key 'tagz' here \(did you mean tags\?\)"),
    "profile-unknown-key": ({"templates/committees/odd.yaml": "name: Odd\nshort_name: Odd\norgan_lin: The Odd,\n",
                             "briefs/bad.yaml": "kind: position-paper\ncountry: CHN\ncommittee: odd\ntopic: T\n"},
                            r"templates/committees/odd.yaml:3: error: unknown key 'organ_lin' here \(did you mean organ_line\?\)"),
    "unknown-citation-style": ({"templates/conferences/odd.yaml": "name: Odd\ncitation_style: chicgo\n",
                                "briefs/bad.yaml": "kind: position-paper\ncountry: CHN\ncommittee: csw\nconference: odd\ntopic: T\n"},
                               r"templates/conferences/odd.yaml: error: unknown citation style 'chicgo'"),
    "unknown-section-key": ({"templates/handout.md.j2": "# T\n\n{{ compose({'heading': 'H', 'tag': ['x']}) }}\n",
                             "briefs/bad.yaml": "kind: handout\ncountry: CHN\ncommittee: csw\ntopic: T\n"},
                            r"templates/handout.md.j2:3: error: unknown section key 'tag' \(did you mean tags\?\)"),
    "unknown-key-fact": ({"briefs/bad.yaml": "kind: handout\ncountry: CHN\ncommittee: csw\ntopic: T\n"
                                             "facts: [mini.figur]\n"},
                         r"briefs/bad.yaml:5: error: unknown fact 'mini.figur'"),
    "clause-not-a-clause": ({"briefs/bad.yaml": "kind: resolution\ncountry: CHN\ncommittee: csw\ntopic: T\n"
                                                "clauses:\n  operative:\n    - {txt: Urges all}\n"},
                            r"briefs/bad.yaml:7: error: unknown key 'txt' in 'clauses.operative.0' "
                            r"\(did you mean text\?\)"),
    "unknown-snippet": ({"briefs/bad.yaml": BAD_BRIEF_USING.replace("mini/bad", "mini/goood")},
                        r"briefs/bad.yaml:7: error: unknown snippet 'mini/goood' \(did you mean mini/good\?\)"),
    "unknown-committee": ({"briefs/bad.yaml": "kind: position-paper\ncountry: CHN\ncommittee: thrid-committee\ntopic: T\n"},
                          r"briefs/bad.yaml:3: error: unknown committee 'thrid-committee' \(did you mean third-committee\?\)"),
    "unknown-conference": ({"briefs/bad.yaml": "kind: position-paper\ncountry: CHN\ncommittee: csw\nconference: nmun\ntopic: T\n"},
                           r"briefs/bad.yaml:4: error: unknown conference 'nmun' \(did you mean nmun-ny\?\)"),
    "unknown-kind": ({"briefs/bad.yaml": "kind: position-papr\ncountry: CHN\ncommittee: csw\ntopic: T\n"},
                     r"briefs/bad.yaml:1: error: 'kind' cannot be 'position-papr' \(did you mean position-paper\?\)"),
    "unknown-country": ({"briefs/bad.yaml": "kind: position-paper\ncountry: Chinaa\ncommittee: csw\ntopic: T\n"},
                        r"briefs/bad.yaml:2: error: unknown country 'Chinaa'"),
    "unknown-citation": ({"snippets/mini/bad.md": snippet("Line one.\nLine two [@mini-sorce].", "title: Bad"),
                          "briefs/bad.yaml": BAD_BRIEF_USING},
                         r"snippets/mini/bad.md:5: error: unknown citation '@mini-sorce' \(did you mean mini-source\?\)"),
    "unknown-fact": ({"snippets/mini/bad.md": snippet("{{ fact('mini.figur') }}"), "briefs/bad.yaml": BAD_BRIEF_USING},
                     r"snippets/mini/bad.md:4: error: unknown fact 'mini.figur' \(did you mean mini.figure\?\)"),
    "undefined-variable": ({"snippets/mini/bad.md": snippet("Fine.\n\nThe {{ countri.name }} line."),
                            "briefs/bad.yaml": BAD_BRIEF_USING},
                           r"snippets/mini/bad.md:6: error: undefined variable: 'countri' is undefined \(did you mean country\?\)"),
    "jinja-syntax": ({"snippets/mini/bad.md": snippet("One.\n\n{% if %}x{% endif %}"), "briefs/bad.yaml": BAD_BRIEF_USING},
                     r"snippets/mini/bad.md:6: error: template syntax error"),
    "sandbox-escape": ({"snippets/mini/bad.md": snippet("{{ ''.__class__.__mro__ }}"), "briefs/bad.yaml": BAD_BRIEF_USING},
                       r"snippets/mini/bad.md:4: error: not allowed in a template: access to attribute '__class__'"),
    "snippet-id-escape": ({"briefs/bad.yaml": BAD_BRIEF_USING.replace("mini/bad", "../secret")},
                          r"briefs/bad.yaml:7: error: unknown snippet '../secret'"),
    "template-escape": ({"templates/handout.md.j2": "# Title\n\n{% include '../../../etc/passwd' %}\n",
                         "briefs/bad.yaml": "kind: handout\ncountry: CHN\ncommittee: csw\ntopic: T\n"},
                        r"templates/handout.md.j2:3: error: template not found: '../../../etc/passwd'"),
    "not-utf8": ({"snippets/mini/bad.md": b"---\ntitle: Bad\n---\nCaf\xe9\n", "briefs/bad.yaml": BAD_BRIEF_USING},
                 r"snippets/mini/bad.md:4: error: file is not UTF-8 text"),
    "control-character": ({"snippets/mini/bad.md": snippet("Bell \x07 here"), "briefs/bad.yaml": BAD_BRIEF_USING},
                          r"snippets/mini/bad.md:4: error: control character U\+0007 cannot be stored"),
    "self-include": ({"snippets/mini/bad.md": snippet("Again: {{ snippet('mini/bad') }}"), "briefs/bad.yaml": BAD_BRIEF_USING},
                     r"snippets/mini/bad.md:4: error: snippet 'mini/bad' includes itself: mini/bad -> mini/bad"),
}


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_located_line(case, mini, cli):
    files, expected = CASES[case]
    _write(mini, files)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert "Traceback" not in result.err
    assert len(result.err_lines) == 1, result.err
    assert re.match(expected, result.err_lines[0]), result.err_lines[0]
    built = sorted(p.name for p in (mini / "build").glob("[!.]*"))
    assert built == ["good-third-committee.md"]


@pytest.mark.parametrize("case", ["snippet-unknown-key", "undefined-variable", "unknown-committee"])
def test_check_reports_the_same_problem(case, mini, cli):
    files, expected = CASES[case]
    _write(mini, files)
    result = cli("check", "--root", mini)
    assert result.code == 1
    assert any(re.match(expected, line) for line in result.err_lines), result.err
    assert not (mini / "build").exists()


def test_check_reports_every_problem_not_just_the_first(mini, cli):
    _write(mini, {"briefs/a.yaml": CASES["unknown-committee"][0]["briefs/bad.yaml"],
                  "briefs/b.yaml": CASES["brief-unknown-key"][0]["briefs/bad.yaml"]})
    result = cli("check", "--root", mini)
    assert result.code == 1
    assert [line.split(":")[0] for line in result.err_lines] == ["briefs/a.yaml", "briefs/b.yaml"]


def test_failed_build_keeps_previous_output(mini, cli):
    assert cli("build", "--root", mini, "--format", "md").code == 0
    output = mini / "build" / "good-third-committee.md"
    before = output.read_bytes()
    _write(mini, {"snippets/mini/good.md": snippet("{{ broken")})
    assert cli("build", "--root", mini, "--format", "md").code == 1
    assert output.read_bytes() == before
    assert [p.name for p in output.parent.glob("[!.]*")] == ["good-third-committee.md"]


def test_debug_shows_traceback_for_internal_errors(mini, cli, monkeypatch):
    from briefkit import pipeline

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(pipeline, "load_brief", boom)
    result = cli("build", "--root", mini)
    assert result.code == 1 and result.err_lines == [
        "briefs/good.yaml: error: internal error while loading the brief: RuntimeError: boom (run with --debug for "
        "a traceback)"]
    debug = cli("build", "--root", mini, "--debug")
    assert debug.code == 1 and "Traceback (most recent call last)" in debug.err


def test_usage_error_exits_2(cli):
    assert cli("list", "nothing").code == 2


def test_check_reports_a_brief_over_the_word_limit(mini, cli):
    _write(mini, {"templates/conferences/tight.yaml": "name: Tight Conference\nlimits:\n  position-paper: {words: 20}\n"})
    brief = mini / "briefs" / "good.yaml"
    brief.write_text(brief.read_text() + "conference: tight\n")
    result = cli("check", "--root", mini)
    assert result.code == 1
    [line] = result.err_lines
    found = re.fullmatch(r"briefs/good\.yaml: error: good-third-committee: (\d+) words, over Tight Conference's "
                         r"limit of 20 words for a position-paper", line)
    assert found and int(found.group(1)) > 20, line
