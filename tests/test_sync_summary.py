"""A summary on the real dev wiki: published with two statement sources, read and never edited, its
{summary}/Citations page linking every citation to its statement's anchor, and brought up to date when
a cited source changes."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import ROOT, run_cli

pytestmark = pytest.mark.wiki

FIXTURES = ROOT / "tests" / "fixtures" / "summary"
SUMMARY_TEXT = """== Communities ==
* Arabic village pump (5s): translation (§Ar1) and newcomers (§Ar4).
* Arabic meetup (4s): agreed (§Ar2.1 (to 2)) and asked (§Ar2.5).
"""


@pytest.fixture
def corpus(dev_wiki, tmp_path: Path, request):
    name = re.sub(r"[\W_]+", "-", request.node.name)
    prefix = f"Test/{name}/Sources/"
    sources = {"Arabic-Village-Pump": "Ar1", "Arabic-Meetup": "Ar2"}
    for name in sources:
        dev_wiki.edit_as("Editor", prefix + name, (FIXTURES / f"{name}.wiki").read_text(encoding="utf-8"), "source")
    dev_wiki.edit_as("Editor", prefix + "Summary", SUMMARY_TEXT, "summary")
    entries = [{"page": prefix + "Summary", "shape": "summary"}]
    entries += [{"page": prefix + name, "shape": "statements", "code": code} for name, code in sources.items()]
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text(yaml.safe_dump({"templates": str(ROOT / "templates"), "sources": entries}), encoding="utf-8")
    return dev_wiki, prefix, page_map


def test_a_summary_is_checked_against_its_sources_and_gets_its_citations_page(corpus, capsys):
    wiki, prefix, page_map = corpus
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    assert "Sources/Summary (revision" in out and "5 citations, 2 counts" in out and "Summary: check: 1 warning" in out
    assert wiki.revision_count(prefix + "Summary") == 1  # read, never edited
    citations = wiki.page_text(prefix + "Summary/Citations")
    assert f"[[{prefix}Arabic-Village-Pump/Summary#§Ar1.1|§Ar1.1]]" in citations
    assert f"[[{prefix}Arabic-Village-Pump/Summary#§Ar1.4|§Ar1.4]]" in citations
    assert f"[[{prefix}Arabic-Meetup/Summary#§Ar2.2|§Ar2.2]]" in citations
    assert "Arabic meetup: 4 statements" in citations
    assert f"* Line 3: warning WS602: §Ar2.5: {prefix}Arabic-Meetup (code Ar2) has no statement with line 5" in citations
    # the anchor the link points at is on the source's summary page
    html = wiki.api(action="parse", page=f"{prefix}Arabic-Meetup/Summary", prop="text")["parse"]["text"]
    assert 'id="§Ar2.2"' in html

    before = wiki.api_request_count()
    code, out = run_cli(capsys, page_map)
    assert code == 0 and "saved" not in out, out
    assert wiki.api_request_count() - before <= 3  # the promise of a no-op: at most 3 requests

    # the cited source gains line 5: the summary, unchanged, is read again and its citation resolves
    meetup = prefix + "Arabic-Meetup"
    text = wiki.page_text(meetup)
    wiki.edit_as("Editor", meetup, text.replace("|}", "|-\n| 5 || Arabic meetup five. || e\n|}"), "line 5")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    # no warning left; the meetup's count (4s), true when written, has not seen line 5 (WS605, an info)
    assert "Summary: check: no problems" in out, out
    citations = wiki.page_text(prefix + "Summary/Citations")
    assert f"[[{prefix}Arabic-Meetup/Summary#§Ar2.5|§Ar2.5]]" in citations
    assert f"* Line 3: info WS605: (4s), now 5: 1 since, in {meetup}" in citations
    assert wiki.revision_count(prefix + "Summary") == 1


def _status_of(wiki, status: str, source: str) -> str:
    """The status page's section of one source, up to its earlier runs."""
    return wiki.page_text(status).split(f"== [[{source}]] ==\n")[1].split("\n== ")[0].split("=== ")[0]


def test_the_status_page_says_a_summary_s_findings_in_brief(corpus, capsys):
    wiki, prefix, page_map = corpus
    status, summary, meetup = prefix + "Status", prefix + "Summary", prefix + "Arabic-Meetup"
    data = yaml.safe_load(page_map.read_text(encoding="utf-8"))
    page_map.write_text(yaml.safe_dump({**data, "status_page": status}), encoding="utf-8")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    # §Ar2.5 is no statement of the meetup (WS602): unresolved
    assert "* Check: 5 citations, 1 unresolved; 1 warning\n" in _status_of(wiki, status, summary)
    assert "* Check: no problems\n" in _status_of(wiki, status, meetup)  # a statement source: as before

    before = wiki.api_request_count()
    code, out = run_cli(capsys, page_map)
    assert code == 0 and "saved" not in out, out
    assert wiki.api_request_count() - before <= 3

    # the meetup gains line 5: the citation resolves, the count (4s) is outgrown; the status page says so
    wiki.edit_as("Editor", meetup, wiki.page_text(meetup).replace("|}", "|-\n| 5 || Arabic meetup five. || e\n|}"), "line 5")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    assert "* Check: 5 citations, 1 count outgrown; no problems\n" in _status_of(wiki, status, summary)


def test_check_page_reads_the_cited_sources_from_the_wiki(corpus, capsys):
    from wikisync.cli import main

    wiki, prefix, page_map = corpus
    code = main(["check", "--page", prefix + "Summary", "--map", str(page_map)])
    out = capsys.readouterr().out
    assert code == 0
    assert out == (f"{prefix}Summary:3:57: warning WS602 §Ar2.5: {prefix}Arabic-Meetup (code Ar2) has no statement with line 5 "
                   "(hint: its lines: 1–4)\n"
                   f"{prefix}Summary: 1 warning\n")

    # the meetup gains line 5 after the summary: check --page reads its history, as sync does, and finds the
    # count (4s) true when written but outgrown (WS605), the citation of line 5 now resolved
    meetup = prefix + "Arabic-Meetup"
    wiki.edit_as("Editor", meetup, wiki.page_text(meetup).replace("|}", "|-\n| 5 || Arabic meetup five. || e\n|}"), "line 5")
    code = main(["check", "--page", prefix + "Summary", "--map", str(page_map)])
    captured = capsys.readouterr()
    assert (code, captured.err) == (0, "")
    revision = wiki.api(action="query", prop="revisions", titles=meetup, rvdir="newer", rvlimit=1)
    first = revision["query"]["pages"][0]["revisions"][0]["revid"]
    assert captured.out == (f"{prefix}Summary:3:17: info WS605 (4s), now 5: 1 since, in {meetup} "
                            f"(hint: the count was true at revision {first})\n"
                            f"{prefix}Summary: no problems\n")
    # the same as JSON
    code = main(["check", "--page", prefix + "Summary", "--map", str(page_map), "--format", "json"])
    assert [d["code"] for d in json.loads(capsys.readouterr().out)] == ["WS605"]


def _statement_table(count: int) -> str:
    rows = "".join(f"|-\n| {line} || Statement {line}. || k\n" for line in range(1, count + 1))
    return "{| class=\"wikitable\"\n! Line !! Statement !! Keywords\n" + rows + "|}\n"


COUNTED_SUMMARY = """* Pump, then (3s): (§Ar1.1)
* Pump, never (4s): (§Ar1.2)
* Pump, as it is (5s): (§Ar1.3)
"""


def test_counts_are_compared_through_the_source_history(dev_wiki, tmp_path: Path, capsys):
    wiki, prefix = dev_wiki, "Test/counts-through-history/Sources/"
    source, summary = prefix + "Arabic-Village-Pump", prefix + "Summary"
    for count in (3, 5):  # the source over two revisions, then the summary
        wiki.edit_as("Editor", source, _statement_table(count), f"{count} statements")
    wiki.edit_as("Editor", summary, COUNTED_SUMMARY, "summary")
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text(yaml.safe_dump({"templates": str(ROOT / "templates"), "sources": [
        {"page": summary, "shape": "summary"}, {"page": source, "shape": "statements", "code": "Ar1"}]}), encoding="utf-8")

    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    findings = wiki.page_text(summary + "/Citations").split("== Findings ==")[1]
    # true at the older revision: no WS603, but 2 statements since; never true: WS603; true now: nothing
    assert "* Line 1: info WS605: (3s), now 5: 2 since, in " + source in findings
    assert f"* Line 2: warning WS603: (4s): {source} had 3, 5 statements up to the summary's revision, never 4" in findings
    assert "Line 3" not in findings
    assert "Pump, then: 3 statements (then 5, now 5)" in wiki.page_text(summary + "/Citations")

    before = wiki.api_request_count()
    code, out = run_cli(capsys, page_map)
    assert code == 0 and "saved" not in out, out
    assert wiki.api_request_count() - before <= 2  # a no-op: no history request

    # the source grows after the summary: the count true then lags now
    wiki.edit_as("Editor", source, _statement_table(6), "6 statements")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    findings = wiki.page_text(summary + "/Citations").split("== Findings ==")[1]
    assert "* Line 3: info WS605: (5s), now 6: 1 since, in " + source in findings
    assert f"* Line 2: warning WS603: (4s): {source} had 3, 5 statements up to the summary's revision" in findings

    # the summary edited, the source not: its counts come from the state; with them lost, one request reads them
    # again (the two runs are alike but for that: neither saves)
    def run_after_summary_edit(words: str) -> int:
        wiki.edit_as("Editor", summary, COUNTED_SUMMARY + words, "summary edited")
        before = wiki.api_request_count()
        code, out = run_cli(capsys, page_map)
        assert code == 0, out
        return wiki.api_request_count() - before

    run_after_summary_edit("Edited.\n")  # the Citations page takes the summary's new revision: then 6
    cached = run_after_summary_edit("Edited once.\n")
    state_file = tmp_path / ".wikisync" / "state.json"
    state = json.loads(state_file.read_text(encoding="utf-8"))
    for entry in state["sources"].values():
        entry.pop("statement_counts", None)
    state_file.write_text(json.dumps(state), encoding="utf-8")
    lost = run_after_summary_edit("Edited twice.\n")
    assert lost == cached + 1, (cached, lost)
    findings = wiki.page_text(summary + "/Citations").split("== Findings ==")[1]
    assert "* Line 3: info WS605: (5s), now 6: 1 since" in findings


@pytest.fixture
def cited_corpus(corpus):
    """The corpus above with the aggregates: the corpus page, the statement index and the JSON aggregate."""
    wiki, prefix, page_map = corpus
    data = yaml.safe_load(page_map.read_text(encoding="utf-8"))
    data["aggregates"] = [{"title": prefix + "Corpus", "template": "corpus.wiki.j2"},
                          {"title": prefix + "Index", "template": "statement-index.wiki.j2"},
                          {"title": prefix + "Corpus.json", "format": "json"}]
    page_map.write_text(yaml.safe_dump(data), encoding="utf-8")
    return wiki, prefix, page_map


def _cited_by(wiki, source: str) -> dict[str, list[tuple[str, int]]]:
    data = json.loads(wiki.page_text(source + "/data.json"))
    return {s["id"]: [(c["summary"], c["line"]) for c in s["cited_by"]] for s in data["statements"]}


def _statement_lines(text: str) -> dict[str, str]:
    """A source's summary page: each statement's line by its id."""
    return {line.split("'''")[1]: line for line in text.splitlines() if line.startswith("* ") and "'''§" in line}


def _corpus_citations(wiki, prefix: str):
    """The JSON aggregate's citations, once it validates: per source (cited, ids, statements), the total, the summaries."""
    from test_data_schema import validator

    data = json.loads(wiki.page_text(prefix + "Corpus.json"))
    assert [error.message for error in validator().iter_errors(data)] == []
    return ({s["title"]: (s["cited"], s["cited_ids"], s["statements"]) for s in data["sources"]}, data["totals"]["cited"],
            data["summaries"])


def test_each_statement_knows_the_summary_lines_citing_it(cited_corpus, capsys):
    wiki, prefix, page_map = cited_corpus
    summary, pump, meetup = prefix + "Summary", prefix + "Arabic-Village-Pump", prefix + "Arabic-Meetup"
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    assert _cited_by(wiki, pump) == {"§Ar1.1": [(summary, 2)], "§Ar1.2": [], "§Ar1.3": [], "§Ar1.4": [(summary, 2)],
                                     "§Ar1.5": []}
    # §Ar2.5 is no statement of the meetup (WS602): it cites nothing
    assert _cited_by(wiki, meetup) == {"§Ar2.1": [(summary, 3)], "§Ar2.2": [(summary, 3)], "§Ar2.3": [], "§Ar2.4": []}
    index = wiki.page_text(prefix + "Index")
    assert f"* [[{pump}/Summary#§Ar1.1|§Ar1.1]]: cited by [[{summary}]]\n" in index
    # the source's own summary page says it too, with the summary's line
    pump_lines = _statement_lines(wiki.page_text(pump + "/Summary"))
    assert pump_lines["§Ar1.1"].endswith(f" — cited by [[{summary}]] (line 2)")
    assert "cited" not in pump_lines["§Ar1.2"]
    assert f"* [[{pump}/Summary#§Ar1.2|§Ar1.2]]\n" in index
    corpus_page = wiki.page_text(prefix + "Corpus")
    assert f'| [[{pump}|Arabic-Village-Pump]] || Ar1 || data-sort-value="2" | 2 of 5 cited (40%)' in corpus_page
    # the JSON aggregate too: each source's cited statements beside its total, the summary's citations
    summary_revision = wiki.page_info(summary).revid
    assert _corpus_citations(wiki, prefix) == (
        {pump: (2, ["§Ar1.1", "§Ar1.4"], 5), meetup: (2, ["§Ar2.1", "§Ar2.2"], 4)}, 4,
        [{"title": summary, "revision": summary_revision, "citations": 5, "cited": 4}])
    assert f'| [[{meetup}|Arabic-Meetup]] || Ar2 || data-sort-value="2" | 2 of 4 cited (50%)' in corpus_page

    before = wiki.api_request_count()
    code, out = run_cli(capsys, page_map)
    assert code == 0 and "saved" not in out, out
    assert wiki.api_request_count() - before <= 3  # a no-op, citations and all

    # the summary now cites other lines of the meetup only: the meetup's pages follow, the village pump's stay
    pump_data, meetup_data = wiki.revision_count(pump + "/data.json"), wiki.revision_count(meetup + "/data.json")
    wiki.edit_as("Editor", summary, SUMMARY_TEXT.replace("(§Ar2.1 (to 2))", "(§Ar2.3)"), "other lines")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    assert _cited_by(wiki, meetup) == {"§Ar2.1": [], "§Ar2.2": [], "§Ar2.3": [(summary, 3)], "§Ar2.4": []}
    meetup_lines = _statement_lines(wiki.page_text(meetup + "/Summary"))
    assert meetup_lines["§Ar2.3"].endswith(f" — cited by [[{summary}]] (line 3)") and "cited" not in meetup_lines["§Ar2.1"]
    assert wiki.revision_count(meetup + "/data.json") == meetup_data + 1
    assert wiki.revision_count(pump + "/data.json") == pump_data  # its citations did not change: not re-rendered
    assert f'| [[{meetup}|Arabic-Meetup]] || Ar2 || data-sort-value="1" | 1 of 4 cited (25%)' in wiki.page_text(prefix + "Corpus")
    assert _corpus_citations(wiki, prefix) == (
        {pump: (2, ["§Ar1.1", "§Ar1.4"], 5), meetup: (1, ["§Ar2.3"], 4)}, 3,
        [{"title": summary, "revision": wiki.page_info(summary).revid, "citations": 4, "cited": 3}])
    assert wiki.revision_count(summary) == 2  # read, never edited: only the Editor's two revisions
