"""A summary's counts ``(26s)`` against the history of the sources they count.

A count belongs to the sources that the citations of its part of the block name: in a paragraph or bullet,
each citation goes with the nearest count before it (a citation before the first count, with the first),
and a count's sources are those its citations resolve to without ambiguity. With several, their statements
are added up. The count was true when, at some revision up to the summary's, the sources held that many
statements; what they hold now tells how many the count has not seen.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..base import OtherSource
from .records import Citation, CountCheck, StatementCount, SummaryReport
from .resolve import code_candidates

__all__ = ["check_counts", "counted_titles"]


def _citations_of_counts(report: SummaryReport) -> list[tuple[StatementCount, list[Citation]]]:
    owned: list[tuple[StatementCount, list[Citation]]] = [(count, []) for count in report.counts]
    for citation in report.citations:
        if citation.block is None or citation.number is None:
            continue
        in_block = [pair for pair in owned if pair[0].block == citation.block]
        if not in_block:
            continue
        before = [pair for pair in in_block if (pair[0].line, pair[0].column) < (citation.line, citation.column)]
        (before[-1] if before else in_block[0])[1].append(citation)
    return owned


def _count_sources(report: SummaryReport, others: Sequence[OtherSource]) -> list[tuple[StatementCount, tuple[str, ...]]]:
    """Each count with the titles of the sources it counts (none: it cites nothing that resolves)."""
    coded = [other for other in others if other.code]
    found = []
    for count, citations in _citations_of_counts(report):
        titles: dict[str, None] = {}
        for citation in citations:
            candidates = code_candidates(citation, coded)
            if len(candidates) == 1:
                titles.setdefault(candidates[0].title)
        found.append((count, tuple(titles)))
    return found


def counted_titles(report: SummaryReport, others: Sequence[OtherSource]) -> list[str]:
    """Every source a count counts, in the order first counted."""
    return list(dict.fromkeys(title for _, titles in _count_sources(report, others) for title in titles))


def check_counts(report: SummaryReport, others: Sequence[OtherSource]) -> tuple[CountCheck, ...]:
    """Each count whose every source's history was read, compared with it."""
    histories = {other.title: other.statement_history for other in others}
    checks = []
    for count, titles in _count_sources(report, others):
        chosen = [histories.get(title) for title in titles]
        if not titles or any(history is None for history in chosen):
            continue
        checks.append(_compare(count, titles, [history or () for history in chosen], report.revision))
    return tuple(checks)


def _compare(count: StatementCount, titles: tuple[str, ...], histories: list[tuple[tuple[int, int], ...]],
             limit: int | None) -> CountCheck:
    moments = sorted({revision for history in histories for revision, _ in history if limit is None or revision <= limit})

    def total_at(moment: int) -> int:
        return sum(next((statements for revision, statements in reversed(history) if revision <= moment), 0)
                   for history in histories)

    totals = [(moment, total_at(moment)) for moment in moments]
    seen = tuple(total for number, (_, total) in enumerate(totals) if number == 0 or totals[number - 1][1] != total)
    true_at = max((moment for moment, total in totals if total == count.count), default=None)
    now = sum(history[-1][1] for history in histories if history)
    return CountCheck(count, titles, seen, totals[-1][1] if totals else None, now, true_at)
