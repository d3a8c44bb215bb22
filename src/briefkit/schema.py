"""Declared schemas for every YAML file a user writes, checked with located, did-you-mean errors."""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.errors import Problems, did_you_mean


@dataclass(frozen=True)
class At:
    """Where a value sits: file, line and a dotted name for messages."""

    path: Path
    line: int | None
    name: str

    def child(self, key: object, line: int | None) -> At:
        name = f"{self.name}.{key}" if self.name else str(key)
        return At(self.path, line or self.line, name)


class Spec:
    """A value's expected shape; `check` returns the normalized value or None after reporting."""

    label = "a value"

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        raise NotImplementedError

    def wrong(self, value: Any, at: At, problems: Problems) -> None:
        problems.error(at.path, at.line, f"'{at.name}' must be {self.label}, not {_describe(value)}")


def _describe(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    return f"{type(value).__name__} {value!r}"


@dataclass(frozen=True)
class Scalar(Spec):
    """A string, number or boolean of one of the given types."""

    types: tuple[type, ...]
    label: str = "text"
    convert: Callable[[Any], Any] | None = None

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if isinstance(value, bool) and bool not in self.types:
            self.wrong(value, at, problems)
            return None
        if not isinstance(value, self.types):
            self.wrong(value, at, problems)
            return None
        return self.convert(value) if self.convert else value


@dataclass(frozen=True)
class Number(Spec):
    """A finite number (whole where `whole`) from `low` to `high` where given; `unit` is named in messages."""

    low: float | None = None
    high: float | None = None
    whole: bool = False
    unit: str = ""

    @property
    def label(self) -> str:  # type: ignore[override]
        kind = "a whole number" if self.whole else "a number"
        unit = f" {self.unit}" if self.unit else ""
        if self.low is not None and self.high is not None:
            return f"{kind} from {_number(self.low)} to {_number(self.high)}{unit}"
        if self.low is not None:
            return f"{kind} of at least {_number(self.low)}{unit}"
        if self.high is not None:
            return f"{kind} of at most {_number(self.high)}{unit}"
        return kind if self.whole else "a finite number"

    def fits(self, value: Any) -> bool:
        """Whether the value is of this spec's type, in range or not."""
        return not isinstance(value, bool) and isinstance(value, int if self.whole else (int, float))

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if not self.fits(value):
            self.wrong(value, at, problems)
            return None
        # YAML's .nan and .inf are floats too; comparisons with NaN are always false, so test it first
        if not math.isfinite(value) or (self.low is not None and value < self.low) or (
                self.high is not None and value > self.high):
            problems.error(at.path, at.line, f"'{at.name}' must be {self.label}, not {_number(value)}")
            return None
        return value


def _number(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:g}"


STR = Scalar((str,), "text")


@dataclass(frozen=True)
class LanguageTag(Spec):
    """A BCP 47 language tag: 'en-GB', 'zh-Hant-TW', 'ar'; 'zh_CN' (the POSIX form) is taken as 'zh-CN'. It
    names data files, so nothing but letters, digits and hyphens passes."""

    label = "a language tag such as en-GB, fr, zh-CN or ar"

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if isinstance(value, str):
            tag = value.strip().replace("_", "-")
            if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", tag):
                return canonical_tag(tag)
        self.wrong(value, at, problems)
        return None


LANGUAGE = LanguageTag()


def canonical_tag(tag: str) -> str:
    """BCP 47's case: 'ZH-hant-tw' -> 'zh-Hant-TW' (language lower, script title, region upper)."""
    first, *rest = tag.split("-")
    parts = [first.lower()]
    for part in rest:
        if len(part) == 4 and part.isalpha():
            parts.append(part.title())
        elif len(part) == 2 and part.isalpha() or len(part) == 3 and part.isdigit():
            parts.append(part.upper())
        else:
            parts.append(part.lower())
    return "-".join(parts)
TEXT = Scalar((str, int, float), "text", convert=str)
INT = Number(whole=True)
NUM = Number()
BOOL = Scalar((bool,), "true or false")


def _to_date(value: Any) -> dt.date | int:
    return value if isinstance(value, (dt.date, int)) else dt.date.fromisoformat(value)


FIRST_YEAR = 1000  # earlier years are typing mistakes (0331 for 2031), not sources a brief cites


@dataclass(frozen=True)
class DateSpec(Spec):
    """A date (2025-01-15), or a year where `year_ok`; years before FIRST_YEAR are refused."""

    year_ok: bool = False
    label: str = "a date like 2025-01-15"

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, dt.date) and value.year < FIRST_YEAR:
            problems.error(at.path, at.line, f"'{at.name}' is not a plausible date: {value.isoformat()}",
                           f"the year must be {FIRST_YEAR} or later")
            return None
        if self.year_ok and isinstance(value, int) and not isinstance(value, bool) and not (
                FIRST_YEAR <= value <= 9999):
            problems.error(at.path, at.line, f"'{at.name}' is not a plausible date: year {value}",
                           f"a year from {FIRST_YEAR} to 9999, in four digits")
            return None
        if isinstance(value, dt.date) or (self.year_ok and isinstance(value, int) and not isinstance(value, bool)):
            return value
        self.wrong(value, at, problems)
        return None


DATE = DateSpec()
DATE_OR_YEAR = DateSpec(year_ok=True, label="a year or a date like 2025-01-15")


@dataclass(frozen=True)
class Choice(Spec):
    """One of a fixed set of strings."""

    values: tuple[str, ...]

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if isinstance(value, str) and value in self.values:
            return value
        hint = did_you_mean(str(value), self.values) or "one of: " + ", ".join(self.values)
        problems.error(at.path, at.line, f"'{at.name}' cannot be {value!r}", hint)
        return None


@dataclass(frozen=True)
class ListOf(Spec):
    """A list of items; `single_ok` also accepts one bare item."""

    item: Spec
    single_ok: bool = False

    @property
    def label(self) -> str:  # type: ignore[override]
        return "a list"

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if not isinstance(value, list):
            if self.single_ok and value is not None and not isinstance(value, dict):
                value = [value]
            else:
                self.wrong(value, at, problems)
                return None
        lines = getattr(value, "item_lines", [at.line] * len(value))
        return [self.item.check(v, at.child(i, lines[i]), problems) for i, v in enumerate(value)]


@dataclass(frozen=True)
class MapOf(Spec):
    """A mapping from free keys (ids) to values of one shape."""

    value: Spec
    label: str = "a mapping"

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if not isinstance(value, dict):
            self.wrong(value, at, problems)
            return None
        lines = getattr(value, "key_lines", {})
        return {str(k): self.value.check(v, at.child(k, lines.get(k)), problems) for k, v in value.items()}


@dataclass(frozen=True)
class Field:
    """A record's field."""

    spec: Spec
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Record(Spec):
    """A mapping with declared keys; unknown keys are errors with a did-you-mean."""

    fields: Mapping[str, Field] = field(default_factory=dict)
    label: str = "a mapping"

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        if not isinstance(value, dict):
            self.wrong(value, at, problems)
            return None
        lines = getattr(value, "key_lines", {})
        out: dict[str, Any] = {}
        suggested: set[str] = set()  # a misspelt key is not also reported as missing
        for key, item in value.items():
            line = lines.get(key, at.line)
            spec = self.fields.get(str(key))
            if spec is None:
                where = f"in '{at.name}'" if at.name else "here"
                close = difflib.get_close_matches(str(key), list(self.fields), n=1, cutoff=0.6)
                suggested.update(close)
                hint = f"did you mean {close[0]}?" if close else "known keys: " + ", ".join(self.fields)
                problems.error(at.path, line, f"unknown key '{key}' {where}", hint)
                continue
            out[str(key)] = spec.spec.check(item, at.child(key, line), problems)
        for name, spec in self.fields.items():
            if spec.required and name not in value and name not in suggested:
                missing = at.child(name, None).name
                problems.error(at.path, getattr(value, "line", at.line), f"missing required key '{missing}'")
        return out


@dataclass(frozen=True)
class AnyOf(Spec):
    """The first of several shapes that fits, chosen by the value's type."""

    options: tuple[Spec, ...]
    label: str = "a value"

    def check(self, value: Any, at: At, problems: Problems) -> Any:
        trials = []
        for option in self.options:
            trial = Problems()
            result = option.check(value, at, trial)
            if not trial.errors:
                return result
            trials.append((option, trial))
        for option, trial in trials:  # a mapping, list or number that almost fits: its own errors say more
            if isinstance(value, dict) and isinstance(option, (Record, MapOf)) or (
                    isinstance(value, list) and isinstance(option, ListOf)) or (
                    isinstance(option, Number) and option.fits(value)):
                problems.extend(trial.items)
                return None
        self.wrong(value, at, problems)
        return None


ANY = AnyOf((Scalar((str, int, float, bool, dt.date)), ListOf(TEXT), MapOf(TEXT)), "text, a list or a mapping")


def validate(data: Any, spec: Spec, path: Path, problems: Problems) -> Any:
    """Check a whole file's data against its schema, reporting into `problems`."""
    line = getattr(data, "line", 1) or 1
    return spec.check(data, At(path, line, ""), problems)
