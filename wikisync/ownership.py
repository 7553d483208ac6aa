"""Whether a page (or a region) still holds exactly what wikisync wrote, told from its text alone.

Every text wikisync writes carries a fingerprint: a hash of that very text, in an HTML comment.
Reading the page back, the hash either matches its text (nobody has changed it since wikisync wrote
it: a bot's own later revision, a protection, a merge undone, an old revision restored) or it does
not (a person's edit). Nothing local is needed, so the answer is the same after ``.wikisync/`` is
deleted, on another machine, and whoever saved the page last.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from enum import Enum

__all__ = ["Ownership", "fingerprint", "ownership", "stamp", "unstamped"]

_MARK = re.compile(r"<!-- wikisync:fingerprint ([0-9a-f]{16}) -->\n?")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)


class Ownership(str, Enum):
    INTACT = "intact"
    """The fingerprint matches: the text is exactly what wikisync wrote."""
    EDITED = "edited"
    """A fingerprint is there but the text changed since: someone edited it."""
    FOREIGN = "foreign"
    """No fingerprint: wikisync never wrote this text (or someone removed the mark)."""


def _canonical(text: str) -> str:
    """The text as MediaWiki stores what was sent: NFC, LF line ends, no trailing whitespace."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n"))
    return _TRAILING_SPACE.sub("", text).strip()


def unstamped(text: str) -> str:
    return _MARK.sub("", text, count=1)


def fingerprint(text: str) -> str:
    return hashlib.sha1(_canonical(unstamped(text)).encode("utf-8")).hexdigest()[:16]


def stamp(text: str) -> str:
    """``text`` with its fingerprint in front, in place of any it had."""
    bare = unstamped(text)
    return f"<!-- wikisync:fingerprint {fingerprint(bare)} -->\n{bare}"


def ownership(text: str) -> Ownership:
    found = _MARK.search(text)
    if found is None:
        return Ownership.FOREIGN
    return Ownership.INTACT if found.group(1) == fingerprint(text) else Ownership.EDITED
