"""What a stranger's snippet or template can do: read plain data, nothing else; and only for a bounded time and size."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from types import MappingProxyType

import pytest

from briefkit import api, sandbox
from briefkit.compose import FUNCTIONS, Job, _Run
from briefkit.errors import Problems
from briefkit.pipeline import Session
from briefkit.workspace import Workspace
from conftest import REPO

BLOCKED = ("undefined variable", "not allowed in a template", "undefined: no field")
GOOD = "kind: position-paper\ncountry: CHN\ncommittee: third-committee\ntopics:\n  - title: T\n    sections:\n" \
       "      - use: [mini/good]\n"


def _attack(root: Path, body: str) -> None:
    """A snippet with the attacker's body, used by an `evil` brief beside the good one."""
    (root / "snippets" / "mini" / "evil.md").write_text(f"---\ntitle: Evil\n---\nIntro.\n{body}\n", encoding="utf-8")
    (root / "briefs" / "evil.yaml").write_text(GOOD.replace("mini/good", "mini/evil"), encoding="utf-8")


@pytest.mark.parametrize("body, message", [
    ('{{ brief.path.joinpath("/etc/hostname").read_text() }}', BLOCKED),
    ('{{ brief.path.write_text("x") }}', BLOCKED),
    ("{{ country.path }}", BLOCKED),
    ("{{ fact.__globals__ }}", BLOCKED),
    ("{{ snippet.__self__.composer.ws.root }}", BLOCKED),
    ("{{ ''.__class__.__mro__[1].__subclasses__() }}", BLOCKED),
    ("{{ lipsum.__globals__.os.system('id') }}", BLOCKED),
    ("{{ cycler.__init__.__globals__.os.environ }}", BLOCKED),
    ("{{ topics[0].__class__ }}", BLOCKED),
    ("{{ brief.date.__class__.__subclasses__() }}", BLOCKED),
    ("{{ compose.__closure__ }}", BLOCKED),
    ("{% do brief.delegates.append('x') %}", "has no attribute 'append'"),
    ("{% do conference.limits.clear() %}", "has no attribute 'clear'"),
    ("{% do country.ratifications.update({}) %}", "has no attribute 'update'"),
    ("{{ vars.__setitem__('a', 1) }}", BLOCKED),
    ("{{ brief.vars.update(a=1) }}", "has no attribute 'update'"),
])
def test_a_snippet_reaches_no_file_environment_or_shared_state(mini, cli, body, message):
    _attack(mini, body)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert len(result.err_lines) == 1 and result.err_lines[0].startswith("snippets/mini/evil.md:5: error: ")
    expected = message if isinstance(message, tuple) else (message,)
    assert any(m in result.err_lines[0] for m in expected), result.err
    assert (mini / "build" / "good-third-committee.md").is_file()  # the other brief is built
    assert not (mini / "build" / "evil-third-committee.md").exists()
    assert "Traceback" not in result.err and socket.gethostname() not in result.out + result.err


def test_one_brief_cannot_switch_off_another_briefs_limit(mini, cli):
    (mini / "templates" / "conferences").mkdir(parents=True)
    (mini / "templates" / "conferences" / "tight.yaml").write_text("name: Tight\nlimits:\n  position-paper:\n"
                                                                   "    words: 5\n")
    _attack(mini, "{% do conference.limits.clear() %}")
    for name in ("evil", "good"):
        path = mini / "briefs" / f"{name}.yaml"
        path.write_text(path.read_text() + "conference: tight\n")
    result = cli("build", "--root", mini, "--format", "md", "--jobs", "1")
    assert result.code == 1
    assert any("good-third-committee:" in line and "over Tight's limit of 5 words" in line for line in result.err_lines)


@pytest.mark.parametrize("body, message", [
    ('{{ "x" * 2000000000 }}', "render limit: a repetition of 2,000,000,000 characters or items is over the limit"),
    ("{{ 10 ** 1000000 }}", "render limit: 10 ** 1000000 is too large a number"),
    ('{% set ns = namespace(s="x") %}{% for i in range(45) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s[:3] }}',
     "render limit: rendering needed more than 1024 MB of memory"),
    ('{{ "x" | center(3000000) }}', "render limit: a value of 3,000,000 characters is over the limit"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
     "render limit: rendering took longer than 1 s"),
])
def test_a_render_that_runs_too_long_or_too_large_is_an_error_at_its_line(mini, cli, monkeypatch, body, message):
    monkeypatch.setattr(sandbox, "SECONDS", 1.0 if "longer" in message else 30.0)
    _attack(mini, body)
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines[0].startswith(f"snippets/mini/evil.md:5: error: {message}"), result.err
    assert (mini / "build" / "good-third-committee.md").is_file()


PLAIN = (str, int, float, bool, type(None), dt.date, tuple, MappingProxyType, api.View)


def _reachable(value, path="context", seen=None):
    """Every (path, object) a template can reach from a value by attribute, key or index."""
    seen = set() if seen is None else seen
    if id(value) in seen:
        return
    seen.add(id(value))
    yield path, value
    if isinstance(value, api.View):
        children = api.fields_of(value).items()
    elif isinstance(value, MappingProxyType):
        children = value.items()
    elif isinstance(value, tuple):
        children = enumerate(value)
    else:
        children = ()
    for key, child in children:
        yield from _reachable(child, f"{path}.{key}", seen)


def test_everything_a_template_can_reach_is_plain_data():
    ws = Workspace.open(REPO)
    session = Session(ws, Problems())
    from briefkit.briefs import load_brief

    for brief_path in sorted((REPO / "briefs").glob("*.yaml")):
        brief = load_brief(brief_path, ws.settings)
        for job in session.jobs(brief, None, Problems()):
            assert isinstance(job, Job)
            run = _Run(session.composer, job, Problems())
            assert set(api.NAMES) <= set(run.context)
            for name, value in run.context.items():
                if name in FUNCTIONS:
                    assert isinstance(value, api.Function)  # frozen_function wrappers
                    continue
                for where, item in _reachable(value, name):
                    assert isinstance(item, PLAIN), f"{where} is a {type(item).__name__}"
                    assert not isinstance(item, Path)
            res = run.context["resolution"]()
            for where, item in _reachable(res, "resolution()"):
                assert isinstance(item, PLAIN), f"{where} is a {type(item).__name__}"


def test_the_documented_api_is_the_reserved_names():
    from briefkit.briefs import RESERVED

    doc = (REPO / "docs" / "template-api.md").read_text(encoding="utf-8")
    assert set(RESERVED) == set(api.NAMES)
    for name in api.NAMES:
        assert f"`{name}`" in doc, f"docs/template-api.md does not document {name}"


def test_a_brief_var_may_not_hide_an_api_name(mini, cli):
    (mini / "briefs" / "good.yaml").write_text(GOOD + "vars:\n  key_facts: 1\n")
    result = cli("check", "--root", mini)
    assert result.code == 1 and "variable 'key_facts' would hide the built-in 'key_facts'" in result.err


def test_a_context_function_printed_by_mistake_shows_its_name(mini, cli):
    _attack(mini, "{{ snippet | string }} {{ fact }}")
    assert cli("build", "--root", mini, "--format", "md").code == 0
    text = (mini / "build" / "evil-third-committee.md").read_text()
    assert "snippet() fact()" in text and "0x" not in text


def test_a_snippet_composing_itself_is_a_located_error(mini, cli):
    _attack(mini, '{{ compose({"use": ["mini/evil"]}) }}')
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines == ["snippets/mini/evil.md:5: error: snippet 'mini/evil' includes itself: mini/evil -> "
                                "mini/evil"]
