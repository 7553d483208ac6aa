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
    return path


@pytest.mark.parametrize(
    "text, message",
    [
        ("sources: [", "not valid YAML"),
        ("{}", "non-empty 'sources'"),
        ("sources:\n  - targets: []", "needs a 'page'"),
        ("sources:\n  - page: P\n", "non-empty 'targets'"),
        ("sources:\n  - page: P\n    targets:\n      - title: T\n", "'title' pattern and a 'template'"),
        ("sources:\n  - page: P\n    targets:\n      - {title: T, template: t.j2, each: row}\n", "'each' may only be 'theme'"),
        ("sources:\n  - page: P\n    targets:\n      - {title: T, template: t.j2, each: theme}\n", "must contain {theme}"),
        ("sources:\n  - page: P\n    rules: {x: loud}\n    targets:\n      - {title: T, template: t.j2}\n", "severity"),
    ],
)
def test_bad_page_maps_name_the_file_and_the_problem(tmp_path, text, message):
    with pytest.raises(ConfigError) as caught:
        load_page_map(write(tmp_path, text))
    assert str(write(tmp_path, text)) in str(caught.value)
    assert message in str(caught.value)


def test_missing_page_map(tmp_path):
    with pytest.raises(ConfigError, match="not found"):
        load_page_map(tmp_path / "nope.yaml")


def test_defaults_and_names(tmp_path):
    page_map = load_page_map(write(tmp_path, "sources:\n  - page: P\n    targets:\n      - {title: 'P/x', template: over.view.j2}\n"))
    target = page_map.sources[0].targets[0]
    assert target.name == "over"
    assert page_map.sources[0].summary == DEFAULT_SUMMARY


def test_rule_severities_read_off_as_yaml_writes_it(tmp_path):
    page_map = load_page_map(write(tmp_path, "sources:\n  - page: P\n    rules: {WS201: off, WS206: error}\n    targets:\n      - {title: T, template: t.j2}\n"))
    assert page_map.sources[0].rules == {"WS201": "off", "WS206": "error"}


def test_unknown_rule_code_is_refused_when_the_map_loads(tmp_path):
    with pytest.raises(ConfigError, match="rule WS999: no such rule"):
        load_page_map(write(tmp_path, "sources:\n  - page: P\n    rules: {WS999: warning}\n    targets:\n      - {title: T, template: t.j2}\n"))
