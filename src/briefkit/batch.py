"""A run: which briefs to build, building each (pipeline.build_brief, in worker processes), the run's one
LibreOffice batch, the limits, and the writing (or, for `check`, no writing). Light to import: a run with
nothing to build (the cache says every output is up to date) never loads the composing and rendering modules.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.cache import BuildCache
from briefkit.errors import Problem, Problems, did_you_mean
from briefkit.output import write_atomic
from briefkit.workspace import Workspace

if TYPE_CHECKING:
    from briefkit.compose import Composed
    from briefkit.pipeline import BriefResult, Session

Progress = Callable[[int, int, str], None]


@dataclass
class Report:
    """What a run did: files written, briefs that failed, every problem."""

    written: list[Path] = field(default_factory=list)
    built: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    problems: Problems = field(default_factory=Problems)
    composed: list[Composed] = field(default_factory=list)


def brief_files(ws: Workspace, names: Iterable[str], problems: Problems) -> list[Path]:
    """The brief files named on the command line (paths or names in briefs/), or all of them. A brief in
    briefs/ that a link takes out of the workspace is refused."""
    names = list(names)
    available = sorted(ws.briefs_dir.glob("*.yaml")) if ws.briefs_dir.is_dir() else []
    hits: list[Path] = []
    for name in names:
        path = Path(name)
        candidates = [path, ws.root / path, ws.briefs_dir / path, ws.briefs_dir / f"{name}.yaml"]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            problems.error(ws.briefs_dir / f"{path.stem}.yaml", None, f"no brief named '{name}'",
                           did_you_mean(path.stem, [p.stem for p in available]))
        else:
            hits.append(hit)
    found = []
    for hit in hits if names else available:
        resolved = hit.resolve()
        if not resolved.is_relative_to(ws.root) and hit.absolute().is_relative_to(ws.root):
            problems.error(hit, None, f"brief '{hit.name}' is a symbolic link to {resolved}, outside the "
                           "workspace; refused", "copy the brief into briefs/ instead of linking to it")
        elif resolved.is_file():
            found.append(resolved)
    return found


def build(ws: Workspace, names: Iterable[str] = (), formats: tuple[str, ...] | None = None,
          out_dir: Path | None = None, committee: str | None = None, jobs: int = 1, force: bool = False,
          progress: Progress | None = None, debug: bool = False) -> Report:
    """Build briefs: each is composed and rendered completely before any of its files is written.

    Briefs whose inputs are unchanged since their outputs were written are skipped (`force` rebuilds
    them); the others are rendered by `jobs` processes. PDFs, and the page counts of page-limited
    outputs, come from one LibreOffice process for the whole run.
    """
    report = Report()
    if out_dir is None:  # the workspace's own build/ (an --out the user types may be anywhere)
        out_dir = ws.root / "build"
        if not out_dir.resolve().is_relative_to(ws.root):
            report.problems.error(out_dir, None, f"build/ is a symbolic link to {out_dir.resolve()}, outside the "
                                  "workspace; nothing was written", "delete the link, or choose a folder with --out")
            return report
    paths = brief_files(ws, names, report.problems)
    cache = BuildCache.open(out_dir, ws, f"{formats}|{committee}")
    todo, skipped = [], []
    for path in paths:
        if not force and cache.fresh(path, out_dir):
            skipped.append(path)
            report.skipped.append(path.stem)
            report.problems.extend(cache.warnings(path))
        else:
            todo.append(path)
    if todo:
        from briefkit.pipeline import Session  # the composing and rendering modules, only now

        session = Session(ws, report.problems, keep_compiled=True, memo=cache.memo())
        resolved = out_dir.resolve()  # once: each output's path is then the folder and its own name
        run = _Run(report, resolved, cache)
        run.claimed.update({resolved / name: path for path in skipped for name in cache.files(path)})
        run.render(session, todo, committee, formats, jobs, progress, debug)
        if report.written or cache.entries and out_dir.is_dir():
            cache.save(session.memo)
    if committee and not report.composed and not report.failed and not report.skipped:
        known = ws.names("templates/committees", ".yaml")
        hint = did_you_mean(committee, known) if committee not in known else "its briefs name other committees"
        report.problems.error(None, None, f"no brief has the committee '{committee}'", hint)
    return report


def check(session: Session, paths: list[Path], committee: str | None, debug: bool = False) -> Report:
    """Build every brief as `build` does (the same function, the same PDF page counts and limits), writing
    nothing."""
    report = Report(problems=session.problems)
    _Run(report, None, None).render(session, paths, committee, None, 1, None, debug)
    return report


@dataclass
class _Run:
    """One run's rendering, limits and writing (`out_dir` None: check only)."""

    report: Report
    out_dir: Path | None
    cache: BuildCache | None
    claimed: dict[Path, Path] = field(default_factory=dict)  # output -> the brief that writes it in this run

    def render(self, session: Session, paths: list[Path], committee: str | None, formats: tuple[str, ...] | None,
               jobs: int, progress: Progress | None, debug: bool) -> None:
        """Build the briefs; each is finished (limits, files) as soon as it is built, unless it waits for the
        run's one LibreOffice batch (a PDF, or a page count)."""
        from briefkit.pipeline import make_pdfs, render_all

        waiting = []
        for result in render_all(session, paths, committee, formats, jobs, progress, debug):
            if self.out_dir is None:
                for item in result.items:
                    item.pdf = False  # check makes a PDF only to count pages
            if any(item.needs_pdf for item in result.items):
                waiting.append(result)
            else:
                self.finish(result, {})
        pdfs = make_pdfs([item for result in waiting for item in result.items], self.report.problems)
        for result in waiting:
            self.finish(result, pdfs)

    def finish(self, result: BriefResult, pdfs: dict[str, bytes]) -> None:
        """Check a built brief's limits, write its files, and note it in the report and the cache."""
        from briefkit.checks import check_limits
        from briefkit.pdf import page_count

        report = self.report
        report.problems.extend(result.problems)
        if result.failed:
            self.fail(result.path)
            return
        within, limits = True, Problems()
        for item in result.items:
            pdf = pdfs.get(item.composed.job.name)
            within &= check_limits(item.composed, limits, page_count(pdf) if pdf else None)
            if item.pdf and pdf:
                item.files["pdf"] = pdf
        report.problems.extend(limits.items)
        report.composed.extend(item.composed for item in result.items)
        files = self.write(result) if self.out_dir is not None else []
        if files is None:
            return
        if not within:
            self.fail(result.path)  # written, so the delegate can see what to cut, but reported
            return
        report.built.append(result.path.stem)
        if self.cache is None:
            return
        if not files or any(item.pdf and "pdf" not in item.files for item in result.items):
            self.cache.forget(result.path)  # nothing to keep (a committee filter), or a PDF still to be made
        else:
            self.cache.record(result.path, files, result.snippets, [*result.problems, *limits.warnings],
                              result.inputs)

    def write(self, result: BriefResult) -> list[str] | None:
        """Write a brief's files; None (and the brief failed) if one clashes with another output or fails."""
        assert self.out_dir is not None
        targets = {self.out_dir / f"{item.stem}.{fmt}": data for item in result.items
                   for fmt, data in item.files.items()}
        if not self.claim(targets, result.path):
            self.fail(result.path)
            return None
        names = []
        for target, data in targets.items():
            try:
                write_atomic(target, data)
            except OSError as err:
                self.report.problems.error(target, None, f"cannot write the output: {err.strerror or err}",
                                           "check that the output folder is a writable folder with free space")
                self.fail(result.path)
                return None
            self.report.written.append(target)
            names.append(target.name)
        return names

    def claim(self, targets: dict[Path, bytes], brief: Path) -> bool:
        """Claim a brief's output paths for this run; False (and an error naming both briefs) if another brief
        of the run, or another output of the same brief, already writes one of them."""
        seen: set[Path] = set()
        for target in targets:
            owner = self.claimed.get(target)
            if owner is not None or target in seen:
                other = f"brief '{owner.stem}'" if owner is not None and owner != brief else "another of its outputs"
                self.report.problems.items.append(Problem(
                    brief, None, f"output {target.name} is also written by {other} in this run",
                    "give the briefs (or the conference's file-name pattern) names that differ"))
                return False
            seen.add(target)
        self.claimed.update((target, brief) for target in seen)
        return True

    def fail(self, brief: Path) -> None:
        self.report.failed.append(brief.stem)
        if self.cache is not None:
            self.cache.forget(brief)
