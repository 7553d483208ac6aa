"""The summary shape: a page written by hand from the source pages (``Sources/Summary``, ``Cycle 2/Final
summary``…), prose and bullets that give counts of statements (``(26s)``) and cite them (``(§Ar1.4)``).

A summary is read, never edited. Its citations are resolved against the codes of the page map's statement
sources (:mod:`.resolve`), which makes it the one shape that reads across sources (``cross_source``). Its
default target is a report of its citations, ``{source}/Citations``. The parser is loaded on the first
parse, so that reading the page map loads no parser.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ...diagnostics import Diagnostic, summary_line
from ..base import Citing, OtherSource, PageContext, Shape, SourceSettings, SourceTally, TargetSettings
from ..records import CitedBy, Codebook
from .counts import check_counts, counted_titles, tie_counts
from .records import SummaryReport
from .resolve import cited_titles, resolve
from .rules import SUMMARY_RULES, check_summary

__all__ = ["SummaryShape"]

_COUNT_FINDINGS = (("WS603", "count never true", "counts never true"), ("WS605", "count outgrown", "counts outgrown"),
                   ("WS607", "count tied to no source", "counts tied to no source"))
"""The counts' rules, as the check's line names what each found."""


def _counted(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"


class SummaryShape(Shape):
    name = "summary"
    rules = SUMMARY_RULES
    cross_source = True
    in_aggregates = False

    def default_targets(self, entry: Mapping[str, Any]) -> list[dict[str, str]]:
        return [{"title": "{source}/Citations", "template": "summary-citations.wiki.j2", "name": "citations"}]

    def parse(self, text: str, title: str, revision: int | None, settings: SourceSettings | None,
              codebooks: Mapping[str, Codebook]) -> SummaryReport:
        from .parser import parse_summary

        return parse_summary(text, title, revision)

    def cited_sources(self, report: SummaryReport, others: Sequence[OtherSource]) -> list[str]:
        """The sources it cites, and those its counts count (tied to them by their community's name)."""
        return list(dict.fromkeys([*cited_titles(report.citations, others), *self.counted_sources(report, others)]))

    def counted_sources(self, report: SummaryReport, others: Sequence[OtherSource]) -> list[str]:
        return counted_titles(tie_counts(report, others))

    def with_others(self, report: SummaryReport, settings: SourceSettings | None,
                    others: Sequence[OtherSource]) -> SummaryReport:
        ties = tie_counts(report, others)
        return replace(report, resolutions=resolve(report.citations, others), ties=ties,
                       count_checks=check_counts(report, others, ties))

    def citations(self, report: SummaryReport) -> list[Citing]:
        """Each citation that fits one source; its statement when it was resolved to exactly one."""
        return [Citing(r.sources[0].title, r.citation.number, r.statement, CitedBy(report.title, r.citation.line))
                for r in report.resolutions or () if len(r.sources) == 1 and r.citation.number is not None
                and len(r.statements) <= 1]

    def citations_written(self, report: SummaryReport) -> int:
        return len(report.citations)

    def check(self, report: SummaryReport, settings: SourceSettings | None) -> list[Diagnostic]:
        return check_summary(report, rules=settings.rules if settings else {})

    def check_line(self, report: SummaryReport, diagnostics: Sequence[Diagnostic]) -> str:
        """``12 citations, 2 unresolved, 1 count outgrown; 2 warnings``: what a summary's writer would ask
        first, then the findings by severity (the counts' findings as the rules' settings leave them)."""
        parts = [_counted(len(report.citations), "citation", "citations")]
        if report.resolutions is not None:
            unresolved = sum(resolution.statement is None for resolution in report.resolutions)
            parts.extend([f"{unresolved} unresolved"] if unresolved else [])
        for code, one, many in _COUNT_FINDINGS:
            found = sum(diagnostic.code == code for diagnostic in diagnostics)
            parts.extend([_counted(found, one, many)] if found else [])
        return f"{', '.join(parts)}; {summary_line(diagnostics)}"

    def counts(self, report: SummaryReport) -> dict[str, int]:
        """Nothing for the destructive-change guard: a summary is read, never published from."""
        return {}

    def described_counts(self, report: SummaryReport) -> dict[str, int]:
        return {"citations": len(report.citations), "counts": len(report.counts)}

    def code_counts(self, report: SummaryReport) -> dict[str, dict[str, int]]:
        per_code: dict[str, int] = {}
        for resolution in report.resolutions or ():
            if len(resolution.sources) == 1:
                per_code[resolution.sources[0].code] = per_code.get(resolution.sources[0].code, 0) + 1
        return {"source": per_code}

    def context(self, report: SummaryReport, settings: SourceSettings) -> PageContext:
        """Every citation with what it resolves to, and the counts."""

        def instances(target: TargetSettings) -> list[tuple[str, dict[str, Any]]]:
            return [(target.title.format(source=settings.page), {})]

        diagnostics = self.check(report, settings)
        checks = {(check.count.line, check.count.column): check for check in report.count_checks}
        ties = {(tie.count.line, tie.count.column): tie for tie in report.ties or ()}
        return PageContext({"resolutions": report.resolutions or (), "counts": report.counts, "count_checks": checks,
                            "ties": ties, "findings": diagnostics}, instances)

    def tally(self, report: SummaryReport, settings: SourceSettings, role: str,
              keyword_codes: Callable[[str], tuple[str, ...]]) -> SourceTally:
        return SourceTally(0)
