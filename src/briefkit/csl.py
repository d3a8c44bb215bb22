"""Sources as CSL-JSON items: what a citation style is given to format.

The styles (Chicago notes-bibliography, MLA, any other CSL style) decide order, punctuation and italics; this
module decides what each part of a source *is*, so that the style prints it once and in its place:

- **Type.** A newspaper article is `article-newspaper` (its paper is the container, set in italics by both
  Chicago and MLA); a web page is `webpage`; a resolution is a `report` (a document of an international body
  with its symbol and date, as CMOS 17 cites publications of international bodies).
- **Nothing twice.** A newspaper or website named as the source's author is its container, and the source is
  unsigned: CMOS 17 begins the note with the title and puts the paper in the author's place in the
  bibliography ("the name of the newspaper stands in place of the author", its unsigned newspaper articles
  section); MLA 9 begins such an entry with the title (5.3-5.22, author). A periodical has no publisher
  (CMOS 17 newspapers and journals; MLA 9 5.54-5.67). A container that is also the publisher is named once.
  An organisation that is both author and publisher of a report or web page is named once, as publisher (MLA
  9 5.3-5.22; CMOS 17 lets such a work be listed under its title), but an instrument's adopting body stays
  its author (a treaty or resolution has no publisher in either style).
- **Titles as their owners spell them.** Both styles set English titles in headline style (CMOS 17 8.159;
  MLA 9, ch. 2, title case), and citeproc-py does the casing; but an official title (a treaty, resolution, law
  or numbered document, or a source saying `official_title: true`) is kept exactly as written, and so is a
  title not in English (`language`). citeproc-py's own headline casing capitalises every lowercase word outside
  a short list; the words both manuals keep lowercase that its list lacks ("against", "towards", "per"...)
  are marked as not to be cased (CSL-JSON's `<span class="nocase">`, which citeproc-py reads), one an owner
  capitalised is lowercased ("UN Treaty against Organized Crimes"), a last word is capitalised (both
  manuals), and so is the second part of a hyphenated compound unless the first is a prefix (CMOS 17 8.161:
  "High-Level", "Multi-stakeholder").
- **Short titles** for short notes and in-text citations: `short_title`, else the title without its
  subtitle (CMOS 17 14.30; MLA 9, ch. 6, shortens a title in a parenthetical citation the same way).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from briefkit.model import Source

CSL_TYPES = {
    "report": "report", "treaty": "treaty", "resolution": "report", "webpage": "webpage",
    "article": "article-journal", "legislation": "legislation", "news": "article-newspaper",
    "book": "book", "dataset": "dataset",
}
OFFICIAL_TYPES = ("treaty", "resolution", "legislation")  # instruments: their titles are official
INSTRUMENTS = ("treaty", "resolution", "legislation")  # their author is the body that adopted them
PERIODICALS = ("news", "article")

# Words both manuals lowercase inside a title (CMOS 17 8.159: articles; prepositions regardless of length;
# and, but, for, or, nor; "to" and "as" in any function. MLA 9 the same) that citeproc-py's own list of
# words to leave lowercase lacks. Prepositions that are as often conjunctions or adverbs ("after", "before",
# "since", "until", "out") are left to the casing, as both manuals capitalise those uses.
_KEEP_LOWER = frozenset(
    "about above across against along amid among amongst around behind below beneath beside besides between "
    "beyond despite during except inside like near off outside past per than through throughout toward towards "
    "under underneath unlike upon versus within without".split())
_MINOR = _KEEP_LOWER | frozenset(
    "a an and as at but by down for from in into nor of on onto or over the till to up via with".split())
# Prefixes that do not stand alone as words: the part after the hyphen keeps its case (CMOS 17 8.161)
_PREFIXES = frozenset("anti co counter de extra inter intra macro micro mid mini multi neo non post pre pro re "
                      "self semi socio sub super trans ultra un".split())
_WORD = re.compile(r"\S+")
_SUBTITLE = re.compile(r"(?<=\S)[:?!]\s|\s[—–]\s|(?<=[a-z]{3})\.\s+(?=[A-Z])")  # a subtitle or second sentence
# Minor words an owner may have capitalised that are never adverbs or subordinating conjunctions, so headline
# style lowercases them wherever they stand inside a title ("UN Treaty against Organized Crimes").
_ALWAYS_MINOR = frozenset("a an the and but or nor of to for from with into onto via per against among amid "
                          "amongst between toward towards upon within without at as versus".split())


def to_csl(source: Source, short_title: bool = True) -> dict[str, Any]:
    """A source as a CSL-JSON item. `short_title`: give the style a short title (in-text styles add one only
    to tell apart two works of one author; see citations.py)."""
    english = not source.language or source.language.lower().startswith("en")
    official = source.official_title if source.official_title is not None else (
        source.type in OFFICIAL_TYPES or bool(source.number))
    author: str | None = source.author
    container, publisher = source.container, source.publisher
    if source.type in ("news", "webpage") and not container:
        container, publisher = publisher, None  # a newspaper or website is the container, not a publisher
    if source.type in PERIODICALS or source.type == "resolution" or _same(publisher, container):
        publisher = None  # a periodical has none; a resolution is its organ's, dated in full
    if source.type in ("news", "webpage") and _same(author, container):
        author = None  # unsigned: the paper or site stands in its place
    if _same(author, publisher):
        if source.type in INSTRUMENTS:
            publisher = None
        else:
            author = None
    item: dict[str, Any] = {"id": source.key, "type": CSL_TYPES[source.type],
                            "title": _title(source.title, official or not english),
                            "issued": {"date-parts": [_date_parts(source.issued)]}}
    if not english:
        item["language"] = source.language
    if author:
        item["author"] = _names(author, source.person)
    short = source.short_title or _main_title(source.title)
    if short_title or not author:  # a work without an author is cited by its (short) title in every style
        item["title-short"] = _title(short, official or not english)
    optional = {"URL": source.url, "publisher": publisher, "number": source.number, "volume": source.volume,
                "issue": source.issue, "page": source.pages,
                "container-title": _title(container, not english) if container else None}
    item.update({k: v for k, v in optional.items() if v})
    if source.accessed:
        item["accessed"] = {"date-parts": [_date_parts(source.accessed)]}
    return item


def _same(a: str | None, b: str | None) -> bool:
    return bool(a and b) and _plain(a) == _plain(b)


def _plain(name: str | None) -> str:
    """A name compared without case, an initial article or punctuation ("The China Daily" is "China Daily")."""
    text = re.sub(r"[^\w\s]", "", (name or "").casefold())
    return re.sub(r"^the\s+", "", " ".join(text.split()))


def _date_parts(value: dt.date | int) -> list[int]:
    return [value.year, value.month, value.day] if isinstance(value, dt.date) else [value]


def _names(author: str, person: bool) -> list[dict[str, str]]:
    """An organisation is one literal name; a person ('Family, Given') is split so styles can invert it."""
    if not person:
        return [{"literal": author}]
    names = []
    for part in author.split(";"):
        family, _, given = part.partition(",")
        names.append({"family": family.strip(), "given": given.strip()} if given.strip()
                     else {"literal": family.strip()})
    return names


def _main_title(title: str) -> str:
    """The title without its subtitle."""
    match = _SUBTITLE.search(title)
    return title[:match.start()].rstrip(" :") if match else title


def _title(title: str, exact: bool) -> str:
    """A title as CSL-JSON text: kept as written where `exact`, else marked so a style's headline casing gives
    the manuals' headline style."""
    if exact:
        return _nocase(title)
    words = [(m.start(), m.end()) for m in _WORD.finditer(title)]
    out, last, after_break = [], 0, True
    for index, (start, end) in enumerate(words):
        word = title[start:end]
        core = word.strip("“”‘’\"'()[],;.!?")
        if (core.istitle() and core.lower() in _ALWAYS_MINOR and not after_break and index < len(words) - 1
                and not title.isupper()):
            word, core = word.replace(core, core.lower(), 1), core.lower()  # "Against" inside a title
        lower = core.islower() and core.isalpha()
        out.append(title[last:start])
        previous = title[words[index - 1][0]:words[index - 1][1]].lower() if index else ""
        if lower and not after_break and index == len(words) - 1 and core in _MINOR:
            word = word.replace(core, core[:1].upper() + core[1:], 1)  # the last word is capitalised
        elif lower and not after_break and (core in _KEEP_LOWER or core == "cent" and previous == "per"):
            word = _nocase(word)
        elif "-" in core:
            word = _hyphenated(word)
        out.append(word)
        last = end
        after_break = bool(re.search(r"[:?!—–.]$", word)) and not re.search(r"\.\w", word)
    out.append(title[last:])
    return "".join(out)


def _hyphenated(word: str) -> str:
    """The parts after the first of a hyphenated compound capitalised, unless minor or after a prefix."""
    parts = word.split("-")
    if parts[0].lower().strip("“‘\"'(") in _PREFIXES:
        return word
    return "-".join(p.replace(p.strip("“‘\"'("), p.strip("“‘\"'(").capitalize(), 1)
                    if p.strip("“‘\"'(").islower() and p.strip("“‘\"'(").isalpha() and (i == 0 or p not in _MINOR)
                    else p for i, p in enumerate(parts))


def _nocase(text: str) -> str:
    """Text no style may re-case (CSL-JSON markup read by citeproc-py; `<` and `>` cannot occur otherwise, as
    the Markdown formatter escapes them)."""
    return f'<span class="nocase">{text}</span>'

