"""The template API: every name a template or snippet body may use, and the frozen views they see.

Templates and snippets are rendered in a sandbox (SPEC section 10). What they can reach is declared here and
nowhere else: the names of `NAMES` (documented in docs/template-api.md, and reserved, so a brief's `vars` cannot
hide them), each a plain value or a frozen `View` of a domain record. A view carries the record's public fields
as plain data (text, numbers, dates, tuples, read-only mappings, other views) and leaves out every path, line
table and layer index, so nothing a template can reach touches the file system, the environment, the process
or what the next brief sees.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Iterator, Mapping
from pathlib import PurePath
from types import MappingProxyType
from typing import Any

# name -> what it is; templates/snippets see exactly these (plus a brief's own `vars`)
NAMES: dict[str, str] = {
    "brief": "the brief: kind, title, school, delegates, date, language, formats, topics, internal, summary, facts, "
             "asks, sponsors, signatories, disclosure, vars, countries, committees, conference (its id)",
    "country": "the delegation's country: code, name (official, for the delegation line), short_name (labels), "
               "in_text and name_in_text (the names in a sentence, with their article), adjective, delegation, "
               "memberships, ratifications (name -> status, date, reservations, source), notes",
    "committee": "the committee: id, name, short_name, in_text and name_in_text (the names in a sentence, with "
                 "their article), parent, organ_line, members, genre, mandate, forbidden_verbs, default_kind",
    "conference": "the conference: id, name, paper, margins, font, font_size, line_spacing, limits (kind -> pages, "
                  "words, minutes), header_fields, header, footer, names_allowed, symbols_allowed, citation_style, "
                  "disclosure, bibliography, formats, guidelines",
    "kind": "the document kind: position-paper, policy-brief, handout, speech or resolution",
    "topics": "the agenda topics this output covers: title, tags, sections (heading, use, tags, text)",
    "title": "the document's title",
    "date": "the brief's date, or none",
    "vars": "the brief's free variables (also available by their own names)",
    "fact": "fact(key): a figure from facts.yaml, with a citation of its source",
    "snippet": "snippet(id): another snippet's text, rendered here",
    "compose": "compose(section, topic): the Markdown of one section (text, `use` snippets, tag selection)",
    "position": "position(topic, tags, limit): the position in a few lines",
    "asks": "asks(topic, tags, limit): what the delegation asks for",
    "key_facts": "key_facts(topic, groups, limit): labelled, cited figures (label, value, as_of)",
    "resolution": "resolution(groups): the clauses of a draft resolution (preambular, operative, sponsors, "
                  "signatories)",
    "language": "the brief's language: tag, direction (ltr/rtl), script, count (words or characters), "
                "speaking_rate, english (true for English)",
    "t": "t(key, field=value...): one of briefkit's own words or sentences in the brief's language "
         "(templates/languages/<tag>.yaml; docs/languages.md lists the keys)",
    "label": "label(key): a label (labels.<key>) punctuated for its value: '**Committee:** ', '**委员会**：'",
    "format_date": "format_date(date or year): as the brief's language writes it: 15 November 2000, 2000年11月15日",
    "format_number": "format_number(number, unit): 1,234.5 / 1 234,5; unit 'percent': 25 per cent, 25 %",
}
RESERVED = tuple(NAMES)  # a brief's `vars` may not use these names
_LEFT_OUT = frozenset({"path", "lines", "layer", "key_lines", "body", "body_line", "said", "file_id"})


class View:
    """A read-only view of a domain record: its public fields as plain data; no paths, no mutation."""

    __slots__ = ("_View__fields", "_View__origin")

    def __init__(self, fields: Mapping[str, Any], origin: Any):
        object.__setattr__(self, "_View__fields", MappingProxyType(dict(fields)))
        object.__setattr__(self, "_View__origin", origin)

    def __getattr__(self, name: str) -> Any:
        try:
            return self.__fields[name]
        except KeyError:
            raise AttributeError(name) from None

    def __getitem__(self, name: str) -> Any:
        return self.__fields[name]

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a template cannot change what it is given")

    def __iter__(self) -> Iterator[str]:
        return iter(self.__fields)

    def __contains__(self, name: object) -> bool:
        return name in self.__fields

    def __eq__(self, other: object) -> bool:
        return isinstance(other, View) and self.__fields == other.__fields

    def __hash__(self) -> int:
        return hash(tuple(self.__fields))

    def __repr__(self) -> str:
        return f"View({', '.join(self.__fields)})"

    def keys(self) -> tuple[str, ...]:
        return tuple(self.__fields)

    def items(self) -> tuple[tuple[str, Any], ...]:
        return tuple(self.__fields.items())


def fields_of(view: View) -> Mapping[str, Any]:
    """A view's fields (for tests that walk what templates can reach)."""
    return view._View__fields


def origin(value: Any) -> Any:
    """The record a view was made from (for the toolkit's own functions a template calls), or the value itself."""
    return value._View__origin if isinstance(value, View) else value


def freeze(value: Any) -> Any:
    """Plain, read-only data for templates: records become views, lists tuples, mappings read-only mappings;
    paths and anything else that is not plain data are left out."""
    if value is None or isinstance(value, (str, bool, int, float, dt.date, dt.time, dt.timedelta)):
        return value
    if isinstance(value, View):
        return value
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        public = {f.name: getattr(value, f.name) for f in dataclasses.fields(value)
                  if not f.name.startswith("_") and f.name not in _LEFT_OUT}
        public.update((name, getattr(value, name)) for name in _properties(type(value)))
        return View({k: freeze(v) for k, v in public.items() if not isinstance(v, PurePath)}, value)
    if isinstance(value, Mapping):
        return MappingProxyType({str(k): freeze(v) for k, v in value.items() if not isinstance(v, PurePath)})
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(freeze(v) for v in value if not isinstance(v, PurePath))
    raise TypeError(f"not plain data for a template: {type(value).__name__}")


@functools.cache
def _properties(cls: type) -> tuple[str, ...]:
    """The public properties of a record class (`Clause.markdown`, `Fact.text`), which views carry as values."""
    return tuple(name for klass in reversed(cls.__mro__) for name, attr in vars(klass).items()
                 if isinstance(attr, property) and not name.startswith("_") and name not in _LEFT_OUT)


class Function:
    """A context function for templates: arguments may be views, the result is frozen, and printed by mistake it
    shows its name, not a memory address (outputs stay the same from run to run)."""

    __slots__ = ("_function",)

    def __init__(self, function: Callable[..., Any]):
        self._function = function  # private: the sandbox refuses names that start with "_"

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return freeze(self._function(*(origin(a) for a in args), **{k: origin(v) for k, v in kwargs.items()}))

    def __repr__(self) -> str:
        return f"{self._function.__name__}()"


def frozen_function(function: Callable[..., Any]) -> Function:
    """`function` as a template sees it (see Function)."""
    return Function(function)
