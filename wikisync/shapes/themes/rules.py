"""The themes shape's rules over a parsed narrative report: what its editors should fix before the
generated pages go out.

Each rule is one function registered under a stable code: WS1xx markup and page structure, WS2xx
themes and comments, WS3xx the Competing Priorities table, WS4xx key questions. The checker is
pure: it reads a :class:`Report` and returns diagnostics sorted by position, and it never raises
on anything the themes parser can produce.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import pairwise

from ...diagnostics import NO_OVERRIDES, Diagnostic, Finding, RuleSet
from ...diagnostics import quoted as _quoted
from ...model import Comment, Priority, PriorityValue, Question, Report
from ...names import MatchKind, NameMatch, ThemeIndex, normalise
from ...titles import theme_title, title_key

__all__ = ["DEFAULT_THEME_PATTERN", "RULES", "Subject", "check"]

DEFAULT_THEME_PATTERN = "Report/Themes/{theme}"
"""For a report checked without a page map: a title of a typical length."""


@dataclass(frozen=True)
class Subject:
    """A report as the rules see it, with the table-to-heading matches worked out once."""

    report: Report
    aliases: Mapping[str, str]
    title_patterns: tuple[str, ...] = ()
    """Per-theme title patterns ({theme} left in), to tell which names cannot be titles as they are."""

    @cached_property
    def theme_names(self) -> list[str]:
        return [theme.name for theme in self.report.themes]

    @cached_property
    def titles(self) -> dict[str, list[str]]:
        """Each title pattern's page title of every theme, in theme order."""
        return {pattern: [theme_title(pattern, "", name) for name in self.theme_names] for pattern in self.title_patterns}

    @cached_property
    def value_matches(self) -> list[tuple[Priority, PriorityValue, NameMatch | None]]:
        index = ThemeIndex(self.theme_names, self.aliases)
        return [
            (row, value, index.match(value.name))
            for row in self.report.priorities
            for value in row.values
        ]


RULES: RuleSet[Subject] = RuleSet("themes", ("error", "warning"))
"""Every rule by code, in code order."""
_rule = RULES.rule


def check(
    report: Report,
    *,
    aliases: Mapping[str, str] = NO_OVERRIDES,
    rules: Mapping[str, str] = NO_OVERRIDES,
    title_patterns: Sequence[str] = (DEFAULT_THEME_PATTERN,),
) -> list[Diagnostic]:
    """Every rule's findings on ``report``, with ``rules`` (code -> error|warning|off) overriding severities.

    ``title_patterns`` are the page map's per-theme titles with the source filled in and ``{theme}``
    left. Raises ConfigError only for an override naming an unknown code or severity.
    """
    return RULES.run(Subject(report, aliases, tuple(title_patterns)), report.line_count, rules)


_SECTIONS_HINT = "if the page names its sections in other words (another language), give them under sections: in page_map.yaml"


def _alias_hint(value: str, theme: str) -> str:
    entry = f"{json.dumps(value, ensure_ascii=False)}: {json.dumps(theme, ensure_ascii=False)}"
    return f"declare it in page_map.yaml: aliases: {{{entry}}}"


# -- WS1xx: markup and page structure --------------------------------------------------------


@_rule("WS100", "error", "not a report: no theme sections and no Competing Priorities table (reported at line 1)")
def _not_a_report(subject: Subject) -> Iterator[Finding]:
    report = subject.report
    if not report.themes and not report.priorities:
        yield Finding(1, 1, "not a report: no theme sections under a Key Themes heading and no Competing Priorities table",
                      hint=_SECTIONS_HINT)


_ANOMALY_RULES = {
    "stray-translate-close": ("WS101", "error", "a </translate> with no <translate> open"),
    "unclosed-translate": ("WS102", "error", "a <translate> never closed (reported at the last line)"),
    "unclosed-table": ("WS103", "error", "a table opened with {| and never closed with |}: what follows is lost"),
    "table-outside-table": ("WS104", "error", "table markup (|, |-, |}, !) outside any table"),
    "heading-in-list": ("WS105", "error", "a heading inside a list item, which the wiki shows as text"),
    "empty-bullet": ("WS106", "warning", "an empty list item"),
    "option-without-question": ("WS402", "warning", "a list item under Key Questions before any question"),
}
_OTHER_ANOMALY = ("WS199", "warning", "markup the parser had to work around that no other rule names")


RULES.anomaly_rules(_ANOMALY_RULES, _OTHER_ANOMALY, lambda subject: subject.report.anomalies)


# -- WS2xx: themes and comments --------------------------------------------------------------


@_rule("WS201", "warning", "a theme section that no row of the priorities table names (only checked when the table has rows)")
def _unreferenced_theme(subject: Subject) -> Iterator[Finding]:
    if not subject.report.priorities:
        return
    named = {match.theme for _, _, match in subject.value_matches if match is not None}
    for theme in subject.report.themes:
        if theme.name and theme.name not in named:
            yield Finding(
                theme.line,
                1,
                f"theme {_quoted(theme.name)} is named by no row of the Competing Priorities table",
                theme.name,
                "list it under one of the priorities",
            )


@_rule("WS202", "error", "two theme headings with the same name after normalising case, spaces and punctuation")
def _duplicate_theme(subject: Subject) -> Iterator[Finding]:
    first_line: dict[str, int] = {}
    for theme in subject.report.themes:
        key = normalise(theme.name)
        if not key:
            continue
        if key in first_line:
            yield Finding(theme.line, 1, f"theme {_quoted(theme.name)} repeats the heading at line {first_line[key]}", theme.name)
        else:
            first_line[key] = theme.line


@_rule("WS203", "warning", "a theme with no comments")
def _theme_without_comments(subject: Subject) -> Iterator[Finding]:
    for theme in subject.report.themes:
        if not theme.comments:
            yield Finding(theme.line, 1, f"theme {_quoted(theme.name)} has no comments", theme.name)


@_rule("WS204", "warning", 'a theme whose comments have no "What we heard" lead-in (a theme with no comments at all is WS203)')
def _comments_without_lead_in(subject: Subject) -> Iterator[Finding]:
    for theme in subject.report.themes:
        if theme.comments and theme.heard_line is None:
            first = theme.comments[0]
            yield Finding(
                first.line,
                1,
                f'the comments of theme {_quoted(theme.name)} have no "What we heard:" line before them',
                theme.name,
                "add a line ''What we heard:'' above the list, or give the page's own words under sections: heard: in page_map.yaml",
            )


@_rule("WS205", "warning", "a theme with no summary paragraph before its comments")
def _empty_summary(subject: Subject) -> Iterator[Finding]:
    for theme in subject.report.themes:
        if not theme.summary:
            yield Finding(theme.line, 1, f"theme {_quoted(theme.name)} has no summary", theme.name)


@_rule("WS206", "warning", "a comment repeated (same text after normalising) in the same theme or another one")
def _repeated_comment(subject: Subject) -> Iterator[Finding]:
    first: dict[str, tuple[str, Comment]] = {}
    for theme in subject.report.themes:
        for comment in theme.comments:
            key = normalise(comment.text)
            if not key:
                continue
            if key not in first:
                first[key] = (theme.name, comment)
                continue
            where, earlier = first[key]
            place = "this theme" if where == theme.name else f"theme {_quoted(where)}"
            yield Finding(
                comment.line,
                comment.column,
                f"comment {_quoted(comment.text)} repeats line {earlier.line} in {place}",
                theme.name,
            )


@_rule("WS207", "warning", "a list of comments under the Key Themes heading but in no theme section")
def _stray_comments(subject: Subject) -> Iterator[Finding]:
    for comment in subject.report.stray_comments:
        yield Finding(comment.line, comment.column, f"comment {_quoted(comment.text)} belongs to no theme and is left out of every page")


@_rule("WS208", "error", "a theme heading with no name")
def _nameless_theme(subject: Subject) -> Iterator[Finding]:
    for theme in subject.report.themes:
        if not theme.name:
            yield Finding(theme.line, 1, "theme heading has no name")


@_rule("WS209", "warning", "a theme whose page title cannot be its name (characters a title cannot hold, or too long)")
def _renamed_theme(subject: Subject) -> Iterator[Finding]:
    for pattern in subject.title_patterns:
        for theme, title in zip(subject.report.themes, subject.titles[pattern]):
            if theme.name and title != pattern.format(source="", theme=theme.name):
                yield Finding(theme.line, 1, f"theme {_quoted(theme.name)} is published as {_quoted(title)}: "
                                             "its name cannot stand in a title as it is", theme.name)


@_rule("WS210", "error", "two themes whose page titles come out the same")
def _shared_title(subject: Subject) -> Iterator[Finding]:
    for pattern in subject.title_patterns:
        first: dict[str, str] = {}
        for theme, title in zip(subject.report.themes, subject.titles[pattern]):
            key = title_key(title)
            if key in first and normalise(first[key]) != normalise(theme.name):
                yield Finding(theme.line, 1, f"theme {_quoted(theme.name)} gets the same page title as {_quoted(first[key])}; "
                                             "one would overwrite the other", theme.name, "rename one of the two headings")
            first.setdefault(key, theme.name)


# -- WS3xx: the Competing Priorities table ---------------------------------------------------


@_rule("WS300", "warning", "theme sections but no Competing Priorities table, or a table with no rows")
def _missing_table(subject: Subject) -> Iterator[Finding]:
    report = subject.report
    if not report.themes or report.priorities:
        return
    if report.priorities_line is None:
        yield Finding(1, 1, "the report has no Competing Priorities table")
    else:
        yield Finding(report.priorities_line, 1, "the Competing Priorities table has no rows")


@_rule("WS301", "error", "a value in the priorities table that names no theme section, even after normalising")
def _unknown_value(subject: Subject) -> Iterator[Finding]:
    keys = {normalise(name): name for name in subject.theme_names}
    for _, value, match in subject.value_matches:
        if match is None:
            import difflib  # only for a value that names no theme: `check` starts without it

            close = difflib.get_close_matches(normalise(value.name), list(keys), n=1)
            hint = f"did you mean {_quoted(keys[close[0]])}? declare an alias in page_map.yaml" if close else None
            if not keys:
                hint = f"the page has no theme section at all; {_SECTIONS_HINT}"
            yield Finding(value.line, value.column, f"{_quoted(value.name)} names no theme section", None, hint)


_DRIFT = {
    MatchKind.NORMALISED: "only when case, spaces and punctuation are ignored",
    MatchKind.SLASH_PART: "only through one side of its slash",
}


@_rule("WS302", "warning", "naming drift: a table value matches a heading only after normalising or by one side of a slash; a declared alias silences it")
def _naming_drift(subject: Subject) -> Iterator[Finding]:
    for _, value, match in subject.value_matches:
        if match is not None and match.kind in _DRIFT:
            yield Finding(
                value.line,
                value.column,
                f"{_quoted(value.name)} matches theme {_quoted(match.theme)} {_DRIFT[match.kind]}",
                match.theme,
                _alias_hint(value.name, match.theme),
            )


@_rule("WS303", "warning", "a row of the priorities table with no values")
def _empty_row(subject: Subject) -> Iterator[Finding]:
    for row in subject.report.priorities:
        if not row.values:
            yield Finding(row.line, 1, f"priority {_quoted(row.priority)} lists no themes")


@_rule("WS304", "warning", "a value (the theme it names, or its normalised text) listed under two priorities or twice in one")
def _value_listed_twice(subject: Subject) -> Iterator[Finding]:
    first: dict[str, Priority] = {}
    for row, value, match in subject.value_matches:
        key = match.theme if match is not None else normalise(value.name)
        if not key:
            continue
        if key not in first:
            first[key] = row
            continue
        earlier = first[key]
        where = "earlier in this row" if earlier is row else f"under priority {_quoted(earlier.priority)} (line {earlier.line})"
        yield Finding(value.line, value.column, f"{_quoted(value.name)} is also listed {where}", match.theme if match else None)


# -- WS4xx: key questions --------------------------------------------------------------------


@_rule(
    "WS401",
    "warning",
    "a key question without options while another has them; exempt are a question the priorities "
    "table comes right after (the table answers it) and the last question (open-ended)",
)
def _question_without_options(subject: Subject) -> Iterator[Finding]:
    questions = subject.report.questions
    if not any(q.options for q in questions):
        return
    for question, following in pairwise(questions):
        if not question.options and not _answered_by_table(question, following, subject.report):
            yield Finding(question.line, 1, f"question {_quoted(question.text)} has no options, unlike the others")


def _answered_by_table(question: Question, following: Question, report: Report) -> bool:
    table = report.priorities_line
    return table is not None and question.line < table < following.line
