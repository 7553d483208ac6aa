from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from wikisync.config import SourceSpec
from wikisync.diagnostics import Diagnostic, has_errors, summary_line
from wikisync.errors import ConfigError
from wikisync.render import render
from wikisync.shapes import SHAPES
from wikisync.shapes.records import Codebook, StatementReport
from wikisync.shapes.statements.groups import UNCODED, group_statements
from wikisync.shapes.statements.parser import parse_participants, parse_statements, split_codes
from wikisync.shapes.statements.rules import STATEMENT_RULES, check_statements
from wikisync.shapes.wikitext import plain_text

FIXTURES = Path(__file__).parent / "fixtures" / "statements"
DATA = Path(__file__).parent / "data"
CASES = [case for path in sorted((DATA / "statements").glob("*.yaml")) for case in yaml.safe_load(path.read_text(encoding="utf-8"))]

CYCLE2 = Codebook("Cycle 2", {
    "theme": {
        "A": "Healthy, inclusive communities",
        "B": "The augmented age",
        "C": "A truly global movement",
        "D": "The most trusted source of knowledge",
        "E": "Engaging in the knowledge ecosystem",
    },
    "question": {
        "1": "The impact of following the theme",
        "2": "Its importance against the other four",
        "3": "What to stop doing",
        "4": "What to add",
        "5": "Who else works in the area and how to partner",
    },
})
CYCLE3 = Codebook("Cycle 3", {
    "insight": {letter: f"Insight {letter}" for letter in "ABCDEFGH"},
    "overall": {"supportive": "Supportive", "concern": "Concern", "neutral": "Neutral"},
})
DRAFTING = Codebook("Drafting", {
    "section": {"A": "The direction", "B": "Reasoning and implications"},
    "priority": {"1": "Absolutely necessary change", "2": "A change, not absolutely necessary"},
})
CODEBOOKS = {"cycle2": CYCLE2, "cycle2-trimmed": CYCLE2, "cycle3": CYCLE3, "drafting": DRAFTING}


def fixture_text(name: str) -> str:
    return (FIXTURES / f"{name}.wiki").read_text(encoding="utf-8")


def parsed(name: str, code: str | None = None) -> StatementReport:
    return parse_statements(fixture_text(name), f"Strategy/Sources/{name}", 100, codebook=CODEBOOKS.get(name), code=code)


def positions(diagnostics: list[Diagnostic]) -> list[str]:
    return [f"{d.code}@{d.line}:{d.column}" for d in diagnostics]


# -- the six fixtures -----------------------------------------------------------------------


def test_cycle1_skips_the_example_rows_and_reads_the_info_block() -> None:
    report = parsed("cycle1", code="Rv1")
    assert [s.id for s in report.statements] == [f"§Rv1.{n}" for n in range(1, 9)]
    assert [s.source_line for s in report.statements] == list(range(27, 42, 2))
    assert report.examples_skipped == 2
    assert report.info.to_dict() == {
        "group": "Riverside Wikimedians",
        "location": "Village pump of the Riverside wiki",
        "location_type": "local wiki",
        "participants": 43,
        "participants_text": "~ 43",
    }
    assert report.statements[4].keywords == ("safety", "harassment", "policy")
    assert report.statements[0].codes == {}
    assert positions(check_statements(report)) == ["WS501@23:1"]


def test_cycle2_codes_users_and_the_stock_example_table() -> None:
    report = parsed("cycle2", code="Hb1")
    assert report.examples_skipped == 2
    assert [table.kind for table in report.tables] == ["example", "statements"]
    assert len(report.statements) == 7
    themes = [s.codes["theme"] for s in report.statements]
    assert themes == [("A", "C", "E"), ("C", "B"), ("A", "B"), ("A",), ("D",), (), ("E",)]
    assert [s.codes["question"] for s in report.statements] == [("1",), ("4",), ("1", "2"), ("3",), ("1",), ("5",), ("4",)]
    assert [[str(u) for u in s.uncertain] for s in report.statements] == [[], [], [], ["theme:A"], ["question:1"], [], []]
    assert report.statements[0].users == ("Marisol", "Ketut")
    assert report.info.participants == 31 and report.info.participants_text == "31 (16 women, 15 men)"
    assert [(k.kind, k.number, k.code) for k in report.keys if k.kind == "theme"] == [
        ("theme", 1, "A"), ("theme", 2, "B"), ("theme", 3, "C"), ("theme", 4, "D"), ("theme", 5, "E"),
    ]
    assert positions(check_statements(report)) == ["WS501@34:1", "WS508@51:8", "WS508@53:13"]


def test_cycle2_json_shape() -> None:
    document = json.loads(json.dumps(parsed("cycle2", code="Hb1").to_dict(), ensure_ascii=False))
    assert list(document) == ["title", "revision", "shape", "info", "statements", "examples_skipped"]
    assert document["shape"] == "statements" and document["revision"] == 100
    assert list(document["info"]) == ["group", "location", "location_type", "participants", "participants_text"]
    first = document["statements"][0]
    assert list(first) == ["id", "line", "text", "keywords", "codes", "uncertain", "users", "source_line"]
    assert first == {
        "id": "§Hb1.1",
        "line": 1,
        "text": "Welcoming newcomers in their own language matters more than any single feature.",
        "keywords": ["newcomers", "language"],
        "codes": {"theme": ["A", "C", "E"], "question": ["1"]},
        "uncertain": [],
        "users": ["Marisol", "Ketut"],
        "source_line": 45,
    }


def test_trimmed_theme_key_resolves_by_label_not_position() -> None:
    report = parsed("cycle2-trimmed")
    assert [(k.number, k.label, k.code) for k in report.keys if k.kind == "theme"] == [
        (1, "Healthy, inclusive communities", "A"),
        (2, "Engaging in the knowledge ecosystem", "E"),
    ]
    assert [s.codes["theme"] for s in report.statements] == [("A",), ("E",), ("A", "E"), ("E",)]
    assert [str(u) for u in report.statements[3].uncertain] == ["theme:E"]
    assert [s.id for s in report.statements] == [f"§cycle2trimmed.{n}" for n in range(1, 5)]
    assert positions(check_statements(report)) == ["WS508@35:8"]


def test_trimmed_theme_key_without_a_codebook_keeps_the_digits() -> None:
    report = parse_statements(fixture_text("cycle2-trimmed"))
    assert [s.codes["theme"] for s in report.statements] == [("1",), ("2",), ("1", "2"), ("2",)]
    assert all(k.code is None for k in report.keys)


def test_cycle3_filler_row_and_coded_columns() -> None:
    report = parsed("cycle3", code="Lk3")
    assert report.examples_skipped == 1 and report.tables[0].example_lines == (30,)
    assert [s.id for s in report.statements] == ["§Lk3.1", "§Lk3.2", "§Lk3.3", "§Lk3.4", "§Lk3.5"]
    assert report.statements[1].codes == {"week": ("1",), "insight": ("B", "C"), "overall": ("concern",)}
    assert report.statements[0].text == "The community would welcome a yearly gathering in the region."
    assert report.info.participants == 30 and report.info.participants_text == "30+"
    assert positions(check_statements(report)) == ["WS501@30:1", "WS508@36:13"]


def test_drafting_feedback_rows_beginning_example_and_no_line_column() -> None:
    report = parsed("drafting", code="Cf1")
    assert report.examples_skipped == 1
    assert [s.id for s in report.statements] == ["§Cf1.1", "§Cf1.2", "§Cf1.3", "§Cf1.4"]
    assert all(s.line is None for s in report.statements)
    assert [s.codes["section"] for s in report.statements] == [("A",), ("A",), ("B",), ("B",)]
    assert [s.codes["priority"] for s in report.statements] == [("1",), ("2",), ("1",), ("2",)]
    assert report.statements[1].keywords == ("knowledge as a service",)
    assert report.info.participants is None and report.info.participants_text == ""
    assert positions(check_statements(report)) == ["WS501@14:1", "WS505@22:12"]


def test_messy_page() -> None:
    report = parsed("messy", code="Ht1")
    table = report.tables[0]
    assert (table.kind, table.header_line, table.family) == ("statements", None, "cycle 1")
    assert [(s.id, s.line, s.source_line) for s in report.statements] == [
        ("§Ht1.1", 1, 22),
        ("§Ht1.3", 3, 24),
        ("§Ht1.3-2", 3, 26),
        ("§Ht1.3-2+1", None, 32),
        ("§Ht1.3-2+2", None, 34),
        ("§Ht1.6", 6, 39),
        ("§Ht1.7", 7, 44),
        ("§Ht1.8", 8, 46),
    ]
    by_id = {s.id: s for s in report.statements}
    assert by_id["§Ht1.3"].text == "The wiki needs more articles about local crafts."
    assert by_id["§Ht1.3-2"].text == (
        "Several ideas about events: a monthly edit-a-thon; a photo walk in spring; a stand at the town fair"
    )
    assert by_id["§Ht1.3-2"].keywords == ("events", "outreach")
    assert by_id["§Ht1.3-2+1"].text.endswith("answer every question. (Tino)")
    assert by_id["§Ht1.3-2+1"].users == ("Tino",) and by_id["§Ht1.3-2+1"].attribution == "Tino"
    assert by_id["§Ht1.3-2+2"].line_text == "4a"
    assert by_id["§Ht1.3-2+2"].text == "Newcomers find the rules confusing. The help pages use too much jargon, and nobody explains it."
    assert by_id["§Ht1.6"].text == "We would like a small grant for a projector."
    assert by_id["§Ht1.6"].keywords == ("grants", "equipment")
    assert by_id["§Ht1.7"].attribution == "in private mailing list" and by_id["§Ht1.7"].users == ()
    assert by_id["§Ht1.7"].text == "Hilltop articles should use the new census figures. (in private mailing list)"
    assert report.info.group == "Hilltop Friends of Free Knowledge"
    assert report.info.participants is None
    assert report.info.participants_text == "about a dozen regulars; a few visitors from the college"
    assert report.examples_skipped == 0


MESSY_CHECK = """\
messy.wiki:14:3: warning WS509 the number of participants "about a dozen regulars; a few visitors from the college" is not a number (hint: write a rough count such as 30 or ~30)
messy.wiki:26:3: warning WS502 line number 3 is used again (first on line 24); this statement's id is §Ht1.3-2 (hint: give the row a number of its own)
messy.wiki:32:2: warning WS503 row has no line number; its id is §Ht1.3-2+1 (hint: number the row)
messy.wiki:34:3: warning WS504 line number "4a" is not a number; its id is §Ht1.3-2+2
messy.wiki:37:2: warning WS506 statement §Ht1.3-2+2 has no keywords
messy.wiki:46:1: warning WS506 statement §Ht1.8 has no keywords
messy.wiki:46:3: warning WS512 row has 2 cells where the table has 3 columns"""


def test_messy_page_check_output_verbatim() -> None:
    found = check_statements(parsed("messy", code="Ht1"))
    assert "\n".join(d.format("messy.wiki") for d in found) == MESSY_CHECK
    assert summary_line(found) == "7 warnings" and not has_errors(found)


def test_every_fixture_line_points_at_its_row() -> None:
    for name in ("cycle1", "cycle2", "cycle2-trimmed", "cycle3", "drafting", "messy"):
        lines = fixture_text(name).split("\n")
        for statement in parsed(name).statements:
            row = lines[statement.source_line - 1]
            assert row.lstrip().startswith(("|", "!")), (name, statement.id, row)
            line, column = statement.position("statement")
            first_word = statement.text.split()[0] if statement.text else ""
            assert plain_text(lines[line - 1][column - 1:]).startswith(first_word), (name, statement.id)


# -- codes, participants, ids, columns ------------------------------------------------------


@pytest.mark.parametrize(
    "cell, codes, doubtful",
    [
        ("A, C, E", ("A", "C", "E"), ()),
        ("C + B", ("C", "B"), ()),
        ("A/B", ("A", "B"), ()),
        ("1, 2", ("1", "2"), ()),
        ("A & D and e", ("A", "D", "E"), ()),
        ("A (possibly, not clearly stated)", ("A",), ("A",)),
        ("1?", ("1",), ("1",)),
        ("B, (maybe C)", ("B", "C"), ("C",)),
        ("none", (), ()),
        ("", (), ()),
        ("n/a", (), ()),
        ("Theme A", ("A",), ()),
        ("supportive", ("supportive",), ()),
    ],
)
def test_split_codes(cell: str, codes: tuple[str, ...], doubtful: tuple[str, ...]) -> None:
    assert split_codes(cell) == (codes, doubtful)


@pytest.mark.parametrize(
    "text, expected",
    [("30+", 30), ("~ 43", 43), ("31 (16 women, 15 men)", 31), ("about 20 people", 20), ("1,200", 1200),
     ("", None), ("a dozen", None), ("10-15", None)],
)
def test_parse_participants(text: str, expected: int | None) -> None:
    assert parse_participants(text) == expected


def test_code_prefix_defaults_to_a_slug_of_the_title_or_S() -> None:
    table = "{|\n! Line !! Statement !! Keywords\n|-\n| 4 || Something to say. || words\n|}"
    assert parse_statements(table, "Strategy/Cycle 1/Fr-1 (group)").statements[0].id == "§Fr1group.4"
    assert parse_statements(table).statements[0].id == "§S.4"
    assert parse_statements(table, code='Fr"1|').statements[0].id == "§Fr1.4"


def test_columns_argument_overrides_the_aliases() -> None:
    table = "{|\n! Nr !! Text !! Tags\n|-\n| 4 || Something to say. || a, b\n|}"
    assert check_statements(parse_statements(table))[0].code == "WS500"
    report = parse_statements(table, columns={"line": "Nr", "statement": "Text", "keywords": "Tags"})
    assert [(s.id, s.text, s.keywords) for s in report.statements] == [("§S.4", "Something to say.", ("a", "b"))]
    with pytest.raises(ConfigError):
        parse_statements(table, columns={"sentence": "Text"})


def test_an_unlabelled_column_of_user_links_is_the_users_column() -> None:
    table = "{|\n! Line !! Statement !! Keywords !!\n|-\n| 1 || Say it. || a || [[User:Ana|Ana]], [[User:Bo|Bo]]\n|}"
    assert parse_statements(table).statements[0].users == ("Ana", "Bo")


def test_rows_an_empty_form_leaves_are_not_statements() -> None:
    table = "{|\n! Line !! Statement !! Keywords\n|-\n| 1 || ||\n|-\n| 2 || ||\n|}"
    report = parse_statements(table)
    assert report.statements == () and report.tables[0].rows == 2
    assert check_statements(report) == []


def test_real_rows_in_the_table_introduced_as_an_example_are_kept() -> None:
    text = "Below is an example:\n{|\n! Line !! Statement !! Keywords\n|-\n| 1 || A real statement. || real\n|}"
    report = parse_statements(text)
    assert [s.text for s in report.statements] == ["A real statement."]
    assert report.examples_skipped == 0


# -- rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_case(case: dict) -> None:
    codebook = Codebook(case["codebook"]["name"], case["codebook"]["kinds"]) if "codebook" in case else None
    report = parse_statements(case["wikitext"], case.get("title", ""), codebook=codebook, code=case.get("code"),
                              columns=case.get("columns"))
    assert positions(check_statements(report, rules=case.get("rules", {}))) == case["fires"]
    expected = case.get("parsed", {})
    if "ids" in expected:
        assert [s.id for s in report.statements] == expected["ids"]
    if "texts" in expected:
        assert [s.text for s in report.statements] == expected["texts"]
    if "codes" in expected:
        assert [{role: list(codes) for role, codes in s.codes.items()} for s in report.statements] == expected["codes"]
    if "examples_skipped" in expected:
        assert report.examples_skipped == expected["examples_skipped"]
    if "info" in expected:
        assert {key: report.info.to_dict()[key] for key in expected["info"]} == expected["info"]


def test_every_rule_has_a_case_that_fires_it() -> None:
    fired = {entry.split("@")[0] for case in CASES for entry in case["fires"]}
    parse_cannot_produce = {"WS599"}
    assert fired | parse_cannot_produce == set(STATEMENT_RULES)


def test_rules_registry_is_well_formed() -> None:
    assert list(STATEMENT_RULES) == sorted(STATEMENT_RULES)
    for code, rule in STATEMENT_RULES.items():
        assert rule.code == code and code.startswith("WS5") and len(code) == 5
        assert rule.default_severity in ("error", "warning", "info")
        assert rule.summary and callable(rule.function)


def test_info_findings_never_count_as_errors() -> None:
    found = check_statements(parsed("cycle2"))
    assert {d.severity for d in found} == {"info"}
    assert not has_errors(found)
    assert summary_line(found) == "no problems"


def test_severity_overrides_and_off() -> None:
    report = parsed("messy")
    found = check_statements(report, rules={"WS506": "error", "WS509": "off", "WS512": "info"})
    assert [(d.code, d.severity) for d in found if d.code in ("WS506", "WS509", "WS512")] == [
        ("WS506", "error"), ("WS506", "error"), ("WS512", "info"),
    ]
    assert has_errors(found)
    assert check_statements(report, rules={code: "off" for code in STATEMENT_RULES}) == []
    for bad in ({"WS999": "off"}, {"WS506": "fatal"}):
        with pytest.raises(ConfigError):
            check_statements(report, rules=bad)


def test_plain_text_helper_agrees_with_the_report_parser() -> None:
    for case in yaml.safe_load((DATA / "plain_text.yaml").read_text(encoding="utf-8")):
        assert plain_text(case["wikitext"]) == case["text"]


# -- performance ----------------------------------------------------------------------------


def test_a_2000_row_table_is_read_row_by_row() -> None:  # its speed is scripts/bench's to measure
    rows = "\n".join(
        f"|-\n| {n} || A, C || 1? || Statement {n} about [[Page|things]] and more.<ref>a source</ref> || key{n}, other "
        f"|| [[User:U{n}|U{n}]]"
        for n in range(1, 2001)
    )
    text = "# Healthy\n{| class=wikitable\n! Line !! Theme !! Question !! Summary Statement !! Keywords !! Users\n" + rows + "\n|}"
    report = parse_statements(text, codebook=CYCLE2)
    assert len(report.statements) == 2000 and report.statements[-1].id == "§S.2000"
    assert report.statements[-1].text == "Statement 2000 about things and more."
    assert report.statements[999].codes == {"theme": ("A", "C"), "question": ("1",)}


# -- robustness: mutated tables -------------------------------------------------------------

MARKUP = ["{|", "|}", "|-", "|", "||", "!", "! Line !! Statement", "<ref>", "</ref>", "<ref>x</ref>", "<!--", "-->",
          "<translate>", "<!--T:9-->", "* ", "== x ==", "[[", "]]", "(Tino)", "?", "none", ",", "A (possibly)", "\x00"]
POSITION = st.integers(min_value=0, max_value=10**6)
MUTATIONS = st.one_of(
    st.tuples(st.just("delete"), POSITION),
    st.tuples(st.just("duplicate"), POSITION),
    st.tuples(st.just("insert"), POSITION, st.sampled_from(MARKUP) | st.text(max_size=12)),
    st.tuples(st.just("splice"), POSITION, POSITION, st.sampled_from(MARKUP) | st.text(max_size=6)),
)
FIXTURE_NAMES = ["cycle1", "cycle2", "cycle2-trimmed", "cycle3", "drafting", "messy"]


def _mutate(lines: list[str], mutation: tuple) -> list[str]:
    lines = list(lines) or [""]
    kind, at = mutation[0], mutation[1] % len(lines)
    if kind == "delete":
        del lines[at]
    elif kind == "duplicate":
        lines.insert(at, lines[at])
    elif kind == "insert":
        lines.insert(at, mutation[2])
    else:
        column = mutation[2] % (len(lines[at]) + 1)
        lines[at] = lines[at][:column] + mutation[3] + lines[at][column:]
    return lines


def _report_lines(report: StatementReport) -> Iterator[int]:
    for statement in report.statements:
        yield statement.source_line
        yield from (line for line, _ in statement.positions.values())
    for table in report.tables:
        yield table.line
        yield from table.example_lines
        if table.header_line is not None:
            yield table.header_line
    yield from (key.line for key in report.keys)
    yield from (anomaly.line for anomaly in report.anomalies)
    if report.info.participants_at is not None:
        yield report.info.participants_at[0]


@settings(max_examples=150, deadline=None)
@given(name=st.sampled_from(FIXTURE_NAMES), mutations=st.lists(MUTATIONS, max_size=8),
       cut=st.none() | st.integers(min_value=0, max_value=5_000))
def test_mutated_tables_never_raise_and_stay_in_bounds(name: str, mutations: list[tuple], cut: int | None) -> None:
    lines = fixture_text(name).split("\n")
    for mutation in mutations:
        lines = _mutate(lines, mutation)
    text = "\n".join(lines)[:cut]
    line_count = text.count("\n") + 1

    report = parse_statements(text, name, codebook=CODEBOOKS.get(name), code="M1")
    found = check_statements(report)

    assert report.line_count == line_count
    assert all(1 <= line <= line_count for line in _report_lines(report))
    assert len({s.id for s in report.statements}) == len(report.statements)
    assert all(1 <= d.line <= line_count and d.column >= 1 for d in found)
    assert found == sorted(found, key=lambda d: (d.line, d.column, d.code))
    assert all("\n" not in d.format("page") for d in found)
    json.dumps(report.to_dict())


# -- groups and templates -------------------------------------------------------------------

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SOURCE = "Strategy/Sources/cycle2"
SUMMARY_TITLE = f"{SOURCE}/Summary"


def _pages(report: StatementReport, source: str = SOURCE) -> dict[str, str]:
    """Title -> text of every page the default targets generate from ``report``."""
    spec = SourceSpec(page=source, shape="statements", codebook="cycle2", code="Hb1", targets=SHAPES["statements"].default_targets({"codebook": "c"}))
    pages = render(report, spec, TEMPLATES)
    assert all(page.error is None for page in pages), [page.error for page in pages]
    return {page.title: page.text for page in pages}


def test_groups_follow_the_codebook_then_unknown_codes_then_uncoded() -> None:
    groups = group_statements(parsed("cycle2", code="Hb1"))
    assert [(g.code, g.label, [s.id for s in g.statements]) for g in groups] == [
        ("A", "Healthy, inclusive communities", ["§Hb1.1", "§Hb1.3", "§Hb1.4"]),
        ("B", "The augmented age", ["§Hb1.2", "§Hb1.3"]),
        ("C", "A truly global movement", ["§Hb1.1", "§Hb1.2"]),
        ("D", "The most trusted source of knowledge", ["§Hb1.5"]),
        ("E", "Engaging in the knowledge ecosystem", ["§Hb1.1", "§Hb1.7"]),
        (UNCODED, "no theme", ["§Hb1.6"]),
    ]
    anchors = [anchor for group in groups for anchor in group.anchors]
    assert sorted(anchors) == sorted(s.id for s in parsed("cycle2", code="Hb1").statements)
    assert groups[1].anchors == {"§Hb1.2"}
    unknown = parse_statements("{|\n! Line !! Theme !! Statement\n|-\n| 1 || Q || Text.\n|}", codebook=CYCLE2)
    assert [(g.code, g.label, len(g.statements)) for g in group_statements(unknown)][-1] == ("Q", "not in the codebook", 1)


def test_summary_template_anchors_every_statement_once() -> None:
    report = parsed("cycle2", code="Hb1")
    page = _pages(report)[SUMMARY_TITLE]
    for statement in report.statements:
        assert page.count(f'<span id="{statement.id}"></span>') == 1
    assert "== A: Healthy, inclusive communities (3) ==" in page
    assert "== no theme (1) ==" in page
    assert "2 example rows still on the source page are not counted." in page
    assert "{#" not in page and "Context:" not in page


def test_code_pages_link_to_the_summary_anchors() -> None:
    report = parsed("cycle2", code="Hb1")
    pages = _pages(report)
    summary = pages.pop(SUMMARY_TITLE)
    pages.pop(f"{SOURCE}/data.json")
    groups = {group.code: group for group in group_statements(report)}
    assert sorted(pages) == [f"{SUMMARY_TITLE}/{code}" for code in "ABCDE"]  # the codebook's codes, not "no theme"
    for title, page in pages.items():
        links = re.findall(r"\[\[" + re.escape(SUMMARY_TITLE) + r"#([^|\]]+)\|", page)
        assert links == [s.id for s in groups[title.rsplit("/", 1)[1]].statements]
        assert all(f'<span id="{anchor}"></span>' in summary for anchor in links)


def test_the_data_page_holds_the_parse_output_and_the_counts_per_code() -> None:
    report = parsed("cycle2", code="Hb1")
    data = json.loads(_pages(report)[f"{SOURCE}/data.json"])
    assert {k: v for k, v in data.items() if k not in ("code", "track", "counts")} == report.to_dict()
    assert data["code"] == "Hb1" and data["track"] is None
    assert data["counts"]["theme"] == {"A": 3, "B": 2, "C": 2, "E": 2, "D": 1, "": 1}
    assert sum(data["counts"]["question"].values()) == 7 + 1  # statement 3 answers questions 1 and 2


def test_statements_are_grouped_by_the_codebooks_first_kind_when_it_has_no_themes() -> None:
    report = parsed("cycle3")
    spec = SourceSpec(page="W", shape="statements", codebook="cycle3", targets=SHAPES["statements"].default_targets({"codebook": "c"}))
    titles = [page.title for page in render(report, spec, TEMPLATES)]
    assert titles == ["W/Summary"] + [f"W/Summary/{code}" for code in "ABCDEFGH"] + ["W/data.json"]
    summary = render(report, spec, TEMPLATES)[0].text
    assert "grouped by insight." in summary and "! Insight !! Statements" in summary


def test_templates_escape_report_text() -> None:
    hostile = "{|\n! Line !! Theme !! Statement !! Keywords\n|-\n| 1 || A || Use <nowiki>[[Category:Spam]]</nowiki> and <nowiki>{{!}}</nowiki> || a\n|}"
    report = parse_statements(hostile, "Hostile", codebook=CYCLE2, code="H")
    assert report.statements[0].text == "Use [[Category:Spam]] and {{!}}"
    pages = _pages(report, "Hostile")
    assert json.loads(pages.pop("Hostile/data.json"))["statements"][0]["text"] == "Use [[Category:Spam]] and {{!}}"
    assert len(pages) == 6
    for page in pages.values():
        assert "[[Category:Spam]]" not in page and "{{!}}" not in page
    assert "&#91;&#91;Category:Spam&#93;&#93;" in pages["Hostile/Summary"]
    assert "&#91;&#91;Category:Spam&#93;&#93;" in pages["Hostile/Summary/A"]


def _leaves(value: object) -> Iterator[object]:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        for item in dataclasses.fields(value):
            yield from _leaves(getattr(value, item.name))
    elif isinstance(value, Mapping):
        for key, item in value.items():
            yield key
            yield from _leaves(item)
    elif isinstance(value, (tuple, list, frozenset, set)):
        for item in value:
            yield from _leaves(item)
    else:
        yield value


@pytest.mark.parametrize("name", FIXTURE_NAMES)
def test_reports_hold_plain_frozen_data_only(name: str) -> None:
    report = parsed(name)
    assert all(value is None or isinstance(value, (str, int, bool)) for value in _leaves(report))
    with pytest.raises(dataclasses.FrozenInstanceError):
        report.statements[0].text = "changed"  # type: ignore[misc]
