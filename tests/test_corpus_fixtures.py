"""The fixture corpus (tests/fixtures/corpus/): every source parses to the figures designed into it
(sources.yaml), `wikisync check` finds no error in any of them (only the warnings and infos listed),
and the corpus-wide figures an aggregate will show add up. No wiki."""

from __future__ import annotations

import collections
import json
from pathlib import Path

import pytest
import yaml

from wikisync.cli import main
from wikisync.config import load_page_map
from wikisync.shapes.statements.parser import parse_statements
from wikisync.shapes.themes.parser import parse_themes

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "fixtures" / "corpus"
INDEX = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
SOURCES = INDEX["sources"]
CODEBOOKS = load_page_map(ROOT / "tests" / "fixtures" / "statements" / "page_map.yaml").codebooks


def title_of(source: dict) -> str:
    return INDEX["prefix"] + source["title"]


def parsed(source: dict):
    text = (CORPUS / source["file"]).read_text(encoding="utf-8")
    if source["shape"] == "themes":
        return parse_themes(text, title_of(source))
    codebook = CODEBOOKS[source["codebook"]] if source["codebook"] else None
    return parse_statements(text, title_of(source), codebook=codebook, code=source["code"])


def counts_of(report) -> dict[str, dict[str, int]]:
    """Statements per code per coded role, "" for none: the data page's "counts"."""
    counts: dict[str, collections.Counter] = collections.defaultdict(collections.Counter)
    for statement in report.statements:
        for role, codes in statement.codes.items():
            for code in codes or ("",):
                counts[role][code] += 1
    return {role: dict(codes) for role, codes in counts.items()}


def fold(keyword: str) -> str:
    """Case and a plural folded: Translations -> translation, libraries -> library."""
    word = " ".join(keyword.lower().split())
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def page_map(tmp_path: Path) -> Path:
    """A page map of the corpus (the statement fixtures' codebooks), for the command line."""
    data = yaml.safe_load((ROOT / "tests" / "fixtures" / "statements" / "page_map.yaml").read_text())
    data["templates"] = str(ROOT / "templates")
    data["sources"] = []
    for source in SOURCES:
        entry = {"page": title_of(source), "shape": source["shape"]}
        if source["shape"] == "statements":
            entry["targets"] = [{"title": "{source}/Summary", "template": "statements.wiki.j2"}]
            entry.update({key: source[key] for key in ("codebook", "code") if source[key]})
        else:
            entry["targets"] = [{"title": "{source}/Themes", "template": "overview.wiki.j2"}]
        data["sources"].append(entry)
    path = tmp_path / "page_map.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_corpus_is_at_least_eight_sources_in_every_family():
    assert len(SOURCES) == INDEX["corpus"]["sources"] >= 8
    assert sorted(path.name for path in CORPUS.glob("*.wiki")) == sorted(s["file"] for s in SOURCES)
    assert {s["file"]: s["title"] for s in SOURCES} == {s["file"]: s["file"].removesuffix(".wiki") for s in SOURCES}
    assert {s["shape"] for s in SOURCES} == {"themes", "statements"}
    assert {s["codebook"] for s in SOURCES} == {None, "cycle2", "cycle3", "drafting"}
    assert {s["track"] for s in SOURCES} == {"A", "B"}
    codes = [s["code"] for s in SOURCES if s["code"]]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("source", SOURCES, ids=[s["title"] for s in SOURCES])
def test_a_source_parses_to_its_designed_figures(source):
    report = parsed(source)
    expected = source["expected"]
    if source["shape"] == "themes":
        assert {theme.name: len(theme.comments) for theme in report.themes} == expected["themes"]
        assert sum(len(theme.comments) for theme in report.themes) == expected["statements"]
        assert len(report.priorities) == expected["priorities"]
        assert len(report.questions) == expected["questions"]
        return
    assert len(report.statements) == expected["statements"]
    assert report.examples_skipped == expected["examples_skipped"]
    assert report.info.participants == expected["participants"]
    assert report.info.participants_text == expected["participants_text"]
    assert counts_of(report) == expected["counts"]
    assert all(s.id.startswith(f"§{source['code']}.") for s in report.statements)
    assert all(s.keywords or "WS506" in expected["diagnostics"] for s in report.statements)


@pytest.mark.parametrize("source", SOURCES, ids=[s["title"] for s in SOURCES])
def test_check_finds_no_errors_only_the_designed_warnings(source, tmp_path, capsys):
    args = ["check", str(CORPUS / source["file"]), "--title", title_of(source),
            "--map", str(page_map(tmp_path)), "--format", "json"]
    code = main(args)
    diagnostics = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [d for d in diagnostics if d["severity"] == "error"] == []
    assert sorted({d["code"] for d in diagnostics}) == sorted(source["expected"]["diagnostics"])


def test_parse_on_the_command_line_gives_the_same_statements(tmp_path, capsys):
    source = next(s for s in SOURCES if s["codebook"] == "cycle2")
    assert main(["parse", str(CORPUS / source["file"]), "--title", title_of(source),
                 "--map", str(page_map(tmp_path))]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["shape"] == "statements"
    assert [s["id"] for s in data["statements"]] == [s.id for s in parsed(source).statements]


def test_the_corpus_figures_add_up():
    corpus = INDEX["corpus"]
    statements = {s["title"]: parsed(s) for s in SOURCES if s["shape"] == "statements"}
    assert sum(len(r.statements) for r in statements.values()) == corpus["statements"]
    known = {title: r.info.participants for title, r in statements.items() if r.info.participants is not None}
    assert sum(known.values()) == corpus["participants"]
    assert sorted(t for t, r in statements.items() if r.info.participants is None and r.info.participants_text) \
        == corpus["participants_unparsed"]
    missing = [s["title"] for s in SOURCES if s["title"] not in statements or not statements[s["title"]].info.participants_text]
    assert sorted(missing) == sorted(corpus["participants_missing"])
    for track, figures in corpus["by_track"].items():
        mine = [s for s in SOURCES if s["track"] == track]
        reports = [statements[s["title"]] for s in mine if s["title"] in statements]
        assert figures == {"sources": len(mine), "participants": sum(r.info.participants or 0 for r in reports),
                           "statements": sum(len(r.statements) for r in reports)}
    for codebook, roles in corpus["by_code"].items():
        for role, totals in roles.items():
            summed: collections.Counter = collections.Counter()
            for s in SOURCES:
                if s["codebook"] == codebook:
                    summed.update(counts_of(statements[s["title"]]).get(role, {}))
            assert dict(summed) == totals
    assert sorted(t for t, r in statements.items() if not any(s.codes for s in r.statements)) == corpus["without_codes"]
    frequencies = collections.Counter(fold(k) for r in statements.values() for s in r.statements for k in s.keywords)
    top = dict(frequencies.most_common(len(corpus["keywords"])))
    assert top == corpus["keywords"]
    spellings = {k for r in statements.values() for s in r.statements for k in s.keywords if fold(k) == "translation"}
    assert {"Translation", "translations", "Translations", "translation"} <= spellings


@pytest.mark.parametrize("source", SOURCES, ids=[s["title"] for s in SOURCES])
def test_a_source_data_page_keeps_the_contract(source):
    """What sync writes as <source>/data.json for each fixture validates against the schema, and its
    counts are the designed ones."""
    from test_data_schema import validator

    from wikisync.config import SourceSpec
    from wikisync.jsontext import dump_data, load_data
    from wikisync.ownership import stamp_data
    from wikisync.render import source_data

    spec = SourceSpec(page=title_of(source), shape=source["shape"], codebook=source["codebook"],
                      code=source["code"], track=source["track"],
                      targets=[{"title": "{source}/data.json", "template": "statements.wiki.j2"}])
    document = load_data(stamp_data(dump_data(source_data(parsed(source), spec))))
    errors = [f"{list(error.absolute_path)}: {error.message}" for error in validator().iter_errors(document)]
    assert errors == []
    assert document["track"] == source["track"] and document["code"] == source["code"]
    if source["shape"] == "statements":
        assert document["counts"] == source["expected"]["counts"]
    else:
        assert document["counts"] == {"theme": source["expected"]["themes"]}
