"""A workspace and its layers: the user's folder first, then the toolkit's built-in library."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

BUILTIN = Path(__file__).resolve().parent / "builtin"
_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*(?:/[A-Za-z0-9_][A-Za-z0-9_.-]*)*")


def is_safe_name(name: str) -> bool:
    """True for ids like `instruments/palermo-protocol`: relative, no `..`, no odd characters."""
    return bool(_NAME.fullmatch(name)) and ".." not in name.split("/")


@dataclass(frozen=True)
class Workspace:
    """The folders searched for templates, profiles, styles and snippets, highest priority first."""

    root: Path
    layers: tuple[Path, ...]

    @classmethod
    def open(cls, root: Path, builtin: bool = True) -> Workspace:
        root = root.resolve()
        layers = [root]
        if builtin and BUILTIN.resolve() not in {root, *(p.resolve() for p in _linked(root))}:
            layers.append(BUILTIN)
        return cls(root, tuple(layers))

    @property
    def briefs_dir(self) -> Path:
        return self.root / "briefs"

    def dirs(self, *parts: str) -> list[Path]:
        """Every layer's copy of a folder that exists, highest priority first."""
        return [d for d in (layer.joinpath(*parts) for layer in self.layers) if d.is_dir()]

    def find(self, folder: str, name: str, suffix: str) -> Path | None:
        """The highest-priority file `folder/name+suffix`, or None (also for unsafe names)."""
        if not is_safe_name(name):
            return None
        for base in self.dirs(*folder.split("/")):
            path = base / f"{name}{suffix}"
            if path.is_file():
                return path
        return None

    def names(self, folder: str, suffix: str) -> dict[str, Path]:
        """Every `name -> file` in a folder across layers; higher layers win."""
        found: dict[str, Path] = {}
        for base in reversed(self.dirs(*folder.split("/"))):
            for path in sorted(base.glob(f"*{suffix}")):
                found[path.name[: -len(suffix)]] = path
        return dict(sorted(found.items()))

    def layer_of(self, path: Path) -> int:
        """Index of the layer a file belongs to (0 is the workspace itself)."""
        for index, layer in enumerate(self.layers):
            if path.is_relative_to(layer):
                return index
        return len(self.layers)


def snippet_files(ws: Workspace) -> Iterator[tuple[str, Path]]:
    """(id, path) of every snippet, higher layers overriding lower ones."""
    found: dict[str, Path] = {}
    for base in reversed(ws.dirs("snippets")):
        for path in sorted(base.rglob("*.md")):
            found[path.relative_to(base).with_suffix("").as_posix()] = path
    yield from sorted(found.items())


def _linked(root: Path) -> list[Path]:
    """The folders a workspace's snippets/templates link to (the repository links to the built-ins)."""
    return [p.resolve().parent for p in (root / "snippets", root / "templates") if p.is_symlink()]
