"""Whether a page (or a region) still holds exactly what wikisync wrote, told from its text alone.

Every text wikisync writes carries a fingerprint: a hash of that very text, in an HTML comment.
Reading the page back, the hash either matches its text (nobody has changed it since wikisync wrote
it: a bot's own later revision, a protection, a merge undone, an old revision restored) or it does
not (a person's edit). Nothing local is needed, so the answer is the same after ``.wikisync/`` is
deleted, on another machine, and whoever saved the page last.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from enum import Enum

from .jsontext import dump_data, load_data

__all__ = ["DATA_HEADER", "Ownership", "data_ownership", "fingerprint", "ownership", "same_data", "stamp", "stamp_data",
           "unstamped"]

_MARK = re.compile(r"<!-- wikisync:fingerprint ([0-9a-f]{16}) -->\n?")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)
DATA_HEADER = "wikisync"
"""The key of a JSON data page's header: the fingerprint, which in a wikitext page is a comment."""
_DATA_VERSION = 1


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


def _data_fingerprint(body: dict) -> str:
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(unicodedata.normalize("NFC", canonical).encode("utf-8")).hexdigest()[:16]


def _body(data: dict) -> dict:
    return {key: value for key, value in data.items() if key != DATA_HEADER}


def stamp_data(text: str) -> str:
    """A JSON document's text with its fingerprint in a ``wikisync`` header, first."""
    data = load_data(text)
    if data is None:
        raise ValueError("a data page's text must be a JSON object")
    body = _body(data)
    return dump_data({DATA_HEADER: {"fingerprint": _data_fingerprint(body), "version": _DATA_VERSION}, **body})


def data_ownership(text: str) -> Ownership:
    data = load_data(text)
    header = data.get(DATA_HEADER) if data else None
    if data is None or not isinstance(header, dict) or not isinstance(header.get("fingerprint"), str):
        return Ownership.FOREIGN
    return Ownership.INTACT if header["fingerprint"] == _data_fingerprint(_body(data)) else Ownership.EDITED


def same_data(current: str, desired: str, ignore: tuple[str, ...] = ("revision",)) -> bool:
    """Whether two JSON documents hold the same data, apart from the header and the ``ignore`` keys
    (the source revision, which changes on every edit of the source, as a wikitext page's notice does)."""
    old, new = load_data(current), load_data(desired)
    if old is None or new is None:
        return False
    skip = {DATA_HEADER, *ignore}
    return {k: v for k, v in old.items() if k not in skip} == {k: v for k, v in new.items() if k not in skip}
