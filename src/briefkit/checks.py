"""Library-wide checks that only `check` runs: unused sources, stale content, limits."""

from __future__ import annotations

import datetime as dt
import re

from briefkit.compose import Composed
from briefkit.errors import Problems
from briefkit.library import FACT_CALL, Library, cited_keys
from briefkit.measure import count_words

STALE_AFTER = dt.timedelta(days=2 * 365)


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


def _cited_by_layer(library: Library) -> dict[int, set[str]]:
    """The source keys the snippets of each layer cite: in front matter, `[@key]` or through `fact()`."""
    cited: dict[int, set[str]] = {}
    for snippet in library.snippets.values():
        keys = cited.setdefault(snippet.layer, set())
        keys.update(snippet.sources, cited_keys(snippet.body))
        keys.update(library.facts[f].source for f in FACT_CALL.findall(snippet.body) if f in library.facts)
    return cited


def check_limits(composed: Composed, problems: Problems) -> None:
    """Word limits per kind from the conference; pages are checked where a PDF can be made."""
    job = composed.job
    limits = job.conference.limits.get(job.brief.kind)
    if limits and limits.words:
        words = count_words(composed.text)
        if words > limits.words:
            problems.error(job.brief.path, None, f"{job.name}: {words} words, over {job.conference.name}'s limit "
                           f"of {limits.words} for a {job.brief.kind}")
