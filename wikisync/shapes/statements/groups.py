"""Statements grouped by one coded role (the theme, by default): what the summary templates list."""

from __future__ import annotations

from dataclasses import dataclass

from ..records import CODED_ROLES, Codebook, Statement, StatementReport

__all__ = ["UNCODED", "StatementGroup", "group_statements", "grouping_role"]

UNCODED = ""
"""The code of the group of statements that carry no code in the role."""


@dataclass(frozen=True)
class StatementGroup:
    code: str
    label: str
    statements: tuple[Statement, ...]
    anchors: frozenset[str]
    """Ids whose anchor stands in this group: a statement listed in several groups is anchored in the first."""
    in_codebook: bool = True
    """False for the statements without a code and for a code the codebook lacks, whose :attr:`label`
    says so in English; a template in another language says it in its own words."""


def grouping_role(codebook: Codebook | None, preferred: str | None = None) -> str:
    """The role statements are grouped by: the one asked for, else the theme when the codebook has
    themes (or there is no codebook), else the codebook's first coded kind."""
    if preferred:
        return preferred
    if codebook is None or codebook.knows("theme"):
        return "theme"
    return next((role for role in CODED_ROLES if codebook.knows(role)), "theme")


def group_statements(report: StatementReport, role: str = "theme", codebook: Codebook | None = None) -> tuple[StatementGroup, ...]:
    """Every code of the codebook (even with no statement), then codes the codebook lacks in page
    order, then the statements with no code; statements in page order within each group."""
    codebook = codebook or report.codebook
    labels = dict(codebook.kinds.get(role, {})) if codebook else {}
    members: dict[str, list[Statement]] = {code: [] for code in labels}
    uncoded: list[Statement] = []
    for statement in report.statements:
        codes = list(dict.fromkeys(statement.codes.get(role, ())))
        if not codes:
            uncoded.append(statement)
        for code in codes:
            members.setdefault(code, []).append(statement)
    if uncoded:
        members[UNCODED] = uncoded
    anchored: dict[str, str] = {}
    for code, statements in members.items():
        for statement in statements:
            anchored.setdefault(statement.id, code)
    return tuple(
        StatementGroup(
            code,
            labels.get(code, f"no {role}" if code == UNCODED else "not in the codebook"),
            tuple(statements),
            frozenset(s.id for s in statements if anchored[s.id] == code),
            code in labels,
        )
        for code, statements in members.items()
    )
