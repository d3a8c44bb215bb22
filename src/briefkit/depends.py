"""Which briefs an edit affects, as the build cache keys them: `briefkit serve` rebuilds only those.

The build cache (cache.py) divides what a brief's outputs depend on in two. Its own inputs: the brief file,
the bodies of the snippets it used, the files its outputs embed. The base every brief shares: briefkit.yaml,
every snippet's front matter (tags and `when` decide what a tag selection finds), and every other file of the
snippet and template layers (sources, facts, country profiles, libraries, templates, committee and
conference profiles, the reference document). So an edit of a snippet's body rebuilds the briefs that used
it; an edit of its front matter, or of a shared file, rebuilds every brief. A brief whose last build failed
has no recorded inputs (the cache keeps no entry for it either), so any edit rebuilds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from briefkit.cache import MAX_HASHED, base_part, front_matter, own_inputs
from briefkit.library import variant_of
from briefkit.workspace import Workspace, snippet_files

# Files editors and office programs make beside the one being edited: never part of a workspace. Word's owner
# file (`~$report.docx`) and LibreOffice's lock (`.~lock.report.docx#`) appear while a document is held open;
# vim probes a folder with a file named 4913; swap files, backups, Emacs locks.
EDITOR_FILES = re.compile(r"^(?:~\$.*|\.~lock\..*#|4913|\..*\.sw[a-p]|.*~|\.#.*|#.*#|\.DS_Store)$")


def editor_file(path: Path) -> bool:
    """Whether a file is an editor's or office program's own (a lock, swap or backup file)."""
    return bool(EDITOR_FILES.match(path.name))


def normal(path: Path) -> Path:
    """A changed file's path with its folders resolved, as layer roots and recorded inputs are (the file itself
    may be gone)."""
    try:
        return path.parent.resolve() / path.name
    except (OSError, RuntimeError):  # a link loop
        return path


@dataclass
class Impact:
    """What a set of changed files means: reopen the workspace, reload the library, reread snippets, rebuild."""

    settings: bool = False  # briefkit.yaml changed: open the workspace again (its libraries may differ)
    shared: bool = False  # a file every brief depends on: load the library again and rebuild every brief
    snippets: dict[str, Path] = field(default_factory=dict)  # snippets whose body alone changed: read them again
    briefs: set[Path] = field(default_factory=set)  # briefs to rebuild (all of them if `everything`)

    @property
    def everything(self) -> bool:
        return self.settings or self.shared


@dataclass
class Dependencies:
    """The files each brief's outputs depend on, and every snippet's front matter as last read."""

    ws: Workspace
    snippets: dict[str, Path] = field(init=False)  # id -> the file used (higher layers win)
    fronts: dict[Path, bytes] = field(init=False)  # every snippet file of every layer -> its front matter
    inputs: dict[Path, frozenset[Path] | None] = field(default_factory=dict)  # brief -> own files (None: failed)

    def __post_init__(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the layers again: which file each snippet id is, and every snippet's front matter."""
        self.snippets = dict(snippet_files(self.ws))
        self.fronts = {}
        for layer in self.ws.snippet_layers:
            for path in layer.root.rglob("*.md"):
                matter = _front_matter_of(path)
                if matter is not None:
                    self.fronts[path] = matter

    def record(self, brief: Path, snippets: Iterable[str] | None, inputs: Iterable[str] = ()) -> None:
        """Note what a brief's build read (`snippets` None: the build failed, so any edit may fix it)."""
        if snippets is None:
            self.inputs[brief] = None
            return
        own = own_inputs(self.ws, self.snippets, list(snippets), list(inputs))
        self.inputs[brief] = frozenset({brief, *(path for _, path in own if path is not None)})

    def forget(self, brief: Path) -> None:
        self.inputs.pop(brief, None)

    def affected(self, changed: Iterable[Path]) -> Impact:
        """What the changed files (any that exist now, or existed) mean for the briefs recorded."""
        impact = Impact()
        relevant = False
        for path in map(normal, changed):
            if editor_file(path) or path.is_dir():
                continue  # a folder's own event: the files in it have theirs
            relevant = True
            part = base_part(self.ws, path)
            if part == "settings":
                impact.settings = True
            elif part == "front matter":
                self._snippet_changed(path, impact)
            elif part == "file":
                impact.shared = True
            else:
                impact.briefs.update(brief for brief, files in self.inputs.items()
                                     if brief == path or files is not None and path in files)
        if relevant:  # a failed brief recorded nothing it read: any edit may be the fix
            impact.briefs.update(brief for brief, files in self.inputs.items() if files is None)
        return impact

    def _snippet_changed(self, path: Path, impact: Impact) -> None:
        """A snippet file changed: its front matter concerns every brief, its body those that used it."""
        matter = _front_matter_of(path)
        if matter != self.fronts.get(path):
            impact.shared = True
            if matter is None:
                self.fronts.pop(path, None)
            else:
                self.fronts[path] = matter
            return
        if matter is None:
            return  # a file that came and went (an editor's temporary copy)
        used = next((snippet_id for snippet_id, file in self.snippets.items() if file == path), None)
        if used is None:
            return  # shadowed by a snippet of the same id in a layer before it
        if "." in used and variant_of(used, self.snippets):
            impact.shared = True  # a language variant: read with its base, so the library is loaded again
            return
        impact.snippets[used] = path
        impact.briefs.update(brief for brief, files in self.inputs.items() if files is not None and path in files)


def _front_matter_of(path: Path) -> bytes | None:
    """A snippet file's front matter (see cache.front_matter), or None if it is not a readable file now."""
    try:
        with open(path, "rb") as handle:
            return front_matter(handle.read(MAX_HASHED))
    except OSError:
        return None
