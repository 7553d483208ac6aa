"""`wikisync export`: the fixture corpus (tests/fixtures/corpus/, described in sources.yaml) read from the real
dev wiki and written as CSV, JSON Lines and SQLite, each opened with the standard library and counted against
the fixtures' designed figures; and the export agreeing with the JSON aggregate that `sync` publishes."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, run_cli

from wikisync.cli import main
from wikisync.export import _Progress

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
LISTING = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
PREFIX = "Test/Export/Sources/"
EXPECTED = {PREFIX + source["title"]: source for source in LISTING["sources"]}
STATEMENTS = sum(source["expected"]["statements"] for source in LISTING["sources"])


@pytest.fixture(scope="module")
def corpus(dev_wiki, tmp_path_factory) -> Path:
    """The fixture corpus on the wiki under a prefix of this module's own; its page map."""
    for source in LISTING["sources"]:
        dev_wiki.edit_as("Editor", PREFIX + source["title"], (CORPUS / source["file"]).read_text(encoding="utf-8"), "corpus fixture")
    page_map = tmp_path_factory.mktemp("export") / "page_map.yaml"
    page_map.write_text((CORPUS / "page_map.yaml").read_text(encoding="utf-8")
                        .replace("templates: ../../../templates", f"templates: {ROOT / 'templates'}")
                        .replace(LISTING["prefix"], PREFIX), encoding="utf-8")
    return page_map


def export(capsys, page_map: Path, output: Path, *extra: str) -> str:
    code = main(["export", "--map", str(page_map), "--output", str(output), *extra])
    captured = capsys.readouterr()
    assert code == 0, captured.out + captured.err
    return captured.out


def coded(expected: dict) -> dict[str, Counter]:
    """The designed counts per role, without the statements that have no code of the role."""
    return {role: Counter({code: n for code, n in counts.items() if code}) for role, counts in expected.get("counts", {}).items()}


@pytest.mark.wiki
def test_the_csv_has_one_row_per_statement_with_its_source_codes_and_permalink(corpus, tmp_path, capsys):
    out = export(capsys, corpus, tmp_path / "corpus.csv")
    assert f"export: {len(EXPECTED)} sources, {STATEMENTS} statements -> {tmp_path / 'corpus.csv'} (csv)" in out
    with (tmp_path / "corpus.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    assert list(rows[0])[:6] == ["source", "code", "id", "line", "text", "keywords"]
    assert list(rows[0])[-3:] == ["participants", "track", "permalink"]
    assert {"theme", "question", "insight", "overall", "section", "priority", "week"} <= set(rows[0])
    assert len(rows) == STATEMENTS == LISTING["corpus"]["statements"] + 15
    assert Counter(row["source"] for row in rows) == {title: s["expected"]["statements"] for title, s in EXPECTED.items()}
    for title, source in EXPECTED.items():
        mine = [row for row in rows if row["source"] == title]
        assert {row["track"] for row in mine} == {source["track"]}
        assert {row["participants"] for row in mine} == {str(source["expected"]["participants"] or "")}
        assert len({row["permalink"] for row in mine}) == 1 and "Special:PermanentLink/" in mine[0]["permalink"]
        assert len({row["id"] for row in mine}) == len(mine)
        for role, counts in coded(source["expected"]).items():
            assert Counter(code for row in mine for code in row[role].split("; ") if code) == counts, (title, role)
    narrative = [row for row in rows if row["source"] == PREFIX + "Harbour-Town-Gathering"]
    assert Counter(row["theme"] for row in narrative) == EXPECTED[PREFIX + "Harbour-Town-Gathering"]["expected"]["themes"]
    assert all(row["text"] for row in rows)
    print("\n" + "".join((tmp_path / "corpus.csv").read_text(encoding="utf-8").splitlines(keepends=True)[:4]))


@pytest.mark.wiki
def test_json_lines_and_sqlite_hold_the_same_statements(corpus, tmp_path, capsys):
    export(capsys, corpus, tmp_path / "corpus.jsonl")
    export(capsys, corpus, tmp_path / "corpus.db", "--format", "sqlite")
    lines = [json.loads(line) for line in (tmp_path / "corpus.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(lines) == STATEMENTS
    assert not list(tmp_path.glob(".*.partial"))
    db = sqlite3.connect(tmp_path / "corpus.db")
    assert db.execute("SELECT count(*) FROM sources").fetchone()[0] == len(EXPECTED)
    assert db.execute("SELECT count(*) FROM statements").fetchone()[0] == STATEMENTS
    assert sorted(db.execute("SELECT s.title, st.statement FROM statements st JOIN sources s ON s.id = st.source_id")) == \
        sorted((line["source"], line["id"]) for line in lines)
    assert db.execute("SELECT label FROM codes WHERE codebook = 'cycle2' AND role = 'theme' AND code = 'A'").fetchone() == \
        ("Healthy, inclusive communities",)
    indexes = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")}
    assert {"statements_source", "citations_code"} <= indexes
    for title, source in EXPECTED.items():
        for role, counts in coded(source["expected"]).items():
            cited = db.execute("SELECT c.code, count(*) FROM citations ci JOIN codes c ON c.id = ci.code_id "
                               "JOIN statements st ON st.id = ci.statement_id JOIN sources s ON s.id = st.source_id "
                               "WHERE s.title = ? AND c.role = ? GROUP BY c.code", (title, role))
            assert Counter(dict(cited)) == counts, (title, role)
    participants = dict(db.execute("SELECT title, participants FROM sources"))
    assert participants == {title: s["expected"]["participants"] for title, s in EXPECTED.items()}


@pytest.mark.wiki
def test_the_export_and_the_json_aggregate_agree(corpus, dev_wiki, tmp_path, capsys):
    code, out = run_cli(capsys, corpus)
    assert code == 0, out
    export(capsys, corpus, tmp_path / "corpus.sqlite")
    aggregate = json.loads(dev_wiki.page_text(PREFIX + "data.json"))
    db = sqlite3.connect(tmp_path / "corpus.sqlite")
    per_source = dict(db.execute("SELECT s.title, count(st.id) FROM sources s LEFT JOIN statements st ON st.source_id = s.id GROUP BY s.id"))
    assert per_source == {s["title"]: s["statements"] for s in aggregate["sources"]}
    assert db.execute("SELECT count(*) FROM statements").fetchone()[0] == aggregate["totals"]["statements"]
    assert db.execute("SELECT count(*) FROM sources").fetchone()[0] == aggregate["totals"]["sources"]
    assert db.execute("SELECT sum(participants) FROM sources").fetchone()[0] == aggregate["totals"]["participants"]
    by_track = {track: (sources, participants or 0, statements) for track, sources, participants, statements in db.execute(
        "SELECT s.track, count(DISTINCT s.id), (SELECT sum(participants) FROM sources WHERE track = s.track), count(st.id) "
        "FROM sources s LEFT JOIN statements st ON st.source_id = s.id GROUP BY s.track")}
    assert by_track == {track: (f["sources"], f["participants"], f["statements"]) for track, f in aggregate["totals"]["by_track"].items()}
    # sources coded by theme: the matrix counts each statement once per theme code, as the citations do
    matrix = aggregate["matrix"]["theme"]
    for title in [t for t, s in EXPECTED.items() if s["codebook"] == "cycle2"]:
        cited = dict(db.execute("SELECT c.code, count(DISTINCT ci.statement_id) FROM citations ci JOIN codes c ON c.id = ci.code_id "
                                "JOIN statements st ON st.id = ci.statement_id JOIN sources s ON s.id = st.source_id "
                                "WHERE s.title = ? AND c.role = 'theme' GROUP BY c.code", (title,)))
        assert cited == {code: row[title] for code, row in matrix.items() if code and title in row}, title


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_progress_bar_is_drawn_on_a_terminal_only():
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        bar = _Progress(stream, 4)
        bar.advance(10)
        bar.advance(25)
        bar.done()
    assert pipe.getvalue() == ""
    assert terminal.getvalue().split("\r")[-1] == f"export: [{'#' * 15}{'-' * 15}] 2/4 sources, 25 statements\n"
