"""Brief specs: `briefs/<name>.yaml`, validated into a Brief."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from briefkit.api import RESERVED
from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean
from briefkit.library import clause_texts
from briefkit.model import BRIEF_SCHEMA, Brief, ClauseChoice, Section, Topic
from briefkit.schema import validate
from briefkit.workspace import Settings
from briefkit.yamlio import load_yaml_file


def load_brief(path: Path, defaults: Settings | None = None) -> Brief:
    """Read and validate one brief; every problem in it is raised together. Language and conference default to
    the workspace's settings."""
    defaults = defaults or Settings()
    data = load_yaml_file(path)
    if data is None:
        raise BriefkitError([Problem(path, 1, "brief is empty", "a brief needs at least kind, country, committee "
                                     "and topic")])
    if not isinstance(data, dict):
        raise BriefkitError([Problem(path, getattr(data, "line", 1), "a brief must be a mapping of keys to values, "
                                     f"not {'a list' if isinstance(data, list) else type(data).__name__}")])
    problems = Problems()
    meta = validate(data, BRIEF_SCHEMA, path, problems)
    lines: dict[str, int] = dict(getattr(data, "key_lines", {}))
    committees = _committees(meta, data, path, problems)
    countries = _countries(meta, data, path, problems)
    if "topic" not in data and "topics" not in data:
        problems.error(path, 1, "missing required key 'topic'", "e.g. topic: Financing climate adaptation")
    for name in (meta.get("vars") or {}):
        if name in RESERVED:
            problems.error(path, data["vars"].key_lines.get(name), f"variable '{name}' would hide the built-in "
                           f"'{name}'", "rename it")
    problems.raise_errors()
    topics = list(meta.get("topics") or ([meta["topic"]] if meta.get("topic") else []))
    raw_topics = data.get("topics") or ([data["topic"]] if data.get("topic") else [])
    return Brief(
        id=path.stem, path=path, kind=meta["kind"], country=countries[0], countries=countries, committees=committees,
        conference=meta.get("conference") or defaults.conference or "generic", title=meta.get("title") or "",
        school=meta.get("school") or "", delegates=tuple(meta.get("delegates") or ()), date=meta.get("date"),
        language=meta.get("language") or defaults.language or "en-GB", formats=tuple(meta.get("formats") or ()),
        topics=tuple(_topic(t, raw) for t, raw in zip(topics, raw_topics, strict=True)),
        internal=bool(meta.get("internal")), summary=tuple(meta.get("summary") or ()),
        facts=tuple(meta.get("facts") or ()), asks=tuple(meta.get("asks") or ()),
        sponsors=tuple(meta.get("sponsors") or ()), signatories=tuple(meta.get("signatories") or ()),
        clauses=_clauses(meta.get("clauses"), data.get("clauses"), path), disclosure=meta.get("disclosure") or "",
        vars=dict(meta.get("vars") or {}), lines=lines,
    )


def _clauses(meta: dict[str, Any] | None, raw: Any, path: Path) -> ClauseChoice:
    if not meta:
        return ClauseChoice()
    tags = meta.get("tags")
    return ClauseChoice(
        tags=tuple(tags) if tags is not None else None, use=tuple(meta.get("use") or ()), named="use" in meta,
        preambular=clause_texts(meta.get("preambular"), raw.get("preambular"), path),
        operative=clause_texts(meta.get("operative"), raw.get("operative"), path),
    )


def _committees(meta: dict[str, Any], data: Any, path: Path, problems: Problems) -> tuple[str, ...]:
    if "committee" in meta and "committees" in meta:
        problems.error(path, data.key_lines["committees"], "give either 'committee' or 'committees', not both")
    found = tuple(meta.get("committees") or ([meta["committee"]] if meta.get("committee") else []))
    typo = any(did_you_mean(str(k), ("committee", "committees")) for k in data if k not in BRIEF_SCHEMA.fields)
    if not found and "committee" not in data and "committees" not in data and not typo:
        problems.error(path, 1, "missing required key 'committee'", "e.g. committee: third-committee")
    return found


def _countries(meta: dict[str, Any], data: Any, path: Path, problems: Problems) -> tuple[str, ...]:
    if "country" in meta and "countries" in meta:
        problems.error(path, data.key_lines["countries"], "give either 'country' or 'countries', not both")
    found = tuple(meta.get("countries") or ([meta["country"]] if meta.get("country") else []))
    if not found and "country" not in data and "countries" not in data:
        problems.error(path, 1, "missing required key 'country'", "e.g. country: CHN")
    elif "countries" in data and not found:
        problems.error(path, data.key_lines["countries"], "'countries' is empty")
    return found or ("",)


def _topic(topic: Any, raw: Any) -> Topic:
    if isinstance(topic, str):
        return Topic(title=topic)
    raw_sections = raw.get("sections") or []
    sections = tuple(
        Section(heading=s.get("heading") or "", use=tuple(s.get("use") or ()), tags=tuple(s.get("tags") or ()),
                text=s.get("text") or "", line=getattr(r, "line", 0))
        for s, r in zip(topic.get("sections") or [], raw_sections, strict=True)
    )
    return Topic(title=topic["title"], sections=sections, tags=tuple(topic.get("tags") or ()))
