"""Watching by events: the dev wiki's recent changes as Server-Sent Events (scripts/event-relay), and
``wikisync watch`` following them, against the dev wiki."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import FIXTURE
from requests_sse import EventSource
from test_triggers import STAMPED, Setup, published, setup, wait_for_text  # noqa: F401 (setup: the fixture)

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


# -- wikisync watch following the stream ---------------------------------------------------------------


class Watcher:
    """``wikisync watch --events URL --interval 1`` in a process of its own; its lines gathered as they come."""

    def __init__(self, setup: Setup, dev_wiki, events: str) -> None:
        env = {**os.environ, "PYWIKIBOT_DIR": str(dev_wiki.pywikibot_dir), "PYTHONUNBUFFERED": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wikisync.cli", "watch", "--map", str(setup.map), "--events", events,
             "--interval", "1", "--colour", "never"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env)
        self.lines: list[str] = []
        threading.Thread(target=self._gather, daemon=True).start()

    def _gather(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_for(self, text: str, seconds: float, after: int = 0) -> int | None:
        """The index of the first line from ``after`` on that holds ``text``, or None within ``seconds``."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            for index in range(after, len(self.lines)):
                if text in self.lines[index]:
                    return index
            time.sleep(0.1)
        return None

    def stop(self) -> str:
        """Ctrl-C, which must end it cleanly: exit 0, no traceback, every line stamped."""
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        time.sleep(0.2)
        output = "\n".join(self.lines)
        assert self.process.returncode == 0, output
        assert "watch: stopped" in output and "Traceback" not in output, output
        unstamped = [line for line in self.lines if line.strip() and not STAMPED.match(line)]
        assert not unstamped, unstamped
        return output


@contextlib.contextmanager
def watching(setup: Setup, dev_wiki, events: str) -> Iterator[Watcher]:
    watcher = Watcher(setup, dev_wiki, events)
    try:
        assert watcher.wait_for("watch: following", 60) is not None, "\n".join(watcher.lines)
        yield watcher
    finally:
        if watcher.process.poll() is None:
            watcher.stop()


def reworded(old: str, new: str) -> str:
    assert old in FIXTURE
    return FIXTURE.replace(old, new)


def test_watch_follows_the_stream_one_run_per_burst_and_no_request_while_idle(setup, dev_wiki, capsys):
    url = dev_wiki.start_events()
    published(setup, capsys)
    with watching(setup, dev_wiki, url) as watcher:
        # no position kept yet: one full comparison first, then nothing
        caught_up = watcher.wait_for("watch: catching up: no event position kept: comparing every page", 5)
        assert caught_up is not None and caught_up < watcher.wait_for("watch: following", 1), watcher.lines
        time.sleep(2)
        before = dev_wiki.api_request_count()
        dev_wiki.edit_as("Editor", "Events/Unrelated page", f"text {time.time()}", "not a source")
        dev_wiki.edit_as("Editor", f"{setup.source}/Themes/Innovation", f"a person's text {time.time()}", "a generated page")
        time.sleep(5)
        assert dev_wiki.api_request_count() - before == 4, "watch asked the wiki something while nothing concerned it"
        assert watcher.wait_for("watch: edited", 0) is None, watcher.lines

        # three edits at once, to the source, its translation and the request page: one run
        mark = len(watcher.lines)
        edits = [(setup.source, reworded("* We are the ultimate proof", "* We are living proof")),
                 (f"{setup.source}/fr", "Rapport traduit."),
                 (setup.requests, "Requests:\n")]
        threads = [threading.Thread(target=dev_wiki.edit_as, args=("Editor", title, text, "a burst")) for title, text in edits]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Kindness", "We are living proof", 20) is not None
        print(f"\nwatch --events: edit-to-rebuild latency {time.monotonic() - started:.2f} s")
        time.sleep(3)
        runs = [line for line in watcher.lines[mark:] if "watch: edited: " in line]
        assert len(runs) == 1, watcher.lines[mark:]
        assert all(title in runs[0] for title, _ in edits), runs


def test_a_dropped_stream_falls_back_to_polling_and_an_edit_made_meanwhile_is_rebuilt(setup, dev_wiki, capsys):
    url = dev_wiki.start_events()
    published(setup, capsys)
    with watching(setup, dev_wiki, url) as watcher:
        dev_wiki.stop_events()
        down = watcher.wait_for(f"watch: the event stream {url} dropped the connection", 30)
        assert down is not None and "; polling every 1 s until it is back" in watcher.lines[down], watcher.lines
        try:
            dev_wiki.edit_as("Editor", setup.source, reworded("* What does it mean to freely share?", "* What does it mean to share freely?"), "edit")
            assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Sharing", "share freely?", 20) is not None, watcher.lines
        finally:
            dev_wiki.start_events()
        back = watcher.wait_for("watch: the event stream is back; polling stopped", 60, down)
        assert back is not None, watcher.lines
        before = dev_wiki.api_request_count()
        time.sleep(3)
        assert dev_wiki.api_request_count() == before, "still polling after the stream came back"
        dev_wiki.edit_as("Editor", setup.source, reworded("* Our business model", "* Our model of business"), "edit")
        assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Verifiability", "Our model of business", 20) is not None, watcher.lines
    assert sum("watch: the event stream" in line and "polling every" in line for line in watcher.lines) == 1, watcher.lines


def position_kept(position: Path, seconds: float = 10) -> bool:
    """Whether watch keeps its position within ``seconds`` (once the run an event started has ended)."""
    deadline = time.monotonic() + seconds
    while not position.is_file():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def test_a_restart_resumes_after_the_last_event_and_without_it_compares_every_page(setup, dev_wiki, capsys):
    url = dev_wiki.start_events()
    published(setup, capsys)
    position = setup.map.parent / ".wikisync" / "events.json"
    with watching(setup, dev_wiki, url) as watcher:
        dev_wiki.edit_as("Editor", setup.source, reworded("* We are the ultimate proof", "* We are living proof"), "edit")
        assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Kindness", "We are living proof", 20) is not None
        assert watcher.wait_for(f"watch: edited: {setup.source}", 5) is not None, watcher.lines
        assert position_kept(position), watcher.lines

    # stopped: an edit the stream keeps, replayed after a restart, with no full comparison
    dev_wiki.edit_as("Editor", setup.source, reworded("* We are the ultimate proof", "* We are the best proof"), "while stopped")
    with watching(setup, dev_wiki, url) as watcher:
        assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Kindness", "We are the best proof", 20) is not None, watcher.lines
        assert watcher.wait_for(f"watch: edited: {setup.source}", 5) is not None, watcher.lines
    assert not any("catching up" in line for line in watcher.lines), watcher.lines

    # the position lost (or older than the stream keeps): one full comparison catches up
    for kept, reason in ((None, "no event position kept"), (8 * 86400, "the last event seen is 8 days old, the stream keeps 7")):
        if kept is None:
            position.unlink()
        else:
            data = json.loads(position.read_text())
            for wiki in data["wikis"].values():
                wiki["timestamp"] = int(time.time()) - kept
            position.write_text(json.dumps(data))
        text = f"* We are proof {kept}"
        dev_wiki.edit_as("Editor", setup.source, reworded("* We are the ultimate proof", text), "while stopped")
        with watching(setup, dev_wiki, url) as watcher:
            assert watcher.wait_for(f"watch: catching up: {reason}: comparing every page", 5) is not None, watcher.lines
            assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Kindness", text, 20) is not None, watcher.lines
            # and then it follows the stream again, keeping its position anew
            dev_wiki.edit_as("Editor", setup.source, reworded("* We are the ultimate proof", text + " again"), "watched")
            assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Kindness", text + " again", 20) is not None, watcher.lines
            assert watcher.wait_for(f"watch: edited: {setup.source}", 5) is not None, watcher.lines
            assert position_kept(position), watcher.lines


def test_an_unreachable_stream_is_one_line_and_watch_polls_meanwhile(setup, dev_wiki, capsys):
    published(setup, capsys)
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{unused.getsockname()[1]}/v2/stream/recentchange"
    with watching(setup, dev_wiki, url) as watcher:
        down = watcher.wait_for("watch: cannot reach the event stream", 30)
        assert down is not None, watcher.lines
        assert watcher.lines[down].endswith(f"watch: cannot reach the event stream {url}: connection refused "
                                            "(is the server running?); polling every 1 s until it is back"), watcher.lines[down]
        dev_wiki.edit_as("Editor", setup.source, reworded("* Our business model", "* Our model of business"), "edit")
        assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Verifiability", "Our model of business", 20) is not None, watcher.lines
        time.sleep(3)
    assert sum("cannot reach the event stream" in line for line in watcher.lines) == 1, watcher.lines
