"""What one run did for one source (or for the aggregates): the record that the request answers
quote, the status page lists, and the state keeps as the source's last run."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["RunRecord", "SavedPage"]


@dataclass(frozen=True)
class SavedPage:
    title: str
    old: int | None
    """The revision it replaced; None for a page created."""
    new: int | None
    """The revision saved; None for a page a dry run shows as to be saved."""

    def as_dict(self) -> dict[str, Any]:
        return {"title": self.title, "old": self.old, "new": self.new}


@dataclass
class RunRecord:
    at: str
    """When the run read the source, as :func:`wikisync.onwiki.now` writes it."""
    revision: int | None
    """The source revision processed; None for the aggregates."""
    check: str
    """The check's summary line (for the aggregates: how many sources)."""
    saved: list[SavedPage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    outcome: str = ""
    code: int | None = None
    """The exit code of this source's part of the run."""
    languages: list[str] = field(default_factory=list)
    """What became of each translation's language (``fr: published (92% translated)``)."""

    def as_dict(self) -> dict[str, Any]:
        """As the state keeps it and the status page's run comments carry it."""
        return {"at": self.at, "revision": self.revision, "saved": [page.as_dict() for page in self.saved],
                "problems": list(self.problems), "check": self.check, "outcome": self.outcome, "code": self.code,
                **({"languages": list(self.languages)} if self.languages else {})}
