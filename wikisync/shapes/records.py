"""Plain data for a statement page: what :func:`wikisync.shapes.statements.parse_statements` returns.

Every record is frozen and holds only strings, numbers, tuples and read-only mappings: no
wikitext node leaves the parser.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from ..model import Anomaly

__all__ = [
    "CODED_ROLES",
    "ROLES",
    "Anomaly",
    "CitedBy",
    "Codebook",
    "Column",
    "KeyEntry",
    "SourceInfo",
    "Statement",
    "StatementReport",
    "TableInfo",
    "UncertainCode",
]

ROLES = ("line", "statement", "keywords", "theme", "question", "users", "week", "insight", "overall", "section", "priority")
"""What a column of a statement table can hold."""
CODED_ROLES = ("theme", "question", "week", "insight", "section", "priority", "overall")
"""Roles whose cells are lists of codes (``A, C``, ``1?``, ``none``) rather than text."""

_NO_POSITIONS: Mapping[str, tuple[int, int]] = MappingProxyType({})


@dataclass(frozen=True)
class Codebook:
    """The codes a cycle tags statements with, per kind (a coded role): ``kinds["theme"]["A"]`` is a label."""

    name: str
    kinds: Mapping[str, Mapping[str, str]]
    translations: Mapping[str, Mapping[str, Mapping[str, str]]] = field(default_factory=dict)
    """Kind -> code -> language -> label, for the codes the page map labels per language
    (``A: {en: "Healthy, inclusive communities", fr: "Communautés saines et inclusives"}``); their
    label in :attr:`kinds` is the English one, or the first given."""

    def label(self, kind: str, code: str) -> str | None:
        return self.kinds.get(kind, {}).get(code)

    def in_language(self, languages: Sequence[str]) -> Codebook:
        """This codebook with each label in the first of ``languages`` (a language and its fallbacks) it
        is given in; a label given in none of them, or in one language only, stays as it is."""
        if not self.translations:
            return self
        kinds = {kind: {code: self._label_in(kind, code, languages) or label for code, label in labels.items()}
                 for kind, labels in self.kinds.items()}
        return Codebook(self.name, kinds, self.translations)

    def _label_in(self, kind: str, code: str, languages: Sequence[str]) -> str | None:
        given = self.translations.get(kind, {}).get(code, {})
        return next((given[language] for language in languages if language in given), None)

    def knows(self, kind: str) -> bool:
        return bool(self.kinds.get(kind))


@dataclass(frozen=True)
class UncertainCode:
    """A code its editors marked as doubtful: ``A (possibly, not clearly stated)`` or ``1?``."""

    role: str
    code: str

    def __str__(self) -> str:
        return f"{self.role}:{self.code}"


@dataclass(frozen=True, order=True)
class CitedBy:
    """A line of a report that cites a statement: a summary's title and the line of its citation."""

    summary: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"summary": self.summary, "line": self.line}


@dataclass(frozen=True)
class Statement:
    id: str
    """Stable anchor id, ``§<code>.<line>``; see :mod:`wikisync.shapes.statements` for the suffixes."""
    line: int | None
    """The number written in the Line cell, or None when it is missing or not a number."""
    text: str
    keywords: tuple[str, ...]
    codes: Mapping[str, tuple[str, ...]]
    """Role -> codes, for every coded role the table has (an empty tuple for ``none``)."""
    uncertain: tuple[UncertainCode, ...]
    users: tuple[str, ...]
    source_line: int
    """1-based line of the row in the wikitext."""
    line_text: str = ""
    """The Line cell as written (plain text), to tell a missing number from one that is not a number."""
    attribution: str | None = None
    """A closing ``(name)`` of the statement text: a username, or where it was said."""
    positions: Mapping[str, tuple[int, int]] = field(default_factory=lambda: _NO_POSITIONS, compare=False)
    """Role -> (line, column) where the cell's content starts."""
    table_line: int = 0
    """Line of the ``{|`` of the table the row is in."""

    def position(self, role: str) -> tuple[int, int]:
        return self.positions.get(role, (self.source_line, 1))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "line": self.line,
            "text": self.text,
            "keywords": list(self.keywords),
            "codes": {role: list(codes) for role, codes in self.codes.items()},
            "uncertain": [str(code) for code in self.uncertain],
            "users": list(self.users),
            "source_line": self.source_line,
        }


@dataclass(frozen=True)
class SourceInfo:
    """The block of labels and values above the table."""

    group: str = ""
    location: str = ""
    location_type: str = ""
    participants: int | None = None
    participants_text: str = ""
    participants_at: tuple[int, int] | None = None
    """(line, column) of the participants value, when the page gives one."""

    def to_dict(self) -> dict[str, Any]:
        return {
            "group": self.group,
            "location": self.location,
            "location_type": self.location_type,
            "participants": self.participants,
            "participants_text": self.participants_text,
        }


@dataclass(frozen=True)
class Column:
    index: int
    header: str
    """The header cell's plain text; "" when the table has no header row or the cell is empty."""
    role: str | None


@dataclass(frozen=True)
class TableInfo:
    line: int
    """Line of the ``{|``."""
    kind: str
    """``statements``, ``example`` (a whole table of example rows), ``unidentified`` or ``other``."""
    header_line: int | None
    columns: tuple[Column, ...] = ()
    family: str | None = None
    """For a table without a header row: the family its columns were inferred from."""
    rows: int = 0
    example_lines: tuple[int, ...] = ()
    """Lines of the rows not counted because they are examples."""
    closed: bool = True

    def role_of(self, index: int) -> str | None:
        return self.columns[index].role if index < len(self.columns) else None

    def has(self, role: str) -> bool:
        return any(column.role == role for column in self.columns)


@dataclass(frozen=True)
class KeyEntry:
    """One item of a key on the page (Theme key, Questions key), as numbered there."""

    kind: str
    number: int
    label: str
    line: int
    code: str | None
    """The configured codebook's code whose label this entry's label matches, or None."""


@dataclass(frozen=True)
class StatementReport:
    title: str
    revision: int | None
    info: SourceInfo = SourceInfo()
    statements: tuple[Statement, ...] = ()
    examples_skipped: int = 0
    tables: tuple[TableInfo, ...] = ()
    keys: tuple[KeyEntry, ...] = ()
    codebook: Codebook | None = field(default=None, compare=False)
    anomalies: tuple[Anomaly, ...] = field(default=(), compare=False)
    line_count: int = field(default=0, compare=False)
    code: str = "S"
    """The prefix of every id (``Fr1`` in ``§Fr1.67``)."""
    cited_by: Mapping[str, tuple[CitedBy, ...]] | None = field(default=None, compare=False)
    """Statement id -> the summary lines citing it (an id no summary cites: absent); None when the run has
    no summaries to tell (its data page then says nothing of citations)."""

    def citations_of(self, statement: Statement) -> tuple[CitedBy, ...]:
        return (self.cited_by or {}).get(statement.id, ())

    @property
    def statement_tables(self) -> tuple[TableInfo, ...]:
        return tuple(table for table in self.tables if table.kind == "statements")

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "revision": self.revision,
            "shape": "statements",
            "info": self.info.to_dict(),
            "statements": [statement.to_dict() if self.cited_by is None else
                           {**statement.to_dict(), "cited_by": [cited.to_dict() for cited in self.citations_of(statement)]}
                           for statement in self.statements],
            "examples_skipped": self.examples_skipped,
        }
