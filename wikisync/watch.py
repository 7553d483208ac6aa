"""``wikisync watch``: follow the wiki's recent changes and rebuild soon after a source is edited.

With an event stream (the Wikimedia families' EventStreams, or ``--events URL``), watch waits for events
and makes no API request at all while nothing happens; the relevant edits of a burst start one run. Where
it stopped is kept in ``.wikisync/events.json``, so that a restart or a dropped connection asks the stream
to replay what came meanwhile; without that position, or with one older than the stream keeps, one full
comparison (as ``rebuild``) catches up first. While the stream is down, watch polls until it returns.

Without a stream (or with ``--poll``), each poll asks for the changes since the newest one already seen (Pywikibot follows the API's
continuation, so a busy minute loses nothing). Any edit to a source page or to the request page
starts a normal :func:`wikisync.sync.sync` run, which does only what the state says is needed.

Every line watch prints (its own and the runs') begins with the time in UTC, ISO 8601
(``2026-12-02T03:14:07Z``), so the delay between an edit and its rebuild can be read off the output.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .claims import Claims
from .config import PageMap
from .errors import WikiError, WikisyncError
from .events import STREAM_KEEPS_SECONDS, EventPosition, Relevance, load_position, save_position
from .state import LockedError
from .sync import EXIT_ERROR, EXIT_OK, Options, Output, sync
from .wiki import Wiki

__all__ = ["timestamp", "watch"]


def timestamp(moment: datetime | None = None) -> str:
    """``moment`` (default: now) in UTC as ``2026-12-02T03:14:07Z``."""
    return (moment or datetime.now(UTC)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class _Stamped(Output):
    """An output whose every line begins with the time it was printed."""

    def line(self, text: str = "") -> None:
        super().line(f"{timestamp()} {text}")


def watch(
    page_map: PageMap,
    connect: Callable[[], Wiki],
    out: Output,
    *,
    interval: float = 2.0,
    max_interval: float = 60.0,
    keep_going: Callable[[], bool] = lambda: True,
    events: str | None = None,
    poll: bool = False,
) -> int:
    """Follow the wiki until stopped. ``connect`` gives the logged-in wiki; while it cannot (the wiki
    is down when watch starts), watch backs off and tries again, as it does when the wiki goes down later.
    It follows the event stream at ``events``, else the wiki's own if Pywikibot knows one, unless ``poll``."""
    out = _Stamped(out.stream, out.colour, out.verbose)
    titles = [spec.page for spec in page_map.sources] + ([page_map.request_page] if page_map.request_page else [])
    # installed here, not left to Python: a job a script starts in the background inherits SIGINT
    # ignored, and Python then leaves it ignored, so Ctrl-C would never stop watch
    previous_handlers = {number: signal.signal(number, _interrupt) for number in _STOPPING}
    try:
        delay = interval
        while True:
            try:
                wiki = connect()
                Claims.of_page_map(page_map, wiki.canonical_title, wiki.title_problem)  # its titles, as the wiki takes them
                _, since = wiki.changes_since(None, titles)
                break
            except WikiError as exc:
                delay = min(delay * 2, max_interval)
                out.line(f"watch: {exc}; next try in {delay:g} s")
                if not keep_going():
                    return EXIT_ERROR
                time.sleep(delay)
        if not poll and (events or wiki.has_event_stream):
            _EventWatch(page_map, wiki, out, events, titles, interval).follow(keep_going)
            return EXIT_OK
        out.line(f"watch: following {len(titles)} page(s) on {wiki.site_id} every {interval:g} s; Ctrl-C stops")
        _run(page_map, wiki, out, "catching up")
        seen: set[int] = set()
        delay = interval
        while keep_going():
            time.sleep(delay)
            try:
                changes, newest = wiki.changes_since(since, titles)
            except WikiError as exc:
                delay = min(delay * 2, max_interval)
                out.line(f"watch: {exc}; next try in {delay:g} s")
                continue
            delay = interval
            since = newest or since
            fresh = [change for change in changes if change.revid not in seen]
            seen.update(change.revid for change in fresh)
            if fresh:
                edited = ", ".join(sorted({change.title for change in fresh}))
                _run(page_map, wiki, out, f"edited: {edited}")
    except KeyboardInterrupt:
        out.line("watch: stopped")
        return EXIT_OK
    finally:
        for number, handler in previous_handlers.items():
            signal.signal(number, handler)
    return EXIT_OK


def _run(page_map: PageMap, wiki: Wiki, out: Output, why: str, *, rebuild: bool = False) -> int:
    out.line(f"watch: {why}")
    try:
        return sync(page_map, wiki, Options(rebuild=rebuild), out)
    except LockedError as exc:
        out.line(f"watch: {exc}")
    except WikisyncError as exc:
        out.line(f"watch: error: {exc}")
    return EXIT_ERROR


_STOPPING = (signal.SIGINT, signal.SIGTERM)
"""The signals that stop watch cleanly (Ctrl-C, and a service manager's stop)."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


BURST_QUIET_SECONDS = 0.5
"""A burst of edits ends when no relevant event came for this long: then one run covers them all."""
BURST_MOST_SECONDS = 5.0
"""...or this long after its first edit, whichever comes first."""
RECONNECT_MOST_SECONDS = 30.0
"""The longest wait between two tries to reach a stream that is down (polling goes on meanwhile)."""


class _EventWatch:
    """Watch by events. A reader thread follows the stream (reconnecting after the last event it read) and
    hands every event of the wiki, and the stream's going down and coming back, to the main thread in
    order; the main thread runs the syncs, polls while the stream is down, and keeps the position."""

    def __init__(self, page_map: PageMap, wiki: Wiki, out: Output, url: str | None, titles: list[str], interval: float) -> None:
        self.page_map, self.wiki, self.out, self.url, self.titles, self.interval = page_map, wiki, out, url, titles, interval
        self.relevant = Relevance(page_map, wiki.canonical_title, wiki.site.siteinfo.get("wikiid") or "", wiki.user)
        self.inbox: queue.Queue[tuple[str, Any]] = queue.Queue()
        self.position: EventPosition | None = None
        self.kept: EventPosition | None = None

    def follow(self, keep_going: Callable[[], bool]) -> None:
        folder = self.page_map.state_dir
        self.position, missing = load_position(folder, self.wiki.site_id)
        self.kept = self.position
        where = self.url or "the wiki's event stream"
        age = time.time() - self.position.timestamp if self.position else 0.0
        since = None
        if self.position is None or age > STREAM_KEEPS_SECONDS:
            why = missing or f"the last event seen is {age / 86400:.0f} days old, the stream keeps {STREAM_KEEPS_SECONDS // 86400}"
            since = timestamp()  # what comes during the comparison is replayed after it
            _run(self.page_map, self.wiki, self.out, f"catching up: {why}: comparing every page", rebuild=True)
            self.position = None
        self.poll_since = since or timestamp(datetime.fromtimestamp(self.position.timestamp, UTC) if self.position else None)
        start = self.position.event_id if self.position else None
        threading.Thread(target=self._read, args=(start, since), daemon=True, name="wikisync-events").start()
        prefixes = len(self.page_map.sources_from)
        also = f" and {prefixes} prefix(es)" if prefixes else ""
        self.out.line(f"watch: following {len(self.titles)} page(s){also} on {self.wiki.site_id} through {where}; Ctrl-C stops")
        self._loop(keep_going)

    def _read(self, last_event_id: str | None, since: str | None) -> None:
        """The reader thread: forever, the stream's events onto the inbox; ("down", why) when it drops."""
        wait = 1.0
        while True:
            try:
                for change in self.wiki.recent_change_events(self.url, last_event_id=last_event_id, since=since,
                                                              on_open=lambda: self.inbox.put(("up", None))):
                    wait = 1.0
                    position = EventPosition.of(change)
                    if position:
                        last_event_id, since = position.event_id, None
                    self.inbox.put(("change", change))
            except WikiError as exc:
                self.inbox.put(("down", str(exc)))
            time.sleep(wait)
            wait = min(wait * 2, RECONNECT_MOST_SECONDS)

    def _loop(self, keep_going: Callable[[], bool]) -> None:
        burst: dict[int, str] = {}  # revision -> title, of the relevant edits not yet run for
        burst_ends = first_at = 0.0
        seen: set[int] = set()
        down = False
        next_poll = 0.0
        while keep_going():
            now = time.monotonic()
            if burst:
                wait = max(0.0, min(burst_ends, first_at + BURST_MOST_SECONDS) - now)
            elif down:
                wait = max(0.0, next_poll - now)
            else:
                wait = 1.0  # only to look at keep_going; a signal stops the wait anyway
            try:
                kind, item = self.inbox.get(timeout=wait)
            except queue.Empty:
                kind, item = "", None
            now = time.monotonic()
            if kind == "change":
                revision = _revision(item)
                if self.relevant(item) and (revision < 0 or revision not in seen):  # a log entry has none
                    if not burst:
                        first_at = now
                    burst[revision] = item["title"]
                    burst_ends = now + BURST_QUIET_SECONDS
                self.position = EventPosition.of(item) or self.position
            elif kind == "down" and not down:
                down, next_poll = True, now
                self.out.line(f"watch: {item}; polling every {self.interval:g} s until it is back")
            elif kind == "up" and down:
                down = False
                self.out.line("watch: the event stream is back; polling stopped")
            if burst and (now >= burst_ends or now >= first_at + BURST_MOST_SECONDS):
                seen.update(burst)
                _run(self.page_map, self.wiki, self.out, f"edited: {', '.join(sorted(set(burst.values())))}")
                burst = {}
                self._keep_position()  # at once: what the run covered is not to be replayed after a stop
            if down and now >= next_poll:
                next_poll = now + self.interval
                self._poll(seen)
            if not burst and self.inbox.empty():
                self._keep_position()

    def _poll(self, seen: set[int]) -> None:
        try:
            changes, newest = self.wiki.changes_since(self.poll_since, self.titles)
        except WikiError as exc:
            self.out.line(f"watch: {exc}")
            return
        self.poll_since = newest or self.poll_since
        fresh = [change for change in changes if change.revid not in seen]
        seen.update(change.revid for change in fresh)
        if fresh:
            _run(self.page_map, self.wiki, self.out, f"edited: {', '.join(sorted({change.title for change in fresh}))}")

    def _keep_position(self) -> None:
        """Every event before the position is handled: keep it (a local file; no request)."""
        if self.position is not None and self.position != self.kept:
            try:
                save_position(self.page_map.state_dir, self.wiki.site_id, self.position)
                self.kept = self.position
            except WikisyncError as exc:
                self.out.line(f"watch: {exc}")
                self.kept = self.position  # said once; the next restart compares every page


def _revision(change: Mapping[str, Any]) -> int:
    revision = change.get("revision")
    new = revision.get("new") if isinstance(revision, Mapping) else None
    return new if isinstance(new, int) else -1
