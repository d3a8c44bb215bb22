"""Worker processes for a parallel build: forked from a warm parent, one task at a time, each death named.

`concurrent.futures` would do the forking, but a worker that dies there breaks the whole pool without saying
which task it held, and the function a worker runs must be reachable through a module global. Here each
worker is forked with the work function in its memory, takes task numbers over a pipe, and sends each result
back (pickled) before it takes the next; the parent knows which task every worker holds, so a worker that
dies is that task's failure, and a new worker takes its place. Workers die with the parent (Linux's parent
death signal, and a check of the parent's pid before each task) and are stopped when the parent stops.
"""

from __future__ import annotations

import os
import pickle
import selectors
import signal
import struct
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")
R = TypeVar("R")
_HEADER = struct.Struct("!Q")


def available() -> bool:
    """Whether this platform can fork workers."""
    return hasattr(os, "fork")


AHEAD = 2  # tasks queued to each worker, so it never waits while the parent writes a result's files


@dataclass
class _Worker:
    pid: int
    tasks: int  # the parent writes task numbers here
    results: int  # and reads results here
    queue: list[int] = field(default_factory=list)  # tasks sent, oldest (the one it is on) first
    buffer: bytes = b""


class Pool(Generic[T, R]):
    """`jobs` forked workers running `work` on `items`; `died(item, reason)` stands in for a lost result."""

    def __init__(self, items: Sequence[T], work: Callable[[T], R], jobs: int, died: Callable[[T, str], R]):
        self.items, self.work, self.jobs, self.died = items, work, jobs, died
        self.workers: dict[int, _Worker] = {}  # by result pipe
        self.parent = os.getpid()

    def results(self) -> Iterator[tuple[int, R]]:
        """(index, result) of every item, as each is ready; workers are stopped when this ends, however."""
        pending = list(range(len(self.items)))
        selector = selectors.DefaultSelector()
        try:
            for _ in range(min(self.jobs, len(pending))):
                self._start(selector)
            for _ in range(AHEAD):
                for idle in list(self.workers.values()):
                    if pending:
                        self._assign(idle, pending)
            while self.workers:
                for key, _ in selector.select():
                    worker = self.workers.get(key.fd)
                    if worker is None:
                        continue  # retired earlier in this round
                    finished = self._read(worker)
                    yield from finished
                    if worker.pid == 0:  # it died: its other queued tasks go back, and a new worker takes them
                        pending[:0] = worker.queue
                        worker.queue = []
                        self._retire(worker, selector)
                        if pending:
                            replacement = self._start(selector)
                            for _ in range(AHEAD):
                                if pending:
                                    self._assign(replacement, pending)
                    elif finished:
                        for _ in finished:
                            if pending:
                                self._assign(worker, pending)  # if it is gone, its pipe says so next
                        if not worker.queue:
                            self._retire(worker, selector)
        finally:
            for worker in list(self.workers.values()):
                self._retire(worker, selector, kill=True)
            selector.close()

    def _start(self, selector: selectors.BaseSelector) -> _Worker:
        task_read, task_write = os.pipe()
        result_read, result_write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the worker
            os.close(task_write)
            os.close(result_read)
            for other in self.workers.values():
                os.close(other.tasks)
                os.close(other.results)
            self._serve(task_read, result_write)
        os.close(task_read)
        os.close(result_write)
        worker = _Worker(pid, task_write, result_read)
        self.workers[result_read] = worker
        selector.register(result_read, selectors.EVENT_READ)
        return worker

    def _serve(self, tasks: int, results: int) -> None:
        """The worker's loop; it never returns (a worker must not run the parent's code after the fork)."""
        code = 0
        try:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops the workers on Ctrl-C
            signal.signal(signal.SIGTERM, signal.SIG_DFL)
            _die_with_parent()
            while True:
                raw = _read_exactly(tasks, 8)
                if raw is None or os.getppid() != self.parent:
                    break
                index = _HEADER.unpack(raw)[0]
                data = pickle.dumps(self.work(self.items[index]), protocol=pickle.HIGHEST_PROTOCOL)
                _write_all(results, _HEADER.pack(len(data)) + data)
        except BaseException:  # noqa: BLE001 - the parent reports the task as lost; nothing may escape a fork
            code = 1
        finally:
            os._exit(code)

    def _assign(self, worker: _Worker, pending: list[int]) -> None:
        task = pending.pop(0)
        worker.queue.append(task)
        try:
            os.write(worker.tasks, _HEADER.pack(task))
        except OSError:
            pass  # it died before it could take the task: its result pipe says so, and the task goes back

    def _read(self, worker: _Worker) -> list[tuple[int, R]]:
        """The results now complete (a read may hold several, or part of one), or the stand-in for the task whose
        worker died."""
        try:
            chunk = os.read(worker.results, 1 << 20)
        except OSError:
            chunk = b""
        if not chunk:  # the worker is gone: the task it was on failed with it
            reason = _exit_reason(worker.pid)
            worker.pid = 0
            if not worker.queue:
                return []
            task = worker.queue.pop(0)
            return [(task, self.died(self.items[task], reason))]
        worker.buffer += chunk
        done = []
        while len(worker.buffer) >= 8 and len(worker.buffer) >= 8 + _HEADER.unpack(worker.buffer[:8])[0]:
            size = _HEADER.unpack(worker.buffer[:8])[0]
            result = pickle.loads(worker.buffer[8:8 + size])  # noqa: S301 - our own forked worker's result
            worker.buffer = worker.buffer[8 + size:]
            done.append((worker.queue.pop(0), result))
        return done

    def _retire(self, worker: _Worker, selector: selectors.BaseSelector, kill: bool = False) -> None:
        selector.unregister(worker.results)
        del self.workers[worker.results]
        os.close(worker.tasks)  # a waiting worker reads the end of its tasks and exits
        os.close(worker.results)
        if worker.pid:
            if kill:
                try:
                    os.kill(worker.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
            os.waitpid(worker.pid, 0)


def _read_exactly(fd: int, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = os.read(fd, size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _exit_reason(pid: int) -> str:
    """How a worker ended, in words."""
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return "it ended unexpectedly"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
        return f"it was killed by signal {name}" + (" (out of memory?)" if number == signal.SIGKILL else "")
    return f"it exited with status {os.WEXITSTATUS(status)}"


def _die_with_parent() -> None:
    """Ask Linux to stop this worker when its parent dies (elsewhere the pid check before each task holds)."""
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
