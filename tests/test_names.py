"""Names in running text (issue #14): every shipped committee, under every shipped conference, composed into every
shipped template, for a country whose name takes no article (China) and one whose name does (the Philippines,
which the library has no profile for); the sentences read as a careful delegate writes them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefkit import compose
from briefkit.citations import CitedText
from briefkit.errors import Problems
from briefkit.model import Committee, Country
from briefkit.names import country_article, iso_short_name, upper_first, with_article
from briefkit.pipeline import Session, compose_brief
from briefkit.profiles import load_country
from briefkit.render.settings import from_composed
from briefkit.workspace import Workspace
from conftest import REPO

KINDS = ("position-paper", "policy-brief", "handout", "speech", "resolution")
CONFERENCES = sorted(p.stem for p in (REPO / "templates" / "conferences").glob("*.yaml"))
COMMITTEES = sorted(p.stem for p in (REPO / "templates" / "committees").glob("*.yaml"))
BRIEF = """kind: {kind}
countries: [{countries}]
committees: {committees}
conference: {conference}
school: Example University
topic: {{title: Trafficking in women and girls, tags: [trafficking]}}
"""
# Every kind for every committee (the generic conference); every conference for a paper and its header.
BRIEFS = [(kind, "generic", "all", "CHN, PHL") for kind in KINDS] + \
    [("position-paper", conference, "[csw, ecosoc, third-committee]", "PHL") for conference in CONFERENCES
     if conference != "generic"]


@pytest.fixture(scope="module")
def composed(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str, str, str], tuple[str, str]]:
    """(kind, conference, committee, country) -> (composed Markdown, running head), for every combination."""
    root = tmp_path_factory.mktemp("names")
    (root / "briefkit.yaml").write_text("libraries: [trafficking-women]\n", encoding="utf-8")
    (root / "briefs").mkdir()
    (root / "snippets" / "probe").mkdir(parents=True)  # a snippet of the workspace's own, for every committee
    (root / "snippets" / "probe" / "names.md").write_text(
        "---\ntitle: Names\ntags: [context, trafficking]\n---\nThe question is before {{ committee.name_in_text }}, "
        "which is why {{ committee.in_text }} treats it; {{ country.in_text | upper_first }} welcomes "
        "{{ committee.in_text }}'s work.\n", encoding="utf-8")
    for kind, conference, committees, countries in BRIEFS:
        text = BRIEF.format(kind=kind, conference=conference, committees=committees, countries=countries)
        (root / "briefs" / f"{kind}-{conference}.yaml").write_text(text, encoding="utf-8")
    ws = Workspace.open(root)
    session = Session(ws, Problems())
    out = {}

    def uncited(text: str, *args: object, **options: object) -> CitedText:  # names are all this test reads
        return CitedText(text, (), "", ())

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(compose, "apply_citations", uncited)
        for path in sorted((root / "briefs").glob("*.yaml")):
            for item in compose_brief(session, path, None, Problems()):
                job = item.job
                key = (job.brief.kind, job.conference.id, job.committee.id, job.country.code)
                out[key] = (item.markdown, from_composed(item, ws).header_text())
    assert len(out) == len(KINDS) * len(COMMITTEES) * 2 + (len(CONFERENCES) - 1) * 3
    return out


def _committee(committee_id: str) -> Committee:
    from briefkit.profiles import load_committee

    return load_committee(Workspace.open(REPO), committee_id, REPO)


def test_every_committee_reads_right_in_every_template(composed):
    for (kind, conference, committee_id, country), (markdown, header) in composed.items():
        committee = _committee(committee_id)
        where = f"{kind}/{conference}/{committee_id}/{country}"
        assert not re.search(r"\b(?:the|The) [Tt]he\b", markdown), where
        if committee.in_text != committee.short_name:  # a short name that takes 'the' never stands bare in a sentence
            bare = rf"\b(?:of|to|by|why|address|with|from|for|in|towards) {re.escape(committee.short_name)}\b"
            assert not re.search(bare, markdown), (where, re.search(bare, markdown))
        if "which is why" in markdown:  # the CEDAW snippet's sentence, and the probe's
            assert f"which is why {committee.in_text} treats it" in markdown, where
            assert not re.search(r"which is why (?!the |ECOSOC)", markdown), where
        if kind == "speech":
            assert f"is honoured to address {committee.name_in_text} on" in markdown, where
        assert header == header.strip(" |") and " |  | " not in header and "{" not in header, (where, header)


def test_committee_names_in_text():
    expected = {"csw": "the CSW", "third-committee": "the Third Committee", "ecosoc": "ECOSOC", "hrc": "the HRC",
                "ccpcj": "the CCPCJ", "ilo": "the ILC", "security-council": "the Security Council",
                "unwomen-board": "the UN Women Executive Board"}
    assert {c: _committee(c).in_text for c in COMMITTEES} == expected
    assert _committee("csw").name_in_text == "the Commission on the Status of Women"


def test_a_country_whose_name_takes_the_article(composed):
    for (kind, conference, committee_id, country), (markdown, header) in composed.items():
        if country != "PHL":
            continue
        where = f"{kind}/{conference}/{committee_id}"
        text = "\n".join(line for line in markdown.splitlines() if not line.startswith(("# ", "**Sponsors")))
        for match in re.finditer(r"Philippines", text):  # 'the Philippines', 'The Philippines asks...'
            before = text[max(0, match.start() - 4): match.start()]
            assert before in ("the ", "The "), (where, text[max(0, match.start() - 40): match.end() + 20])
        if kind == "speech":
            assert "The delegation of the Philippines is honoured to address" in markdown
            assert "\nThe Philippines stands ready to work with every delegation" in markdown
        if kind == "position-paper":
            assert "**Delegation:** Republic of the Philippines" in markdown
            assert "\nThe Philippines looks forward to working with all delegations" in markdown
        if kind == "handout":
            assert "**Delegation of the Republic of the Philippines**" in markdown
        assert header.startswith(("Philippines", "Third Committee", "CSW", "HRC", "ECOSOC", "CCPCJ", "ILC",
                                  "Security Council", "UN Women")), header  # a label: the short name, bare


def test_china_reads_as_china(composed):
    markdown = composed["speech", "generic", "csw", "CHN"][0]
    assert "The delegation of China is honoured to address the Commission on the Status of Women" in markdown
    assert "\nChina stands ready" in markdown
    paper = composed["position-paper", "generic", "csw", "CHN"][0]
    assert "**Delegation:** People's Republic of China" in paper  # as composed; printed with typographic marks
    assert "which is why the CSW treats it" in paper
    ecosoc = composed["position-paper", "generic", "ecosoc", "PHL"][0]
    assert "before the Economic and Social Council, which is why ECOSOC treats it; The Philippines welcomes " \
           "ECOSOC's work." in ecosoc


def test_a_committee_with_no_short_name(tmp_path, cli):
    (tmp_path / "templates" / "committees").mkdir(parents=True)
    (tmp_path / "templates" / "committees" / "special.yaml").write_text(
        "name: Special Committee on Trafficking\norgan_line: The Special Committee on Trafficking,\n", encoding="utf-8")
    (tmp_path / "briefkit.yaml").write_text("libraries: [trafficking-women]\n", encoding="utf-8")
    (tmp_path / "snippets" / "probe").mkdir(parents=True)
    (tmp_path / "snippets" / "probe" / "names.md").write_text(
        "---\ntitle: Names\ntags: [context, trafficking]\n---\nThis is why {{ committee.in_text }} treats it.\n",
        encoding="utf-8")
    (tmp_path / "briefs").mkdir()
    (tmp_path / "briefs" / "paper.yaml").write_text(
        "kind: position-paper\ncountry: PHL\ncommittee: special\ntopic: {title: Trafficking in women and girls, "
        "tags: [trafficking]}\n", encoding="utf-8")
    assert cli("build", "--root", tmp_path, "--out", tmp_path / "out", "--format", "md,docx").code == 0
    markdown = next((tmp_path / "out").glob("*.md")).read_text(encoding="utf-8")
    assert "This is why the Special Committee on Trafficking treats it." in markdown
    assert "**Committee:** Special Committee on Trafficking" in markdown
    committee = Committee(id="x", name="Special Committee on Trafficking", short_name="Special Committee on "
                          "Trafficking", path=tmp_path, article="")
    assert committee.in_text == "the Special Committee on Trafficking"  # 'article' is for a short name only


def test_iso_names_read_as_a_sentence_needs_them():
    problems = Problems()
    korea = load_country(Workspace.open(REPO), "KOR", REPO, None, problems)
    assert (korea.short_name, korea.in_text, korea.delegation) == (
        "Republic of Korea", "the Republic of Korea", "Delegation of the Republic of Korea")
    assert iso_short_name("Congo, The Democratic Republic of the") == "Democratic Republic of the Congo"
    for name, article in (("United States", "the"), ("Netherlands", "the"), ("Japan", ""), ("Solomon Islands", ""),
                          ("Bolivia (Plurinational State of)", ""), ("Viet Nam", ""), ("Sudan", "the"),
                          ("Lao People's Democratic Republic", "the")):
        assert country_article(name) == article, name
    country = Country(code="FRA", name="French Republic", short_name="France", adjective="French",
                      delegation="Delegation of France")
    assert (country.in_text, country.name_in_text) == ("France", "the French Republic")
    assert with_article("", "ECOSOC") == "ECOSOC" and with_article(None, "the CSW") == "the CSW"
    assert upper_first("the CSW") == "The CSW" and upper_first("") == ""


def test_every_committee_profile_shipped_says_how_its_short_name_reads():
    for path in sorted(Path(REPO / "templates" / "committees").glob("*.yaml")):
        committee = _committee(path.stem)
        assert committee.in_text.endswith(committee.short_name)
        assert committee.in_text in (committee.short_name, f"the {committee.short_name}")
