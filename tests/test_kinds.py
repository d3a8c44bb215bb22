"""The kinds, read back from what they build: resolution grammar, speech timing, the one-page handout,
and one brief built for two committees differing exactly where the committees' profiles differ."""

from __future__ import annotations

import re
from pathlib import Path

import docx
import pytest
import yaml
from docx.oxml.ns import qn

from briefkit.pdf import page_count, soffice
from conftest import REPO, validate_docx

PHRASES = yaml.safe_load((REPO / "templates" / "resolution-phrases.yaml").read_text(encoding="utf-8"))


def _phrase(opener: str) -> str:
    """An italic opener without its adverbs ('Deeply concerned that' -> 'Concerned that')."""
    for _ in range(2):
        for adverb in sorted(PHRASES["adverbs"], key=len, reverse=True):
            if opener.startswith(adverb + " "):
                opener = opener[len(adverb) + 1:]
                opener = opener[:1].upper() + opener[1:]
                break
    return opener

needs_soffice = pytest.mark.skipif(soffice() is None, reason="LibreOffice is not installed")


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def _numbering(document: docx.document.Document, paragraph: docx.text.paragraph.Paragraph) -> tuple[int, str, str]:
    """(level, number format, label text) of a numbered paragraph, read from numbering.xml."""
    num_pr = paragraph._p.pPr.numPr
    level = int(num_pr.ilvl.val)
    numbering = document.part.numbering_part.element
    num = next(n for n in numbering.findall(qn("w:num")) if n.get(qn("w:numId")) == str(num_pr.numId.val))
    abstract_id = num.find(qn("w:abstractNumId")).get(qn("w:val"))
    abstract = next(a for a in numbering.findall(qn("w:abstractNum")) if a.get(qn("w:abstractNumId")) == abstract_id)
    lvl = next(lv for lv in abstract.findall(qn("w:lvl")) if lv.get(qn("w:ilvl")) == str(level))
    return level, lvl.find(qn("w:numFmt")).get(qn("w:val")), lvl.find(qn("w:lvlText")).get(qn("w:val"))


def texts_after(document: docx.document.Document, start: str, end: str) -> list[docx.text.paragraph.Paragraph]:
    """The non-empty paragraphs between two headings."""
    texts = [p.text for p in document.paragraphs]
    return [p for p in document.paragraphs[texts.index(start) + 1: texts.index(end)] if p.text.strip()]


# Resolution --------------------------------------------------------------------------------------

def test_resolution_grammar_read_back_from_word(examples):
    path = examples / "china-third-committee-resolution-third-committee.docx"
    validate_docx(path)
    document = docx.Document(str(path))
    paragraphs = [p for p in document.paragraphs if p.text.strip()]
    texts = [p.text for p in paragraphs]
    assert "Sponsors: China, Lao People’s Democratic Republic, Thailand, Viet Nam" in texts[1]
    assert "Signatories: Cambodia, Myanmar, Philippines" in texts[1]
    organ = texts.index("The General Assembly,")  # the Third Committee drafts for the General Assembly
    numbered = [i for i, p in enumerate(paragraphs) if p._p.pPr is not None and p._p.pPr.numPr is not None]
    preambular = [paragraphs[i] for i in numbered if _numbering(document, paragraphs[i])[0] == 0]
    operative = [paragraphs[i] for i in numbered if _numbering(document, paragraphs[i])[0] > 0]
    assert preambular == paragraphs[organ + 1: organ + 1 + len(preambular)]  # one list: preamble, then clauses
    assert len(preambular) >= 5 and len(operative) >= 5
    for p in preambular:
        assert p.text.endswith(","), p.text
        assert p.runs[0].italic and _phrase(p.runs[0].text) in PHRASES["preambular"], p.text
        assert not p.runs[1].italic
    levels = [_numbering(document, p) for p in operative]
    top = [p for p, (level, _, _) in zip(operative, levels, strict=True) if level == 1]
    for p in top:
        assert p.runs[0].italic and _phrase(p.runs[0].text) in PHRASES["operative"], p.text
    for i, (p, (level, _, _)) in enumerate(zip(operative, levels, strict=True)):
        has_subs = i + 1 < len(levels) and levels[i + 1][0] > level
        last = i == len(operative) - 1
        assert p.text[-1] == (":" if has_subs else "." if last else ";"), p.text
    assert {_numbering(document, p) for p in preambular} == {(0, "none", "")}
    assert {(level, fmt, text) for level, fmt, text in levels} == {
        (1, "decimal", "%2."), (2, "lowerLetter", "(%3)"), (3, "lowerRoman", "(%4)")}
    assert top[-1].text.endswith(".") and len(top) < len(operative)  # the example has sub-clauses


def test_resolution_as_plain_text(examples):
    text = (examples / "china-third-committee-resolution-third-committee.txt").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert "The General Assembly," in lines
    assert not re.search(r"[*_#]", text)  # no Markdown
    assert any(re.fullmatch(r"1\. (Calls upon|Urges|Invites|Encourages) .+;", line) for line in lines)
    assert any(re.fullmatch(r" {4}\(a\) Progress made .+;", line) for line in lines)
    assert any(re.fullmatch(r" {8}\(ii\) Long-term reintegration;", line) for line in lines)
    assert re.search(r"\n\d+\. Decides .+\.\n$", text)


RESOLUTION = """kind: resolution
country: CHN
committee: csw
topic: A test topic
clauses:
  tags: []
  preambular:
    - Recalling the first instrument
    - Urges States to act
  operative:
    - Welcomes the report
    - Strongly condemns all trafficking
    - Frobnicates the process
"""


def test_resolution_checks_openers_and_forbidden_verbs(mini, cli):
    _write(mini, {"briefs/good.yaml": RESOLUTION})
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines == [
        "briefs/good.yaml:9: warning: 'Urges' opens operative clauses, but this is a preambular clause",
        "briefs/good.yaml:12: error: the Commission on the Status of Women may not use 'condemns' in an operative "
        "clause (csw.yaml lists it under forbidden_verbs)",
        "briefs/good.yaml:13: warning: 'Frobnicates' is not a standard operative opener "
        "(see templates/resolution-phrases.yaml)",
    ]
    assert not (mini / "build").exists()


def test_resolution_needs_an_operative_clause(mini, cli):
    _write(mini, {"briefs/good.yaml": "kind: resolution\ncountry: CHN\ncommittee: csw\ntopic: T\n"
                                      "clauses: {tags: [], preambular: [Recalling a thing]}\n"})
    result = cli("build", "--root", mini)
    assert result.code == 1
    assert result.err_lines[0].startswith("briefs/good.yaml:5: error: the resolution has no operative clause")


# Speech ------------------------------------------------------------------------------------------

def _spoken_words(paragraphs: list[str]) -> int:
    return sum(len(re.findall(r"\d+(?:[.,]\d+)*|[^\W\d][\w'’\-]*", p)) for p in paragraphs)


def test_speech_timing_line_matches_the_words_read_back(examples, cli):
    document = docx.Document(str(examples / "china-opening-speech-third-committee.docx"))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    timing = next(i for i, t in enumerate(texts) if t.startswith("Speaking time"))
    found = re.fullmatch(r"Speaking time: about (\d+) s \((\d+) words at 140 words a minute; limit 1 min 00 s\)",
                         texts[timing])
    assert found, texts[timing]
    # A reading copy: no citation in the spoken text; its sources after it, under their own heading.
    spoken = texts[timing + 1:texts.index("Sources")]
    assert not any("Drugs and Crime" in t or "Global Report" in t for t in spoken), spoken
    words = int(found.group(2))
    assert words == _spoken_words(spoken)
    assert int(found.group(1)) == round(words * 60 / 140)


def test_speech_over_the_limit_fails_with_the_measured_time(mini, cli):
    long_line = " ".join(["Trafficking must end everywhere and for everyone."] * 30)
    _write(mini, {
        "templates/conferences/short.yaml": "name: Short Conference\nlimits:\n  speech: {minutes: 1}\n",
        "briefs/good.yaml": f"kind: speech\ncountry: CHN\ncommittee: csw\nconference: short\ntopic: T\n"
                            f"summary: [{long_line}]\nasks: [Act now.]\n",
    })
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert re.fullmatch(r"good-csw: (\d+) words, about 1 min \d\d s at 140 words a minute \(limit 1 min 00 s\)",
                        result.out.splitlines()[-2])
    [line] = result.err_lines
    assert re.fullmatch(r"briefs/good\.yaml: error: good-csw: about 1 min \d\d s of speaking time \(\d+ words at 140 "
                        r"a minute\), over Short Conference's limit of 1 min 00 s for a speech", line)
    assert (mini / "build" / "good-csw.md").exists()  # written, so the delegate sees what to cut


# Handout and page limits -------------------------------------------------------------------------

@needs_soffice
def test_handout_fits_one_printed_page(examples):
    pdf = examples / "china-caucus-handout-third-committee.pdf"
    assert page_count(pdf.read_bytes()) == 1
    document = docx.Document(str(examples / "china-caucus-handout-third-committee.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert headings == ["Our position", "Key facts", "Our asks"]
    key_facts = texts_after(document, "Key facts", "Our asks")
    assert len(key_facts) == 4
    for paragraph in key_facts:  # each key fact is cited by a real footnote
        assert paragraph._p.findall(".//" + qn("w:footnoteReference")), paragraph.text


@needs_soffice
def test_position_paper_within_nmun_two_pages_plus_disclosure(examples):
    for name in ("CSW_China_Example_University", "Third_Committee_China_Example_University"):
        assert page_count((examples / f"{name}.pdf").read_bytes()) == 3  # two pages, then the disclosure page
        document = docx.Document(str(examples / f"{name}.docx"))
        texts = [p.text for p in document.paragraphs]
        assert texts[-2] == "AI/LLM disclosure statement"
        assert "A. Delegate" not in "\n".join(texts)  # NMUN: no names


@needs_soffice
def test_page_limit_counted_on_the_pdf(mini, cli):
    many = "\n".join(f"  - Ask number {n}, a long request that takes most of a line on the printed page." for n in
                     range(60))
    _write(mini, {"briefs/good.yaml": f"kind: handout\ncountry: CHN\ncommittee: csw\ntopic: T\nasks:\n{many}\n"})
    result = cli("check", "--root", mini)
    assert result.code == 1
    errors = [line for line in result.err_lines if ": error: " in line]
    assert len(errors) == 1 and re.fullmatch(
        r"briefs/good\.yaml: error: good-csw: [2-9] pages, over Generic conference \(US Letter\)'s limit of 1 for "
        r"a handout \(counted on the PDF LibreOffice made\)", errors[0]), result.err


def test_page_limit_estimated_without_libreoffice(mini, cli, monkeypatch):
    monkeypatch.setenv("BRIEFKIT_SOFFICE", "none")
    many = "\n".join(f"  - Ask number {n}, a long request that takes most of a line on the printed page." for n in
                     range(60))
    _write(mini, {"briefs/good.yaml": f"kind: handout\ncountry: CHN\ncommittee: csw\ntopic: T\nasks:\n{many}\n"})
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0  # an estimate warns; it does not fail the build
    [line] = [line for line in result.err_lines if "estimate" in line]
    assert re.fullmatch(r"briefs/good\.yaml: warning: good-csw: about \d\.\d pages by a word-count estimate, over "
                        r"Generic conference \(US Letter\)'s limit of 1 for a handout \(the estimate is rough; for an "
                        r"exact count install LibreOffice: .+\)", line)
    assert cli("build", "--root", mini, "--format", "md", "--strict").code == 1


@pytest.mark.parametrize("kind", ["handout", "policy-brief", "speech"])
def test_a_part_with_nothing_to_say_is_left_out_and_reported(mini, cli, kind):
    """No heading stands over nothing: a part the libraries have nothing for is left out, with one warning naming
    it (the brief's own asks are printed)."""
    _write(mini, {"briefs/bare.yaml": f"kind: {kind}\ncountry: CHN\ncommittee: csw\n"
                                      "topics:\n  - title: Ocean acidification\n    tags: [no-such-tag]\n"
                                      "asks:\n  - Fund ocean monitoring.\n"})
    result = cli("build", "--root", mini, "--format", "md", "bare")
    assert result.code == 0, result.err
    text = (mini / "build" / "bare-csw.md").read_text()
    assert "Fund ocean monitoring." in text
    lines = [line for line in text.split("---", 2)[-1].splitlines() if line.strip()]
    def level(line: str) -> int:
        return len(line) - len(line.lstrip("#")) if line.startswith("#") else 99

    for line, following in zip(lines, [*lines[1:], "# end"], strict=True):
        if line.startswith("#"):  # text, or a part of its own, follows each heading
            assert level(following) > level(line), f"empty part {line!r} in\n{text}"
    [warning] = [line for line in result.err_lines if "left out" in line]
    assert warning.startswith("briefs/bare.yaml:4: warning: default section") and "no-such-tag" in warning


def test_pdf_asked_for_without_libreoffice(mini, cli, monkeypatch):
    monkeypatch.setenv("BRIEFKIT_SOFFICE", "none")
    result = cli("build", "--root", mini, "--format", "docx,pdf")
    assert result.code == 1
    assert result.err_lines == ["briefkit: error: no PDF made: LibreOffice (soffice) was not found, so no PDF can be made; "
                                "install LibreOffice: 'sudo apt-get install libreoffice-writer-nogui' (Debian, "
                                "Ubuntu), 'brew install --cask libreoffice' (macOS), or "
                                "https://www.libreoffice.org/download/"]
    assert (mini / "build" / "good-third-committee.docx").exists()  # the other formats are still built
    assert not (mini / "build" / "good-third-committee.pdf").exists()


# Committees --------------------------------------------------------------------------------------

ALPHA = {"name": "Alpha Commission", "short_name": "ALC", "organ_line": "The Alpha Commission,", "genre": "resolution",
         "mandate": "The Alpha Commission guards the first mandate."}
BETA = {"name": "Beta Council", "short_name": "BEC", "organ_line": "The Beta Council,", "genre": "decision",
        "mandate": "The Beta Council keeps watch over the second."}


def test_one_brief_for_two_committees_differs_exactly_where_their_profiles_differ(mini, cli):
    _write(mini, {
        "templates/committees/alpha.yaml": yaml.safe_dump(ALPHA),
        "templates/committees/beta.yaml": yaml.safe_dump(BETA),
        "snippets/mini/alpha-only.md": "---\ntitle: Alpha only\ntags: [extra]\nwhen: {committee: [alpha]}\n---\n"
                                       "Only this committee hears this paragraph.\n",
        "briefs/good.yaml": "kind: position-paper\ncountry: CHN\ncommittees: [alpha, beta]\ntopics:\n"
                            "  - title: A test topic\n    sections:\n      - {heading: Facts, use: [mini/good]}\n"
                            "      - {heading: More, tags: [extra]}\n",
    })
    assert cli("build", "--root", mini, "--format", "docx").code == 0
    read = {}
    for profile, name in ((ALPHA, "alpha"), (BETA, "beta")):
        document = docx.Document(str(mini / "build" / f"good-{name}.docx"))
        texts = [document.sections[0].header.paragraphs[0].text] + [p.text for p in document.paragraphs]
        for key in ("mandate", "name", "short_name"):
            texts = [t.replace(profile[key], f"<{key}>") for t in texts]
        texts = [re.sub(rf"\b(a {profile['genre']}|{profile['genre']})\b", "<genre>", t) for t in texts]
        read[name] = texts
    only_alpha = [t for t in read["alpha"] if t not in read["beta"]]
    assert only_alpha == ["More", "Only this committee hears this paragraph."]  # its `when` names alpha only
    assert [t for t in read["alpha"] if t not in only_alpha] == read["beta"]
    for placeholder in ("<mandate>", "<name>", "<short_name>", "<genre>"):
        assert any(placeholder in t for t in read["beta"]), placeholder  # each difference is really shown


def test_examples_validate(examples):
    validate_docx(*sorted(examples.glob("*.docx")))


# Conference rules --------------------------------------------------------------------------------

def test_nmun_fonts_sizes_and_margins_read_back(examples):
    document = docx.Document(str(examples / "CSW_China_Example_University.docx"))
    section = document.sections[0]
    assert (round(section.page_width.inches, 2), round(section.page_height.inches, 2)) == (8.5, 11.0)
    assert {round(m.cm, 2) for m in (section.top_margin, section.bottom_margin, section.left_margin,
                                     section.right_margin)} == {2.54}
    assert document.styles["Normal"].font.name == "Times New Roman"
    sizes = {s.font.size.pt for s in document.styles if getattr(s, "font", None) is not None and s.font.size}
    assert min(sizes) >= 10 and max(sizes) <= 12  # NMUN: Times New Roman between 10 and 12 pt, headings too


def test_names_and_national_symbols_refused_where_the_conference_forbids_them(mini, cli):
    _write(mini, {
        "templates/conferences/strict.yaml": "name: Strict MUN\nnames_allowed: false\nsymbols_allowed: false\n",
        "briefs/good.yaml": "kind: position-paper\ncountry: CHN\ncommittee: csw\nconference: strict\n"
                            "delegates: [Jane Roe]\ntopic:\n  title: T\n  sections:\n"
                            "    - text: 'Written by Jane Roe. ![National flag](flag.png)'\n",
    })
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 1
    assert result.err_lines == [
        "briefs/good.yaml:5: error: Strict MUN does not allow delegates' names in the paper, but 'Jane Roe' appears "
        "in its text",
        "briefs/good.yaml: error: Strict MUN does not allow national symbols, but the paper shows the image "
        "'flag.png' (National flag) (remove it from the snippet or template that adds it)",
    ]


def test_one_paper_per_topic_where_the_conference_asks(mini, cli):
    _write(mini, {
        "templates/conferences/per-topic.yaml": "name: Per Topic MUN\npaper_per: topic\n"
                                                "filename: '{committee_short}_{country_name}_{topic}'\n",
        "briefs/good.yaml": "kind: position-paper\ncountry: CHN\ncommittee: csw\nconference: per-topic\n"
                            "topics:\n  - First topic\n  - Second topic\n",
    })
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0, result.err
    first = (mini / "build" / "CSW_China_First_topic.md").read_text(encoding="utf-8")
    second = (mini / "build" / "CSW_China_Second_topic.md").read_text(encoding="utf-8")
    assert "## First topic" in first and "Second topic" not in first
    assert "## Second topic" in second and "First topic" not in second


def test_matrix_brief_builds_one_output_per_country_and_committee(mini, cli):
    _write(mini, {"briefs/good.yaml": "kind: handout\ncountries: [CHN, FRA, Kenya]\ncommittees: all\ntopic: T\n"
                                      "asks: [Protect survivors.]\n",
                  "snippets/countries/chn.yaml": "name: People's Republic of China\nshort_name: China\n"})
    result = cli("build", "--root", mini, "--format", "md")
    assert result.code == 0, result.err
    committees = sorted(p.stem for p in (REPO / "templates" / "committees").glob("*.yaml"))
    built = sorted(p.name for p in (mini / "build").glob("[!.]*"))
    assert built == sorted(f"good-{code}-{c}.md" for code in ("CHN", "FRA", "KEN") for c in committees)
    assert result.err_lines[0] == ("briefs/good.yaml:2: warning: no country profile for FRA, KEN: the workspace's "
                                   "libraries have no country-specific content for them")
    [left_out] = result.err_lines[1:]  # once for the brief, not once for each of its 24 outputs
    assert left_out.startswith("briefs/good.yaml:4: warning: default sections the position ('summary'), the key "
                               "facts ('facts') left out")
    text = (mini / "build" / "good-KEN-csw.md").read_text(encoding="utf-8")
    assert "country: Republic of Kenya" in text and "committee: Commission on the Status of Women" in text
