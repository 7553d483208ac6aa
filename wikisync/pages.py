"""A generated page as rendered: its title, its text, what made it, and the notice at its top.

Records only, below the renderer: the planner compares them with the wiki without loading Jinja2.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["NOTICE_BEGIN", "NOTICE_END", "DesiredPage", "split_notice"]

NOTICE_BEGIN = "<!-- wikisync:notice -->"
NOTICE_END = "<!-- /wikisync:notice -->"
_NOTICE = re.compile(re.escape(NOTICE_BEGIN) + r".*?" + re.escape(NOTICE_END) + r"\n?", re.S)


@dataclass(frozen=True)
class DesiredPage:
    title: str
    text: str
    template: str
    region: str | None = None
    """Set when only a marked region of an existing page is generated."""
    error: str | None = None
    """Why the page could not be rendered (its template failed); ``text`` is then empty."""
    content_model: str = "wikitext"
    """``json`` for a data page: its text is a JSON document, its fingerprint a key of it."""
    target: int | None = None
    """Which of the source's targets (or of the aggregates) made it: its index in the page map."""


def split_notice(text: str) -> tuple[str, str]:
    """(notice, rest) of a generated page's text; notice is "" when the page has none."""
    match = _NOTICE.search(text)
    if match is None:
        return "", text
    return match.group(0), text[: match.start()] + text[match.end():]
