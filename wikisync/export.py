"""``wikisync export``: the corpus as analysts use it, read from the wiki, one row per statement (a
narrative source's "What we heard" comments included), as CSV, JSON Lines or an SQLite database.

The sources are the page map's (its prefixes listed as a run lists them), read in the same batched
requests as a sync and parsed by their shapes; each batch's rows are written as soon as it is read, into
a file beside the output that takes the output's name only once complete.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TextIO

from .config import PageMap, SourceSpec
from .errors import ConfigError
from .reading import read_source
from .shapes import SHAPES
from .shapes.base import ExportRow, SourceTally
from .wiki import Wiki

__all__ = ["FORMATS", "ExportSource", "Exported", "export", "export_format", "export_sources"]

FORMATS = {"csv": (".csv",), "jsonl": (".jsonl", ".ndjson"), "sqlite": (".sqlite", ".sqlite3", ".db")}
"""Each format, and the file name endings that choose it when --format is not given."""


@dataclass(frozen=True)
class ExportSource:
    """What every row of one source carries about it."""

    title: str
    code: str | None
    shape: str
    codebook: str | None
    revision: int
    track: str | None
    participants: int | None
    participants_text: str
    permalink: str
    """The address of the very revision read."""


@dataclass
class Exported:
    """What an export wrote."""

    sources: int = 0
    statements: int = 0
    missing: list[str] = field(default_factory=list)
    """Sources the page map names that the wiki does not have (or that are redirects): not exported."""


def export_format(output: Path, given: str | None) -> str:
    """The format asked for, else the one the output's name ends in; ConfigError for neither."""
    if given is not None:
        return given
    suffix = output.suffix.lower()
    found = next((name for name, suffixes in FORMATS.items() if suffix in suffixes), None)
    if found is None:
        raise ConfigError(f"--output {output}: name a format with --format ({'|'.join(FORMATS)}); "
                          f"the name's ending {suffix or '(none)'!r} does not tell")
    return found


def export_roles() -> tuple[str, ...]:
    """The coded columns of every shape, each once, in the registry's order."""
    return tuple(dict.fromkeys(role for found in SHAPES.values() for role in found.export_roles))


def export_sources(page_map: PageMap, wiki: Wiki) -> PageMap:
    """The page map with the sources its prefixes find on the wiki, as a run finds them."""
    listing = {rule.prefix: tuple(title for title, listed in wiki.pages_under(rule.prefix).items() if not listed.redirect)
               for rule in page_map.sources_from}
    return page_map.with_listed(listing, wiki.canonical_title) if listing else page_map


def export(page_map: PageMap, wiki: Wiki, fmt: str, output: Path, progress: TextIO | None = None) -> Exported:
    """Write every source's statements to ``output`` in ``fmt``; a progress bar on ``progress`` when given."""
    page_map = export_sources(page_map, wiki)
    specs = list(page_map.sources)
    exported = Exported()
    bar = _Progress(progress, len(specs))
    with _replacing(output) as partial:
        writer = _WRITERS[fmt](partial, export_roles(), page_map)
        try:
            for spec, (_, page) in zip(specs, wiki.stream_sources([spec.page for spec in specs])):
                if page is None or page.redirect:
                    exported.missing.append(spec.page)
                else:
                    reading = read_source(page.text, page.title, page.revision, spec, page_map.codebooks)
                    source = _source(spec, page.title, page.revision, reading.shape.tally(reading.report, spec, "theme", lambda _: ()),
                                     wiki.url(f"Special:PermanentLink/{page.revision}"))
                    writer.source(source)
                    for row in reading.shape.export_rows(reading.report, spec):
                        writer.row(source, row)
                        exported.statements += 1
                    exported.sources += 1
                bar.advance(exported.statements)
        finally:
            writer.close()
    bar.done()
    return exported


def _source(spec: SourceSpec, title: str, revision: int, tally: SourceTally, permalink: str) -> ExportSource:
    return ExportSource(title, spec.code, spec.shape, spec.codebook, revision, spec.track, tally.participants,
                        tally.participants_text, permalink)


@contextmanager
def _replacing(output: Path) -> Iterator[Path]:
    """A file beside ``output`` to write into, which replaces ``output`` once written in full (and is
    removed if writing fails): a reader never sees half an export."""
    partial = output.with_name(f".{output.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        yield partial
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


class _Progress:
    """``export: [#####-----] 5/10 sources, 40 statements``, redrawn in place on a terminal; nothing elsewhere."""

    WIDTH = 30

    def __init__(self, stream: TextIO | None, total: int) -> None:
        self.stream = stream if stream is not None and stream.isatty() else None
        self.total, self.done_sources = total, 0

    def advance(self, statements: int) -> None:
        self.done_sources += 1
        if self.stream is None:
            return
        filled = self.WIDTH * self.done_sources // max(self.total, 1)
        self.stream.write(f"\rexport: [{'#' * filled}{'-' * (self.WIDTH - filled)}] "
                          f"{self.done_sources}/{self.total} sources, {statements} statements")
        self.stream.flush()

    def done(self) -> None:
        if self.stream is not None:
            self.stream.write("\n")
            self.stream.flush()


def _joined(values: Sequence[str]) -> str:
    return "; ".join(values)


class _Writer:
    def __init__(self, path: Path, roles: tuple[str, ...], page_map: PageMap) -> None:
        self.roles = roles

    def source(self, source: ExportSource) -> None:
        pass

    def row(self, source: ExportSource, row: ExportRow) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class _CsvWriter(_Writer):
    """One row per statement; a cell of several keywords or codes joins them with "; "."""

    def __init__(self, path: Path, roles: tuple[str, ...], page_map: PageMap) -> None:
        super().__init__(path, roles, page_map)
        self.file: IO[str] = path.open("w", encoding="utf-8", newline="")
        self.csv = csv.writer(self.file)
        self.csv.writerow(["source", "code", "id", "line", "text", "keywords", *roles, "participants", "track", "permalink"])

    def row(self, source: ExportSource, row: ExportRow) -> None:
        self.csv.writerow([source.title, source.code or "", row.id, "" if row.line is None else row.line, row.text,
                           _joined(row.keywords), *(_joined(row.codes.get(role, ())) for role in self.roles),
                           "" if source.participants is None else source.participants, source.track or "", source.permalink])

    def close(self) -> None:
        self.file.close()


class _JsonLinesWriter(_Writer):
    """One JSON object per line and statement, keywords and codes as lists."""

    def __init__(self, path: Path, roles: tuple[str, ...], page_map: PageMap) -> None:
        super().__init__(path, roles, page_map)
        self.file: IO[str] = path.open("w", encoding="utf-8", newline="\n")

    def row(self, source: ExportSource, row: ExportRow) -> None:
        record = {"source": source.title, "code": source.code, "shape": source.shape, "revision": source.revision,
                  "id": row.id, "line": row.line, "source_line": row.source_line, "text": row.text,
                  "keywords": list(row.keywords), "codes": {role: list(codes) for role, codes in row.codes.items()},
                  "participants": source.participants, "track": source.track, "permalink": source.permalink}
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.file.close()


_SCHEMA = """
CREATE TABLE sources (
    id INTEGER PRIMARY KEY, title TEXT NOT NULL UNIQUE, code TEXT, shape TEXT NOT NULL, codebook TEXT,
    revision INTEGER NOT NULL, track TEXT, participants INTEGER, participants_text TEXT NOT NULL, permalink TEXT NOT NULL);
CREATE TABLE statements (
    id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id), statement TEXT NOT NULL,
    line INTEGER, source_line INTEGER NOT NULL, text TEXT NOT NULL, keywords TEXT NOT NULL);
CREATE TABLE codes (
    id INTEGER PRIMARY KEY, codebook TEXT, role TEXT NOT NULL, code TEXT NOT NULL, label TEXT,
    UNIQUE (codebook, role, code));
CREATE TABLE citations (
    statement_id INTEGER NOT NULL REFERENCES statements(id), code_id INTEGER NOT NULL REFERENCES codes(id),
    PRIMARY KEY (statement_id, code_id));
CREATE INDEX statements_source ON statements(source_id);
CREATE INDEX statements_statement ON statements(statement);
CREATE INDEX citations_code ON citations(code_id);
CREATE INDEX codes_role ON codes(role, code);
"""


class _SqliteWriter(_Writer):
    """Tables ``sources``, ``statements`` (keywords joined with "; "), ``codes`` (every codebook's codes with
    their labels, and the codes found outside a codebook, without) and ``citations`` (statement -> code)."""

    def __init__(self, path: Path, roles: tuple[str, ...], page_map: PageMap) -> None:
        super().__init__(path, roles, page_map)
        self.db = sqlite3.connect(path)
        self.db.executescript(_SCHEMA)
        self.codes: dict[tuple[str | None, str, str], int] = {}
        for name, codebook in page_map.codebooks.items():
            for role, labels in codebook.kinds.items():
                for code, label in labels.items():
                    self._code(name, role, code, label)
        self.source_ids: dict[str, int] = {}

    def _code(self, codebook: str | None, role: str, code: str, label: str | None = None) -> int:
        key = (codebook, role, code)
        if key not in self.codes:
            cursor = self.db.execute("INSERT INTO codes (codebook, role, code, label) VALUES (?, ?, ?, ?)", (*key, label))
            assert cursor.lastrowid is not None
            self.codes[key] = cursor.lastrowid
        return self.codes[key]

    def source(self, source: ExportSource) -> None:
        cursor = self.db.execute(
            "INSERT INTO sources (title, code, shape, codebook, revision, track, participants, participants_text, permalink) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (source.title, source.code, source.shape, source.codebook, source.revision, source.track, source.participants,
             source.participants_text, source.permalink))
        assert cursor.lastrowid is not None
        self.source_ids[source.title] = cursor.lastrowid

    def row(self, source: ExportSource, row: ExportRow) -> None:
        cursor = self.db.execute(
            "INSERT INTO statements (source_id, statement, line, source_line, text, keywords) VALUES (?, ?, ?, ?, ?, ?)",
            (self.source_ids[source.title], row.id, row.line, row.source_line, row.text, _joined(row.keywords)))
        statement = cursor.lastrowid
        cited = {self._code(source.codebook, role, code) for role, codes in row.codes.items() for code in codes}
        self.db.executemany("INSERT INTO citations (statement_id, code_id) VALUES (?, ?)", [(statement, code) for code in sorted(cited)])

    def close(self) -> None:
        self.db.commit()
        self.db.close()


_WRITERS: dict[str, type[_Writer]] = {"csv": _CsvWriter, "jsonl": _JsonLinesWriter, "sqlite": _SqliteWriter}
