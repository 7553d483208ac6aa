"""A source page as a run sees it, whatever its shape: parsed, checked, counted and rendered.

:mod:`wikisync.sync` works on a :class:`Reading` and never asks which shape a source has; this is the
one place that knows which parser, checker and renderer each shape uses.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .check import Diagnostic, check
from .check_statements import check_statements
from .config import SourceSpec
from .model import Report
from .render import DesiredPage, render, render_statements
from .shapes.records import Codebook, StatementReport
from .shapes.statements import parse_statements
from .shapes.themes import parse_themes
from .titles import with_source

__all__ = ["Reading", "read_source"]


@dataclass(frozen=True)
class Reading:
    spec: SourceSpec
    report: Report | StatementReport
    diagnostics: tuple[Diagnostic, ...]
    counts: Mapping[str, int]
    """What the destructive-change guard compares with the last run: themes and comments, or statements."""

    def describe(self) -> str:
        return ", ".join(f"{count} {noun}" for noun, count in self.counts.items())

    def pages(self, templates: Path) -> list[DesiredPage]:
        if isinstance(self.report, StatementReport):
            return render_statements(self.report, self.spec, templates)
        return render(self.report, self.spec, templates)


def read_source(text: str, title: str, revision: int | None, spec: SourceSpec, codebooks: Mapping[str, Codebook]) -> Reading:
    """Parse and check a source's text as its page-map entry says."""
    if spec.shape == "statements":
        statements = parse_statements(text, title, revision, codebook=codebooks.get(spec.codebook or ""),
                                      columns=spec.columns, code=spec.code)
        return Reading(spec, statements, tuple(check_statements(statements, rules=spec.rules)),
                       {"statements": len(statements.statements)})
    report = parse_themes(text, title, revision, spec.theme_sections)
    patterns = tuple(with_source(target.title, spec.page) for target in spec.targets if target.each == "theme")
    diagnostics = check(report, aliases=spec.aliases, rules=spec.rules, title_patterns=patterns)
    return Reading(spec, report, tuple(diagnostics), {"themes": len(report.themes), "comments": report.comment_count})
