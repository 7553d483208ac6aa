"""What ``wikisync watch`` makes of a wiki's event stream: which recent changes concern the page map, and
where in the stream it stopped (``.wikisync/events.json``).

The position is a cache like the state: the id of the last event handled (sent back as ``Last-Event-ID``
after a restart or a dropped connection, so that the stream replays what came meanwhile) and that event's
time. Without it, or when it is older than the stream keeps events, a replay cannot be trusted to be
whole, and watch compares every page once instead (as ``rebuild``).
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .config import PageMap
from .errors import StateError

__all__ = ["STREAM_KEEPS_SECONDS", "EventPosition", "Relevance", "event_id", "load_position", "save_position"]

STREAM_KEEPS_SECONDS = 7 * 24 * 3600
"""How far back an event stream replays: Wikimedia's EventStreams keeps about a week (at least)."""

_TRANSLATION = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)*")
"""The last part of a translated page's title (Translate's language codes: fr, de, zh-hant, ...)."""

_CHANGE_TYPES = frozenset({"edit", "new", "log"})


def event_id(change: Mapping[str, Any]) -> str | None:
    """The stream's id of a ``mediawiki.recentchange`` event, as its ``meta`` gives it: the JSON list of
    ``{topic, partition, offset}`` that the stream takes back as ``Last-Event-ID``."""
    meta = change.get("meta")
    if not isinstance(meta, Mapping) or not {"topic", "partition", "offset"} <= meta.keys():
        return None
    return json.dumps([{"topic": meta["topic"], "partition": meta["partition"], "offset": meta["offset"]}])


@dataclass(frozen=True)
class EventPosition:
    """Where watch stopped in a wiki's stream: the last event handled, and its time (Unix seconds)."""

    event_id: str
    timestamp: int

    @classmethod
    def of(cls, change: Mapping[str, Any]) -> EventPosition | None:
        found = event_id(change)
        stamp = change.get("timestamp")
        return cls(found, int(stamp)) if found and isinstance(stamp, int | float) else None


class Relevance:
    """Whether a recent change concerns the page map: an edit, creation or log entry, by someone other than
    the bot itself, on this wiki, of a source page or its translation (``SOURCE/fr``), of a page directly
    under a ``sources_from`` prefix (or its translation), or of the request page. ``canonical`` spells a
    title as the wiki does (the event's title is the wiki's own spelling)."""

    def __init__(self, page_map: PageMap, canonical: Callable[[str], str | None], wiki_id: str, bot: str) -> None:
        def spelt(title: str) -> str:
            return canonical(title) or title

        self.wiki_id = wiki_id
        self.bot = bot
        self.pages = {spelt(spec.page) for spec in page_map.sources}
        self.request_page = spelt(page_map.request_page) if page_map.request_page else None
        # the wiki's spelling of a prefix: that of a title made from it, less the letter added
        self.prefixes = tuple(spelt(rule.prefix + "x")[:-1] for rule in page_map.sources_from)

    def __call__(self, change: Mapping[str, Any]) -> bool:
        title = change.get("title")
        if not isinstance(title, str) or change.get("type") not in _CHANGE_TYPES:
            return False
        if change.get("wiki") != self.wiki_id or change.get("user") == self.bot:
            return False
        return title == self.request_page or self._source_or_translation(title)

    def _source_or_translation(self, title: str) -> bool:
        base, slash, last = title.rpartition("/")
        candidates = [title] + ([base] if slash and _TRANSLATION.fullmatch(last) else [])
        for candidate in candidates:
            if candidate in self.pages:
                return True
            for prefix in self.prefixes:
                if candidate.startswith(prefix) and "/" not in candidate[len(prefix):]:
                    return True
        return False


def load_position(folder: Path, site_id: str) -> tuple[EventPosition | None, str]:
    """The position kept for the wiki ``site_id``, or None with the reason there is none."""
    path = folder / "events.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        kept = data["wikis"][site_id]
        return EventPosition(str(kept["event_id"]), int(kept["timestamp"])), ""
    except FileNotFoundError:
        return None, "no event position kept"
    except KeyError:
        return None, "no event position kept for this wiki"
    except (OSError, ValueError, TypeError) as exc:
        return None, f"{path} cannot be read ({exc.__class__.__name__}); set aside"


def save_position(folder: Path, site_id: str, position: EventPosition) -> None:
    """Keep ``position`` for ``site_id`` (other wikis' positions are kept too), written whole or not at all."""
    path = folder / "events.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        wikis = data["wikis"] if isinstance(data, dict) and isinstance(data.get("wikis"), dict) else {}
    except (OSError, ValueError):
        wikis = {}
    wikis[site_id] = {"event_id": position.event_id, "timestamp": position.timestamp}
    try:
        folder.mkdir(exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=".events-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump({"version": 1, "wikis": wikis}, stream, indent=1)
        os.replace(temporary, path)
    except OSError as exc:
        raise StateError(f"{path}: cannot keep the event position: {exc.strerror or exc}") from None
