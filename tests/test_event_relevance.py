"""Which recent-change events concern a page map, and the event position kept between runs (no wiki)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from wikisync.config import load_page_map
from wikisync.events import EventPosition, Relevance, event_id, load_position, save_position

SOURCE = "Strategy/Sources/Report"
TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@pytest.fixture
def relevant(tmp_path):
    path = tmp_path / "page_map.yaml"
    path.write_text(f"""\
templates: {TEMPLATES}
request_page: "Project:Wikisync/Requests"
sources:
  - page: "{SOURCE}"
    shape: statements
sources_from:
  - prefix: "Strategy/Cycle 2/"
    settings: {{shape: statements}}
""")
    page_map = load_page_map(path)
    spelling = {"Project:Wikisync/Requests": "Meta:Wikisync/Requests"}  # the wiki's name of its project namespace
    return Relevance(page_map, lambda title: spelling.get(title, title), "metawiki", "WikisyncBot")


def change(title: str, **fields) -> dict:
    return {"type": "edit", "title": title, "wiki": "metawiki", "user": "Editor", "revision": {"old": 1, "new": 2},
            **fields}


@pytest.mark.parametrize("title", [SOURCE, f"{SOURCE}/fr", f"{SOURCE}/zh-hant", "Strategy/Cycle 2/Berlin",
                                   "Strategy/Cycle 2/Berlin/de", "Meta:Wikisync/Requests"])
def test_an_edit_of_a_source_its_translation_a_prefixed_page_or_the_request_page_counts(relevant, title):
    assert relevant(change(title))
    assert relevant(change(title, type="new"))
    assert relevant(change(title, type="log", log_type="move"))


@pytest.mark.parametrize("title", [f"{SOURCE}/Summary", f"{SOURCE}/Themes/Access", "Strategy/Cycle 2/Berlin/Summary",
                                   "Strategy/Sources/Other", "Project:Wikisync/Requests", "Strategy/Cycle 3/Paris"])
def test_generated_pages_and_other_pages_do_not(relevant, title):
    assert not relevant(change(title))


def test_the_bot_s_own_edits_other_wikis_and_other_kinds_do_not(relevant):
    assert not relevant(change(SOURCE, user="WikisyncBot"))
    assert not relevant(change(SOURCE, wiki="enwiki"))
    assert not relevant(change(SOURCE, type="categorize"))
    assert not relevant({"type": "edit", "wiki": "metawiki"})


def test_the_position_is_the_event_s_id_and_time_kept_per_wiki(tmp_path):
    folder = tmp_path / ".wikisync"
    assert load_position(folder, "metawiki") == (None, "no event position kept")
    event = change(SOURCE, timestamp=1796236958,
                   meta={"topic": "eqiad.mediawiki.recentchange", "partition": 0, "offset": 4000957901, "dt": "x"})
    assert json.loads(event_id(event) or "") == [{"topic": "eqiad.mediawiki.recentchange", "partition": 0, "offset": 4000957901}]
    position = EventPosition.of(event)
    assert position is not None and position.timestamp == 1796236958
    save_position(folder, "metawiki https://meta.wikimedia.org", position)
    save_position(folder, "other", EventPosition("[]", 1))
    assert load_position(folder, "metawiki https://meta.wikimedia.org") == (position, "")
    assert load_position(folder, "enwiki")[0] is None
    (folder / "events.json").write_text("{not json")
    kept, why = load_position(folder, "other")
    assert kept is None and "cannot be read" in why
    assert EventPosition.of(change(SOURCE)) is None  # no meta: no id to resume from
