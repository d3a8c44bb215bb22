"""Checks beyond the schema: unused sources and stale content in the library, conference limits per output."""

from __future__ import annotations

import datetime as dt

from briefkit.compose import Composed
from briefkit.errors import Problems
from briefkit.library import FACT_CALL, Library, cited_keys
from briefkit.measure import WORDS_PER_MINUTE, count_words, duration
from briefkit.model import Limits
from briefkit.workspace import Workspace

PAPER_CM = {"letter": (21.59, 27.94), "a4": (21.0, 29.7)}

STALE_AFTER = dt.timedelta(days=2 * 365)
FRESHNESS_YEARS = 3  # a library's facts older than this before its as-of date are reported


def check_library(library: Library, today: dt.date, problems: Problems) -> None:
    """Warn about sources nobody cites and snippets not updated for two years."""
    cited = _cited_by_layer(library)
    for source in library.sources.values():
        if not any(source.key in keys for layer, keys in cited.items() if layer <= source.layer):
            problems.warn(source.path, source.line, f"source '{source.key}' is never cited",
                          "cite it from a snippet or a fact a snippet uses, or remove it")
    for snippet in library.snippets.values():
        if snippet.updated and today - snippet.updated > STALE_AFTER:
            problems.warn(snippet.path, snippet.line_of("updated"),
                          f"snippet was last updated on {snippet.updated.isoformat()}, over two years ago",
                          "check its figures and set a new 'updated' date")


def check_freshness(library: Library, ws: Workspace, problems: Problems) -> None:
    """Warn on facts older than their library's freshness window, and on facts said to be newer than the source
    they come from. A library's window is `freshness_years` (default 3) before its `as_of` date."""
    from briefkit.workspace import LIBRARY_FILE, load_library_info

    windows: dict[int, tuple[dt.date, float]] = {}
    for index, layer in enumerate(ws.snippet_layers):
        if (layer.root / LIBRARY_FILE).is_file():
            info = load_library_info(layer.root / LIBRARY_FILE)
            windows[index] = (info["as_of"], float(info.get("freshness_years") or FRESHNESS_YEARS))
    for fact in library.facts.values():
        window = windows.get(ws.layer_of(fact.path))
        as_of = max(_latest_day(fact.as_of), fact.verified or dt.date.min)
        if window and (window[0] - as_of).days > window[1] * 365.25:
            problems.warn(fact.path, fact.line, f"fact '{fact.key}' is as of {fact.as_of}, more than "
                          f"{window[1]:g} years before the library's as-of date {window[0].isoformat()}",
                          "look for a newer figure; if this is still the latest published, say so with "
                          "'verified: <date>'")
        source = library.sources.get(fact.source)
        if source is not None and _latest_day(source.issued) < _earliest_day(fact.as_of):
            problems.warn(fact.path, fact.line, f"fact '{fact.key}' is as of {fact.as_of}, but its source "
                          f"'{source.key}' was issued {source.issued}, before that",
                          "cite the source that states the newer figure, or correct as_of")


def _latest_day(value: dt.date | int) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date(value, 12, 31)


def _earliest_day(value: dt.date | int) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date(value, 1, 1)


def _cited_by_layer(library: Library) -> dict[int, set[str]]:
    """The source keys the snippets of each layer cite: in front matter, `[@key]` or through `fact()`."""
    cited: dict[int, set[str]] = {}
    for snippet in library.all_snippets():
        keys = cited.setdefault(snippet.layer, set())
        keys.update(snippet.sources, cited_keys(snippet.body))
        keys.update(library.facts[f].source for f in FACT_CALL.findall(snippet.summary + "\n" + snippet.body)
                    if f in library.facts)
    for layer, profile_keys in library.profile_sources.items():
        cited.setdefault(layer, set()).update(profile_keys)
    return cited


KIND_LIMITS = {"handout": Limits(pages=1)}  # a handout is one printed page at every conference
WORDS_PER_PAGE = 500  # single-spaced 12 pt on US Letter with 2.54 cm margins, headings and notes included


def limits_for(composed: Composed) -> Limits:
    """The conference's limits for this kind, with the kind's own where the conference sets none."""
    job = composed.job
    own = job.conference.limits.get(job.brief.kind) or Limits()
    kind = KIND_LIMITS.get(job.brief.kind) or Limits()
    return Limits(pages=own.pages or kind.pages, words=own.words or kind.words,
                  minutes=own.minutes or kind.minutes)


def estimate_pages(composed: Composed) -> float:
    """Pages by a word count, for when no PDF can be made: scaled by font size, paper, margins, spacing."""
    conference = composed.job.conference
    width, height = PAPER_CM[conference.paper]
    margins = conference.margins
    area = (width - margins.left - margins.right) * (height - margins.top - margins.bottom)
    letter_area = (21.59 - 5.08) * (27.94 - 5.08)
    per_page = WORDS_PER_PAGE * (12 / conference.font_size) ** 2 * area / letter_area / conference.line_spacing
    return count_words(composed.markdown) / per_page


def check_limits(composed: Composed, problems: Problems, pages: int | None = None) -> bool:
    """Report every limit of the conference the output breaks, with the measured figure; True if within them.

    `pages` is the page count of the PDF LibreOffice made; without it the page limit is checked by estimate.
    """
    job = composed.job
    limits = limits_for(composed)
    name, conference, kind = job.name, job.conference.name, job.brief.kind
    ok = True
    unit = composed.language.count if composed.language else "words"  # characters for Chinese
    rate = round(composed.language.speaking_rate if composed.language else WORDS_PER_MINUTE)
    if limits.words:
        words = count_words(composed.text)
        if words > limits.words:
            problems.error(job.brief.path, None, f"{name}: {words} {unit}, over {conference}'s limit of "
                           f"{limits.words} {unit} for a {kind}")
            ok = False
    if limits.minutes and composed.speaking_seconds is not None:
        if composed.speaking_seconds > limits.minutes * 60:
            problems.error(job.brief.path, None, f"{name}: about {duration(composed.speaking_seconds)} of speaking "
                           f"time ({composed.spoken_words} {unit} at {rate} a minute), over "
                           f"{conference}'s limit of {duration(limits.minutes * 60)} for a {kind}")
            ok = False
    if limits.pages:
        extra = " (the disclosure page not counted)" if composed.appendix_pages else ""
        if pages is not None:
            counted = pages - composed.appendix_pages
            if counted > limits.pages:
                problems.error(job.brief.path, None, f"{name}: {counted} pages{extra}, over {conference}'s limit "
                               f"of {limits.pages} for a {kind} (counted on the PDF LibreOffice made)")
                ok = False
        else:
            estimate = estimate_pages(composed)
            if estimate > limits.pages:
                from briefkit.pdf import INSTALL_HINT

                problems.warn(job.brief.path, None, f"{name}: about {estimate:.1f} pages by a word-count estimate, "
                              f"over {conference}'s limit of {limits.pages} for a {kind}",
                              f"the estimate is rough; for an exact count {INSTALL_HINT}")
    return ok
