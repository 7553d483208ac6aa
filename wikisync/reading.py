"""A source page as a run sees it, whatever its shape: parsed, checked and counted by its shape."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .config import SourceSpec
from .diagnostics import Diagnostic
from .shapes import Shape, shape
from .shapes.base import ShapeReport
from .shapes.records import Codebook

__all__ = ["Reading", "read_source"]


@dataclass(frozen=True)
class Reading:
    spec: SourceSpec
    shape: Shape
    report: ShapeReport
    diagnostics: tuple[Diagnostic, ...]
    counts: Mapping[str, int]
    """What the destructive-change guard compares with the last run: themes and comments, or statements."""

    def describe(self) -> str:
        return ", ".join(f"{count} {noun}" for noun, count in self.counts.items())

    def notes(self) -> list[str]:
        """What a dry run says about how the pages come out."""
        return self.shape.notes(self.report, self.spec)


def read_source(text: str, title: str, revision: int | None, spec: SourceSpec, codebooks: Mapping[str, Codebook]) -> Reading:
    """Parse and check a source's text as its page-map entry says."""
    found = shape(spec.shape)
    report = found.parse(text, title, revision, spec, codebooks)
    return Reading(spec, found, report, tuple(found.check(report, spec)), found.counts(report))
