"""The content library: snippets, sources and facts, loaded from every layer and validated."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from briefkit.errors import BriefkitError, Problems, did_you_mean
from briefkit.languages import in_language, known_locale
from briefkit.model import FACT_SCHEMA, SNIPPET_SCHEMA, SOURCE_SCHEMA, ClauseText, Fact, Snippet, Source
from briefkit.schema import validate
from briefkit.workspace import Workspace, is_safe_name, outside_problem, snippet_files
from briefkit.yamlio import load_yaml_file, read_text, split_front_matter

CITATION = re.compile(r"\[(@[^\[\]]+)\]")
CITE_KEY = re.compile(r"@([A-Za-z0-9_][A-Za-z0-9_.:/-]*[A-Za-z0-9_])")
FACT_CALL = re.compile(r"""fact\(\s*["']([^"']+)["']""")


@dataclass(frozen=True)
class Library:
    """Everything citable and composable in a workspace."""

    snippets: dict[str, Snippet]
    sources: dict[str, Source]
    facts: dict[str, Fact]
    broken: frozenset[str] = frozenset()
    profile_sources: dict[int, frozenset[str]] = field(default_factory=dict)  # cited by country profiles, per layer
    variants: dict[str, dict[str, Snippet]] = field(default_factory=dict)  # id -> language (lower case) -> variant

    def snippet(self, snippet_id: str) -> Snippet | None:
        return self.snippets.get(snippet_id) if is_safe_name(snippet_id) else None

    def all_snippets(self) -> Iterator[Snippet]:
        """Every snippet and every language variant."""
        yield from self.snippets.values()
        for found in self.variants.values():
            yield from found.values()

    @functools.cached_property
    def _variant_files(self) -> dict[str, Snippet]:
        return {v.file_id: v for found in self.variants.values() for v in found.values()}

    def snippet_file(self, file_id: str) -> Snippet | None:
        """A snippet or a language variant by the id of its file ('instruments/palermo-protocol.zh')."""
        return self.snippet(file_id) or self._variant_files.get(file_id)

    def variant(self, snippet: Snippet, language: str) -> Snippet | None:
        """The snippet's text in a language (`name.zh.md` for 'zh-CN'), or None if it has none."""
        found: Snippet | None = in_language(self.variants.get(snippet.id) or {}, language)
        return found


def load_library(ws: Workspace, problems: Problems) -> Library:
    """Load and validate every snippet, source and fact; problems are collected, not raised."""
    sources = _load_sources(ws, problems)
    facts = _load_facts(ws, sources, problems)
    snippets, broken, variants = _load_snippets(ws, problems)
    known = _when_values(ws)
    for snippet in (*snippets.values(), *(v for found in variants.values() for v in found.values())):
        local = Problems()
        check_references(snippet, sources, facts, local)
        _check_when(snippet, known, local)
        problems.extend(local.items)
        if local.errors:
            broken.add(snippet.file_id or snippet.id)
    variants = {k: {tag: v for tag, v in found.items() if v.file_id not in broken}
                for k, found in variants.items() if k not in broken}
    return Library({k: v for k, v in snippets.items() if k not in broken}, sources, facts, frozenset(broken),
                   _profile_sources(ws, sources, problems), variants)


def _profile_sources(ws: Workspace, sources: dict[str, Source], problems: Problems) -> dict[int, frozenset[str]]:
    """The sources country profiles cite for their ratifications; an unknown one is an error at its line."""
    found: dict[int, set[str]] = {}
    for base in ws.dirs("snippets"):
        for path in sorted((base / "countries").glob("*.yaml")):
            try:
                data = load_yaml_file(path)
            except BriefkitError:
                continue  # reported where the profile is used
            ratifications = data.get("ratifications") if isinstance(data, dict) else None
            for key, item in (ratifications or {}).items():
                source = item.get("source") if isinstance(item, dict) else None
                if not isinstance(source, str):
                    continue
                if source not in sources:
                    problems.error(path, getattr(item, "line", None), f"unknown source '{source}' for ratification "
                                   f"'{key}'", did_you_mean(source, sources))
                found.setdefault(ws.layer_of(path), set()).add(source)
    return {layer: frozenset(keys) for layer, keys in found.items()}


_VARIANT = re.compile(r"(.+)\.([A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*)")


def variant_of(snippet_id: str, ids: Collection[str] | None = None) -> tuple[str, str] | None:
    """(base id, language) if a snippet file is named as a language variant: `palermo-protocol.zh`, with a
    language CLDR knows (SPEC 3); with `ids`, only if its base is among them."""
    match = _VARIANT.fullmatch(snippet_id)
    if match is None or ids is not None and match.group(1) not in ids:
        return None
    return (match.group(1), match.group(2)) if known_locale(match.group(2)) else None


def _load_snippets(ws: Workspace, problems: Problems
                   ) -> tuple[dict[str, Snippet], set[str], dict[str, dict[str, Snippet]]]:
    snippets, broken = {}, set()
    variants: dict[str, dict[str, Snippet]] = {}
    clashes: list[tuple[str, Path, Path]] = []
    files = list(snippet_files(ws, clashes))
    for snippet_id, used, shadowed in clashes:
        problems.warn(shadowed, None, f"snippet '{snippet_id}' is also in the library {_library_name(ws, used)}, "
                      f"which comes first in briefkit.yaml, so this one is never used",
                      "rename one, reorder the libraries, or copy the one you want into the workspace's snippets/")
    ids = {snippet_id for snippet_id, _ in files}
    later = []
    for snippet_id, path in files:
        named = variant_of(snippet_id) if "." in snippet_id else None
        if named and named[0] in ids:
            later.append((snippet_id, path))
            continue
        if named:  # `orphan.zh.md` with no `orphan.md`: a translation of nothing, not a snippet of its own
            problems.warn(path, None, f"'{snippet_id}' is named as the '{named[1]}' version of snippet "
                          f"'{named[0]}', which does not exist, so it is not used",
                          f"add {named[0]}.md, or rename this file")
            continue
        snippet = _read_snippet(ws, snippet_id, path, problems)
        if snippet is None:
            broken.add(snippet_id)
        else:
            snippets[snippet_id] = snippet
    for file_id, path in later:  # a variant takes the front matter its base has and it leaves out
        base_id, language = variant_of(file_id, ids) or ("", "")
        base = snippets.get(base_id)
        if base is None:
            broken.add(file_id)
            continue
        variant = _read_snippet(ws, base_id, path, problems, base)
        if variant is None:
            broken.add(file_id)
        else:
            differ = [key for key in ("tags", "when", "order", "internal")
                      if getattr(variant, key) != getattr(base, key)]
            if differ:  # selection is by the base: a translation is the same snippet in another language
                problems.warn(path, variant.line_of(differ[0]), f"a language version takes its base's "
                              f"{', '.join(differ)}: this file's {differ[0]} is not used",
                              f"change them in {base.path.name}, or leave them out here")
            variants.setdefault(base_id, {})[language.lower()] = replace(variant, file_id=file_id,
                                                                         language=language)
    return snippets, broken, variants


def _read_snippet(ws: Workspace, snippet_id: str, path: Path, problems: Problems,
                  base: Snippet | None = None) -> Snippet | None:
    """One snippet file of a layer, or None (after reporting) when it cannot be used."""
    layer = ws.snippet_layers[ws.layer_of(path)] if ws.layer_of(path) < len(ws.snippet_layers) else None
    if layer is not None and not layer.contains(path):
        problems.items.append(outside_problem(path, layer))
        return None
    try:
        return load_snippet(snippet_id, path, ws.layer_of(path), problems, base)
    except BriefkitError as err:
        problems.extend(err.problems)
        return None


def reload_snippet(library: Library, ws: Workspace, snippet_id: str, path: Path, problems: Problems) -> Library:
    """The library with one snippet read and checked again, after an edit of its body only (`briefkit serve`).
    Its front matter must be unchanged: tag selections and `when` depend on it, so an edit there means loading
    the whole library again. The snippet's problems go to `problems`."""
    local = Problems()
    snippet = _read_snippet(ws, snippet_id, path, local)
    if snippet is not None:
        check_references(snippet, library.sources, library.facts, local)
        _check_when(snippet, _when_values(ws), local)
    problems.extend(local.items)
    snippets = {k: v for k, v in library.snippets.items() if k != snippet_id}
    broken = set(library.broken) - {snippet_id}
    if snippet is None or local.errors:
        broken.add(snippet_id)
    else:
        snippets[snippet_id] = snippet
    return replace(library, snippets=dict(sorted(snippets.items())), broken=frozenset(broken))


def load_snippet(snippet_id: str, path: Path, layer: int, problems: Problems,
                 base: Snippet | None = None) -> Snippet | None:
    """Parse one snippet file; returns None (after reporting) when its front matter is invalid. A language
    variant (`base` given) takes the base's title, tags, sources, `when`, order and `internal` where it gives none."""
    if not is_safe_name(snippet_id):
        problems.error(path, None, f"snippet id '{snippet_id}' may only use letters, digits, '-', '_', '/' and a '.' "
                       "between them")
        return None
    data, body, body_line = split_front_matter(read_text(path), path)
    if base is not None and isinstance(data, dict):
        for key, value in _inherited(base).items():
            if key not in data:
                data[key] = value
    local = Problems()
    meta = validate(data, SNIPPET_SCHEMA, path, local)
    problems.extend(local.items)
    if local.errors or meta is None:
        return None
    clauses = meta.get("clauses") or {}
    raw_clauses = data.get("clauses") or {}
    return Snippet(
        id=snippet_id, path=path, title=meta["title"], body=body, body_line=body_line,
        summary=meta.get("summary") or "", tags=tuple(meta.get("tags") or ()),
        sources=tuple(meta.get("sources") or ()),
        when={k: tuple(v) for k, v in (meta.get("when") or {}).items()},
        preambular=clause_texts(clauses.get("preambular"), raw_clauses.get("preambular"), path),
        operative=clause_texts(clauses.get("operative"), raw_clauses.get("operative"), path),
        updated=meta.get("updated"), order=meta.get("order", 100), internal=bool(meta.get("internal")),
        layer=layer, lines=dict(getattr(data, "key_lines", {})),
    )


def _inherited(base: Snippet) -> dict[str, Any]:
    """The front matter a language variant takes from its base where it gives none."""
    found: dict[str, Any] = {"title": base.title, "order": base.order}
    for key, value in (("tags", list(base.tags)), ("sources", list(base.sources)),
                       ("when", {k: list(v) for k, v in base.when.items()}), ("internal", base.internal),
                       ("updated", base.updated)):
        if value:
            found[key] = value
    return found


def _when_values(ws: Workspace) -> dict[str, Callable[[str], bool] | tuple[str, ...]]:
    """What each `when` key may name: the workspace's committees and conferences, the kinds, any ISO country."""
    from briefkit.model import KINDS
    from briefkit.profiles import _iso_country

    return {"committee": tuple(ws.names("templates/committees", ".yaml")),
            "conference": tuple(ws.names("templates/conferences", ".yaml")), "kind": KINDS,
            "country": lambda value: _iso_country(value) is not None}


def _check_when(snippet: Snippet, known: dict[str, Callable[[str], bool] | tuple[str, ...]],
                problems: Problems) -> None:
    """A `when` value nothing can match (a typo) would hide the snippet for good: a warning with the near miss."""
    for key, values in snippet.when.items():
        allowed = known[key]
        for value in values:
            ok = allowed(value) if callable(allowed) else value in allowed
            if not ok:
                hint = did_you_mean(value, allowed) if not callable(allowed) else "use an ISO 3166 code such as FRA"
                problems.warn(snippet.path, snippet.line_of("when"), f"when: {key} '{value}' matches no "
                              f"{key} this workspace knows, so the snippet is never used there", hint)


def clause_texts(values: Any, raw: Any, path: Path) -> tuple[ClauseText, ...]:
    """Validated clauses (text, or text with `sub`) with the file line each was written on."""
    lines = getattr(raw, "item_lines", None) or [getattr(raw, "line", None)] * len(values or ())
    found = []
    for value, raw_item, line in zip(values or (), raw or (), lines, strict=False):
        if isinstance(value, str):
            found.append(ClauseText(value, path, line))
        else:
            found.append(ClauseText(value["text"], path, line,
                                    clause_texts(value.get("sub"), raw_item.get("sub"), path)))
    return tuple(found)


def check_references(snippet: Snippet, sources: dict[str, Source], facts: dict[str, Fact], problems: Problems) -> None:
    """Every source, citation and literal fact key a snippet names must exist."""
    for key in snippet.sources:
        if key not in sources:
            problems.error(snippet.path, snippet.line_of("sources"), f"unknown source '{key}'",
                           did_you_mean(key, sources))
    lines = [(snippet.line_of("summary"), snippet.summary),
             *enumerate(snippet.body.split("\n"), start=snippet.body_line)]
    for line_no, line in lines:
        for key in cited_keys(line):
            if key not in sources:
                problems.error(snippet.path, line_no, f"unknown citation '@{key}'", did_you_mean(key, sources))
        for key in FACT_CALL.findall(line):
            if key not in facts:
                problems.error(snippet.path, line_no, f"unknown fact '{key}'", did_you_mean(key, facts))


def cited_keys(text: str) -> list[str]:
    """The source keys of every `[@key]` citation in a text, in order."""
    return [key for group in CITATION.findall(text) for key in CITE_KEY.findall(group)]


def _library_name(ws: Workspace, path: Path) -> str:
    index = ws.layer_of(path)
    return f"'{ws.snippet_layers[index].name}'" if index < len(ws.snippet_layers) else "(unknown)"


def _clash(ws: Workspace, what: str, key: str, path: Path, meta: dict[str, Any],
           seen: dict[str, tuple[Path, dict[str, Any]]], problems: Problems) -> None:
    """Two libraries give one key different entries (the workspace's own snippets/ overrides on purpose): the
    one listed first in briefkit.yaml is used, and the other is reported at its file."""
    earlier = seen.get(key)
    seen[key] = (path, meta)
    own = ws.layer_of(path) == 0 and ws.snippet_layers[0].name == "workspace"
    if earlier is None or own or earlier[1] == meta or ws.layer_of(earlier[0]) == ws.layer_of(path):
        return
    problems.warn(earlier[0], None, f"{what} '{key}' is also in the library {_library_name(ws, path)} with other "
                  "content; that one, listed first in briefkit.yaml, is used", "give one of them another key")


def _layered_yaml(ws: Workspace, name: str, problems: Problems) -> list[tuple[Path, Any]]:
    loaded = []
    for base in reversed(ws.dirs("snippets")):
        path = base / name
        if path.is_file():
            layer = ws.snippet_layers[ws.layer_of(base)]
            if not layer.contains(path):
                problems.items.append(outside_problem(path, layer))
                continue
            try:
                loaded.append((path, load_yaml_file(path)))
            except BriefkitError as err:
                problems.extend(err.problems)
    return loaded


def _load_sources(ws: Workspace, problems: Problems) -> dict[str, Source]:
    sources: dict[str, Source] = {}
    seen: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path, data in _layered_yaml(ws, "sources.yaml", problems):
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.error(path, 1, "sources.yaml must map source keys to entries")
            continue
        layer = ws.layer_of(path)
        for key, entry in data.items():
            line = getattr(data, "key_lines", {}).get(key, 1)
            local = Problems()
            meta = validate(entry, SOURCE_SCHEMA, path, local)
            problems.extend(local.items)
            if not local.errors and meta is not None:
                _clash(ws, "source", str(key), path, meta, seen, problems)
                if not (meta.get("url") or meta.get("publisher")):
                    problems.error(path, line, f"source '{key}' needs a url or a publisher")
                sources[str(key)] = Source(key=str(key), path=path, line=line, layer=layer, **meta)
    return sources


def _load_facts(ws: Workspace, sources: dict[str, Source], problems: Problems) -> dict[str, Fact]:
    facts: dict[str, Fact] = {}
    seen: dict[str, tuple[Path, dict[str, Any]]] = {}
    for path, data in _layered_yaml(ws, "facts.yaml", problems):
        if data is None:
            continue
        if not isinstance(data, dict):
            problems.error(path, 1, "facts.yaml must map fact keys to entries")
            continue
        for key, entry, line in _fact_entries(data):
            local = Problems()
            meta = validate(entry, FACT_SCHEMA, path, local)
            problems.extend(local.items)
            if local.errors or meta is None:
                continue
            _clash(ws, "fact", key, path, meta, seen, problems)
            if meta["source"] not in sources:
                problems.error(path, entry.key_lines.get("source", line), f"fact '{key}' cites unknown source "
                               f"'{meta['source']}'", did_you_mean(meta["source"], sources))
            if meta.get("locator") is not None:
                meta["locator"] = str(meta["locator"])
            facts[key] = Fact(key=key, path=path, line=line, **meta)
    return facts


def _fact_entries(data: Any, prefix: str = "") -> Iterator[tuple[str, Any, int]]:
    """Flatten facts: a mapping whose values are all mappings is a group (`group.fact`)."""
    for key, entry in data.items():
        line = data.key_lines.get(key, 1)
        name = f"{prefix}{key}"
        if isinstance(entry, dict) and entry and all(isinstance(v, dict) for v in entry.values()):
            yield from _fact_entries(entry, f"{name}.")
        else:
            yield name, entry, line
