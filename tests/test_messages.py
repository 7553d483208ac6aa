"""The templates' own words per language: the message files of i18n/ (tests/data/messages/cases.yaml for
the fallback chains, directions and parameters), the templates' use of them, and pages rendered in French."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from wikisync.config import load_page_map
from wikisync.messages import DOCUMENTATION, direction, fallbacks, load_catalog
from wikisync.reading import read_source
from wikisync.render import catalog, render, render_key, render_page
from wikisync.shapes.records import CODED_ROLES
from wikisync.shapes.themes.parser import parse_themes

ROOT = Path(__file__).resolve().parent.parent
I18N = ROOT / "i18n"
TEMPLATES = ROOT / "templates"
CASES = yaml.safe_load((ROOT / "tests" / "data" / "messages" / "cases.yaml").read_text(encoding="utf-8"))
SOURCE = "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"
PARAMETER = re.compile(r"\$\d+")


def _messages(language: str) -> dict[str, str]:
    data = json.loads((I18N / f"{language}.json").read_text(encoding="utf-8"))
    return {key: text for key, text in data.items() if key != "@metadata"}


def _keys_the_templates_use() -> set[str]:
    """Every message key written in a template, and the role names built from wikisync-role-~ role."""
    keys: set[str] = set()
    for path in TEMPLATES.rglob("*.j2"):
        text = path.read_text(encoding="utf-8")
        for call in re.finditer(r"\bmsg\(", text):
            keys.update(re.findall(r"""["'](wikisync-[a-z0-9-]+[a-z0-9])["']""", _first_argument(text, call.end())))
        if '"wikisync-role-" ~' in text:
            keys.update(f"wikisync-role-{role}" for role in CODED_ROLES)
    return keys


def _first_argument(text: str, start: int) -> str:
    """The expression of a call's first argument: up to its first comma or closing bracket at its own depth."""
    depth = 0
    for end in range(start, len(text)):
        if text[end] in "([":
            depth += 1
        elif text[end] in ")]" and depth:
            depth -= 1
        elif text[end] in ",)" and not depth:
            return text[start:end]
    return text[start:]


def _folder(tmp_path: Path, files: dict[str, dict[str, object]]) -> Path:
    folder = tmp_path / "i18n"
    folder.mkdir()
    for language, messages in files.items():
        (folder / f"{language}.json").write_text(json.dumps({"@metadata": {"authors": ["test"]}, **messages}), encoding="utf-8")
    return folder


@pytest.mark.parametrize("case", CASES["fallbacks"], ids=[c["language"] for c in CASES["fallbacks"]])
def test_fallback_chain(case):
    assert fallbacks(case["language"]) == tuple(case["chain"])
    assert load_catalog(I18N).fallbacks(case["language"]) == tuple(case["chain"])


@pytest.mark.parametrize("case", CASES["direction"], ids=[c["language"] for c in CASES["direction"]])
def test_direction(case):
    assert direction(case["language"]) == case["direction"]


@pytest.mark.parametrize("case", CASES["messages"], ids=[c["name"] for c in CASES["messages"]])
def test_message(case, tmp_path):
    found = load_catalog(_folder(tmp_path, case["files"]))
    assert found.message(case["language"], case["key"], *case.get("params", ())) == case["text"]
    assert found.missing == {tuple(pair) for pair in case["missing"]}


def test_every_message_the_templates_use_is_in_english_and_documented():
    used = _keys_the_templates_use()
    assert len(used) > 50
    english, documented = _messages("en"), _messages(DOCUMENTATION)
    assert sorted(used - set(english)) == []
    assert sorted(set(english) - set(documented)) == [], "qqq.json documents every message"
    assert sorted(set(documented) - set(english)) == [], "qqq.json documents no message en.json lacks"
    assert sorted(set(english) - used) == [], "en.json holds no message the templates no longer use"
    assert all(text.strip() for text in documented.values())


@pytest.mark.parametrize("language", ["fr", "de"])
def test_a_translation_has_only_english_keys_and_their_parameters(language):
    english, translated = _messages("en"), _messages(language)
    assert sorted(set(translated) - set(english)) == []
    assert sorted(set(english) - set(translated)) == [], f"{language}.json translates every message"
    for key, text in translated.items():
        assert set(PARAMETER.findall(text)) == set(PARAMETER.findall(english[key])), key
        assert text.count("[[") == english[key].count("[[") and text.count("'''") == english[key].count("'''"), key


def test_every_shipped_file_loads_and_is_named_for_a_language():
    found = load_catalog(I18N)
    assert {"en", "fr", "de"} <= set(found.languages) and found.languages[0] == "en"
    assert DOCUMENTATION not in found.languages and found.documentation
    for path in I18N.glob("*.json"):
        assert json.loads(path.read_text(encoding="utf-8"))["@metadata"]["authors"], path.name


@pytest.fixture(scope="module")
def themes_report():
    return parse_themes((ROOT / "tests/fixtures/all-hands-summary-report.wiki").read_text(encoding="utf-8"), SOURCE, 1234)


def test_a_page_rendered_in_french_has_french_headings(themes_report):
    page_map = load_page_map(ROOT / "page_map.yaml")
    pages = {page.title: page for page in render(themes_report, page_map.sources[0], page_map.templates, language="fr")}
    assert all(page.error is None for page in pages.values())
    overview = pages[f"{SOURCE}/Themes"].text
    assert "! Thème !! Résumé !! Commentaires !! Priorité concurrente\n" in overview
    assert f"Les thèmes clés de [[{SOURCE}]], un thème par ligne." in overview
    assert f"'''Cette page est générée''' par wikisync à partir de [[{SOURCE}]], [[Special:PermanentLink/1234|version 1234]]." in overview
    education = pages[f"{SOURCE}/Themes/Education"].text
    for heading in ("== Résumé ==", "== Ce que nous avons entendu ==", "== Priorité concurrente =="):
        assert f"\n{heading}\n" in education
    assert "What we heard" not in education and "Comments" not in overview
    german = render(themes_report, page_map.sources[0], page_map.templates, language="de-formal")[1].text
    assert "== Was wir gehört haben ==" in german  # de-formal falls back to de


def test_a_missing_french_message_falls_back_to_english_and_is_reported_once(themes_report, tmp_path):
    english = _messages("en")
    french = {key: text for key, text in _messages("fr").items() if key != "wikisync-theme-heard-heading"}
    folder = _folder(tmp_path, {"en": english, "fr": french})
    page_map = load_page_map(ROOT / "page_map.yaml")
    for _ in range(2):  # the same run renders several sources: the pair is still one
        pages = render(themes_report, page_map.sources[0], page_map.templates, language="fr", messages=folder)
    theme_page = pages[1].text
    assert "== What we heard ==" in theme_page and "== Résumé ==" in theme_page
    found = catalog(page_map.templates, folder)
    assert found is not None and found.missing == {("fr", "wikisync-theme-heard-heading")}
    assert found.missing_note() == (f"{folder}: messages shown in a fallback language, missing in "
                                    "fr (1: wikisync-theme-heard-heading)")
    assert catalog(page_map.templates) is not found


def test_a_changed_message_file_is_read_again_and_changes_the_render_key(themes_report, tmp_path):
    folder = _folder(tmp_path, {"en": _messages("en")})
    page_map = load_page_map(ROOT / "page_map.yaml")
    spec = page_map.sources[0]
    key = render_key(spec, page_map.templates, folder)
    assert render_key(spec, page_map.templates, folder) == key
    (folder / "en.json").write_text(json.dumps({**_messages("en"), "wikisync-theme-heard-heading": "What was said"}), encoding="utf-8")
    assert render_key(spec, page_map.templates, folder) != key
    theme_page = render(themes_report, spec, page_map.templates, messages=folder)[1].text
    assert "== What was said ==" in theme_page


def test_a_message_no_file_has_is_the_page_error_naming_it(themes_report, tmp_path):
    english = {key: text for key, text in _messages("en").items() if key != "wikisync-overview-intro"}
    folder = _folder(tmp_path, {"en": english})
    page_map = load_page_map(ROOT / "page_map.yaml")
    overview, *themes = render(themes_report, page_map.sources[0], page_map.templates, messages=folder)
    assert overview.text == "" and re.search(r"overview\.wiki\.j2:1: .*en\.json: no message 'wikisync-overview-intro'", overview.error)
    assert all(page.error is None for page in themes)


def test_templates_see_the_language_and_its_direction(tmp_path):
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "page.wiki.j2").write_text('<div lang="{{ language }}" dir="{{ direction }}">{{ msg("wikisync-theme-heard-heading") }}</div>\n')
    assert render_page(templates, "page.wiki.j2", {}, language="fr") == '<div lang="fr" dir="ltr">Ce que nous avons entendu</div>\n'
    assert render_page(templates, "page.wiki.j2", {}, language="ar") == '<div lang="ar" dir="rtl">What we heard</div>\n'
    assert render_page(templates, "page.wiki.j2", {}) == '<div lang="en" dir="ltr">What we heard</div>\n'


CODEBOOK_MAP = """
templates: {templates}
codebooks:
  cycle2:
    theme:
      A: {{en: "Healthy, inclusive communities", fr: "Communautés saines et inclusives", de: "Gesunde, inklusive Gemeinschaften"}}
      B: "The augmented age"
      C: {{fr: "Un mouvement vraiment mondial", EN: "A truly global movement"}}
      D: {{de: "Die vertrauenswürdigste Wissensquelle"}}
      E: "Engaging in the knowledge ecosystem"
sources:
  - {{page: "Strategy/Sources/cycle2", shape: statements, codebook: cycle2, code: Hb1}}
"""


def _code_pages(tmp_path: Path, language: str) -> dict[str, str]:
    (tmp_path / "page_map.yaml").write_text(CODEBOOK_MAP.format(templates=TEMPLATES), encoding="utf-8")
    page_map = load_page_map(tmp_path / "page_map.yaml")
    spec = page_map.sources[0]
    report = read_source((ROOT / "tests/fixtures/statements/cycle2.wiki").read_text(encoding="utf-8"), spec.page, 5, spec,
                         page_map.codebooks).report
    pages = render(report, spec, page_map.templates, language=language, messages=page_map.messages)
    assert all(page.error is None for page in pages), [page.error for page in pages]
    return {page.title.rsplit("/", 1)[-1]: page.text for page in pages}


@pytest.mark.parametrize("language, labels", [
    ("en", ["Healthy, inclusive communities", "The augmented age", "A truly global movement",
            "Die vertrauenswürdigste Wissensquelle"]),
    ("fr", ["Communautés saines et inclusives", "The augmented age", "Un mouvement vraiment mondial",
            "Die vertrauenswürdigste Wissensquelle"]),
    ("de-formal", ["Gesunde, inklusive Gemeinschaften", "The augmented age", "A truly global movement",
                   "Die vertrauenswürdigste Wissensquelle"]),
])
def test_codebook_labels_in_the_pages_language(tmp_path, language, labels):
    """A label given per language shows in the page's language or its fallback; a plain one as written; one
    given in another language only, as given."""
    pages = _code_pages(tmp_path, language)
    for code, label in zip("ABCD", labels, strict=True):
        assert re.search(rf"'''{code}''' ?: {re.escape(label)}\. ", pages[code])
        assert f"== {code}: {label} (" in pages["Summary"]
    uncoded = {"en": "no theme", "fr": "sans thème", "de-formal": "ohne Thema"}[language]
    assert f"\n== {uncoded} (1) ==\n" in pages["Summary"]


def test_codebook_labels_per_language_leave_the_data_page_and_the_parse_alone(tmp_path):
    (tmp_path / "page_map.yaml").write_text(CODEBOOK_MAP.format(templates=TEMPLATES), encoding="utf-8")
    codebook = load_page_map(tmp_path / "page_map.yaml").codebooks["cycle2"]
    assert codebook.label("theme", "A") == "Healthy, inclusive communities"
    assert codebook.label("theme", "C") == "A truly global movement"  # en, spelt EN in the page map
    assert codebook.label("theme", "D") == "Die vertrauenswürdigste Wissensquelle"
    assert _code_pages(tmp_path, "fr")["data.json"] == _code_pages(tmp_path, "en")["data.json"]


def test_the_status_page_in_french():
    run = {"at": "2026-12-01 10:00 UTC", "revision": 20, "outcome": "saved 1 page", "check": "ok",
           "saved": [{"title": "A/Themes", "old": 5, "new": 9}], "problems": []}
    sources = [{"page": "A", "run": run, "runs": [run, run], "last_change": run},
               {"page": "B", "run": {}, "runs": [], "last_change": None}]
    text = render_page(TEMPLATES, "status.wiki.j2", {"sources": sources, "request_page": "Project:Req"}, language="fr")
    assert text.startswith("Cette page est écrite par wikisync après chaque exécution")
    for line in ("* Dernière exécution : 2026-12-01 10:00 UTC, saved 1 page", "* Modifié :",
                 "** [[A/Themes]] ([[Special:Diff/5/9|diff]])", "=== Exécutions précédentes ===",
                 "Aucune exécution n’a encore traité cette page."):
        assert f"\n{line}\n" in text, line
