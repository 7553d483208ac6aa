"""The statements shape: the source pages of the 2017 strategy cycles, each a table of summary
statements (line, statement, keywords, codes), one page per code of the source's codebook.

The parser (:mod:`.parser`) is loaded on the first parse, so that reading the page map loads no parser.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from typing import Any

from ...diagnostics import Diagnostic
from ...titles import part_title
from ..base import NO_CODE, Alignment, Citing, ExportRow, PageContext, Shape, SourceSettings, SourceTally, TargetSettings
from ..records import CODED_ROLES, CitedBy, Codebook, SourceInfo, Statement, StatementReport, UncertainCode
from ..translate_markup import TranslateMarkup
from .groups import group_statements, grouping_role
from .rules import STATEMENT_RULES, check_statements

__all__ = ["StatementsShape"]


class StatementsShape(Shape):
    name = "statements"
    each = "code"
    sample_part = "A"
    rules = STATEMENT_RULES
    export_roles = CODED_ROLES
    reads_translations = True

    def default_targets(self, entry: Mapping[str, Any]) -> list[dict[str, str]]:
        """Its summary page and, when it has a codebook, one page per code; and its data page."""
        targets: list[dict[str, str]] = [{"title": "{source}/Summary", "template": "statements.wiki.j2", "name": "statements"}]
        if entry.get("codebook") is not None:
            targets.append({"title": "{source}/Summary/{code}", "template": "statement-code.wiki.j2", "each": "code"})
        targets.append({"title": "{source}/data.json", "format": "json", "name": "data"})
        return targets

    def parse(self, text: str, title: str, revision: int | None, settings: SourceSettings | None,
              codebooks: Mapping[str, Codebook]) -> StatementReport:
        from .parser import parse_statements

        if settings is None:
            return parse_statements(text, title, revision)
        return parse_statements(text, title, revision, codebook=codebooks.get(settings.codebook or ""),
                                columns=settings.columns, code=settings.code)

    def align(self, source: StatementReport, markup: TranslateMarkup, title: str, revision: int | None, settings: SourceSettings,
              codebooks: Mapping[str, Codebook], source_language: str) -> Alignment:
        from .align import align_statements

        return align_statements(source, markup, title, revision, codebooks.get(settings.codebook or ""), settings.columns,
                                settings.code, source_language)

    def check(self, report: StatementReport, settings: SourceSettings | None) -> list[Diagnostic]:
        return check_statements(report, rules=settings.rules if settings else {})

    def counts(self, report: StatementReport) -> dict[str, int]:
        return {"statements": len(report.statements)}

    def code_counts(self, report: StatementReport) -> dict[str, dict[str, int]]:
        counts: dict[str, dict[str, int]] = {}
        for statement in report.statements:
            for role, codes in statement.codes.items():
                per_code = counts.setdefault(role, {})
                for code in dict.fromkeys(codes) or (NO_CODE,):
                    per_code[code] = per_code.get(code, 0) + 1
        return counts

    def context(self, report: StatementReport, settings: SourceSettings) -> PageContext:
        """The summary by code, and one page per code of the codebook (codes the codebook lacks, and
        statements without a code, only on the summary)."""
        role = grouping_role(report.codebook, settings.group_by)
        groups = group_statements(report, role)
        known = report.codebook.kinds.get(role, {}) if report.codebook else {}

        def instances(target: TargetSettings) -> list[tuple[str, dict[str, Any]]]:
            if target.each == "code":
                return [(part_title(target.title, settings.page, "code", group.code), {"code": group})
                        for group in groups if group.code in known]
            return [(target.title.format(source=settings.page), {})]

        return PageContext({"groups": groups, "role": role}, instances)

    def in_language(self, report: StatementReport, languages: Sequence[str]) -> StatementReport:
        """The report with its codebook's labels in the first of ``languages`` each is given in."""
        if report.codebook is None:
            return report
        return replace(report, codebook=report.codebook.in_language(languages))

    def anchor_page(self, settings: SourceSettings) -> str | None:
        """The summary page, where every statement has its anchor."""
        return next((t.title.format(source=settings.page) for t in settings.targets
                     if t.name == "statements" and not t.each), None)

    def tally(self, report: StatementReport, settings: SourceSettings, role: str,
              keyword_codes: Callable[[str], tuple[str, ...]]) -> SourceTally:
        summary = self.anchor_page(settings)
        info = report.info
        tally = SourceTally(len(report.statements), participants=info.participants,
                            participants_text=info.participants_text, summary_page=summary)
        for statement in report.statements:
            codes = statement.codes.get(role)
            if codes is None:  # no column of the role: the keywords say
                codes = tuple(code for keyword in statement.keywords for code in keyword_codes(keyword))
            tally.row.update(list(dict.fromkeys(codes)) or [NO_CODE])
            tally.keywords.extend(statement.keywords)
            if summary:
                tally.index.append((statement.id, f"{summary}#{statement.id}"))
        if report.cited_by is not None:
            tally.cited_by = {statement.id: tuple(dict.fromkeys(cited.summary for cited in report.citations_of(statement)))
                              for statement in report.statements if report.citations_of(statement)}
            tally.cited = len(tally.cited_by)
        return tally

    def with_cited_by(self, report: StatementReport, citing: Sequence[Citing]) -> StatementReport:
        """Each citation to the statement it names, or else to the one statement with its Line (a line that is
        two statements, or none, is no statement's)."""
        ids = {statement.id for statement in report.statements}
        by_line: dict[int | None, list[str]] = {}
        for statement in report.statements:
            by_line.setdefault(statement.line, []).append(statement.id)
        found: dict[str, set[CitedBy]] = {}
        for cited in citing:
            if cited.statement is not None:
                targets = [cited.statement] if cited.statement in ids else []
            else:
                targets = by_line.get(cited.number, []) if cited.number is not None else []
            if len(targets) == 1:
                found.setdefault(targets[0], set()).add(cited.by)
        return replace(report, cited_by={id: tuple(sorted(by)) for id, by in found.items()})

    def export_rows(self, report: StatementReport, settings: SourceSettings) -> Iterator[ExportRow]:
        for statement in report.statements:
            yield ExportRow(statement.id, statement.line, statement.source_line, statement.text, statement.keywords,
                            statement.codes)

    def from_data(self, data: Mapping[str, Any], settings: SourceSettings, codebooks: Mapping[str, Codebook]) -> StatementReport:
        info = data["info"]
        statements = tuple(
            Statement(item["id"], item["line"], item["text"], tuple(item["keywords"]),
                      {role: tuple(codes) for role, codes in item["codes"].items()},
                      tuple(UncertainCode(*code.split(":", 1)) for code in item["uncertain"]), tuple(item["users"]),
                      item["source_line"])
            for item in data["statements"])
        cited_by = ({item["id"]: tuple(CitedBy(cited["summary"], cited["line"]) for cited in item["cited_by"])
                     for item in data["statements"] if item.get("cited_by")}
                    if any("cited_by" in item for item in data["statements"]) else None)
        return StatementReport(data["title"], data["revision"],
                               SourceInfo(info["group"], info["location"], info["location_type"], info["participants"],
                                          info["participants_text"]),
                               statements, data["examples_skipped"], codebook=codebooks.get(settings.codebook or ""),
                               code=data.get("code") or settings.code or "S", cited_by=cited_by)
