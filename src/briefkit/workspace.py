"""A workspace and its layers: the user's folder, the snippet libraries it names, then the toolkit's built-ins.

Templates (kinds, committees, conferences, styles) come from the workspace's `templates/`, then the built-in
ones. Snippets, sources, facts and country profiles come from the workspace's `snippets/`, then each library
`briefkit.yaml` names, in that order; nothing from a library the workspace does not name is ever read. Every
file read from a layer must resolve inside that layer's folder: a symbolic link that leads out is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean

BUILTIN = Path(__file__).resolve().parent / "builtin"
BUILTIN_LIBRARIES = BUILTIN / "libraries"
CONFIG = "briefkit.yaml"
LIBRARY_FILE = "library.yaml"
_PART = r"[A-Za-z0-9_][A-Za-z0-9_-]*(?:\.[A-Za-z0-9_-]+)*"  # a dot only between other characters
_NAME = re.compile(rf"{_PART}(?:/{_PART})*")


# A file a document points to (an image), as the author names it: relative, any script and spaces, each part
# starting with a letter or digit (no hidden files, no `..`), no backslash, colon or control character.
ASSET_NAME = re.compile(r"\w[^/\\:\x00-\x1f\x7f]*(?:/\w[^/\\:\x00-\x1f\x7f]*)*")


def is_safe_name(name: str) -> bool:
    """True for ids like `instruments/palermo-protocol`: relative, no `..`, no odd characters."""
    return bool(_NAME.fullmatch(name)) and ".." not in name.split("/")


@dataclass(frozen=True)
class Layer:
    """One folder the build reads from: the workspace's own, a named library, or the built-ins."""

    name: str  # "workspace", "built-in", or the library's name
    root: Path  # resolved: every file read from this layer must resolve inside it

    def contains(self, path: Path) -> bool:
        """Whether a file of this layer really lies in it (a symbolic link may point anywhere)."""
        try:
            return path.resolve().is_relative_to(self.root)
        except (OSError, RuntimeError):  # a link loop
            return False


@dataclass(frozen=True)
class Settings:
    """The workspace's `briefkit.yaml`: libraries in lookup order, and defaults for its briefs."""

    libraries: tuple[str, ...] = ()
    language: str | None = None
    conference: str | None = None
    path: Path | None = None
    lines: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Workspace:
    """The folders searched for templates, profiles, styles and snippets, highest priority first."""

    root: Path
    template_layers: tuple[Layer, ...]
    snippet_layers: tuple[Layer, ...]
    settings: Settings = Settings()

    @classmethod
    def open(cls, root: Path, builtin: bool = True) -> Workspace:
        """Read `briefkit.yaml` (if any) and resolve the layers; a bad setting or library is a located error."""
        root = root.resolve()
        settings = load_settings(root)
        templates = [Layer("workspace", _own_folder(root, "templates"))]
        if builtin:
            templates.append(Layer("built-in", (BUILTIN / "templates").resolve()))
        libraries = [resolve_library(root, name, settings) for name in settings.libraries]
        snippets = []
        own = root / "snippets"
        if own.is_dir() and own.resolve() not in {lib.root for lib in libraries}:
            snippets.append(Layer("workspace", _own_folder(root, "snippets")))  # the repository's links to its library
        snippets.extend(libraries)
        return cls(root, _unique(templates), _unique(snippets), settings)

    @property
    def briefs_dir(self) -> Path:
        return self.root / "briefs"

    @property
    def layers(self) -> tuple[Layer, ...]:
        """Every layer, snippets' first (images are looked up in them), then templates'."""
        return _unique([*self.snippet_layers, *self.template_layers])

    def _bases(self, parts: tuple[str, ...]) -> list[tuple[Layer, Path]]:
        layers = self.snippet_layers if parts[0] == "snippets" else self.template_layers
        if parts[0] not in ("snippets", "templates"):
            raise ValueError(f"not a layered folder: {parts[0]}")
        return [(layer, layer.root.joinpath(*parts[1:])) for layer in layers]

    def dirs(self, *parts: str) -> list[Path]:
        """Every layer's copy of a folder (`snippets/...` or `templates/...`) that exists, highest priority first."""
        return [d for layer, d in self._bases(parts) if d.is_dir() and layer.contains(d)]

    def find(self, folder: str, name: str, suffix: str) -> Path | None:
        """The highest-priority file `folder/name+suffix`, or None (also for unsafe names); a file that leads out
        of its layer is an error."""
        if not is_safe_name(name):
            return None
        for layer, base in self._bases(tuple(folder.split("/"))):
            path = base / f"{name}{suffix}"
            if path.is_file():
                self.check_inside(layer, path)
                return path
        return None

    def find_all(self, folder: str, name: str, suffix: str) -> list[Path]:
        """Every layer's file `folder/name+suffix`, highest priority first (for files merged across layers: the
        languages' strings); None for unsafe names; a file that leads out of its layer is an error."""
        if not is_safe_name(name):
            return []
        found = []
        for layer, base in self._bases(tuple(folder.split("/"))):
            path = base / f"{name}{suffix}"
            if path.is_file():
                self.check_inside(layer, path)
                found.append(path)
        return found

    def names(self, folder: str, suffix: str) -> dict[str, Path]:
        """Every `name -> file` in a folder across layers; higher layers win. Links out of a layer are skipped
        here and refused where the file is used."""
        found: dict[str, Path] = {}
        for _layer, base in reversed(self._bases(tuple(folder.split("/")))):
            if base.is_dir():
                for path in sorted(base.glob(f"*{suffix}")):
                    found[path.name[: -len(suffix)]] = path
        return dict(sorted(found.items()))

    @property
    def asset_layers(self) -> tuple[Layer, ...]:
        """Where files a document points to (images) are looked for: the workspace folder, then every layer."""
        return (Layer("workspace", self.root), *self.layers)

    def asset(self, name: str) -> Path | None:
        """A file a document points to (an image), relative to the workspace folder or to one of its layers; None
        if no layer has it or the name is unsafe; an error if a link takes it out of its layer."""
        if not ASSET_NAME.fullmatch(name) or ".." in name.split("/"):
            return None
        for layer in self.asset_layers:
            path = layer.root / name
            if path.is_file():
                self.check_inside(layer, path)
                return path
        return None

    def layer_of(self, path: Path) -> int:
        """Index of the snippet layer a file belongs to (0 is the highest priority)."""
        for candidate in (path, path.resolve()):  # as found (cheap), then with links followed
            for index, layer in enumerate(self.snippet_layers):
                if candidate.is_relative_to(layer.root):
                    return index
        return len(self.snippet_layers)

    def check_inside(self, layer: Layer, path: Path) -> None:
        """Refuse a file that a symbolic link takes out of the layer it was found in."""
        if not layer.contains(path):
            raise BriefkitError([outside_problem(path, layer)])


def _own_folder(root: Path, name: str) -> Path:
    """A workspace's own `templates/` or `snippets/`, resolved; one that a link takes out of the workspace is
    refused (its layer would be wherever the link points)."""
    folder = (root / name).resolve()
    if not folder.is_relative_to(root):
        raise BriefkitError([Problem(root / name, None, f"{name}/ is a symbolic link to {folder}, outside the "
                                     "workspace; refused", f"make {name}/ a folder of the workspace")])
    return folder


def outside_problem(path: Path, layer: Layer) -> Problem:
    """The error for a file that leads out of its layer."""
    try:
        target = str(path.resolve())
    except (OSError, RuntimeError):
        target = "a link loop"
    return Problem(path, None, f"'{path.name}' is a symbolic link to {target}, outside the {layer.name} folder "
                   f"{layer.root}; refused", "copy the file into the folder instead of linking to it")


def snippet_files(ws: Workspace, clashes: list[tuple[str, Path, Path]] | None = None) -> Iterator[tuple[str, Path]]:
    """(id, path) of every snippet, higher layers overriding lower ones (links out of a layer included: the
    library refuses them at their file). `clashes` collects (id, used, shadowed) where two libraries have the
    same id; the workspace's own snippets override a library's on purpose."""
    found: dict[str, Path] = {}
    for base in reversed(ws.dirs("snippets")):
        own = ws.layer_of(base) == 0 and ws.snippet_layers[0].name == "workspace"
        for path in sorted(p for p in base.rglob("*.md") if not p.is_dir()):
            snippet_id = path.relative_to(base).with_suffix("").as_posix()
            if clashes is not None and snippet_id in found and not own:
                clashes.append((snippet_id, path, found[snippet_id]))
            found[snippet_id] = path
    yield from sorted(found.items())


def _unique(layers: list[Layer]) -> tuple[Layer, ...]:
    """Layers without repeats (a library named twice, a workspace that is the built-in folder)."""
    seen: dict[Path, Layer] = {}
    for layer in layers:
        seen.setdefault(layer.root, layer)
    return tuple(seen.values())


def builtin_libraries() -> dict[str, Path]:
    """The libraries that ship with briefkit, by name."""
    if not BUILTIN_LIBRARIES.is_dir():
        return {}
    return {p.name: p for p in sorted(BUILTIN_LIBRARIES.iterdir()) if (p / LIBRARY_FILE).is_file()}


def load_settings(root: Path) -> Settings:
    """The workspace's `briefkit.yaml`, validated; defaults where there is none."""
    from briefkit.model import WORKSPACE_SCHEMA
    from briefkit.schema import validate
    from briefkit.yamlio import load_yaml_file

    path = root / CONFIG
    if not path.is_file():
        return Settings()
    data = load_yaml_file(path)
    if data is None:
        return Settings(path=path)
    problems = Problems()
    meta = validate(data, WORKSPACE_SCHEMA, path, problems)
    problems.raise_errors()
    assert meta is not None
    names = tuple(meta.get("libraries") or ())
    lines = dict(getattr(data, "key_lines", {}))
    return Settings(names, meta.get("language"), meta.get("conference"), path, lines)


def resolve_library(root: Path, name: str, settings: Settings) -> Layer:
    """A library named in `briefkit.yaml`: a built-in one by name, or a folder (relative to the workspace)."""
    line = settings.lines.get("libraries")
    builtin = builtin_libraries()
    if name in builtin:
        return Layer(name, builtin[name].resolve())
    folder = (root / name).expanduser()
    if "/" in name or "\\" in name or name.startswith(".") or folder.is_dir():
        if not (folder / LIBRARY_FILE).is_file():
            raise BriefkitError([Problem(settings.path, line, f"library folder '{name}' has no {LIBRARY_FILE}",
                                         "a library is a folder shaped like snippets/ with a library.yaml "
                                         "(name, title, version, as_of, languages)")])
        info = load_library_info(folder / LIBRARY_FILE)
        return Layer(str(info.get("name") or folder.name), folder.resolve())
    hint = did_you_mean(name, builtin) or ("built-in libraries: " + ", ".join(builtin) if builtin else None)
    raise BriefkitError([Problem(settings.path, line, f"unknown library '{name}'", hint)])


def load_library_info(path: Path) -> dict[str, Any]:
    """A library's `library.yaml`, validated."""
    from briefkit.model import LIBRARY_SCHEMA
    from briefkit.schema import validate
    from briefkit.yamlio import load_yaml_file

    problems = Problems()
    meta = validate(load_yaml_file(path), LIBRARY_SCHEMA, path, problems)
    problems.raise_errors()
    return dict(meta or {})
