"""The one-pass narrative parser gives the same Report as the parser before it (kept in
tests/legacy_themes_parser.py): on every fixture, every check case, synthetic reports, and pages
made of random lines of well-formed and broken markup. The comparison covers the fields that
Report's equality leaves out (anomalies, line count, the table's line) too."""

from __future__ import annotations

from pathlib import Path

import legacy_themes_parser
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from synthetic import synthetic_report

from wikisync.model import Report
from wikisync.shapes.themes.parser import ThemeSections, parse_themes, plain_text

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
    assert_same(synthetic_report(themes, markup="heavy"))


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

    from wikisync.shapes.themes import parser as themes

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


# -- tables: the line reader gives the cells mwparserfromhell gives, or leaves the table to it ------------

TABLE_LINES = [
    "|-", "|-  style=\"color:red\"", "|---", "|- class=a|b", "| Reach", "|", "| ", "! Competing Priorities", "! Priorités concurrentes",
    "! Competing Priorities !! Themes", "! a || b !! c", "| a || b", "| a ||", "|| c", "!! d", "| a !! b", "! e ! f", "| g!h",
    "| x | y", "|+ caption", "| [[a|b]]", "* [[Main Page]]", "| &amp; x", "* Access (cost, reach)", "* Learning",
    "* Cohesion/integration", "** nested (n)", "# numbered", "", "   ", "text", " indented text", " | lead", " ! lead",
    "x !! y", "x || y", "x | y", "== x ==", "| == x ==", "|* x", "!* x", "|:x", "* ''it''", "| ''it''", "| ''it", "* ''' b",
    "| ''a || b''", "* <ref>r</ref>", "* {{tpl}}", "{|", "|}", " |}", "|} x", "* a &nbsp; b", "| Priority 1: grow",
    "* Access", "* access (x)", "!", "|-\t", "* a (b) (c)", "----",
]
# Lines the line reader takes (it reads most tables made of them); it leaves the rest of TABLE_LINES to mwparserfromhell
SIMPLE_TABLE_LINES = [
    "|-", "|-  style=\"color:red\"", "| Reach", "|", "| ", "! Competing Priorities", "! Priorités concurrentes",
    "! Competing Priorities !! Themes", "| a || b", "| a ||", "| a !! b", "! e ! f", "| g!h", "| &amp; x", "* Access (cost, reach)",
    "* Learning", "* Cohesion/integration", "** nested (n)", "# numbered", "", "   ", "text", " indented text", "== x ==", "* ''it''",
    "| ''it''", "| ''it", "* a &nbsp; b", "| Priority 1: grow", "* Access", "* access (x)", "!", "* a (b) (c)", "----",
    "| x ''y'' z", "! ''h''", "! a !!", "!a!!!b", "| a ||| b", ": x", "; y", "* ''' b", "| '''b''' c", "|  a  ||  b  ||  c  ",
]
TABLE_OPENERS = ["{|", "{| class=\"wikitable\"", "{| class=\"wikitable sortable\" style=\"text-align: left\"", "{|-", "{|--x",
                 "  {|", "{| a|b", "{| [[x]]", "{| ! x", "{|}", "{| style=\"a:b\" x"]
TABLE_CLOSERS = ["|}", "|}", " |}", "|} after"]


def _tables(pool: list[str], openers: list[str], closers: list[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(openers), st.lists(st.sampled_from(pool), max_size=14),
                     st.sampled_from(closers)).map(lambda t: "\n".join([t[0], *t[1], t[2]]))


def _page_with(table: str, before: str) -> str:
    return (f"== Key Themes ==\n=== Access ===\nSummary.\n\nWhat we heard:\n* A comment.\n=== Learning ===\nMore.\n"
            f"== {before} ==\n'''Which?'''\n{table}\n'''After?'''\n")


def _assert_table_read_alike(table: str, before: str) -> None:
    from wikisync.shapes.themes import parser as themes

    page = _page_with(table, before)
    assert_same(page)
    assert_same(page, FRENCH)
    parser = themes._Parser(page, "T", 7, themes._Matcher(ThemeSections()))
    start = parser.lines.index(table.split("\n")[0])
    try:
        end = parser._table_end(start)
        read = parser._line_table(start, end)
        parsed = parser._table_block(start, end) if read is not None else None
    except themes._FallBack:
        return
    if read is not None:  # the same cells as mwparserfromhell's, at the same offsets
        rows = [[(h, contents, at) for h, contents, at, _ in row] for row in parser._parsed_rows(parsed.node, parsed.offset)]
        assert [[(c.header, c.contents, c.at) for c in row] for row in read.cells] == rows
        assert parser._priorities(read) == parser._priorities(parsed)
        assert parser._is_priority_table(read) == parser._is_priority_table(parsed)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables(TABLE_LINES, TABLE_OPENERS, TABLE_CLOSERS), st.sampled_from(["Key Questions", "Other"]))
def test_random_tables(table: str, before: str) -> None:
    _assert_table_read_alike(table, before)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_tables(SIMPLE_TABLE_LINES, TABLE_OPENERS[:5], ["|}"]), st.sampled_from(["Key Questions", "Other"]))
def test_random_simple_tables(table: str, before: str) -> None:
    _assert_table_read_alike(table, before)


def test_the_line_reader_reads_the_usual_tables() -> None:
    from wikisync.shapes.themes import parser as themes

    for text in (FIXTURES[0].read_text(encoding="utf-8"), synthetic_report(200), synthetic_report(20, markup=False)):
        parser = themes._Parser(text, "T", 7, themes._Matcher(ThemeSections()))
        start = next(n for n, line in enumerate(parser.lines) if line.startswith("{|"))
        assert parser._line_table(start, parser._table_end(start)) is not None


@given(st.text(alphabet=st.sampled_from(list("ab\n\r \u2028")), max_size=30))
def test_line_index_of_lines(text: str) -> None:
    from wikisync.shapes.wikitext import LineIndex

    assert LineIndex.of_lines(text.split("\n")).starts == LineIndex(text).starts
