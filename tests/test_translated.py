"""Narrative reports whose sections have other names (tests/data/translated/cases.yaml): with the
page map's ``sections:`` they read as the English original does; without, ``check`` says what is
missing and how to fix it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from wikisync.config import load_page_map
from wikisync.model import Report
from wikisync.shapes.themes.parser import ThemeSections, parse_themes
from wikisync.shapes.themes.rules import check

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures" / "translated"
PAGE_MAP = FIXTURES / "page_map.yaml"
CASES = yaml.safe_load((ROOT / "tests" / "data" / "translated" / "cases.yaml").read_text(encoding="utf-8"))


def _read(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def _skeleton(report: Report) -> dict:
    """Where everything is and how much of it there is, leaving out the words."""
    return {
        "keynote": [k.line for k in report.keynote],
        "workshops": [(w.line, len(w.prompts)) for w in report.workshops],
        "themes": [(t.line, t.heard_line, bool(t.summary), [(c.line, c.column) for c in t.comments]) for t in report.themes],
        "priorities": [(p.line, [(v.line, v.column, bool(v.note)) for v in p.values]) for p in report.priorities],
        "priorities_line": report.priorities_line,
        "questions": [(q.line, len(q.options)) for q in report.questions],
        "stray": [c.line for c in report.stray_comments],
        "anomalies": [(a.kind, a.line) for a in report.anomalies],
    }


def _positions(report: Report) -> list[str]:
    return [f"{d.code}@{d.line}:{d.column}" for d in check(report)]


@pytest.fixture(scope="module")
def page_map():
    return load_page_map(PAGE_MAP)


@pytest.mark.parametrize("case", CASES, ids=[case["fixture"] for case in CASES])
def test_with_its_sections_a_translation_reads_like_the_original(case, page_map):
    spec = page_map.source(case["title"])
    report = parse_themes(_read(case["fixture"]), case["title"], None, spec.theme_sections)
    original = parse_themes(_read(case["same_as"]), "Regional summary/en")
    assert _skeleton(report) == _skeleton(original)
    assert [t.name for t in report.themes] == case["themes"]
    assert [p.priority for p in report.priorities] == case["priorities"]
    assert [k.name for k in report.keynote] == case["keynote"]
    assert [w.name for w in report.workshops] == case["workshops"]
    assert _positions(report) == _positions(original) == []


@pytest.mark.parametrize("case", CASES, ids=[case["fixture"] for case in CASES])
def test_without_its_sections_check_says_what_to_set(case):
    report = parse_themes(_read(case["fixture"]), case["title"])
    assert _positions(report) == case["without_sections"]
    assert all("sections:" in (d.hint or "") for d in check(report))


@pytest.mark.parametrize("case", CASES, ids=[case["fixture"] for case in CASES])
def test_the_command_line_takes_the_sections_from_the_map(case, tmp_path):
    path = FIXTURES / case["fixture"]
    command = [sys.executable, "-m", "wikisync.cli", "check", str(path), "--title", case["title"]]
    with_map = subprocess.run([*command, "--map", str(PAGE_MAP)], capture_output=True, text=True, cwd=tmp_path)
    assert (with_map.returncode, with_map.stdout.strip()) == (0, f"{path}: no problems")
    without = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path)
    assert without.returncode == 1 and "Traceback" not in without.stderr
    assert [line.split(": ")[1].split()[1] for line in without.stdout.splitlines()[:-1]] == [
        entry.split("@")[0] for entry in case["without_sections"]
    ]
    parsed = subprocess.run([sys.executable, "-m", "wikisync.cli", "parse", str(path), "--title", case["title"], "--map", str(PAGE_MAP)],
                            capture_output=True, text=True, cwd=tmp_path, check=True)
    assert [t["name"] for t in yaml.safe_load(parsed.stdout)["themes"]] == case["themes"]


def test_the_default_sections_are_what_the_all_hands_report_uses():
    assert ThemeSections() == ThemeSections(themes="theme", heard="What we heard", priorities="priorit", questions="question")
    report = parse_themes(_read("regional-summary.en.wiki"), sections=ThemeSections(themes="THEMES"))
    assert len(report.themes) == 4  # compared without regard to case
    with pytest.raises(ValueError):
        ThemeSections(heard=" ")


def test_a_lead_in_must_end_where_a_word_ends():
    text = "== Key Themes ==\n=== A ===\nSummary.\nWhat we heard:\n* c\n=== B ===\nSummary.\nWhat we heardsay\n* d"
    report = parse_themes(text)
    assert [t.heard_line for t in report.themes] == [4, None]
    custom = parse_themes(text.replace("What we heard:", "Wir hörten:"), sections=ThemeSections(heard="Wir hörten:"))
    assert custom.themes[0].heard_line == 4
