"""The shipped library: every snippet cited, nothing unused or dangling."""

from __future__ import annotations

import re
from pathlib import Path

from briefkit.errors import Problems
from briefkit.library import FACT_CALL, cited_keys, load_library
from briefkit.pipeline import Session, brief_files, compose_brief
from briefkit.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]


def _library():
    problems = Problems()
    library = load_library(Workspace.open(REPO), problems)
    assert problems.items == []
    return library


def test_every_snippet_cites_a_source():
    library = _library()
    uncited = [s.id for s in library.snippets.values()
               if not (s.sources or cited_keys(s.body) or FACT_CALL.search(s.body))]
    assert uncited == []


def test_every_source_and_fact_is_used_and_every_snippet_reaches_a_brief():
    ws = Workspace.open(REPO)
    problems = Problems()
    session = Session(ws, problems)
    used_snippets: set[str] = set()
    cited: set[str] = set()
    for path in brief_files(ws, [], problems):
        for composed in compose_brief(session, path, None, problems):
            used_snippets.update(composed.snippets)
            cited.update(composed.sources)
    library = session.library
    facts_used = {key for s in library.snippets.values() for key in FACT_CALL.findall(s.body)}
    assert sorted(set(library.snippets) - used_snippets) == []
    assert sorted(set(library.sources) - cited - {f.source for f in library.facts.values()}) == []
    assert sorted(set(library.facts) - facts_used) == []
    dangling = [key for s in library.snippets.values() for key in re.findall(r"\[@([\w.:-]+)", s.body)
                if key not in library.sources]
    assert dangling == []
