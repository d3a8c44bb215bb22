"""Briefs in any language (SPEC 11, issue 15): every word briefkit writes comes from the language's data file,
English fills what a language lacks (one warning naming the keys), a workspace adds a language with a data file
only, snippets have language variants (SPEC 3), figures and dates follow the locale, words are counted per
script. Outputs are read back (Markdown front matter and text, Word's own XML, HTML), not compared with code."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
import yaml

from briefkit.languages import load_language
from briefkit.measure import count_words
from briefkit.workspace import Workspace

REPO = Path(__file__).resolve().parents[1]
LANGUAGES = REPO / "src/briefkit/builtin/templates/languages"
KINDS = ("position-paper", "policy-brief", "handout", "speech", "resolution")
SIX = ("en-GB", "fr", "es", "ru", "zh-CN", "ar")


def _workspace(root: Path, briefs: dict[str, str], files: dict[str, str] | None = None) -> Path:
    """A workspace on the built-in trafficking library, with these briefs and other files."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "briefkit.yaml").write_text("libraries: [trafficking-women]\nlanguage: en-GB\nconference: generic\n")
    for name, text in briefs.items():
        path = root / "briefs" / f"{name}.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    for name, text in (files or {}).items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _brief(kind: str, language: str, formats: str = "[md, docx, html, txt]", extra: str = "") -> str:
    return (f"kind: {kind}\ncountry: CHN\ncommittee: third-committee\nlanguage: {language}\ndate: 2027-03-20\n"
            f"topic: {{title: Trafficking, tags: [trafficking]}}\nformats: {formats}\n{extra}")


def _front(markdown: str) -> dict[str, object]:
    return yaml.safe_load(markdown.split("---\n")[1])


def _docx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as package:
        xml = package.read("word/document.xml").decode()
    return "".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml))


def _strings(tag: str) -> dict[str, str]:
    return dict(load_language(Workspace.open(REPO), tag).strings)


@pytest.fixture(scope="module")
def every_kind(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every kind in each of the six languages, built once."""
    root = tmp_path_factory.mktemp("langs") / "ws"
    briefs = {f"{tag.lower()}-{kind}": _brief(kind, tag, extra="conference: roomy\n") for tag in SIX for kind in KINDS}
    # the library's snippets are English: a handout in another language mixes scripts and may take two pages
    conference = "name: Roomy\nlimits: {handout: {pages: 3}}\n"
    _workspace(root, briefs, {"templates/conferences/roomy.yaml": conference})
    from briefkit.cli import main

    assert main(["build", "--root", str(root), "--out", str(root / "out")]) == 0
    return root / "out"


@pytest.mark.parametrize("tag", SIX)
def test_each_language_builds_every_kind_in_its_own_words(every_kind: Path, tag: str) -> None:
    words = _strings(tag)
    for kind in KINDS:
        [markdown] = every_kind.glob(f"{tag.lower()}-{kind}-*.md")
        text = markdown.read_text(encoding="utf-8")
        front = _front(text)
        assert front["lang"] == tag
        assert words[f"kinds.{kind}"] in str(front["title"]), (kind, front["title"])
        docx = markdown.with_suffix(".docx")
        assert words[f"kinds.{kind}"] in _docx_text(docx)
        html = markdown.with_suffix(".html").read_text(encoding="utf-8")
        assert re.search(rf'<html lang="{re.escape(tag)}"', html)
        if kind == "resolution":
            assert words["labels.sponsors"] in text
        if kind in ("handout",):
            assert words["sections.our_position"] in text or words["sections.our_asks"] in text
    if tag != "en-GB":  # nothing of English's own words is left where the language has its own
        english = _strings("en-GB")
        paper = next(every_kind.glob(f"{tag.lower()}-position-paper-*.md")).read_text(encoding="utf-8")
        for key in ("labels.delegation", "labels.committee", "references.note"):
            if words[key] != english[key]:
                assert f"{english[key]}:" not in paper


def test_arabic_pages_are_right_to_left(every_kind: Path) -> None:
    html = next(every_kind.glob("ar-position-paper-*.html")).read_text(encoding="utf-8")
    assert re.search(r'<html lang="ar" dir="rtl"', html)
    english = next(every_kind.glob("en-gb-position-paper-*.html")).read_text(encoding="utf-8")
    assert 'dir="rtl"' not in english


def test_a_chinese_speech_is_timed_in_characters(every_kind: Path) -> None:
    language = load_language(Workspace.open(REPO), "zh-CN")
    assert language.count == "characters"
    speech = next(every_kind.glob("zh-cn-speech-*.md")).read_text(encoding="utf-8")
    timing = next(line for line in speech.splitlines() if line.startswith("*") and line.endswith("*"))
    numbers = [int(n.replace(",", "")) for n in re.findall(r"\d[\d,]*", timing)]
    assert round(language.speaking_rate) in numbers  # the language's own pace, not English's 140 words
    spoken = speech.split(timing, 1)[1].split("<!-- pagebreak -->")[0]
    assert count_words(spoken) > 0


def test_words_are_counted_per_script() -> None:
    assert count_words("中华人民共和国代表团") == 10  # a Chinese character is a word, as Word counts it
    assert count_words("中国 supports the UNODC report, 2024年") == 8  # 中, 国, supports, the, UNODC, report, 2024, 年
    assert count_words("La délégation de la Chine") == 5
    assert count_words("إن الجمعية العامة") == 3
    assert count_words("Генеральная Ассамблея, ссылаясь на") == 4


def test_a_workspace_adds_a_language_with_a_data_file_only(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    german = ("name: Deutsch\nstrings:\n  kinds: {position-paper: Positionspapier}\n"
              "  labels: {delegation: Delegation, committee: Ausschuss}\n")
    root = _workspace(tmp_path / "ws", {"de": _brief("position-paper", "de-DE", "[md, docx]")},
                      {"templates/languages/de.yaml": german})
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 0, result.err
    markdown = next((root / "out").glob("de-*.md")).read_text(encoding="utf-8")
    assert _front(markdown)["title"] == ("Positionspapier: China, Third Committee of the General Assembly "
                                         "(Social, Humanitarian and Cultural)")
    assert "**Ausschuss:**" in markdown
    [warning] = [line for line in result.err_lines if "strings not translated into 'de-DE'" in line]
    assert warning.startswith("templates/languages/de.yaml: warning: ")
    assert re.search(r"warning: \d+ strings not translated into 'de-DE', English used: ", warning), warning
    assert "closing.resolution" in warning  # names the keys English fills in
    assert "Positionspapier" in _docx_text(next((root / "out").glob("de-*.docx")))


def test_a_language_without_data_is_built_in_english_with_one_warning(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = _workspace(tmp_path / "ws", {"pt1": _brief("handout", "pt-BR", "[md]"),
                                        "pt2": _brief("speech", "pt-BR", "[md]")})
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 0, result.err
    warnings = [line for line in result.err_lines if "no language data for 'pt-BR'" in line]
    assert len(warnings) == 1 and re.match(r"briefs/pt[12]\.yaml:4: warning: ", warnings[0]), warnings
    assert "Briefing Note" in (next((root / "out").glob("pt1-*.md"))).read_text(encoding="utf-8")


def test_an_unknown_string_key_is_a_located_error(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    template = (REPO / "src/briefkit/builtin/templates/handout.md.j2").read_text(encoding="utf-8")
    template = template.replace('t("sections.our_asks")', 't("sections.our_aks")')
    root = _workspace(tmp_path / "ws", {"h": _brief("handout", "fr", "[md]"), "ok": _brief("speech", "fr", "[md]")},
                      {"templates/handout.md.j2": template})
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 1
    [error] = [line for line in result.err_lines if ": error: " in line]
    line = template.splitlines().index(next(x for x in template.splitlines() if "our_aks" in x)) + 1
    assert error.startswith(f"templates/handout.md.j2:{line}: error: unknown string 'sections.our_aks'"), error
    assert "sections.our_asks" in error  # did you mean
    assert list((root / "out").glob("ok-*.md"))  # the other brief is still built


def test_a_snippet_variant_is_used_in_its_language_and_the_rest_are_listed(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    variant = "---\ntitle: Vue d'ensemble\n---\nLa traite des êtres humains progresse[@un-palermo-protocol-2000].\n"
    section = "sections: [{heading: Contexte, use: [context/global-picture, context/root-causes]}]"
    brief = ("kind: position-paper\ncountry: CHN\ncommittee: third-committee\nlanguage: fr\nformats: [md]\n"
             f"topic: {{title: La traite, {section}}}\n")
    root = _workspace(tmp_path / "ws", {"fr": brief, "en": brief.replace("language: fr", "language: en-GB")},
                      {"snippets/context/global-picture.fr.md": variant})
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 0, result.err
    french = next((root / "out").glob("fr-*.md")).read_text(encoding="utf-8")
    english = next((root / "out").glob("en-*.md")).read_text(encoding="utf-8")
    assert "La traite des êtres humains progresse" in french and "La traite des" not in english
    [warning] = [line for line in result.err_lines if "not translated into 'fr'" in line]
    assert "context/root-causes" in warning and "context/global-picture" not in warning
    # the build cache knows the variant is an input: editing it rebuilds the French brief only
    (root / "snippets/context/global-picture.fr.md").write_text(variant.replace("progresse", "augmente"))
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 0 and "1 built, 1 unchanged" in result.err + result.out, result.err + result.out
    assert "augmente" in next((root / "out").glob("fr-*.md")).read_text(encoding="utf-8")


def test_a_file_is_a_variant_only_beside_its_base_and_with_a_language(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """`v1.2.md` beside `v1.md` is a snippet of its own ('2' is no language); `report.de.md` with no `report.md`
    is a translation of nothing: reported and never used (its text must not reach a brief in another language);
    a variant's own tags are not its selection's, and it is told so; an id with an empty dot part is refused."""
    section = "sections: [{heading: Notes, use: [notes/v1.2], tags: [notes]}]"
    brief = ("kind: position-paper\ncountry: CHN\ncommittee: third-committee\nlanguage: en-GB\nformats: [md]\n"
             f"topic: {{title: Versions, {section}}}\n")
    root = _workspace(tmp_path / "ws", {"b": brief},
                      {"snippets/notes/v1.2.md": "---\ntitle: A version\n---\nVersion one point two.\n",
                       "snippets/notes/v1.md": "---\ntitle: Version one\ntags: [notes]\n---\nVersion one.\n",
                       "snippets/notes/v1.fr.md": "---\ntitle: Version un\ntags: [autre]\n---\nVersion un.\n",
                       "snippets/notes/report.de.md": "---\ntitle: Bericht\ntags: [notes]\n---\nEin Bericht.\n",
                       "snippets/notes/x..md": "---\ntitle: Dots\ntags: [notes]\n---\nDots.\n"})
    result = cli("build", "--root", root, "--out", root / "out")
    text = next((root / "out").glob("b-*.md")).read_text(encoding="utf-8")
    assert "Version one point two." in text and "Version one." in text
    assert "Ein Bericht." not in text and "Version un." not in text and "Dots." not in text
    err = result.err
    assert ("snippets/notes/report.de.md: warning: 'notes/report.de' is named as the 'de' version of snippet "
            "'notes/report', which does not exist, so it is not used") in err
    assert "snippets/notes/v1.fr.md:3: warning: a language version takes its base's tags" in err
    assert "snippet id 'notes/x.' may only use letters" in err


def test_figures_and_dates_follow_the_locale(tmp_path: Path) -> None:
    ws = Workspace.open(REPO)
    english, french, chinese = (load_language(ws, tag) for tag in ("en-GB", "fr", "zh-CN"))
    assert english.value(25, "percent") == "25 per cent"
    assert english.value(27_600_000, "compact") == "27.6 million"
    assert english.value(236_000_000_000, "compact", "USD") == "US$236 billion"
    assert english.number(1234.5) == "1,234.5"
    assert french.value(25, "percent") == "25\u00a0pour cent"  # UN French in running text (docs/languages.md)
    assert re.fullmatch(r"1\s234,5", french.number(1234.5))
    assert chinese.value(25, "percent") == "25%"
    assert "万" in chinese.value(27_600_000, "compact")
    import datetime as dt

    assert english.date(dt.date(2000, 11, 15)) == "15 November 2000"
    assert chinese.date(dt.date(2000, 11, 15)) == "2000年11月15日"
    assert french.date(dt.date(2000, 11, 15)) == "15 novembre 2000"
    # no exponent, whatever the size; a word for millions takes its plural by CLDR's rules
    assert english.number(1.5e22) == "15,000,000,000,000,000,000,000" and english.number(0.000001) == "0.000001"
    assert french.number(0.000001) == "0,000001"
    spanish = load_language(ws, "es")
    assert spanish.value(1_000_000, "compact", "USD") == "1 millón de dólares de los Estados Unidos"
    assert spanish.value(2_500_000, "compact") == "2,5 millones"


def test_citations_take_the_language_of_the_brief(every_kind: Path) -> None:
    english = next(every_kind.glob("en-gb-position-paper-*.md")).read_text(encoding="utf-8")
    french = next(every_kind.glob("fr-position-paper-*.md")).read_text(encoding="utf-8")
    fr = _strings("fr")
    assert f"## {fr['references.note']}" in french
    # the CSL locale's own terms and dates: "(30 juillet 2010)" where English has "(July 30, 2010)"
    assert "A/RES/64/293 (July 30, 2010)" in english and "A/RES/64/293 (30 juillet 2010)" in french


def test_the_committee_and_country_are_named_in_the_language(every_kind: Path) -> None:
    chinese = next(every_kind.glob("zh-cn-resolution-*.md")).read_text(encoding="utf-8")
    assert "大会，" in chinese  # the Third Committee's organ line as the UN's Chinese texts write it
    assert "中国" in chinese.split("\n\n")[2] or "中华人民共和国" in chinese


def test_a_language_is_a_tag_and_names_no_file_outside(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """`zh_CN` (the POSIX spelling) is zh-CN; a value that is no language tag is an error at its line, and the
    other briefs are built; nothing is read from a path a tag could spell."""
    outside = tmp_path / "secret.yaml"
    outside.write_text("strings: {kinds: {handout: LEAKED}}\n")
    root = _workspace(tmp_path / "ws", {"posix": _brief("handout", "zh_CN", "[md]"),
                                        "evil": _brief("handout", "../../secret", "[md]"),
                                        "x": _brief("handout", "x-klingon", "[md]")})
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 1
    errors = sorted(line for line in result.err_lines if ": error: " in line)
    assert errors == [
        "briefs/evil.yaml:4: error: 'language' must be a language tag such as en-GB, fr, zh-CN or ar, not str "
        "'../../secret'",
        "briefs/x.yaml:4: error: 'language' must be a language tag such as en-GB, fr, zh-CN or ar, not str "
        "'x-klingon'"], errors
    text = next((root / "out").glob("posix-*.md")).read_text(encoding="utf-8")
    assert _front(text)["lang"] == "zh-CN" and _strings("zh-CN")["kinds.handout"] in text
    assert "LEAKED" not in text


def test_english_citations_in_an_arabic_brief_keep_their_stops(every_kind: Path) -> None:
    """A note or reference with no Arabic letter in an Arabic brief reads left to right with its stop at its end:
    left-to-right marks around it in Word (the paragraph stays right to left), dir="ltr" in HTML."""
    docx = next(every_kind.glob("ar-position-paper-*.docx"))
    with zipfile.ZipFile(docx) as package:
        notes = package.read("word/footnotes.xml").decode()
    english = [p for p in re.findall(r"<w:p>.*?</w:p>", notes, re.S)
               if "Office" in p and not re.search("[\u0600-\u06ff]", p)]
    assert english
    for paragraph in english:
        texts = re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", paragraph)
        assert texts[0] == "\u200e" and texts[-1] == "\u200e", texts
        assert '<w:bidi w:val="0"/>' not in paragraph
    html = docx.with_suffix(".html").read_text(encoding="utf-8")
    assert re.search(r'<p dir="ltr">United Nations', html)


def test_a_misspelt_string_or_field_in_a_language_file_is_told(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """A workspace's string English does not have is never used, and a {field} its English string lacks is never
    filled in: each is one warning at the file, with the key or fields it meant; `check --strict` fails on it."""
    french = 'strings:\n  title: "{kind} : {countyr}"\n  labels: {delegaton: Pays}\n'
    root = _workspace(tmp_path / "ws", {"fr": _brief("handout", "fr", "[md]")},
                      {"templates/languages/fr.yaml": french})
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 0, result.err
    warnings = [line for line in result.err_lines if line.startswith("templates/languages/fr.yaml")]
    assert ("templates/languages/fr.yaml: warning: unknown string 'labels.delegaton': it is never used "
            "(did you mean labels.delegation?)") in warnings, warnings
    assert ("templates/languages/fr.yaml: warning: string 'title' has {countyr}, which is never filled in "
            "(its fields: {committee}, {country}, {kind})") in warnings, warnings
    assert cli("check", "--root", root, "--strict").code == 1


def test_japanese_and_korean_with_a_data_file_only(tmp_path: Path) -> None:
    """A language's script picks its face where its file names none (en.yaml's script_fonts), and Korean, which
    spaces its words, is counted in words; Japanese in characters."""
    folder = tmp_path / "templates" / "languages"
    folder.mkdir(parents=True)
    (folder / "ja.yaml").write_text("strings: {kinds: {speech: 開会演説}}\n", encoding="utf-8")
    (folder / "ko.yaml").write_text("strings: {kinds: {speech: 개회 연설}}\n", encoding="utf-8")
    ws = Workspace.open(tmp_path)
    japanese, korean = load_language(ws, "ja"), load_language(ws, "ko")
    assert japanese.fonts["east_asian"] == "Noto Serif CJK JP" and japanese.count == "characters"
    assert (japanese.word_latin, japanese.word_east_asian) == ("en-GB", "ja-JP")
    assert korean.fonts["east_asian"] == "Noto Serif CJK KR" and korean.count == "words"
    assert count_words("감사합니다 여러분") == 2 and count_words("ありがとうございます") == 10
    assert load_language(ws, "zh-Hant").word_east_asian == "zh-TW"  # a tag Word knows


def test_a_language_file_linked_out_of_the_workspace_is_refused(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    outside = tmp_path / "elsewhere.yaml"
    outside.write_text("strings: {kinds: {handout: LEAKED}}\n")
    root = _workspace(tmp_path / "ws", {"fr": _brief("handout", "fr", "[md]"), "en": _brief("handout", "en-GB", "[md]")})
    (root / "templates" / "languages").mkdir(parents=True)
    (root / "templates" / "languages" / "fr.yaml").symlink_to(outside)
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 1
    assert any(line.startswith("templates/languages/fr.yaml") and ": error: " in line for line in result.err_lines), \
        result.err
    assert not list((root / "out").glob("fr-*")) and list((root / "out").glob("en-*"))
    assert "LEAKED" not in "".join(p.read_text(encoding="utf-8") for p in (root / "out").glob("*.md"))


def test_the_chinese_paper_reads_as_written(examples: Path) -> None:
    """A figure's Chinese text leaves the measure word to the sentence ("共侦破拐卖案件550余起"), so it is not doubled."""
    text = next(examples.glob("china-csw-zh-csw.md")).read_text(encoding="utf-8")
    assert re.search(r"550余\[\^\d+\]起，", text), text
    assert "起起" not in re.sub(r"\[\^\d+\]", "", text)


def test_the_language_examples_check_clean(cli) -> None:  # type: ignore[no-untyped-def]
    result = cli("check", "--root", REPO / "examples" / "languages", "--strict")
    assert result.code == 0, result.err
    assert "0 errors, 0 warnings" in result.out + result.err


def test_emphasis_markdown_cannot_open_next_to_full_width_punctuation_is_told(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    """`重申**《公约》**的` keeps its asterisks as text (CommonMark's flanking rule, as GitHub has it): a warning at the
    snippet's line says so and how to write it; `《**公约**》` and `*回顾*，` are emphasis and pass unremarked."""
    snippet = ("---\ntitle: 强调\n---\n第一段：我们重申《**公约**》的重要性，*回顾*，以往承诺。\n\n"
               "第二段：我们重申**《公约》**的重要性。\n")
    section = "sections: [{heading: 背景, use: [t/emphasis]}]"
    brief = ("kind: position-paper\ncountry: CHN\ncommittee: third-committee\nlanguage: zh-CN\nformats: [md]\n"
             f"topic: {{title: 强调, {section}}}\n")
    root = _workspace(tmp_path / "ws", {"zh": brief}, {"snippets/t/emphasis.md": snippet})
    (root / "briefkit.yaml").write_text("libraries: []\nlanguage: zh-CN\n")
    result = cli("build", "--root", root, "--out", root / "out")
    assert result.code == 0, result.err
    warnings = [line for line in result.err_lines if "prints as typed" in line]
    assert warnings == ["snippets/t/emphasis.md:6: warning: '**' between '申' and '《' prints as typed: Markdown "
                        "does not open or close emphasis between a letter and this punctuation (put the marks "
                        "inside the punctuation, as in 《**公约**》)"], result.err


def test_new_writes_the_language_it_is_given(tmp_path: Path, cli) -> None:  # type: ignore[no-untyped-def]
    root = _workspace(tmp_path / "ws", {})
    result = cli("new", "zres", "--root", root, "--country", "CHN", "--committee", "third-committee",
                 "--kind", "resolution", "--language", "zh_cn")
    assert result.code == 0, result.err
    assert "language: zh-CN\n" in (root / "briefs" / "zres.yaml").read_text(encoding="utf-8")
    bad = cli("new", "bad", "--root", root, "--country", "CHN", "--committee", "csw", "--language", "../x")
    assert bad.code == 1 and "'--language' must be a language tag" in bad.err
    assert not (root / "briefs" / "bad.yaml").exists()
