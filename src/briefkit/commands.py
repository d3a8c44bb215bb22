"""What each command does, on top of the pipeline."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from briefkit.batch import brief_files
from briefkit.batch import build as run_build
from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean, plural, report_problems, shown
from briefkit.measure import WORDS_PER_MINUTE, duration
from briefkit.workspace import Workspace

if TYPE_CHECKING:
    from briefkit.compose import Composed

# The commands import what only they use inside them: `build` with nothing to rebuild loads none of it.

STARTER = Path(__file__).resolve().parent / "starter"


def build(root: Path, names: Sequence[str], formats: tuple[str, ...] | None, out: Path | None,
          committee: str | None, strict: bool, jobs: int = 1, force: bool = False, debug: bool = False) -> int:
    """Build briefs: progress while rendering, one line per file written and per problem, then a summary."""
    started = time.monotonic()
    ws = Workspace.open(root)
    progress = Progress(started)
    report = run_build(ws, names, formats, out, committee, jobs, force, progress, debug)
    progress.done()
    for path in report.written:
        print(f"wrote {_shown(path, ws.root)}")
    for composed in report.composed:
        if composed.spoken_words is not None:
            print(f"{composed.job.name}: {_timing(composed)}")
    failed = report_problems(report.problems, ws.root, strict)
    summary = (f"{len(report.built)} built, {len(report.skipped)} unchanged, {len(report.failed)} failed; "
               f"{plural(len(report.written), 'file')} written in {time.monotonic() - started:.1f} s")
    if report.failed:
        summary += f" (failed: {', '.join(report.failed)})"
    elif failed:  # no brief failed, yet the run did: say why (a broken snippet no brief uses, a warning --strict)
        errors = len(shown(report.problems.errors))
        summary += f"; {plural(errors, 'error')} above" if errors else "; warnings above fail --strict"
    print(summary)
    return 1 if failed else 0


class Progress:
    """A bar with counts and time left on a terminal (stderr); a plain line per brief on stdout otherwise."""

    def __init__(self, started: float, stream: TextIO | None = None):
        self.stream = stream or sys.stderr
        self.started = started
        self.tty = self.stream.isatty()
        self.shown = False

    def __call__(self, done: int, total: int, name: str) -> None:
        elapsed = time.monotonic() - self.started
        if not self.tty:
            print(f"[{done}/{total}] {name}")
            return
        left = elapsed / done * (total - done)
        width = 30
        filled = width * done // total
        bar = "#" * filled + "-" * (width - filled)
        self.stream.write(f"\r[{bar}] {done}/{total} briefs, {left:.0f} s left ")
        self.stream.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * 70 + "\r")
            self.stream.flush()


def check(root: Path, names: Sequence[str], committee: str | None, strict: bool, today: dt.date,
          debug: bool = False) -> int:
    """Validate the library and every brief completely, building each as a build does; write nothing."""
    from briefkit.batch import check as check_briefs
    from briefkit.checks import check_freshness, check_library
    from briefkit.pipeline import Session

    ws = Workspace.open(root)
    problems = Problems()
    session = Session(ws, problems)
    check_library(session.library, today, problems)
    check_freshness(session.library, ws, problems)
    report = check_briefs(session, brief_files(ws, names, problems), committee, debug)
    failed = report_problems(problems, ws.root, strict)
    print(f"checked {plural(len(session.library.snippets), 'snippet')}, "
          f"{plural(len(session.library.sources), 'source')} and {plural(len(report.composed), 'output')}: "
          f"{plural(len(shown(problems.errors)), 'error')}, {plural(len(shown(problems.warnings)), 'warning')}")
    return 1 if failed else 0


def serve(root: Path, names: Sequence[str], port: int, open_browser: bool, debug: bool = False) -> int:
    """Serve the live preview until Ctrl-C; a port in use is one line and exit status 1 (the command was right,
    the machine's state stopped it, as with an output folder that cannot be written)."""
    from briefkit.serve import run
    from briefkit.serve.server import ServeError

    try:
        return run(root, names, port, open_browser, debug)
    except ServeError as err:
        print(f"briefkit: error: {err}", file=sys.stderr)
        return 1


def _timing(composed: Composed) -> str:
    from briefkit.checks import limits_for

    limits = limits_for(composed)
    limit = f" (limit {duration(limits.minutes * 60)})" if limits.minutes else ""
    unit = composed.language.count if composed.language else "words"
    rate = round(composed.language.speaking_rate if composed.language else WORDS_PER_MINUTE)
    return (f"{composed.spoken_words} {unit}, about {duration(composed.speaking_seconds or 0)} at {rate} {unit} a "
            f"minute{limit}")


def list_items(root: Path, what: str, tags: Sequence[str]) -> int:
    """Print one line per item: its name and a short description."""
    from briefkit.model import KINDS
    from briefkit.pipeline import Session

    rows: list[tuple[str, str]] = []
    if what == "libraries":
        rows = list_libraries(root)
    ws = Workspace.open(root)
    if what == "kinds":
        rows = [(kind, str(ws.find("templates", kind, ".md.j2") or "no template")) for kind in KINDS]
    elif what in ("committees", "conferences"):
        rows = [(name, _shown(path, ws.root)) for name, path in ws.names(f"templates/{what}", ".yaml").items()]
    elif what != "libraries":
        problems = Problems()
        library = Session(ws, problems).library
        if what == "snippets":
            rows = [(s.id, f"{s.title}  [{', '.join(s.tags)}]") for s in library.snippets.values()
                    if set(tags) <= set(s.tags)]
        elif what == "sources":
            rows = [(s.key, f"{s.author}, {s.title} ({s.issued})") for s in library.sources.values()]
        else:
            rows = [(f.key, f"{f.text}  ({f.source}, as of {f.as_of})") for f in library.facts.values()]
        report_problems(problems, ws.root, strict=False)
    width = max((len(name) for name, _ in rows), default=0)
    for name, text in rows:
        print(f"{name.ljust(width)}  {text}")
    return 0


def new(root: Path, name: str, country: str, committee: str, kind: str | None, conference: str,
        language: str | None = None) -> int:
    """Write briefs/NAME.yaml: the shortest brief that builds."""
    from briefkit.model import KINDS
    from briefkit.profiles import load_committee, load_country

    ws = Workspace.open(root)
    if not re.fullmatch(r"[\w][\w.-]{0,100}", name) or name.endswith("."):
        raise BriefkitError([Problem(None, None, f"brief name '{name}' must be a plain file name (letters, digits, "
                                     "'-', '_' and '.', at most 100 characters); the brief is written in briefs/")])
    path = ws.briefs_dir / f"{name}.yaml"
    if path.exists() or path.is_symlink():
        raise BriefkitError([Problem(path, None, "brief already exists", "choose another name")])
    problems = Problems()
    found = load_country(ws, country, path, None, problems)
    profile = load_committee(ws, committee, path, None)
    kind = kind or profile.default_kind
    if kind not in KINDS:
        raise BriefkitError([Problem(None, None, f"unknown kind '{kind}'", did_you_mean(kind, KINDS))])
    tag = ""
    if language is not None:
        from briefkit.schema import LANGUAGE, At

        tag = LANGUAGE.check(language, At(None, None, "--language"), problems) or ""  # type: ignore[arg-type]
        problems.raise_errors()
    text = (f"kind: {kind}\ncountry: {found.code}\ncommittee: {profile.id}\nconference: {conference}\n"
            + (f"language: {tag}\n" if tag else "") + "topic: Your agenda topic\n")
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.parent.resolve().is_relative_to(ws.root):
        raise BriefkitError([Problem(path.parent, None, "briefs/ is a link out of the workspace; not writing there")])
    with open(path, "x", encoding="utf-8") as handle:  # never through a link planted at that name
        handle.write(text)
    report_problems(problems, ws.root, strict=False)
    print(f"wrote {_shown(path, ws.root)}: edit the topic, then run: briefkit {name}")
    return 0


def init(target: Path, libraries: Sequence[str], ask: bool) -> int:
    """Create a workspace that builds at once: a brief, a snippet with its source, and a briefkit.yaml naming the
    libraries chosen (`--library`, or asked for on a terminal)."""
    from briefkit.workspace import CONFIG, builtin_libraries, load_library_info

    if target.exists() and any(target.iterdir()):
        raise BriefkitError([Problem(target, None, "folder is not empty", "choose a new folder")])
    available = builtin_libraries()
    if not libraries and ask:
        libraries = _ask_libraries(available)
    for name in libraries:
        if name not in available and not (Path(name) / "library.yaml").is_file():
            raise BriefkitError([Problem(None, None, f"unknown library '{name}'", did_you_mean(name, available) or
                                         "built-in libraries: " + ", ".join(available))])
    shutil.copytree(STARTER, target, dirs_exist_ok=True)
    (target / "templates").mkdir(exist_ok=True)
    names = [name if name in available else str(Path(name).resolve()) for name in libraries]
    shown = "[" + ", ".join(names) + "]"
    (target / CONFIG).write_text(
        "# The snippet libraries this workspace uses, in lookup order: a built-in library's name or a folder.\n"
        f"# Built-in: {', '.join(available) or 'none'} (briefkit list libraries).\n"
        f"libraries: {shown}\nlanguage: en-GB\nconference: generic\n", encoding="utf-8")
    brief = target / "briefs" / "example.yaml"
    text = brief.read_text(encoding="utf-8")
    if libraries:  # sections the libraries fill by tag
        text += "".join(f"      - heading: {heading}\n        tags: [{tag}]\n" for heading, tag in
                        _starter_sections(target))
    brief.write_text(text, encoding="utf-8")
    titles = [str(load_library_info(available[n] / "library.yaml")["title"]) if n in available else n
              for n in libraries]
    using = f"{'library' if len(titles) == 1 else 'libraries'} {', '.join(titles)}" if titles else "no library"
    print(f"created workspace {target} with {using}: cd {target} && briefkit")
    return 0


USUAL_SECTIONS = (("Background", "context"), ("International framework", "instrument"),
                  ("Recommendations", "recommendation"))


def _starter_sections(root: Path) -> list[tuple[str, str]]:
    """Sections (heading, tag) for the example brief that the workspace's libraries fill: the usual three where
    their snippets carry those tags, else the three tags their snippets use most (a library of its own making
    need not follow briefkit's tag names). Snippets limited to some countries or committees are not counted."""
    from collections import Counter

    from briefkit.library import load_library

    library = load_library(Workspace.open(root), Problems())
    counts = Counter(tag for snippet in library.snippets.values() if not snippet.internal and not snippet.when
                     and not snippet.path.is_relative_to(root.resolve() / "snippets") for tag in snippet.tags)
    usual = [(heading, tag) for heading, tag in USUAL_SECTIONS if counts[tag]]
    if usual:
        return usual
    return [(tag.replace("-", " ").capitalize(), tag) for tag, _ in counts.most_common(3)]


def _ask_libraries(available: dict[str, Path]) -> list[str]:
    """Ask on the terminal which built-in libraries the new workspace uses."""
    if not available:
        return []
    print("Built-in snippet libraries:")
    for name in available:
        print(f"  {name}")
    answer = input("Use which (names separated by commas; Enter for none)? ").strip()
    return [part.strip() for part in answer.split(",") if part.strip()]


def list_libraries(root: Path) -> list[tuple[str, str]]:
    """The built-in libraries and those the workspace names: name, title, version, as-of date, use."""
    from briefkit.workspace import LIBRARY_FILE, builtin_libraries, load_library_info

    ws = Workspace.open(root)
    used = {layer.root for layer in ws.snippet_layers}
    folders = {layer.root for layer in ws.snippet_layers if (layer.root / LIBRARY_FILE).is_file()}
    rows = []
    for folder in [*builtin_libraries().values(), *sorted(folders - set(builtin_libraries().values()))]:
        info = load_library_info(folder / LIBRARY_FILE)
        state = "used by this workspace" if folder.resolve() in used else "not used"
        rows.append((str(info["name"]), f"{info['title']} (version {info.get('version', '-')}, as of "
                     f"{info['as_of']}; {state})"))
    return rows


def _shown(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)
