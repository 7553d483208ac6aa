"""The aggregate across sources (pure), and the page map's sources_from and aggregates settings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from wikisync.aggregate import NO_CODE, aggregate, corpus_data
from wikisync.config import load_page_map
from wikisync.errors import ConfigError
from wikisync.names import keyword_key
from wikisync.reading import read_source
from wikisync.render import render_aggregates

ROOT = Path(__file__).resolve().parent.parent
STATEMENTS = ROOT / "tests" / "fixtures" / "statements"
CODEBOOKS = yaml.safe_load((STATEMENTS / "page_map.yaml").read_text(encoding="utf-8"))["codebooks"]
PREFIX = "Corpus/Sources/"


def page_map(tmp_path: Path, **extra):
    data = {
        "templates": str(ROOT / "templates"),
        "codebooks": CODEBOOKS,
        "keyword_themes": {"Newcomers": "A", "translation": "C", "open data": ["C", "E"]},
        "sources_from": [{"prefix": PREFIX, "exclude": ["Notes"], "settings": {"shape": "statements", "codebook": "cycle2", "track": "A"}}],
        "sources": [{"page": PREFIX + "Riverside", "codebook": None, "track": "B"},
                    {"page": PREFIX + "Weekly", "codebook": "cycle3"}],
        "aggregates": [{"title": "Corpus/Figures", "template": "corpus.wiki.j2"}, {"title": PREFIX + "data.json", "format": "json"}],
        **extra,
    }
    path = tmp_path / "page_map.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return load_page_map(path)


FILES = {"Harbour Town": "cycle2", "Trimmed": "cycle2-trimmed", "Riverside": "cycle1", "Weekly": "cycle3", "Hilltop": "messy"}


def readings(tmp_path: Path):
    listed = page_map(tmp_path).with_listed({PREFIX: [PREFIX + name for name in [*FILES, "Notes", "Harbour Town/fr", "data.json"]]})
    return listed, [read_source((STATEMENTS / f"{FILES[spec.page.removeprefix(PREFIX)]}.wiki").read_text(encoding="utf-8"),
                                spec.page, 10 + n, spec, listed.codebooks) for n, spec in enumerate(listed.sources)]


def test_a_prefix_lists_its_direct_pages_and_named_sources_keep_their_settings(tmp_path):
    listed, _ = readings(tmp_path)
    specs = {spec.page.removeprefix(PREFIX): spec for spec in listed.sources}
    assert sorted(specs) == sorted(FILES)  # not Notes (excluded), not the /fr subpage, not the aggregate's data page
    assert (specs["Riverside"].codebook, specs["Riverside"].track, specs["Riverside"].code) == (None, "B", "Riverside")
    assert (specs["Weekly"].codebook, specs["Weekly"].track) == ("cycle3", "A")
    assert (specs["Harbour Town"].codebook, specs["Harbour Town"].code) == ("cycle2", "HarbourTown")
    assert [t.title for t in specs["Riverside"].targets] == ["{source}/Summary", "{source}/data.json"]


def test_the_matrix_counts_codes_and_maps_keywords_of_sources_without_codes(tmp_path):
    listed, found = readings(tmp_path)
    corpus = aggregate(found, listed.keyword_themes, listed.codebooks)
    harbour, riverside = PREFIX + "Harbour Town", PREFIX + "Riverside"
    assert corpus.matrix[harbour] == {"A": 3, "B": 2, "C": 2, "D": 1, "E": 2, NO_CODE: 1}
    river = next(r for r in found if r.spec.page == riverside).report
    expected: dict[str, int] = {}
    for statement in river.statements:
        codes = {c for k in statement.keywords for c in listed.keyword_themes.get(keyword_key(k), ())} or {NO_CODE}
        for code in codes:
            expected[code] = expected.get(code, 0) + 1
    assert corpus.matrix[riverside] == expected
    assert [code for code, _ in corpus.codes][:5] == list("ABCDE") and corpus.codes[-1] == (NO_CODE, "no theme")
    assert corpus.statements == sum(len(r.report.statements) for r in found)
    assert sum(corpus.by_code().values()) == sum(sum(row.values()) for row in corpus.matrix.values())


def test_participants_tracks_and_the_statement_index(tmp_path):
    listed, found = readings(tmp_path)
    corpus = aggregate(found, listed.keyword_themes, listed.codebooks)
    counted = {s.title: s.participants for s in corpus.sources}
    assert corpus.participants == sum(p or 0 for p in counted.values())
    assert [s.title for s in corpus.unparsed] == [s.title for s in corpus.sources if s.participants is None and s.participants_text.strip()]
    assert {t.track for t in corpus.tracks} == {"A", "B"}
    assert sum(t.share for t in corpus.tracks) in (99, 100, 101)
    assert sum(t.sources for t in corpus.tracks) == len(found)
    assert len(corpus.index) == corpus.statements
    assert corpus.index[0][1].endswith(f"/Summary#{corpus.index[0][0]}")


def test_the_json_aggregate_and_the_corpus_page(tmp_path):
    listed, found = readings(tmp_path)
    corpora = {"theme": aggregate(found, listed.keyword_themes, listed.codebooks)}
    data = corpus_data(corpora["theme"], top_keywords=5)
    assert data["totals"]["statements"] == sum(s["statements"] for s in data["sources"])
    assert data["totals"]["by_code"]["theme"]["A"] == sum(data["matrix"]["theme"]["A"].values())
    assert len(data["keywords"]) == 5 and data["keywords"] == sorted(data["keywords"], key=lambda k: -k["count"])
    pages = {page.title: page for page in render_aggregates(corpora, listed.aggregates, listed.templates)}
    assert pages[PREFIX + "data.json"].content_model == "json"
    figures = pages["Corpus/Figures"].text
    assert pages["Corpus/Figures"].error is None
    assert f"{len(found)} source pages, {corpora['theme'].statements} statements" in figures
    assert "from the 5 source pages it lists" in figures


BAR = re.compile(r'\| style="width:([\d.]+)%;height:1\.2em[^"]*" \|\n\| style="[^"]*" \| (\d+)\n')


def chart(page: str, caption: str) -> list[tuple[float, int]]:
    """(bar width in percent, the number beside it) of every bar of the chart with this caption."""
    part = page.split(f"| {caption}\n", 1)[1].split("|}\n|}", 1)[0]
    return [(float(width), int(count)) for width, count in BAR.findall(part)]


def test_the_corpus_page_draws_its_counts_as_bars_as_wide_as_their_share(tmp_path):
    listed, found = readings(tmp_path)
    corpus = aggregate(found, listed.keyword_themes, listed.codebooks)
    page = next(p for p in render_aggregates({"theme": corpus}, listed.aggregates, listed.templates) if p.title == "Corpus/Figures").text
    by_theme = chart(page, "Statements by theme")
    assert [count for _, count in by_theme] == [n for n in corpus.by_code().values() if n]
    most = max(count for _, count in by_theme)
    assert all(abs(width - 80 * count / most) <= 0.1 for width, count in by_theme)
    assert [count for _, count in chart(page, "Participants by track")] == [t.participants for t in corpus.tracks if t.participants]
    assert [count for _, count in chart(page, "Statements by source")] == [s.statements for s in corpus.sources if s.statements]
    assert "'''A''': Healthy, inclusive communities" in page
    assert "<div" not in page.split("== At a glance ==")[1]  # cells only: no markup a wiki could strip


def test_sub_codes_follow_their_code_in_the_chart(tmp_path):
    codebooks = {**CODEBOOKS, "cycle2": {"theme": {"A": "Communities", "A1": "Newcomers", "A.2": "Mentors", "B": "Augmented age", "10": "Ten"}}}
    listed = page_map(tmp_path, codebooks=codebooks).with_listed({PREFIX: [PREFIX + "Harbour Town"]})
    found = [read_source((STATEMENTS / "cycle2.wiki").read_text(encoding="utf-8"), spec.page, 1, spec, listed.codebooks)
             for spec in listed.sources if spec.page == PREFIX + "Harbour Town"]
    corpus = aggregate(found, listed.keyword_themes, listed.codebooks)
    tree = [(code, depth) for code, _, _, depth in corpus.code_tree()]
    # the codebook's order (the test's page map sorts its keys), each code's sub-codes moved after it
    assert tree[:5] == [("10", 0), ("A", 0), ("A.2", 1), ("A1", 1), ("B", 0)]
    page = next(p for p in render_aggregates({"theme": corpus}, listed.aggregates, listed.templates) if p.title == "Corpus/Figures").text
    assert "| style=\"padding:0.3em 0 0.1em 1.5em\" | '''A1''': Newcomers" in page


@pytest.mark.parametrize("written, key", [
    ("Translation", "translation"), ("translations", "translation"), (" Open  Data ", "open data"),
    ("communities", "community"), ("access", "access"), ("focus", "focus"), ("analysis", "analysis"),
])
def test_keywords_fold_case_spacing_and_plurals(written, key):
    assert keyword_key(written) == key


def test_a_keyword_table_folds_spellings_together(tmp_path):
    listed, found = readings(tmp_path)
    corpus = aggregate(found, listed.keyword_themes, listed.codebooks)
    for keyword in corpus.keywords:
        assert all(keyword_key(spelling) == keyword.keyword for spelling in keyword.spellings)


def test_sources_from_settings_are_checked_when_the_map_is_loaded(tmp_path):
    with pytest.raises(ConfigError, match=r"page_map\.yaml:\d+: codebook 'cycle9': no such entry"):
        page_map(tmp_path, sources_from=[{"prefix": PREFIX, "settings": {"shape": "statements", "codebook": "cycle9"}}])
    with pytest.raises(ConfigError, match=r"page and code come from the prefix"):
        page_map(tmp_path, sources_from=[{"prefix": PREFIX, "settings": {"page": "X"}}])
    with pytest.raises(ConfigError, match=r"aggregate 'A': template: required"):
        page_map(tmp_path, aggregates=[{"title": "A"}])


def test_a_misspelt_shape_is_one_line_not_one_for_each_source_it_leaves_without_targets(tmp_path):
    with pytest.raises(ConfigError) as raised:
        page_map(tmp_path, sources_from=[{"prefix": PREFIX, "settings": {"shape": "statement", "codebook": "cycle2"}}])
    assert len(str(raised.value).splitlines()) == 1
    assert re.search(r"page_map\.yaml:\d+: sources_from\[1\]\.settings\.shape: Input should be 'themes', 'statements' or 'summary'",
                     str(raised.value))
    with pytest.raises(ConfigError) as raised:
        page_map(tmp_path, sources_from=[], sources=[{"page": "Elsewhere", "shape": "statment"}])
    (line,) = str(raised.value).splitlines()
    assert re.fullmatch(r".*page_map\.yaml:\d+: sources\[1\]\.shape: Input should be 'themes', 'statements' or 'summary'", line)


def test_a_source_read_back_from_its_data_page_counts_as_it_did_when_read(tmp_path):
    """What a failing source's last published data page gives the aggregates: the same tally as its page."""
    from wikisync.jsontext import dump_data, load_data
    from wikisync.render import source_data

    corpus_dir = ROOT / "tests" / "fixtures" / "corpus"
    listing = yaml.safe_load((corpus_dir / "sources.yaml").read_text(encoding="utf-8"))
    listed = load_page_map(corpus_dir / "page_map.yaml").with_listed(
        {listing["prefix"]: [listing["prefix"] + s["title"] for s in listing["sources"]]})
    files = {listing["prefix"] + s["title"]: s["file"] for s in listing["sources"]}

    def themes(keyword: str) -> tuple[str, ...]:
        return listed.keyword_themes.get(keyword_key(keyword), ())

    for spec in listed.sources:
        reading = read_source((corpus_dir / files[spec.page]).read_text(encoding="utf-8"), spec.page, 7, spec, listed.codebooks)
        data = load_data(dump_data(source_data(reading.report, spec)))
        report = reading.shape.from_data(data, spec, listed.codebooks)
        assert report is not None and report.revision == 7
        for role in ("theme", "insight", "section"):
            assert reading.shape.tally(report, spec, role, themes) == reading.shape.tally(reading.report, spec, role, themes), spec.page
        assert list(reading.shape.export_rows(report, spec)) == list(reading.shape.export_rows(reading.report, spec))
