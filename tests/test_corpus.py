"""Many sources in one run on the real dev wiki: sources found by prefix, one failing source not stopping
the others, aggregates across sources rebuilt only when an input changed, and the whole corpus's no-op."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURE, ROOT, run_cli

pytestmark = pytest.mark.wiki

STATEMENTS = ROOT / "tests" / "fixtures" / "statements"
CODEBOOKS = yaml.safe_load((STATEMENTS / "page_map.yaml").read_text(encoding="utf-8"))["codebooks"]
# name under the prefix -> (fixture, the settings its entry adds to the prefix's)
SOURCES = {
    "Harbour Town": ("cycle2.wiki", {}),
    "Trimmed": ("cycle2-trimmed.wiki", {"track": "B"}),
    "Riverside": ("cycle1.wiki", {"codebook": None, "track": "B"}),
    "Weekly": ("cycle3.wiki", {"codebook": "cycle3"}),
}


class Corpus:
    def __init__(self, wiki, tmp_path: Path, name: str) -> None:
        self.wiki = wiki
        self.prefix = f"Test/{name}/Sources/"
        self.titles = {key: self.prefix + key for key in SOURCES}
        self.aggregate = f"Test/{name}/Corpus"
        self.index = f"Test/{name}/Corpus/Statement index"
        self.data = f"{self.prefix}data.json"
        self.map = tmp_path / "page_map.yaml"
        self.map.write_text(yaml.safe_dump({
            "templates": str(ROOT / "templates"),
            "codebooks": CODEBOOKS,
            "keyword_themes": {"Newcomers": "A", "translation": "C", "open data": ["C", "E"]},
            "sources_from": [{"prefix": self.prefix, "exclude": ["Notes"],
                              "settings": {"shape": "statements", "codebook": "cycle2", "track": "A"}}],
            "sources": [{"page": self.titles[key], **settings} for key, (_, settings) in SOURCES.items() if settings],
            "aggregates": [{"title": self.aggregate, "template": "corpus.wiki.j2"},
                           {"title": self.index, "template": "statement-index.wiki.j2"},
                           {"title": self.data, "format": "json"}],
        }, allow_unicode=True), encoding="utf-8")
        for key, (fixture, _) in SOURCES.items():
            self.write(key, (STATEMENTS / fixture).read_text(encoding="utf-8"))
        wiki.edit_as("Editor", self.prefix + "Notes", "Not a source: excluded by name.", "notes")
        wiki.edit_as("Editor", self.prefix + "Harbour Town/fr", "Une traduction : une sous-page, pas une source.", "fr")

    def write(self, key: str, text: str) -> int:
        return self.wiki.edit_as("Editor", self.titles[key], text, "source edit")

    def sync(self, capsys, *extra: str, command: str = "sync") -> tuple[int, str]:
        return run_cli(capsys, self.map, *extra, command=command)

    def generated(self) -> list[str]:
        pages = self.wiki.api(action="query", list="allpages", apprefix=self.prefix.split(":")[-1], aplimit="max")
        titles = [p["title"] for p in pages["query"]["allpages"]]
        return [t for t in titles if t.count("/") > self.prefix.count("/") and not t.endswith("/fr")] + [self.aggregate, self.index, self.data]

    def revisions(self) -> dict[str, int]:
        return {title: self.wiki.revision_count(title) for title in self.generated()}


@pytest.fixture
def corpus(dev_wiki, tmp_path, request):
    return Corpus(dev_wiki, tmp_path, re.sub(r"[\W_]+", "-", request.node.name))


def test_one_run_publishes_every_source_found_by_prefix_and_the_aggregates(corpus, capsys):
    code, out = corpus.sync(capsys)
    assert code == 0, out
    assert f"sources_from '{corpus.prefix}': 4 source pages" in out
    assert "Notes" not in out and "/fr" not in out
    for title in corpus.titles.values():
        assert corpus.wiki.page_text(f"{title}/Summary") is not None
    data = json.loads(corpus.wiki.page_text(corpus.data))
    assert data["totals"]["sources"] == 4
    assert data["totals"]["statements"] == 7 + 4 + 8 + 5
    assert {s["title"]: s["statements"] for s in data["sources"]} == {
        corpus.titles["Harbour Town"]: 7, corpus.titles["Trimmed"]: 4, corpus.titles["Riverside"]: 8, corpus.titles["Weekly"]: 5}
    # Harbour Town's own codes; Riverside (Cycle 1, no codes) counts through keyword_themes
    matrix = data["matrix"]["theme"]
    assert matrix["A"][corpus.titles["Harbour Town"]] == 3
    riverside = json.loads(corpus.wiki.page_text(corpus.titles["Riverside"] + "/data.json"))
    mapped = [s for s in riverside["statements"] if {k.lower().rstrip("s") for k in s["keywords"]} & {"newcomer", "translation", "open data"}]
    assert sum(row.get(corpus.titles["Riverside"], 0) for code, row in matrix.items() if code) >= len(mapped) > 0
    assert data["totals"]["by_track"]["A"]["sources"] == 2 and data["totals"]["by_track"]["B"]["sources"] == 2
    assert data["totals"]["participants"] == sum(s["participants"] or 0 for s in data["sources"])
    assert data["index"]["§HarbourTown.3"] == f"{corpus.titles['Harbour Town']}/Summary#§HarbourTown.3"
    page = corpus.wiki.page_text(corpus.aggregate)
    assert "4 source pages, 24 statements" in page
    assert "== Statements by theme and source ==" in page and "== Most frequent keywords ==" in page
    index = corpus.wiki.page_text(corpus.index)
    assert index.count("\n* [[") == 24


def test_a_no_op_over_the_whole_corpus_costs_at_most_three_requests(corpus, capsys):
    assert corpus.sync(capsys)[0] == 0
    before, requests_before = corpus.revisions(), corpus.wiki.api_request_count()
    code, out = corpus.sync(capsys)
    used = corpus.wiki.api_request_count() - requests_before
    assert code == 0, out
    assert out.count("nothing to do") == 5  # four sources and the aggregates
    assert corpus.revisions() == before
    assert used <= 3 + 1  # the listing, the sources, the info of pages outside the prefix; and the login check
    print(f"\ncorpus no-op: {used} API requests")


def test_editing_one_source_rebuilds_its_pages_and_the_aggregates_only(corpus, capsys):
    assert corpus.sync(capsys)[0] == 0
    before = corpus.revisions()
    text = (STATEMENTS / "cycle3.wiki").read_text(encoding="utf-8")
    corpus.write("Weekly", text + "\n<!-- a comment only: the statements stay as they were -->\n")
    code, out = corpus.sync(capsys)
    assert code == 0, out
    assert out.count("nothing to do") == 3  # the other three sources
    after = corpus.revisions()
    changed = {title for title in after if after[title] != before.get(title)}
    # the aggregate data lists every source's revision; no rendered page changed
    assert changed == {corpus.data}


def test_a_failing_source_does_not_stop_the_others_and_the_aggregates_count_its_last_data(corpus, capsys):
    assert corpus.sync(capsys)[0] == 0
    aggregate_before = corpus.wiki.revision_count(corpus.aggregate)
    trimmed = next(s for s in json.loads(corpus.wiki.page_text(corpus.data))["sources"] if s["title"] == corpus.titles["Trimmed"])
    corpus.write("Trimmed", "This page no longer holds a table.")
    corpus.write("Harbour Town", (STATEMENTS / "cycle2.wiki").read_text(encoding="utf-8").replace("| 5 || D || 1? ||", "| 5 || B || 1? ||"))
    code, out = corpus.sync(capsys)
    assert code == 1, out
    assert f"{corpus.titles['Trimmed']}: check errors stop the publish" in out
    assert (f"aggregates: {corpus.titles['Trimmed']}: counted from its last published data (revision {trimmed['revision']}), "
            "because: check errors") in out
    assert "§HarbourTown.5" in corpus.wiki.page_text(corpus.titles["Harbour Town"] + "/Summary/B")
    assert corpus.wiki.revision_count(corpus.aggregate) == aggregate_before + 1
    data = json.loads(corpus.wiki.page_text(corpus.data))
    assert trimmed in data["sources"] and data["totals"]["statements"] == 7 + 4 + 8 + 5
    assert data["stale"] == [{"title": corpus.titles["Trimmed"], "revision": trimmed["revision"], "reason": "check errors"}]


def test_a_narrative_source_counts_in_the_aggregate_through_its_theme_names(dev_wiki, tmp_path, capsys):
    prefix = "Test/narrative-corpus/Sources/"
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text(yaml.safe_dump({
        "templates": str(ROOT / "templates"),
        "keyword_themes": {"Access": "A", "Education": ["A", "C"]},
        "sources_from": [{"prefix": prefix, "settings": {"shape": "statements"}}],
        "sources": [{"page": prefix + "All-Hands", "shape": "themes",
                     "targets": [{"title": "{source}/Themes", "template": "overview.wiki.j2"}]}],
        "aggregates": [{"title": prefix + "data.json", "format": "json"}],
    }), encoding="utf-8")
    dev_wiki.edit_as("Editor", prefix + "All-Hands", FIXTURE, "narrative")
    dev_wiki.edit_as("Editor", prefix + "Riverside", (STATEMENTS / "cycle1.wiki").read_text(encoding="utf-8"), "cycle 1")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    data = json.loads(dev_wiki.page_text(prefix + "data.json"))
    narrative = json.loads(json.dumps(data["matrix"]["theme"]))
    assert narrative["A"][prefix + "All-Hands"] > 0 and narrative["C"][prefix + "All-Hands"] > 0
    assert {s["shape"] for s in data["sources"]} == {"themes", "statements"}


CORPUS = ROOT / "tests" / "fixtures" / "corpus"


def test_the_fixture_corpus_publishes_pages_that_the_schema_and_the_lua_module_read(dev_wiki, tmp_path, capsys):
    """The demo's corpus (tests/fixtures/corpus/page_map.yaml) on the real wiki: every data page it writes
    validates against wikisync/data.schema.json, and Module:Wikisync data shows the aggregate's figures."""
    from test_data_schema import validator

    listing = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    prefix = listing["prefix"]
    for source in listing["sources"]:
        dev_wiki.edit_as("Editor", prefix + source["title"], (CORPUS / source["file"]).read_text(encoding="utf-8"), "corpus fixture")
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text((CORPUS / "page_map.yaml").read_text(encoding="utf-8").replace(
        "templates: ../../../templates", f"templates: {ROOT / 'templates'}"), encoding="utf-8")
    before = dev_wiki.api_request_count()
    code, out = run_cli(capsys, page_map)
    first_run = dev_wiki.api_request_count() - before
    assert code == 0, out
    aggregate = json.loads(dev_wiki.page_text(prefix + "data.json"))
    figures = listing["corpus"]
    narrative = sum(s["expected"]["statements"] for s in listing["sources"] if s["shape"] == "themes")
    assert aggregate["totals"]["statements"] == figures["statements"] + narrative  # a narrative counts its comments
    assert aggregate["totals"]["sources"] == figures["sources"]
    assert aggregate["totals"]["participants"] == figures["participants"]
    assert [t.removeprefix(prefix) for t in aggregate["totals"]["participants_unparsed"]] == figures["participants_unparsed"]
    assert {k["keyword"]: k["count"] for k in aggregate["keywords"][:6]} == figures["keywords"]
    data_pages = [prefix + s["title"] + "/data.json" for s in listing["sources"]] + [prefix + "data.json"]
    for title in data_pages:
        errors = [f"{title}: {error.message}" for error in validator().iter_errors(json.loads(dev_wiki.page_text(title)))]
        assert errors == []
    before = dev_wiki.api_request_count()
    code, out = run_cli(capsys, page_map)
    no_op = dev_wiki.api_request_count() - before
    assert code == 0 and out.count("nothing to do") == len(listing["sources"]) + 1, out
    print(f"\nfixture corpus: first run {first_run} API requests, no-op {no_op}")

    module = (ROOT / "templates" / "lua" / "Wikisync data.lua").read_text(encoding="utf-8")
    dev_wiki.edit_as("Editor", "Module:Wikisync data", module, "the module")
    page = "Test/Corpus figures"
    dev_wiki.edit_as("Editor", page, f"Theme A: {{{{#invoke:Wikisync data|count|page={prefix}data.json|code=A}}}}.\n\n"
                                     f"Statements: {{{{#invoke:Wikisync data|statements|page={prefix}data.json}}}}.", "figures")
    html = dev_wiki.api(action="parse", page=page, prop="text")["parse"]["text"]
    text = re.sub(r"<[^>]+>", "", html)
    assert f"Theme A: {aggregate['totals']['by_code']['theme']['A']}." in text
    assert f"Statements: {aggregate['totals']['statements']}." in text


def test_a_broken_source_of_the_fixture_corpus_counts_from_its_last_data_while_the_others_update(dev_wiki, tmp_path, capsys):
    """The fixture corpus published; then Saltmarsh-Cycle2 broken (check errors), Harbour-Town-Cycle2 and
    Kestrel-Valley-Cycle2 edited, and a named source that was never published: the aggregates take the
    edited sources' new revisions, Saltmarsh-Cycle2's last published data, and name both failing sources,
    in the dry run as in the run (exit 1 in both)."""
    from test_data_schema import validator

    listing = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
    prefix = "Test/Stale/Sources/"
    revisions = {}
    for source in listing["sources"]:
        revisions[source["title"]] = dev_wiki.edit_as("Editor", prefix + source["title"],
                                                      (CORPUS / source["file"]).read_text(encoding="utf-8"), "corpus fixture")
    ghost = prefix + "Ghost-Cycle1"
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text((CORPUS / "page_map.yaml").read_text(encoding="utf-8")
                        .replace("templates: ../../../templates", f"templates: {ROOT / 'templates'}")
                        .replace(listing["prefix"], prefix)
                        .replace("\naggregates:", f"\n  - {{code: Gh1, page: {ghost}, track: B}}\n\naggregates:"), encoding="utf-8")
    code, out = run_cli(capsys, page_map)
    assert code == 1, out  # the named source is missing from the start: left out, and named
    assert f"aggregates: {ghost}: left out, because: the page does not exist; no data page published" in out
    data = json.loads(dev_wiki.page_text(prefix + "data.json"))
    assert data["stale"] == [{"title": ghost, "revision": None, "reason": "the page does not exist; no data page published"}]
    assert data["totals"]["sources"] == 10

    saltmarsh, harbour, kestrel = (prefix + name for name in ("Saltmarsh-Cycle2", "Harbour-Town-Cycle2", "Kestrel-Valley-Cycle2"))
    before = {s["title"]: s for s in data["sources"]}
    broken = dev_wiki.edit_as("Editor", saltmarsh, "{| class=\"wikitable\"\n! Line !! Statement\n|-\n| 1 || The table is never closed.\n",
                              "broken")
    text = (CORPUS / "Harbour-Town-Cycle2.wiki").read_text(encoding="utf-8")
    statement = re.search(r"^\| 7 \|\|[^\n]*", text, re.M).group(0)  # its last statement row, written twice now
    new_harbour = dev_wiki.edit_as("Editor", harbour, text.replace(statement, statement + "\n|-\n" + statement.replace("| 7 ", "| 8 ", 1), 1),
                                   "one more statement")
    new_kestrel = dev_wiki.edit_as("Editor", kestrel, (CORPUS / "Kestrel-Valley-Cycle2.wiki").read_text(encoding="utf-8") + "\n<!-- touched -->\n",
                                   "touched")

    for extra in (("--dry-run",), ()):
        code, out = run_cli(capsys, page_map, *extra)
        assert code == 1, out
        assert f"{saltmarsh}: " + ("a real run would stop here (check errors)" if extra else "check errors stop the publish") in out
        assert (f"aggregates: {saltmarsh}: counted from its last published data (revision {revisions['Saltmarsh-Cycle2']}), "
                "because: check errors") in out
        assert f"aggregates: {ghost}: left out" in out
        if extra:
            assert f"--- update: {prefix}Corpus" in out and json.loads(dev_wiki.page_text(prefix + "data.json")) == data

    data = json.loads(dev_wiki.page_text(prefix + "data.json"))
    after = {s["title"]: s for s in data["sources"]}
    assert after[saltmarsh] == before[saltmarsh] and after[saltmarsh]["revision"] == revisions["Saltmarsh-Cycle2"] < broken
    assert after[harbour]["revision"] == new_harbour and after[harbour]["statements"] == before[harbour]["statements"] + 1
    assert after[kestrel]["revision"] == new_kestrel
    assert data["totals"]["statements"] == listing["corpus"]["statements"] + 15 + 1
    assert data["stale"] == [{"title": saltmarsh, "revision": revisions["Saltmarsh-Cycle2"], "reason": "check errors"},
                             {"title": ghost, "revision": None, "reason": "the page does not exist; no data page published"}]
    assert [error.message for error in validator().iter_errors(data)] == []
    for page in (prefix + "Corpus", prefix + "Corpus/Statement index"):
        text = dev_wiki.page_text(page)
        assert "Not every source is up to date here:" in text, page
        assert (f"* [[{saltmarsh}]]: counted as of its revision [[Special:PermanentLink/{revisions['Saltmarsh-Cycle2']}|"
                f"{revisions['Saltmarsh-Cycle2']}]], its last published data (check errors)") in text
        assert f"* [[{ghost}]]: '''left out'''" in text

    dev_wiki.edit_as("Editor", saltmarsh, (CORPUS / "Saltmarsh-Cycle2.wiki").read_text(encoding="utf-8"), "repaired")
    code, out = run_cli(capsys, page_map)
    assert code == 1 and f"aggregates: {saltmarsh}" not in out, out
    data = json.loads(dev_wiki.page_text(prefix + "data.json"))
    assert [s["title"] for s in data["stale"]] == [ghost]
    page = dev_wiki.page_text(prefix + "Corpus")
    assert f"* [[{ghost}]]: '''left out'''" in page and f"* [[{saltmarsh}]]" not in page
