"""Wikitext helpers shared by the shape parsers: masking invisible markup, plain text, positions.

Masking replaces what the wiki never shows (HTML comments, Translate markers, footnotes) by
:data:`BLANK` characters of the same length, newlines kept, so that every line and column found in
the masked text is a line and column of the page as its editors see it; :func:`plain_text` drops
them without leaving a space, as the wiki does.
"""

from __future__ import annotations

import bisect
import itertools
import re
from dataclasses import dataclass

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, HTMLEntity, Tag, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

__all__ = ["BLANK", "LineIndex", "Masked", "collapse", "mask", "masked_plain_text", "plain_of", "plain_text", "replace_simple_links", "strip_line"]

BLANK = "\x7f"
"""What masked markup is replaced by: a control character no page contains (mwparserfromhell stops at NUL)."""

_INVISIBLE = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<languages\s*/>|</?translate\b[^>]*>|</?tvar\b[^>]*>"
    r"|<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>",
    re.S | re.I,
)
_NEEDS_PARSER = re.compile(r"[\[\]{}<>&]|''")
_NEEDS_FULL_PARSER = re.compile(r"[{}<>&]|''")
_SIMPLE_LINK = re.compile(r"\[\[([^\[\]{}<>&|']+)(?:\|([^\[\]{}<>&|']*))?\]\]")
_HIDDEN_LINK_NAMESPACES = ("category:", "file:", "image:", "media:")
_DROPPED_TAGS = frozenset({"ref", "references", "gallery", "math", "script", "style", "templatedata"})


@dataclass(frozen=True)
class Masked:
    text: str
    unclosed_comment_at: int | None
    """Offset of a ``<!--`` never closed (the wiki hides everything after it), else None."""


def mask(text: str) -> Masked:
    """``text`` with comments, Translate markup and ``<ref>`` footnotes blanked, lines and columns kept."""
    unclosed: list[int] = []

    def blank(match: re.Match[str]) -> str:
        found = match.group(0)
        if found.startswith("<!--") and not found.endswith("-->"):
            unclosed.append(match.start())
        return re.sub(r"[^\n]", BLANK, found)

    masked = _INVISIBLE.sub(blank, text.replace("\x00", BLANK))
    return Masked(masked, unclosed[0] if unclosed else None)


class LineIndex:
    """Offsets of a text -> 1-based (line, column)."""

    def __init__(self, text: str) -> None:
        self._starts = [0] + [match.end() for match in re.finditer("\n", text)]

    @classmethod
    def of_lines(cls, lines: list[str]) -> LineIndex:
        """The index of ``"\\n".join(lines)``, made from its lines."""
        index = cls.__new__(cls)
        index._starts = [0, *itertools.accumulate(map((1).__add__, map(len, lines[:-1])))]
        return index

    @property
    def starts(self) -> list[int]:
        """Where each line starts (line 1 at index 0)."""
        return self._starts

    @property
    def line_count(self) -> int:
        return len(self._starts)

    def offset_of_line(self, line: int) -> int:
        """Where the 1-based ``line`` starts."""
        return self._starts[line - 1]

    def position(self, offset: int) -> tuple[int, int]:
        index = bisect.bisect_right(self._starts, offset) - 1
        return index + 1, offset - self._starts[index] + 1


def collapse(text: str) -> str:
    return " ".join(text.replace(BLANK, "").split())


def strip_line(line: str) -> str:
    """A masked line without the spaces and blanked markup around it."""
    return line.strip(" \t\r" + BLANK)


def plain_text(fragment: str) -> str:
    """Visible text of a wikitext fragment: links reduced to labels, markup, comments, footnotes and
    Translate markers dropped, whitespace collapsed."""
    return masked_plain_text(mask(fragment).text)


def masked_plain_text(fragment: str) -> str:
    """:func:`plain_text` of a fragment of text that :func:`mask` has already been applied to."""
    if _NEEDS_PARSER.search(fragment):
        if not _NEEDS_FULL_PARSER.search(fragment):
            fragment = replace_simple_links(fragment)
        if _NEEDS_PARSER.search(fragment):
            return collapse(_plain(mwparserfromhell.parse(mask(fragment).text)))
    return collapse(fragment)


def replace_simple_links(fragment: str) -> str:
    """``fragment`` with each link that holds no markup (``[[target]]``, ``[[target|label]]``) replaced by
    the text mwparserfromhell's reading would give it, so that a line with only such links needs no parser."""
    return _SIMPLE_LINK.sub(_simple_label, fragment)


def _simple_label(match: re.Match[str]) -> str:
    """The label of a link with no markup inside, as :func:`_link_label` would give it."""
    target, label = match.group(1), match.group(2)
    if label is not None:
        return label
    target = target.strip()
    if target.startswith(":"):
        return target[1:]
    return "" if target.lower().startswith(_HIDDEN_LINK_NAMESPACES) else target


def plain_of(code: Wikicode) -> str:
    """Visible text of parsed wikitext: links reduced to labels, comments, footnotes and templates dropped."""
    return _plain(code)


def _plain(code: Wikicode) -> str:
    parts: list[str] = []
    for node in code.nodes:
        if isinstance(node, Text):
            parts.append(node.value)
        elif isinstance(node, Wikilink):
            parts.append(_link_label(node))
        elif isinstance(node, ExternalLink):
            parts.append(_plain(node.title) if node.title is not None else str(node.url))
        elif isinstance(node, Tag):
            parts.append(_tag_text(node))
        elif isinstance(node, HTMLEntity):
            parts.append(node.normalize())
        elif isinstance(node, Heading):
            parts.append(_plain(node.title))
        elif isinstance(node, Comment):
            continue
        # templates and parameters render to nothing that can be known without the wiki
    return "".join(parts)


def _link_label(link: Wikilink) -> str:
    if link.text is not None:
        return _plain(link.text)
    target = str(link.title).strip()
    if target.startswith(":"):
        return target[1:]
    if target.lower().startswith(_HIDDEN_LINK_NAMESPACES):
        return ""
    return target


def _tag_text(tag: Tag) -> str:
    name = str(tag.tag).lower()
    if name in _DROPPED_TAGS:
        return ""
    if name == "br":
        return " "
    if name == "nowiki" and tag.contents is not None:
        return str(tag.contents)
    return _plain(tag.contents) if tag.contents is not None else ""
