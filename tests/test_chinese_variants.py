"""The Chinese variants of the example library's snippets (*.zh.md) say what their English bases say: the same
citations and figures, a translated clause for every clause, full-width punctuation, and cited Chinese sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "src" / "briefkit" / "builtin" / "libraries" / "trafficking-women"
VARIANTS = sorted(LIBRARY.rglob("*.zh.md"))
CITATION = re.compile(r"\[(@[^\[\]]+)\]")
FACT = re.compile(r'fact\("([^"]+)"\)')
# A half-width comma, semicolon, colon, question or exclamation mark next to a Chinese character
HALF_WIDTH = re.compile(r"[,;:!?](?=[\u4e00-\u9fff])|(?<=[\u4e00-\u9fff])[,;:!?]")


def split(path: Path) -> tuple[dict, str]:
    _, front, body = path.read_text(encoding="utf-8").split("---", 2)
    return yaml.safe_load(front), body


def cited(text: str) -> set[str]:
    return {key.strip().lstrip("@").split(",")[0].strip() for run in CITATION.findall(text) for key in run.split(";")}


def clause_texts(clauses: dict) -> list[str]:
    return [c if isinstance(c, str) else c["text"] for part in clauses.values() for c in part]


def test_the_briefs_snippets_have_chinese_variants():
    names = {str(p.relative_to(LIBRARY)) for p in VARIANTS}
    for brief in ("china-csw-zh", "china-third-committee-resolution-zh"):
        data = yaml.safe_load((ROOT / "briefs" / f"{brief}.yaml").read_text())
        used = data.get("clauses", {}).get("use", []) + [s for t in data.get("topics", [])
                                                         for sec in t["sections"] for s in sec["use"]]
        assert used and all(f"{snippet}.zh.md" in names for snippet in used), brief


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda p: str(p.relative_to(LIBRARY)))
def test_variant_matches_its_base(variant):
    front, body = split(variant)
    base_front, base_body = split(variant.with_name(variant.name.replace(".zh.md", ".md")))
    assert set(front) <= set(base_front)
    assert {"title", "summary", "clauses"} & set(base_front) <= set(front)
    assert cited(base_body) <= cited(body)
    assert set(FACT.findall(body + front.get("summary", ""))) == set(FACT.findall(base_body
                                                                                  + base_front.get("summary", "")))
    if "clauses" in base_front:
        assert {k: len(v) for k, v in front["clauses"].items()} == {k: len(v) for k, v in base_front["clauses"].items()}
    texts = [front["title"], front.get("summary", ""), body, *clause_texts(front.get("clauses", {}))]
    assert not [t for t in texts if HALF_WIDTH.search(t)]
    sources = yaml.safe_load((LIBRARY / "sources.yaml").read_text(encoding="utf-8"))
    facts = yaml.safe_load((LIBRARY / "facts.yaml").read_text(encoding="utf-8"))
    assert cited(body) <= set(sources)
    for key in FACT.findall(body):
        group, name = key.split(".")
        assert name in facts[group]


def test_chinese_sources_are_marked_chinese_and_cited():
    sources = yaml.safe_load((LIBRARY / "sources.yaml").read_text(encoding="utf-8"))
    chinese = {k for k, v in sources.items() if v.get("language") == "zh-CN"}
    assert chinese
    cites = set().union(*(cited(split(p)[1]) for p in VARIANTS))
    assert chinese <= cites
    for key in chinese:
        assert re.search(r"[\u4e00-\u9fff]", sources[key]["title"])
