"""Rules over a summary page (WS6xx): citations that resolve to no statement, or to more than one; counts
that were never true, or that the sources have outgrown (WS603, WS605: only with the sources' history).

The rules that need the page map's statement sources (WS601, WS602, WS604) find nothing on a summary read
alone (a file checked without a page map): its citations are then not resolved.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...diagnostics import NO_OVERRIDES, Diagnostic, Finding, RuleSet, quoted
from .records import Resolution, SummaryReport

__all__ = ["SUMMARY_RULES", "check_summary"]

SUMMARY_RULES: RuleSet[SummaryReport] = RuleSet("summary")
_rule = SUMMARY_RULES.rule


def check_summary(report: SummaryReport, *, rules: Mapping[str, str] = NO_OVERRIDES) -> list[Diagnostic]:
    return SUMMARY_RULES.run(report, report.line_count, rules)


def _resolved(report: SummaryReport, per_line: bool = True) -> Iterator[Resolution]:
    """The resolved citations that have a line number (WS606 reports the others); with ``per_line`` false,
    a range is one citation (its first line), since what is said of its code holds for every line."""
    seen: set[tuple[int, int, str]] = set()
    for resolution in report.resolutions or ():
        citation = resolution.citation
        key = (citation.line, citation.column, citation.cited if per_line else "")
        if citation.number is not None and key not in seen:
            seen.add(key)
            yield resolution


@_rule("WS601", "warning", "a citation whose code no statement source of the page map has")
def _no_such_code(report: SummaryReport) -> Iterator[Finding]:
    for resolution in _resolved(report, per_line=False):
        citation = resolution.citation
        if resolution.sources:
            continue
        if citation.dotted:
            message = f"{citation.cited}: no source has the code {citation.code!r}"
        else:
            message = (f"{citation.cited}: no source has the code {citation.code!r}, "
                       f"nor is there a source {citation.code}1, {citation.code}2… to be the first of")
        yield Finding(citation.line, citation.column, message, None,
                      "give the source its code: in page_map.yaml (code:), or correct the citation")


@_rule("WS602", "warning", "a citation of a line its source has no statement with")
def _no_such_line(report: SummaryReport) -> Iterator[Finding]:
    for resolution in _resolved(report):
        citation = resolution.citation
        if len(resolution.sources) != 1 or not resolution.sources[0].read or resolution.statements:
            continue
        source = resolution.sources[0]
        yield Finding(citation.line, citation.column,
                      f"{citation.cited}: {source.title} (code {source.code}) has no statement with line {citation.number}",
                      None, f"its lines: {source.lines}")


@_rule("WS604", "warning", "an ambiguous citation: two sources fit its code, or its line is two statements")
def _ambiguous(report: SummaryReport) -> Iterator[Finding]:
    ambiguous_codes = {(r.citation.line, r.citation.column): r for r in _resolved(report, per_line=False) if len(r.sources) > 1}
    for (line, column), resolution in ambiguous_codes.items():
        citation = resolution.citation
        candidates = ", ".join(f"{source.code} ({source.title})" for source in resolution.sources)
        yield Finding(line, column, f"{citation.cited} is ambiguous: it fits {candidates}", None, _unambiguous(resolution))
    for resolution in _resolved(report):
        citation = resolution.citation
        if len(resolution.statements) > 1:
            yield Finding(citation.line, citation.column,
                          f"{citation.cited} is ambiguous: line {citation.number} of {resolution.sources[0].code} "
                          f"is {len(resolution.statements)} statements: {', '.join(resolution.statements)}",
                          None, "number the source's rows apart, or cite the statement by its id")


def _unambiguous(resolution: Resolution) -> str:
    number = resolution.citation.number
    indexed = [f"§{source.code}.{number} for {source.code}" for source in resolution.sources if source.code[-1:].isdigit()]
    bare = [source.code for source in resolution.sources if not source.code[-1:].isdigit()]
    hint = f"cite with a dot: {', '.join(indexed)}" if indexed else ""
    if bare:
        hint += ("; " if hint else "") + f"{', '.join(bare)} can be cited only so: give it an index digit in page_map.yaml"
    return hint


def _counted(titles: tuple[str, ...]) -> str:
    return titles[0] if len(titles) == 1 else " + ".join(titles)


@_rule("WS603", "warning", "a count that matches its sources' statement count at no revision up to the summary's")
def _never_true(report: SummaryReport) -> Iterator[Finding]:
    for check in report.count_checks:
        if check.true_at is not None:
            continue
        count = check.count
        if check.seen:
            held = ", ".join(map(str, check.seen[-10:]))
            had = f"had {held} statements{' (the last 10 counts)' if len(check.seen) > 10 else ''}"
        else:
            had = "did not exist"
        yield Finding(count.line, count.column,
                      f"({count.count}s): {_counted(check.sources)} {had} up to the summary's revision, never {count.count}",
                      None, f"it has {check.now} now")


@_rule("WS605", "info", "a count that the sources' statements have outgrown: statements it has not seen")
def _outgrown(report: SummaryReport) -> Iterator[Finding]:
    for check in report.count_checks:
        if check.true_at is None or check.since <= 0:
            continue
        count = check.count
        yield Finding(count.line, count.column,
                      f"({count.count}s), now {check.now}: {check.since} since, in {_counted(check.sources)}",
                      None, f"the count was true at revision {check.true_at}")


@_rule("WS607", "info", "a count tied to no source: no citation of its part of the block resolves, nor does its community name one")
def _untied(report: SummaryReport) -> Iterator[Finding]:
    for tie in report.ties or ():
        if tie.by is not None:
            continue
        count = tie.count
        named = (f"{quoted(count.community)} names {', '.join(tie.candidates)} alike" if tie.candidates
                 else f"{quoted(count.community)} names no source's title" if count.community else "no community is named before it")
        yield Finding(count.line, count.column,
                      f"({count.count}s) could not be tied to a source: no citation of its part of the block resolves to one, "
                      f"and {named}", None,
                      "cite one of its statements, or name its source as its title does, or give it the name in page_map.yaml (community:)")


@_rule("WS606", "warning", "a citation wikisync cannot read (no line number, a range ending before it starts)")
def _malformed(report: SummaryReport) -> Iterator[Finding]:
    for line, column, what in report.malformed:
        yield Finding(line, column, what)
