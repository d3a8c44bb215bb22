"""What the preview shows of a brief: its outputs (pages and figures against the conference's limits), its
problems and its state. Immutable records: the main thread makes new ones, the server's threads read them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.checks import check_limits, estimate_pages, limits_for
from briefkit.compose import Composed
from briefkit.errors import Problem, Problems, plural
from briefkit.measure import count_words, duration


@dataclass(frozen=True)
class Figure:
    """One measure of an output against the conference's limit: '1,234 words', 'limit 1,500'."""

    what: str
    value: str
    limit: str | None = None
    over: bool = False


@dataclass(frozen=True, eq=False)
class Output:
    """One output of a brief (a committee's paper), as the browser shows it."""

    name: str  # the job's name, e.g. china-csw-csw
    title: str
    stem: str  # its file name without the extension, as `build` writes it
    html: bytes
    docx: bytes | None  # made with the page when a page limit needs it, else on request
    composed: Composed
    pages: int | None = None  # counted on a PDF made on request
    figures: tuple[Figure, ...] = field(default=(), init=False)
    limits: tuple[Problem, ...] = field(default=(), init=False)  # limits it breaks, as `build` reports them

    def __post_init__(self) -> None:
        problems = Problems()
        check_limits(self.composed, problems, self.pages)
        object.__setattr__(self, "figures", figures(self.composed, self.pages))
        object.__setattr__(self, "limits", tuple(problems.items))


@dataclass(frozen=True)
class BriefState:
    """A brief as last built: its outputs (the last good ones if this build failed) and its problems."""

    name: str
    path: Path
    version: int = 0
    outputs: tuple[Output, ...] = ()
    own: tuple[Problem, ...] = ()  # the build's problems
    built: bool = False  # False until its first build is done
    failed: bool = False  # the last build failed: the outputs, if any, are an earlier build's

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The build's problems, then the limits its outputs break (as `build` reports them)."""
        return self.own if self.failed else (*self.own, *(p for o in self.outputs for p in o.limits))

    @property
    def state(self) -> str:
        """building, built, warnings or failed (a build error, or a limit broken: `build` fails it too)."""
        if not self.built:
            return "building"
        problems = self.problems
        if self.failed or any(p.severity == "error" for p in problems):
            return "failed"
        return "warnings" if problems else "built"

    def output(self, stem: str) -> Output | None:
        return next((o for o in self.outputs if o.stem == stem), None)


def figures(composed: Composed, pages: int | None = None) -> tuple[Figure, ...]:
    """Words, speaking time (speeches) and pages of an output, each against the conference's limit; pages by a
    word-count estimate until a PDF is made (on request), then counted on it."""
    limits = limits_for(composed)
    words = count_words(composed.text)
    unit = composed.language.count if composed.language else "words"  # characters for Chinese
    found = [Figure(unit, f"{words:,} {unit}", f"limit {limits.words:,}" if limits.words else None,
                    bool(limits.words and words > limits.words))]
    seconds = composed.speaking_seconds
    if seconds is not None:
        limit = limits.minutes * 60 if limits.minutes else None
        found.append(Figure("speaking time", f"about {duration(seconds)}",
                            f"limit {duration(limit)}" if limit else None, bool(limit and seconds > limit)))
    page_limit = f"limit {limits.pages}" if limits.pages else None
    if pages is not None:
        counted = pages - composed.appendix_pages
        found.append(Figure("pages", f"{plural(counted, 'page')} (counted on the PDF)", page_limit,
                            bool(limits.pages and counted > limits.pages)))
    else:
        estimate = estimate_pages(composed)
        found.append(Figure("pages", f"about {estimate:.1f} pages (estimate)", page_limit,
                            bool(limits.pages and estimate > limits.pages)))
    return tuple(found)


def problems_of(state: BriefState, workspace: Iterable[Problem]) -> list[Problem]:
    """What a brief's page shows: its own problems, then the workspace's errors (a broken snippet, settings)."""
    return [*state.problems, *(p for p in workspace if p.severity == "error")]
