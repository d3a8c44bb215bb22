"""The command line: build, check, list, new, init. `python build.py` and `briefkit` both call `main`."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from briefkit import __version__
from briefkit.errors import BriefkitError, Problem, print_problems

COMMANDS = ("build", "check", "list", "new", "init", "serve")
EPILOG = """examples (in a workspace made by `briefkit init`):
  briefkit                                   build every brief in briefs/
  briefkit example --format docx             build one brief (briefs/example.yaml) as Word only
  briefkit check --strict                    validate everything; warnings fail too
  briefkit serve                             live preview at http://127.0.0.1:8000/, rebuilt on every save
  briefkit list                              what can be listed
  briefkit list snippets --tag opening
  briefkit list libraries                    the snippet libraries, and which this workspace uses
  briefkit new france-ccpcj --country FRA --committee ccpcj
  briefkit init my-workspace --library trafficking-women
"""
LISTABLE = {"snippets": "snippets, with their titles and tags (--tag T to filter)",
            "sources": "citable sources", "facts": "figures with their sources and as-of dates",
            "committees": "committee profiles", "conferences": "conference profiles", "kinds": "document kinds",
            "libraries": "snippet libraries: built-in ones and those briefkit.yaml names"}


class UsageError(Exception):
    """A command line that cannot run as given (exit 2)."""


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, not {text!r}")
    return int(text)


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"must be a port number from 0 to 65535, not {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", type=Path, default=Path("."), help="workspace folder (default: .)")
    common.add_argument("--debug", action="store_true", help="show tracebacks for internal errors")
    parser = argparse.ArgumentParser(prog="briefkit", description="Compose sourced snippets into delegate briefs.",
                                     epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"briefkit {__version__}")
    sub = parser.add_subparsers(dest="command")
    build = sub.add_parser("build", parents=[common], help="build briefs (the default command)")
    build.add_argument("briefs", nargs="*", metavar="BRIEF", help="brief names or files (default: all)")
    build.add_argument("--format", help="comma-separated formats: docx,md,txt,html,pdf (default: the brief's or "
                       "conference's)")
    build.add_argument("--committee", help="build only this committee's output")
    build.add_argument("--out", type=Path, help="output folder (default: build/)")
    build.add_argument("--strict", action="store_true", help="treat warnings as errors")
    build.add_argument("--jobs", type=_positive, default=os.cpu_count() or 1,
                       help="worker processes (default: the machine's cores)")
    build.add_argument("--force", action="store_true", help="rebuild briefs whose inputs are unchanged")
    check = sub.add_parser("check", parents=[common], help="validate everything, write nothing")
    check.add_argument("briefs", nargs="*", metavar="BRIEF")
    check.add_argument("--committee", help="check only this committee's output")
    check.add_argument("--strict", action="store_true", help="treat warnings as errors")
    lister = sub.add_parser("list", parents=[common], help="list what the workspace offers")
    lister.add_argument("what", nargs="?", choices=tuple(LISTABLE), help="what to list (default: say what can be)")
    lister.add_argument("--tag", action="append", default=[], help="only snippets with this tag (repeatable)")
    new = sub.add_parser("new", parents=[common], help="scaffold a brief in briefs/")
    new.add_argument("name")
    new.add_argument("--country", required=True)
    new.add_argument("--committee", required=True)
    new.add_argument("--kind", default=None)
    new.add_argument("--conference", default="generic")
    new.add_argument("--language", default=None, help="the brief's language (BCP 47: fr, zh-CN, ar; default: the "
                     "workspace's)")
    init = sub.add_parser("init", parents=[common], help="create a new workspace that builds at once")
    init.add_argument("dir", type=Path)
    init.add_argument("--library", action="append", default=[], metavar="NAME",
                      help="a snippet library the workspace uses (repeatable; see `briefkit list libraries`)")
    serve = sub.add_parser("serve", parents=[common], help="live preview in the browser, rebuilt on every save")
    serve.add_argument("briefs", nargs="*", metavar="BRIEF", help="brief names or files (default: all)")
    serve.add_argument("--port", type=_port, default=8000, help="port on 127.0.0.1 (default: 8000; 0: any free one)")
    serve.add_argument("--open", action="store_true", help="open the index in the web browser")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 failures, 2 usage error)."""
    args_list = _with_command(list(sys.argv[1:] if argv is None else argv))
    try:
        args = _parser().parse_args(args_list)
    except SystemExit as exit_:
        return int(exit_.code or 0)
    previous = signal.signal(signal.SIGTERM, _terminate) if _main_thread() else None
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("briefkit: interrupted; nothing half-written was left behind", file=sys.stderr)
        return 130
    except Terminated:
        print("briefkit: stopped (SIGTERM); nothing half-written was left behind", file=sys.stderr)
        return 143
    except UsageError as err:
        print(f"briefkit: error: {err}", file=sys.stderr)
        return 2
    except BriefkitError as err:
        _print(err.problems, args.root)
        return 1
    except Exception as err:  # noqa: BLE001 - the one place an unexpected failure is turned into a message
        if args.debug:
            raise
        print(f"briefkit: internal error: {type(err).__name__}: {err} (run with --debug for a traceback)",
              file=sys.stderr)
        return 1
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


class Terminated(BaseException):
    """SIGTERM arrived: stop like Ctrl-C (workers stopped, temporary files removed), exit 143."""


def _terminate(signum: int, frame: object) -> None:
    raise Terminated


def _main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


_TAKES_VALUE = ("--root", "--out", "--format", "--committee", "--country", "--kind", "--conference", "--tag",
                "--jobs", "--port")


def _with_command(args: list[str]) -> list[str]:
    """The arguments with the command first: `--root DIR check` is `check --root DIR`; none means build."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        if args[index] in ("-h", "--help", "--version"):
            return args
        index += 2 if args[index] in _TAKES_VALUE else 1
    if index < len(args) and args[index] in COMMANDS:
        return [args[index], *args[:index], *args[index + 1:]]
    return ["build", *args]


def _run(args: argparse.Namespace) -> int:
    from briefkit import commands  # the commands import the pipeline only when they run

    if args.command in ("build", "check", "serve") and not (args.root / "briefs").is_dir():
        raise UsageError(f"{args.root.resolve()} is not a briefkit workspace (it has no briefs/ folder); run it in "
                         "a workspace, pass --root DIR, or make one with `briefkit init DIR`")
    if args.command == "build":
        formats = _formats(args.format) if args.format else None
        return commands.build(args.root, args.briefs, formats, args.out, args.committee, args.strict, args.jobs,
                              args.force, args.debug)
    if args.command == "check":
        return commands.check(args.root, args.briefs, args.committee, args.strict, dt.date.today(), args.debug)
    if args.command == "list":
        if args.what is None:
            width = max(map(len, LISTABLE))
            print("briefkit list WHAT, where WHAT is one of:")
            for name, text in LISTABLE.items():
                print(f"  {name.ljust(width)}  {text}")
            return 0
        return commands.list_items(args.root, args.what, args.tag)
    if args.command == "serve":
        return commands.serve(args.root, args.briefs, args.port, args.open, args.debug)
    if args.command == "new":
        return commands.new(args.root, args.name, args.country, args.committee, args.kind, args.conference,
                            args.language)
    return commands.init(args.dir, args.library, sys.stdin.isatty() and sys.stdout.isatty())


def _formats(text: str) -> tuple[str, ...]:
    """The formats of `--format docx,md`; an unknown one is a usage error."""
    from briefkit.errors import did_you_mean
    from briefkit.model import FORMATS

    formats = tuple(f.strip() for f in text.split(",") if f.strip())
    for fmt in formats:
        if fmt not in FORMATS:
            hint = did_you_mean(fmt, FORMATS)
            raise UsageError(f"unknown format '{fmt}' in --format ({hint + ' ' if hint else ''}"
                             f"available: {', '.join(FORMATS)})")
    if not formats:
        raise UsageError("--format needs at least one format")
    return formats


def _print(problems: Sequence[Problem], root: Path) -> None:
    print_problems(problems, root)
