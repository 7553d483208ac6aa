"""Rules over a parsed statement page (WS5xx): what its editors should fix before pages are generated.

Pure, like the themes shape's rules, and with the same :class:`~wikisync.diagnostics.Diagnostic` output,
plus a third severity, ``info``: something worth knowing that needs no fix (example rows still
on the page, a code its editors marked as uncertain). ``has_errors`` counts only errors and
``summary_line`` counts errors and warnings, so info never fails a run.

WS507 (a code the codebook does not have) is a warning: the statement is still counted and
published under the code as written, and an unknown code is as often a new code the codebook
lacks as a typo.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from ...diagnostics import NO_OVERRIDES, Diagnostic, Finding, RuleSet
from ...diagnostics import quoted as _quoted
from ..records import Statement, StatementReport, TableInfo

__all__ = ["STATEMENT_RULES", "check_statements"]

STATEMENT_RULES: RuleSet[StatementReport] = RuleSet("statements")
"""Every WS5xx rule by code, in code order."""
_rule = STATEMENT_RULES.rule


def check_statements(report: StatementReport, *, rules: Mapping[str, str] = NO_OVERRIDES) -> list[Diagnostic]:
    """Every WS5xx rule's findings, with ``rules`` (code -> error|warning|info|off) overriding severities.

    Raises ConfigError only for an override naming an unknown code or severity.
    """
    return STATEMENT_RULES.run(report, report.line_count, rules)


def _table_of(report: StatementReport, statement: Statement) -> TableInfo | None:
    return next((table for table in report.tables if table.line == statement.table_line), None)


def _at(statement: Statement, role: str, message: str, hint: str | None = None) -> Finding:
    line, column = statement.position(role)
    return Finding(line, column, message, None, hint)


# -- the table ------------------------------------------------------------------------------


@_rule("WS500", "error", "no table of statements on the page (reported at line 1)")
def _no_table(report: StatementReport) -> Iterator[Finding]:
    if not report.statement_tables and not any(table.kind == "unidentified" for table in report.tables):
        yield Finding(1, 1, "no table of statements: no table has a Statement column or the columns of a known page family")


@_rule("WS501", "info", "example rows still on the page (they are not counted)")
def _examples_left(report: StatementReport) -> Iterator[Finding]:
    for table in report.tables:
        if not table.example_lines:
            continue
        count = len(table.example_lines)
        rows = f"{count} example row{'' if count == 1 else 's'}"
        if table.kind == "example":
            message = f"an example table ({rows}) is still on the page; it is not counted"
        else:
            message = f"{rows} still in the table; {'it is' if count == 1 else 'they are'} not counted"
        yield Finding(table.example_lines[0], 1, message, None, "delete the example rows once the real statements are in")


@_rule("WS510", "error", "a table whose columns cannot be identified: its rows are not read")
def _unidentified(report: StatementReport) -> Iterator[Finding]:
    for anomaly in report.anomalies:
        if anomaly.kind == "columns-unidentified":
            yield Finding(anomaly.line, anomaly.column, f"the columns of this table cannot be identified: {anomaly.detail}",
                          None, "add a header row (Line, Statement, Keywords, …) or declare columns: in page_map.yaml")


# -- line numbers and ids -------------------------------------------------------------------


@_rule("WS502", "warning", "a line number used by two rows (the second gets a suffixed id)")
def _repeated_line(report: StatementReport) -> Iterator[Finding]:
    first: dict[int, int] = {}
    for statement in report.statements:
        if statement.line is None:
            continue
        if statement.line in first:
            yield _at(statement, "line", f"line number {statement.line} is used again (first on line {first[statement.line]}); "
                                         f"this statement's id is {statement.id}", "give the row a number of its own")
        else:
            first[statement.line] = statement.source_line


@_rule("WS503", "warning", "a row with no line number (its id is derived from the row before)")
def _missing_line(report: StatementReport) -> Iterator[Finding]:
    for statement in report.statements:
        table = _table_of(report, statement)
        if table is not None and table.has("line") and statement.line is None and not statement.line_text:
            yield _at(statement, "line", f"row has no line number; its id is {statement.id}", "number the row")


@_rule("WS504", "warning", "a line number that is not a number (its id is derived from the row before)")
def _non_numeric_line(report: StatementReport) -> Iterator[Finding]:
    for statement in report.statements:
        if statement.line is None and statement.line_text:
            yield _at(statement, "line", f"line number {_quoted(statement.line_text)} is not a number; its id is {statement.id}")


# -- statements -----------------------------------------------------------------------------


@_rule("WS505", "warning", "a row with keywords or codes but no statement")
def _empty_statement(report: StatementReport) -> Iterator[Finding]:
    for statement in report.statements:
        if not statement.text:
            yield _at(statement, "statement", f"statement {statement.id} has no text")


@_rule("WS506", "warning", "a statement with an empty Keywords cell (in a table that has one)")
def _no_keywords(report: StatementReport) -> Iterator[Finding]:
    for statement in report.statements:
        table = _table_of(report, statement)
        if statement.text and not statement.keywords and table is not None and table.has("keywords"):
            yield _at(statement, "keywords", f"statement {statement.id} has no keywords")


# -- codes ----------------------------------------------------------------------------------


@_rule("WS507", "warning", "a code that the configured codebook does not have (only checked with a codebook)")
def _unknown_code(report: StatementReport) -> Iterator[Finding]:
    codebook = report.codebook
    if codebook is None:
        return
    unresolved = {str(key.number): key for key in report.keys if key.kind == "theme" and key.code is None}
    for statement in report.statements:
        for role, codes in statement.codes.items():
            known = codebook.kinds.get(role, {})
            if not known:
                continue
            for code in codes:
                if code in known:
                    continue
                if role == "theme" and code in unresolved:
                    key = unresolved[code]
                    hint = f"the page's theme key entry {key.number} ({_quoted(key.label)}, line {key.line}) names no theme of the codebook"
                else:
                    hint = f"known {role} codes: {', '.join(known)}"
                yield _at(statement, role, f"{role} code {_quoted(code)} of statement {statement.id} is not in codebook "
                                           f"{_quoted(codebook.name)}", hint)


@_rule("WS508", "info", "a code its editors marked as uncertain (a question mark, \"possibly\")")
def _uncertain_code(report: StatementReport) -> Iterator[Finding]:
    for statement in report.statements:
        for uncertain in statement.uncertain:
            yield _at(statement, uncertain.role, f"{uncertain.role} code {_quoted(uncertain.code)} of statement "
                                                 f"{statement.id} is marked as uncertain")


@_rule("WS511", "warning", "an entry of a numbered key on the page (the Theme key) whose label matches no label of the "
                           "codebook, so that codes written as its number cannot be translated")
def _unmatched_key(report: StatementReport) -> Iterator[Finding]:
    codebook = report.codebook
    if codebook is None:
        return
    for key in report.keys:
        numbers_are_codes = str(key.number) in codebook.kinds.get(key.kind, {})
        if key.code is None and codebook.knows(key.kind) and not numbers_are_codes:
            yield Finding(key.line, 1, f"{key.kind} key entry {key.number} {_quoted(key.label)} matches no {key.kind} "
                                       f"of codebook {_quoted(codebook.name)}; codes written {key.number} stay as written",
                          None, "use the codebook's wording for the entry")


# -- the info block -------------------------------------------------------------------------


@_rule("WS509", "warning", "a participant count that is not a number")
def _participants(report: StatementReport) -> Iterator[Finding]:
    info = report.info
    if info.participants is None and info.participants_text:
        line, column = info.participants_at or (1, 1)
        yield Finding(line, column, f"the number of participants {_quoted(info.participants_text)} is not a number",
                      None, "write a rough count such as 30 or ~30")


# -- markup ---------------------------------------------------------------------------------

_ANOMALY_RULES = {
    "row-cells": ("WS512", "warning", "a row with more or fewer cells than the table has columns"),
    "unclosed-table": ("WS513", "error", "a table opened with {| and never closed with |}"),
    "unclosed-comment": ("WS514", "error", "a comment <!-- never closed: the wiki hides the rest of the page"),
}
_OTHER_ANOMALY = ("WS599", "warning", "markup the parser had to work around that no other rule names")
_CHECKED_ELSEWHERE = frozenset({"columns-unidentified"})


STATEMENT_RULES.anomaly_rules(_ANOMALY_RULES, _OTHER_ANOMALY, lambda report: report.anomalies, _CHECKED_ELSEWHERE)
