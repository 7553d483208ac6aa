"""Plain records that :mod:`wikisync.wiki` hands to the rest: a save's result (with the kind of
failure, told from the wiki's error code), a page's revisions, recent changes, a prefix listing, a language as
the wiki describes it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import Literal

from .model import RevisionMark

__all__ = ["LanguageInfo", "ListedPage", "RecentChange", "Revision", "SaveFailure", "SaveResult"]


class SaveFailure(str, Enum):
    """Why the wiki did not take an edit, by kind; the wording is in :attr:`SaveResult.reason`."""

    EDIT_CONFLICT = "edit conflict"
    """Someone edited (or created) the page after wikisync read it, or while it saved."""
    DELETED = "deleted"
    """The page was deleted after wikisync read it."""
    PROTECTED = "protected"
    BLACKLISTED = "blacklisted"
    """The spam blacklist (a link) or the title blacklist."""
    RIGHTS = "rights"
    """The account may not edit or create this page (permission denied, blocked)."""
    ABUSE_FILTER = "abuse filter"
    CONTENT_REJECTED = "content rejected"
    """The wiki refused the text itself: too big, or not valid for the page's content model."""
    READ_ONLY = "read-only"
    OTHER = "other"

    @property
    def conflict(self) -> bool:
        """The page changed under wikisync: trying again on top of its new revision may work."""
        return self in (SaveFailure.EDIT_CONFLICT, SaveFailure.DELETED)


@dataclass(frozen=True)
class SaveResult:
    title: str
    revision: int | None = None
    """The page's revision holding the text (on success)."""
    failure: SaveFailure | None = None
    reason: str = ""
    """The failure in words, the wiki's own message included."""

    @property
    def ok(self) -> bool:
        return self.failure is None


@dataclass(frozen=True)
class Revision:
    """One revision of a page, with its text."""

    revid: int
    user: str
    text: str


@dataclass(frozen=True)
class RecentChange:
    """An edit or page creation in the wiki's recent changes."""

    title: str
    revid: int
    timestamp: str


@dataclass(frozen=True)
class ListedPage:
    """A page found by a prefix listing."""

    mark: RevisionMark | None
    """Its latest revision and that text's SHA-1."""
    redirect: bool
    language: str | None = None
    """Its page language (``pagelanguage``), as the wiki tells it."""


@dataclass(frozen=True)
class LanguageInfo:
    """A language as the wiki describes it (``meta=languageinfo``)."""

    code: str
    autonym: str
    """Its name in itself; "" when the wiki has none."""
    direction: Literal["ltr", "rtl"]
    fallbacks: tuple[str, ...]
    """The languages its messages fall back to, in order, as MediaWiki declares them (English not added)."""
