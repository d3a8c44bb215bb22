"""Strict input: duplicate keys, impossible dates, deep nesting and alias bombs, text XML cannot hold and numbers out
of range are located errors (exit 1, the good brief still built), and lines stay right after U+2028, NEL and CR."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefkit.cli import main
from briefkit.profiles import load_conference
from briefkit.workspace import Workspace

MINI = Path(__file__).parent / "fixtures" / "mini"
BRIEF = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopic:\n  title: T\n  sections:\n    - use: [mini/good]\n"
USING_BAD = BRIEF.replace("mini/good", "mini/bad")  # a brief that uses snippets/mini/bad.md
CONFERENCE = BRIEF + "conference: odd\n"  # a brief that uses templates/conferences/odd.yaml
FRANCE = BRIEF.replace("CHN", "FRA")  # a brief that uses snippets/countries/fra.yaml
FRA_PROFILE = "name: French Republic\nshort_name: France\n"
CHN_PROFILE = {"snippets/countries/chn.yaml": "name: People's Republic of China\nshort_name: China\n"}
ESCAPE_HINT = r"(written as an escape such as \x01 in quoted text; remove it)"
# a "billion laughs": each level repeats the one before ten times (f would stand for 10**6 values)
BOMB = "  a: &a [" + ", ".join(["lol"] * 10) + "]\n" + "".join(
    f"  {name}: &{name} [{', '.join([f'*{before}'] * 10)}]\n" for before, name in ("ab", "bc", "cd", "de", "ef"))

# name: (files written into the mini workspace, the exact lines `check` prints, whether good.yaml still builds)
CASES: dict[str, tuple[dict[str, str], list[str], bool]] = {
    # Duplicate keys, in every kind of YAML file
    "duplicate-key-brief": ({"briefs/bad.yaml": BRIEF + "country: FRA\n"},
                            ["briefs/bad.yaml:8: error: duplicate key 'country' (first at line 2)"], True),
    "duplicate-key-front-matter": ({"snippets/mini/bad.md": "---\ntitle: A\ntags: [x]\ntitle: B\n---\nBody\n",
                                    "briefs/bad.yaml": USING_BAD},
                                   ["snippets/mini/bad.md:4: error: duplicate key 'title' (first at line 2)"], True),
    "duplicate-key-flow-mapping": ({"briefs/bad.yaml": BRIEF + "vars: {a: 1, b: 2, a: 3}\n"},
                                   ["briefs/bad.yaml:8: error: duplicate key 'a' (first at line 8)"], True),
    "duplicate-key-nested": ({"briefs/bad.yaml": BRIEF + "    - heading: H\n      use: [mini/good]\n"
                                                         "      heading: I\n"},
                             ["briefs/bad.yaml:10: error: duplicate key 'heading' (first at line 8)"], True),
    "duplicate-key-sources": ({"snippets/sources.yaml": (MINI / "snippets/sources.yaml").read_text()
                               + "mini-source:\n  type: report\n"},
                              ["snippets/sources.yaml:7: error: duplicate key 'mini-source' (first at line 1)",
                               "snippets/facts.yaml:4: error: fact 'mini.figure' cites unknown source 'mini-source'",
                               "snippets/mini/good.md:4: error: unknown source 'mini-source'"], False),
    "duplicate-key-facts": ({"snippets/facts.yaml": "mini:\n  figure:\n    value: 1234\n    source: mini-source\n"
                                                    "    as_of: 2023\n    value: 1235\n"},
                            ["snippets/facts.yaml:6: error: duplicate key 'value' (first at line 3)",
                             "snippets/mini/good.md:6: error: unknown fact 'mini.figure'",
                             "snippets/sources.yaml:1: warning: source 'mini-source' is never cited (cite it from a "
                             "snippet or a fact a snippet uses, or remove it)"], False),
    "duplicate-key-conference": ({"templates/conferences/odd.yaml": "name: Odd\nfont_size: 11\nfont_size: 12\n",
                                  "briefs/bad.yaml": CONFERENCE},
                                 ["templates/conferences/odd.yaml:3: error: duplicate key 'font_size' (first at line 2)"],
                                 True),
    "duplicate-key-country": ({"snippets/countries/fra.yaml": FRA_PROFILE + "name: France\n", "briefs/bad.yaml": FRANCE,
                               **CHN_PROFILE},
                              ["snippets/countries/fra.yaml:3: error: duplicate key 'name' (first at line 1)"], True),
    "duplicate-key-equal-values": ({"briefs/bad.yaml": BRIEF + "vars:\n  1: one\n  1.0: also one\n"},
                                   ["briefs/bad.yaml:10: error: duplicate key '1.0' (first at line 9)"], True),
    "duplicate-key-beside-merge": ({"templates/conferences/odd.yaml": "name: Odd\nlimits:\n  position-paper: &l "
                                    "{pages: 2}\n  handout:\n    <<: *l\n    pages: 1\n    pages: 3\n",
                                    "briefs/bad.yaml": CONFERENCE},
                                   ["templates/conferences/odd.yaml:7: error: duplicate key 'pages' (first at line 6)"],
                                   True),
    # Impossible and implausible dates
    "date-impossible": ({"briefs/bad.yaml": BRIEF + "date: 2027-02-30\n"},
                        ["briefs/bad.yaml:8: error: '2027-02-30' is not a real date (day is out of range for month)"],
                        True),
    "date-impossible-front-matter": ({"snippets/mini/bad.md": "---\ntitle: A\nupdated: 2026-13-01\n---\nBody\n",
                                      "briefs/bad.yaml": USING_BAD},
                                     ["snippets/mini/bad.md:3: error: '2026-13-01' is not a real date (month must be "
                                      "in 1..12)"], True),
    "date-impossible-in-vars": ({"briefs/bad.yaml": BRIEF + "vars:\n  deadline: 2027-02-29T10:00:00\n"},
                                ["briefs/bad.yaml:9: error: '2027-02-29T10:00:00' is not a real date (day is out of "
                                 "range for month)"], True),
    "date-year-zero": ({"briefs/bad.yaml": BRIEF + "date: 0000-01-10\n"},
                       ["briefs/bad.yaml:8: error: '0000-01-10' is not a real date (year 0 is out of range)"], True),
    "date-year-0331": ({"briefs/bad.yaml": BRIEF + "date: 0331-05-01\n"},
                       ["briefs/bad.yaml:8: error: 'date' is not a plausible date: 0331-05-01 (the year must be 1000 "
                        "or later)"], True),
    "date-quoted-year-0331": ({"briefs/bad.yaml": BRIEF + "date: '0331-05-01'\n"},
                              ["briefs/bad.yaml:8: error: 'date' is not a plausible date: 0331-05-01 (the year must "
                               "be 1000 or later)"], True),
    "year-0331": ({"snippets/sources.yaml": (MINI / "snippets/sources.yaml").read_text().replace("2024", "0331")},
                  ["snippets/sources.yaml:5: error: 'issued' is not a plausible date: year 331 (a year from 1000 to "
                   "9999, in four digits)",
                   "snippets/facts.yaml:4: error: fact 'mini.figure' cites unknown source 'mini-source'",
                   "snippets/mini/good.md:4: error: unknown source 'mini-source'"], False),
    "year-0": ({"snippets/facts.yaml": (MINI / "snippets/facts.yaml").read_text().replace("2023", "0")},
               ["snippets/facts.yaml:5: error: 'as_of' is not a plausible date: year 0 (a year from 1000 to 9999, in "
                "four digits)",
                "snippets/mini/good.md:6: error: unknown fact 'mini.figure'",
                "snippets/sources.yaml:1: warning: source 'mini-source' is never cited (cite it from a snippet or a "
                "fact a snippet uses, or remove it)"], False),
    # Nesting and aliases
    "nesting-flow": ({"briefs/bad.yaml": BRIEF + "vars:\n  x: " + "[" * 60 + "]" * 60 + "\n"},
                     ["briefs/bad.yaml:9: error: nested more than 50 levels deep (flatten the structure)"], True),
    "nesting-flow-100000": ({"briefs/bad.yaml": BRIEF + "vars:\n  x: " + "{a: " * 100000 + "}" * 100000 + "\n"},
                            ["briefs/bad.yaml:9: error: nested more than 50 levels deep (flatten the structure)"],
                            True),
    "nesting-block": ({"snippets/mini/bad.md": "---\ntitle: A\nwhen:\n" + "".join(" " * i + "- \n" for i in range(60))
                       + "---\nBody\n", "briefs/bad.yaml": USING_BAD},
                      ["snippets/mini/bad.md:53: error: nested more than 50 levels deep (flatten the structure)"], True),
    "alias-bomb": ({"briefs/bad.yaml": BRIEF + "vars:\n" + BOMB},
                   ["briefs/bad.yaml:12: error: aliases repeat more than 10000 values (write the values out instead "
                    "of expanding anchors this far)"], True),
    "alias-nesting": ({"briefs/bad.yaml": BRIEF + "vars:\n  a: &deep " + "[" * 30 + "]" * 30 + "\n  b: " + "[" * 25
                       + "*deep" + "]" * 25 + "\n"},
                      ["briefs/bad.yaml:10: error: alias '*deep' nests values more than 50 levels deep (flatten the "
                       "structure)"], True),
    "alias-recursive": ({"briefs/bad.yaml": BRIEF + "vars:\n  a: &a [1, *a]\n"},
                        ["briefs/bad.yaml:9: error: alias '*a' stands inside the value it names (a value cannot "
                         "contain itself)"], True),
    # Text that XML cannot hold, from YAML escapes in files whose bytes are clean
    "xml-delegate": ({"briefs/bad.yaml": BRIEF + 'delegates: ["Ann \\x01 Lee"]\n'},
                     [f"briefs/bad.yaml:8: error: control character U+0001 cannot be stored in a document {ESCAPE_HINT}"],
                     True),
    "xml-title": ({"briefs/bad.yaml": BRIEF + 'title: "Position\\x0cPaper"\n'},
                  [f"briefs/bad.yaml:8: error: control character U+000C cannot be stored in a document {ESCAPE_HINT}"],
                  True),
    "xml-language": ({"briefs/bad.yaml": BRIEF + 'language: "en\\0"\n'},
                     [f"briefs/bad.yaml:8: error: control character U+0000 cannot be stored in a document {ESCAPE_HINT}"],
                     True),
    "xml-heading": ({"briefs/bad.yaml": BRIEF.replace("- use:", '- heading: "Facts\\e"\n      use:')},
                    [f"briefs/bad.yaml:7: error: control character U+001B cannot be stored in a document {ESCAPE_HINT}"],
                    True),
    "xml-vars-key": ({"briefs/bad.yaml": BRIEF + 'vars:\n  "motto\\x02": Unity\n'},
                     [f"briefs/bad.yaml:9: error: control character U+0002 cannot be stored in a document {ESCAPE_HINT}"],
                     True),
    "xml-summary-nonchar": ({"briefs/bad.yaml": BRIEF + 'summary: "We \\uFFFE agree"\n'},
                            [f"briefs/bad.yaml:8: error: character U+FFFE cannot be stored in a document {ESCAPE_HINT}"],
                            True),
    "xml-snippet-title": ({"snippets/mini/bad.md": '---\ntitle: "Bad\\x07"\n---\nBody\n', "briefs/bad.yaml": USING_BAD},
                          [f"snippets/mini/bad.md:2: error: control character U+0007 cannot be stored in a document "
                           f"{ESCAPE_HINT}"], True),
    "xml-country-profile": ({"snippets/countries/fra.yaml": 'name: French Republic\nshort_name: "Fr\\x1bance"\n',
                             "briefs/bad.yaml": FRANCE, **CHN_PROFILE},
                            [f"snippets/countries/fra.yaml:2: error: control character U+001B cannot be stored in a "
                             f"document {ESCAPE_HINT}"], True),
    "yaml-c1-control": ({"briefs/bad.yaml": BRIEF + "title: A\x80B\n"},
                        ["briefs/bad.yaml:8: error: character U+0080 is not allowed in YAML (remove it)"], True),
    # Numbers: range, NaN and infinity, each naming the range
    "font-size-nan": ({"templates/conferences/odd.yaml": "name: Odd\nfont_size: .nan\n", "briefs/bad.yaml": CONFERENCE},
                      ["templates/conferences/odd.yaml:2: error: 'font_size' must be a number from 6 to 72 pt, not nan"],
                      True),
    "font-size-large": ({"templates/conferences/odd.yaml": "name: Odd\nfont_size: 400\n",
                         "briefs/bad.yaml": CONFERENCE},
                        ["templates/conferences/odd.yaml:2: error: 'font_size' must be a number from 6 to 72 pt, not "
                         "400"], True),
    "font-size-range": ({"templates/conferences/odd.yaml": "name: Odd\nfont_size_range: [2, -.inf]\n",
                         "briefs/bad.yaml": CONFERENCE},
                        ["templates/conferences/odd.yaml:2: error: 'font_size_range.0' must be a number from 6 to 72 "
                         "pt, not 2",
                         "templates/conferences/odd.yaml:2: error: 'font_size_range.1' must be a number from 6 to 72 "
                         "pt, not -inf"], True),
    "margins-inf": ({"templates/conferences/odd.yaml": "name: Odd\nmargins_cm: .inf\n", "briefs/bad.yaml": CONFERENCE},
                    ["templates/conferences/odd.yaml:2: error: 'margins_cm' must be a number from 0 to 10 cm, not inf"],
                    True),
    "margins-negative": ({"templates/conferences/odd.yaml": "name: Odd\nmargins_cm:\n  top: 2\n  left: -1\n",
                          "briefs/bad.yaml": CONFERENCE},
                         ["templates/conferences/odd.yaml:4: error: 'margins_cm.left' must be a number from 0 to 10 "
                          "cm, not -1"], True),
    "line-spacing-zero": ({"templates/conferences/odd.yaml": "name: Odd\nline_spacing: 0\n",
                           "briefs/bad.yaml": CONFERENCE},
                          ["templates/conferences/odd.yaml:2: error: 'line_spacing' must be a number from 0.5 to 4, "
                           "not 0"], True),
    "limits": ({"templates/conferences/odd.yaml": "name: Odd\nlimits:\n  position-paper: {pages: 0, words: 99999}\n"
                                                  "  speech: {minutes: .NaN}\n", "briefs/bad.yaml": CONFERENCE},
               ["templates/conferences/odd.yaml:3: error: 'limits.position-paper.pages' must be a whole number from 1 "
                "to 10000, not 0",
                "templates/conferences/odd.yaml:3: error: 'limits.position-paper.words' must be a whole number from 1 "
                "to 10000, not 99999",
                "templates/conferences/odd.yaml:4: error: 'limits.speech.minutes' must be a number from 0.5 to 10000, "
                "not nan"], True),
    "order": ({"snippets/mini/bad.md": "---\ntitle: A\norder: 1000000\n---\nBody\n", "briefs/bad.yaml": USING_BAD},
              ["snippets/mini/bad.md:3: error: 'order' must be a whole number from -10000 to 10000, not 1000000"],
              True),
    "members": ({"templates/committees/odd.yaml": "name: Odd\nshort_name: Odd\nmembers: 0\n",
                 "briefs/bad.yaml": BRIEF.replace("third-committee", "odd")},
                ["templates/committees/odd.yaml:3: error: 'members' must be a whole number from 1 to 1000, not 0"],
                True),
    "fact-value-inf": ({"snippets/facts.yaml": (MINI / "snippets/facts.yaml").read_text().replace("1234", "-.inf")},
                       ["snippets/facts.yaml:3: error: 'value' must be a finite number, not -inf",
                        "snippets/mini/good.md:6: error: unknown fact 'mini.figure'",
                        "snippets/sources.yaml:1: warning: source 'mini-source' is never cited (cite it from a "
                        "snippet or a fact a snippet uses, or remove it)"], False),
    "huge-number": ({"briefs/bad.yaml": BRIEF + "vars:\n  n: " + "9" * 5000 + "\n"},
                    ["briefs/bad.yaml:9: error: '9999999999999999999999999999999999999...' cannot be read as !!int "
                     "(too many digits)"], True),
    # Lines stay an editor's lines after U+2028, U+2029, NEL and a lone CR
    "lines-brief": ({"briefs/bad.yaml": "title: Line\u2028separated, para\u2029graph, next\x85line\n" + BRIEF
                     + "comittee: x\n"},
                    ["briefs/bad.yaml:9: error: unknown key 'comittee' here (did you mean committee?)"], True),
    "lines-brief-comment": ({"briefs/bad.yaml": "# a comment\u2028with a separator\n" + BRIEF + "comittee: x\n"},
                            ["briefs/bad.yaml:9: error: unknown key 'comittee' here (did you mean committee?)"], True),
    "lines-brief-cr": ({"briefs/bad.yaml": "title: Old Mac\r" + BRIEF + "comittee: x\n"},
                       ["briefs/bad.yaml:9: error: unknown key 'comittee' here (did you mean committee?)"], True),
    "lines-front-matter": ({"snippets/mini/bad.md": "---\ntitle: A\u2028B\nsummary: x\u2029y\x85z\ntagz: [x]\n---\nB\n",
                            "briefs/bad.yaml": USING_BAD},
                           ["snippets/mini/bad.md:4: error: unknown key 'tagz' here (did you mean tags?)"], True),
    "lines-snippet-body": ({"snippets/mini/bad.md": "---\ntitle: A\u2028B\nsummary: \"q\u2029\"\n---\nOne\u2028two"
                                                     "\x85three\u2029.\n\n{{ countri.name }}\n",
                            "briefs/bad.yaml": USING_BAD},
                           ["snippets/mini/bad.md:7: error: undefined variable: 'countri' is undefined (did you mean "
                            "country?)"], True),
    "lines-snippet-body-cr": ({"snippets/mini/bad.md": "---\r\ntitle: A\r---\rOne\rtwo\n\n{{ countri.name }}\n",
                               "briefs/bad.yaml": USING_BAD},
                              ["snippets/mini/bad.md:7: error: undefined variable: 'countri' is undefined (did you "
                               "mean country?)"], True),
}


def _write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode("utf-8"))  # bytes: write_text would turn a lone \r into the platform's


@pytest.mark.parametrize("case", list(CASES))
def test_check_reports_one_located_line(case, mini, cli):
    files, expected, _ = CASES[case]
    _write(mini, files)
    result = cli("check", "--root", mini)
    assert result.code == 1
    assert result.err_lines == expected


@pytest.mark.parametrize("case", [name for name, (_, _, good) in CASES.items() if good])
def test_build_reports_it_and_builds_the_good_brief(case, mini, cli):
    files, expected, _ = CASES[case]
    _write(mini, files)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines == expected
    assert sorted(p.name for p in (mini / "build").glob("[!.]*")) == ["good-third-committee.md"]


def test_merge_keys_still_work(mini, cli):
    _write(mini, {"templates/conferences/odd.yaml": "name: Odd\nlimits:\n  position-paper: &l {pages: 2, words: 900}\n"
                                                    "  handout:\n    <<: *l\n    pages: 1\n",
                  "briefs/bad.yaml": CONFERENCE})
    assert cli("check", "--root", mini).code == 0
    conference = load_conference(Workspace.open(mini), "odd", mini / "briefs/bad.yaml")
    assert conference.limits["handout"].pages == 1 and conference.limits["handout"].words == 900


def test_line_separators_stay_in_values(mini, cli):
    _write(mini, {"briefs/good.yaml": (MINI / "briefs/good.yaml").read_text() + "title: A\u2028B\x85C\n"})
    assert cli("build", "--root", mini, "--format", "md").code == 0
    assert "A\u2028B\x85C" in (mini / "build" / "good-third-committee.md").read_text(encoding="utf-8")


def test_leading_zero_is_decimal_not_octal(mini):
    _write(mini, {"templates/conferences/odd.yaml": "name: Odd\nlimits:\n  position-paper: {words: 0500}\n",
                  "briefs/bad.yaml": CONFERENCE})
    assert load_conference(Workspace.open(mini), "odd", mini / "briefs/bad.yaml").limits["position-paper"].words == 500


LIBRARY = "name: lib\ntitle: Lib\nas_of: 2026-01-01\n"
WORKSPACE_CASES = {  # problems in briefkit.yaml or a library's library.yaml stop the whole run: one line, exit 1
    "duplicate-key-settings": ({"briefkit.yaml": "language: en-GB\nlanguage: fr\n"},
                               "briefkit.yaml:2: error: duplicate key 'language' (first at line 1)"),
    "duplicate-key-library": ({"briefkit.yaml": "libraries: [lib]\n", "lib/library.yaml": LIBRARY + "name: lib2\n"},
                              "lib/library.yaml:4: error: duplicate key 'name' (first at line 1)"),
    "freshness-years-inf": ({"briefkit.yaml": "libraries: [lib]\n", "lib/library.yaml": LIBRARY + "freshness_years: "
                                                                                       ".inf\n"},
                            "lib/library.yaml:4: error: 'freshness_years' must be a number from 0 to 100 years, not inf"),
    "library-as-of-impossible": ({"briefkit.yaml": "libraries: [lib]\n",
                                  "lib/library.yaml": LIBRARY.replace("2026-01-01", "2026-02-29")},
                                 "lib/library.yaml:3: error: '2026-02-29' is not a real date (day is out of range for "
                                 "month)"),
}


@pytest.mark.parametrize("case", list(WORKSPACE_CASES))
def test_workspace_files_are_strict_too(case, mini, cli):
    files, expected = WORKSPACE_CASES[case]
    _write(mini, files)
    result = cli("check", "--root", mini)
    assert result.code == 1
    assert result.err_lines == [expected]


# The fuzz: random YAML-ish briefs and front matter never crash, and every problem is located.
LOCATED = re.compile(r"^[^:]+(:\d+)?: (error|warning): ")
KEYS = ["kind", "country", "committee", "topic", "title", "date", "delegates", "vars", "summary", "language",
        "school", "formats", "internal", "tags", "order", "updated", "when", "sources", "x", "<<"]
ODD_TEXT = st.text(st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["\u2028", "\x85", "\r", "\x01", '"\\x01"', '"\\ud800"', "&a", "*a", "!!int x", "!!timestamp y", "|", ">",
     "? ", "- ", "{", "[", "]", "}", ": ", "#", "'", '"', "\t", "---", "...", "\ufeff", "\x00", "\x7f"])
SCALAR = st.one_of(ODD_TEXT, st.sampled_from(
    ["2027-02-30", "0331-05-01", "0000-01-01", "2025-01-15", "2025-01-15T25:00:00", "0331", "0", "-1", ".nan", ".inf",
     "-.inf", "1e400", "9" * 5000, "0x1F", "0o17", "1:2:3", "~", "null", "yes", "CHN", "third-committee",
     "position-paper", "[mini/good]", "&a [1, *a]", "*nope"]))


@st.composite
def yamlish(draw: st.DrawFn) -> str:
    """Random lines of keys and values, some nested deep, some flow, some block."""
    lines = []
    for _ in range(draw(st.integers(0, 8))):
        key, value, indent = draw(st.sampled_from(KEYS)), draw(SCALAR), draw(st.integers(0, 3))
        shape = draw(st.sampled_from(["plain", "flow", "deep", "list", "raw"]))
        if shape == "flow":
            value = "[" + ", ".join(draw(st.lists(SCALAR, max_size=4))) + "]"
        elif shape == "deep":
            depth = draw(st.integers(1, 120))
            value = "{a: " * depth + value + "}" * depth
        elif shape == "list":
            value = "\n" + "".join(" " * i + "- " + draw(SCALAR) + "\n" for i in range(draw(st.integers(1, 60))))
        elif shape == "raw":
            lines.append(value)
            continue
        lines.append(" " * indent + f"{key}: {value}")
    return draw(st.sampled_from(["\n", "\r\n", "\r", "\u2028", "\x85"])).join(lines) + "\n"


@pytest.fixture(scope="module")
def fuzz_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(brief=yamlish(), front=yamlish(), body=st.text(max_size=30), valid_brief=st.booleans())
def test_fuzzed_yaml_is_located_never_a_crash(fuzz_root, capsys, brief, front, body, valid_brief):
    root = fuzz_root / "ws"
    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(MINI, root)
    if valid_brief:  # a valid brief with fuzzed additions, so later stages see odd values too
        brief = USING_BAD + brief
    _write(root, {"briefs/bad.yaml": brief, "snippets/mini/bad.md": f"---\ntitle: T\n{front}---\n{body}\n"})
    capsys.readouterr()
    code = main(["check", "--root", str(root)])
    err = capsys.readouterr().err
    assert code in (0, 1), err
    assert "Traceback" not in err and "internal error" not in err, err
    bad = [line for line in err.splitlines() if line.strip() and not LOCATED.match(line)]
    assert not bad, err
