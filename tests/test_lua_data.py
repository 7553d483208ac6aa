"""Module:Wikisync data on the real dev wiki: Scribunto runs Debian's lua5.1, the module reads
wikisync's JSON data pages with mw.loadJsonData, and a page invoking it shows the right numbers,
or a readable message (never a script error) when a page, code, source or track is missing.

The data pages are the documents of tests/data/data_pages/documents.yaml, validated against
wikisync/data.schema.json before they are saved, as a user, with content model json."""

from __future__ import annotations

import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from test_data_schema import DOCUMENTS, validator

REPO = Path(__file__).resolve().parent.parent
MODULE_FILE = REPO / "templates" / "lua" / "Wikisync data.lua"
MODULE = "Module:Wikisync data"
AGGREGATE = "Wikisync data test/Sources/data.json"
SOURCE = "Wikisync data test/Sources/Quarry-Hill-Cycle2/data.json"
NOT_JSON = "Wikisync data test/Sources/Notes"
HB1 = "Strategy/Wikimedia movement/2017/Sources/Harbour-Town-Cycle2"
QH1 = "Strategy/Wikimedia movement/2017/Sources/Quarry-Hill-Cycle2"
SUMMARY = "Strategy/Wikimedia movement/2017/Sources/Summary"

# label -> the invocation; the page lists them as "* label: result".
INVOCATIONS = {
    "theme A": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|role=theme|code=A}}}}",
    "theme C, role by default": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|code=C}}}}",
    "uncoded": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|code=}}}}",
    "question 2": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|role=question|code=2}}}}",
    "theme A on Hb1": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|code=A|source={HB1}}}}}",
    "theme E on Hb1": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|code=E|source={HB1}}}}}",
    "theme C through a template": f"{{{{Wikisync data count|page={AGGREGATE}|code=C|source={QH1}}}}}",
    "statements": f"{{{{#invoke:Wikisync data|statements|page={AGGREGATE}}}}}",
    "statements track B": f"{{{{#invoke:Wikisync data|statements|page={AGGREGATE}|track=B}}}}",
    "statements of Qh1": f"{{{{#invoke:Wikisync data|statements|page={AGGREGATE}|source={QH1}}}}}",
    "statements x 100": f"{{{{#expr:{{{{#invoke:Wikisync data|statements|page={AGGREGATE}|raw=1}}}} * 100}}}}",
    "participants": f"{{{{#invoke:Wikisync data|participants|page={AGGREGATE}}}}}",
    "participants track A": f"{{{{#invoke:Wikisync data|participants|page={AGGREGATE}|track=A}}}}",
    "participants of Qh1": f"{{{{#invoke:Wikisync data|participants|page={AGGREGATE}|source={QH1}}}}}",
    "sources": f"{{{{#invoke:Wikisync data|sources|page={AGGREGATE}}}}}",
    "sources track B": f"{{{{#invoke:Wikisync data|sources|page={AGGREGATE}|track=B}}}}",
    "keyword Translation": f"{{{{#invoke:Wikisync data|keyword|page={AGGREGATE}|keyword=Translation}}}}",
    "link": f"{{{{#invoke:Wikisync data|link|page={AGGREGATE}|id=§Qh1.5}}}}",
    "source page theme A": f"{{{{#invoke:Wikisync data|count|page={SOURCE}|code=A}}}}",
    "source page question 1": f"{{{{#invoke:Wikisync data|count|page={SOURCE}|role=question|code=1}}}}",
    "source page statements": f"{{{{#invoke:Wikisync data|statements|page={SOURCE}}}}}",
    "source page participants": f"{{{{#invoke:Wikisync data|participants|page={SOURCE}}}}}",
    "cited": f"{{{{#invoke:Wikisync data|cited|page={AGGREGATE}}}}}",
    "cited of Qh1": f"{{{{#invoke:Wikisync data|cited|page={AGGREGATE}|source={QH1}}}}}",
    "cited by the summary": f"{{{{#invoke:Wikisync data|cited|page={AGGREGATE}|summary={SUMMARY}}}}}",
    "citations": f"{{{{#invoke:Wikisync data|citations|page={AGGREGATE}}}}}",
    "citations of the summary": f"{{{{#invoke:Wikisync data|citations|page={AGGREGATE}|summary={SUMMARY}}}}}",
    "source page cited": f"{{{{#invoke:Wikisync data|cited|page={SOURCE}}}}}",
    "missing summary": f"{{{{#invoke:Wikisync data|cited|page={AGGREGATE}|summary=Nowhere}}}}",
    "missing page": "{{#invoke:Wikisync data|count|page=Wikisync data test/No such page.json|code=A}}",
    "not a JSON page": f"{{{{#invoke:Wikisync data|count|page={NOT_JSON}|code=A}}}}",
    "missing code": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|code=Z}}}}",
    "missing source": f"{{{{#invoke:Wikisync data|count|page={AGGREGATE}|code=A|source=Nowhere}}}}",
    "missing track": f"{{{{#invoke:Wikisync data|statements|page={AGGREGATE}|track=C}}}}",
    "statements of a missing source": f"{{{{#invoke:Wikisync data|statements|page={AGGREGATE}|source=Nowhere}}}}",
    "cited of a missing source": f"{{{{#invoke:Wikisync data|cited|page={AGGREGATE}|source=Nowhere}}}}",
    "sources of a source page": f"{{{{#invoke:Wikisync data|sources|page={SOURCE}}}}}",
    "keyword of a source page": f"{{{{#invoke:Wikisync data|keyword|page={SOURCE}|keyword=Translation}}}}",
    "no page given": "{{#invoke:Wikisync data|statements}}",
    "caught by iferror": f"{{{{#iferror:{{{{#invoke:Wikisync data|count|page={AGGREGATE}|code=Z}}}}|none|found}}}}",
}

EXPECTED = {
    "theme A": "5",
    "theme C, role by default": "5",
    "uncoded": "2",
    "question 2": "5",
    "theme A on Hb1": "3",
    "theme E on Hb1": "0",
    "theme C through a template": "1",
    "statements": "16",
    "statements track B": "9",
    "statements of Qh1": "4",
    "statements x 100": "1600",
    "participants": "49",
    "participants track A": "31",
    "participants of Qh1": "a few regulars",
    "sources": "3",
    "sources track B": "2",
    "keyword Translation": "6",
    "link": "§Qh1.5",
    "source page theme A": "2",
    "source page question 1": "1",
    "source page statements": "4",
    "source page participants": "a few regulars",
    "cited": "3",
    "cited of Qh1": "2",
    "cited by the summary": "3",
    "citations": "5",
    "citations of the summary": "5",
    "source page cited": "2",
    "missing summary": f'Wikisync data: no summary "Nowhere" in "{AGGREGATE}"',
    "missing page": 'Wikisync data: "Wikisync data test/No such page.json" is not a JSON page that exists',
    "not a JSON page": f'Wikisync data: "{NOT_JSON}" is not a JSON page that exists',
    "missing code": f'Wikisync data: no theme code "Z" in "{AGGREGATE}"',
    "missing source": f'Wikisync data: no source "Nowhere" in "{AGGREGATE}"',
    "missing track": f'Wikisync data: no track "C" in "{AGGREGATE}"',
    "statements of a missing source": f'Wikisync data: no source "Nowhere" in "{AGGREGATE}"',
    "cited of a missing source": f'Wikisync data: no source "Nowhere" in "{AGGREGATE}"',
    "sources of a source page": f'Wikisync data: "{SOURCE}" is one source\'s data page, not the aggregate',
    "keyword of a source page": f'Wikisync data: "{SOURCE}" is one source\'s data page, not the aggregate',
    "no page given": "Wikisync data: no page= given (the title of a wikisync data page)",
    "caught by iferror": "none",
}
ERRORS = {"missing page", "not a JSON page", "missing code", "missing source", "missing track", "no page given", "missing summary",
          "statements of a missing source", "cited of a missing source", "sources of a source page", "keyword of a source page"}


class _Items(HTMLParser):
    """The text of each <li> of the parsed page, and the classes of the elements inside it."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, set[str], list[str]]] = []
        self._depth = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "li":
            self.items.append(("", set(), []))
            self._depth += 1
        elif self._depth:
            text, classes, links = self.items[-1]
            classes.update((attributes.get("class") or "").split())
            if tag == "a" and attributes.get("href"):
                links.append(attributes["href"])

    def handle_endtag(self, tag):
        if tag == "li":
            self._depth -= 1

    def handle_data(self, data):
        if self._depth:
            text, classes, links = self.items[-1]
            self.items[-1] = (text + data, classes, links)


def save_json(wiki, title: str, document) -> int:
    errors = [error.message for error in validator().iter_errors(document)]
    assert errors == [], errors
    return wiki.edit_as("Editor", title, json.dumps(document, ensure_ascii=False, indent=1),
                        "wikisync test: a data page", contentmodel="json")


def content_model(wiki, title: str) -> str:
    return wiki.api(action="query", prop="info", titles=title)["query"]["pages"][0]["contentmodel"]


@pytest.fixture(scope="module")
def rendered(dev_wiki):
    save_json(dev_wiki, AGGREGATE, DOCUMENTS["aggregate"])
    save_json(dev_wiki, SOURCE, DOCUMENTS["source"])
    dev_wiki.edit_as("Editor", NOT_JSON, "Only notes here, no data.", "wikisync test: wikitext")
    dev_wiki.edit_as("Editor", MODULE, MODULE_FILE.read_text(encoding="utf-8"),
                     "wikisync test: the module from templates/lua/")
    dev_wiki.edit_as("Editor", "Template:Wikisync data count", "{{#invoke:Wikisync data|count}}",
                     "wikisync test: a template around the module")
    text = "\n".join(f"* {label}: {call}" for label, call in INVOCATIONS.items())
    dev_wiki.edit_as("Editor", "Wikisync data test/Figures", text, "wikisync test: figures")
    body = dev_wiki.api(action="parse", page="Wikisync data test/Figures", prop="text|limitreportdata")
    html = body["parse"]["text"]
    parser = _Items()
    parser.feed(html)
    items = {}
    for text, classes, links in parser.items:
        label, _, value = text.partition(": ")
        items[label.strip()] = (value.strip(), classes, links)
    return html, items


def test_scribunto_runs_debians_lua51(dev_wiki):
    settings = (dev_wiki.dir / "LocalSettings.php").read_text(encoding="utf-8")
    assert "wfLoadExtension( 'Scribunto' );" in settings
    assert "$wgScribuntoDefaultEngine = 'luastandalone';" in settings
    assert "$wgScribuntoEngineConf['luastandalone']['luaPath'] = '/usr/bin/lua5.1';" in settings
    root = Path("/")
    if dev_wiki.mediawiki != "1.39":  # chrooted in Debian 13's root (scripts/dev-wiki)
        root = Path(os.environ.get("WIKISYNC_DEVWIKI_ROOTS") or REPO / ".devwiki-roots") / "trixie"
    # Debian's package owns the binary; with luaPath set, Scribunto never looks for its bundled ones.
    assert (root / "usr/bin/lua5.1").is_file()
    owners = [path for path in (root / "var/lib/dpkg/info").glob("lua5.1*.list")
              if "/usr/bin/lua5.1" in path.read_text().split()]
    assert owners, "no Debian package lua5.1 installed the interpreter"
    dev_wiki.edit_as("Editor", "Module:Wikisync data test version",
                     "return { version = function() return _VERSION end }", "wikisync test: Lua version")
    body = dev_wiki.api(action="parse", contentmodel="wikitext", prop="text",
                        text="{{#invoke:Wikisync data test version|version}}")
    assert "Lua 5.1" in body["parse"]["text"]


def test_the_pages_have_the_content_models_lua_expects(dev_wiki, rendered):
    assert content_model(dev_wiki, AGGREGATE) == "json"
    assert content_model(dev_wiki, SOURCE) == "json"
    assert content_model(dev_wiki, MODULE) == "Scribunto"
    assert dev_wiki.page_text(MODULE) == MODULE_FILE.read_text(encoding="utf-8").rstrip("\n")


def test_the_module_reads_with_load_json_data():
    code = MODULE_FILE.read_text(encoding="utf-8")
    assert "mw.loadJsonData" in code
    assert not re.search(r"mw\.loadData\s*\(", code)


@pytest.mark.parametrize("label", list(EXPECTED))
def test_the_page_shows_the_figure(rendered, label):
    html, items = rendered
    value, classes, links = items[label]
    assert value == EXPECTED[label]
    assert "scribunto-error" not in classes
    if label in ERRORS:
        assert {"error", "wikisync-data-error"} <= classes
    else:
        assert "error" not in classes
    if label == "link":
        # to the summary page (not created here, so a red link, which drops the #§Qh1.5)
        assert links and "title=Strategy/Wikimedia_movement/2017/Sources/Quarry-Hill-Cycle2/Summary&" in links[0]


def test_no_script_error_anywhere_on_the_page(rendered):
    html, items = rendered
    assert len(items) == len(INVOCATIONS)
    assert "scribunto-error" not in html
    assert "Script error" not in html and "Lua error" not in html


def test_an_edit_of_the_data_page_shows_on_the_next_parse(dev_wiki, rendered):
    document = yaml.safe_load(yaml.safe_dump(DOCUMENTS["aggregate"]))
    document["totals"]["by_code"]["theme"]["A"] = 6
    document["matrix"]["theme"]["A"][HB1] = 4
    save_json(dev_wiki, AGGREGATE, document)
    try:
        body = dev_wiki.api(action="parse", contentmodel="wikitext", prop="text",
                            text=INVOCATIONS["theme A"] + " / " + INVOCATIONS["theme A on Hb1"])
        assert re.search(r">\s*6 / 4\s*<", body["parse"]["text"]), body["parse"]["text"]
    finally:
        save_json(dev_wiki, AGGREGATE, DOCUMENTS["aggregate"])


def nested(depth: int, inner=16):
    value = inner
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("depth, where", [(2, "statements"), (60, "statements"), (150, "extra"), (500, "extra")])
def test_a_deeply_nested_data_page_gives_the_one_line_message(dev_wiki, rendered, depth, where):
    """Where a figure should be, a list (Lua would print "table"); nesting deeper than Scribunto sends to
    Lua (its encoder stops at 100 levels with an exception that fails the whole page)."""
    document = yaml.safe_load(yaml.safe_dump(DOCUMENTS["aggregate"]))
    if where == "statements":
        document["totals"]["statements"] = nested(depth)
    else:
        document["extra"] = nested(depth)
    title = f"Wikisync data test/Nested {depth}/data.json"
    dev_wiki.edit_as("Editor", title, json.dumps(document), "wikisync test: a nested data page", contentmodel="json")
    body = dev_wiki.api(action="parse", contentmodel="wikitext", prop="text",
                        text=f"* nested: {{{{#invoke:Wikisync data|statements|page={title}}}}}\n"
                             f"* still read: {{{{#invoke:Wikisync data|sources|page={title}}}}}")
    parser = _Items()
    parser.feed(body["parse"]["text"])
    items = {text.partition(": ")[0]: (text.partition(": ")[2].strip(), classes) for text, classes, _ in parser.items}
    value, classes = items["nested"]
    assert value.startswith(f'Wikisync data: "{title}" ') and "\n" not in value, value
    assert {"error", "wikisync-data-error"} <= classes and "scribunto-error" not in classes
    if depth < 30:
        assert value == f'Wikisync data: "{title}" holds a list where this figure should be: not a data page as wikisync writes it'
        assert items["still read"][0] == "3"
    else:
        assert value == f'Wikisync data: "{title}" nests deeper than 32 levels: not a data page as wikisync writes it'


def test_a_data_page_out_of_shape_gives_the_one_line_message(dev_wiki, rendered):
    document = yaml.safe_load(yaml.safe_dump(DOCUMENTS["aggregate"]))
    document["totals"] = 16  # a number where the totals object should be: indexing it is a Lua error
    title = "Wikisync data test/Out of shape/data.json"
    dev_wiki.edit_as("Editor", title, json.dumps(document), "wikisync test: a data page out of shape", contentmodel="json")
    body = dev_wiki.api(action="parse", contentmodel="wikitext", prop="text",
                        text=f"* figure: {{{{#invoke:Wikisync data|statements|page={title}}}}}")
    parser = _Items()
    parser.feed(body["parse"]["text"])
    [(text, classes, _)] = parser.items
    assert text == f'figure: Wikisync data: "{title}" is not laid out as wikisync writes its data pages'
    assert {"error", "wikisync-data-error"} <= classes and "scribunto-error" not in body["parse"]["text"]


def test_a_data_page_written_without_summaries_tells_no_citations(dev_wiki, rendered):
    """A page map without summaries: no citation keys (data.schema.json), and each citation figure is the one-line message."""
    document = yaml.safe_load(yaml.safe_dump(DOCUMENTS["aggregate"]))
    del document["summaries"], document["totals"]["cited"]
    for source in document["sources"]:
        del source["cited"], source["cited_ids"]
    title = "Wikisync data test/No summaries/data.json"
    save_json(dev_wiki, title, document)
    calls = {"cited": "", "cited of Qh1": f"|source={QH1}", "cited by a summary": f"|summary={SUMMARY}"}
    text = "\n".join(f"* {label}: {{{{#invoke:Wikisync data|cited|page={title}{more}}}}}" for label, more in calls.items())
    body = dev_wiki.api(action="parse", contentmodel="wikitext", prop="text",
                        text=text + f"\n* citations: {{{{#invoke:Wikisync data|citations|page={title}}}}}")
    parser = _Items()
    parser.feed(body["parse"]["text"])
    assert len(parser.items) == 4
    for text, classes, _ in parser.items:
        assert text.partition(": ")[2] == f'Wikisync data: "{title}" tells no citations (its page map has no summaries)', text
        assert {"error", "wikisync-data-error"} <= classes and "scribunto-error" not in classes
