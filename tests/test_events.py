"""Watching by events: the dev wiki's recent changes as Server-Sent Events (scripts/event-relay), and
``wikisync watch`` following them, against the dev wiki."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
from requests_sse import EventSource

pytestmark = pytest.mark.wiki


def change_to(url: str, title: str, revision: int, *, last_event_id: str | None = None,
              seconds: float = 20) -> tuple[dict[str, Any], str] | None:
    """The first change the stream sends for ``revision`` of ``title``, with its event id; None if none
    within ``seconds`` (read in a thread of its own: an idle stream sends only comments, which no
    iterator yields)."""
    found: list[tuple[dict[str, Any], str]] = []

    def read() -> None:
        with EventSource(url, timeout=(5, 30), latest_event_id=last_event_id, max_connect_retry=0) as source:
            for event in source:
                change = json.loads(event.data or "{}") if event.type == "message" else {}
                if change.get("title") == title and change.get("revision", {}).get("new") == revision:
                    found.append((change, event.last_event_id))
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(seconds)
    return found[0] if found else None


def test_an_edit_arrives_through_the_relay_as_a_server_sent_event_and_is_replayed_after_its_id(dev_wiki):
    url = dev_wiki.start_events()
    title = "Events/An edit seen through the relay"
    first = dev_wiki.edit_as("Editor", title, "first text", "first")

    # a client connected now gets the next edit as it is made
    found: list[tuple[dict[str, Any], str] | None] = []
    listener = threading.Thread(target=lambda: found.append(change_to(url, title, first + 1)))
    listener.start()
    time.sleep(1)
    second = dev_wiki.edit_as("Editor", title, "second text", "second")
    listener.join(30)
    assert second == first + 1 and found and found[0] is not None, "the edit did not come through the relay"
    seen = found[0]
    change, event_id = seen
    assert change["type"] == "edit" and change["user"] == "Editor" and change["namespace"] == 0
    assert change["revision"] == {"old": first, "new": second}
    assert change["server_url"] == dev_wiki.url
    assert change["wiki"] == dev_wiki.api(action="query", meta="siteinfo")["query"]["general"]["wikiid"]
    meta = change["meta"]
    assert meta["stream"] == "mediawiki.recentchange" and meta["dt"].endswith("Z")
    assert json.loads(event_id) == [{"topic": meta["topic"], "partition": meta["partition"], "offset": meta["offset"]}]

    # ?since= replays from a time, and after the first edit's id the second comes again: a reconnection
    # with Last-Event-ID loses nothing
    first_seen = change_to(f"{url}?since={int(time.time()) - 600}", title, first)
    assert first_seen is not None
    again = change_to(url, title, second, last_event_id=first_seen[1])
    assert again is not None and again[0]["meta"]["offset"] == meta["offset"]
