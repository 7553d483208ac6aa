"""``wikisync watch``: follow the wiki's recent changes and rebuild soon after a source is edited.

Each poll asks for the changes since the newest one already seen (Pywikibot follows the API's
continuation, so a busy minute loses nothing). Any edit to a source page or to the request page
starts a normal :func:`wikisync.sync.sync` run, which does only what the state says is needed.

Every line watch prints (its own and the runs') begins with the time in UTC, ISO 8601
(``2026-12-02T03:14:07Z``), so the delay between an edit and its rebuild can be read off the output.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from .claims import Claims
from .config import PageMap
from .errors import WikiError, WikisyncError
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
) -> int:
    """Follow the wiki until stopped. ``connect`` gives the logged-in wiki; while it cannot (the wiki
    is down when watch starts), watch backs off and tries again, as it does when the wiki goes down later."""
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


def _run(page_map: PageMap, wiki: Wiki, out: Output, why: str) -> int:
    out.line(f"watch: {why}")
    try:
        return sync(page_map, wiki, Options(), out)
    except LockedError as exc:
        out.line(f"watch: {exc}")
    except WikisyncError as exc:
        out.line(f"watch: error: {exc}")
    return EXIT_ERROR


_STOPPING = (signal.SIGINT, signal.SIGTERM)
"""The signals that stop watch cleanly (Ctrl-C, and a service manager's stop)."""


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
