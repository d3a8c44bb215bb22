"""Languages: every word briefkit writes, and how the language writes dates, numbers and scripts.

A brief's `language` (BCP 47: `en-GB`, `fr`, `zh-CN`, `ar`) picks a data file, `templates/languages/<tag>.yaml`
(SPEC 11), found like any template: the workspace's first, then the built-in ones. `zh-CN` reads `zh-cn.yaml`
then `zh.yaml` (the more specific file wins key by key), and English (`en.yaml`) is the fallback for every key a
language lacks: a brief in it is still built, with one warning naming the keys. A workspace adds a language with
a data file alone (`templates/languages/de.yaml`), or changes a few strings of a built-in one by giving only those.

What CLDR knows (the direction of the script, the language's script, month names, number symbols) comes from
Babel; the data file overrides it where the United Nations' own style differs (Arabic documents name a month
twice, "تشرين الثاني/نوفمبر"; Russian dates end in "года").
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from briefkit.errors import Problems
from briefkit.schema import NUM, STR, AnyOf, Choice, Field, ListOf, MapOf, Number, Record, validate
from briefkit.yamlio import load_yaml_file

if TYPE_CHECKING:
    from briefkit.workspace import Workspace

DEFAULT = "en"
# Scripts Word sets with its East Asian fonts and language (w:eastAsia), and those it sets as complex script
# (w:bidi: right-to-left and other shaped scripts). ISO 15924 codes, as CLDR's likely subtags give them.
EAST_ASIAN_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan", "Kore", "Hang", "Hira", "Kana", "Bopo"})
CHARACTER_SCRIPTS = frozenset({"Hans", "Hant", "Hani", "Jpan"})  # written without spaces: counted in characters
COMPLEX_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Thai", "Laoo", "Khmr", "Deva", "Beng", "Guru",
                             "Gujr", "Orya", "Taml", "Telu", "Knda", "Mlym", "Sinh", "Tibt", "Mymr", "Ethi"})
_SCRIPT_SLOT = {**dict.fromkeys(EAST_ASIAN_SCRIPTS, "east_asian"), **dict.fromkeys(COMPLEX_SCRIPTS, "complex")}

# A pattern with {n}, or one per CLDR plural category of the number (Russian: 21 процент, 22 процента, 25 процентов)
_PATTERN = AnyOf((STR, MapOf(STR)), "a pattern with {n}, or a pattern per plural category (one, few, many, other)")

LANGUAGE_SCHEMA = Record({
    "name": Field(STR, doc="the language's own name, for messages"),
    "direction": Field(Choice(("ltr", "rtl")), doc="default: CLDR's for the language"),
    "count": Field(Choice(("words", "characters")), doc="what word limits and speaking time count: words, or "
                   "characters for a language written without spaces (Chinese, Japanese)"),
    "speaking_rate": Field(Number(10, 1000), doc="words (or characters) a minute of a speech read aloud"),
    "speaking_rate_source": Field(STR, doc="where the speaking rate comes from"),
    "word": Field(Record({k: Field(STR) for k in ("latin", "east_asian", "complex")}),
                  doc="the language tags Word gets for text in each script (w:val, w:eastAsia, w:bidi)"),
    "fonts": Field(Record({k: Field(STR) for k in ("latin", "east_asian", "complex")}),
                   doc="default fonts for the language where the conference names none"),
    "script_fonts": Field(MapOf(STR), doc="(en.yaml) a face for each script (ISO 15924), for a language whose "
                          "file names none: Jpan: Noto Serif CJK JP"),
    "dates": Field(Record({"format": Field(STR, doc="a CLDR date pattern, e.g. d MMMM y"),
                           "months": Field(ListOf(STR), doc="the twelve month names, where the UN's differ from "
                                           "CLDR's"),
                           "first_day": Field(STR, doc="the first of the month, for the pattern's d: French 1er")})),
    "numbers": Field(Record({"group": Field(STR), "decimal": Field(STR),
                             "min_grouping": Field(Number(1, 4, whole=True), doc="2: numbers below 10 000 are not "
                                                   "grouped (1000, 10 000), as CLDR's minimumGroupingDigits"),
                             "percent": Field(_PATTERN, doc="a percentage, with {n}: '{n} per cent', '{n} %'; or "
                                              "one pattern per CLDR plural category (one, few, many, other)"),
                             "currency": Field(MapOf(_PATTERN), doc="ISO 4217 code -> pattern with {n}: USD: US${n}; "
                                               "'USD compact': after a word for millions ('{n} de dollars')"),
                             "compact": Field(MapOf(_PATTERN), doc="power of ten -> pattern with {n}, or one per "
                                              "plural category: the UN's words for large numbers where they differ "
                                              "from CLDR's (9: '{n} млрд.'; 6: {one: '{n} millón', other: ...})")})),
    "strings": Field(MapOf(AnyOf((STR, NUM, MapOf(AnyOf((STR, NUM, MapOf(AnyOf((STR, NUM), "text"))), "text"))),
                                 "text or a mapping of texts")), doc="the words briefkit writes, by key"),
    "sources": Field(ListOf(STR), doc="where the conventions of this file come from"),
})

_FIELD = re.compile(r"\{(\w+)\}")
_TAG = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*")


@dataclass(frozen=True)
class Language:
    """A brief's language: its strings (English where it lacks one) and how it writes dates, numbers and scripts."""

    tag: str  # as the brief gives it: 'zh-CN'
    strings: Mapping[str, str]
    direction: str = "ltr"
    script: str = "Latn"
    count: str = "words"
    speaking_rate: float = 140
    word_latin: str = "en-GB"
    word_east_asian: str = ""
    word_complex: str = ""
    fonts: Mapping[str, str] = field(default_factory=dict)
    date_format: str = ""
    months: tuple[str, ...] = ()
    first_day: str = ""
    numbers: Mapping[str, Any] = field(default_factory=dict)
    files: tuple[Path, ...] = ()  # the data files read, most specific first
    missing: tuple[str, ...] = ()  # keys English fills in
    unknown: tuple[tuple[Path, str, str], ...] = ()  # (file, problem, hint): keys or fields English does not have
    known: bool = True  # a data file of the language itself was found

    @property
    def base(self) -> str:
        return self.tag.split("-")[0].lower()

    @property
    def rtl(self) -> bool:
        return self.direction == "rtl"

    @property
    def english(self) -> bool:
        return self.base == "en"

    def text(self, key: str, **fields: object) -> str:
        """The string `key` with its `{field}`s filled in; a key no file has raises KeyError."""
        value = self.strings[key]
        if fields:
            value = _FIELD.sub(lambda m: str(fields[m.group(1)]) if m.group(1) in fields else m.group(0), value)
        return value

    def date(self, value: dt.date) -> str:
        """A date as the language writes it in running text: '15 November 2000', '2000年11月15日'."""
        if self.english and self.date_format in ("", "d MMMM y") and not self.months:
            return f"{value.day} {value:%B %Y}"  # CLDR's, without loading CLDR for English
        from babel.dates import format_date

        pattern = self.date_format or None
        locale = _locale(self.tag)
        if self.first_day and value.day == 1:  # "1er janvier": the day as the data file writes the first
            pattern = re.sub(r"(?<![d'])d(?!d)", "'" + self.first_day.replace("'", "''") + "'",
                             pattern or _long_date_pattern(self.tag), count=1)
        if not self.months:
            return format_date(value, pattern or "long", locale=locale)
        # the UN's month names: each piece of the pattern around MMMM formatted by CLDR, the month put between
        pattern = pattern or _long_date_pattern(self.tag)
        pieces = [format_date(value, piece, locale=locale) if piece.strip() else piece
                  for piece in pattern.split("MMMM")]
        return self.months[value.month - 1].join(pieces)

    def year_or_date(self, value: dt.date | int) -> str:
        return self.date(value) if isinstance(value, dt.date) else str(value)

    def number(self, value: float) -> str:
        """A number with the language's digit grouping and decimal mark: 1,234.5, 1 234,5."""
        english = _plain(value)
        if abs(value) < 10 ** (2 + int(self.numbers.get("min_grouping") or 1)):  # "1000" where 2 is the minimum
            english = english.replace(",", "")
        group, decimal = self.numbers.get("group"), self.numbers.get("decimal")
        if group is None and decimal is None and self.english:
            return english
        if group is not None and decimal is not None:
            return english.translate({ord(","): group, ord("."): decimal})
        from babel.numbers import format_decimal

        return format_decimal(_exact(value), locale=_locale(self.tag), numbering_system="latn")

    def value(self, value: float, unit: str | None = None, currency: str | None = None) -> str:
        """A figure with its unit: 25 per cent, 25 %, 27.6 million, 2760万, US$236 billion."""
        worded = unit == "compact" and abs(value) >= 10**6  # "236 milliards": a word for the millions
        if unit == "percent":
            text = self._pattern(self.numbers.get("percent", "{n}%"), value).replace("{n}", self.number(value))
        elif unit == "compact" and abs(value) >= 1000:
            text = self._compact(value)
        else:
            text = self.number(value)
        if currency:
            patterns = self.numbers.get("currency") or {}
            pattern = (worded and patterns.get(f"{currency} compact")) or patterns.get(currency, f"{currency} {{n}}")
            # after a word for millions the currency is plural whatever the figure ("1 million de dollars")
            text = self._pattern(pattern, 2 if worded else value).replace("{n}", text)
        return text

    def _pattern(self, pattern: str | Mapping[str, str], value: float) -> str:
        """A pattern, or the one for the plural category of `value` in the language (CLDR's rules)."""
        if isinstance(pattern, str):
            return pattern
        category = _locale(self.tag).plural_form(abs(value)) if not self.english else (
            "one" if value == 1 else "other")
        return pattern.get(category) or pattern.get("other") or next(iter(pattern.values()))

    def _compact(self, value: float) -> str:
        own = {int(k): v for k, v in (self.numbers.get("compact") or {}).items()}
        fitting = [power for power in own if abs(value) >= 10**power]
        if fitting:  # the UN's words where they differ from CLDR's: 236 млрд., 236.000 millones, 236 بليون
            power = max(fitting)
            scaled = _rounded(value / 10**power)
            return self._pattern(own[power], scaled).replace("{n}", self.number(scaled))
        if self.english:  # CLDR's English long compact form, without loading CLDR: 27.6 million
            for size, word in ((10**12, "trillion"), (10**9, "billion"), (10**6, "million")):
                if abs(value) >= size:
                    return f"{self.number(_rounded(value / size))} {word}"
            return self.number(value)
        from babel.numbers import format_compact_decimal

        text = format_compact_decimal(value, format_type="long", locale=_locale(self.tag), fraction_digits=2,
                                      numbering_system="latn")
        decimal = self.numbers.get("decimal")
        if decimal is not None:  # the UN's decimal mark where it differs from CLDR's
            text = text.replace(_decimal_symbol(self.tag), decimal)
        return text

    def duration(self, seconds: float) -> str:
        """'1 min 05 s', '45 s' in the language's words."""
        minutes, rest = divmod(round(seconds), 60)
        if minutes:
            return self.text("time.minutes_seconds", minutes=minutes, seconds=f"{rest:02d}")
        return self.text("time.seconds", seconds=rest)


def _exact(value: float) -> Any:
    """A number as a Decimal of its shortest repr, so 1.5e22 prints as 15000000000000000000000, not 1.5E+22."""
    from decimal import Decimal

    return Decimal(value) if isinstance(value, int) else Decimal(repr(value))


def _plain(value: float) -> str:
    """English digits with a comma every three and no exponent: 1,234.5; 15,000,000,000,000,000,000,000; 0.000001."""
    if isinstance(value, int):
        return f"{value:,}"
    text = f"{value:,.10g}"
    if "e" not in text:
        return text
    text = format(_exact(value), ",f")  # a size the short form writes with an exponent
    return text.rstrip("0").rstrip(".") if "." in text else text


def _rounded(value: float) -> float:
    """Two decimals at most, a whole number as one (27.6, 236)."""
    value = round(value, 2)
    return int(value) if value == int(value) else value


@lru_cache(maxsize=32)
def _locale(tag: str) -> Any:
    from babel import Locale, UnknownLocaleError

    try:
        return Locale.parse(tag.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        try:
            return Locale.parse(tag.split("-")[0])
        except (UnknownLocaleError, ValueError):
            return Locale.parse(DEFAULT)


def _long_date_pattern(tag: str) -> str:
    return str(_locale(tag).date_formats["long"].pattern)


def _decimal_symbol(tag: str) -> str:
    from babel.numbers import get_decimal_symbol

    return str(get_decimal_symbol(_locale(tag)))


def in_language(values: Mapping[str, Any], tag: str) -> Any:
    """The entry of a per-language mapping (`translations`, `labels`, a footer per language) for a brief's
    language: 'zh-CN' takes 'zh-CN', else 'zh' (keys in any case); None if there is none."""
    if not values:
        return None
    lowered = {str(k).lower(): v for k, v in values.items()}
    for key in _chain(tag):
        if key in lowered:
            return lowered[key]
    return None


def territory_name(tag: str, alpha_2: str) -> str | None:
    """CLDR's name of a country (ISO 3166 alpha-2) in a language: 'KE' in zh -> '肯尼亚'."""
    if not alpha_2:
        return None
    name = _locale(tag).territories.get(alpha_2.upper())
    return str(name) if name else None


@lru_cache(maxsize=256)
def known_locale(tag: str) -> bool:
    """Whether CLDR knows the language of a BCP 47 tag (for snippet variants: `name.zh.md`), looked up in Babel's
    data folder without importing Babel (a library with variants is loaded by every build, English ones too)."""
    spec = importlib.util.find_spec("babel")
    if spec is None or spec.origin is None:
        return False
    folder = Path(spec.origin).parent / "locale-data"
    parts = tag.replace("-", "_").split("_")
    names = {"_".join(parts), parts[0].lower(), "_".join([parts[0].lower(), *parts[1:]])}
    return any(name.isascii() and name.replace("_", "").isalnum() and (folder / f"{name}.dat").is_file()
               for name in names)


def script_of(tag: str) -> tuple[str, str]:
    """The script (ISO 15924) and direction CLDR gives a language: ('Hans', 'ltr'), ('Arab', 'rtl')."""
    if tag.split("-")[0].lower() == "en":
        return "Latn", "ltr"
    from babel.core import get_global

    locale = _locale(tag)
    script = locale.script
    if not script:
        likely = get_global("likely_subtags")
        full = likely.get(str(locale)) or likely.get(locale.language) or ""
        parts = full.split("_")
        script = parts[1] if len(parts) > 1 else "Latn"
    return script, "rtl" if locale.text_direction == "rtl" else "ltr"


def _word_tag(tag: str) -> str:
    """A tag as Word names its proofing languages, language-REGION: 'ar' -> 'ar-EG' (CLDR's likely region),
    'zh-Hant' -> 'zh-TW'; a script stays only where the region does not imply it ('sr-Latn' -> 'sr-Latn-RS')."""
    parts = tag.split("-")
    language = parts[0].lower()
    script = next((p.title() for p in parts[1:] if len(p) == 4 and p.isalpha()), "")
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha() or len(p) == 3 and p.isdigit()), "")
    if region and not script:
        return f"{language}-{region}"
    from babel.core import get_global

    likely = get_global("likely_subtags")
    full = (likely.get(f"{language}_{script}") if script else None) or likely.get(language, "")
    found = full.split("_")
    region = region or (found[-1] if len(found) > 2 else "")
    if not region:
        return tag
    implied = likely.get(f"{language}_{region}", "").split("_")
    if script and not (len(implied) > 2 and implied[1] == script):
        return f"{language}-{script}-{region}"
    return f"{language}-{region}"


def _flatten(data: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in data.items():
        if isinstance(value, Mapping):
            yield from _flatten(value, f"{prefix}{key}.")
        else:
            yield f"{prefix}{key}", str(value)


def _chain(tag: str) -> list[str]:
    """'zh-Hant-TW' -> ['zh-hant-tw', 'zh-hant', 'zh']."""
    parts = tag.lower().split("-")
    return ["-".join(parts[:n]) for n in range(len(parts), 0, -1)]


def file_chain(tag: str) -> list[str]:
    """The data files a tag reads, most specific first: 'zh-TW' -> zh-tw, zh-hant (CLDR writes Chinese in Taiwan
    in traditional characters), zh; 'fr-CA' -> fr-ca, fr."""
    chain = _chain(tag)
    parts = tag.lower().split("-")
    if parts[0] == DEFAULT or len(parts) < 2 or len(parts[1]) == 4:  # English, no region, or a script given
        return chain
    script = script_of(tag)[0].lower()
    if script != script_of(parts[0])[0].lower():
        chain.insert(len(chain) - 1, f"{parts[0]}-{script}")
    return chain


@lru_cache(maxsize=64)
def _read(path: Path, stamp: int) -> dict[str, Any]:
    problems = Problems()
    data = validate(load_yaml_file(path), LANGUAGE_SCHEMA, path, problems)
    problems.raise_errors()
    return dict(data or {})


def language_files(ws: Workspace, tag: str) -> list[Path]:
    """The data files of a language, highest priority first: each layer's most specific file, then less
    specific ones; a file that is a link out of its layer is an error (as any template is)."""
    if not _TAG.fullmatch(tag):  # names files: a tag is letters, digits and hyphens (schema.LanguageTag)
        return []
    return [path for name in file_chain(tag) for path in ws.find_all("templates/languages", name, ".yaml")]


def load_language(ws: Workspace, tag: str) -> Language:
    """The language of a brief, made once a session per tag (the workspace's files read once, re-read when changed)."""
    files = language_files(ws, tag)
    defaults = [] if tag.lower().split("-")[0] == DEFAULT else language_files(ws, DEFAULT)
    stamps = tuple((p, p.stat().st_mtime_ns) for p in (*files, *defaults))
    return _make(tag, stamps, len(files))


@lru_cache(maxsize=32)
def _make(tag: str, stamps: tuple[tuple[Path, int], ...], own: int) -> Language:
    datas = [_read(path, stamp) for path, stamp in stamps]
    mine, english = datas[:own], datas[own:]
    strings: dict[str, str] = {}
    settings: dict[str, Any] = {}
    for data in reversed(mine):  # least specific first: the more specific file wins key by key
        strings.update(_flatten(data.get("strings") or {}))
        settings.update({k: v for k, v in data.items() if k != "strings"})
    fallback: dict[str, str] = {}
    fonts: dict[str, str] = {}
    script_fonts: dict[str, str] = {}
    for data in reversed(english or mine):  # English's files: the fallback of every key and font
        fallback.update(_flatten(data.get("strings") or {}) if english else ())
        fonts.update(data.get("fonts") or {})
        script_fonts.update(data.get("script_fonts") or {})
    script, direction = script_of(tag)
    if script in script_fonts and not (settings.get("fonts") or {}).get(_SCRIPT_SLOT.get(script, "latin")):
        fonts[_SCRIPT_SLOT.get(script, "latin")] = script_fonts[script]  # Japanese: a Japanese face, not SimSun
    fonts.update(settings.get("fonts") or {})
    missing = tuple(sorted(k for k in fallback if k not in strings))
    merged = {**fallback, **strings}
    reference = _flatten_dict((english or mine)[-1].get("strings") or {}) if (english or mine) else {}
    unknown = tuple(_unknown(path, data, reference) for (path, _), data in zip(stamps, datas, strict=True))
    word = settings.get("word") or {}
    east_asian = script in EAST_ASIAN_SCRIPTS
    complex_script = script in COMPLEX_SCRIPTS
    numbers = dict(settings.get("numbers") or {})
    dates = settings.get("dates") or {}
    return Language(
        tag=tag, strings=merged, direction=settings.get("direction") or direction, script=script,
        count=settings.get("count") or ("characters" if script in CHARACTER_SCRIPTS else "words"),
        speaking_rate=float(settings.get("speaking_rate") or 140),
        word_latin=word.get("latin") or (_word_tag(tag) if not (east_asian or complex_script) else "en-GB"),
        word_east_asian=word.get("east_asian") or (_word_tag(tag) if east_asian else ""),
        word_complex=word.get("complex") or (_word_tag(tag) if complex_script else ""),
        fonts=fonts, date_format=dates.get("format") or "", first_day=dates.get("first_day") or "",
        months=tuple(dates.get("months") or ()), numbers=numbers,
        files=tuple(p for p, _ in stamps[:own]), missing=missing if own else (), known=bool(own),
        unknown=tuple(item for found in unknown for item in found),
    )


def _flatten_dict(data: Mapping[str, Any]) -> dict[str, str]:
    return dict(_flatten(data))


def _unknown(path: Path, data: Mapping[str, Any], reference: Mapping[str, str]) -> list[tuple[Path, str, str]]:
    """A data file's strings English does not have, and {fields} its English string does not have: (file, what,
    hint). Such a string would never be used, or print its {field} as typed."""
    found = []
    for key, text in _flatten(data.get("strings") or {}):
        if key not in reference:
            from briefkit.errors import did_you_mean

            found.append((path, f"unknown string '{key}': it is never used",
                          did_you_mean(key, reference) or "the keys are en.yaml's (docs/languages.md)"))
            continue
        extra = set(_FIELD.findall(text)) - set(_FIELD.findall(reference[key]))
        if extra:
            fields = ", ".join("{" + f + "}" for f in sorted(_FIELD.findall(reference[key]))) or "none"
            found.append((path, f"string '{key}' has {', '.join('{' + f + '}' for f in sorted(extra))}, which "
                          f"is never filled in", f"its fields: {fields}"))
    return found
