"""The preview's own pages: the index of briefs, a brief's frame (bar, problems overlay, the page itself), and
the short pages for what cannot be shown. Every value is escaped; the pages load only the server's own script
and style sheet (see server.SHELL_CSP)."""

from __future__ import annotations

import hashlib
import html
from collections.abc import Iterable, Sequence
from pathlib import Path
from urllib.parse import quote

from briefkit.errors import Problem, display_path, plural
from briefkit.serve.state import BriefState, Output, problems_of

# The brief's page may run no script; the preview's script reads and swaps its content (same origin); a link out
# opens in a new tab (live.js marks links out so), not in the frame.
FRAME_SANDBOX = "allow-same-origin allow-popups allow-popups-to-escape-sandbox"
AROUND = 2  # lines of source shown either side of a problem's line
MAX_SOURCE = 4 << 20  # bytes: a larger file's lines are not shown
MAX_LINE = 240  # characters of one source line shown

_HEAD = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/_briefkit/live.css">
<script src="/_briefkit/live.js" defer></script>
</head>
"""


def shown(text: str) -> str:
    """Text as it can be shown: a file name's bytes that are not UTF-8 (kept by Python as lone surrogates) become
    the replacement character."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def escape(text: str) -> str:
    return html.escape(shown(text), quote=True)


def brief_url(name: str, rest: str = "") -> str:
    """A brief's address: its name's bytes, %-escaped (the server decodes them back to the same name)."""
    return f"/brief/{quote(name.encode('utf-8', 'surrogateescape'), safe='')}{rest}"


def index_page(root: Path, version: int, briefs: dict[str, BriefState], problems: Sequence[Problem]) -> str:
    """Every brief with its state and figures, then the workspace's own problems."""
    rows = "".join(_row(state, root) for _, state in sorted(briefs.items()))
    if not briefs:
        rows = ('<tr><td colspan="3" class="empty">No briefs: add a brief file (<code>briefs/NAME.yaml</code>) or '
                "make one with <code>briefkit new</code>; it shows here at once.</td></tr>\n")
    table = (f'<table class="briefs">\n<thead><tr><th>Brief</th><th>State</th><th>Outputs and figures</th></tr>'
             f"</thead>\n<tbody>\n{rows}</tbody>\n</table>\n")
    body = (f'<body data-page="index" data-version="{version}">\n'
            f'<header class="bar" id="bar"><strong>briefkit serve</strong> <span class="where">'
            f'{escape(str(root))}</span> <span id="live" class="live">connecting</span></header>\n'
            f'<main id="main">\n{table}{_problem_list(problems, root, "In the workspace")}</main>\n</body>\n</html>\n')
    return _HEAD.format(title=escape(f"briefkit serve: {root.name}")) + body


def _row(state: BriefState, root: Path) -> str:
    outputs = "".join(f'<div class="output"><span class="title">{escape(o.title)}</span> {_figures(o)}</div>'
                      for o in state.outputs) or '<span class="none">none yet</span>'
    counts = [plural(n, kind) for kind, n in _counts(state.problems).items() if n]
    detail = f' <span class="counts">{escape(", ".join(counts))}</span>' if counts else ""
    return (f'<tr class="brief"><td><a href="{escape(brief_url(state.name))}">{escape(state.name)}</a></td>'
            f'<td><span class="state state-{state.state}">{state.state}</span>{detail}</td>'
            f"<td>{outputs}</td></tr>\n")


def _counts(problems: Iterable[Problem]) -> dict[str, int]:
    found = {"error": 0, "warning": 0}
    for problem in problems:
        found[problem.severity] = found.get(problem.severity, 0) + 1
    return found


def _figures(output: Output) -> str:
    parts = []
    for figure in output.figures:
        limit = f" <span class=\"limit\">({escape(figure.limit)})</span>" if figure.limit else ""
        over = " over" if figure.over else ""
        parts.append(f'<span class="figure{over}" title="{escape(figure.what)}">{escape(figure.value)}{limit}</span>')
    return " ".join(parts)


def brief_page(root: Path, state: BriefState, index: int, workspace: Sequence[Problem], pdf: bool,
               layers: Sequence[Path]) -> str:
    """A brief: the bar (outputs, figures, downloads, warnings), the problems overlay and the page's frame."""
    problems = problems_of(state, workspace)
    output = state.outputs[index] if index < len(state.outputs) else None
    tabs = " ".join(_tab(state.name, o, i, i == index) for i, o in enumerate(state.outputs)) \
        if len(state.outputs) > 1 else ""
    downloads = ""
    if output is not None:
        alone = brief_url(state.name, f"/page?output={index}")
        word = brief_url(state.name, f"/{quote(output.stem, safe='')}.docx")
        downloads = (f'<a href="{escape(alone)}" target="_blank" title="the page alone, to print">Page only</a> '
                     f'<a class="download" href="{escape(word)}">Word</a>')
        if pdf:
            made = brief_url(state.name, f"/{quote(output.stem, safe='')}.pdf")
            downloads += f' <a class="download" href="{escape(made)}" title="made by LibreOffice when asked">PDF</a>'
    warnings = [p for p in problems if p.severity != "error"]
    listed = ""
    if warnings:
        items = "".join(f"<li>{escape(p.format(root))}</li>" for p in warnings)
        listed = f'<details class="warnings"><summary>{plural(len(warnings), "warning")}</summary><ul>{items}</ul>' \
                 "</details>"
    stale = ' <span class="stale">showing the last page that built</span>' if state.failed and output else ""
    bar = (f'<a href="/">all briefs</a> <strong class="name">{escape(state.name)}</strong> '
           f'<span class="state state-{state.state}">{state.state}</span>{stale} {tabs} '
           f'{_figures(output) if output else ""} {downloads} {listed} '
           f'<span id="live" class="live">connecting</span>')
    src = brief_url(state.name, f"/page?output={index}")
    title = output.title if output else state.name
    body = (f'<body data-page="brief" data-brief="{escape(state.name)}" data-version="{state.version}">\n'
            f'<header class="bar" id="bar">{bar}</header>\n<div class="view">\n'
            f"{overlay(problems, root, layers, _note(state, output))}\n"
            f'<iframe id="page" src="{escape(src)}" sandbox="{FRAME_SANDBOX}" title="{escape(title)}"></iframe>\n'
            f"</div>\n</body>\n</html>\n")
    return _HEAD.format(title=escape(f"{title}: briefkit serve")) + body


def _tab(brief: str, output: Output, index: int, current: bool) -> str:
    """An output's tab: its job's name without the brief's (`csw`, `third-committee`, `fra-csw-2`)."""
    label = output.name.removeprefix(f"{brief}-") or output.name
    mark = ' class="current"' if current else ""
    return f'<a href="{escape(brief_url(brief, f"?output={index}"))}"{mark}>{escape(label)}</a>'


def missing_brief_page(name: str) -> str:
    """A brief that is not (or no longer) in the workspace: said in the bar; the page comes back with the file."""
    bar = (f'<a href="/">all briefs</a> <strong class="name">{escape(name)}</strong> '
           f'<span class="state state-failed">not in the workspace</span> <span class="gone">no brief file by this '
           f'name (deleted or renamed?); this page shows it again as soon as it is back</span> '
           f'<span id="live" class="live">connecting</span>')
    body = (f'<body data-page="brief" data-brief="{escape(name)}" data-version="gone">\n'
            f'<header class="bar" id="bar">{bar}</header>\n<div class="view">\n<div id="overlay" class="overlay" '
            f'data-key="" hidden></div>\n</div>\n</body>\n</html>\n')
    return _HEAD.format(title=escape(f"{name}: briefkit serve")) + body


def _note(state: BriefState, output: Output | None) -> str:
    if output is None:
        return "nothing has built yet"
    return "the page below is the last one that built" if state.failed else ""


def overlay(problems: Sequence[Problem], root: Path, layers: Sequence[Path], note: str = "") -> str:
    """The errors, each with its file and line, message, hint and the source lines around it."""
    errors = [p for p in problems if p.severity == "error"]
    if not errors:
        return '<div id="overlay" class="overlay" data-key="" hidden></div>'
    items = "".join(_problem(p, root, layers) for p in errors)
    key = hashlib.sha256("\n".join(p.format(root) for p in errors).encode()).hexdigest()[:16]
    return (f'<div id="overlay" class="overlay" role="alert" data-key="{key}"><div class="head">'
            f'<strong>{plural(len(errors), "problem")}</strong> <span>{escape(note)}</span> '
            f'<button type="button" id="hide">Hide</button></div>\n{items}</div>')


def _problem(problem: Problem, root: Path, layers: Sequence[Path]) -> str:
    where = display_path(problem.path, root) if problem.path else "briefkit"
    if problem.line:
        where += f":{problem.line}"
    hint = f'<p class="hint">{escape(problem.hint)}</p>' if problem.hint else ""
    lines = source_lines(problem.path, problem.line, [root, *layers]) if problem.path and problem.line else []
    source = ""
    if lines:
        width = len(str(lines[-1][0]))
        shown = "".join(f'<span class="line{" at" if number == problem.line else ""}">'
                        f"{str(number).rjust(width)} | {escape(text)}</span>" for number, text in lines)
        source = f'<pre class="source">{shown}</pre>'
    return (f'<section class="problem"><p class="where">{escape(where)}</p><p class="message">'
            f'{escape(problem.message)}</p>{hint}{source}</section>\n')


def source_lines(path: Path, line: int, roots: Sequence[Path]) -> list[tuple[int, str]]:
    """The lines around `line` of a file the build read (inside the workspace or one of its layers; not too
    large), numbered; none if it cannot be shown."""
    try:
        resolved = path.resolve()
        if not any(resolved.is_relative_to(r.resolve()) for r in roots) or not resolved.is_file():
            return []
        if resolved.stat().st_size > MAX_SOURCE:
            return []
        text = resolved.read_bytes().decode("utf-8", errors="replace")
    except (OSError, RuntimeError):
        return []
    lines = text.split("\n")
    first, last = max(1, line - AROUND), min(len(lines), line + AROUND)
    return [(number, _clip(lines[number - 1])) for number in range(first, last + 1)]


def _clip(text: str) -> str:
    text = text.rstrip("\r").replace("\t", "    ")
    return text if len(text) <= MAX_LINE else text[:MAX_LINE] + " …"


def _problem_list(problems: Sequence[Problem], root: Path, heading: str) -> str:
    if not problems:
        return ""
    items = "".join(f'<li class="{p.severity}">{escape(p.format(root))}</li>' for p in problems)
    return f'<section class="problems"><h2>{escape(heading)}</h2><ul>{items}</ul></section>\n'


PAGE_HEAD = '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{title}</title>\n' \
            "<style>body {{ font-family: sans-serif; margin: 3em auto; max-width: 36em; color: #333; }}</style>\n" \
            "</head>\n"


def placeholder_page(state: BriefState) -> str:
    """The page frame of a brief with nothing to show yet (its first build running, or failed)."""
    said = "is being built" if not state.built else "has not built yet: the problems above say why"
    return (PAGE_HEAD.format(title=escape(state.name)) + f'<body data-placeholder="1">\n<p>{escape(state.name)} '
            f"{said}.</p>\n</body>\n</html>\n")


def message_page(title: str, lines: Iterable[str]) -> str:
    """A short page of our own: not found, a document that cannot be made, a refused request."""
    items = "".join(f"<p>{escape(line)}</p>\n" for line in lines)
    return PAGE_HEAD.format(title=escape(title)) + f"<body>\n<h1>{escape(title)}</h1>\n{items}</body>\n</html>\n"
