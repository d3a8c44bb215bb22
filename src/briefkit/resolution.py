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
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from briefkit.errors import BriefkitError, Problem, Problems, did_you_mean
from briefkit.model import ClauseText, Committee
from briefkit.schema import STR, Field, ListOf, Record, validate
from briefkit.workspace import Workspace
from briefkit.yamlio import load_yaml_file

PHRASES_SCHEMA = Record({
    "adverbs": Field(ListOf(STR)),
    "repeats": Field(ListOf(STR), doc="adverbs a repeated opener takes, in turn: Also, Further"),
    "preambular": Field(ListOf(STR), required=True),
    "operative": Field(ListOf(STR), required=True),
})
_TRAILING = re.compile(r"[\s,;:.…]+$")


@dataclass(frozen=True)
class Phrases:
    """The standard opening phrases, longest first so 'Notes with concern' wins over 'Notes'."""

    adverbs: tuple[str, ...]
    preambular: tuple[str, ...]
    operative: tuple[str, ...]
    repeats: tuple[str, ...] = ("Also", "Further")


def load_phrases(ws: Workspace) -> Phrases:
    """The workspace's phrase lists (templates/resolution-phrases.yaml), or the built-in ones."""
    path = ws.find("templates", "resolution-phrases", ".yaml")
    if path is None:
        raise BriefkitError([Problem(ws.root, None, "no templates/resolution-phrases.yaml")])
    problems = Problems()
    data = validate(load_yaml_file(path), PHRASES_SCHEMA, path, problems)
    problems.raise_errors()

    def longest_first(items: Iterable[str]) -> tuple[str, ...]:
        return tuple(sorted(set(items), key=lambda p: (-len(p), p)))

    return Phrases(longest_first(data.get("adverbs") or ()), longest_first(data["preambular"]),
                   longest_first(data["operative"]), tuple(data.get("repeats") or ("Also", "Further")))


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


def _starts_with(text: str, phrase: str) -> bool:
    """`text` begins with `phrase` (any case) followed by a word boundary."""
    n = len(phrase)
    return text[:n].lower() == phrase.lower() and (len(text) == n or not text[n].isalnum())


def _after_adverbs(text: str, adverbs: Sequence[str]) -> int:
    """Where the opening phrase starts, after up to two adverbs ("Also strongly urges")."""
    pos = 0
    for _ in range(2):
        adverb = next((a for a in adverbs if _starts_with(text[pos:], a) and text[pos + len(a):][:1] == " "), None)
        if adverb is None:
            break
        pos += len(adverb) + 1
    return pos


def split_opener(text: str, phrases: Sequence[str], adverbs: Sequence[str]) -> tuple[str, str, bool]:
    """(opener, rest, known): the opening phrase with any adverbs before it, and whether it is standard."""
    pos = _after_adverbs(text, adverbs)
    phrase = next((p for p in phrases if _starts_with(text[pos:], p)), None)
    if phrase is not None:
        end = pos + len(phrase)
        return text[:end], text[end:], True
    word = re.match(r"\S+", text[pos:])
    end = pos + (word.end() if word else 0)
    return text[:end].rstrip(",;:"), text[end:], False


class ResolutionBuilder:
    """Turns clause texts into printable clauses for one committee, reporting every problem found."""

    def __init__(self, phrases: Phrases, committee: Committee, problems: Problems, own: Path | None = None):
        self.phrases = phrases
        self.committee = committee
        self.problems = problems
        self.own = own  # the brief: clauses written there are the delegate's, printed as typed
        self.used: dict[tuple[str, str], int] = {}  # (part, phrase) -> clauses it has opened so far

    def preambular(self, texts: Sequence[ClauseText]) -> tuple[Clause, ...]:
        return tuple(self._opened(t, "preambular", ",", ()) for t in texts)

    def operative(self, texts: Sequence[ClauseText]) -> tuple[Clause, ...]:
        return tuple(self._opened(t, "operative", *self._ending(t, i == len(texts) - 1))
                     for i, t in enumerate(texts))

    def _ending(self, text: ClauseText, final: bool) -> tuple[str, tuple[Clause, ...]]:
        if not text.sub:
            return ("." if final else ";"), ()
        return ":", self._subs(text.sub, final)

    def _subs(self, texts: Sequence[ClauseText], final: bool) -> tuple[Clause, ...]:
        out = []
        for i, text in enumerate(texts):
            end, sub = self._ending(text, final and i == len(texts) - 1)
            out.append(Clause("", _capitalized(_bare(text.text)), end, sub))
        return tuple(out)

    def _opened(self, text: ClauseText, part: str, end: str, sub: tuple[Clause, ...]) -> Clause:
        bare = _capitalized(_bare(text.text))
        own = self.phrases.preambular if part == "preambular" else self.phrases.operative
        other = self.phrases.operative if part == "preambular" else self.phrases.preambular
        opener, rest, known = split_opener(bare, own, self.phrases.adverbs)
        if not known:
            wrong_part = split_opener(bare, other, self.phrases.adverbs)
            if wrong_part[2]:
                other_part = "operative" if part == "preambular" else "preambular"
                self.problems.warn(text.path, text.line, f"'{wrong_part[0]}' opens {other_part} clauses, but this "
                                   f"is a {part} clause")
            else:
                self.problems.warn(text.path, text.line, f"'{opener}' is not a standard {part} opener",
                                   did_you_mean(opener, own) or "see templates/resolution-phrases.yaml")
        else:
            opener = self._repeated(opener, part, text)
        if part == "operative":
            self._check_verb(bare, text)
        return Clause(opener, rest, end, sub)

    def _repeated(self, opener: str, part: str, text: ClauseText) -> str:
        """The opener of a phrase's second and later clauses in a part: with an adverb ('Also recalling') if it
        came from the clause bank, as typed (and reported if bare) if the delegate wrote it."""
        at = _after_adverbs(opener, self.phrases.adverbs)
        phrase = opener[at:]
        key = (part, phrase.lower())
        count = self.used[key] = self.used.get(key, 0) + 1
        if count == 1 or at > 0 or not self.phrases.repeats:
            return opener
        adverb = self.phrases.repeats[(count - 2) % len(self.phrases.repeats)]
        better = f"{adverb} {phrase[:1].lower()}{phrase[1:]}"
        if self.own is not None and text.path == self.own:
            earlier = "an earlier" if count == 2 else f"{count - 1} earlier"
            self.problems.warn(text.path, text.line, f"'{phrase}' already opens {earlier} {part} clause"
                               f"{'s' if count > 2 else ''}: UN practice repeats an opener with an adverb",
                               f"write '{better}'")
            return opener
        return better

    def _check_verb(self, bare: str, text: ClauseText) -> None:
        verb_at = _after_adverbs(bare, self.phrases.adverbs)
        for verb in self.committee.forbidden_verbs:
            if _starts_with(bare[verb_at:], verb):
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


def _capitalized(text: str) -> str:
    return text[:1].upper() + text[1:]
