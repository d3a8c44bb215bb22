"""A build run: which briefs need building, the build, and what it did. Light to import: a run with nothing to
build (the cache says every output is up to date) never loads the composing and rendering modules."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from briefkit.cache import BuildCache
from briefkit.errors import Problems, did_you_mean
from briefkit.output import write_atomic
from briefkit.workspace import Workspace

if TYPE_CHECKING:
    from briefkit.compose import Composed


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
    """The brief files named on the command line (paths or names in briefs/), or all of them."""
    names = list(names)
    available = sorted(ws.briefs_dir.glob("*.yaml")) if ws.briefs_dir.is_dir() else []
    if not names:
        return available
    found = []
    for name in names:
        path = Path(name)
        candidates = [path, ws.root / path, ws.briefs_dir / path, ws.briefs_dir / f"{name}.yaml"]
        hit = next((c for c in candidates if c.is_file()), None)
        if hit is None:
            problems.error(ws.briefs_dir / f"{path.stem}.yaml", None, f"no brief named '{name}'",
                           did_you_mean(path.stem, [p.stem for p in available]))
        else:
            found.append(hit.resolve())
    return found


def build(ws: Workspace, names: Iterable[str] = (), formats: tuple[str, ...] | None = None,
          out_dir: Path | None = None, committee: str | None = None, jobs: int = 1, force: bool = False,
          progress: Callable[[int, int, str], None] | None = None) -> Report:
    """Build briefs: each is composed and rendered completely before any of its files is written.

    Briefs whose inputs are unchanged since their outputs were written are skipped (`force` rebuilds
    them); the others are rendered by `jobs` processes. PDFs, and the page counts of page-limited
    outputs, come from one LibreOffice process for the whole run.
    """
    report = Report()
    out_dir = out_dir or ws.root / "build"
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
        _render(ws, todo, out_dir, cache, report, committee, formats, jobs, progress, skipped, force)
    if committee and not report.composed and not report.failed and not report.skipped:
        known = ws.names("templates/committees", ".yaml")
        hint = did_you_mean(committee, known) if committee not in known else "its briefs name other committees"
        report.problems.error(None, None, f"no brief has the committee '{committee}'", hint)
    return report


def _claim(targets: dict[Path, bytes], brief: Path, claimed: dict[Path, Path], report: Report) -> bool:
    """Claim a brief's output paths for this run; False (and an error naming both briefs) if another brief of the
    run, or another output of the same brief, already writes one of them."""
    seen: set[Path] = set()
    for target in targets:
        owner = claimed.get(target.resolve())
        if owner is not None or target.resolve() in seen:
            other = f"brief '{owner.stem}'" if owner is not None and owner != brief else "another of its outputs"
            report.problems.error(brief, None, f"output {target.name} is also written by {other} in this run",
                                  "give the briefs (or the conference's file-name pattern) names that differ")
            report.failed.append(brief.stem)
            return False
        seen.add(target.resolve())
    claimed.update((target, brief) for target in seen)
    return True


def _render(ws: Workspace, todo: list[Path], out_dir: Path, cache: BuildCache, report: Report, committee: str | None,
            formats: tuple[str, ...] | None, jobs: int, progress: Callable[[int, int, str], None] | None,
            skipped: list[Path], force: bool) -> None:
    """Render the briefs that need it and write their files; the rendering modules are imported only now."""
    from briefkit import citations
    from briefkit.checks import check_limits
    from briefkit.pdf import page_count
    from briefkit.pipeline import BriefResult, make_pdfs, render_each

    citations.MEMO.update(cache.memo(force))  # citations formatted in earlier runs: citeproc may not start at all

    def finish(result: BriefResult, pdfs: dict[str, bytes]) -> None:
        """Check a rendered brief's limits, write its files, and note it in the report and the cache."""
        report.problems.extend(result.problems)
        if result.failed:
            report.failed.append(result.path.stem)
            cache.forget(result.path)
            return
        within, files, limits = True, [], Problems()
        for item in result.items:
            pdf = pdfs.get(item.composed.job.name)
            within &= check_limits(item.composed, limits, page_count(pdf) if pdf else None)
            if item.pdf and pdf:
                item.files["pdf"] = pdf
        targets = {out_dir / f"{item.stem}.{fmt}": data for item in result.items for fmt, data in item.files.items()}
        if not _claim(targets, result.path, claimed, report):
            cache.forget(result.path)
            return
        report.composed.extend(item.composed for item in result.items)
        for target, data in targets.items():
            try:
                write_atomic(target, data)
            except OSError as err:
                report.problems.error(target, None, f"cannot write the output: {err.strerror or err}",
                                      "check that the output folder is a writable folder with free space")
                report.failed.append(result.path.stem)
                cache.forget(result.path)
                return
            report.written.append(target)
            files.append(target.name)
        report.problems.extend(limits.items)
        if not within:
            report.failed.append(result.path.stem)  # written, so the delegate can see what to cut, but reported
            cache.forget(result.path)
            return
        report.built.append(result.path.stem)
        if not files or any(item.pdf and "pdf" not in item.files for item in result.items):
            cache.forget(result.path)  # nothing to keep (a committee filter), or a PDF still to be made
        else:
            cache.record(result.path, files, result.snippets, [*result.problems, *limits.warnings], result.inputs)

    claimed = {(out_dir / name).resolve(): path for path in skipped for name in cache.files(path)}  # output -> brief
    # A brief is written as soon as it is rendered, while the workers go on, unless it waits for the run's
    # one LibreOffice batch (a PDF, or a page count).
    waiting = []
    for result in render_each(ws, todo, committee, formats, jobs, report.problems, progress):
        if any(item.needs_pdf for item in result.items):
            waiting.append(result)
        else:
            finish(result, {})
    pdfs = make_pdfs([item for result in waiting for item in result.items], report.problems)
    for result in waiting:
        finish(result, pdfs)
    if report.written or cache.entries and out_dir.is_dir():
        cache.save(citations.MEMO)
