"""The domain: frozen records for everything a user writes, and the schema of each file."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.names import country_article, with_article
from briefkit.schema import (
    ANY,
    BOOL,
    DATE,
    DATE_OR_YEAR,
    LANGUAGE,
    NUM,
    STR,
    TEXT,
    AnyOf,
    Choice,
    Field,
    ListOf,
    MapOf,
    Number,
    Record,
)

KINDS = ("position-paper", "policy-brief", "handout", "speech", "resolution")
FORMATS = ("docx", "md", "txt", "html", "pdf")
SOURCE_TYPES = ("report", "treaty", "resolution", "webpage", "article", "legislation", "news", "book", "dataset")
GENRES = ("resolution", "agreed conclusions", "report", "decision", "declaration")

STRS = ListOf(STR, single_ok=True)
UNITS = ("percent", "compact", "number")  # how a fact's number is printed in each language (languages.Language.value)
WHEN_KEYS = ("committee", "country", "kind", "conference")



def _clause_spec(depth: int) -> Any:
    """A clause: its text, or a mapping of text and `sub` clauses, nested up to `depth` levels below it."""
    if depth == 0:
        return STR
    return AnyOf((STR, Record({"text": Field(STR, required=True), "sub": Field(ListOf(_clause_spec(depth - 1)))})),
                 "a clause, or a mapping with text and sub")


SUB_LEVELS = 4  # (a), (i), a., i.
CLAUSE_BANK = Record({"preambular": Field(ListOf(STR)), "operative": Field(ListOf(_clause_spec(SUB_LEVELS)))})

SNIPPET_SCHEMA = Record({
    "title": Field(STR, required=True),
    "summary": Field(STR),
    "tags": Field(STRS),
    "sources": Field(STRS),
    "when": Field(Record({k: Field(STRS) for k in WHEN_KEYS})),
    "clauses": Field(CLAUSE_BANK),
    "updated": Field(DATE),
    "order": Field(Number(-10000, 10000, whole=True)),
    "internal": Field(BOOL, doc="preparation notes: only used where a brief names them and sets internal: true"),
})

SOURCE_SCHEMA = Record({
    "title": Field(STR, required=True),
    "author": Field(STR, required=True),
    "issued": Field(DATE_OR_YEAR, required=True),
    "type": Field(Choice(SOURCE_TYPES), required=True),
    "url": Field(STR),
    "publisher": Field(STR),
    "container": Field(STR, doc="journal, website or series the source appears in"),
    "number": Field(TEXT, doc="document symbol or number, e.g. A/RES/55/25"),
    "accessed": Field(DATE),
    "note": Field(STR),
    # How a citation style prints the source (citations.py, csl.py)
    "short_title": Field(STR, doc="the title in short notes and in-text citations (default: the title before a colon)"),
    "official_title": Field(BOOL, doc="the title is printed exactly as written, never title-cased (default: true for "
                            "treaties, resolutions, legislation and any source with a document number)"),
    "language": Field(STR, doc="language of the title (BCP 47); titles not in English are never title-cased"),
    "person": Field(BOOL, doc="the author is a person, written 'Family, Given' (several joined by ';')"),
    "volume": Field(TEXT, doc="a journal article's volume"),
    "issue": Field(TEXT, doc="a journal article's issue number"),
    "pages": Field(TEXT, doc="a journal article's page range, e.g. 165-76"),
})

FACT_SCHEMA = Record({
    "value": Field(AnyOf((NUM, STR), "a number or text"), required=True),
    "source": Field(STR, required=True),
    "as_of": Field(DATE_OR_YEAR, required=True),
    "label": Field(STR, doc="what the figure measures, for key-facts tables"),
    "labels": Field(MapOf(STR), doc="the label in other languages: language -> label"),
    "unit": Field(Choice(UNITS), doc="how a number is printed in each language: percent "
                  "(25 per cent, 25 %), compact (27.6 million, 2760万) or number (1,234; 1 234)"),
    "currency": Field(STR, doc="ISO 4217 code of an amount (USD), printed as each language writes it"),
    "values": Field(MapOf(STR), doc="a text value in other languages: language -> text"),
    "locator": Field(TEXT, doc="page or section in the source"),
    "note": Field(STR),
    "verified": Field(DATE, doc="when someone last checked that no newer figure has been published (keeps an old "
                      "as_of within the library's freshness window)"),
})

RATIFICATION = Record({
    "status": Field(Choice(("ratified", "acceded", "accepted", "approved", "signed", "not party")), required=True),
    "date": Field(DATE),
    "reservations": Field(STR),
    "source": Field(STR),
})

COMMITTEE_NAMES = Record({k: Field(STR) for k in ("name", "short_name", "in_text", "name_in_text", "organ_line",
                                                    "mandate")})
COUNTRY_NAMES = Record({k: Field(STR) for k in ("name", "short_name", "in_text", "name_in_text", "adjective",
                                                "delegation")})

COUNTRY_SCHEMA = Record({
    "name": Field(STR, required=True),
    "short_name": Field(STR, required=True),
    "article": Field(STR, doc="'the' or '' before the names in running text (default: as UN usage has it)"),
    "adjective": Field(STR),
    "delegation": Field(STR),
    "memberships": Field(STRS),
    "ratifications": Field(MapOf(RATIFICATION)),
    "notes": Field(STR),
    "updated": Field(DATE),
    "translations": Field(MapOf(COUNTRY_NAMES), doc="the names in other languages: language -> name, short_name, "
                          "in_text, name_in_text, adjective, delegation"),
})

COMMITTEE_SCHEMA = Record({
    "name": Field(STR, required=True),
    "short_name": Field(STR, doc="the name in running text and headers (default: the full name)"),
    "article": Field(STR, doc="'the' (the default) or '' before the short name in running text ('ECOSOC')"),
    "parent": Field(STR),
    "organ_line": Field(STR),
    "members": Field(Number(1, 1000, whole=True)),
    "genre": Field(Choice(GENRES)),
    "mandate": Field(STR),
    "forbidden_verbs": Field(STRS),
    "default_kind": Field(Choice(KINDS)),
    "translations": Field(MapOf(COMMITTEE_NAMES), doc="the committee in other languages: language -> name, "
                          "short_name, in_text, name_in_text, organ_line, mandate (as the UN writes them)"),
})

LIMITS = Record({"pages": Field(Number(1, 10000, whole=True)), "words": Field(Number(1, 10000, whole=True)),
                 "minutes": Field(Number(0.5, 10000))})
MARGIN = Number(0, 10, unit="cm")
FONT_SIZE = Number(6, 72, unit="pt")
MARGINS = Record({k: Field(MARGIN) for k in ("top", "bottom", "left", "right")})
CONFERENCE_SCHEMA = Record({
    "name": Field(STR, required=True),
    "paper": Field(Choice(("letter", "a4"))),
    "margins_cm": Field(AnyOf((MARGIN, MARGINS), "a number or top/bottom/left/right")),
    "font": Field(STR),
    "east_asian_font": Field(STR, doc="font of Chinese, Japanese and Korean text (default: the language's)"),
    "complex_font": Field(STR, doc="font of Arabic and other complex-script text (default: the language's)"),
    "font_size": Field(FONT_SIZE),
    "font_size_range": Field(ListOf(FONT_SIZE), doc="[smallest, largest] point size any text may have, e.g. [10, 12]"),
    "line_spacing": Field(Number(0.5, 4)),
    "reading_font_size": Field(FONT_SIZE, doc="type size of a reading copy (a speech, read aloud at a lectern); "
                               "default 16"),
    "reading_line_spacing": Field(Number(0.5, 4), doc="line spacing of a reading copy; default 1.5"),
    "limits": Field(MapOf(LIMITS)),
    "header_fields": Field(ListOf(Choice(("country", "school", "committee", "delegates", "topic", "conference")))),
    "header": Field(STR),
    "footer": Field(AnyOf((STR, MapOf(STR)), "a footer, or language -> footer"),
                    doc="footer text with {page} and {pages}, or one per language (default: the language's "
                    "'Page {page}' or, with page_x_of_y, 'Page {page} of {pages}')"),
    "page_x_of_y": Field(BOOL),
    "names_allowed": Field(BOOL),
    "symbols_allowed": Field(BOOL),
    "citation_style": Field(STR),
    "paper_per": Field(Choice(("committee", "topic"))),
    "filename": Field(STR),
    "disclosure": Field(AnyOf((STR, MapOf(STR)), "a heading, or language -> heading"),
                        doc="heading of the disclosure page the conference asks for after the paper (its text comes "
                        "from the brief's `disclosure`), or one per language; the page does not count towards page "
                        "limits"),
    "bibliography": Field(BOOL, doc="false: notes only, no reference list (for page-limited papers)"),
    "headers": Field(MapOf(STR), doc="a header for some kinds instead of `header` (kind -> text with the same fields)"),
    "line_numbers": Field(ListOf(Choice(KINDS)), doc="kinds whose lines are numbered in Word and PDF, as THIMUN "
                          "numbers a draft resolution's"),
    "formats": Field(ListOf(Choice(FORMATS))),
    "guidelines": Field(STR, doc="where the rules come from"),
})

WORKSPACE_SCHEMA = Record({
    "libraries": Field(ListOf(STR), doc="snippet libraries in lookup order: a built-in library's name or a folder"),
    "language": Field(LANGUAGE, doc="default language of the briefs (BCP 47)"),
    "conference": Field(STR, doc="default conference profile of the briefs"),
})

LIBRARY_SCHEMA = Record({
    "name": Field(STR, required=True),
    "title": Field(STR, required=True),
    "version": Field(TEXT),
    "as_of": Field(DATE, required=True, doc="the date the library's figures were last checked"),
    "languages": Field(STRS),
    "description": Field(STR),
    "freshness_years": Field(Number(0, 100, unit="years"),
                             doc="facts older than this many years before as_of are reported by check"),
})

SECTION = Record({
    "heading": Field(STR),
    "use": Field(STRS),
    "tags": Field(STRS),
    "text": Field(STR),
})
TOPIC = AnyOf((STR, Record({"title": Field(STR, required=True), "tags": Field(STRS),
                            "sections": Field(ListOf(SECTION))})),
              "a title or a mapping with title and sections")

BRIEF_SCHEMA = Record({
    "kind": Field(Choice(KINDS), required=True),
    "country": Field(TEXT),
    "countries": Field(ListOf(TEXT), doc="a matrix brief: one output per country and committee"),
    "committee": Field(STR),
    "committees": Field(STRS, doc="a list, or 'all' for every committee profile"),
    "conference": Field(STR),
    "title": Field(STR),
    "school": Field(STR),
    "delegates": Field(STRS),
    "date": Field(DATE),
    "language": Field(LANGUAGE, doc="the language of the brief (BCP 47: en-GB, fr, zh-CN, ar)"),
    "formats": Field(ListOf(Choice(FORMATS), single_ok=True)),
    "topic": Field(TOPIC),
    "topics": Field(ListOf(TOPIC)),
    "internal": Field(BOOL),
    "summary": Field(ListOf(STR, single_ok=True), doc="the position in a few lines (policy brief, handout, speech)"),
    "facts": Field(STRS, doc="key facts by key (policy brief, handout, speech)"),
    "asks": Field(ListOf(STR, single_ok=True), doc="what the delegation asks for (handout, speech)"),
    "sponsors": Field(STRS, doc="resolution sponsors: ISO codes or names"),
    "signatories": Field(STRS, doc="resolution signatories: ISO codes or names"),
    "disclosure": Field(STR, doc="the delegation's disclosure statement, where the conference asks for one"),
    "clauses": Field(Record({
        "tags": Field(STRS, doc="take the clause banks of snippets with all these tags"),
        "use": Field(STRS, doc="take the clause banks of these snippets"),
        "preambular": Field(ListOf(STR)),
        "operative": Field(ListOf(_clause_spec(SUB_LEVELS))),
    })),
    "vars": Field(MapOf(ANY)),
})


@dataclass(frozen=True)
class ClauseText:
    """A clause as written in a clause bank or a brief, with where it was written."""

    text: str
    path: Path
    line: int | None
    sub: tuple[ClauseText, ...] = ()


@dataclass(frozen=True)
class Snippet:
    id: str
    path: Path
    title: str
    body: str
    body_line: int
    summary: str = ""
    tags: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    when: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    preambular: tuple[ClauseText, ...] = ()
    operative: tuple[ClauseText, ...] = ()
    updated: dt.date | None = None
    order: int = 100
    internal: bool = False
    layer: int = 0
    lines: Mapping[str, int] = field(default_factory=dict)
    file_id: str = ""  # a language variant's own file id ('instruments/palermo-protocol.zh'); its `id` is the base's
    language: str = ""  # a language variant's language

    def line_of(self, key: str) -> int:
        """The line of a front-matter key, for messages (the title line if the key is absent)."""
        return self.lines.get(key, 2)


@dataclass(frozen=True)
class Source:
    key: str
    title: str
    author: str
    issued: dt.date | int
    type: str
    path: Path
    line: int
    url: str | None = None
    publisher: str | None = None
    container: str | None = None
    number: str | None = None
    accessed: dt.date | None = None
    note: str | None = None
    layer: int = 0
    short_title: str | None = None
    official_title: bool | None = None
    language: str | None = None
    person: bool = False
    volume: str | None = None
    issue: str | None = None
    pages: str | None = None


@dataclass(frozen=True)
class Fact:
    key: str
    value: int | float | str
    source: str
    as_of: dt.date | int
    path: Path
    line: int
    label: str | None = None
    locator: str | None = None
    note: str | None = None
    verified: dt.date | None = None
    labels: Mapping[str, str] = field(default_factory=dict)
    unit: str | None = None
    currency: str | None = None
    values: Mapping[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        """The figure as printed: numbers get thousands separators."""
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            return str(self.value)
        return f"{self.value:,}" if isinstance(self.value, int) else f"{self.value:,.10g}"


@dataclass(frozen=True)
class Ratification:
    status: str
    date: dt.date | None = None
    reservations: str | None = None
    source: str | None = None


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    short_name: str
    adjective: str
    delegation: str
    memberships: tuple[str, ...] = ()
    ratifications: Mapping[str, Ratification] = field(default_factory=dict)
    notes: str = ""
    path: Path | None = None
    article: str | None = None  # None: as UN usage has it (names.country_article)
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    said: Mapping[str, str] = field(default_factory=dict)  # in_text, name_in_text of a translation

    @property
    def in_text(self) -> str:
        """The short name as it reads in a sentence: 'China', 'the Philippines'."""
        return self.said.get("in_text") or with_article(self.article, self.short_name,
                                                        country_article(self.short_name))

    @property
    def name_in_text(self) -> str:
        """The official name as it reads in a sentence: "the People's Republic of China", 'Japan'."""
        return self.said.get("name_in_text") or with_article(self.article, self.name, country_article(self.name))


@dataclass(frozen=True)
class Committee:
    id: str
    name: str
    short_name: str
    path: Path
    parent: str = ""
    organ_line: str = ""
    members: int | None = None
    genre: str = "resolution"
    mandate: str = ""
    forbidden_verbs: tuple[str, ...] = ()
    default_kind: str = "position-paper"
    article: str | None = None  # before the short name in running text; None: 'the'
    translations: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    said: Mapping[str, str] = field(default_factory=dict)  # in_text, name_in_text of a translation

    @property
    def in_text(self) -> str:
        """The short name as it reads in a sentence: 'the CSW', 'the Third Committee', 'ECOSOC'."""
        return self.said.get("in_text") or with_article(self.article if self.short_name != self.name else None,
                                                        self.short_name)

    @property
    def name_in_text(self) -> str:
        """The full name as it reads in a sentence: 'the Commission on the Status of Women'."""
        return self.said.get("name_in_text") or with_article(None, self.name)


@dataclass(frozen=True)
class Limits:
    pages: int | None = None
    words: int | None = None
    minutes: float | None = None


@dataclass(frozen=True)
class Margins:
    top: float = 2.54
    bottom: float = 2.54
    left: float = 2.54
    right: float = 2.54


@dataclass(frozen=True)
class Conference:
    id: str
    name: str
    path: Path
    paper: str = "letter"
    margins: Margins = Margins()
    font: str = "Times New Roman"
    east_asian_font: str = ""  # '' : the language's (languages/<tag>.yaml fonts)
    complex_font: str = ""
    font_size: float = 12
    font_size_range: tuple[float, float] | None = None
    line_spacing: float = 1.0
    reading_font_size: float = 16  # a speech's reading copy: larger type, more space between lines
    reading_line_spacing: float = 1.5
    limits: Mapping[str, Limits] = field(default_factory=dict)
    header_fields: tuple[str, ...] = ("country", "committee")
    header: str = ""
    footer: str | Mapping[str, str] = ""
    page_x_of_y: bool = False
    names_allowed: bool = True
    symbols_allowed: bool = True
    citation_style: str = "chicago-notes-bibliography"
    paper_per: str = "committee"
    filename: str = "{brief}-{committee}"
    disclosure: str | Mapping[str, str] = ""
    bibliography: bool = True
    formats: tuple[str, ...] = ("docx", "md")
    guidelines: str = ""
    headers: Mapping[str, str] = field(default_factory=dict)
    line_numbers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    heading: str = ""
    use: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    text: str = ""
    line: int = 0


@dataclass(frozen=True)
class Topic:
    title: str
    sections: tuple[Section, ...] = ()
    tags: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClauseChoice:
    """Which clauses a resolution brief takes from the bank, and the ones it adds."""

    tags: tuple[str, ...] | None = None
    use: tuple[str, ...] = ()
    named: bool = False  # `use:` given, even empty: the bank's snippets are those named (none for [])
    preambular: tuple[ClauseText, ...] = ()
    operative: tuple[ClauseText, ...] = ()


@dataclass(frozen=True)
class Brief:
    id: str
    path: Path
    kind: str
    country: str
    committees: tuple[str, ...]
    countries: tuple[str, ...] = ()  # a matrix brief's countries (`country` is the first)
    conference: str = "generic"
    title: str = ""
    school: str = ""
    delegates: tuple[str, ...] = ()
    date: dt.date | None = None
    language: str = "en-GB"
    formats: tuple[str, ...] = ()
    topics: tuple[Topic, ...] = ()
    internal: bool = False
    summary: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    asks: tuple[str, ...] = ()
    sponsors: tuple[str, ...] = ()
    signatories: tuple[str, ...] = ()
    clauses: ClauseChoice = ClauseChoice()
    disclosure: str = ""
    vars: Mapping[str, Any] = field(default_factory=dict)
    lines: Mapping[str, int] = field(default_factory=dict)

    def line_of(self, key: str) -> int | None:
        """The line of a top-level key in the brief file, for messages."""
        return self.lines.get(key)
