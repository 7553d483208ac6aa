"""What the wiki's API answers, read into wikisync's records with no wiki at hand: the language
information of core's ``meta=languageinfo`` and the Translate extension's ``meta=messagegroupstats``,
each answer with the ``continue`` parameters that ask for the rest. :mod:`wikisync.wiki` only asks."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from itertools import islice
from typing import Any, Generic, TypeVar

from .wiki_records import LanguageInfo

__all__ = ["AnswerPart", "continued", "followed", "language_infos", "translated_shares"]

Found = TypeVar("Found")


@dataclass(frozen=True)
class AnswerPart(Generic[Found]):
    """What one answer holds, by language code, and the parameters that ask for the rest (None: complete)."""

    found: dict[str, Found]
    more: dict[str, str] | None = None


def continued(ask: Callable[[dict[str, Any]], Mapping[str, Any]], params: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    """The answers to ``params``: asked, then asked again with each answer's ``continue`` parameters until
    one has none."""
    asked = dict(params)
    while True:
        body = ask(dict(asked))
        yield body
        more = _more(body)
        if more is None:
            return
        asked.update(more)


def followed(ask: Callable[[dict[str, Any]], Mapping[str, Any]], params: Mapping[str, Any],
             read: Callable[[Mapping[str, Any]], AnswerPart[Found]], limit: int = 5) -> dict[str, Found]:
    """Everything the answers to ``params`` hold (:func:`continued`), read, at most ``limit`` answers (a
    module that keeps filling a cache may take long: what the answers held by then is kept)."""
    found: dict[str, Found] = {}
    for body in islice(continued(ask, params), limit):
        found.update(read(body).found)
    return found


def _more(body: Mapping[str, Any]) -> dict[str, str] | None:
    more = body.get("continue")
    return {str(key): str(value) for key, value in more.items()} if isinstance(more, Mapping) and more else None


def _query(body: Mapping[str, Any], module: str) -> Any:
    query = body.get("query")
    return query.get(module) if isinstance(query, Mapping) else None


def language_infos(body: Mapping[str, Any]) -> AnswerPart[LanguageInfo]:
    """An answer of ``meta=languageinfo`` with ``liprop=autonym|dir|fallbacks``: ``{"query": {"languageinfo":
    {"yi": {"autonym": "ייִדיש", "dir": "rtl", "fallbacks": ["he"]}}}, "continue": {"licontinue": …}}`` (codes the
    wiki does not know are left out of it, with a warning). An entry it cannot read is left out too."""
    found: dict[str, LanguageInfo] = {}
    entries = _query(body, "languageinfo")
    for code, entry in (entries.items() if isinstance(entries, Mapping) else ()):
        if not isinstance(entry, Mapping) or entry.get("dir") not in ("ltr", "rtl"):
            continue
        autonym = entry.get("autonym")
        fallbacks = entry.get("fallbacks")
        chain = tuple(language for language in fallbacks if isinstance(language, str)) if isinstance(fallbacks, list) else ()
        found[str(code)] = LanguageInfo(str(code), autonym if isinstance(autonym, str) else "", entry["dir"], chain)
    return AnswerPart(found, _more(body))


def translated_shares(body: Mapping[str, Any]) -> AnswerPart[float]:
    """An answer of Translate's ``meta=messagegroupstats``: ``{"query": {"messagegroupstats": [{"total": 12,
    "translated": 9, "fuzzy": 1, "proofread": 0, "code": "fr", "language": "fr"}, …]}, "continue": {"mgsoffset":
    "ja", …}}``, as language -> the share of the group's units translated and up to date (Translate counts an
    outdated, fuzzy, unit apart from the translated ones). A language whose statistics are not computed yet
    (no total: the answer then continues from it) or that has no unit is left out, as is a row it cannot read."""
    found: dict[str, float] = {}
    rows = _query(body, "messagegroupstats")
    for row in (rows if isinstance(rows, list) else ()):
        if not isinstance(row, Mapping):
            continue
        language = row.get("language") or row.get("code")
        total, translated = row.get("total"), row.get("translated")
        if not isinstance(language, str) or not isinstance(total, int) or not isinstance(translated, int) or total <= 0:
            continue
        found[language] = min(max(translated, 0), total) / total
    return AnswerPart(found, _more(body))
