"""A source's translations and its generated pages in each language, with no wiki and no template.

The Translate extension puts a page's translation into ``TITLE/LANG``; every generated page ``T`` gets
``T/LANG`` in turn. Here: which listed pages are a source's translations, what happened to each
language in a run (:class:`LanguageOutcome`), and each page's language bar and ``lang``/``dir`` wrapper.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from .messages import TABLES, LanguageFacts
from .pages import NOTICE_END, DesiredPage
from .titles import LANGUAGE_CODE, title_key

__all__ = ["AUTONYMS", "BAR_TEMPLATE", "LanguageOutcome", "bar_links", "find_translations", "in_language", "language_name", "listing_prefixes",
           "translated_share"]

AUTONYMS = {
    "ar": "العربية", "bn": "বাংলা", "ca": "català", "cs": "čeština", "da": "dansk", "de": "Deutsch", "el": "Ελληνικά",
    "en": "English", "eo": "Esperanto", "es": "español", "fa": "فارسی", "fi": "suomi", "fr": "français", "he": "עברית",
    "hi": "हिन्दी", "hu": "magyar", "id": "Bahasa Indonesia", "it": "italiano", "ja": "日本語", "ko": "한국어",
    "nl": "Nederlands", "pl": "polski", "pt": "português", "pt-br": "português do Brasil", "ru": "русский",
    "sv": "svenska", "tr": "Türkçe", "uk": "українська", "ur": "اردو", "vi": "Tiếng Việt", "zh": "中文",
    "zh-hans": "中文（简体）", "zh-hant": "中文（繁體）",
}
"""Each language's name in itself, as the language bar shows it when the wiki does not tell it (another
code is shown as it is)."""


def language_name(language: str, facts: LanguageFacts = TABLES) -> str:
    return facts.autonym(language) or AUTONYMS.get(language, language)


@dataclass(frozen=True)
class LanguageOutcome:
    """What a run did with one translation of a source."""

    language: str
    title: str
    """The translation page, ``TITLE/LANG``."""
    status: Literal["published", "skipped", "held back", "no page"]
    """"no page": the page map lists the language, and the wiki has no translation page in it (yet)."""
    why: str = ""
    """For a language not published: why, in words."""
    share: float | None = None
    """The share of its units translated, when known."""

    def describe(self) -> str:
        if self.status == "no page":
            return f"{self.language}: no translation page"
        share = f" ({self.share:.0%} translated)" if self.share is not None else ""
        return f"{self.language}: {self.status}{share}" + (f": {self.why}" if self.why else "")


def find_translations(source: str, listed: Iterable[tuple[str, str | None]], wanted: str | Sequence[str] | None,
                      source_language: str, generated: Iterable[str] = ()) -> dict[str, str]:
    """Language -> title of each of ``source``'s translations among ``listed`` ((title, page language) of
    the pages a listing found): ``source/LANG`` with LANG a language code that ``wanted`` takes (``auto``:
    any), whose page language, when the wiki tells one other than the source's, is LANG itself. Pages
    wikisync generates are none."""
    if not wanted:
        return {}
    base, own = title_key(source) + "/", {title_key(title) for title in generated}
    found: dict[str, str] = {}
    for title, page_language in listed:
        key = title_key(title)
        if not key.startswith(base) or key in own:
            continue
        language = title[len(base):]
        if not LANGUAGE_CODE.fullmatch(language) or language == source_language:
            continue
        if page_language not in (None, language, source_language):
            continue  # the wiki says the page is in a third language: no translation of this source
        if wanted == "auto" or language in wanted:
            found[language] = title
    return dict(sorted(found.items()))


_BLOCKS = re.compile(r"\n[ \t]*\n")
_ANCHOR_ONLY = re.compile(r'^(?:\s*<span id="[^"]*"></span>\s*|\s*<languages\s*/>\s*)*$')
_FUZZY = re.compile(r'<(?:div|span)\b[^>]*\bclass="mw-translate-fuzzy"')


def translated_share(text: str, source_language: str) -> float:
    """The share of a translation page's units that are translated and up to date, told from the page as
    Translate renders it: its units are its blocks (a table's cells that Translate wrapped one by one count
    one each), those wrapped in the source language's ``lang`` are not translated, nor are the outdated."""
    untranslated = len(re.findall(rf'<(?:div|span)\b[^>]*\blang="{re.escape(source_language)}"', text))
    outdated = len(_FUZZY.findall(text))
    blocks = sum(1 for block in _BLOCKS.split(text) if block.strip() and not _ANCHOR_ONLY.match(block))
    units = max(blocks, untranslated + outdated)
    return 1.0 if units == 0 else 1 - (untranslated + outdated) / units


BAR_TEMPLATE = "languages.wiki.j2"
"""The template of the language bar; it sees ``links`` (:func:`bar_links`)."""


def bar_links(language: str, others: Mapping[str, str], facts: LanguageFacts = TABLES) -> list[dict[str, str | bool]]:
    """What the language bar of a page in ``language`` links (``others``: language -> the title of the page in
    it, its own included): each language's name in itself, its direction, and whether it is the page's own."""
    return [{"language": code, "title": title, "name": language_name(code, facts), "direction": facts.direction(code),
             "current": code == language}
            for code, title in others.items()]


def in_language(page: DesiredPage, language: str, source_language: str, bar: str, facts: LanguageFacts = TABLES) -> DesiredPage:
    """``page`` as published in ``language``: its language bar (``bar``, the rendered :data:`BAR_TEMPLATE`;
    "" for none) after the notice, and a translation's whole text in a ``lang``/``dir`` wrapper. A JSON
    page, and a page that could not be rendered, stay as they are."""
    if page.content_model != "wikitext" or page.error or (not bar and language == source_language):
        return page
    cut = page.text.find(NOTICE_END)
    cut = cut + len(NOTICE_END) + 1 if cut >= 0 else 0
    notice, body = page.text[:cut], page.text[cut:]
    if language == source_language:
        return replace(page, text=f"{notice}{bar}{body}")
    side = facts.direction(language)
    wrapped = f'<div lang="{language}" dir="{side}" class="mw-content-{side}">\n{bar}{body.rstrip()}\n</div>\n'
    return replace(page, text=notice + wrapped)


def listing_prefixes(titles: Sequence[str]) -> list[str]:
    """What to list to find every title's subpages: one title alone, or the titles' longest common prefix
    up to a "/", or each title when they share none (a listing of a whole namespace costs too much)."""
    if len(titles) == 1:
        return list(titles)
    parts = [title.split("/") for title in titles]
    common: list[str] = []
    for column in zip(*parts):
        if len(set(column)) > 1:
            break
        common.append(column[0])
    if not common:
        return sorted(set(titles))
    prefix = "/".join(common)
    return [prefix if prefix in titles else prefix + "/"]
