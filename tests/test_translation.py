"""Translation pages TITLE/LANG, written as the Translate extension renders them, read against their
source (tests/data/translation/cases.yaml): the source's items and ids with the translation's text,
what is kept in the source language or outdated, what the translation lacks, and the WS7xx findings
with their lines in TITLE/LANG."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from wikisync.config import load_page_map
from wikisync.shapes import shape
from wikisync.translation import TranslationReading, read_translation

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
PAGE_MAP = FIXTURES / "translation" / "page_map.yaml"
CASES = yaml.safe_load((ROOT / "tests" / "data" / "translation" / "cases.yaml").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def page_map():
    return load_page_map(PAGE_MAP)


def read(case: dict[str, Any], page_map, translation_text: str | None = None) -> tuple[Any, TranslationReading]:
    spec = page_map.source(case["title"])
    source = shape(spec.shape).parse((FIXTURES / case["source"]).read_text(encoding="utf-8"), case["title"], 7, spec,
                                     page_map.codebooks)
    text = translation_text if translation_text is not None else (FIXTURES / case["translation"]).read_text(encoding="utf-8")
    title = f"{case['title']}/{case['language']}"
    return source, read_translation(text, title, case["language"], 9, source, spec, page_map.codebooks)


def item_texts(report: Any) -> dict[str, str]:
    """Every item of a report by its id, with its text (a theme: its heading)."""
    items: dict[str, str] = {}
    if hasattr(report, "statements"):
        for statement in report.statements:
            items[statement.id] = statement.text
        return items
    for number, element in enumerate(report.keynote, 1):
        items[f"keynote/{number}"] = f"{element.name}: {element.text}"
    for number, workshop in enumerate(report.workshops, 1):
        items[f"workshop/{number}"] = workshop.name
    for theme in report.themes:
        items[theme.name] = theme.label
        items[f"{theme.name}/summary"] = theme.summary
        for number, comment in enumerate(theme.comments, 1):
            items[f"{theme.name}/{number}"] = comment.text
    for number, row in enumerate(report.priorities, 1):
        items[f"priority/{number}"] = row.priority
        for index, value in enumerate(row.values, 1):
            items[f"priority/{number}/{index}"] = value.label
    for number, question in enumerate(report.questions, 1):
        items[f"question/{number}"] = question.text
        for index, option in enumerate(question.options, 1):
            items[f"question/{number}/{index}"] = option
    return items


def _found(reading: TranslationReading) -> list[str]:
    return [f"{d.code}@{d.line}" for d in reading.diagnostics]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_a_translation_reads_against_its_source(case, page_map):
    source, reading = read(case, page_map)
    assert _found(reading) == case["diagnostics"]
    assert reading.aligned is case["aligned"]
    assert sorted(reading.untranslated) == sorted(case.get("untranslated", []))
    assert sorted(reading.fuzzy) == sorted(case.get("fuzzy", []))
    assert list(reading.missing) == case.get("missing", [])
    assert reading.title == f"{case['title']}/{case['language']}" and reading.revision == 9
    texts = item_texts(reading.report)
    for item, text in (case.get("texts") or {}).items():
        assert texts[item] == text, item
    source_ids = [item for item in item_texts(source) if item not in reading.missing]
    if reading.aligned:
        # the source's items in the source's order, but those it lacks (and their parts)
        kept = [item for item in source_ids if not any(item.startswith(f"{gone}/") for gone in reading.missing)]
        assert list(texts) == kept
    for item in reading.untranslated:
        assert texts[item].startswith(('<span lang="en" dir="ltr">', '<div lang="en" dir="ltr">')) or \
            (item.endswith("/summary") and '<div lang="en" dir="ltr">' in texts[item]), item
    for item in reading.fuzzy - reading.untranslated:
        assert texts[item].startswith(('<span class="mw-translate-fuzzy">', '<div class="mw-translate-fuzzy">')) or \
            (item.endswith("/summary") and 'class="mw-translate-fuzzy"' in texts[item]), item


@pytest.mark.parametrize("case_id", ["fr-complete-one-fuzzy", "de-older-version-half-untranslated"])
def test_a_translated_theme_keeps_its_priority_and_its_page_title(case_id, page_map):
    """The priorities table's values, translated, still name the themes they named in the source."""
    case = next(case for case in CASES if case["id"] == case_id)
    spec = page_map.source(case["title"])
    source, reading = read(case, page_map)
    themes = shape("themes")
    views = {view.name: view for view in themes.context(source, spec).values["themes"]}
    for view in themes.context(reading.report, spec).values["themes"]:
        assert (view.priority is None) is (views[view.name].priority is None)
        assert view.title == views[view.name].title
        assert view.label == item_texts(reading.report)[view.name]


def test_a_translated_statement_keeps_its_source_id_number_and_codes(page_map):
    case = next(case for case in CASES if case["id"] == "statements-fr-rows-aligned")
    source, reading = read(case, page_map)
    assert [(s.id, s.line, dict(s.codes)) for s in reading.report.statements] == \
        [(s.id, s.line, dict(s.codes)) for s in source.statements]
    assert reading.report.statements[0].keywords == ("rencontres", "fidélisation")
    assert reading.report.info == source.info


_WORD = st.from_regex(r"[a-z]{2,9}", fullmatch=True)
_NAME = st.from_regex(r"[A-Z][a-z]{2,9}( [A-Za-z][a-z]{1,8}){0,2}", fullmatch=True).filter(
    lambda name: "theme" not in name.lower() and "question" not in name.lower())
_SENTENCE = st.lists(_WORD, min_size=1, max_size=8).map(lambda words: " ".join(words).capitalize() + ".")
_THEMES = st.lists(st.tuples(_NAME, _SENTENCE, st.lists(_SENTENCE, max_size=4)), min_size=1, max_size=5,
                   unique_by=lambda theme: " ".join(theme[0].lower().split()))


def _unit(text: str) -> str:
    return f'<div lang="en" dir="ltr" class="mw-content-ltr">\n{text}\n</div>'


def _unwrapped(text: str) -> str:
    for tag in ("span", "div"):
        text = text.replace(f'<{tag} lang="en" dir="ltr">', "").replace(f"</{tag}>", "")
    return text


@settings(max_examples=60, deadline=None)
@given(themes=_THEMES, bare_headings=st.booleans())
def test_a_translation_identical_to_its_source_aligns_to_the_same_ids(themes, bare_headings, page_map):
    """A "translation" that is the source itself, every unit kept in English as Translate wraps it, has the
    source's ids and texts, every item untranslated and none missing."""
    units = ["An introduction.", "== Key Themes =="]
    for name, summary, comments in themes:
        units += [f"=== {name} ===", summary]
        if comments:
            units.append("''What we heard:''\n" + "\n".join(f"* {comment}" for comment in comments))
    source_text = "\n\n".join(units) + "\n"
    translation_text = "<languages/>\n" + "\n\n".join(
        unit if bare_headings and unit.startswith("=") else _unit(unit) for unit in units) + "\n"
    spec = page_map.source("Specials")
    source = shape("themes").parse(source_text, "Specials", 1, spec, page_map.codebooks)
    reading = read_translation(translation_text, "Specials/de", "de", 2, source, spec, page_map.codebooks)
    assert reading.aligned and not reading.missing and not reading.fuzzy
    source_items = item_texts(source)
    items = item_texts(reading.report)
    assert list(items) == list(source_items)
    assert {item: _unwrapped(text) for item, text in items.items()} == source_items
    assert reading.untranslated == {item for item, text in source_items.items() if text}


def _cli(capsys, *argv: str) -> tuple[int, str]:
    from wikisync.cli import main

    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out + captured.err


@pytest.mark.parametrize("case", [case for case in CASES if (FIXTURES / "translation" / f"{case['title'].rsplit('/', 1)[-1]}.wiki").exists()],
                         ids=lambda case: case["id"])
def test_check_of_a_translation_file_reads_it_against_its_source(case, capsys):
    """``wikisync check FILE --title SOURCE/LANG --map MAP``: the source from the file beside the page map."""
    path = FIXTURES / case["translation"]
    code, out = _cli(capsys, "check", str(path), "--title", f"{case['title']}/{case['language']}", "--map", str(PAGE_MAP))
    found = [f"{line.split(': ', 1)[1].split()[1]}@{line.split(':')[1]}" for line in out.splitlines()[:-1]]
    assert sorted(found) == sorted(case["diagnostics"]), out
    assert code == (0 if case["aligned"] else 1)
    assert out.splitlines()[-1].startswith(f"{path}: ")


def test_check_and_parse_of_a_translation_page_on_the_wiki(dev_wiki, tmp_path, capsys):
    wiki, source = dev_wiki, "Test/translation-check/Specials"
    wiki.edit_as("Editor", source, (FIXTURES / "translation" / "Specials.wiki").read_text(encoding="utf-8"), "source")
    for language in ("it", "pt-br"):
        text = (FIXTURES / "translation" / f"specials.{language}.wiki").read_text(encoding="utf-8")
        wiki.edit_as("Editor", f"{source}/{language}", text, "translation")
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text(yaml.safe_dump({"templates": str(ROOT / "templates"), "sources": [
        {"page": source, "targets": [{"title": "{source}/Themes/{theme}", "template": "theme.wiki.j2", "each": "theme"}]}]}),
        encoding="utf-8")

    code, out = _cli(capsys, "check", "--page", f"{source}/it", "--map", str(page_map))
    assert code == 1
    assert f'{source}/it:7:1: error WS701 heading anchor "Vision_and_Purpose" names no heading of the source' in out.splitlines()
    assert out.splitlines()[-1] == f"{source}/it: 2 errors, 2 warnings"

    code, out = _cli(capsys, "parse", "--page", f"{source}/pt-br", "--map", str(page_map))
    assert code == 0
    data = json.loads(out)
    assert data["title"] == f"{source}/pt-br" and data["language"] == "pt-br" and data["missing"] == []
    assert [(theme["name"], theme["heading"]) for theme in data["themes"]] == [
        ("Vision & Purpose", "Visão & propósito"), ("Éducation: la base", "Educação: a base"),
        ("Access for all", "Acesso para todos"), ('100% "Open"', '100% "Aberto"')]


_PIECES = [
    "<languages/>", "<languages />", "", "Text.", "* A comment.", "# An item.", "''What we heard:''", "== Key Themes ==",
    "=== Accès ===", "==", "= =", "=== [[Link|Access]] ===", '<span id="Access"></span>', '<span id="Key_Themes"></span>',
    '<span id="Nowhere"></span>', "<span id='Learning'></span>", '<span id="&amp;&#x;"></span>',
    '<div lang="en" dir="ltr" class="mw-content-ltr">', '<span lang="en" dir="rtl" class="mw-content-rtl">x</span>',
    '<div class="mw-translate-fuzzy">', "<span class=\"mw-translate-fuzzy\">", "</div>", "</span>", "<div>", "<div",
    "{|", "{| class=\"wikitable\"", "! Line !! Statement !! Keywords", "! a | b !! c", "|-", "| 1 || 2 || x || y || z", "|}",
    "| 1 || 1 || 1 || Text. || k", "'''Question?'''", "* Option?", "== Key Questions ==", "<translate>", "</translate>",
    "<!--T:4-->", "<!--", "{{template|", "[[link", "'''Bold''': text", "\x00", "|+ caption",
]


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(st.sampled_from(_PIECES) | st.text(max_size=12), max_size=40),
       case_id=st.sampled_from(["fr-complete-one-fuzzy", "statements-fr-rows-aligned", "anchors-with-special-characters"]))
def test_reading_a_translation_never_raises(lines, case_id, page_map):
    """Whatever the translation page holds: a reading, its findings inside the page."""
    case = next(case for case in CASES if case["id"] == case_id)
    _, reading = read(case, page_map, "\n".join(lines))
    line_count = len("\n".join(lines).split("\n"))
    assert all(1 <= d.line <= line_count for d in reading.diagnostics)
    assert all(d.code.startswith("WS7") for d in reading.diagnostics)


def test_a_shape_without_alignment_is_held_back(page_map, tmp_path):
    """The summary shape aligns no translation: one error, and the source's report as it is."""
    summary_map = tmp_path / "page_map.yaml"
    summary_map.write_text("templates: " + str(ROOT / "templates") + "\nsources:\n"
                           "  - {page: Summary, shape: summary, targets: [{title: '{source}/Citations', template: summary-citations.wiki.j2}]}\n",
                           encoding="utf-8")
    spec = load_page_map(summary_map).source("Summary")
    source = shape("summary").parse("* Pump (3s): (§Ar1.1)\n", "Summary", 1, spec, {})
    reading = read_translation("* Pompe (3s) : (§Ar1.1)\n", "Summary/fr", "fr", 2, source, spec, {})
    assert [f"{d.code} {d.severity}" for d in reading.diagnostics] == ["WS710 error"]
    assert not reading.aligned and reading.report is source


def test_the_page_map_rules_change_the_translation_rules(tmp_path):
    """``rules:`` of a source take WS7xx codes: off, or another severity."""
    text = PAGE_MAP.read_text(encoding="utf-8").replace(
        '  - page: "Specials"\n', '  - page: "Specials"\n    rules: {WS701: warning, WS707: off, WS703: "off"}\n')
    changed = tmp_path / "page_map.yaml"
    changed.write_text(text.replace("../../../templates", str(ROOT / "templates")), encoding="utf-8")
    case = next(case for case in CASES if case["id"] == "anchors-naming-no-source-heading")
    _, reading = read(case, load_page_map(changed))
    assert [f"{d.code}@{d.line} {d.severity}" for d in reading.diagnostics] == ["WS701@7 warning", "WS702@16 error"]


def test_a_question_keeps_its_options_with_those_kept_in_english_wrapped(page_map):
    case = next(case for case in CASES if case["id"] == "questions-in-arabic")
    _, reading = read(case, page_map)
    assert reading.report.questions[0].options == ("الطلاب؟", '<span lang="en" dir="ltr">Teachers?</span>')
