"""The synthetic pages the benchmarks measure (tests/synthetic.py) are what they claim to be."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest
from synthetic import CYCLE2_CODES, synthetic_corpus, synthetic_report

from wikisync.shapes.records import Codebook
from wikisync.shapes.statements.parser import parse_statements
from wikisync.shapes.statements.rules import check_statements
from wikisync.shapes.themes.parser import parse_themes
from wikisync.shapes.themes.rules import check

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("themes", [1, 11, 200])
def test_a_synthetic_report_has_its_themes_and_passes_the_check(themes: int) -> None:
    report = parse_themes(synthetic_report(themes))
    assert len(report.themes) == themes
    assert all(theme.summary and theme.comments and theme.heard_line for theme in report.themes)
    assert sum(len(row.values) for row in report.priorities) == themes
    assert report.keynote and report.workshops and report.questions
    assert check(report) == []
    assert synthetic_report(themes) == synthetic_report(themes)


def test_its_size_is_that_of_the_issue_report() -> None:
    assert 1.7e6 < len(synthetic_report(2000).encode("utf-8")) < 1.9e6


def test_the_bare_style_is_the_api_benchmark_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))  # as running the script puts its folder first, for bench_editor
    spec = importlib.util.spec_from_file_location("api_bench", ROOT / "scripts" / "bench.py")
    api_bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = api_bench  # its dataclasses look their module up there
    spec.loader.exec_module(api_bench)
    assert api_bench.report_text(499) == synthetic_report(499, markup=False)


def test_the_statements_corpus_has_the_2017_counts() -> None:
    corpus = synthetic_corpus(106, 1850)
    codebook = Codebook("cycle2", CYCLE2_CODES)
    reports = [parse_statements(s.text, s.title, codebook=codebook if s.codebook else None, code=s.code) for s in corpus]
    assert len(corpus) == 106 and len({s.code for s in corpus}) == 106
    assert sum(len(r.statements) for r in reports) == 1850
    assert {d.code for r in reports for d in check_statements(r)} <= {"WS508"}  # the uncertain codes it writes
