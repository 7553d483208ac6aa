from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from wikisync.diagnostics import Diagnostic, has_errors, summary_line
from wikisync.errors import ConfigError
from wikisync.model import Anomaly, Report
from wikisync.shapes.themes.parser import parse_themes
from wikisync.shapes.themes.rules import RULES, check

FIXTURE = Path(__file__).parent / "fixtures" / "all-hands-summary-report.wiki"
CASES = yaml.safe_load((Path(__file__).parent / "data" / "check" / "cases.yaml").read_text(encoding="utf-8"))
FIXTURE_FINDINGS = [
    ("WS201", "warning", 56, 1, "Education"),
    ("WS302", "warning", 196, 3, "Content Gap"),
    ("WS302", "warning", 206, 3, "Cohesion"),
    ("WS302", "warning", 207, 3, "Extended Ecosystem"),
    ("WS302", "warning", 213, 3, "Fight for Free Knowledge"),
]
FIXTURE_ALIASES = {
    "Content gap": "Content Gap",
    "Cohesion/integration": "Cohesion",
    "Extended eco-system": "Extended Ecosystem",
    "Fight for free knowledge": "Fight for Free Knowledge",
}


@pytest.fixture(scope="module")
def source() -> str:
    return FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(source: str) -> Report:
    return parse_themes(source, "All-Hands summary report", 42)


def _positions(diagnostics: list[Diagnostic]) -> list[str]:
    return [f"{d.code}@{d.line}:{d.column}" for d in diagnostics]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict) -> None:
    found = check(parse_themes(case["wikitext"]), aliases=case.get("aliases", {}), rules=case.get("rules", {}))
    assert _positions(found) == case["fires"]


def test_every_rule_has_a_case_that_fires_it() -> None:
    fired = {entry.split("@")[0] for case in CASES for entry in case["fires"]}
    parse_cannot_produce = {"WS199"}
    assert fired | parse_cannot_produce == set(RULES)


def test_an_anomaly_kind_no_rule_names_is_still_reported() -> None:
    report = Report("t", None, anomalies=(Anomaly("something-new", 2, 4, "odd markup"),), line_count=3)
    found = check(report)
    assert _positions(found) == ["WS100@1:1", "WS199@2:4"]
    assert found[1].message == "odd markup"


def test_rules_registry_is_well_formed() -> None:
    assert list(RULES) == sorted(RULES)
    for code, rule in RULES.items():
        assert rule.code == code and code[:2] == "WS" and len(code) == 5
        assert rule.default_severity in ("error", "warning")
        assert rule.summary and callable(rule.function)


def test_fixture_findings_exactly(report: Report) -> None:
    found = check(report)
    assert [(d.code, d.severity, d.line, d.column, d.theme) for d in found] == FIXTURE_FINDINGS
    assert summary_line(found) == "5 warnings"
    assert not has_errors(found)


def test_fixture_findings_point_at_their_text(source: str, report: Report) -> None:
    lines = source.split("\n")
    assert lines[55].startswith("=== Education ===")
    for diagnostic in check(report):
        if diagnostic.code == "WS302":
            value = diagnostic.message.split('"')[1]
            assert lines[diagnostic.line - 1][diagnostic.column - 1 :].startswith(value)


def test_drift_hint_is_the_alias_to_declare(report: Report) -> None:
    extended = next(d for d in check(report) if d.line == 207)
    assert extended.hint is not None
    assert 'aliases: {"Extended eco-system": "Extended Ecosystem"}' in extended.hint
    declared = yaml.safe_load(extended.hint.split("page_map.yaml: ", 1)[1])
    assert declared == {"aliases": {"Extended eco-system": "Extended Ecosystem"}}


def test_declared_aliases_silence_drift(report: Report) -> None:
    found = check(report, aliases=FIXTURE_ALIASES)
    assert _positions(found) == ["WS201@56:1"]


def test_severity_overrides_and_off(report: Report) -> None:
    found = check(report, rules={"WS302": "error", "WS201": "off"})
    assert [(d.code, d.severity) for d in found] == [("WS302", "error")] * 4
    assert has_errors(found)
    assert summary_line(found) == "4 errors"
    assert check(report, rules={code: "off" for code in RULES}) == []


def test_an_error_can_be_lowered_to_a_warning() -> None:
    found = check(parse_themes("Just a sentence."), rules={"WS100": "warning"})
    assert [(d.code, d.severity) for d in found] == [("WS100", "warning")]
    assert not has_errors(found)


@pytest.mark.parametrize("rules", [{"WS999": "off"}, {"WS201": "info"}])
def test_bad_overrides_are_config_errors(report: Report, rules: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        check(report, rules=rules)


def test_diagnostic_to_dict_and_format(report: Report) -> None:
    first = check(report)[0]
    assert first.to_dict() == {
        "code": "WS201",
        "severity": "warning",
        "line": 56,
        "column": 1,
        "message": 'theme "Education" is named by no row of the Competing Priorities table',
        "theme": "Education",
        "hint": "list it under one of the priorities",
    }
    assert first.format("report.wiki") == (
        'report.wiki:56:1: warning WS201 theme "Education" is named by no row of the Competing Priorities table'
        " (hint: list it under one of the priorities)"
    )
    bare = Diagnostic("WS100", "error", 1, 1, "not a report")
    assert bare.format("x") == "x:1:1: error WS100 not a report"
    assert list(bare.to_dict()) == ["code", "severity", "line", "column", "message", "theme", "hint"]


def test_long_texts_are_shortened_in_messages() -> None:
    comment = "word " * 40
    text = f"== Key Themes ==\n=== A ===\nS.\nWhat we heard:\n* {comment}\n* {comment}\n{{|\n! Priorities\n|-\n| R\n| A\n|}}"
    (repeated,) = check(parse_themes(text))
    assert repeated.code == "WS206" and "…" in repeated.message and len(repeated.message) < 120


@pytest.mark.parametrize(
    "severities, expected",
    [([], "no problems"), (["error"], "1 error"), (["warning"], "1 warning"), (["error", "error", "warning"], "2 errors, 1 warning")],
)
def test_summary_line(severities: list[str], expected: str) -> None:
    assert summary_line([Diagnostic("WS000", s, 1, 1, "m") for s in severities]) == expected


# -- robustness: mutations of the real page -------------------------------------------------

MARKUP = ["{|", "|}", "|-", "|", "!", "</translate>", "<translate>", "== x ==", "* ", "=== ===", "'''", "[[", "{{", "<!--"]
POSITION = st.integers(min_value=0, max_value=10**6)
MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), POSITION),
    st.tuples(st.just("duplicate"), POSITION),
    st.tuples(st.just("swap"), POSITION, POSITION),
    st.tuples(st.just("insert"), POSITION, st.sampled_from(MARKUP)),
    st.tuples(st.just("splice"), POSITION, POSITION, st.sampled_from(MARKUP)),
)


def _mutate(lines: list[str], mutation: tuple) -> list[str]:
    lines = list(lines) or [""]
    kind, at = mutation[0], mutation[1] % len(lines)
    if kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "swap":
        other = mutation[2] % len(lines)
        lines[at], lines[other] = lines[other], lines[at]
    elif kind == "insert":
        lines.insert(at, mutation[2])
    else:
        column = mutation[2] % (len(lines[at]) + 1)
        lines[at] = lines[at][:column] + mutation[3] + lines[at][column:]
    return lines


def _report_lines(report: Report) -> Iterator[int]:
    for theme in report.themes:
        yield theme.line
        yield from (c.line for c in theme.comments)
        if theme.heard_line is not None:
            yield theme.heard_line
    for row in report.priorities:
        yield row.line
        yield from (v.line for v in row.values)
    yield from (q.line for q in report.questions)
    yield from (c.line for c in report.stray_comments)
    yield from (a.line for a in report.anomalies)
    if report.priorities_line is not None:
        yield report.priorities_line


@settings(max_examples=150, deadline=None)
@given(mutations=st.lists(MUTATIONS, max_size=6), cut=st.none() | st.integers(min_value=0, max_value=20_000))
def test_mutated_fixture_never_raises_and_stays_in_bounds(mutations: list[tuple], cut: int | None) -> None:
    lines = FIXTURE.read_text(encoding="utf-8").split("\n")
    for mutation in mutations:
        lines = _mutate(lines, mutation)
    text = "\n".join(lines)[:cut]
    line_count = text.count("\n") + 1

    report = parse_themes(text)
    found = check(report, aliases=FIXTURE_ALIASES)

    assert report.line_count == line_count
    assert all(1 <= line <= line_count for line in _report_lines(report))
    assert all(1 <= d.line <= line_count and d.column >= 1 for d in found)
    assert found == sorted(found, key=lambda d: (d.line, d.column, d.code))
    assert all("\n" not in d.format("page") for d in found)
