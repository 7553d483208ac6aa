"""Resolve a summary's citations against the codes of the page map's statement sources.

``§Bn1.2`` is line 2 of the source whose code is ``Bn1``. Without a dot, ``§FR1`` is line 1 of the source
``FR`` (a code with no index digit), and ``§Ar4`` is line 4 of the first or only source of the community
``Ar`` (``Ar1``, or ``Ar2`` when there is no ``Ar1``): both readings are tried, and a citation that fits
two sources is ambiguous, never silently picked. Codes compare case-insensitively.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..base import OtherSource
from ..records import StatementReport
from .records import Citation, CitedSource, Resolution

__all__ = ["cited_titles", "code_candidates", "resolve"]


def resolve(citations: Sequence[Citation], others: Sequence[OtherSource]) -> tuple[Resolution, ...]:
    coded = [other for other in others if other.code]
    cited = {other.title: _cited_source(other) for other in coded}
    resolutions = []
    for citation in citations:
        sources = tuple(cited[other.title] for other in code_candidates(citation, coded))
        statements: tuple[str, ...] = ()
        if len(sources) == 1 and citation.number is not None:
            report = next(other.report for other in coded if other.title == sources[0].title)
            if isinstance(report, StatementReport):
                statements = tuple(s.id for s in report.statements if s.line == citation.number)
        resolutions.append(Resolution(citation, sources, statements))
    return tuple(resolutions)


def code_candidates(citation: Citation, others: Sequence[OtherSource]) -> list[OtherSource]:
    """The sources whose code the citation fits (see the module's docstring)."""
    wanted = citation.code.casefold()
    exact = [other for other in others if (other.code or "").casefold() == wanted]
    if citation.dotted:
        return exact
    community = re.compile(re.escape(wanted) + r"([0-9]+)")
    members = [(int(match.group(1)), other) for other in others
               if (match := community.fullmatch((other.code or "").casefold()))]
    first = min((index for index, _ in members), default=None)
    return exact + [other for index, other in members if index == first]


def cited_titles(citations: Sequence[Citation], others: Sequence[OtherSource]) -> list[str]:
    """Every source a citation fits, in the order first cited."""
    coded = [other for other in others if other.code]
    titles: dict[str, None] = {}
    for citation in citations:
        for other in code_candidates(citation, coded):
            titles.setdefault(other.title)
    return list(titles)


def _cited_source(other: OtherSource) -> CitedSource:
    report = other.report
    if not isinstance(report, StatementReport):
        return CitedSource(other.title, other.code or "", other.anchor_page)
    numbers = sorted({s.line for s in report.statements if s.line is not None})
    lines = f"{numbers[0]}–{numbers[-1]}" if len(numbers) > 1 else "".join(map(str, numbers)) or "none"
    return CitedSource(other.title, other.code or "", other.anchor_page, True, lines)
