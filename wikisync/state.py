"""What wikisync remembers between runs, per wiki and source page, and the lock that keeps runs apart.

The state is a cache: it lets a run with nothing new stop after two requests, and it remembers
what the last run did for the status page. It decides nothing about whose a page is (the wiki's
text does, see :mod:`wikisync.ownership`), so it can be deleted at any time: the next run then
compares every page with the wiki. A state file that cannot be read is reported and set aside.
A folder where the state file belongs (or a file where the state folder belongs) is not set aside:
wikisync never moves away what it did not write, so the run stops with one line naming it.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .errors import StateError, WikisyncError
from .model import RevisionMark

__all__ = ["LockedError", "SourceState", "State", "run_lock", "state_key"]

_VERSION = 2


def state_key(site_id: str, source: str) -> str:
    """Where a source's state is kept: per wiki, since one page map may be run against several."""
    return f"{site_id} {source}"


class LockedError(WikisyncError):
    """Another wikisync run holds the lock."""


class SourceState(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    revision: int | None = None
    """The source revision whose pages were all published (or found current)."""
    render_key: str = ""
    """:func:`wikisync.render.render_key` of that run: templates, settings and version."""
    themes: int = Field(0, ge=0)
    comments: int = Field(0, ge=0)
    statements: int = Field(0, ge=0)
    """What the source held then (the destructive-change guard compares): themes and comments, or statements."""
    pages: dict[str, RevisionMark] = Field(default_factory=dict)
    """Title -> the page's latest revision (id and text's SHA-1) when that run saw it hold what wikisync
    wants there."""
    last_run: dict[str, Any] = Field(default_factory=dict)
    """What the last run that did something found and did, for the status page."""
    statement_counts: dict[int, int] = Field(default_factory=dict)
    """Revision -> statements, of every revision of the source up to the newest here, as a summary's counts
    are compared with them (read once, then only the revisions after)."""
    translations: dict[str, int] = Field(default_factory=dict)
    """Translation page -> the revision of it that run published its language's pages from."""
    statement_counts_key: str = ""
    """What those counts were read with (:func:`wikisync.render.render_key`): another key, another count."""

    @field_validator("pages", mode="before")
    @classmethod
    def _bare_revision_ids(cls, pages: Any) -> Any:
        """An earlier wikisync kept only the revision id: a mark without SHA-1, which settles nothing
        (the next run compares those pages once, and keeps their SHA-1 from then on)."""
        if isinstance(pages, dict):
            return {title: {"revision": mark} if isinstance(mark, int) and not isinstance(mark, bool) else mark
                    for title, mark in pages.items()}
        return pages

    @property
    def counts(self) -> dict[str, int]:
        return {"themes": self.themes, "comments": self.comments, "statements": self.statements}


class _File(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int = _VERSION
    sources: dict[str, SourceState] = Field(default_factory=dict)


@dataclass
class State:
    path: Path
    sources: dict[str, SourceState] = field(default_factory=dict)
    problem: str = ""
    """Why the file on disk could not be used (it was set aside, and the run starts afresh)."""

    @classmethod
    def load(cls, path: Path) -> State:
        _require_usable(path)
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return cls(path)
        except (OSError, UnicodeDecodeError) as exc:
            return cls(path, problem=f"{path}: unreadable state ({_reason(exc)}); comparing every page with the wiki")
        try:
            data = _File.model_validate(json.loads(text))
        except json.JSONDecodeError as exc:
            return cls(path, problem=f"{path}:{exc.lineno}: invalid state (not JSON: {exc.msg}); comparing every page with the wiki")
        except ValidationError as exc:
            error = exc.errors(include_url=False)[0]
            where = ".".join(str(part) for part in error["loc"])
            return cls(path, problem=f"{path}: invalid state ({where + ': ' if where else ''}{error['msg']}); "
                                     "comparing every page with the wiki")
        if data.version != _VERSION:
            return cls(path, problem=f"{path}: state of another wikisync version ({data.version}); comparing every page with the wiki")
        return cls(path, dict(data.sources))

    def source(self, key: str) -> SourceState:
        return self.sources.setdefault(key, SourceState())

    def save(self) -> None:
        """Write atomically: a crash mid-write leaves the old file, never half a file."""
        _make_folder(self.path.parent)
        _require_usable(self.path)
        data = _File(sources=self.sources).model_dump(mode="json")
        try:
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".state-")
        except OSError as exc:
            raise StateError(f"{self.path}: cannot save the state ({_reason(exc)})") from None
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, indent=1, sort_keys=True, ensure_ascii=False)
                handle.write("\n")
            os.replace(temporary, self.path)
        except OSError as exc:
            with suppress(OSError):
                os.unlink(temporary)
            raise StateError(f"{self.path}: cannot save the state ({_reason(exc)})") from None


def _reason(exc: BaseException) -> str:
    return exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]


def _require_usable(path: Path) -> None:
    """Refuse a state file whose place is taken by a folder, or whose folder's place is taken by a file."""
    if path.parent.exists() and not path.parent.is_dir():
        raise _file_in_place_of(path.parent)
    if path.is_dir():
        raise StateError(f"{path}: a folder where wikisync keeps its state file; move it away")


def _file_in_place_of(folder: Path) -> StateError:
    return StateError(f"{folder}: a file where wikisync keeps its state folder; move it away")


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise _file_in_place_of(folder) from None
    except OSError as exc:
        raise StateError(f"{folder}: cannot create the state folder ({_reason(exc)})") from None


@contextmanager
def run_lock(path: Path) -> Iterator[None]:
    """Exclusive for one run. The kernel drops the lock when the process dies, so a crash never leaves it stuck."""
    _make_folder(path.parent)
    try:
        handle = open(path, "a+", encoding="utf-8")  # noqa: SIM115 - opened apart so that only its failure becomes a StateError; closed by the with below
    except OSError as exc:
        raise StateError(f"{path}: cannot take the run lock ({_reason(exc)})") from None
    with handle:
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

