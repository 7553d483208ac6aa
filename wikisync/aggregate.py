"""Figures across every source of a run: what the 2017 strategy team counted by hand, counted again.

Pure: readings in, a :class:`Corpus` out. Statements count under their codes of one role (the theme,
by default); a source without such codes counts through ``keyword_themes`` (keyword -> codes), and a
narrative counts its comments under the codes its theme names map to.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from .names import keyword_key
from .reading import Cites, Reading
from .shapes.base import NO_CODE
from .shapes.records import Codebook

__all__ = ["NO_CODE", "Corpus", "KeywordCount", "SourceFigures", "StaleSource", "SummaryFigures", "TrackFigures", "aggregate",
           "corpus_data"]

NO_TRACK = "unassigned"


@dataclass(frozen=True)
class SourceFigures:
    title: str
    code: str | None
    shape: str
    revision: int | None
    track: str | None
    statements: int
    participants: int | None
    participants_text: str
    summary_page: str | None
    """The page whose anchors are this source's statement ids, when it has one."""
    cited: int | None = None
    """Its statements that some summary cites; None when the run has no summaries to tell."""
    cited_ids: tuple[str, ...] = ()
    """The ids of those statements, in the source's order."""

    @property
    def coverage(self) -> str:
        """``12 of 40 cited (30%)``: how much of the source the summaries read."""
        return f"{self.cited or 0} of {self.statements} cited ({self.cited_share}%)"

    @property
    def cited_share(self) -> int:
        """The per cent of its statements that some summary cites, rounded."""
        return round(100 * (self.cited or 0) / self.statements) if self.statements else 0

    @property
    def participants_unparsed(self) -> bool:
        return self.participants is None and bool(self.participants_text.strip())


@dataclass(frozen=True)
class SummaryFigures:
    """A summary (a source that cites the others), as the corpus counts its citations."""

    title: str
    revision: int | None
    citations: int
    """Every citation it writes, whether or not it resolves."""
    cited: int
    """The statements of the corpus its citations resolve to, each once."""


@dataclass(frozen=True)
class KeywordCount:
    keyword: str
    """The folded form (lower case, singular)."""
    count: int
    spellings: tuple[str, ...]
    """How the sources wrote it, most frequent first."""


@dataclass(frozen=True)
class TrackFigures:
    track: str
    sources: int
    participants: int
    statements: int
    share: int
    """Percent of all counted participants."""


@dataclass(frozen=True)
class StaleSource:
    """A source that failed in this run: counted from its last published data, or left out."""

    title: str
    reason: str
    """Why it failed: check errors, the guard, the page missing."""
    revision: int | None
    """The source revision its last published data is of; None when it has none and is left out."""

    @property
    def left_out(self) -> bool:
        return self.revision is None


@dataclass(frozen=True)
class Corpus:
    role: str
    codes: tuple[tuple[str, str], ...]
    """(code, label) of the matrix's columns: the codebooks' codes in order, then others, then NO_CODE."""
    sources: tuple[SourceFigures, ...]
    matrix: Mapping[str, Mapping[str, int]]
    """Source title -> code -> statements."""
    keywords: tuple[KeywordCount, ...]
    """Every keyword, the most frequent first."""
    tracks: tuple[TrackFigures, ...]
    index: tuple[tuple[str, str], ...]
    """(statement id, ``page#id``) of every statement whose source has a summary page."""
    stale: tuple[StaleSource, ...] = ()
    """The sources that failed in this run: counted from their last published data, or left out."""
    cited_by: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Statement id -> the titles of the summaries citing it (an id none cites: absent)."""
    summaries: tuple[SummaryFigures, ...] = ()
    """Every summary the run read, in page-map order."""

    @property
    def cites(self) -> bool:
        """Whether the run had summaries to tell which statements are cited."""
        return any(source.cited is not None for source in self.sources)

    @property
    def cited(self) -> int:
        """The statements of the corpus that some summary cites."""
        return sum(source.cited or 0 for source in self.sources)

    @property
    def statements(self) -> int:
        return sum(source.statements for source in self.sources)

    @property
    def participants(self) -> int:
        return sum(source.participants or 0 for source in self.sources)

    @property
    def unparsed(self) -> tuple[SourceFigures, ...]:
        return tuple(source for source in self.sources if source.participants_unparsed)

    def by_code(self) -> dict[str, int]:
        return {code: sum(row.get(code, 0) for row in self.matrix.values()) for code, _ in self.codes}

    def code_tree(self) -> list[tuple[str, str, int, int]]:
        """(code, label, statements, depth) of every column, each code followed by its sub-codes (depth 1):
        a code is a sub-code of another that it extends by a number (``A1``, ``A.2`` of ``A``)."""
        counts = self.by_code()
        parents = {code: _parent(code, [other for other, _ in self.codes]) for code, _ in self.codes}
        tree: list[tuple[str, str, int, int]] = []
        for code, label in self.codes:
            if parents[code] is None:
                tree.append((code, label, counts[code], 0))
                tree.extend((sub, sub_label, counts[sub], 1) for sub, sub_label in self.codes if parents[sub] == code)
        return tree


def aggregate(readings: Sequence[Reading], keyword_themes: Mapping[str, tuple[str, ...]], codebooks: Mapping[str, Codebook],
              role: str = "theme", stale: Sequence[StaleSource] = (), summaries: Sequence[Cites] = ()) -> Corpus:
    """``readings``: every source counted, the stale ones from their last published data; ``stale``: the
    sources that failed, counted so or left out; ``summaries``: what each summary cites."""
    matrix: dict[str, dict[str, int]] = {}
    sources: list[SourceFigures] = []
    spellings: dict[str, Counter[str]] = {}
    index: list[tuple[str, str]] = []
    cited_by: dict[str, tuple[str, ...]] = {}
    for reading in readings:
        spec = reading.spec
        tally = reading.shape.tally(reading.report, spec, role, lambda keyword: keyword_themes.get(keyword_key(keyword), ()))
        for keyword in tally.keywords:
            spellings.setdefault(keyword_key(keyword), Counter())[keyword.strip()] += 1
        index.extend(tally.index)
        cited_by.update(tally.cited_by)
        matrix[spec.page] = dict(tally.row)
        sources.append(SourceFigures(spec.page, spec.code, spec.shape, reading.report.revision, spec.track, tally.count,
                                     tally.participants, tally.participants_text, tally.summary_page, tally.cited,
                                     tuple(tally.cited_by)))
    return Corpus(
        role=role,
        codes=_columns(matrix, readings, codebooks, role),
        sources=tuple(sources),
        matrix=matrix,
        keywords=tuple(
            KeywordCount(key, sum(counts.values()), tuple(spelling for spelling, _ in counts.most_common()))
            for key, counts in sorted(spellings.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        ),
        tracks=_tracks(sources),
        index=tuple(index),
        stale=tuple(stale),
        cited_by=cited_by,
        summaries=tuple(SummaryFigures(cites.title, cites.revision, cites.written,
                                       sum(cites.title in citing for citing in cited_by.values()))
                        for cites in summaries),
    )


def _parent(code: str, codes: Sequence[str]) -> str | None:
    """The code that ``code`` extends by a number (``A`` of ``A1`` or ``A.1``), when it is a column too."""
    found = re.fullmatch(r"(.*?\D)[.\-]?\d+", code)
    return found.group(1).rstrip(".-") if found and found.group(1).rstrip(".-") in codes and code != found.group(1) else None


def _columns(matrix: Mapping[str, Mapping[str, int]], readings: Sequence[Reading], codebooks: Mapping[str, Codebook],
             role: str) -> tuple[tuple[str, str], ...]:
    labels: dict[str, str] = {}
    for reading in readings:
        codebook = codebooks.get(reading.spec.codebook or "")
        for code, label in (codebook.kinds.get(role, {}) if codebook else {}).items():
            labels.setdefault(code, label)
    seen = [code for row in matrix.values() for code in row]
    for code in seen:
        if code != NO_CODE:
            labels.setdefault(code, "not in a codebook")
    if NO_CODE in seen:
        labels[NO_CODE] = f"no {role}"
    return tuple(labels.items())


def _tracks(sources: Sequence[SourceFigures]) -> tuple[TrackFigures, ...]:
    total = sum(source.participants or 0 for source in sources)
    names = sorted({source.track or NO_TRACK for source in sources}, key=lambda name: (name == NO_TRACK, name))
    figures = []
    for name in names:
        members = [source for source in sources if (source.track or NO_TRACK) == name]
        participants = sum(source.participants or 0 for source in members)
        figures.append(TrackFigures(name, len(members), participants, sum(s.statements for s in members),
                                    round(100 * participants / total) if total else 0))
    return tuple(figures)


def corpus_data(corpus: Corpus, top_keywords: int) -> dict:
    """The aggregate's JSON data page; ``stale`` lists the sources that failed, when some did. When the run has
    summaries, each source says which of its statements they cite (``cited``, ``cited_ids``), the totals how
    many in all, and ``summaries`` each summary's citations and the statements they resolve to."""
    data: dict[str, Any] = {
        "sources": [
            {"title": s.title, "code": s.code, "shape": s.shape, "revision": s.revision, "track": s.track,
             "statements": s.statements, "participants": s.participants, "participants_text": s.participants_text,
             **({"cited": s.cited, "cited_ids": list(s.cited_ids)} if s.cited is not None else {})}
            for s in corpus.sources
        ],
        "matrix": {corpus.role: {code: {title: row[code] for title, row in corpus.matrix.items() if row.get(code)}
                                 for code, _ in corpus.codes}},
        "totals": {
            "sources": len(corpus.sources),
            "statements": corpus.statements,
            "participants": corpus.participants,
            "participants_unparsed": [s.title for s in corpus.unparsed],
            "by_track": {t.track: {"sources": t.sources, "participants": t.participants, "statements": t.statements}
                         for t in corpus.tracks},
            "by_code": {corpus.role: corpus.by_code()},
            **({"cited": corpus.cited} if corpus.cites else {}),
        },
        "keywords": [{"keyword": k.keyword, "count": k.count} for k in corpus.keywords[:top_keywords]],
        "index": dict(corpus.index),
    }
    if corpus.cites:
        data["summaries"] = [{"title": s.title, "revision": s.revision, "citations": s.citations, "cited": s.cited}
                             for s in corpus.summaries]
    if corpus.stale:
        data["stale"] = [{"title": s.title, "revision": s.revision, "reason": s.reason} for s in corpus.stale]
    return data
