"""The one-pass narrative parser gives the same Report as the parser before it (kept in
tests/legacy_themes_parser.py): on every fixture, every check case, synthetic reports, and pages
made of random lines of well-formed and broken markup. The comparison covers the fields that
Report's equality leaves out (anomalies, line count, the table's line) too."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings, strategies as st

import legacy_themes_parser
from wikisync.model import Report
from wikisync.shapes.themes import ThemeSections, parse_themes, plain_text
from wikisync.synthetic import synthetic_report

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = sorted((ROOT / "tests" / "fixtures").rglob("*.wiki"))
CHECK_CASES = yaml.safe_load((ROOT / "tests" / "data" / "check" / "cases.yaml").read_text(encoding="utf-8"))
FRENCH = ThemeSections(themes="Thèmes clés", heard="Ce que nous avons entendu", priorities="Priorités", questions="Questions clés")


def everything(report: Report) -> tuple:
    return report, report.anomalies, report.line_count, report.priorities_line


def assert_same(text: str, sections: ThemeSections = ThemeSections()) -> None:
    before = legacy_themes_parser.parse_themes(text, "T", 7, sections)
    after = parse_themes(text, "T", 7, sections)
    assert everything(after) == everything(before)


@pytest.mark.parametrize("path", FIXTURES, ids=[str(p.relative_to(ROOT / "tests" / "fixtures")) for p in FIXTURES])
def test_every_fixture(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert_same(text)
    assert_same(text, FRENCH)


@pytest.mark.parametrize("case", CHECK_CASES, ids=[case["name"] for case in CHECK_CASES])
def test_every_check_case(case: dict) -> None:
    assert_same(case["wikitext"])


@pytest.mark.parametrize("themes", [0, 1, 11, 200, 2000])
def test_synthetic_reports(themes: int) -> None:
    assert_same(synthetic_report(themes))
    assert_same(synthetic_report(themes, markup=False))


FRAGMENTS = [
    # structure
    "== Key Themes ==", "=== Access ===", "=== Learning === <!--T:12-->", "== Key Questions ==", "= Top =",
    "== ==", "==", "=== A == x", "== Thèmes clés ==",
    # paragraphs and lead-ins
    "Plain words here.", "What we heard:", "''What we heard:''", "Ce que nous avons entendu :", "'''Session #1:'''",
    "Who is it for?", "Note: a question?", "",
    # list items
    "* A comment.", "** nested", "*", "* '''Name''': text", "* == B ==", "# numbered", ": indented", "; term : definition",
    "----",
    # tables
    "{|", "{| class=\"wikitable\"", "  {|", "! Competing Priorities !! Themes", "! Priorités", "|-", "| Reach", "|",
    "* Access (cost, reach)", "|}", " |} after", "|| cells", "! head",
    # markup, closed and left open
    "[[a|b]]", "[[Main Page]]", "[[a", "]]", "{{tpl|x}}", "{{tpl", "}}", "<!-- c -->", "<!--", "-->", "<ref>x</ref>",
    "<ref>", "</ref>", "''it''", "''it", "'''", "<translate>", "</translate>", "<!--T:4-->", "&amp;", "&nbsp;",
    "<nowiki>[[x]]</nowiki>", "<nowiki>", "[http://example.org site]", "http://example.org", "<br />", "<b>", "</b>",
    "a < b", "x {| y", "\x00",
]


def _line(parts: list[str]) -> str:
    return " ".join(parts) if len(parts) != 2 else parts[0] + parts[1]


lines = st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=3).map(_line)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(lines, max_size=40))
def test_random_pages(page: list[str]) -> None:
    assert_same("\n".join(page))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS + ["x", " ", "'", "[", "{", "<", "=", "*"]), max_size=6).map("".join))
def test_plain_text_of_fragments(fragment: str) -> None:
    assert plain_text(fragment) == legacy_themes_parser.plain_text(fragment)


def test_each_line_is_parsed_at_most_once(monkeypatch: pytest.MonkeyPatch) -> None:
    import mwparserfromhell

    from wikisync.shapes import themes

    parsed: list[str] = []
    real = mwparserfromhell.parse

    def recording(text: str, *args: object, **kwargs: object) -> object:
        parsed.append(str(text))
        return real(text, *args, **kwargs)

    monkeypatch.setattr(themes.mwparserfromhell, "parse", recording)
    for text in (FIXTURES[0].read_text(encoding="utf-8"), synthetic_report(200)):
        parsed.clear()
        report = parse_themes(text)
        assert report.themes and report.priorities
        assert len(parsed) == len(set(parsed))  # no fragment twice
        assert sum(map(len, parsed)) < len(text) / 4  # most lines need no parser: plain text, simple links and styles
        assert max(map(len, parsed)) < len(text) / 2  # the page is never parsed whole
