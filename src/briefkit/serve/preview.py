"""The live preview's state: every brief built in memory as HTML, rebuilt when a file it depends on changes
(depends.py), with its problems and its figures against the conference's limits.

Briefs are built on the main thread, where the sandbox bounds each composition's time and memory; the web
server's threads read the published state (immutable records, swapped under a lock) and hand the main thread
what must be built for them (a Word document or PDF on request). Nothing is written to the workspace: pages
and documents stay in memory, a PDF is made in a temporary folder.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TypeVar

from briefkit.batch import brief_files
from briefkit.cache import BuildCache
from briefkit.depends import Dependencies
from briefkit.errors import BriefkitError, Problem, Problems
from briefkit.library import reload_snippet
from briefkit.pipeline import Session, build_brief
from briefkit.serve.state import BriefState, Output
from briefkit.workspace import Workspace

T = TypeVar("T")


class Preview:
    """The briefs of a workspace, kept built; `run` is the main thread's loop."""

    def __init__(self, root: Path, names: Sequence[str] = (), debug: bool = False):
        self.root = root
        self.names = tuple(names)
        self.debug = debug
        self.lock = threading.Condition()
        self.tasks: queue.SimpleQueue[Callable[[], None] | set[Path]] = queue.SimpleQueue()
        self.briefs: dict[str, BriefState] = {}  # published: read by the server's threads under the lock
        self.problems: tuple[Problem, ...] = ()  # the workspace's own (settings, library, finding briefs)
        self.version = 0
        self.viewers: Counter[str] = Counter()
        self.closed = False
        self.on_reopen: Callable[[], None] | None = None  # the watcher follows the workspace's folders
        self.memo = BuildCache.memo()  # citations formatted in earlier runs (read, never written here)
        self.ws = Workspace.open(root)  # a bad briefkit.yaml at the start is the command's error
        self._load(again=False)
        self.paths: dict[str, Path] = {}
        self.finding: tuple[Problem, ...] = ()  # problems finding the briefs (a name given that is not there)
        self.dirty: set[Path] = set()
        self._find_briefs()
        self._publish_problems()

    # The main thread --------------------------------------------------------------------------------

    def run(self) -> None:
        """Build what is out of date (briefs being viewed first), then wait for changes and requests."""
        while not self.closed:
            self._build_dirty()
            try:
                task = self.tasks.get(timeout=0.5)
            except queue.Empty:
                continue
            self._do(task)

    def _do(self, task: Callable[[], None] | set[Path]) -> None:
        if isinstance(task, set):
            self._changed(task)
        else:
            task()

    def _drain(self) -> None:
        while True:
            try:
                task = self.tasks.get_nowait()
            except queue.Empty:
                return
            self._do(task)

    def _build_dirty(self) -> None:
        while self.dirty and not self.closed:
            self._drain()  # an edit made meanwhile, or a download asked for, before the next brief
            with self.lock:
                viewed = {self.paths[name] for name in self.viewers if name in self.paths}
            waiting = sorted(self.dirty, key=lambda path: (path not in viewed, path.stem))
            if not waiting:
                return
            self.dirty.discard(waiting[0])
            self._build(waiting[0])

    def _load(self, again: bool = True) -> None:
        """Load the library (again) and note every snippet's front matter."""
        if again:
            _forget_styles()
        self.session = Session(self.ws, Problems(), keep_compiled=True, memo=self.memo)
        self.deps = Dependencies(self.ws)

    def _changed(self, paths: set[Path]) -> None:
        """Files changed: reopen, reload or reread what they touch, and mark the briefs they affect."""
        impact = self.deps.affected(paths)
        if impact.settings:
            try:
                self.ws = Workspace.open(self.root)
            except BriefkitError as err:
                self.session.problems = Problems(err.problems)  # shown until briefkit.yaml is fixed
                self._fail_all()
                return
            if self.on_reopen is not None:
                self.on_reopen()
        if impact.everything:
            self._load()
            self.dirty.update(self.paths.values())
        else:
            for snippet_id, path in impact.snippets.items():
                problems = Problems()
                library = reload_snippet(self.session.library, self.ws, snippet_id, path, problems)
                self.session.use_library(library)
                kept = [p for p in self.session.problems.items if p.path != path]
                self.session.problems = Problems([*kept, *problems.items])
            self.dirty.update(impact.briefs)
        self._find_briefs()
        self._publish_problems()

    def _find_briefs(self) -> None:
        """The briefs named on the command line, or all in briefs/: new ones are built, gone ones dropped."""
        problems = Problems()
        paths = {path.stem: path for path in brief_files(self.ws, self.names, problems)}
        self.finding = tuple(problems.items)
        for name in set(self.paths) - set(paths):
            self.deps.forget(self.paths[name])
            self.dirty.discard(self.paths[name])
            self._publish(name, None)
        for name, path in paths.items():
            if name not in self.paths or self.paths[name] != path:
                self.dirty.add(path)
                with self.lock:
                    known = name in self.briefs
                if not known:
                    self._publish(name, BriefState(name, path))
        self.paths = paths

    def _build(self, path: Path) -> None:
        """Build one brief as HTML in memory and publish it (a failure keeps the last good pages)."""
        name = path.stem
        result = build_brief(self.session, path, None, ("html",), self.debug)
        self.deps.record(path, None if result.failed else result.snippets, result.inputs)
        outputs = tuple(Output(item.composed.job.name, item.composed.title, item.stem, item.files["html"], item.docx,
                               item.composed) for item in result.items)
        with self.lock:
            old = self.briefs.get(name)
        if result.failed:
            outputs = old.outputs if old is not None else ()
        self._publish(name, BriefState(name, path, 0, outputs, tuple(result.problems), True, result.failed))

    def _fail_all(self) -> None:
        """Every brief failed with the workspace (its settings): shown at each, until fixed."""
        for name, path in self.paths.items():
            with self.lock:
                old = self.briefs.get(name)
            self.deps.record(path, None)
            self._publish(name, BriefState(name, path, 0, old.outputs if old else (), (), True, True))
        self._publish_problems()

    # Publishing, read by the server's threads ----------------------------------------------------------------

    def _publish(self, name: str, state: BriefState | None) -> None:
        with self.lock:
            self.version += 1
            if state is None:
                self.briefs.pop(name, None)
            else:
                self.briefs[name] = replace(state, version=self.version)
            self.lock.notify_all()

    def _publish_problems(self) -> None:
        problems = (*self.session.problems.items, *self.finding)
        with self.lock:
            if problems != self.problems:
                self.problems = problems
                self.version += 1
                self.lock.notify_all()

    def snapshot(self) -> tuple[int, dict[str, BriefState], tuple[Problem, ...]]:
        """The version, every brief's state and the workspace's problems, as published."""
        with self.lock:
            return self.version, dict(self.briefs), self.problems

    def wait(self, seen: int, timeout: float) -> tuple[int, dict[str, int]] | None:
        """Block until something is published after version `seen`: the version and each brief's; None on a
        timeout or when the preview closes."""
        with self.lock:
            self.lock.wait_for(lambda: self.version != seen or self.closed, timeout)
            if self.closed or self.version == seen:
                return None
            return self.version, {name: state.version for name, state in self.briefs.items()}

    @contextmanager
    def viewing(self, name: str | None) -> Iterator[None]:
        """A browser shows this brief: it is built first after an edit."""
        with self.lock:
            if name:
                self.viewers[name] += 1
        try:
            yield
        finally:
            with self.lock:
                if name:
                    self.viewers[name] -= 1
                    if self.viewers[name] <= 0:
                        del self.viewers[name]

    def changed(self, paths: Iterable[Path]) -> None:
        """Files changed (the watcher's thread): the main thread takes them in order."""
        self.tasks.put(set(paths))

    def close(self) -> None:
        with self.lock:
            self.closed = True
            self.lock.notify_all()

    # Documents on request (asked from the server's threads, made on the main thread) -------------------------

    def call(self, function: Callable[[], T], timeout: float = 300) -> T:
        """Run `function` on the main thread, between two briefs' builds, and return its result."""
        future: Future[T] = Future()

        def task() -> None:
            try:
                future.set_result(function())
            except Exception as err:  # noqa: BLE001 - handed to the asking thread, which reports it
                future.set_exception(err)

        self.tasks.put(task)
        return future.result(timeout)

    def document(self, name: str, stem: str, fmt: str) -> bytes | list[Problem] | None:
        """The current DOCX or PDF of one output (None if there is no such output; the problems if the brief does
        not build now). A PDF's page count is then shown against the limit."""
        with self.lock:
            state = self.briefs.get(name)
        output = state.output(stem) if state else None
        if state is None or output is None:
            return None
        if state.failed or not state.built:
            return [p for p in state.problems if p.severity == "error"] or [
                Problem(state.path, None, "the brief does not build now")]
        docx = output.docx
        if docx is None:
            result = build_brief(self.session, state.path, None, ("docx",), self.debug)
            item = next((i for i in result.items if i.stem == stem), None)
            if result.failed or item is None:
                return [p for p in result.problems if p.severity == "error"] or [
                    Problem(state.path, None, "the brief changed; reload the page")]
            docx = item.files["docx"]
        if fmt == "docx":
            return docx
        return self._pdf(state, output, docx)

    def _pdf(self, state: BriefState, output: Output, docx: bytes) -> bytes | list[Problem]:
        """A PDF through LibreOffice (in a temporary folder); its pages are then shown against the limit."""
        from briefkit.pdf import PdfUnavailable, convert, page_count

        try:
            pdf = convert({output.stem: docx})[output.stem]
        except PdfUnavailable as err:
            return [Problem(None, None, f"no PDF made: {err}")]
        with self.lock:
            current = self.briefs.get(state.name)
        if current is not None and current.version == state.version:  # not rebuilt meanwhile
            counted = replace(output, pages=page_count(pdf))
            self._publish(state.name, replace(state, outputs=tuple(counted if o is output else o
                                                                   for o in state.outputs)))
        return pdf


def _forget_styles() -> None:
    """Citation styles are kept for the life of a process (a build's), a workspace's own CSL file among them: read
    them again after a shared file changed, which may be that file."""
    from briefkit import cslstyles

    for kept in (cslstyles.load_style, cslstyles.style_identity):
        kept.cache_clear()
