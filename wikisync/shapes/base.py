"""What a shape provides, through one protocol: the rest of wikisync works on any shape through it.

A shape reads one kind of source page (a narrative report, a statement table…): its parser, its check
rules, its default targets, its counts for the destructive-change guard, the per-code counts of its JSON
data page, what its templates see, and what it adds to the corpus aggregates. The page-map entry a shape
reads is :class:`SourceSettings`, which the page map's ``SourceSpec`` satisfies: shapes sit below the
page map and never import it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar, Protocol

from ..diagnostics import Diagnostic, RuleSet, summary_line
from ..model import Anomaly, ThemeSections
from .records import CitedBy, Codebook
from .translate_markup import TranslateMarkup

__all__ = ["NO_CODE", "Alignment", "Citing", "ExportRow", "OtherSource", "PageContext", "Shape", "ShapeReport", "SourceSettings", "SourceTally",
           "TargetSettings"]


NO_CODE = ""
"""The code of what carries no code of the role (and no mapped keyword)."""


class ShapeReport(Protocol):
    """A parsed source page, whatever its shape."""

    @property
    def title(self) -> str: ...

    @property
    def revision(self) -> int | None: ...

    @property
    def line_count(self) -> int: ...

    def to_dict(self) -> dict[str, Any]: ...


class TargetSettings(Protocol):
    @property
    def title(self) -> str: ...

    @property
    def each(self) -> str | None: ...

    @property
    def name(self) -> str: ...


class SourceSettings(Protocol):
    """A source's entry in the page map, as the shapes read it."""

    @property
    def page(self) -> str: ...

    @property
    def shape(self) -> str: ...

    @property
    def targets(self) -> Sequence[TargetSettings]: ...

    @property
    def code(self) -> str | None: ...

    @property
    def codebook(self) -> str | None: ...

    @property
    def group_by(self) -> str | None: ...

    @property
    def columns(self) -> Mapping[str, str]: ...

    @property
    def aliases(self) -> Mapping[str, str]: ...

    @property
    def rules(self) -> Mapping[str, str]: ...

    @property
    def theme_sections(self) -> ThemeSections: ...


Instances = Callable[[TargetSettings], Iterable[tuple[str, dict[str, Any]]]]


@dataclass(frozen=True)
class PageContext:
    """What a shape's templates see besides the source, its revision, the report and the single pages'
    titles (``values``), and every page of a target with the names only that page sees (``instances``:
    one page of a single target; one per theme, code… of a per-item target)."""

    values: Mapping[str, Any]
    instances: Instances


@dataclass
class SourceTally:
    """What one source adds to the corpus aggregates."""

    count: int
    """Statements (a narrative: comments)."""
    row: Counter[str] = field(default_factory=Counter)
    """Code -> statements, in the aggregate's role (:data:`NO_CODE`: none)."""
    keywords: list[str] = field(default_factory=list)
    """Every keyword as the source writes it, once per statement that has it."""
    index: list[tuple[str, str]] = field(default_factory=list)
    """(statement id, ``page#id``) of every statement, when the source has a page with their anchors."""
    participants: int | None = None
    participants_text: str = ""
    summary_page: str | None = None
    cited: int | None = None
    """Statements that some summary cites; None when the run has no summaries to tell."""
    cited_by: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Statement id -> the titles of the summaries citing it, in the source's order (an id none cites: absent)."""


@dataclass(frozen=True)
class OtherSource:
    """Another source of the page map, as a shape that reads across sources sees it (a summary's citations)."""

    title: str
    shape: str
    code: str | None
    anchor_page: str | None = None
    """The page where its items have anchors (a statement source's summary), or None."""
    report: ShapeReport | None = None
    """Its report, when it was read (only the sources :meth:`Shape.cited_sources` names are)."""
    statement_history: tuple[tuple[int, int], ...] | None = None
    """(revision, statements) of every revision of the page, oldest first, when its history was read (only
    the sources :meth:`Shape.counted_sources` names are, and only from a wiki)."""
    community: tuple[str, ...] = ()
    """The names the page map gives its community (``community:``), for a summary's counts to be tied by."""


@dataclass(frozen=True)
class Citing:
    """One statement a report cites (:meth:`Shape.citations`), for the cited source's pages to show."""

    source: str
    """The cited source's title, as the page map spells it."""
    number: int | None
    """The cited statement's Line, as the citation writes it."""
    statement: str | None
    """The cited statement's id, when the citation was resolved against the source's statements."""
    by: CitedBy


@dataclass(frozen=True)
class ExportRow:
    """One statement (a narrative: one comment) as ``wikisync export`` writes it."""

    id: str
    line: int | None
    """The statement's number as its page writes it (a narrative comment: its line in the wikitext)."""
    source_line: int
    """1-based line of the statement in the wikitext."""
    text: str
    keywords: tuple[str, ...] = ()
    codes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Coded role -> codes (an empty tuple: the statement has none of that role)."""


@dataclass(frozen=True)
class Alignment:
    """A translation page read against its source's report by the source's shape (:meth:`Shape.align`)."""

    report: ShapeReport
    """The source's items, ids and order with the translation's text; what it lacks is left out."""
    untranslated: frozenset[str] = frozenset()
    """Ids of the items kept in the source language (their text wrapped with its ``lang`` and ``dir``)."""
    fuzzy: frozenset[str] = frozenset()
    """Ids of the items whose translation is outdated."""
    missing: tuple[str, ...] = ()
    """The source's items (as the shape names them) the translation lacks."""
    issues: tuple[Anomaly, ...] = ()
    """What could not be aligned, as kinds of :data:`wikisync.translation.RULES` with their lines."""


class Shape(ABC):
    """One kind of source page. A subclass is registered in :mod:`wikisync.shapes`."""

    name: ClassVar[str]
    """The page map's ``shape:``."""
    each: ClassVar[str | None] = None
    """The per-item target kind (``each: theme``), which this shape alone fills in; None for none."""
    sample_part: ClassVar[str] = "A"
    """A typical value of ``{each}``, to try a per-item title pattern at load."""
    rules: ClassVar[RuleSet[Any]]
    export_roles: ClassVar[tuple[str, ...]] = ()
    """The coded columns its :meth:`export_rows` may fill, in the order an export shows them."""

    in_aggregates: ClassVar[bool] = True
    """False for a shape whose sources the corpus aggregates leave out (a summary: it has no statements)."""
    cross_source: ClassVar[bool] = False
    """True for a shape whose reading needs the page map's other sources (:meth:`with_others`)."""
    reads_translations: ClassVar[bool] = False
    """True for a shape that reads a source's translations (its :meth:`align` answers): its sources may
    have ``translations:``."""

    def default_targets(self, entry: Mapping[str, Any]) -> list[dict[str, str]] | None:
        """The targets of a page-map entry that names none; None when a source of this shape must name them."""
        return None

    @abstractmethod
    def parse(self, text: str, title: str, revision: int | None, settings: SourceSettings | None,
              codebooks: Mapping[str, Codebook]) -> ShapeReport:
        """Never raises on bad markup; raises ConfigError only for settings the page cannot be read with."""

    @abstractmethod
    def check(self, report: Any, settings: SourceSettings | None) -> list[Diagnostic]:
        """The rules' findings; without settings (a file checked without a page map), the defaults."""

    @abstractmethod
    def counts(self, report: Any) -> dict[str, int]:
        """What the destructive-change guard compares with the last run (``themes``, ``statements``…)."""

    def check_line(self, report: Any, diagnostics: Sequence[Diagnostic]) -> str:
        """The check's findings in brief, as the run's record keeps them and the status page shows them
        (``2 warnings``); by default the diagnostics counted by severity."""
        return summary_line(diagnostics)

    def described_counts(self, report: Any) -> dict[str, int]:
        """What a run's line about the source says it holds (``12 themes, 43 comments``); by default :meth:`counts`."""
        return self.counts(report)

    @abstractmethod
    def code_counts(self, report: Any) -> dict[str, dict[str, int]]:
        """The data page's ``counts``: per coded role, items per code."""

    @abstractmethod
    def context(self, report: Any, settings: SourceSettings) -> PageContext: ...

    @abstractmethod
    def tally(self, report: Any, settings: SourceSettings, role: str,
              keyword_codes: Callable[[str], tuple[str, ...]]) -> SourceTally:
        """``keyword_codes``: the codes a keyword (or a theme's name) counts under, for pages without codes."""

    def anchor_page(self, settings: SourceSettings) -> str | None:
        """The page where this source's items have anchors (``page#id``), or None."""
        return None

    def cited_sources(self, report: Any, others: Sequence[OtherSource]) -> list[str]:
        """Of ``others``, the titles whose reports :meth:`with_others` needs (a cross-source shape only)."""
        return []

    def counted_sources(self, report: Any, others: Sequence[OtherSource]) -> list[str]:
        """Of ``others``, the titles whose statement count through their history :meth:`with_others` needs."""
        return []

    def with_others(self, report: Any, settings: SourceSettings | None, others: Sequence[OtherSource]) -> ShapeReport:
        """The report with what it takes from the other sources (a cross-source shape only): ``others`` are
        every source of the page map but this one, with their reports where :meth:`cited_sources` asked
        for them and they could be read. :meth:`check` and :meth:`context` then see it."""
        return report

    def citations(self, report: Any) -> list[Citing]:
        """Every statement of another source that the report (as :meth:`with_others` left it) cites
        without ambiguity, with the line citing it; a shape that cites nothing: none."""
        return []

    def citations_written(self, report: Any) -> int:
        """How many citations the report writes, whether or not they resolve (a range: one per line it
        spans); a shape that cites nothing: 0."""
        return 0

    def with_cited_by(self, report: Any, citing: Sequence[Citing]) -> ShapeReport:
        """The report with the citations of its statements (``citing``: every one of this source, perhaps
        none), for its pages and the aggregates to show; a shape whose items cannot be cited: as it is."""
        return report

    def in_language(self, report: Any, languages: Sequence[str]) -> ShapeReport:
        """The report as a page in ``languages[0]`` shows it, where the page map gives words of its own per
        language (a codebook's labels), each taken from the first of ``languages`` (the language and its
        fallbacks) that has it; by default the report as it is."""
        return report

    def notes(self, report: Any, settings: SourceSettings) -> list[str]:
        """Lines a dry run shows about how the pages come out (a name published under another title…)."""
        return []

    def export_rows(self, report: Any, settings: SourceSettings) -> Iterable[ExportRow]:
        """Every statement of the page, in page order, as an export writes it; a shape without statements: none."""
        return ()

    def align(self, source: Any, markup: TranslateMarkup, title: str, revision: int | None, settings: SourceSettings,
              codebooks: Mapping[str, Codebook], source_language: str) -> Alignment | None:
        """A translation page (``markup``: its text without Translate's wrappers) read against ``source``,
        this shape's report of the page it translates; never raises on bad markup. None: this shape has no
        translation alignment (its translations are not read)."""
        return None

    def from_data(self, data: Mapping[str, Any], settings: SourceSettings, codebooks: Mapping[str, Codebook]) -> ShapeReport | None:
        """The report again from the source's JSON data page (as :func:`wikisync.render.source_data` wrote it),
        as far as the aggregates need it: what they count when the source itself cannot be read. None when
        this shape cannot (its sources then drop out of the aggregates while they fail)."""
        return None
