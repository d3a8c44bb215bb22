"""Draft resolutions in the six UN languages (issue #15): each language's openers, their case, the closing
punctuation, the form a repeated opener takes and the sub-clause labels, as the phrase file of the brief's
language gives them (docs/resolutions-by-language.md); read back from the clauses and from a built draft."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from briefkit.document import list_label, list_scheme
from briefkit.errors import BriefkitError, Problems
from briefkit.model import ClauseText, Committee
from briefkit.resolution import Clause, ResolutionBuilder, load_phrases
from briefkit.workspace import Workspace

BANK = Path("snippets/bank.md")


def clause(text: str, *sub: str) -> ClauseText:
    return ClauseText(text, BANK, 1, tuple(ClauseText(s, BANK, 1) for s in sub))


def build(language: str, preambular: list[str], operative: list[ClauseText | str], tmp_path: Path,
          ws: Workspace | None = None) -> tuple[tuple[Clause, ...], tuple[Clause, ...], Problems]:
    ws = ws or Workspace.open(tmp_path)
    problems = Problems()
    builder = ResolutionBuilder(load_phrases(ws, language), Committee("ga", "General Assembly", "GA",
                                                                       tmp_path / "ga.yaml"), problems)
    texts = [clause(t) if isinstance(t, str) else t for t in operative]
    return builder.preambular([clause(t) for t in preambular]), builder.operative(texts), problems


def lines(clauses: tuple[Clause, ...]) -> list[str]:
    out = []
    for item in clauses:
        out.append(item.markdown)
        out.extend("  " + sub.markdown for sub in item.sub)
    return out


# Each language as the United Nations writes it -------------------------------------------------------------------

CASES = {
    "en": (["Recalling its resolution 70/1", "Recalling its resolution 75/1", "Recalling its resolution 78/1"],
           ["Decides to act", clause("Requests the Secretary-General", "to report", "to act"), "Decides to stay"],
           ["*Recalling* its resolution 70/1,", "*Also recalling* its resolution 75/1,",
            "*Further recalling* its resolution 78/1,",
            "*Decides* to act;", "*Requests* the Secretary-General:", "  To report;", "  To act;",
            "*Also decides* to stay."]),
    "fr": (["Rappelant sa résolution 70/1", "Rappelant sa résolution 75/1", "Rappelant sa résolution 78/1",
            "Prenant note du rapport", "Prenant note de la note"],
           ["Décide d'agir", clause("Prie le Secrétaire général", "de faire rapport", "d'agir"), "Décide de rester"],
           ["*Rappelant* sa résolution 70/1,", "*Rappelant également* sa résolution 75/1,",
            "*Rappelant en outre* sa résolution 78/1,", "*Prenant note* du rapport,",
            "*Prenant également note* de la note,",
            "*Décide* d'agir;", "*Prie* le Secrétaire général:", "  De faire rapport;", "  D'agir;",
            "*Décide également* de rester."]),
    "es": (["Recordando su resolución 70/1", "Recordando su resolución 75/1", "Recordando su resolución 78/1",
            "Acogiendo con beneplácito el informe", "Acogiendo con beneplácito la nota"],
           ["Decide actuar", clause("Pide al Secretario General", "que informe", "que actúe"), "Decide seguir"],
           ["*Recordando* su resolución 70/1,", "*Recordando también* su resolución 75/1,",
            "*Recordando además* su resolución 78/1,", "*Acogiendo con beneplácito* el informe,",
            "*Acogiendo también con beneplácito* la nota,",
            "*Decide* actuar;", "*Pide* al Secretario General:", "  Que informe;", "  Que actúe;",
            "*Decide también* seguir."]),
    "ru": (["Ссылаясь на свою резолюцию 70/1", "ссылаясь на свою резолюцию 75/1", "ссылаясь на свою резолюцию 78/1",
            "принимая к сведению доклад", "Принимая к сведению записку"],
           ["Призывает государства", clause("просит Генерального секретаря", "представить доклад", "действовать"),
            "призывает всех"],
           ["*ссылаясь на* свою резолюцию 70/1,", "*ссылаясь также на* свою резолюцию 75/1,",
            "*ссылаясь далее на* свою резолюцию 78/1,", "*принимая к сведению* доклад,",
            "*принимая также к сведению* записку,",
            "*призывает* государства;", "*просит* Генерального секретаря:", "  представить доклад;",
            "  действовать;", "*призывает также* всех."]),
    "zh-CN": (["回顾其第70/1号决议", "回顾其第75/1号决议", "回顾其第78/1号决议", "重申其承诺。"],
              ["决定采取行动", clause("请秘书长", "提交报告", "采取行动"), "决定继续处理此案"],
              ["*回顾*其第70/1号决议，", "*又回顾*其第75/1号决议，", "*还回顾*其第78/1号决议，", "*重申*其承诺，",
               "*决定*采取行动；", "*请*秘书长：", "  提交报告；", "  采取行动；", "*又决定*继续处理此案。"]),
    "ar": (["وإذ تشير إلى قرارها 70/1", "إذ تشير إلى قرارها 75/1", "وإذ تشير إلى قرارها 78/1",
            "وإذ تحيط علما بالتقرير"],
           ["تقرر أن تتخذ إجراء", clause("تطلب إلى الأمين العام", "أن يقدم تقريرا", "أن يتخذ إجراء"),
            "تطلب إلى الأمين العام أن يواصل"],
           ["*إذ تشير إلى* قرارها 70/1،", "*وإذ تشير أيضا إلى* قرارها 75/1،", "*وإذ تشير كذلك إلى* قرارها 78/1،",
            "*وإذ تحيط علما* بالتقرير،",
            "*تقرر* أن تتخذ إجراء؛", "*تطلب إلى* الأمين العام:", "  أن يقدم تقريرا؛", "  أن يتخذ إجراء؛",
            "*تطلب أيضا إلى* الأمين العام أن يواصل."]),
}


@pytest.mark.parametrize("language", list(CASES))
def test_clauses_read_back_as_the_un_writes_them_in_each_language(language, tmp_path):
    preambular, operative, expected = CASES[language]
    pre, op, problems = build(language, preambular, operative, tmp_path)
    assert lines(pre) + lines(op) == expected
    assert problems.items == []


def test_a_repeat_the_delegate_wrote_with_its_adverb_is_not_repeated_again(tmp_path):
    pre, _op, problems = build("ru", ["ссылаясь на резолюцию 1", "ссылаясь также на резолюцию 2"], ["постановляет"],
                               tmp_path)
    assert lines(pre) == ["*ссылаясь на* резолюцию 1,", "*ссылаясь также на* резолюцию 2,"]
    pre, _op, problems = build("zh", ["回顾第1号决议", "又回顾第2号决议"], ["决定"], tmp_path)
    assert lines(pre) == ["*回顾*第1号决议，", "*又回顾*第2号决议，"]
    assert problems.items == []


def test_the_language_tag_finds_its_file_most_specific_first(tmp_path):
    assert load_phrases(Workspace.open(tmp_path), "zh-Hans-CN").source == "templates/resolution-phrases.zh.yaml"
    assert load_phrases(Workspace.open(tmp_path), "fr-CA").source == "templates/resolution-phrases.fr.yaml"
    assert load_phrases(Workspace.open(tmp_path), "en-GB").source == "templates/resolution-phrases.yaml"
    assert load_phrases(Workspace.open(tmp_path), "de").source == "templates/resolution-phrases.yaml"
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "resolution-phrases.zh-cn.yaml").write_text(
        "spaced: false\ncase: none\nrepeats: [又]\npreambular: [回顾]\noperative: [决定]\n", encoding="utf-8")
    assert load_phrases(Workspace.open(tmp_path), "zh-CN").source == "templates/resolution-phrases.zh-cn.yaml"
    assert load_phrases(Workspace.open(tmp_path), "zh-TW").source == "templates/resolution-phrases.zh.yaml"


def test_a_workspace_adds_a_language_of_its_own(tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "resolution-phrases.de.yaml").write_text(
        "language: de\nrepeat_at: start\nrepeats: [Ferner, Weiter]\nadverbs: [Ferner, Weiter]\n"
        "preambular: [unter Hinweis auf, in Bekräftigung]\noperative: [beschließt, ersucht]\n"
        "case: lower\nsubclause_case: none\npunctuation: {full_stop: '.'}\n", encoding="utf-8")
    pre, op, problems = build("de-DE", ["Unter Hinweis auf ihre Resolution 1", "unter Hinweis auf ihre Resolution 2"],
                              ["beschließt", clause("ersucht den Generalsekretär", "über die Durchführung zu berichten")],
                              tmp_path)
    assert lines(pre) + lines(op) == ["*unter Hinweis auf* ihre Resolution 1,",
                                      "*Ferner unter Hinweis auf* ihre Resolution 2,", "*beschließt*;",
                                      "*ersucht* den Generalsekretär:", "  über die Durchführung zu berichten."]
    assert problems.items == []


# Checks --------------------------------------------------------------------------------------------------------

def test_an_unknown_opener_is_reported_with_a_suggestion_in_its_language(tmp_path):
    _pre, _op, problems = build("fr", ["Rapelant sa résolution 70/1"], ["Décide d'agir"], tmp_path)
    assert [(p.message, p.hint) for p in problems.items] == [
        ("'Rapelant' is not a standard preambular opener", "did you mean Rappelant?")]
    _pre, _op, problems = build("fr", ["Décide d'agir"], ["Décide d'agir"], tmp_path)
    assert [p.message for p in problems.items] == ["'Décide' opens operative clauses, but this is a preambular clause"]


def test_a_french_brief_reports_an_unknown_opener_at_its_line(mini, cli):
    (mini / "briefs" / "good.yaml").write_text(
        "kind: resolution\ncountry: CHN\ncommittee: third-committee\nlanguage: fr\ntopic: Un sujet\n"
        "clauses:\n  use: []\n  preambular:\n    - Rappelant sa résolution 70/1\n    - Rapelant sa résolution 75/1\n"
        "  operative:\n    - Décide de rester saisie de la question\n", encoding="utf-8")
    result = cli("check", "--root", mini)
    assert result.code == 0, result.err
    assert "briefs/good.yaml:10: warning: 'Rapelant' is not a standard preambular opener (did you mean " \
           "Rappelant?)" in result.err_lines


def test_a_french_draft_is_built_with_the_french_grammar(mini, cli, tmp_path):
    (mini / "briefs" / "good.yaml").write_text(
        "kind: resolution\ncountry: CHN\ncommittee: third-committee\nlanguage: fr\ntopic: Un sujet\n"
        "clauses:\n  use: []\n  preambular:\n    - Rappelant sa résolution 70/1\n    - Réaffirmant son attachement\n"
        "  operative:\n    - Prie le Secrétaire général de faire rapport\n"
        "    - Décide de rester saisie de la question\n", encoding="utf-8")
    assert cli("build", "--root", mini, "--out", tmp_path, "--format", "md").code == 0
    markdown = next(tmp_path.glob("*.md")).read_text(encoding="utf-8")
    assert "*Rappelant* sa résolution 70/1," in markdown
    assert "*Réaffirmant* son attachement," in markdown
    assert re.search(r"\*Prie\* le Secrétaire général de faire rapport;", markdown)
    assert re.search(r"\*Décide\* de rester saisie de la question\.", markdown)


# Sub-clause labels -----------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("language", "labels"), [
    ("en", ["1.", "(a)", "(ii)"]),
    ("en-GB", ["1.", "(a)", "(ii)"]),
    ("fr", ["1.", "a)", "ii)"]),
    ("es", ["1.", "a)", "ii)"]),
    ("ru", ["1.", "a)", "ii)"]),
    ("zh-CN", ["1.", "(a)", "（二）"]),
    ("ar", ["1 -", "(أ)", "’2‘"]),
])
def test_sub_clause_labels_per_language(language, labels, tmp_path):
    scheme = load_phrases(Workspace.open(tmp_path), language).numbering
    assert [list_label(scheme, 0, 1), list_label(scheme, 1, 1), list_label(scheme, 2, 2)] == labels


def test_the_word_number_formats_of_chinese_and_arabic_labels(tmp_path):
    """Chinese (a) then the ideographic numeral; Arabic '1 -', abjad letters, then ’1‘: Word's own formats, which
    list_label prints the same way (أ ب ج د هـ; 一 ... 十一)."""
    ws = Workspace.open(tmp_path)
    assert load_phrases(ws, "zh-CN").numbering[:3] == (("decimal", "{n}."), ("lowerLetter", "({n})"),
                                                       ("chineseCounting", "（{n}）"))
    assert load_phrases(ws, "ar").numbering[:3] == (("decimal", "{n} -"), ("arabicAbjad", "({n})"),
                                                    ("decimal", "’{n}‘"))
    assert [list_label(load_phrases(ws, "ar").numbering, 1, n) for n in (1, 2, 3, 4, 5)] == [
        "(أ)", "(ب)", "(ج)", "(د)", "(هـ)"]
    assert [list_label(load_phrases(ws, "zh").numbering, 2, n) for n in (1, 10, 11, 21)] == [
        "（一）", "（十）", "（十一）", "（二十一）"]
    assert load_phrases(ws, "en").numbering == list_scheme("resolution")


def test_a_workspace_numbers_its_own_language(tmp_path):
    """A phrase file's `numbering` is data: a workspace's German file labels sub-clauses its own way; a format
    Word does not have is a located error."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "resolution-phrases.de.yaml").write_text(
        'numbering: [[decimal, "{n}."], [lowerLetter, "{n})"]]\npreambular: [Eingedenk]\noperative: [Fordert]\n',
        encoding="utf-8")
    assert load_phrases(Workspace.open(tmp_path), "de").numbering == (("decimal", "{n}."), ("lowerLetter", "{n})"))
    (folder / "resolution-phrases.de.yaml").write_text(
        'numbering: [[hebrew1, "{n}."]]\npreambular: [Eingedenk]\noperative: [Fordert]\n', encoding="utf-8")
    with pytest.raises(BriefkitError) as err:
        load_phrases(Workspace.open(tmp_path), "de")
    assert "numbering level ['hebrew1', '{n}.'] is not [format, pattern with {n}]" in str(err.value)
    assert err.value.problems[0].line == 1
    (folder / "resolution-phrases.de.yaml").write_text(
        'numbering: []\npreambular: [Eingedenk]\noperative: [Fordert]\n', encoding="utf-8")
    with pytest.raises(BriefkitError) as err:
        load_phrases(Workspace.open(tmp_path), "de")
    assert "numbering lists no level" in str(err.value)


def test_an_unknown_opener_in_another_script_is_named_whole(tmp_path):
    """In a Chinese draft an unknown Chinese opener is its first characters; a clause in Latin or Arabic letters
    is named by its first word, not cut after four letters."""
    _, _, problems = build("zh-CN", ["Recalling its resolution 70/1", "إذ تشير إلى قرارها"], ["决定继续审议"], tmp_path)
    messages = [p.message for p in problems.warnings]
    assert "'Recalling' is not a standard preambular opener" in messages, messages
    assert "'إذ' is not a standard preambular opener" in messages, messages


def test_an_untranslated_clause_keeps_latin_marks(tmp_path):
    """A clause in Latin letters in a Chinese or Arabic draft (a clause bank nobody translated; reported as such)
    ends in ',' ';' '.', not '，' or '؛': the marks follow the script of the clause."""
    preambular, operative, _ = build("zh-CN", ["回顾其第70/1号决议", "Recalling its resolution 75/1"],
                                     ["Decides to act", "决定继续审议"], tmp_path)
    assert [c.end for c in preambular] == ["，", ","]
    assert [c.end for c in operative] == [";", "。"]
    _, operative, _ = build("ar", [], ["Decides to act", "تقرر أن تواصل النظر"], tmp_path)
    assert [c.end for c in operative] == [";", "."]
