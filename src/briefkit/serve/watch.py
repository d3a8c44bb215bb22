"""Watching the workspace's folders for saved files (watchfiles: the operating system's notifications, grouped).

Editors save in several steps (a temporary file renamed over the old one, or the old one deleted and written
again; a large file in pieces), so changes are grouped for a few milliseconds and handed over together. What a
change means is decided elsewhere (depends.py), from what is on disk when it is looked at: a file saved half-way
is built as it is (a located problem) and again when the rest arrives.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable, Iterable
from pathlib import Path

import watchfiles

from briefkit.depends import editor_file

STEP_MS = 10  # a change is handed over once no other has come for this long...
DEBOUNCE_MS = 200  # ...or after this long, if changes keep coming


def _wanted(change: watchfiles.Change, path: str) -> bool:
    return not editor_file(Path(path)) and watchfiles.DefaultFilter()(change, path)


class Watcher:
    """A thread handing each group of changed files to `changed`; `follow` changes the folders watched."""

    def __init__(self, folders: Iterable[Path], changed: Callable[[set[Path]], None]):
        self.folders = _outermost(folders)
        self.changed = changed
        self.stopped = threading.Event()
        self.restart = threading.Event()
        self.thread = threading.Thread(target=self._run, name="briefkit-watch", daemon=True)
        self.thread.start()

    def follow(self, folders: Iterable[Path]) -> None:
        """Watch these folders from now on (the workspace's libraries changed)."""
        folders = _outermost(folders)
        if folders != self.folders:
            self.folders = folders
            self.restart.set()

    def stop(self) -> None:
        self.stopped.set()
        self.restart.set()
        self.thread.join(timeout=2)

    def _run(self) -> None:
        told = False
        seen: dict[Path, tuple[int, int]] | None = None
        while not self.stopped.is_set():
            self.restart.clear()
            folders = [f for f in self.folders if f.is_dir()]
            if not folders:
                time.sleep(0.5)  # every folder is gone: look again soon
                continue
            seen = _files(folders) if seen is None else seen
            try:
                for changes in watchfiles.watch(*folders, watch_filter=_wanted, debounce=DEBOUNCE_MS, step=STEP_MS,
                                                stop_event=self.restart, raise_interrupt=False, rust_timeout=1000):
                    paths = {Path(path) for _, path in changes}
                    _note(seen, paths)
                    self.changed(paths)
            except (OSError, RuntimeError) as err:
                # watchfiles stops on a file name that is not UTF-8 (even one merely read) or a folder it cannot
                # read: watch again, and hand over what changed meanwhile, found by comparing the folders.
                if not told:
                    print(f"briefkit: the file watcher stopped ({err}); watching again, and comparing the folders "
                          "for what changed meanwhile", file=sys.stderr)
                    told = True
                now = _files(folders)
                missed = {path for path in now.keys() | seen.keys() if now.get(path) != seen.get(path)}
                if missed:
                    self.changed(missed)
                seen = now  # the state the next watch starts from
                continue
            seen = None  # stopped, or the folders changed: look at them afresh


def _files(folders: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """(size, time) of every file in the folders, the watcher's ignored folders left out."""
    ignored = set(watchfiles.DefaultFilter.ignore_dirs)
    found: dict[Path, tuple[int, int]] = {}
    for folder in folders:
        for top, dirs, names in os.walk(folder):
            dirs[:] = [d for d in dirs if d not in ignored]
            _note(found, (Path(top) / name for name in names))
    return found


def _note(found: dict[Path, tuple[int, int]], paths: Iterable[Path]) -> None:
    """Note the (size, time) of these files in `found`; a file gone is dropped."""
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            found.pop(path, None)
            continue
        found[path] = (stat.st_size, stat.st_mtime_ns)


def _outermost(folders: Iterable[Path]) -> list[Path]:
    """The folders, without those inside another (watched recursively already)."""
    found = sorted({f.resolve() for f in folders}, key=lambda f: len(f.parts))
    kept: list[Path] = []
    for folder in found:
        if not any(folder.is_relative_to(outer) for outer in kept):
            kept.append(folder)
    return sorted(kept)
