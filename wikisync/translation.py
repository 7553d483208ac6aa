"""A translation page ``TITLE/LANG``, as the Translate extension renders it, read against its source.

The source's shape aligns it (:meth:`wikisync.shapes.base.Shape.align`) with the source's report
through the headings' anchors and the page's structure, never through the words of its sections: the
result has the source's items, ids and order with the translation's text. What cannot be aligned, and
what the translation lacks, are the WS7xx rules below, with their lines in ``TITLE/LANG``; the page
map's ``rules:`` change their severities as any shape's. An error holds back the language's pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from .diagnostics import Diagnostic, RuleSet, has_errors
from .model import Anomaly
from .shapes import shape
from .shapes.base import ShapeReport, SourceSettings
from .shapes.records import Codebook
from .shapes.translate_markup import FUZZY, read_markup

__all__ = ["RULES", "TranslationReading", "read_translation", "translation_of"]

RULES: RuleSet[tuple[Anomaly, ...]] = RuleSet("translation")
"""The rules of a translation page read against its source (WS701-WS719; WS720 and up are publishing's)."""

_MISSING_NAMED = 8
"""How many missing items WS703's message names; the rest are counted."""

RULES.anomaly_rules(
    {
        "unknown-anchor": ("WS701", "error", "a heading anchor names no heading of the source"),
        "heading-without-anchor": ("WS702", "error", "a translated heading has no anchor naming the source heading"),
        "missing-items": ("WS703", "warning", "the translation lacks items of the source (it follows an older marked version)"),
        "row-count": ("WS704", "error", "a statement table has another number of rows than the source's"),
        "extra-items": ("WS705", "warning", "the translation has more items than the source: the extra are left out"),
        "repeated-heading": ("WS706", "error", "two headings of the translation translate one source heading"),
        "anchor-without-heading": ("WS707", "warning", "a heading anchor stands before no heading"),
        "unclosed-wrapper": ("WS708", "warning", "an untranslated or outdated unit's wrapper is never closed"),
        "stray-wrapper-close": ("WS709", "warning", "a closing </div> or </span> without its opening tag"),
        "no-alignment": ("WS710", "error", "the source's shape does not read translations"),
        "table-count": ("WS711", "error", "the translation has another number of statement tables than the source"),
        "outdated": ("WS712", "info", "units whose translation is outdated (fuzzy)"),
    },
    ("WS719", "warning", "another problem aligning the translation with its source"),
    lambda issues: issues,
)


@dataclass(frozen=True)
class TranslationReading:
    title: str
    """``TITLE/LANG`` as read."""
    language: str
    revision: int | None
    report: ShapeReport
    """Of the source's shape: the source's items, ids, order and codes with the translation's text. An
    untranslated unit's text is the source language's, wrapped to be rendered as it is
    (``<span lang="en" dir="ltr">…</span>``, a ``<div …>`` for a block); what the translation lacks is left out."""
    diagnostics: tuple[Diagnostic, ...]
    """WS7xx, with lines in ``TITLE/LANG``'s wikitext."""
    untranslated: frozenset[str]
    """Ids of the items kept in the source language."""
    fuzzy: frozenset[str]
    """Ids of the items whose translation is outdated."""
    missing: tuple[str, ...]
    """The source's items (as its shape names them) the translation lacks."""

    @property
    def aligned(self) -> bool:
        """False when any WS7xx error: this language's pages are held back."""
        return not has_errors(self.diagnostics)


def translation_of(title: str, sources: Iterable[str], key: Callable[[str], str] = str) -> tuple[str, str] | None:
    """(source, language) when ``title`` is ``SOURCE/LANG`` for one of ``sources`` (compared by ``key``),
    LANG a language code as Translate names its pages (``fr``, ``pt-br``, ``zh-hans``)."""
    base, slash, language = title.rpartition("/")
    if not slash or not language or len(language) > 20 or language != language.lower():
        return None
    if not all(part and part.isalnum() and part.isascii() for part in language.split("-")):
        return None
    wanted = key(base)
    source = next((found for found in sources if key(found) == wanted), None)
    return (source, language) if source is not None else None


def read_translation(text: str, title: str, language: str, revision: int | None, source: ShapeReport,
                     settings: SourceSettings, codebooks: Mapping[str, Codebook],
                     source_language: str = "en") -> TranslationReading:
    """Never raises on bad markup; raises ConfigError only for a ``rules:`` entry the rules cannot take."""
    markup = read_markup(text)
    alignment = shape(settings.shape).align(source, markup, title, revision, settings, codebooks, source_language)
    if alignment is None:
        issues: tuple[Anomaly, ...] = (Anomaly("no-alignment", 1, 1, f"{settings.shape} sources have no translation alignment: "
                                                                      f"the {language} translation is not read"),)
        report = source
        untranslated: frozenset[str] = frozenset()
        fuzzy: frozenset[str] = frozenset()
        missing: tuple[str, ...] = ()
    else:
        report, untranslated, fuzzy, missing = alignment.report, alignment.untranslated, alignment.fuzzy, alignment.missing
        issues = alignment.issues
        if missing:
            issues += (_missing_issue(language, missing),)
        outdated = [wrapper for wrapper in markup.wrappers if wrapper.kind == FUZZY]
        if outdated:
            issues += (Anomaly("outdated", outdated[0].line, outdated[0].column,
                               f"{len(outdated)} unit{'' if len(outdated) == 1 else 's'} of the {language} translation "
                               f"{'is' if len(outdated) == 1 else 'are'} outdated (fuzzy)"),)
    overrides = {code: severity for code, severity in settings.rules.items() if code in RULES}
    diagnostics = RULES.run(issues, markup.line_count, overrides)
    return TranslationReading(title, language, revision, report, tuple(diagnostics), untranslated, fuzzy, missing)


def _missing_issue(language: str, missing: tuple[str, ...]) -> Anomaly:
    named = ", ".join(f'"{name}"' for name in missing[:_MISSING_NAMED])
    more = f" and {len(missing) - _MISSING_NAMED} more" if len(missing) > _MISSING_NAMED else ""
    return Anomaly("missing-items", 1, 1, f"the {language} translation lacks {len(missing)} item{'' if len(missing) == 1 else 's'} "
                                          f"of the source: {named}{more} (it follows an older marked version; its pages leave them out)")
