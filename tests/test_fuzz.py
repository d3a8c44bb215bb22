"""Arbitrary Markdown bodies, Jinja fragments and citations in a snippet: a built, valid brief or located errors."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefkit.cli import main
from conftest import FIXTURES
from ooxml_check import check_docx

PIECES = ["- item\n", "   - nested\n", "1. one\n", "7) seven\n", "> quote\n", "```py\ncode <b>\n```\n", "    indented\n",
          "| a | b |\n|---|:-:|\n| `c \\| d` | e |\n", "~~gone~~", "**bold**", "*em*", "`code`", "[link](https://x.org/a(b))",
          "[bad](javascript:alert(1))", "![pic](missing.png)", "[^n]", "\n[^n]: note [@mini-source]\n", "[@mini-source]",
          "[@mini-source, p. 3]", "[@nope]", "{{ fact('mini.figure') }}", "{{ country.short_name }}", "{{ x }}",
          "{% if true %}", "{% endif %}", "{{", "}}", "<!-- c -->", "<script>", "&amp;", "\\*", "  \n", "\t", "\n\n",
          "# H\n", "#### h4\n", "---\n", "汉字", "العربية", "😀", "\u2028", "\x00", "\ud800", "<!-- pagebreak -->\n"]
LOCATED = re.compile(r"^[^:\s][^:]*(:\d+)?: (error|warning): ")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=12)), max_size=25))
def test_any_snippet_body_builds_valid_outputs_or_fails_located(tmp_path_factory, capsys, parts):
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    shutil.copytree(FIXTURES / "mini", root)
    body = "".join(parts)
    (root / "snippets" / "mini" / "good.md").write_text("---\ntitle: Fuzz\n---\n" + body, encoding="utf-8",
                                                        errors="surrogatepass")
    capsys.readouterr()
    code = main(["build", "--root", str(root), "--format", "docx,md,html,txt"])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "internal error" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 0:
        docx = Path(root / "build" / "good-third-committee.docx")
        assert check_docx(docx) == [], body
    else:
        assert code == 1 and lines and all(LOCATED.match(line) for line in lines), err
