"""Citations: `[@key]` markers set as notes or in text, where the manuals put them.

The formatting is CSL's (citeproc-py: cslstyles.py; the items it formats: csl.py); the placing is briefkit's,
as pandoc's citeproc places them:

- In English a **note mark follows the punctuation** after it, and a closing quotation mark (CMOS 17 14.26:
  "The number follows any punctuation mark except for the dash"): `text[@a].` is `text.¹`, `“a phrase[@a]”,` is
  `“a phrase,”¹`... that is, the punctuation moves before the mark, the quotation mark with it. A mark inside
  parentheses stays there (it refers to what they hold). The mark follows the word: `text [@a]` is `text¹`.
- **Adjacent citations are one**: `[@a][@b]`, `[@a; @b]`, `[@a]. [@b]` (nothing but punctuation and spaces
  between, in one paragraph) are one note, "a; b" (CMOS 17 14.28: one note for several sources at one place),
  or one parenthesis "(A; B)" in text (MLA 9, ch. 6: several sources in one parenthesis, separated by
  semicolons). Locators stay with their sources.
- An **in-text citation** stands before the punctuation, after a closing quotation mark, one space from the
  word: `text.[@a]` and `text[@a].` are `text (A).`; `“a phrase.”[@a]` is `“a phrase” (A).` (MLA 9, ch. 6).
- A citation **inside a note of the text's own** is set there, in place (Word has no notes in notes).
- A **reading copy** (a speech: SPEC 6) prints no citation at all in its text; its sources are listed after it.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from briefkit.cslstyles import (
    ALIASES,
    TESTED_CITEPROC,
    Items,
    check_style,
    csl_locale_of,
    load_style,
    style_identity,
)
from briefkit.cslstyles import run_citeproc as _run_citeproc  # a name tests replace to prove the memo is used
from briefkit.errors import BriefkitError, Problem
from briefkit.library import CITATION, CITE_KEY
from briefkit.model import Source

__all__ = ["ALIASES", "TESTED_CITEPROC", "CitedText", "apply_citations", "check_style", "find_cites"]

_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.MULTILINE)
_GAP = re.compile(r"\s*([.,;:!?]?)[.,;:!?]*\s*")  # between two citations that are one (no blank line: see _runs)
# What a note mark moves past: sentence punctuation, closing quotation marks and emphasis closers (not a word's
# apostrophe: "[@a]'s"), but not a closing parenthesis or a dash.
_TRAIL = re.compile(r"(?:[.,;:!?]|[”’\"'*_](?![\w]))*")
_STOPS = re.compile(r"[.,;:!?]")
_END_BEFORE = re.compile(r"([.,;:])([”’\"']*)[ \t]*$")  # "text.[@a]": the stop an in-text citation goes before
NEAR_NOTE = 6
HEADINGS = {"note": "Bibliography", "in-text": "Works Cited", "reading": "Sources"}


@dataclass(frozen=True)
class Cite:
    """One `[@a; @b, p. 3]` marker, or a run of adjacent ones: where it is and what it cites."""

    start: int
    end: int
    items: Items
    stop: str = ""  # the punctuation between adjacent citations run together ("[@a]. [@b]")


@dataclass(frozen=True)
class CitedText:
    """The text with citations replaced, plus the reference list entries (Markdown)."""

    text: str
    references: tuple[str, ...]
    heading: str
    cited: tuple[str, ...]
    is_note: bool = False


def find_cites(text: str) -> list[Cite]:
    """Every citation marker in a Markdown text, in order."""
    cites = []
    for match in CITATION.finditer(text):
        items = []
        for part in match.group(1).split(";"):
            key_match = CITE_KEY.search(part)
            if key_match is None:
                break
            locator = part[key_match.end():].strip().lstrip(",").strip() or None
            items.append((key_match.group(1), locator))
        else:
            cites.append(Cite(match.start(), match.end(), tuple(items)))
    return cites


def apply_citations(text: str, sources: dict[str, Source], style_name: str, styles_dirs: tuple[Path, ...],
                    locate: Callable[[int], tuple[Path, int | None]], memo: dict[str, Any],
                    reading_copy: bool = False, marks_after_punctuation: bool = True, locale: str | None = None,
                    headings: Mapping[str, str] | None = None) -> CitedText:
    """Replace every `[@key]` with a note or an in-text citation (or, in a reading copy, with nothing), and
    build the reference list. `marks_after_punctuation`: English usage (CMOS 14.26); French and Spanish set a
    note mark before the punctuation (United Nations Editorial Manual, "Placement of indicators in the text").

    `memo` holds formatted citations and reference lists, shared by every brief a session builds (and kept
    between runs by the build cache): a citation's text depends only on the style, its items and sources,
    where it stands among the document's other citations (first or later use of each source, same as the one
    before, distance from the last use), and whether its sources need a short title (an in-text style names a
    title only to tell apart two works of one author), so it is keyed by a digest of those. `locale` is the
    brief's language: the style's terms ("accessed", "edited by") in it, from citeproc-py's CSL locales;
    `headings` the reference list's heading per mode (note, in-text, reading) in that language.
    """
    in_notes = _note_spans(text)
    cites = _runs(text, find_cites(text), in_notes)
    cited = list(dict.fromkeys(key for cite in cites for key, _ in cite.items))
    for cite in cites:
        for key, _ in cite.items:
            if key not in sources:
                path, line = locate(cite.start)
                raise BriefkitError([Problem(path, line, f"unknown citation '@{key}'")])
    name = ALIASES.get(style_name, style_name)
    csl_locale = csl_locale_of(locale)
    style_id = style_identity(name, styles_dirs) + ((csl_locale,) if csl_locale else ())
    style_key = _digest(style_id)
    shared = {a for a, n in Counter(sources[k].author for k in cited).items() if n > 1}
    short = {k: sources[k].author in shared for k in cited}  # for an in-text style (a note style: always)
    memo_keys = [_digest((style_id, cite.items, position, tuple((_of(sources[k]), short[k]) for k, _ in cite.items)))
                 for cite, position in zip(cites, _positions(cites), strict=True)]
    bib_key = _digest((style_id, tuple(sorted((k, _of(sources[k]), short[k]) for k in cited))))
    if not (all(k in memo for k in memo_keys) and bib_key in memo and style_key in memo):
        style = load_style(name, styles_dirs, csl_locale)  # citeproc-py is loaded only here
        is_note = style.root.get("class") == "note"
        rendered, references = _run_citeproc(style, [(c.items, c.start) for c in cites], cited, sources,
                                            {k: is_note or v for k, v in short.items()}, locate)
        memo.update(zip(memo_keys, rendered, strict=True))
        memo[bib_key] = list(references)
        memo[style_key] = "note" if is_note else "in-text"
    rendered, references = [str(memo[k]) for k in memo_keys], tuple(memo[bib_key])
    mode = "reading" if reading_copy else memo[style_key]
    body = _place(text, cites, rendered, mode, in_notes, marks_after_punctuation)
    return CitedText(body, references, (headings or HEADINGS)[mode], tuple(cited), mode == "note")


def _runs(text: str, cites: list[Cite], in_notes: list[tuple[int, int]]) -> list[Cite]:
    """Adjacent citations as one: nothing but punctuation and spaces between them, in one paragraph and on the
    same side of a note's boundary."""
    runs: list[Cite] = []
    for cite in cites:
        last = runs[-1] if runs else None
        gap = _GAP.fullmatch(text, last.end, cite.start) if last is not None else None
        if (last is not None and gap and not re.search(r"\n[ \t]*\n", gap.group())
                and _note_of(last.start, in_notes) == _note_of(cite.start, in_notes)):
            runs[-1] = Cite(last.start, cite.end, last.items + cite.items, gap.group(1) or last.stop)
        else:
            runs.append(cite)
    return runs


def _note_of(offset: int, spans: list[tuple[int, int]]) -> int:
    return next((i for i, (start, end) in enumerate(spans) if start <= offset < end), -1)


def _place(text: str, cites: list[Cite], rendered: list[str], mode: str, in_notes: list[tuple[int, int]],
           after: bool) -> str:
    """The text with each citation set: a note mark, an in-text citation, a citation inside a note, or nothing."""
    out, notes, last = [], [], 0
    for number, (cite, formatted) in enumerate(zip(cites, rendered, strict=True), start=1):
        before = text[last:cite.start]
        found = _TRAIL.match(text, cite.end)
        trail = found.group() if found else ""
        stops = trail if _STOPS.search(trail) else cite.stop + trail
        last = cite.end + len(trail)
        if _note_of(cite.start, in_notes) >= 0:  # in a note of the text's own: in place, mid-sentence
            out += [before, *_inline(formatted, stops, mode == "note", after)]
            continue
        words = _words(before)
        if mode == "reading":
            out += [words, stops]
            if words[-1:] in ("", "\n"):  # a paragraph or line that began with it: its text starts at once
                last = len(text) - len(text[last:].lstrip(" \t"))
        elif mode == "note":
            mark = f"[^cite-{number}]"  # "TPNW.⁴", not "TPNW ⁴."; in French "TPNW⁴."
            out += [words, stops, mark] if after else [words, mark, stops]
            notes.append(f"[^cite-{number}]: {formatted}")
        else:
            sentence_end = re.match(r"\s*(?:$|\n|[A-Z“‘\"'(])", text[last:last + 3])
            out += _in_text(words, stops, formatted, bool(sentence_end))
    out.append(text[last:])
    body = "".join(out)
    if notes:
        body = body.rstrip("\n") + "\n\n" + "\n".join(notes) + "\n"
    return body


def _inline(formatted: str, stops: str, note: bool, after: bool) -> list[str]:
    """A note's citation set inside a sentence of a note: without its own final period, the sentence's stop
    inside a closing quotation mark where it follows one (in English)."""
    if not note:
        return [formatted, stops]
    body = re.sub(r"\.(?=[”’]*$)", "", formatted)
    quotes = len(body) - len(body.rstrip("”’"))
    if after and quotes and stops[:1] in (".", ","):
        return [body[:len(body) - quotes], stops[0], body[len(body) - quotes:], stops[1:]]
    return [body, stops]


def _words(before: str) -> str:
    """The text before a citation without the spaces it leaves (a line break too, unless a paragraph ends)."""
    stripped = before.rstrip()
    gone = before[len(stripped):]
    return before if not stripped or re.search(r"\n[ \t]*\n", gone) else stripped


def _in_text(words: str, stops: str, formatted: str, sentence_end: bool) -> list[str]:
    """An in-text citation after the words and closing quotation marks it belongs to, before their stop."""
    end = _END_BEFORE.search(words) if not _STOPS.search(stops) and words.strip() else None
    if end and (end.group(1) != "." or sentence_end):  # "text.[@a]", "“text.”[@a]": the stop moves after it
        words, stops = words[:end.start()] + end.group(2), end.group(1) + stops
    quotes = stops[:len(stops) - len(stops.lstrip("”’\"'*_"))]  # closers the citation follows
    space = " " if words and not words[-1].isspace() and words[-1] not in "([{" else ""
    return [words + quotes + space, formatted, stops[len(quotes):]]


def _digest(value: object) -> str:
    """A stable key for a memo entry: the representation of frozen values (dataclasses, tuples, str)."""
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


@cache
def _of(source: Source) -> str:
    """A source's digest, once a process: the same sources are cited in brief after brief."""
    return _digest(source)


def _note_spans(text: str) -> list[tuple[int, int]]:
    """Where the text's own footnote definitions are (from `[^label]:` to the next blank line followed by an
    unindented line, or the next definition)."""
    spans = []
    for match in _NOTE_DEFINITION.finditer(text):
        end = match.end()
        for block in re.finditer(r"\n\s*\n(?=\S)|\n(?= {0,3}\[\^[^\]\s]+\]:)", text[end:]):
            end += block.start()
            break
        else:
            end = len(text)
        spans.append((match.start(), end))
    return spans


def _positions(cites: list[Cite]) -> list[tuple[tuple[bool, bool, int], ...]]:
    """For each citation, per item: first use of that source, same items as the previous citation, distance."""
    last_seen: dict[str, int] = {}
    previous: Items | None = None
    out = []
    for index, cite in enumerate(cites):
        row = []
        for key, _ in cite.items:
            seen = last_seen.get(key)
            row.append((seen is None, cite.items == previous, min(index - seen, NEAR_NOTE) if seen is not None else 0))
        for key, _ in cite.items:
            last_seen[key] = index
        previous = cite.items
        out.append(tuple(row))
    return out
