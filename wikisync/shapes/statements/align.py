"""A translation of a statement page read against the source's report.

The translation's tables are the source's, in the same order; their header cells, translated, are given
back the source's words by their position, so that the parser finds the columns as in the source. Each
statement table's rows are then the source's rows in their order: a statement keeps its source's id,
number and codes with the translation's text and keywords. A table with another number of rows cannot
be aligned (an error); the page's info block and keys stay the source's. The ids of the alignment's
``untranslated`` and ``fuzzy`` are the statements' ids (``§Hb1.2``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from ...model import Anomaly
from ..base import Alignment
from ..records import Codebook, Statement, StatementReport, TableInfo
from ..translate_markup import FUZZY, UNTRANSLATED, TranslateMarkup, outdated, wrapped
from .parser import parse_statements

__all__ = ["align_statements"]

_HEADER_CELL_ATTRIBUTES = re.compile(r"^(?P<attributes>[^|\[\]{}]*?[^|])\|(?!\|)")


def align_statements(source: StatementReport, markup: TranslateMarkup, title: str, revision: int | None,
                     codebook: Codebook | None, columns: Mapping[str, str], code: str | None, source_language: str) -> Alignment:
    issues = list(markup.problems)
    lines = markup.text.split("\n")
    starts = _table_starts(lines)
    if len(starts) != len(source.tables):
        line = starts[min(len(starts), len(source.tables))] if len(starts) > len(source.tables) else (starts[-1] if starts else 1)
        issues.append(Anomaly("table-count", line, 1, f"the translation has {len(starts)} table{'' if len(starts) == 1 else 's'}, "
                                                      f"the source {len(source.tables)}: its statements cannot be aligned"))
        return Alignment(_emptied(source, title, revision, markup.line_count), issues=tuple(issues))
    for start, table in zip(starts, source.tables):
        _give_headers(lines, start, table)
    translation = parse_statements("\n".join(lines), title, revision, codebook=codebook, columns=columns, code=code or source.code)

    direction = next((w.direction for w in markup.wrappers if w.kind == UNTRANSLATED and w.language == source_language), "ltr")
    untranslated: set[str] = set()
    fuzzy: set[str] = set()
    statements: list[Statement] = []
    aligned = True
    for source_table, table in zip(source.tables, translation.tables):
        if source_table.kind != "statements":
            continue
        originals = [s for s in source.statements if s.table_line == source_table.line]
        translated = [s for s in translation.statements if s.table_line == table.line]
        if len(originals) != len(translated) or table.kind != "statements":
            aligned = False
            issues.append(Anomaly("row-count", table.line, 1,
                                  f"the statement table has {len(translated) if table.kind == 'statements' else 'no readable'} "
                                  f"row{'' if len(translated) == 1 else 's'} where the source's (line {source_table.line}) "
                                  f"has {len(originals)}: its rows cannot be aligned"))
            continue
        for original, statement in zip(originals, translated):
            line, _ = statement.position("statement")
            text = statement.text
            if markup.wrapper_at(line, UNTRANSLATED):
                untranslated.add(original.id)
                text = wrapped(text, source_language, direction)
            if markup.wrapper_at(line, FUZZY):
                fuzzy.add(original.id)
                if original.id not in untranslated:
                    text = outdated(text)
            statements.append(Statement(
                id=original.id, line=original.line, text=text, keywords=statement.keywords, codes=original.codes,
                uncertain=original.uncertain, users=original.users, source_line=statement.source_line,
                line_text=original.line_text, attribution=statement.attribution, positions=statement.positions,
                table_line=statement.table_line,
            ))
    report = StatementReport(
        title=title,
        revision=revision,
        info=source.info,
        statements=tuple(statements) if aligned else (),
        examples_skipped=translation.examples_skipped,
        tables=translation.tables,
        keys=source.keys,
        codebook=source.codebook,
        anomalies=translation.anomalies,
        line_count=markup.line_count,
        code=source.code,
        cited_by=source.cited_by,
    )
    return Alignment(report, frozenset(untranslated), frozenset(fuzzy), (), tuple(issues))


def _emptied(source: StatementReport, title: str, revision: int | None, line_count: int) -> StatementReport:
    return StatementReport(title=title, revision=revision, info=source.info, keys=source.keys, codebook=source.codebook,
                           line_count=line_count, code=source.code)


def _table_starts(lines: list[str]) -> list[int]:
    """Line indexes of the ``{|`` of every table not inside another, as the parser finds them."""
    starts: list[int] = []
    depth = 0
    for index, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith("{|"):
            if depth == 0:
                starts.append(index)
            depth += 1
        elif stripped.startswith("|}") and depth:
            depth -= 1
    return starts


def _give_headers(lines: list[str], start: int, table: TableInfo) -> None:
    """The header row's cells after the ``{|`` on line index ``start``, given the source's words by position
    (a cell's attributes kept); left as it is when the source's table has no header row or the numbers differ."""
    if table.header_line is None or not table.columns:
        return
    header_lines: list[int] = []
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if stripped.startswith(("|+", "|-")) and not header_lines:
            continue
        if not stripped.startswith("!"):
            break
        header_lines.append(index)
    cells = [lines[index].strip()[1:].split("!!") for index in header_lines]
    if sum(len(row) for row in cells) != len(table.columns):
        return
    headers = iter(table.columns)
    for index, row in zip(header_lines, cells):
        given = []
        for cell in row:
            attributes = _HEADER_CELL_ATTRIBUTES.match(cell)
            words = next(headers).header
            given.append(f"{attributes.group('attributes')}| {words}" if attributes else f" {words}")
        lines[index] = "!" + " !!".join(given)
