"""Draft resolutions: clauses from the clause bank and the brief, openers checked, punctuation applied.

The grammar (UN and Model UN practice): the organ line ends in a comma; preambular clauses are
unnumbered, open with an italic participle and end in a comma; operative clauses are numbered,
open with an italic verb in the present tense and end in a semicolon, the last one in a full
stop; a clause with sub-clauses ends in a colon, its sub-clauses in semicolons (the very last
in a full stop). Authors write clause text without the closing punctuation; any they write is
replaced, so clauses can be moved between resolutions freely. A clause is printed as typed: text that
begins like a Markdown block (`7. `, `- `, `# `, `> `) is not read as one.

An opening phrase used again in the same part takes an adverb, as the United Nations writes it: "Recalling",
then "Also recalling", then "Further recalling" (the `repeats` adverbs of the phrase file, in turn). Clauses
from the clause bank get it here, since a bank's author cannot know which clauses a draft will gather; a
clause the delegate wrote in the brief is printed as typed, and a bare repeat there is reported at its line
with the opener to write.

Every language's conventions are data, in its phrase file (`resolution-phrases.<tag>.yaml`, found by the brief's
language as the language files are; docs/resolutions-by-language.md): the closing punctuation (Chinese "，；：。",
Arabic "،؛"), the case of an opener (Russian writes them in lower case), where a repeat's adverb goes ("Also
recalling", "Rappelant également", "ссылаясь также на", "又回顾": `repeat_at`, or a `|` in the opener), whether
words are spaced, and a conjunction the first preambular clause goes without (Arabic "إذ", then "وإذ").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from briefkit.document import LIST_LABELS, NUMBER_FORMATS
from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean
from briefkit.languages import file_chain
from briefkit.model import ClauseText, Committee
from briefkit.schema import BOOL, STR, Choice, Field, ListOf, MapOf, Record, validate
from briefkit.workspace import Workspace
from briefkit.yamlio import load_yaml_file

MARK = "|"  # in an opener of a phrase file: where a repeat's adverb goes ("ссылаясь | на")
PUNCTUATION_SCHEMA = Record({
    "comma": Field(STR, doc="ends a preambular clause"),
    "semicolon": Field(STR, doc="ends an operative clause or sub-clause"),
    "colon": Field(STR, doc="ends a clause with sub-clauses"),
    "full_stop": Field(STR, doc="ends the last operative clause"),
})
PHRASES_SCHEMA = Record({
    "language": Field(STR, doc="the language of the openers (BCP 47), for the reader"),
    "adverbs": Field(ListOf(STR), doc="adverbs an opener may take where a repeat's adverb goes (Strongly urges)"),
    "repeats": Field(ListOf(STR), doc="adverbs a repeated opener takes, in turn: Also, Further"),
    "repeat_at": Field(Choice(("start", "end")), doc="where a repeat's adverb goes when the opener marks no place "
                       "with '|': start (Also recalling, 又回顾) or end (Rappelant également); default start"),
    "case": Field(Choice(("capital", "lower", "none")), doc="the first letter of an opener: capital (the default), "
                  "lower (Russian), none (scripts without case)"),
    "subclause_case": Field(Choice(("capital", "lower", "none")), doc="the first letter of a sub-clause "
                            "(default: capital)"),
    "spaced": Field(BOOL, doc="words are separated by spaces (default true; Chinese: false, so an adverb is "
                    "joined to the opener without one and an opener needs no space after it)"),
    "punctuation": Field(PUNCTUATION_SCHEMA, doc="the closing punctuation of clauses (default , ; : .)"),
    "first_preambular": Field(MapOf(STR), doc="how the first preambular clause begins instead: Arabic writes "
                              "'إذ' first and 'وإذ' after it (the openers are listed in the later form)"),
    "numbering": Field(ListOf(ListOf(STR)), doc="the label of each level of the operative clauses: [format, "
                       "pattern with {n}] (formats: " + ", ".join(NUMBER_FORMATS) + "); default: 1. (a) (i) a. i."),
    "preambular": Field(ListOf(STR), required=True),
    "operative": Field(ListOf(STR), required=True),
})
_LETTER = re.compile(r"[^\W\d_]")
_TRAILING = re.compile(r"[\s,;:.…，；：。、،؛]+$")


@dataclass(frozen=True)
class Punctuation:
    comma: str = ","
    semicolon: str = ";"
    colon: str = ":"
    full_stop: str = "."


LATIN_MARKS = Punctuation()


@dataclass(frozen=True)
class Phrases:
    """The standard opening phrases, longest first so 'Notes with concern' wins over 'Notes', and the conventions
    of their language (see the module's doc)."""

    adverbs: tuple[str, ...]
    preambular: tuple[str, ...]
    operative: tuple[str, ...]
    repeats: tuple[str, ...] = ("Also", "Further")
    repeat_at: str = "start"
    case: str = "capital"
    subclause_case: str = "capital"
    spaced: bool = True
    punctuation: Punctuation = Punctuation()
    first_preambular: tuple[tuple[str, str], ...] = ()  # (later form, first form): ("وإذ", "إذ")
    marks: Mapping[str, int] = field(default_factory=dict, compare=False, hash=False)  # phrase -> adverb's place
    source: str = "templates/resolution-phrases.yaml"
    numbering: tuple[tuple[str, str], ...] = LIST_LABELS["resolution"]  # the operative clauses' labels, by level

    def place(self, phrase: str) -> int:
        """Where a repeat's adverb goes in `phrase`: its mark, or the language's `repeat_at`."""
        found = self.marks.get(phrase.lower())
        if found is not None:
            return found
        return 0 if self.repeat_at == "start" else len(phrase)


def phrase_files(ws: Workspace, language: str) -> list[Path]:
    """The phrase files of a language, most specific first: 'zh-CN' reads resolution-phrases.zh-cn.yaml, then
    resolution-phrases.zh.yaml, then the English resolution-phrases.yaml (only the first found is used)."""
    names = [f"resolution-phrases.{name}" for name in file_chain(language or "en")]
    found = [ws.find("templates", name, ".yaml") for name in (*names, "resolution-phrases")]
    return [path for path in found if path is not None]


def load_phrases(ws: Workspace, language: str = "en") -> Phrases:
    """The phrase lists of a brief's language (templates/resolution-phrases.<tag>.yaml, the workspace's before the
    built-in ones), or the English ones."""
    files = phrase_files(ws, language)
    if not files:
        raise BriefkitError([Problem(ws.root, None, "no templates/resolution-phrases.yaml")])
    path = files[0]
    problems = Problems()
    raw = load_yaml_file(path)
    data = validate(raw, PHRASES_SCHEMA, path, problems)
    if data is not None and "numbering" in data and not data["numbering"]:
        problems.error(path, getattr(raw, "key_lines", {}).get("numbering"), "numbering lists no level",
                       "give each level as [format, label], e.g. [[decimal, \"{n}.\"], [lowerLetter, \"({n})\"]]")
    for level in (data or {}).get("numbering") or ():
        if len(level) != 2 or level[0] not in NUMBER_FORMATS or "{n}" not in level[1]:
            problems.error(path, getattr(raw, "key_lines", {}).get("numbering"), f"numbering level {level} is not "
                           "[format, pattern with {n}]", f"formats: {', '.join(NUMBER_FORMATS)}")
    problems.raise_errors()
    return make_phrases(data, f"templates/{path.name}")


def make_phrases(data: Mapping[str, Any], source: str = "templates/resolution-phrases.yaml") -> Phrases:
    """Phrases from the (validated) data of a phrase file."""
    first = tuple((str(k).strip(), str(v).strip()) for k, v in dict(data.get("first_preambular") or {}).items())
    marks: dict[str, int] = {}

    def read(items: Iterable[Any] | None) -> tuple[str, ...]:
        out = set()
        for item in items or ():
            text = " ".join(str(item).split())
            if MARK in text:
                head, _, tail = text.partition(MARK)
                head, tail = head.rstrip(), tail.lstrip()
                text = f"{head} {tail}" if head and tail and data.get("spaced", True) else head + tail
                marks[text.lower()] = len(head)
            out.add(text)
            for later, earlier in first:  # the first clause's form is an opener too: 'إذ تشير إلى'
                if text.startswith(later + " "):
                    variant = earlier + text[len(later):]
                    out.add(variant)
                    if text.lower() in marks:
                        marks[variant.lower()] = marks[text.lower()] - len(later) + len(earlier)
        return tuple(sorted(out, key=lambda p: (-len(p), p)))

    punctuation = {k: v for k, v in dict(data.get("punctuation") or {}).items() if v}
    preambular, operative = read(data["preambular"]), read(data["operative"])
    adverbs = tuple(sorted({" ".join(str(a).split()) for a in data.get("adverbs") or ()},
                           key=lambda p: (-len(p), p)))
    return Phrases(adverbs, preambular, operative,
                   tuple(data.get("repeats") or ("Also", "Further")),
                   str(data.get("repeat_at") or "start"), str(data.get("case") or "capital"),
                   str(data.get("subclause_case") or "capital"), bool(data.get("spaced", True)),
                   Punctuation(**punctuation), first, marks, source,
                   tuple((str(f), str(p)) for f, p in data.get("numbering") or ()) or LIST_LABELS["resolution"])


@dataclass(frozen=True)
class Clause:
    """A clause ready to print: `opener` is set in italics, `end` is its closing punctuation."""

    opener: str
    rest: str
    end: str
    sub: tuple[Clause, ...] = ()

    @property
    def markdown(self) -> str:
        """The clause as a line of Markdown. Its text is the delegate's words: one that begins like a block of
        Markdown (a list item, heading, quote, fence or rule) is escaped, to print as typed."""
        if self.opener:
            return f"*{self.opener}*{self.rest}{self.end}"
        return f"{literal_start(self.rest)}{self.end}"


@dataclass(frozen=True)
class Resolution:
    preambular: tuple[Clause, ...]
    operative: tuple[Clause, ...]
    sponsors: tuple[str, ...]
    signatories: tuple[str, ...]


def _starts_with(text: str, phrase: str, spaced: bool = True) -> bool:
    """`text` begins with `phrase` (any case) followed by a word boundary (any character where words are not
    spaced)."""
    n = len(phrase)
    return text[:n].lower() == phrase.lower() and (len(text) == n or not spaced or not text[n].isalnum())


def _after_adverbs(text: str, adverbs: Sequence[str], spaced: bool = True) -> int:
    """Where the text after up to two adverbs starts ("Also strongly urges"; "又回顾" where words are not spaced)."""
    pos = 0
    for _ in range(2):
        adverb = next((a for a in adverbs if _starts_with(text[pos:], a, spaced)
                       and (not spaced or text[pos + len(a):][:1] == " ")), None)
        if adverb is None:
            break
        pos += len(adverb) + (1 if spaced else 0)
    return pos


@dataclass(frozen=True)
class Match:
    phrase: str  # as the phrase file lists it
    end: int  # where the opener ends in the text
    adverbs: int  # how many adverbs stand at the phrase's place (a written repeat: 'Rappelant également')


def find_opener(text: str, phrases: Sequence[str], adverbs: Sequence[str],
                place: Callable[[str], int] | None = None, spaced: bool = True) -> Match | None:
    """The standard phrase `text` opens with, with up to two adverbs at its place (before it in English: "Further
    recalling"; after its participle in Russian: "ссылаясь также на"; `place` says where, default before); None if
    it opens with none."""
    gap = " " if spaced else ""
    best: Match | None = None
    places = ((phrase, at) for phrase in phrases
              for at in _places(place(phrase) if place is not None else 0, len(phrase)))
    for phrase, at in places:
        head, tail = phrase[:at], phrase[at:]
        if text[:at].lower() != head.lower():
            continue
        pos, count = at, 0
        for _ in range(2):
            if at == 0:  # 'Also recalling', '又回顾'
                adverb = next((a for a in adverbs if _starts_with(text[pos:], a, spaced)
                               and text[pos + len(a):pos + len(a) + len(gap)] == gap), None)
                step = len(adverb or "") + len(gap)
            else:  # 'Rappelant également', 'ссылаясь также на'
                adverb = next((a for a in adverbs if text[pos:pos + len(gap)] == gap
                               and _starts_with(text[pos + len(gap):], a, spaced)), None)
                step = len(gap) + len(adverb or "")
            if adverb is None:
                break
            pos, count = pos + step, count + 1
        if tail:
            if not _starts_with(text[pos:], tail, spaced):
                continue
            end = pos + len(tail)
        elif spaced and pos < len(text) and text[pos].isalnum():
            continue
        else:
            end = pos
        if best is None or end > best.end:
            best = Match(phrase, end, count)
    return best


def _places(at: int, length: int) -> tuple[int, ...]:
    """Where adverbs are looked for in a phrase: at its place, and at its end if it is marked inside ("Prenant
    note également" is read as well as "Prenant également note")."""
    return (at, length) if 0 < at < length else (at,)


def split_opener(text: str, phrases: Sequence[str], adverbs: Sequence[str],
                 place: Callable[[str], int] | None = None, spaced: bool = True) -> tuple[str, str, bool]:
    """(opener, rest, known): the opening phrase with any adverbs before it, and whether it is standard."""
    match = find_opener(text, phrases, adverbs, place, spaced)
    if match is not None:
        return text[:match.end], text[match.end:], True
    pos = _after_adverbs(text, adverbs, spaced)
    unspaced = not spaced and re.match(r"[\u3000-\u9fff\uf900-\ufaff]", text[pos:pos + 1])  # a Chinese verb
    word = re.match(r"[^，,、：:；;]{1,4}" if unspaced else r"\S+", text[pos:])
    end = pos + (word.end() if word else 0)
    return text[:end].rstrip(",;:，；：،؛"), text[end:], False


class ResolutionBuilder:
    """Turns clause texts into printable clauses for one committee, reporting every problem found."""

    def __init__(self, phrases: Phrases, committee: Committee, problems: Problems, own: Path | None = None):
        self.phrases = phrases
        self.committee = committee
        self.problems = problems
        self.own = own  # the brief: clauses written there are the delegate's, printed as typed
        self.used: dict[tuple[str, str], int] = {}  # (part, phrase) -> clauses it has opened so far

    def preambular(self, texts: Sequence[ClauseText]) -> tuple[Clause, ...]:
        return tuple(self._first(self._opened(t, "preambular", self._marks(t.text).comma, ()), i == 0)
                     for i, t in enumerate(texts))

    def _marks(self, text: str) -> Punctuation:
        """The language's closing marks; a clause written wholly in Latin letters (an untranslated clause in a
        Chinese or Arabic draft, reported as such) keeps the Latin ones: ',' not '，'."""
        marks = self.phrases.punctuation
        if marks != LATIN_MARKS:
            letters = _LETTER.findall(text)
            if letters and all(letter < "\u0250" for letter in letters):
                return LATIN_MARKS
        return marks

    def operative(self, texts: Sequence[ClauseText]) -> tuple[Clause, ...]:
        return tuple(self._opened(t, "operative", *self._ending(t, i == len(texts) - 1))
                     for i, t in enumerate(texts))

    def _ending(self, text: ClauseText, final: bool) -> tuple[str, tuple[Clause, ...]]:
        marks = self._marks(text.text)
        if not text.sub:
            return (marks.full_stop if final else marks.semicolon), ()
        return marks.colon, self._subs(text.sub, final)

    def _subs(self, texts: Sequence[ClauseText], final: bool) -> tuple[Clause, ...]:
        out = []
        for i, text in enumerate(texts):
            end, sub = self._ending(text, final and i == len(texts) - 1)
            out.append(Clause("", _cased(_bare(text.text), self.phrases.subclause_case), end, sub))
        return tuple(out)

    def _first(self, clause: Clause, first: bool) -> Clause:
        """The conjunction a preambular clause takes by its place (Arabic: 'إذ' first, 'وإذ' after)."""
        for later, earlier in self.phrases.first_preambular:
            old, new = (later, earlier) if first else (earlier, later)
            if clause.opener.startswith(old + " "):
                return Clause(new + clause.opener[len(old):], clause.rest, clause.end, clause.sub)
        return clause

    def _find(self, text: str, phrases: Sequence[str]) -> Match | None:
        p = self.phrases
        return find_opener(text, phrases, (*p.adverbs, *p.repeats), p.place, p.spaced)

    def _opened(self, text: ClauseText, part: str, end: str, sub: tuple[Clause, ...]) -> Clause:
        p = self.phrases
        bare = _bare(text.text)
        own = p.preambular if part == "preambular" else p.operative
        other = p.operative if part == "preambular" else p.preambular
        match = self._find(bare, own)
        wrong_part = None if match else self._find(bare, other)
        if p.case != "lower" or match or wrong_part:
            bare = _cased(bare, p.case)
        if match is None:
            if wrong_part is not None:
                other_part = "operative" if part == "preambular" else "preambular"
                self.problems.warn(text.path, text.line, f"'{bare[:wrong_part.end]}' opens {other_part} clauses, "
                                   f"but this is a {part} clause")
            opener, rest, _known = split_opener(bare, own, p.adverbs, None, p.spaced)
            if wrong_part is None:
                self.problems.warn(text.path, text.line, f"'{opener}' is not a standard {part} opener",
                                   did_you_mean(opener, own) or f"see {p.source}")
        else:
            opener, rest = bare[:match.end], bare[match.end:]
            opener = self._repeated(opener, match, part, text)
        if part == "operative":
            self._check_verb(bare, text)
        return Clause(opener, rest, end, sub)

    def _canonical(self, phrase: str) -> str:
        """A phrase as the count of repeats knows it: the later form of one with a first-clause form."""
        for later, earlier in self.phrases.first_preambular:
            if phrase.startswith(earlier + " "):
                return later + phrase[len(earlier):]
        return phrase

    def _repeated(self, opener: str, match: Match, part: str, text: ClauseText) -> str:
        """The opener of a phrase's second and later clauses in a part: with an adverb ('Also recalling') if it
        came from the clause bank, as typed (and reported if bare) if the delegate wrote it."""
        p = self.phrases
        key = (part, self._canonical(match.phrase).lower())
        count = self.used[key] = self.used.get(key, 0) + 1
        if count == 1 or match.adverbs > 0 or not p.repeats:
            return opener
        better = self.repeat_form(opener, match.phrase, p.repeats[(count - 2) % len(p.repeats)])
        if self.own is not None and text.path == self.own:
            earlier = "an earlier" if count == 2 else f"{count - 1} earlier"
            self.problems.warn(text.path, text.line, f"'{opener}' already opens {earlier} {part} clause"
                               f"{'s' if count > 2 else ''}: UN practice repeats an opener with an adverb",
                               f"write '{better}'")
            return opener
        return better

    def repeat_form(self, opener: str, phrase: str, adverb: str) -> str:
        """`opener` (as written: `phrase` in the text's case) with `adverb` at the phrase's place: 'Also recalling',
        'Rappelant également', 'ссылаясь также на', '又回顾'."""
        p = self.phrases
        at = p.place(phrase)
        gap = " " if p.spaced else ""
        if at == 0:
            rest = opener[:1].lower() + opener[1:] if p.case == "capital" else opener
            return f"{adverb}{gap}{rest}"
        head, tail = opener[:at].rstrip(), opener[at:].lstrip()
        return f"{head}{gap}{adverb}{gap if tail else ''}{tail}"

    def _check_verb(self, bare: str, text: ClauseText) -> None:
        verb_at = _after_adverbs(bare, (*self.phrases.adverbs, *self.phrases.repeats), self.phrases.spaced)
        for verb in self.committee.forbidden_verbs:
            if _starts_with(bare[verb_at:], verb, self.phrases.spaced):
                self.problems.error(text.path, text.line,
                                    f"the {self.committee.name} may not use '{verb}' in an operative clause",
                                    f"{self.committee.path.name} lists it under forbidden_verbs")


# What opens a block at the start of a line: a list item ('-', '+', '*', '7.', '7)'), heading, quote, code fence,
# or a line of '=' or '-' (a heading's underline) or of '*', '-' or '_' (a thematic break).
_BLOCK_START = re.compile(r"[-+*](?=\s|$)|\d{1,9}[.)](?=\s|$)|#{1,6}(?=\s|$)|>|`{3}|~{3}|=+\s*$|-+\s*$"
                          r"|([-*_])(?:\s*\1){2,}\s*$")


def literal_start(text: str) -> str:
    """Text whose start Markdown reads as text, not as the start of a block: its first marker character
    escaped (`7\\. a clause`, `\\- item`)."""
    match = _BLOCK_START.match(text)
    if match is None:
        return text
    if match.group()[:1].isdigit():
        digits = len(match.group()) - 1
        return text[:digits] + "\\" + text[digits:]
    return "\\" + text


def _bare(text: str) -> str:
    """Clause text without the closing punctuation its author may have written."""
    return _TRAILING.sub("", " ".join(text.split()))


def _cased(text: str, case: str) -> str:
    """`text` with its first letter as the language writes an opener: capital, lower, or as typed ('none')."""
    if case == "capital":
        return text[:1].upper() + text[1:]
    if case == "lower":
        return text[:1].lower() + text[1:]
    return text
