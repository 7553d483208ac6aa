"""Titles as the wiki normalises them, on the real dev wiki: two sources never take turns writing one
page (through a namespace alias, or a per-theme page of one that is another's single target), and
wikisync's own pages under a sources_from prefix are never taken for sources."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURE, ROOT, run_cli

pytestmark = pytest.mark.wiki

STATEMENTS = ROOT / "tests" / "fixtures" / "statements"
# the dev wiki's project namespace (scripts/dev-wiki's SITE_NAME); "Project:" is its alias
PROJECT = "Wikisync Dev"


def _write_map(path: Path, **top_level) -> Path:
    path.write_text(yaml.safe_dump({"templates": str(ROOT / "templates"), **top_level}, allow_unicode=True, sort_keys=False),
                    encoding="utf-8")
    return path


def _themes_source(page: str, *extra_targets: dict) -> dict:
    return {"page": page, "targets": [{"title": "{source}/Themes", "template": "overview.wiki.j2"},
                                      {"title": "{source}/Themes/{theme}", "template": "theme.wiki.j2", "each": "theme"},
                                      *extra_targets]}


def _single(title: str) -> dict:
    return {"title": title, "template": "overview.wiki.j2", "name": "shared"}


def _map_line(path: Path, text: str) -> int:
    return next(number for number, line in enumerate(path.read_text().splitlines(), 1) if text in line)


@pytest.fixture
def name(request) -> str:
    return re.sub(r"[\W_]+", "-", request.node.name)


def test_two_sources_writing_one_page_through_a_namespace_alias_write_it_neither(dev_wiki, tmp_path, capsys, name):
    first, second = f"Titles/{name}/First", f"Titles/{name}/Second"
    for page in (first, second):
        dev_wiki.edit_as("Editor", page, FIXTURE, "report")
    shared = f"Titles/{name}/Shared"
    page_map = _write_map(tmp_path / "page_map.yaml", sources=[
        _themes_source(first, _single(f"Project:{shared}")),
        _themes_source(second, _single(f"{PROJECT}:{shared}")),
    ])
    for _ in range(3):
        code, out = run_cli(capsys, page_map)
        assert code == 1, out
        conflict = [line for line in out.splitlines() if "are one page on the wiki" in line]
        assert conflict == [
            f"{page_map}:{_map_line(page_map, PROJECT + ':' + shared)}: sources[2].targets[3] '{PROJECT}:{shared}' and "
            f"sources[1].targets[3] 'Project:{shared}' (line {_map_line(page_map, 'Project:' + shared)}) are one page on "
            f"the wiki: {PROJECT}:{shared}; neither source writes it"
        ], out
        assert dev_wiki.page_info(f"{PROJECT}:{shared}") is None
        # the other pages of both sources are published
        assert dev_wiki.page_info(f"{first}/Themes/Education") is not None
        assert dev_wiki.page_info(f"{second}/Themes") is not None


def test_a_theme_page_of_one_source_that_is_another_sources_single_target_is_written_by_neither(dev_wiki, tmp_path, capsys, name):
    first, second = f"Titles/{name}/First", f"Titles/{name}/Second"
    for page in (first, second):
        dev_wiki.edit_as("Editor", page, FIXTURE, "report")
    theme_page = f"{first}/Themes/Education"
    alone = _write_map(tmp_path / "alone.yaml", sources=[_themes_source(first)])
    assert run_cli(capsys, alone)[0] == 0
    published = dev_wiki.page_info(theme_page)
    assert published is not None
    # the second source comes later; the first is then settled (nothing of it changed) and not parsed again
    page_map = _write_map(tmp_path / "page_map.yaml", sources=[
        _themes_source(first),
        # the same page in another spelling: first letter in lower case, underscores for spaces
        {"page": second, "targets": [_single(f"{first[0].lower()}{first[1:]}/Themes/Education".replace(" ", "_"))]},
    ])
    for _ in range(3):
        code, out = run_cli(capsys, page_map)
        assert code == 1, out
        conflict = [line for line in out.splitlines() if "are one page on the wiki" in line]
        assert len(conflict) == 1, out
        written = f"{first[0].lower()}{first[1:]}/Themes/Education".replace(" ", "_")
        assert conflict[0].startswith(f"{page_map}:{_map_line(page_map, written)}: "
                                      f"sources[2].targets[1] '{written}' and sources[1].targets[2] "
                                      f"'{{source}}/Themes/{{theme}}' (line {_map_line(page_map, '{source}/Themes/{theme}')})"), out
        assert dev_wiki.page_info(theme_page).revid == published.revid
    # and the same when neither was published before: the page is nobody's, and no run writes it
    fresh = f"Titles/{name}/Third"
    dev_wiki.edit_as("Editor", fresh, FIXTURE, "report")
    both = _write_map(tmp_path / "both.yaml", sources=[
        {"page": second, "targets": [_single(f"{fresh}/Themes/Kindness")]},
        _themes_source(fresh),
    ])
    for _ in range(2):
        code, out = run_cli(capsys, both)
        assert code == 1, out
        assert sum("are one page on the wiki" in line for line in out.splitlines()) == 1, out
        assert dev_wiki.page_info(f"{fresh}/Themes/Kindness") is None
        assert dev_wiki.page_info(f"{fresh}/Themes/Education") is not None


@pytest.mark.parametrize("namespace", [PROJECT, "Project"])
def test_wikisyncs_own_pages_under_a_sources_from_prefix_are_no_sources(dev_wiki, tmp_path, capsys, name, namespace):
    prefix = f"{PROJECT}:Titles/{name}/"
    written_prefix = f"{namespace}:Titles/{name}/"  # through the alias too: the listing spells it as the wiki does
    source = prefix + "Harbour Town"
    dev_wiki.edit_as("Editor", source, (STATEMENTS / "cycle2.wiki").read_text(encoding="utf-8"), "source")
    codebooks = yaml.safe_load((STATEMENTS / "page_map.yaml").read_text(encoding="utf-8"))["codebooks"]
    page_map = _write_map(
        tmp_path / "page_map.yaml", codebooks=codebooks,
        # spelt through the alias and with an underscore, as the wiki would not list them
        status_page=f"Project:Titles/{name}/Status", request_page=f"project:Titles/{name}/Wikisync_requests",
        sources_from=[{"prefix": written_prefix, "settings": {"shape": "statements", "codebook": "cycle2"}}],
        sources=[{"page": f"Titles/{name}/Elsewhere", "targets": [_single(f"Project:Titles/{name}/Overview")]}],
    )
    dev_wiki.edit_as("Editor", f"Titles/{name}/Elsewhere", FIXTURE, "report")
    dev_wiki.edit_as("Editor", f"{prefix}Wikisync requests", "Ask for a rebuild here.", "request page")
    for _ in range(2):
        code, out = run_cli(capsys, page_map)
        assert code == 0, out
        assert f"sources_from '{written_prefix}': 1 source pages" in out, out
    assert dev_wiki.page_info(f"{prefix}Status") is not None
    assert dev_wiki.page_info(f"{source}/Summary") is not None
    assert dev_wiki.page_info(f"{prefix}Overview") is not None
