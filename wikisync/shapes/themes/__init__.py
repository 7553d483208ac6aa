"""The themes shape: a narrative report of the All-Hands kind (intro, keynote, workshops, key themes with
"What we heard" comments, the Competing Priorities table, key questions), one page per theme.

The parser (:mod:`.parser`, mwparserfromhell) is loaded on the first parse, so that reading the page
map, which validates rule codes and targets through this module, loads no parser.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from ...diagnostics import Diagnostic
from ...model import Comment, Report, Theme
from ...names import ThemeIndex
from ...titles import theme_title, with_source
from ..base import NO_CODE, Alignment, ExportRow, PageContext, Shape, SourceSettings, SourceTally, TargetSettings
from ..records import Codebook
from ..translate_markup import TranslateMarkup
from .rules import DEFAULT_THEME_PATTERN, RULES, check

__all__ = ["ThemeView", "ThemesShape"]


@dataclass(frozen=True)
class ThemeView:
    """What a template sees of one theme."""

    name: str
    """The name its page title uses (a translation's theme: its source's)."""
    summary: str
    comments: tuple[str, ...]
    priority: str | None
    title: str | None
    line: int
    label: str = ""
    """The name as the page shows it: a translation's heading (which may be wrapped as untranslated)."""

    @property
    def comment_count(self) -> int:
        return len(self.comments)


class ThemesShape(Shape):
    name = "themes"
    each = "theme"
    sample_part = "Theme"
    rules = RULES
    export_roles = ("theme",)
    reads_translations = True

    def parse(self, text: str, title: str, revision: int | None, settings: SourceSettings | None,
              codebooks: Mapping[str, Codebook]) -> Report:
        from .parser import parse_themes

        return parse_themes(text, title, revision, settings.theme_sections) if settings else parse_themes(text, title, revision)

    def align(self, source: Report, markup: TranslateMarkup, title: str, revision: int | None, settings: SourceSettings,
              codebooks: Mapping[str, Codebook], source_language: str) -> Alignment:
        from .align import align_themes

        return align_themes(source, markup, title, revision, settings.theme_sections, source_language)

    def check(self, report: Report, settings: SourceSettings | None) -> list[Diagnostic]:
        if settings is None:
            return check(report, title_patterns=[DEFAULT_THEME_PATTERN.replace("Report", with_source("{source}", report.title or "Report"))])
        return check(report, aliases=settings.aliases, rules=settings.rules, title_patterns=_title_patterns(settings))

    def counts(self, report: Report) -> dict[str, int]:
        return {"themes": len(report.themes), "comments": report.comment_count}

    def code_counts(self, report: Report) -> dict[str, dict[str, int]]:
        return {"theme": {theme.name: len(theme.comments) for theme in report.themes}}

    def context(self, report: Report, settings: SourceSettings) -> PageContext:
        views = _theme_views(report, settings)

        def instances(target: TargetSettings) -> list[tuple[str, dict[str, Any]]]:
            if target.each == "theme":
                return [(theme_title(target.title, settings.page, view.name), {"theme": view}) for view in views]
            return [(target.title.format(source=settings.page), {})]

        return PageContext({"themes": views}, instances)

    def tally(self, report: Report, settings: SourceSettings, role: str,
              keyword_codes: Callable[[str], tuple[str, ...]]) -> SourceTally:
        tally = SourceTally(report.comment_count)
        row: Counter[str] = tally.row
        for theme in report.themes:
            for code in dict.fromkeys(keyword_codes(theme.name) or (NO_CODE,)):
                row[code] += len(theme.comments)
        return tally

    def export_rows(self, report: Report, settings: SourceSettings) -> Iterator[ExportRow]:
        """Every "What we heard" comment, coded with its theme; its id is the theme's name and its number there."""
        for theme in report.themes:
            for number, comment in enumerate(theme.comments, 1):
                yield ExportRow(f"{theme.name}/{number}", comment.line, comment.line, comment.text, (), {"theme": (theme.name,)})

    def from_data(self, data: Mapping[str, Any], settings: SourceSettings, codebooks: Mapping[str, Codebook]) -> Report:
        """The themes with their comments: what the aggregates count of a narrative."""
        themes = tuple(Theme(theme["name"], theme["summary"], theme["line"],
                             tuple(Comment(comment["text"], comment["line"]) for comment in theme["comments"]))
                       for theme in data["themes"])
        return Report(data["title"], data["revision"], themes=themes)

    def notes(self, report: Report, settings: SourceSettings) -> list[str]:
        """Themes whose page title is not their name, because the name cannot or should not stand in a title."""
        notes = []
        for target in settings.targets:
            if target.each == "theme":
                for theme in report.themes:
                    title = theme_title(target.title, settings.page, theme.name)
                    if title != target.title.format(source=settings.page, theme=theme.name):
                        notes.append(f"title: theme {theme.name!r} is published as {title!r}")
        return notes


def _title_patterns(settings: SourceSettings) -> list[str]:
    return [with_source(target.title, settings.page) for target in settings.targets if target.each == "theme"]


def _theme_views(report: Report, settings: SourceSettings) -> list[ThemeView]:
    index = ThemeIndex((t.name for t in report.themes), settings.aliases)
    priority_of: dict[str, str] = {}
    for row in report.priorities:
        for value in row.values:
            found = index.match(value.matched_name)
            if found is not None:
                priority_of.setdefault(found.theme, row.priority)
    per_theme = next((t for t in settings.targets if t.each == "theme"), None)
    return [
        ThemeView(
            name=theme.name,
            summary=theme.summary,
            comments=tuple(c.text for c in theme.comments),
            priority=priority_of.get(theme.name),
            title=theme_title(per_theme.title, settings.page, theme.name) if per_theme else None,
            line=theme.line,
            label=theme.label,
        )
        for theme in report.themes
    ]
