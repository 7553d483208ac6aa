"""What wikisync remembers between runs, per source page, and the lock that keeps runs apart.

The state says which source revision was last published completely and what every generated page
held after wikisync wrote it. A page's hash is recorded as soon as its save succeeds; the source
revision only once every save of the run did, so a run that dies part-way is finished by the next.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterator

from .errors import ConfigError, WikisyncError

__all__ = ["LockedError", "SourceState", "State", "run_lock", "state_key"]


def state_key(site_id: str, source: str) -> str:
    """Where a source's state is kept: per wiki, since one page map may be run against several."""
    return f"{site_id} {source}"


class LockedError(WikisyncError):
    """Another wikisync run holds the lock."""


@dataclass
class SourceState:
    revision: int | None = None
    themes: int = 0
    comments: int = 0
    pages: dict[str, str] = field(default_factory=dict)
    """Title -> :func:`wikisync.plan.text_hash` of what wikisync last saved there (for regions: of the region)."""
    last_run: dict = field(default_factory=dict)
    """What the last run that did something found and did, for the status page."""


@dataclass
class State:
    path: Path
    sources: dict[str, SourceState] = field(default_factory=dict)

    @classmethod
    def load(cls, path: Path) -> "State":
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return cls(path)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"{path}: unreadable state file ({exc}); move it away to start afresh") from None
        sources = {
            title: SourceState(
                revision=entry.get("revision"),
                themes=int(entry.get("themes", 0)),
                comments=int(entry.get("comments", 0)),
                pages=dict(entry.get("pages", {})),
                last_run=dict(entry.get("last_run", {})),
            )
            for title, entry in (raw.get("sources") or {}).items()
        }
        return cls(path, sources)

    def source(self, title: str) -> SourceState:
        return self.sources.setdefault(title, SourceState())

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the old file, never half a file."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"sources": {title: asdict(entry) for title, entry in self.sources.items()}}
        fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".state-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=1, sort_keys=True, ensure_ascii=False)
            handle.write("\n")
        os.replace(temporary, self.path)


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Exclusive for one run. The kernel drops the lock when the process dies, so a crash never leaves it stuck."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "unknown"
            raise LockedError(f"another wikisync run is in progress (pid {holder}, lock {path}); try again when it ends") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()

