"""The shared wikitext toolkit (wikisync/shapes/wikitext.py): its reading of a line without the parser
gives mwparserfromhell's plain text, and its table reader the cells of the records in tests/data/wikitext/."""

from __future__ import annotations

from pathlib import Path

import mwparserfromhell
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from wikisync.shapes.themes import parser as themes
from wikisync.shapes.wikitext import (
    BLANK,
    LineIndex,
    Reading,
    TableCell,
    TableReader,
    collapse,
    mask,
    plain_of,
    plain_text,
    reduce_line,
)

DATA = Path(__file__).parent / "data" / "wikitext"
LINES = yaml.safe_load((DATA / "lines.yaml").read_text(encoding="utf-8"))
TABLES = yaml.safe_load((DATA / "tables.yaml").read_text(encoding="utf-8"))


def parsed_plain(line: str) -> str:
    return collapse(plain_of(mwparserfromhell.parse(line)), Reading.LINE)


@pytest.mark.parametrize("case", LINES, ids=[case["line"] for case in LINES])
def test_a_line_is_reduced_only_when_the_parser_would_read_it_alike(case: dict) -> None:
    reduced = reduce_line(case["line"])
    assert (reduced is not None) == case["reduced"]
    assert plain_text(case["line"], Reading.LINE) == case["text"] == parsed_plain(case["line"])


PIECES = [
    "word", " ", "a b", "'", "''", "'''", "[[Main Page]]", "[[w:Access|access]]", "[[a", "]]", "[[", "|", "{{t}}",
    "{{lang|fr|x}}", "{{cite web|url=http://example.org/1|title=T}}", "{{", "}}", "{", "}", "{{{1}}}", "<ref>note</ref>",
    "<ref name=\"s1\" />", "<ref name=\"s2\">[http://example.org/2 Notes]</ref>", "<ref>[[a|b]] p. 3</ref>",
    "<ref>{{t|x}}</ref>", "<ref>", "</ref>", "<ref>''x''</ref>", "<br />", "&amp;", "[http://example.org x]", "*", "=", ":",
    "<!-- c -->", "\x00", "''it''",
]


@settings(max_examples=600, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=8).map("".join))
def test_a_reduced_line_is_what_the_parser_reads_and_keeps_to_its_line(line: str) -> None:
    reduced = reduce_line(line)
    if reduced is None:
        return
    assert collapse(reduced, Reading.LINE) == parsed_plain(line)
    assert themes._is_local(line, mwparserfromhell.parse(line))  # nothing in it left open for the next line


def test_the_two_readings_mask_differently() -> None:
    text = "<translate>a<!--T:1--> <!-- note -->b</translate><ref>r</ref>\x00</translate>"
    line = mask(text, Reading.LINE)
    assert line.text == " " * 11 + "a" + " " * 10 + " <!-- note -->b" + " " * 12 + "<ref>r</ref>\x00" + " " * 12
    cell = mask(text, Reading.CELL)
    assert cell.text == BLANK * 11 + "a" + BLANK * 10 + " " + BLANK * 13 + "b" + BLANK * (12 + 12 + 1 + 12)
    for masked in (line, cell):
        assert masked.stray_translate_closes == (len(text) - 12,) and masked.unclosed_translates == 0
    assert plain_text(text, Reading.LINE) == "a b" and plain_text(text, Reading.CELL) == "a b"


@pytest.mark.parametrize("case", TABLES, ids=[case["name"] for case in TABLES])
def test_the_table_reader(case: dict) -> None:
    lines = case["table"].split("\n")
    index = LineIndex.of_lines(lines)
    reader = TableReader(index.starts, TableCell)
    for number, line in enumerate(lines[1:-1], start=2):
        stripped = line.strip()
        if stripped.startswith("|-"):
            reader.new_row()
        elif stripped.startswith(("|", "!")):
            reader.add_cells(number, line, line.index(stripped[0]))
        else:
            reader.continue_cell(line)
    rows = [[[cell.header, cell.line, cell.column, cell.raw] for cell in row.cells] for row in reader.rows if row.cells]
    assert rows == case["rows"]
    for row in reader.rows:
        for cell in row.cells:
            assert "\n".join(lines)[cell.at] in "|!"
