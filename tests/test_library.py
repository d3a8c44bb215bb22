"""The shipped library: every snippet cited, nothing unused or dangling."""

from __future__ import annotations

import re
from pathlib import Path

from briefkit.batch import brief_files
from briefkit.errors import Problems
from briefkit.library import FACT_CALL, cited_keys, load_library
from briefkit.pipeline import Session, compose_brief
from briefkit.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]


def _library():
    problems = Problems()
    library = load_library(Workspace.open(REPO), problems)
    assert problems.items == []
    return library


PROFILE_DRIVEN = {"countries/treaty-record"}  # cites whatever sources the country profile names
_JINJA = re.compile(r"\{%.*?%\}|\{\{.*?\}\}|\{#.*?#\}", re.DOTALL)


def test_every_snippet_cites_a_source():
    library = _library()
    uncited = [s.id for s in library.snippets.values()
               if not (s.sources or cited_keys(s.body) or FACT_CALL.search(s.body)) and s.id not in PROFILE_DRIVEN]
    assert uncited == []


def test_every_number_is_cited():
    """A paragraph (or summary) stating a number gets it from fact() or cites a source in that paragraph; only a
    snippet's first paragraph and its summary may rely on the front-matter sources, which are cited there."""
    library = _library()
    uncited = []
    for snippet in library.snippets.values():
        paragraphs = [p for p in re.split(r"\n\s*\n", snippet.body) if p.strip()]
        for index, text in enumerate([snippet.summary, *paragraphs]):
            if "fact(" in text or cited_keys(text):
                continue
            if re.search(r"\d", _JINJA.sub("", text)) and not (index <= 1 and snippet.sources):
                uncited.append(f"{snippet.id}: {text[:60]}")
    assert uncited == []


def test_treaty_record_cites_every_ratification_source():
    ws = Workspace.open(REPO)
    problems = Problems()
    session = Session(ws, problems)
    [composed, *_] = compose_brief(session, REPO / "briefs" / "china-hrc-policy-brief.yaml", None, problems)
    assert "countries/treaty-record" in composed.snippets
    assert {"chinaorg-untoc-2003", "ilo-c190", "ilo-p029", "un-cedaw-1979"} <= set(composed.sources)
    assert "China is a party to the Palermo Protocol (acceded 2010)" in composed.markdown


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
    # a language variant's own sources (an instrument's official text in that language) count where its base
    # reaches a brief: the variant is that snippet, in another language
    cited.update(key for s in library.all_snippets() if s.language and s.id in used_snippets
                 for key in re.findall(r"@([\w.:-]+)", s.body))
    facts_used = {key for s in library.snippets.values() for key in FACT_CALL.findall(s.summary + "\n" + s.body)}
    assert sorted(set(library.snippets) - used_snippets) == []
    assert sorted(set(library.sources) - cited - {f.source for f in library.facts.values()}) == []
    assert sorted(set(library.facts) - facts_used) == []
    dangling = [key for s in library.snippets.values() for key in re.findall(r"\[@([\w.:-]+)", s.body)
                if key not in library.sources]
    assert dangling == []
