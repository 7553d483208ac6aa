"""Plain data for a summary page: what :func:`wikisync.shapes.summary.parser.parse_summary` returns.

A summary is prose and bullets written by hand from the source pages: each paragraph or bullet speaks of
one community, gives a count of its statements (``(26s)``) and cites them (``(§Ar1.4)``). Every record is
frozen and holds only strings, numbers and tuples.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

__all__ = ["Block", "Citation", "CitedSource", "CountCheck", "CountTie", "Resolution", "StatementCount", "SummaryReport"]


@dataclass(frozen=True)
class Block:
    """A paragraph (its lines up to a blank line, a heading, a list or a table) or a bullet (one line)."""

    kind: str
    """``paragraph`` or ``bullet``."""
    line: int
    end_line: int
    text: str
    """Plain text (a bullet without its ``*``)."""
    section: str = ""
    """The heading the block stands under; "" above the first."""

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "line": self.line, "end_line": self.end_line, "text": self.text, "section": self.section}


@dataclass(frozen=True)
class StatementCount:
    """``(26s)``: the statements the source had when the summary was drafted."""

    count: int
    community: str
    """The plain text before the count in its sentence (``The Arabic Wikipedia's village pump discussion``)."""
    line: int
    column: int
    block: int | None
    """Index of the block the count is in (None: outside every paragraph and bullet, e.g. in a table)."""

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count, "community": self.community, "line": self.line, "column": self.column,
                "block": self.block}


@dataclass(frozen=True)
class Citation:
    """One cited statement: a range ``(§Ar2.1 (to 4))`` is four citations at the range's position."""

    written: str
    """The citation as written, from its ``§`` (``§Ar2.1``, ``§Ar2.1 (to 4)``)."""
    code: str
    """With a dot, what stands before it (``Bn1`` in ``§Bn1.2``); without, the letters (``Ar`` in ``§Ar4``),
    so that the code is either those letters or the first source of that community (``Ar1``)."""
    dotted: bool
    number: int | None
    """The Line of the cited statement; None when the citation has no number (``§Ar``)."""
    line: int
    column: int
    block: int | None
    range_end: int | None = None
    """The last line of the range the citation comes from, or None."""

    @property
    def cited(self) -> str:
        """The citation of this one statement, normalised: ``§Ar2.3``, ``§FR1``."""
        if self.number is None:
            return f"§{self.code}"
        return f"§{self.code}.{self.number}" if self.dotted else f"§{self.code}{self.number}"

    def to_dict(self) -> dict[str, Any]:
        return {"cited": self.cited, "written": self.written, "code": self.code, "dotted": self.dotted,
                "number": self.number, "line": self.line, "column": self.column, "block": self.block,
                "range_end": self.range_end}


@dataclass(frozen=True)
class CitedSource:
    """A statement source a citation may mean."""

    title: str
    code: str
    anchor_page: str | None = None
    """The page with the statements' anchors (``page#§Ar1.4``)."""
    read: bool = False
    """Whether its statements were read (else no line of it can be checked)."""
    lines: str = ""
    """The Line numbers it has, for a hint: ``1–31``."""

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "code": self.code}


@dataclass(frozen=True)
class Resolution:
    """What one citation cites: one source and one statement, or why not."""

    citation: Citation
    sources: tuple[CitedSource, ...]
    """Every source whose code fits: none (no such code), one, or more (ambiguous)."""
    statements: tuple[str, ...] = ()
    """With one source that was read: the ids of its statements with the cited line (none, one, or more)."""

    @property
    def statement(self) -> str | None:
        """The one statement cited, when the citation resolves to exactly one."""
        return self.statements[0] if len(self.sources) == 1 and len(self.statements) == 1 else None

    @property
    def link(self) -> str | None:
        """``page#id`` of the one statement cited, when its source has a page with anchors."""
        page = self.sources[0].anchor_page if self.statement else None
        return f"{page}#{self.statement}" if page else None

    def to_dict(self) -> dict[str, Any]:
        return {"cited": self.citation.cited, "line": self.citation.line, "column": self.citation.column,
                "sources": [source.to_dict() for source in self.sources], "statements": list(self.statements)}


@dataclass(frozen=True)
class CountTie:
    """The sources a count counts, and what tied it to them."""

    count: StatementCount
    sources: tuple[str, ...]
    """Their titles; none: the count could not be tied."""
    by: str | None
    """``citations`` (those of its part of the block), ``community`` (the text before it names a source's
    title), or None (neither)."""
    candidates: tuple[str, ...] = ()
    """Untied: the sources its community names equally well, when several do."""

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count.count, "line": self.count.line, "column": self.count.column,
                "sources": list(self.sources), "by": self.by}


@dataclass(frozen=True)
class CountCheck:
    """A count ``(26s)`` against the history of the source(s) the citations of its part of the block name."""

    count: StatementCount
    sources: tuple[str, ...]
    """The titles of the sources it counts (with several, their statements are added up)."""
    seen: tuple[int, ...]
    """Every statement count the sources had at a revision up to the summary's, oldest first, repeats dropped."""
    then: int | None
    """The count at the summary's revision (None: the sources did not exist yet)."""
    now: int
    """The count at the sources' latest revision."""
    true_at: int | None
    """The latest revision (of any of the sources) up to the summary's at which the count was true; None: never."""
    by: str = "citations"
    """What tied the count to its sources (:attr:`CountTie.by`)."""

    @property
    def since(self) -> int:
        """Statements the count has not seen: how many more the sources have now."""
        return self.now - self.count.count

    def to_dict(self) -> dict[str, Any]:
        return {"count": self.count.count, "line": self.count.line, "column": self.count.column,
                "sources": list(self.sources), "then": self.then, "now": self.now, "true_at": self.true_at}


@dataclass(frozen=True)
class SummaryReport:
    title: str
    revision: int | None
    blocks: tuple[Block, ...] = ()
    counts: tuple[StatementCount, ...] = ()
    citations: tuple[Citation, ...] = ()
    malformed: tuple[tuple[int, int, str], ...] = ()
    """(line, column, what) of a citation wikisync cannot read: no number, a range ending before it starts."""
    line_count: int = 0
    resolutions: tuple[Resolution, ...] | None = None
    """Each citation resolved against the page map's statement sources; None before (a file read alone)."""
    count_checks: tuple[CountCheck, ...] = ()
    """Each count whose sources' history was read, compared with it."""
    ties: tuple[CountTie, ...] | None = None
    """Each count with the sources it counts; None before resolution (a file read alone)."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "revision": self.revision,
            "shape": "summary",
            "blocks": [block.to_dict() for block in self.blocks],
            "counts": [count.to_dict() for count in self.counts],
            "citations": [citation.to_dict() for citation in self.citations],
            **({} if self.resolutions is None else {"resolutions": [r.to_dict() for r in self.resolutions]}),
            **({"count_checks": [c.to_dict() for c in self.count_checks]} if self.count_checks else {}),
            **({} if self.ties is None else {"ties": [tie.to_dict() for tie in self.ties]}),
        }
