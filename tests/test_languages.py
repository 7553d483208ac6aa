"""Pure tests of wikisync.languages: a source's translations found in a listing, what to list, and each
generated page as published in a language (its language bar, its lang/dir wrapper)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from wikisync.languages import BAR_TEMPLATE, LanguageOutcome, bar_links, find_translations, in_language, listing_prefixes, translated_share
from wikisync.pages import NOTICE_BEGIN, NOTICE_END, DesiredPage
from wikisync.render import render_page

ROOT = Path(__file__).resolve().parent.parent
CASES = yaml.safe_load((Path(__file__).parent / "data" / "languages" / "cases.yaml").read_text(encoding="utf-8"))
NOTICE = f"{NOTICE_BEGIN}generated{NOTICE_END}\n"


@pytest.mark.parametrize("case", CASES["find_translations"], ids=lambda case: case["name"])
def test_find_translations(case):
    listed = [(title, language) for title, language in case["listed"]]
    found = find_translations(case["source"], listed, case["wanted"], "en", case.get("generated", ()))
    assert found == case["found"]


@pytest.mark.parametrize("case", CASES["listing_prefixes"], ids=lambda case: ",".join(case["titles"]))
def test_listing_prefixes(case):
    assert listing_prefixes(case["titles"]) == case["prefixes"]


BAR = '<div class="wikisync-languages">the bar</div>\n'


def test_a_translated_page_is_wrapped_in_its_language_and_opens_with_its_language_bar():
    page = DesiredPage("S/Themes/fr", NOTICE + "Le texte.\n", "overview.wiki.j2")
    assert in_language(page, "fr", "en", BAR).text == (NOTICE + '<div lang="fr" dir="ltr" class="mw-content-ltr">\n'
                                                       + BAR + "Le texte.\n</div>\n")


def test_a_right_to_left_language_is_wrapped_so():
    page = DesiredPage("S/Themes/he", NOTICE + "טקסט\n", "overview.wiki.j2")
    assert '<div lang="he" dir="rtl" class="mw-content-rtl">' in in_language(page, "he", "en", "").text


def test_the_source_language_gets_the_bar_only_with_other_languages_and_no_wrapper():
    page = DesiredPage("S/Themes", NOTICE + "The text.\n", "overview.wiki.j2")
    assert in_language(page, "en", "en", "") == page
    assert in_language(page, "en", "en", BAR).text == NOTICE + BAR + "The text.\n"


def test_a_json_page_and_a_page_that_failed_stay_as_they_are():
    data = DesiredPage("S/data.json", '{"a": 1}', "", content_model="json")
    failed = DesiredPage("S/Themes/fr", "", "overview.wiki.j2", error="boom")
    assert in_language(data, "fr", "en", BAR) == data
    assert in_language(failed, "fr", "en", BAR) == failed


def test_the_language_bar_names_each_language_in_itself_with_its_direction_and_its_own_in_bold():
    others = {"en": "S/Themes", "fr": "S/Themes/fr", "ar": "S/Themes/ar"}
    links = bar_links("fr", others)
    assert [(link["language"], link["name"], link["direction"], link["current"]) for link in links] == [
        ("en", "English", "ltr", False), ("fr", "français", "ltr", True), ("ar", "العربية", "rtl", False)]
    text = render_page(ROOT / "templates", BAR_TEMPLATE, {"links": links}, "fr")
    assert text == ('<div class="wikisync-languages" style="font-size:90%; margin-bottom:0.5em;">Langues : '
                    '[[S/Themes|<span lang="en" dir="ltr">English</span>]] · \'\'\'français\'\'\' · '
                    '[[S/Themes/ar|<span lang="ar" dir="rtl">العربية</span>]]</div>\n')


def test_the_translated_share_and_an_outcome_in_words():
    fixtures = Path(__file__).parent / "fixtures" / "translated"
    # French: every unit translated, one outdated; German: many kept in English; Spanish: one unit translated
    shares = {language: translated_share((fixtures / f"{language}.wiki").read_text(encoding="utf-8"), "en") for language in ("fr", "de", "es")}
    assert 0.9 < shares["fr"] < 1 and 0.3 < shares["de"] < 0.6 and shares["es"] < 0.2, shares
    assert translated_share("", "en") == 1.0 and translated_share("<languages/>\n\nTout traduit.\n", "en") == 1.0
    assert translated_share('<span lang="en" dir="ltr">a</span> <span lang="en" dir="ltr">b</span>', "en") == 0.0
    assert LanguageOutcome("es", "S/es", "skipped", "below min_translated (50%)", 0.2).describe() == \
        "es: skipped (20% translated): below min_translated (50%)"
    assert LanguageOutcome("fr", "S/fr", "published").describe() == "fr: published"
    assert LanguageOutcome("de", "S/de", "no page").describe() == "de: no translation page"
