"""Publishing statement sources on the real dev wiki: the default targets (a summary page and one page
per codebook code), anchors the wiki keeps, no-op runs, one-row edits, and human edits kept."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, run_cli

pytestmark = pytest.mark.wiki

FIXTURES = ROOT / "tests" / "fixtures" / "statements"
CODEBOOKS = yaml.safe_load((FIXTURES / "page_map.yaml").read_text(encoding="utf-8"))["codebooks"]
CYCLE2 = (FIXTURES / "cycle2.wiki").read_text(encoding="utf-8")
CODES = ["A", "B", "C", "D", "E"]


class StatementSource:
    """One statement page on the dev wiki, in a page map of its own that gives it no ``targets:``."""

    def __init__(self, wiki, tmp_path: Path, name: str, codebook: str | None = "cycle2") -> None:
        self.wiki = wiki
        self.page = f"Test/{name}/Sources/Harbour Town"
        entry = {"page": self.page, "shape": "statements", "code": "Hb1"}
        if codebook:
            entry["codebook"] = codebook
        self.map = tmp_path / "page_map.yaml"
        self.map.write_text(yaml.safe_dump({"templates": str(ROOT / "templates"), "codebooks": CODEBOOKS,
                                            "sources": [entry]}, allow_unicode=True), encoding="utf-8")
        self.summary = f"{self.page}/Summary"
        self.code_pages = {code: f"{self.summary}/{code}" for code in CODES} if codebook else {}
        self.data = f"{self.page}/data.json"
        self.targets = [self.summary, *self.code_pages.values(), self.data]

    def write(self, text: str) -> int:
        return self.wiki.edit_as("Editor", self.page, text, "statements edit")

    def sync(self, capsys, *extra: str, command: str = "sync") -> tuple[int, str]:
        return run_cli(capsys, self.map, *extra, command=command)

    def revisions(self) -> dict[str, int]:
        return {title: self.wiki.revision_count(title) for title in self.targets}


@pytest.fixture
def source(dev_wiki, tmp_path, request):
    return StatementSource(dev_wiki, tmp_path, re.sub(r"[\W_]+", "-", request.node.name))


def test_a_statements_source_without_targets_gets_a_summary_and_a_page_per_code(source, capsys):
    revision = source.write(CYCLE2)
    code, out = source.sync(capsys)
    assert code == 0, out
    assert "7 statements" in out
    assert "saved 7 of 7 (7 to create, 0 to change), 0 unchanged" in out
    summary = source.wiki.page_text(source.summary)
    assert f"Special:PermanentLink/{revision}|" in summary
    assert "7 summary statements from" in summary and "About 31 people took part." in summary
    assert "== A: Healthy, inclusive communities (3) ==" in summary
    assert "== no theme (1) ==" in summary
    for number in range(1, 8):
        assert summary.count(f'<span id="§Hb1.{number}"></span>') == 1
    page_a = source.wiki.page_text(source.code_pages["A"])
    assert re.findall(r"\[\[" + re.escape(source.summary) + r"#(§Hb1\.\d+)\|", page_a) == ["§Hb1.1", "§Hb1.3", "§Hb1.4"]
    # the wiki keeps the anchors that the per-code pages link to
    html = source.wiki.api(action="parse", page=source.summary, prop="text")["parse"]["text"]
    assert 'id="§Hb1.6"' in html


def test_the_data_page_is_a_json_page_that_a_rebuild_finds_unchanged(source, capsys):
    source.write(CYCLE2)
    assert source.sync(capsys)[0] == 0
    page = source.wiki.api(action="query", prop="info", titles=source.data)["query"]["pages"][0]
    assert page["contentmodel"] == "json"
    data = json.loads(source.wiki.page_text(source.data))
    assert data["code"] == "Hb1" and len(data["statements"]) == 7
    assert data["counts"]["theme"]["A"] == 3
    assert re.fullmatch(r"[0-9a-f]{16}", data["wikisync"]["fingerprint"])
    before = source.revisions()
    code, out = source.sync(capsys, command="rebuild")  # compares what the wiki stored with what it would write
    assert code == 0, out
    assert "saved 0 of 0 (0 to create, 0 to change), 7 unchanged" in out
    assert source.revisions() == before


def test_a_human_edit_to_the_data_page_is_refused(source, capsys):
    source.write(CYCLE2)
    assert source.sync(capsys)[0] == 0
    data = json.loads(source.wiki.page_text(source.data))
    data["statements"][0]["text"] = "Changed by hand."
    source.wiki.edit_as("Editor", source.data, json.dumps(data), "hand edit")
    source.write(CYCLE2.replace("| 5 || D || 1? ||", "| 5 || B || 1? ||"))
    code, out = source.sync(capsys)
    assert code == 1, out
    assert f"REFUSED {source.data}" in out
    assert json.loads(source.wiki.page_text(source.data))["statements"][0]["text"] == "Changed by hand."


def test_a_second_run_over_a_statements_source_is_a_no_op(source, capsys):
    source.write(CYCLE2)
    assert source.sync(capsys)[0] == 0
    before, requests_before = source.revisions(), source.wiki.api_request_count()
    code, out = source.sync(capsys)
    used = source.wiki.api_request_count() - requests_before
    assert code == 0, out
    assert "unchanged since revision" in out and "its 7 pages too; nothing to do" in out
    assert source.revisions() == before
    assert used <= 3


def test_recoding_one_row_changes_the_summary_the_two_code_pages_and_the_data_only(source, capsys):
    source.write(CYCLE2)
    assert source.sync(capsys)[0] == 0
    before = source.revisions()
    source.write(CYCLE2.replace("| 5 || D || 1? ||", "| 5 || B || 1? ||"))
    code, out = source.sync(capsys, "--dry-run")
    assert code == 2, out
    shown = set(re.findall(r"^--- update: (.+)$", out, re.M))
    assert shown == {source.summary, source.code_pages["B"], source.code_pages["D"], source.data}
    code, out = source.sync(capsys)
    assert code == 0, out
    after = source.revisions()
    changed = {title for title in source.targets if after[title] != before[title]}
    assert changed == shown  # the dry run showed exactly what the run saved
    assert "''No statement of this source has this code.''" in source.wiki.page_text(source.code_pages["D"])


def test_a_human_edit_to_a_code_page_is_kept_and_the_other_pages_still_update(source, capsys):
    source.write(CYCLE2)
    assert source.sync(capsys)[0] == 0
    edited = source.wiki.page_text(source.code_pages["C"]) + "\nA note from an editor.\n"
    source.wiki.edit_as("Editor", source.code_pages["C"], edited, "my note")
    source.write(CYCLE2.replace("| 2 || C + B || 4 ||", "| 2 || B || 4 ||"))
    code, out = source.sync(capsys)
    assert code == 1, out
    assert f"REFUSED {source.code_pages['C']}" in out
    assert source.wiki.page_text(source.code_pages["C"]) == edited.rstrip("\n")  # MediaWiki trims the end
    assert "§Hb1.2" in source.wiki.page_text(source.code_pages["B"])


def test_losing_most_statements_is_held_back(source, capsys):
    source.write(CYCLE2)
    assert source.sync(capsys)[0] == 0
    before = source.revisions()
    table_start = CYCLE2.index("== Summary for the discussion ==")
    first_row_only = CYCLE2[:table_start] + CYCLE2[table_start:].split("|-\n| 2 ||")[0] + "|}\n"
    source.write(first_row_only)
    code, out = source.sync(capsys)
    assert code == 1, out
    assert "the source now has 1 statements, down from 7 when last published" in out
    assert source.revisions() == before


def test_a_statements_source_without_a_codebook_gets_only_its_summary(dev_wiki, tmp_path, capsys):
    source = StatementSource(dev_wiki, tmp_path, "no-codebook", codebook=None)
    source.write((FIXTURES / "messy.wiki").read_text(encoding="utf-8"))
    code, out = source.sync(capsys)
    assert code == 0, out
    assert "saved 2 of 2 (2 to create, 0 to change), 0 unchanged" in out
    assert "== no theme (8) ==" in source.wiki.page_text(source.summary)
