"""The summary shape: its parser, the resolution of its citations against the page map's statement
sources, its checks (WS601-WS607), the counts tied to their sources, what a statement source takes of its citations,
and `wikisync parse|check` of a summary file."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from wikisync.cli import main
from wikisync.config import SourceSpec
from wikisync.shapes import SHAPES
from wikisync.shapes.base import OtherSource
from wikisync.shapes.statements.parser import parse_statements
from wikisync.shapes.summary.parser import parse_summary
from wikisync.shapes.summary.records import SummaryReport

DATA = Path(__file__).parent / "data" / "summary"
PARSE_CASES = yaml.safe_load((DATA / "parse_cases.yaml").read_text(encoding="utf-8"))
CHECK_CASES = yaml.safe_load((DATA / "check_cases.yaml").read_text(encoding="utf-8"))
FIXTURES = Path(__file__).parent / "fixtures" / "summary"
SUMMARY = SHAPES["summary"]


def _statement_table(lines: list[int]) -> str:
    rows = "".join(f"|-\n| {line} || Statement {index}. || keyword\n" for index, line in enumerate(lines, 1))
    return "{| class=\"wikitable\"\n! Line !! Statement !! Keywords\n" + rows + "|}\n"


@pytest.mark.parametrize("case", PARSE_CASES, ids=[case["name"] for case in PARSE_CASES])
def test_parse_case(case):
    report = parse_summary(case["wikitext"], "Summary")
    found = {
        "blocks": [f"{b.kind}@{b.line}-{b.end_line}" for b in report.blocks],
        "counts": [f"{c.count}@{c.line}:{c.column} {c.community}" for c in report.counts],
        "citations": [f"{c.cited}@{c.line}:{c.column}" for c in report.citations],
        "malformed": [f"{line}:{column}" for line, column, _ in report.malformed],
    }
    for key, value in found.items():
        if key in case:
            assert value == case[key], key


def _resolved(case: dict) -> SummaryReport:
    others = []
    for code, lines in case["sources"].items():
        title = f"Strategy/Sources/{case.get('titles', {}).get(code, code)}"
        report = None if lines is None else parse_statements(_statement_table(lines), title, None, code=code)
        history = case.get("histories", {}).get(code)
        others.append(OtherSource(title, "statements", code, f"{title}/Summary", report,
                                  None if history is None else tuple(map(tuple, history)),
                                  tuple(case.get("communities", {}).get(code, ()))))
    return SUMMARY.with_others(parse_summary(case["wikitext"], "Summary", case.get("revision")), None, others)


def _settings(rules: dict[str, str]) -> SourceSpec:
    return SourceSpec.model_validate({"page": "Summary", "shape": "summary", "rules": rules,
                                      "targets": [{"title": "{source}/Citations", "template": "summary-citations.wiki.j2"}]})


@pytest.mark.parametrize("case", CHECK_CASES, ids=[case["name"] for case in CHECK_CASES])
def test_check_case(case):
    diagnostics = SUMMARY.check(_resolved(case), _settings(case.get("rules", {})))
    assert [f"{d.code}@{d.line}:{d.column}" for d in diagnostics] == case["fires"]


def test_every_rule_has_a_case_that_fires_it():
    fired = {fire.split("@")[0] for case in CHECK_CASES for fire in case["fires"]}
    assert fired == set(SUMMARY.rules)


def test_a_summary_read_alone_resolves_nothing_and_finds_only_what_it_cannot_read():
    report = parse_summary("(§Xy1.2) (§Ar)", "Summary")
    assert report.resolutions is None
    assert [d.code for d in SUMMARY.check(report, None)] == ["WS606"]


def test_resolution_names_the_statement_and_its_anchor():
    report = _resolved({"sources": {"Ar1": [1, 2], "Ar2": [1]}, "wikitext": "(§Ar2) (§Ar2.1)"})
    assert report.resolutions is not None
    assert [(r.citation.cited, r.statement, r.link) for r in report.resolutions] == [
        ("§Ar2", "§Ar1.2", "Strategy/Sources/Ar1/Summary#§Ar1.2"),
        ("§Ar2.1", "§Ar2.1", "Strategy/Sources/Ar2/Summary#§Ar2.1"),
    ]


FIXTURE_CHECK = """\
tests/fixtures/summary/Summary.wiki:4:19: warning WS602 §Ar10: Strategy/Sources/Arabic-Village-Pump (code Ar1) has no statement with line 10 (hint: its lines: 1–5)
tests/fixtures/summary/Summary.wiki:7:48: warning WS604 §Bn1.2 is ambiguous: line 2 of Bn1 is 2 statements: §Bn1.2, §Bn1.2-2 (hint: number the source's rows apart, or cite the statement by its id)
tests/fixtures/summary/Summary.wiki:9:24: warning WS604 §EN1 is ambiguous: it fits En (Strategy/Sources/English-Mailing-List), En1 (Strategy/Sources/English-Wikipedia) (hint: cite with a dot: §En1.1 for En1; En can be cited only so: give it an index digit in page_map.yaml)
tests/fixtures/summary/Summary.wiki:9:42: warning WS601 §Xy1.2: no source has the code 'Xy1' (hint: give the source its code: in page_map.yaml (code:), or correct the citation)
tests/fixtures/summary/Summary.wiki:10:12: warning WS606 §Ar cites no line (write §CODE.LINE, or §LETTERS LINE as §Ar4)
tests/fixtures/summary/Summary.wiki:10:39: warning WS606 §Ar2.3 (to 1): the range ends before it starts
tests/fixtures/summary/Summary.wiki:14:21: info WS607 (9s) could not be tied to a source: no citation of its part of the block resolves to one, and "Other communities" names no source's title (hint: cite one of its statements, or name its source as its title does, or give it the name in page_map.yaml (community:))
tests/fixtures/summary/Summary.wiki: 6 warnings
"""


def test_check_of_the_fixture_summary_reads_its_sources_beside_the_page_map(capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)
    code = main(["check", "tests/fixtures/summary/Summary.wiki", "--title", "Strategy/Sources/Summary",
                 "--map", "tests/fixtures/summary/page_map.yaml"])
    out = capsys.readouterr()
    # the counts need the sources' history, which a file has not: one line says they go unchecked
    assert (code, out.out, out.err) == (0, FIXTURE_CHECK, (
        "wikisync: note: Strategy/Sources/Summary: its counts of 6 sources' statements are not checked against their "
        "history: a file has none (check --page TITLE reads it from the wiki)\n"))


def test_check_json_of_the_fixture_summary(capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)
    main(["check", "tests/fixtures/summary/Summary.wiki", "--title", "Strategy/Sources/Summary",
          "--map", "tests/fixtures/summary/page_map.yaml", "--format", "json"])
    found = json.loads(capsys.readouterr().out)
    assert [(d["code"], d["line"], d["column"]) for d in found] == [
        ("WS602", 4, 19), ("WS604", 7, 48), ("WS604", 9, 24), ("WS601", 9, 42), ("WS606", 10, 12), ("WS606", 10, 39), ("WS607", 14, 21)]


def test_a_cited_source_without_its_file_is_named_and_its_lines_go_unchecked(capsys, tmp_path):
    (tmp_path / "page_map.yaml").write_text(
        f"templates: {Path(__file__).parent.parent / 'templates'}\nsources:\n"
        "  - {page: S/Summary, shape: summary, targets: [{title: '{source}/C', format: json}]}\n"
        "  - {page: S/Gone, shape: statements, code: Ar1}\n", encoding="utf-8")
    (tmp_path / "Summary.wiki").write_text("(§Ar1.99)\n", encoding="utf-8")
    code = main(["check", str(tmp_path / "Summary.wiki"), "--title", "S/Summary", "--map", str(tmp_path / "page_map.yaml")])
    out = capsys.readouterr()
    assert code == 0
    assert out.err == f"wikisync: note: S/Gone: no readable {tmp_path / 'Gone.wiki'}; its lines are not checked\n"
    assert out.out.endswith(": no problems\n")


def test_parse_of_a_summary_file_with_its_page_map_has_the_resolutions(capsys, monkeypatch):
    monkeypatch.chdir(Path(__file__).parent.parent)
    main(["parse", "tests/fixtures/summary/Summary.wiki", "--title", "Strategy/Sources/Summary",
          "--map", "tests/fixtures/summary/page_map.yaml"])
    data = json.loads(capsys.readouterr().out)
    assert data["shape"] == "summary"
    assert [c["count"] for c in data["counts"]] == [5, 4, 4, 2, 3, 1, 9]
    # the counts with no citation: one tied by the words of its community, one to nothing
    assert [(t["line"], t["by"], t["sources"]) for t in data["ties"][-2:]] == [
        (13, "community", ["Strategy/Sources/English-Mailing-List"]), (14, None, [])]
    first = data["resolutions"][0]
    assert (first["cited"], first["sources"][0]["code"], first["statements"]) == ("§Ar1", "Ar1", ["§Ar1.1"])


def _fixture_readings(cited: bool = False):
    """The fixture summary and its sources read as a run reads them, from the files beside the page map, each
    source's history one revision (its own number, for a file): the fixture's counts as true as written."""
    from wikisync.config import load_page_map
    from wikisync.reading import Across, read_source

    page_map = load_page_map(FIXTURES / "page_map.yaml")
    texts = {spec.page: (FIXTURES / f"{spec.page.rsplit('/', 1)[-1]}.wiki").read_text(encoding="utf-8")
             for spec in page_map.sources}

    def read_texts(titles):
        return {title: (texts[title], 100) for title in titles}

    def history(spec, revision, statements):
        return ((revision, statements(texts[spec.page])),)

    across = Across(page_map, read_texts, history)
    summary = page_map.sources[0]
    citing = across.citations(texts[summary.page], summary.page, 200, summary)
    readings = [read_source(texts[spec.page], spec.page, 200 if spec is summary else 100, spec, page_map.codebooks, across,
                            [c for c in citing if c.source == spec.page] if cited and spec is not summary else None)
                for spec in page_map.sources]
    return page_map, readings


def test_the_citations_page_shows_each_count_on_its_line_and_the_source_its_community_names():
    from wikisync.render import render

    page_map, readings = _fixture_readings()
    [page] = render(readings[0].report, readings[0].spec, page_map.templates)
    counts = page.text.split("== Counts ==\n")[1].split("\n\n")[0].splitlines()
    assert counts == [
        "* Line 3: The Arabic Wikipedia's village pump discussion: 5 statements (then 5, now 5)",
        "* Line 4: The Arabic meetup: 4 statements (then 4, now 4)",
        "* Line 7: Bengali Wikipedia: 4 statements (then 4, now 4)",
        "* Line 8: French Wikipedia: 2 statements (then 2, now 2)",
        "* Line 9: English: 3 statements (then 2, now 2; never true)",
        "* Line 13: The English mailing list: 1 statement (then 1, now 1); its source, named by the text before it: "
        "[[Strategy/Sources/English-Mailing-List]]",
        "* Line 14: Other communities: 9 statements",
    ]


def test_a_statement_source_takes_the_citations_of_its_statements():
    """Through the Shape protocol: what the summary cites (by codes alone) becomes each statement's cited_by,
    its tally's coverage; an ambiguous citation (a line that is two statements) is no statement's."""
    from wikisync.aggregate import aggregate

    page_map, readings = _fixture_readings(cited=True)
    by_title = {reading.spec.page: reading for reading in readings}
    pump = by_title["Strategy/Sources/Arabic-Village-Pump"].report.to_dict()
    assert [(s["id"], s["cited_by"]) for s in pump["statements"]] == [
        ("§Ar1.1", [{"summary": "Strategy/Sources/Summary", "line": 3}]), ("§Ar1.2", []), ("§Ar1.3", []),
        ("§Ar1.4", [{"summary": "Strategy/Sources/Summary", "line": 4}]), ("§Ar1.5", [])]
    bengali = by_title["Strategy/Sources/Bengali-Wikipedia"].report.to_dict()
    assert [s["id"] for s in bengali["statements"] if s["cited_by"]] == ["§Bn1.1", "§Bn1.3"]
    corpus = aggregate([r for r in readings if r.shape.in_aggregates], {}, page_map.codebooks)
    assert {s.title.rsplit("/", 1)[-1]: s.coverage for s in corpus.sources} == {
        "Arabic-Village-Pump": "2 of 5 cited (40%)", "Arabic-Meetup": "4 of 4 cited (100%)",
        "Bengali-Wikipedia": "2 of 4 cited (50%)", "French-Wikipedia": "2 of 2 cited (100%)",
        "English-Mailing-List": "0 of 1 cited (0%)", "English-Wikipedia": "1 of 2 cited (50%)"}
    assert corpus.cited_by["§Ar1.4"] == ("Strategy/Sources/Summary",)


def test_a_summary_s_check_line_says_its_findings_in_brief():
    """What the run's record keeps and the status page shows: the citations, those resolving to no single
    statement, what the counts' rules found, then the findings by severity; a statement source: as before."""
    page_map, readings = _fixture_readings(cited=True)
    assert readings[0].check_line() == "17 citations, 5 unresolved, 1 count never true, 1 count tied to no source; 7 warnings"
    assert readings[1].check_line() == "no problems"
    # a rule turned off in the page map is not counted
    spec = readings[0].spec.model_copy(update={"rules": {"WS607": "off"}})
    summary = readings[0].shape
    assert summary.check_line(readings[0].report, summary.check(readings[0].report, spec)).startswith(
        "17 citations, 5 unresolved, 1 count never true; ")


def test_the_corpus_data_page_tells_what_the_summaries_cite():
    """Per source its cited statements (their ids in its order) beside its total; per summary the citations it
    writes (resolved or not) and the statements they resolve to; the total; all within the data schema."""
    from test_data_schema import validator

    from wikisync.aggregate import aggregate, corpus_data
    from wikisync.reading import Across

    page_map, readings = _fixture_readings(cited=True)
    summary = page_map.sources[0]
    cites = Across(page_map, lambda titles: {}).cites((FIXTURES / "Summary.wiki").read_text(encoding="utf-8"), summary.page, 200,
                                                      summary)
    counted = [r for r in readings if r.shape.in_aggregates]
    data = corpus_data(aggregate(counted, {}, page_map.codebooks, summaries=[cites]), 10)
    assert {s["title"].rsplit("/", 1)[-1]: (s["cited"], s["cited_ids"], s["statements"]) for s in data["sources"]} == {
        "Arabic-Village-Pump": (2, ["§Ar1.1", "§Ar1.4"], 5), "Arabic-Meetup": (4, ["§Ar2.1", "§Ar2.2", "§Ar2.3", "§Ar2.4"], 4),
        "Bengali-Wikipedia": (2, ["§Bn1.1", "§Bn1.3"], 4), "French-Wikipedia": (2, ["§FR.1", "§FR.2"], 2),
        "English-Mailing-List": (0, [], 1), "English-Wikipedia": (1, ["§En1.1"], 2)}
    assert data["totals"]["cited"] == 11
    # 17 written, as the Citations page counts them: a range is one per line, the unresolved count too
    assert data["summaries"] == [{"title": "Strategy/Sources/Summary", "revision": 200, "citations": 17, "cited": 11}]
    assert list(validator().iter_errors({"wikisync": {"fingerprint": "0" * 16, "version": 1}, **data})) == []
    # a page map without summaries: the data page says nothing of citations
    plain = corpus_data(aggregate([replace(r, report=replace(r.report, cited_by=None)) for r in counted], {}, page_map.codebooks), 10)
    assert "summaries" not in plain and "cited" not in plain["totals"]
    assert not any("cited" in s or "cited_ids" in s for s in plain["sources"])


def test_a_source_summary_page_says_which_summary_lines_cite_each_statement():
    """As the statement index does, with the lines: each cited statement of the source's own summary page names
    the summaries citing it, linked, with the lines of their citations; an uncited one says nothing more."""
    from wikisync.render import render
    from wikisync.shapes.records import CitedBy

    page_map, readings = _fixture_readings(cited=True)
    pump = next(r for r in readings if r.spec.page == "Strategy/Sources/Arabic-Village-Pump")
    lines = {line.split("'''")[1]: line for line in _statement_lines(render(pump.report, pump.spec, page_map.templates))}
    assert lines["§Ar1.1"].endswith(" — cited by [[Strategy/Sources/Summary]] (line 3)")
    assert lines["§Ar1.4"].endswith(" — cited by [[Strategy/Sources/Summary]] (line 4)")
    assert "cited" not in lines["§Ar1.2"]
    more = replace(pump.report, cited_by={**(pump.report.cited_by or {}), "§Ar1.1": (
        CitedBy("Strategy/Sources/Other summary", 7), CitedBy("Strategy/Sources/Summary", 3), CitedBy("Strategy/Sources/Summary", 9))})
    for language, said in (("en", " — cited by [[Strategy/Sources/Other summary]] (line 7), [[Strategy/Sources/Summary]] (lines 3, 9)"),
                           ("fr", " — cité par [[Strategy/Sources/Other summary]] (ligne 7), [[Strategy/Sources/Summary]] (lignes 3, 9)"),
                           ("de", " — zitiert von [[Strategy/Sources/Other summary]] (Zeile 7), [[Strategy/Sources/Summary]] (Zeilen 3, 9)")):
        [first] = [line for line in _statement_lines(render(more, pump.spec, page_map.templates, language=language))
                   if "§Ar1.1'''" in line]
        assert first.endswith(said), first
    # a run without summaries: not a word of citations
    assert not any("cited" in line for line in _statement_lines(render(replace(pump.report, cited_by=None), pump.spec,
                                                                            page_map.templates)))


def _statement_lines(pages) -> list[str]:
    summary = next(page for page in pages if page.title.endswith("/Summary"))
    return [line for line in summary.text.splitlines() if line.startswith("* ") and "'''§" in line]


def test_the_citations_table_has_one_line_per_cell():
    from wikisync.render import render

    page_map, readings = _fixture_readings()
    [page] = render(readings[0].report, readings[0].spec, page_map.templates)
    table = page.text.split("== Citations ==\n")[1].split("|}")[0]
    rows = table.split("|-\n")[1:]
    assert len(rows) == len(readings[0].report.citations)
    assert rows[0] == ("| 3\n| §Ar1\n| [[Strategy/Sources/Arabic-Village-Pump|Ar1]]\n"
                       "| [[Strategy/Sources/Arabic-Village-Pump/Summary#§Ar1.1|§Ar1.1]]\n")


def test_ws607_says_which_sources_a_community_name_fits_alike():
    case = next(case for case in CHECK_CASES if case["name"].startswith("WS607 a community name that fits two"))
    untied = [d.message for d in SUMMARY.check(_resolved(case), None) if d.code == "WS607"]
    assert untied == ['(6s) could not be tied to a source: no citation of its part of the block resolves to one, and '
                      '"The Arabic community" names Strategy/Sources/Ar-One, Strategy/Sources/Ar-Two alike']
