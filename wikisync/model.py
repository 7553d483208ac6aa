"""Plain data for a parsed report: what the themes shape (wikisync/shapes/themes/) produces and every later stage consumes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "Anomaly",
    "Comment",
    "KeynoteElement",
    "PageState",
    "Priority",
    "PriorityValue",
    "Question",
    "RebuildRequest",
    "Report",
    "RevisionMark",
    "Theme",
    "ThemeSections",
    "Workshop",
]


@dataclass(frozen=True)
class ThemeSections:
    """The words by which the parser recognises a narrative report's sections, compared without
    regard to case. The defaults are what the All-Hands report (and the parser before these became
    settings) uses; a translated page names its own, e.g. ``themes="Thèmes"``."""

    themes: str = "theme"
    """A heading containing this opens the themes section; its subheadings are the themes."""
    heard: str = "What we heard"
    """A paragraph of a theme starting with this is the lead-in of its comments."""
    priorities: str = "priorit"
    """A table whose first header cell contains this is the Competing Priorities table."""
    questions: str = "question"
    """A heading containing this opens the key questions (a table under it is the priorities table)."""

    def __post_init__(self) -> None:
        for name in ("themes", "heard", "priorities", "questions"):
            if not " ".join(str(getattr(self, name)).split()):
                raise ValueError(f"sections.{name}: must not be empty")


@dataclass(frozen=True)
class Comment:
    text: str
    line: int
    column: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "line": self.line}


@dataclass(frozen=True)
class KeynoteElement:
    name: str
    text: str
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "text": self.text, "line": self.line}


@dataclass(frozen=True)
class Workshop:
    name: str
    prompts: tuple[str, ...]
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "prompts": list(self.prompts)}


@dataclass(frozen=True)
class Theme:
    name: str
    summary: str
    line: int
    comments: tuple[Comment, ...]
    heard_line: int | None = None
    """Line of the "What we heard" lead-in, or None when the section has none."""
    heading: str | None = None
    """The heading as a translation words it; ``name`` stays the source's, which titles use. None: the name."""

    @property
    def label(self) -> str:
        """The theme's name as its page shows it."""
        return self.name if self.heading is None else self.heading

    def to_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "name": self.name,
            "summary": self.summary,
            "line": self.line,
            "comments": [c.to_dict() for c in self.comments],
        }
        if self.heading is not None:
            found["heading"] = self.heading
        return found


@dataclass(frozen=True)
class PriorityValue:
    name: str
    note: str
    line: int = 0
    column: int = 1
    source_name: str | None = None
    """In a translation, the source's value it stands for: a theme heading is matched with that name."""

    @property
    def matched_name(self) -> str:
        return self.name if self.source_name is None else self.source_name

    @property
    def label(self) -> str:
        return f"{self.name} ({self.note})" if self.note else self.name

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "note": self.note}


@dataclass(frozen=True)
class Priority:
    priority: str
    values: tuple[PriorityValue, ...]
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "priority": self.priority,
            "values": [v.to_dict() for v in self.values],
            "line": self.line,
        }


@dataclass(frozen=True)
class Question:
    text: str
    options: tuple[str, ...]
    line: int

    def to_dict(self) -> dict[str, Any]:
        return {"text": self.text, "options": list(self.options), "line": self.line}


@dataclass(frozen=True)
class Anomaly:
    """Something in the markup the parser had to work around; the checker turns these into diagnostics."""

    kind: str
    line: int
    column: int
    detail: str


@dataclass(frozen=True)
class Report:
    title: str
    revision: int | None
    keynote: tuple[KeynoteElement, ...] = ()
    workshops: tuple[Workshop, ...] = ()
    themes: tuple[Theme, ...] = ()
    priorities: tuple[Priority, ...] = ()
    questions: tuple[Question, ...] = ()
    stray_comments: tuple[Comment, ...] = ()
    """Bullets under the themes heading that belong to no theme."""
    anomalies: tuple[Anomaly, ...] = field(default=(), compare=False)
    line_count: int = field(default=0, compare=False)
    priorities_line: int | None = field(default=None, compare=False)
    """Line of the Competing Priorities table's ``{|``, or None when the page has none."""
    headings: tuple[str, ...] = field(default=(), compare=False)
    """Every heading's plain text, in page order: what a translation's heading anchors may name."""

    @property
    def comment_count(self) -> int:
        return sum(len(t.comments) for t in self.themes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "revision": self.revision,
            "keynote": [k.to_dict() for k in self.keynote],
            "workshops": [w.to_dict() for w in self.workshops],
            "themes": [t.to_dict() for t in self.themes],
            "priorities": [p.to_dict() for p in self.priorities],
            "questions": [q.to_dict() for q in self.questions],
        }


@dataclass(frozen=True)
class RebuildRequest:
    """One ``{{wikisync request|SOURCE}}`` on the request page; ``status`` is empty until answered."""

    index: int
    """Position among the request templates on the page, to answer the right one."""
    source: str
    status: str
    line: int
    wikitext: str


@dataclass(frozen=True)
class RevisionMark:
    """A page's latest revision as the wiki reports it: its id, and the SHA-1 (hex) of its text. The id
    alone proves nothing on a wiki set up again, whose pages may hold other text under the same ids."""

    revision: int
    sha1: str = ""
    """Empty when unknown (a state of an earlier wikisync): then it proves nothing."""

    def proves(self, latest: RevisionMark | None) -> bool:
        """Whether ``latest``, read from the wiki now, is this very revision with this very text."""
        return bool(self.sha1) and latest == self


@dataclass(frozen=True)
class PageState:
    """A generated page as the wiki has it now; ``text`` is None when the page does not exist."""

    text: str | None
    revision: int | None = None
    user: str | None = None
    bots_allowed: bool = True
    redirect: bool = False
    timestamp: str | None = None
    """Of the latest revision (ISO 8601), sent with a save for the wiki's edit-conflict check."""
    bare_redirect: bool = False
    """A redirect and nothing else (whitespace aside), as a move leaves a page: wikisync's to write again.
    A redirect with any other text is a person's."""
    sha1: str | None = None
    """SHA-1 (hex) of the latest revision's text, as the wiki reports it."""
