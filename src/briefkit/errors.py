"""Problems a user can act on: one line each, `path:line: severity: message (hint)`."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

# A problem is one line: characters that end a line anywhere (str.splitlines, editors) are shown escaped.
_ONE_LINE = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


@dataclass(frozen=True)
class Problem:
    """One error or warning, located in a user's file."""

    path: Path | None
    line: int | None
    message: str
    hint: str | None = None
    severity: str = "error"
    once: str | None = None  # problems with the same `once` key are reported once per run

    def format(self, root: Path | None = None) -> str:
        where = display_path(self.path, root) if self.path else "briefkit"
        if self.line:
            where = f"{where}:{self.line}"
        text = f"{where}: {self.severity}: {self.message}"
        text = f"{text} ({self.hint})" if self.hint else text
        return _ONE_LINE.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


def display_path(path: Path, root: Path | None) -> str:
    """The path as the user knows it: relative to the workspace (or the current folder), links not followed."""
    for base in (root, Path.cwd()):
        if base is not None:
            for candidate, folder in ((path.absolute(), base.absolute()), (path.resolve(), base.resolve())):
                try:
                    return str(candidate.relative_to(folder))
                except ValueError:
                    continue
    return str(path)


class BriefkitError(Exception):
    """Raised when a stage cannot go on; carries every problem found so far."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("; ".join(p.format() for p in self.problems))


@dataclass
class Problems:
    """Collects problems across a stage, so a user sees all of them at once."""

    items: list[Problem] = field(default_factory=list)

    def error(self, path: Path | None, line: int | None, message: str, hint: str | None = None) -> None:
        self.items.append(Problem(path, line, message, hint, "error"))

    def warn(self, path: Path | None, line: int | None, message: str, hint: str | None = None,
             once: str | None = None) -> None:
        self.items.append(Problem(path, line, message, hint, "warning", once))

    def extend(self, problems: Iterable[Problem]) -> None:
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.severity == "warning"]

    def raise_errors(self) -> None:
        """Stop the stage if anything went wrong."""
        if self.errors:
            raise BriefkitError(self.errors)


def did_you_mean(word: str, choices: Iterable[str]) -> str | None:
    """A hint naming the nearest choice, or None if nothing is close."""
    import difflib  # only when a name is wrong

    close = difflib.get_close_matches(word, [c for c in choices if c != word], n=1, cutoff=0.6)
    return f"did you mean {close[0]}?" if close else None


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 file', '2 files', '0 warnings'."""
    return f"{count} {word if count == 1 else many or word + 's'}"


def shown(problems: Iterable[Problem]) -> list[Problem]:
    """The problems a run shows: one marked `once` only the first time (the same warning from another brief)."""
    seen: set[str] = set()
    found = []
    for problem in problems:
        if problem.once is not None:
            if problem.once in seen:
                continue
            seen.add(problem.once)
        found.append(problem)
    return found


def print_problems(problems: Iterable[Problem], root: Path | None) -> None:
    """Print problems to stderr, one line each; a problem marked `once` only the first time in the run."""
    for problem in shown(problems):
        print(problem.format(root), file=sys.stderr)


def report_problems(problems: Problems, root: Path, strict: bool) -> bool:
    """Print every problem; True if the run must fail."""
    print_problems(problems.items, root)
    return bool(problems.errors) or (strict and bool(problems.warnings))
