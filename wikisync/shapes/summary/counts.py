"""A summary's counts ``(26s)`` against the history of the sources they count.

A count belongs to the sources that the citations of its part of the block name: in a paragraph or bullet,
each citation goes with the nearest count before it (a citation before the first count, with the first),
and a count's sources are those its citations resolve to without ambiguity. With several, their statements
are added up. A count none of whose citations resolve so is tied through its community, the text before it:
to the source one of whose page-map ``community:`` names it contains (case and spacing aside; a name inside a
longer name found there does not count; names of two sources tie it to none); failing that, to the source
whose title's last part it names word for word (``Arabic village pump`` names ``…/Arabic-Village-Pump``; of
several, the one naming most words; a tie between them ties it to none).
The count was true when, at some revision up to the summary's, the sources held that many
statements; what they hold now tells how many the count has not seen.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..base import OtherSource
from .records import Citation, CountCheck, CountTie, StatementCount, SummaryReport
from .resolve import code_candidates

__all__ = ["check_counts", "counted_titles", "tie_counts"]

_WORD = re.compile(r"[^\W_]+")
COUNTED_SHAPE = "statements"
"""The shape of the sources a count counts statements of."""


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


def tie_counts(report: SummaryReport, others: Sequence[OtherSource]) -> tuple[CountTie, ...]:
    """Each count with the sources it counts: through its citations, or else its community."""
    coded = [other for other in others if other.code]
    counted = [other for other in others if other.shape == COUNTED_SHAPE]
    ties = []
    for count, citations in _citations_of_counts(report):
        titles: dict[str, None] = {}
        for citation in citations:
            candidates = code_candidates(citation, coded)
            if len(candidates) == 1:
                titles.setdefault(candidates[0].title)
        if titles:
            ties.append(CountTie(count, tuple(titles), "citations"))
            continue
        named = _named_in(count.community, counted) or _named_by(count.community, counted)
        ties.append(CountTie(count, named, "community") if len(named) == 1 else CountTie(count, (), None, named))
    return tuple(ties)


def _words(text: str) -> list[str]:
    return [word.casefold() for word in _WORD.findall(text)]


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def _name_pattern(name: str) -> re.Pattern[str]:
    """The folded name, not as part of a longer word (``Arabic`` is not in ``Arabicised``)."""
    start = r"(?<![^\W_])" if _WORD.match(name) else ""
    end = r"(?![^\W_])" if _WORD.match(name[-1]) else ""
    return re.compile(start + re.escape(name) + end)


def _named_in(community: str, others: Sequence[OtherSource]) -> tuple[str, ...]:
    """The sources one of whose ``community:`` names the community contains, leaving out a name found only
    inside a longer one found there (``village pump`` in ``Arabic village pump``)."""
    said = _folded(community)
    found = [(match.start(), match.end(), other.title) for other in others for name in other.community
             if (folded := _folded(name)) for match in _name_pattern(folded).finditer(said)]
    kept = [title for start, end, title in found
            if not any(outer_start <= start and end <= outer_end and (outer_start, outer_end) != (start, end)
                       for outer_start, outer_end, _ in found)]
    return tuple(dict.fromkeys(kept))


def _named_by(community: str, others: Sequence[OtherSource]) -> tuple[str, ...]:
    """The sources whose title's last part the community names every word of, those naming most only."""
    said = set(_words(community))
    said |= {word[:-1] for word in said if word.endswith("s")}  # "pumps" names "Pump"
    named = [(len(words), other.title) for other in others
             if (words := set(_words(other.title.rsplit("/", 1)[-1]))) and words <= said]
    most = max((size for size, _ in named), default=0)
    return tuple(title for size, title in named if size == most)


def counted_titles(ties: Sequence[CountTie]) -> list[str]:
    """Every source a count counts, in the order first counted."""
    return list(dict.fromkeys(title for tie in ties for title in tie.sources))


def check_counts(report: SummaryReport, others: Sequence[OtherSource], ties: Sequence[CountTie]) -> tuple[CountCheck, ...]:
    """Each count whose every source's history was read, compared with it."""
    histories = {other.title: other.statement_history for other in others}
    checks = []
    for tie in ties:
        chosen = [histories.get(title) for title in tie.sources]
        if not tie.sources or any(history is None for history in chosen):
            continue
        checks.append(_compare(tie.count, tie.sources, [history or () for history in chosen], report.revision, tie.by or ""))
    return tuple(checks)


def _compare(count: StatementCount, titles: tuple[str, ...], histories: list[tuple[tuple[int, int], ...]],
             limit: int | None, by: str) -> CountCheck:
    moments = sorted({revision for history in histories for revision, _ in history if limit is None or revision <= limit})

    def total_at(moment: int) -> int:
        return sum(next((statements for revision, statements in reversed(history) if revision <= moment), 0)
                   for history in histories)

    totals = [(moment, total_at(moment)) for moment in moments]
    seen = tuple(total for number, (_, total) in enumerate(totals) if number == 0 or totals[number - 1][1] != total)
    true_at = max((moment for moment, total in totals if total == count.count), default=None)
    now = sum(history[-1][1] for history in histories if history)
    return CountCheck(count, titles, seen, totals[-1][1] if totals else None, now, true_at, by)
