"""The build cache: skip a brief whose inputs have not changed since its outputs were written.

A brief's key is a hash of everything its outputs can depend on: the toolkit (its version and
code), the brief file, the body of every snippet it used, the front matter of every snippet (tags
and `when` decide what a tag selection finds, so a change there may change any brief), sources,
facts and country profiles, templates, committee and conference profiles and the reference
document, and the options of the run. The cache lives in the output folder, so deleting build/
is always safe: everything is rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit import __version__
from briefkit.errors import Problem
from briefkit.workspace import Workspace, snippet_files

CACHE_NAME = ".briefkit-cache.json"
MEMO_NAME = ".briefkit-citations.json"
PACKAGE = Path(__file__).resolve().parent


def _front_matter(data: bytes) -> bytes:
    """The front matter of a snippet file (its first `---` block), or nothing."""
    if not data.startswith(b"---"):
        return b""
    end = data.find(b"\n---", 3)
    return data[: end if end >= 0 else len(data)]


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
        cache = cls(out_dir / CACHE_NAME, ws, options)
        cache._opened = time.time_ns()
        try:
            loaded = json.loads(cache.path.read_text(encoding="utf-8"))
            if isinstance(loaded, dict) and isinstance(loaded.get("briefs"), dict):
                cache.entries = loaded["briefs"]
        except (OSError, ValueError):
            pass  # no cache, or an unreadable one: build everything
        cache._snippets = dict(snippet_files(ws))
        cache._base = cache._base_digest()
        return cache

    def memo(self) -> dict[str, Any]:
        """The citations formatted in earlier runs (see citations.MEMO), or none."""
        try:
            memo = json.loads(self.path.with_name(MEMO_NAME).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return memo if isinstance(memo, dict) else {}

    def _base_digest(self) -> str:
        """What every brief depends on: toolkit, run options, library data, snippet front matter, templates."""
        digest = hashlib.sha256(f"{__version__}\0{self.options}".encode())
        for code in sorted(PACKAGE.rglob("*.py")):
            digest.update(code.read_bytes())
        for kind in ("snippets", "templates"):
            for base in self.ws.dirs(kind):
                for path in sorted(p for p in base.rglob("*") if p.is_file()):
                    data = path.read_bytes()
                    digest.update(str(path.relative_to(base)).encode() + b"\0")
                    digest.update(_front_matter(data) if kind == "snippets" and path.suffix == ".md" else data)
        return digest.hexdigest()

    def key(self, brief: Path, snippets: list[str]) -> str:
        digest = hashlib.sha256(self._base.encode())
        digest.update(brief.read_bytes())
        for snippet_id in sorted(snippets):
            path = self._snippets.get(snippet_id)
            digest.update(snippet_id.encode() + b"\0" + (path.read_bytes() if path else b"(missing)"))
        return digest.hexdigest()

    def fresh(self, brief: Path, out_dir: Path) -> bool:
        """Whether the brief's recorded outputs exist and its inputs are unchanged."""
        entry = self.entries.get(_name(brief))
        if not entry:
            return False
        if not all((out_dir / name).is_file() for name in entry["files"]):
            return False
        return bool(entry["key"] == self.key(brief, entry["snippets"]))

    def files(self, brief: Path) -> list[str]:
        """The names of the files the brief's last build wrote."""
        return list(self.entries.get(_name(brief), {}).get("files", []))

    def warnings(self, brief: Path) -> list[Problem]:
        """The warnings the brief had when it was built, to report again when it is skipped."""
        return [Problem(Path(w["path"]) if w["path"] else None, w["line"], w["message"], w["hint"], "warning",
                        w.get("once"))
                for w in self.entries.get(_name(brief), {}).get("warnings", [])]

    def record(self, brief: Path, files: list[str], snippets: list[str], warnings: list[Problem]) -> None:
        """Remember a built brief's key; not if the brief or a snippet it used was edited during the run (its key
        would describe the edited file, not the one the build read), so the next run builds it again."""
        used = [brief, *(self._snippets[s] for s in snippets if s in self._snippets)]
        if any(_modified_ns(path) >= self._opened for path in used):
            self.forget(brief)
            return
        self.entries[_name(brief)] = {
            "key": self.key(brief, snippets), "files": sorted(files), "snippets": sorted(set(snippets)),
            "warnings": [{"path": str(w.path) if w.path else None, "line": w.line, "message": w.message,
                          "hint": w.hint, "once": w.once} for w in warnings if w.severity == "warning"],
        }

    def forget(self, brief: Path) -> None:
        self.entries.pop(_name(brief), None)

    def save(self, memo: dict[str, Any]) -> None:
        """Write the cache and the citation memo atomically (a torn file would only cost a rebuild, but still)."""
        _write_json(self.path, {"version": __version__, "briefs": self.entries})
        _write_json(self.path.with_name(MEMO_NAME), memo)


def _modified_ns(path: Path) -> int:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return 0


def _write_json(path: Path, data: object) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data, sort_keys=True, separators=(",", ":")), encoding="utf-8")
    os.replace(tmp, path)


def _name(brief: Path) -> str:
    return str(brief.resolve())
