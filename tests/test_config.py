from pathlib import Path

import pytest

from wikisync.config import DEFAULT_SUMMARY, load_page_map
from wikisync.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent


def test_project_page_map_loads():
    page_map = load_page_map(ROOT / "page_map.yaml")
    (source,) = page_map.sources
    assert source.page == "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"
    assert [t.each for t in source.targets] == [None, "theme"]
    assert page_map.templates == ROOT / "templates"
    assert "{revision}" in source.summary


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "page_map.yaml"
    path.write_text(text)
    (tmp_path / "templates").mkdir(exist_ok=True)
    (tmp_path / "templates" / "t.j2").write_text("x")
    (tmp_path / "templates" / "over.view.j2").write_text("x")
    return path


def test_missing_page_map(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_page_map(tmp_path / "nope.yaml")


def test_defaults_and_names(tmp_path):
    page_map = load_page_map(write(tmp_path, "sources:\n  - page: P\n    targets:\n      - {title: 'P/x', template: over.view.j2}\n"))
    target = page_map.sources[0].targets[0]
    assert target.name == "over"
    assert page_map.sources[0].summary == DEFAULT_SUMMARY


def test_defaults_apply_to_every_source_and_a_source_overrides_them(tmp_path):
    page_map = load_page_map(write(tmp_path, (
        "defaults: {summary: 'From {source}', rules: {WS201: off}, guard: {max_page_shrink: 0.9}}\n"
        "sources:\n"
        "  - {page: P, targets: [{title: 'P/x', template: t.j2}]}\n"
        "  - {page: Q, summary: 'Q {revision}', rules: {WS201: error}, guard: {max_theme_loss: 0.1}, targets: [{title: 'Q/x', template: t.j2}]}\n"
    )))
    p, q = page_map.sources
    assert (p.summary, p.rules, p.guard.max_page_shrink) == ("From {source}", {"WS201": "off"}, 0.9)
    assert (q.summary, q.rules, q.guard.max_page_shrink, q.guard.max_theme_loss) == ("Q {revision}", {"WS201": "error"}, 0.9, 0.1)


def test_rule_severities_read_off_as_yaml_writes_it(tmp_path):
    page_map = load_page_map(write(tmp_path, "sources:\n  - page: P\n    rules: {WS201: off, WS206: error}\n    targets:\n      - {title: T, template: t.j2}\n"))
    assert page_map.sources[0].rules == {"WS201": "off", "WS206": "error"}


def test_every_problem_is_a_line_of_its_own_sorted_by_line(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_page_map(write(tmp_path, "sources:\n  - page: P\n    colour: red\n    targets:\n      - {title: T, template: t.j2, eahc: theme}\n"))
    lines = str(caught.value).splitlines()
    assert [line.split(": ", 1)[0] for line in lines] == [f"{tmp_path}/page_map.yaml:3", f"{tmp_path}/page_map.yaml:5"]
    assert "unknown key 'colour'" in lines[0] and "unknown key 'eahc'" in lines[1]


def test_a_prefix_s_translations_go_to_the_named_sources_whose_shape_reads_them(tmp_path):
    page_map = load_page_map(write(tmp_path, (
        "sources_from:\n"
        "  - {prefix: 'S/', settings: {shape: statements, translations: auto, min_translated: 0.3, targets: [{title: '{source}/x', template: t.j2}]}}\n"
        "sources:\n"
        "  - {page: 'S/Narrative', shape: themes, targets: [{title: 'S/Narrative/x', template: t.j2}]}\n"
        "  - {page: 'S/Summary', shape: summary, targets: [{title: 'S/Summary/x', template: t.j2}]}\n"
    )))
    narrative, summary = page_map.sources
    assert (narrative.translations, narrative.min_translated) == ("auto", 0.3)
    assert summary.translations is None


def test_translations_on_a_shape_that_reads_none_is_one_line_at_its_key(tmp_path):
    with pytest.raises(ConfigError) as caught:
        load_page_map(write(tmp_path, "sources:\n  - page: P\n    shape: summary\n    targets:\n      - {title: T, template: t.j2}\n"
                                      "    translations: [fr]\n"))
    assert str(caught.value).splitlines() == [
        f"{tmp_path / 'page_map.yaml'}:6: sources[1].translations: a summary source's translations are not read "
        "(shape summary reads none; translations are read for themes, statements sources): remove translations:"]


def test_a_statement_source_s_community_is_a_name_or_a_list_of_names_with_spacing_folded(tmp_path):
    page_map = load_page_map(write(tmp_path, (
        "sources:\n"
        "  - {page: A, shape: statements, community: 'Arabic  village pump', targets: [{title: 'A/x', template: t.j2}]}\n"
        "  - {page: F, shape: statements, community: [French bistro, bistro (fr)], targets: [{title: 'F/x', template: t.j2}]}\n"
        "  - {page: G, shape: statements, targets: [{title: 'G/x', template: t.j2}]}\n"
    )))
    assert [source.community for source in page_map.sources] == [("Arabic village pump",), ("French bistro", "bistro (fr)"), ()]
