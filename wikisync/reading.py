"""A source page as a run sees it, whatever its shape: parsed, checked and counted by its shape.

A shape that reads across sources (a summary's citations) gets the page map's other sources through
:class:`Across`: their codes from the page map, and the text of those it cites, read by the caller (from
the wiki in one batch, or from files).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace

from .config import PageMap, SourceSpec
from .diagnostics import Diagnostic
from .shapes import Shape, shape
from .shapes.base import Citing, OtherSource, ShapeReport
from .shapes.records import Codebook
from .titles import title_key

__all__ = ["Across", "Cites", "CountHistory", "HistoryReader", "Reading", "SourceText", "count_history", "read_source"]

SourceText = tuple[str, int | None]
"""A page's text and revision (None for a file)."""

CountHistory = tuple[tuple[int, int], ...]
"""(revision, statements) of every revision of a source, oldest first."""

HistoryReader = Callable[[SourceSpec, int, Callable[[str], int]], CountHistory | None]
"""Reads the statement count of every revision of a source up to ``revision`` (its latest), counting a
revision's text with the function given; None when it cannot (the counts are then not checked)."""


@dataclass(frozen=True)
class Reading:
    spec: SourceSpec
    shape: Shape
    report: ShapeReport
    diagnostics: tuple[Diagnostic, ...]
    counts: Mapping[str, int]
    """What the destructive-change guard compares with the last run: themes and comments, or statements."""

    def describe(self) -> str:
        return ", ".join(f"{count} {noun}" for noun, count in self.shape.described_counts(self.report).items())

    def check_line(self) -> str:
        """The check's findings in brief, for the run's record and the status page."""
        return self.shape.check_line(self.report, self.diagnostics)

    def notes(self) -> list[str]:
        """What a dry run says about how the pages come out."""
        return self.shape.notes(self.report, self.spec)


@dataclass(frozen=True)
class Cites:
    """What one cross-source source (a summary) cites of the others, by their codes alone (:meth:`Across.cites`)."""

    title: str
    revision: int | None
    written: int
    """Every citation it writes, whether or not it resolves."""
    citing: tuple[Citing, ...]
    """Those that fit one source, each with the Line it cites (:meth:`Shape.citations`)."""


@dataclass(frozen=True)
class Across:
    """The page map's other sources, for a shape that reads across them; ``read_texts`` reads the text of
    the titles it is given (all at once), and leaves out those it cannot read."""

    page_map: PageMap
    read_texts: Callable[[list[str]], Mapping[str, SourceText]]
    read_history: HistoryReader | None = None
    """None (a file): no history, so the counts are not checked."""
    note: Callable[[str], None] | None = None
    """Told, in one line, what goes unchecked for want of a history (a file's counts)."""

    def others(self, title: str) -> list[OtherSource]:
        return [OtherSource(spec.page, spec.shape, spec.code, shape(spec.shape).anchor_page(spec), community=spec.community)
                for spec in self.page_map.sources if title_key(spec.page) != title_key(title)]

    def report(self, found: Shape, report: ShapeReport, settings: SourceSpec | None) -> ShapeReport:
        """``report`` with what it takes from the other sources; the ones it cites are read and parsed."""
        others = self.others(report.title)
        wanted = found.cited_sources(report, others)
        texts = self.read_texts(wanted) if wanted else {}
        specs = {spec.page: spec for spec in self.page_map.sources}
        read = []
        for other in others:
            if other.title in texts:
                spec = specs[other.title]
                text, revision = texts[other.title]
                other = replace(other, report=shape(spec.shape).parse(text, spec.page, revision, spec, self.page_map.codebooks))
            read.append(other)
        counted = set(found.counted_sources(report, others))
        if self.read_history is None and counted and self.note is not None:
            self.note(f"{report.title}: its counts of {len(counted)} source{'s' if len(counted) > 1 else ''}' statements are "
                      "not checked against their history: a file has none (check --page TITLE reads it from the wiki)")
        if self.read_history is not None:
            read = [self._with_history(other, specs[other.title]) if other.title in counted and other.report else other
                    for other in read]
        return found.with_others(report, settings, read)

    def citations(self, text: str, title: str, revision: int | None, spec: SourceSpec) -> list[Citing]:
        """What a source cites of the others, by their codes alone: none of them is read (a citation then
        names the Line it cites, which the cited source's own reading turns into its statement)."""
        return list(self.cites(text, title, revision, spec).citing)

    def cites(self, text: str, title: str, revision: int | None, spec: SourceSpec) -> Cites:
        """:meth:`citations`, with how many citations the source writes in all."""
        found = shape(spec.shape)
        report = found.with_others(found.parse(text, title, revision, spec, self.page_map.codebooks), spec, self.others(title))
        return Cites(title, revision, found.citations_written(report), tuple(found.citations(report)))

    def _with_history(self, other: OtherSource, spec: SourceSpec) -> OtherSource:
        assert self.read_history is not None and other.report is not None
        counter = shape(spec.shape)
        if other.report.revision is None or "statements" not in counter.counts(other.report):
            return other  # a file, or a shape without statements to count

        def statements(text: str) -> int:
            report = counter.parse(text, spec.page, None, spec, self.page_map.codebooks)
            return counter.counts(report).get("statements", 0)

        return replace(other, statement_history=self.read_history(spec, other.report.revision, statements))


def count_history(revisions: Iterable[tuple[int, str]], revision: int, statements: Callable[[str], int],
                  known: Mapping[int, int] | None = None) -> tuple[dict[int, int], CountHistory]:
    """The statements of each revision read (``revisions``: id and text), added to those ``known`` already;
    and the history up to ``revision``, oldest first."""
    counted = dict(known or {})
    counted.update((number, statements(text)) for number, text in revisions)
    return counted, tuple(sorted((number, count) for number, count in counted.items() if number <= revision))


def read_source(text: str, title: str, revision: int | None, spec: SourceSpec, codebooks: Mapping[str, Codebook],
                across: Across | None = None, cited: Sequence[Citing] | None = None) -> Reading:
    """Parse and check a source's text as its page-map entry says (with ``across``, against the others;
    with ``cited``, with the citations of its statements by the others)."""
    found = shape(spec.shape)
    report = found.parse(text, title, revision, spec, codebooks)
    if found.cross_source and across is not None:
        report = across.report(found, report, spec)
    if cited is not None:
        report = found.with_cited_by(report, cited)
    return Reading(spec, found, report, tuple(found.check(report, spec)), found.counts(report))
