"""The Translate extension's markup on a translation page (``TITLE/LANG``) as FuzzyBot writes it.

A translation page holds no ``<translate>`` or ``<!--T:n-->`` markers; instead, a translated heading
is preceded by an anchor holding the *source* heading's id (``<span id="Key_Themes"></span>``), a unit
not yet translated stays in the source language inside ``<div lang="en" dir="ltr"
class="mw-content-ltr">`` (a block) or the same ``<span>`` (inline), and an outdated one inside
``<div class="mw-translate-fuzzy">`` or the same ``<span>``. :func:`read_markup` finds them with
their lines and gives the page's text without them, every remaining line where it was, so that a
shape's parser sees the structure it knows and its lines are the translation page's.
"""

from __future__ import annotations

import bisect
import html
import re
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

from ..model import Anomaly

__all__ = ["FUZZY", "UNTRANSLATED", "HeadingAnchor", "HeadingLine", "TranslateMarkup", "Wrapper", "anchor_key",
           "anchor_keys", "read_markup", "wrapped"]

UNTRANSLATED = "untranslated"
FUZZY = "fuzzy"
FUZZY_CLASS = "mw-translate-fuzzy"
"""The class Translate marks an outdated unit with."""

_TAG = re.compile(r"<(?P<close>/?)(?P<name>div|span)\b(?P<attributes>[^>]*?)(?P<empty>/?)>", re.I)
_ATTRIBUTE = re.compile(r"""(?P<name>[\w:-]+)\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'>]+))""")
_ANCHOR = re.compile(r"""<span\s+id\s*=\s*(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)')\s*>\s*</span\s*>""", re.I)
_HEADING = re.compile(r"^(?P<marks>={1,6})(?P<title>.+?)(?P=marks)[ \t]*(?:<!--.*?-->[ \t]*)*$")


@dataclass(frozen=True)
class Wrapper:
    """A unit wrapped by Translate: kept in the source language, or outdated."""

    kind: str
    """:data:`UNTRANSLATED` or :data:`FUZZY`."""
    block: bool
    """A ``<div>`` (a block of lines) rather than a ``<span>`` (inside one line)."""
    language: str
    """The ``lang`` of an untranslated unit ("" for a fuzzy one)."""
    direction: str
    line: int
    column: int
    end_line: int
    """Line of the closing tag (of the page's last line when it is never closed)."""

    def covers(self, line: int) -> bool:
        return self.line <= line <= self.end_line


@dataclass(frozen=True)
class HeadingLine:
    line: int
    level: int
    title: str
    """Its wikitext between the equals signs, stripped (a shape's parser reads it as plain text)."""


@dataclass(frozen=True)
class HeadingAnchor:
    """``<span id="…"></span>`` before a heading: the id of the source's heading it translates."""

    anchor: str
    """The id as written, character references decoded."""
    line: int
    column: int
    heading: HeadingLine | None
    """The heading it stands before (on the lines after it, or on its own line); None when none follows."""


@dataclass(frozen=True)
class TranslateMarkup:
    text: str
    """The page without the anchors and wrappers' tags (``<languages/>`` is left to the parsers)."""
    anchors: tuple[HeadingAnchor, ...]
    wrappers: tuple[Wrapper, ...]
    headings: tuple[HeadingLine, ...]
    problems: tuple[Anomaly, ...]
    """Wrapper tags that do not pair: kinds ``unclosed-wrapper`` and ``stray-wrapper-close``."""
    line_count: int

    def wrapper_at(self, line: int, kind: str) -> Wrapper | None:
        """The innermost wrapper of this kind around ``line``."""
        found = [w for w in self.wrappers if w.kind == kind and w.covers(line)]
        return max(found, key=lambda w: w.line) if found else None

    def anchor_of(self, heading: HeadingLine) -> HeadingAnchor | None:
        return next((a for a in self.anchors if a.heading == heading), None)


def anchor_key(anchor: str) -> str:
    """An id compared with others: character references decoded, whitespace and underscores as one ``_``."""
    return re.sub(r"[\s_]+", "_", html.unescape(anchor)).strip("_")


def anchor_keys(heading: str) -> tuple[str, str]:
    """The ids MediaWiki gives a heading of this plain text, as :func:`anchor_key` compares them: its
    HTML5 id (spaces as underscores) and its legacy one (percent-encoded with dots, ``:`` kept)."""
    html5 = anchor_key(" ".join(heading.split()))
    legacy = urllib.parse.quote(html5, safe="-_.").replace("%3A", ":").replace("%", ".")
    return html5, legacy


def read_markup(text: str) -> TranslateMarkup:
    """Never raises: tags that do not pair are left in the text and named in ``problems``."""
    index = _Positions(text)
    removals: list[tuple[int, int]] = []
    anchors_found: list[tuple[str, int]] = []
    for match in _ANCHOR.finditer(text):
        anchors_found.append((html.unescape(match.group("double") if match.group("double") is not None else match.group("single")),
                              match.start()))
        removals.append((match.start(), match.end()))
    wrappers, problems = _wrappers(text, index, removals)
    cleaned = _without(text, removals)
    lines = cleaned.split("\n")
    headings = tuple(_headings(lines))
    anchors = []
    for anchor, offset in anchors_found:
        line, column = index.position(offset)
        following = next((h for h in headings if h.line >= line), None)
        if following is not None and any(lines[number - 1].strip() for number in range(line + 1, following.line)):
            following = None  # text between them: the anchor is not the heading's
        anchors.append(HeadingAnchor(anchor, line, column, following))
    return TranslateMarkup(cleaned, tuple(anchors), tuple(wrappers), headings, tuple(problems), len(lines))


def _wrappers(text: str, index: _Positions, removals: list[tuple[int, int]]) -> tuple[list[Wrapper], list[Anomaly]]:
    wrappers: list[Wrapper] = []
    problems: list[Anomaly] = []
    open_tags: list[tuple[str, Wrapper | None, int, int]] = []  # (tag name, the wrapper it opens or None, start, end)
    for match in _TAG.finditer(text):
        name = match.group("name").lower()
        if match.group("empty"):
            continue
        if not match.group("close"):
            open_tags.append((name, _wrapper_of(match, index), match.start(), match.end()))
            continue
        opener = next((i for i in range(len(open_tags) - 1, -1, -1) if open_tags[i][0] == name), None)
        if opener is None:
            line, column = index.position(match.start())
            problems.append(Anomaly("stray-wrapper-close", line, column, f"</{name}> without its opening tag"))
            continue
        _, wrapper, start, end = open_tags[opener]
        unclosed = open_tags[opener + 1:]
        del open_tags[opener:]
        for _, inner, inner_start, _ in unclosed:
            if inner is not None:
                problems.append(_unclosed(inner, index, inner_start))
        if wrapper is not None:
            line, _ = index.position(match.start())
            wrappers.append(_closed(wrapper, line))
            removals.extend([(start, end), (match.start(), match.end())])
    for _, wrapper, start, _ in open_tags:
        if wrapper is not None:
            problems.append(_unclosed(wrapper, index, start))
    wrappers.sort(key=lambda w: (w.line, w.column))
    return wrappers, problems


def _closed(wrapper: Wrapper, end_line: int) -> Wrapper:
    return Wrapper(wrapper.kind, wrapper.block, wrapper.language, wrapper.direction, wrapper.line, wrapper.column, end_line)


def _unclosed(wrapper: Wrapper, index: _Positions, start: int) -> Anomaly:
    line, column = index.position(start)
    what = "an untranslated unit's" if wrapper.kind == UNTRANSLATED else "an outdated unit's"
    return Anomaly("unclosed-wrapper", line, column, f"{what} <{'div' if wrapper.block else 'span'}> is never closed")


def _wrapper_of(match: re.Match[str], index: _Positions) -> Wrapper | None:
    attributes = {m.group("name").lower(): next(v for v in (m.group("double"), m.group("single"), m.group("bare")) if v is not None)
                  for m in _ATTRIBUTE.finditer(match.group("attributes"))}
    classes = attributes.get("class", "").split()
    line, column = index.position(match.start())
    block = match.group("name").lower() == "div"
    if FUZZY_CLASS in classes:
        return Wrapper(FUZZY, block, "", "", line, column, line)
    language = attributes.get("lang", "").strip()
    direction = attributes.get("dir", "").strip().lower()
    if language and direction in ("ltr", "rtl") and any(c in ("mw-content-ltr", "mw-content-rtl") for c in classes):
        return Wrapper(UNTRANSLATED, block, language, direction, line, column, line)
    return None


def _without(text: str, removals: list[tuple[int, int]]) -> str:
    pieces = []
    cursor = 0
    for start, end in sorted(removals):
        if start < cursor:
            continue
        pieces.append(text[cursor:start])
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def _headings(lines: list[str]) -> Iterator[HeadingLine]:
    for number, line in enumerate(lines, 1):
        match = _HEADING.match(line)
        if match is not None and match.group("title").strip():
            yield HeadingLine(number, len(match.group("marks")), match.group("title").strip())


class _Positions:
    """1-based (line, column) of an offset in a text."""

    def __init__(self, text: str) -> None:
        self.starts = [0, *(match.end() for match in re.finditer("\n", text))]

    def position(self, offset: int) -> tuple[int, int]:
        number = bisect.bisect_right(self.starts, offset) - 1
        return number + 1, offset - self.starts[number] + 1


def outdated(text: str, block: bool = False) -> str:
    """Text whose translation is outdated, as a generated page shows it: marked with Translate's own class,
    which the wiki's styles show as outdated on the translation page itself."""
    tag = "div" if block else "span"
    return f'<{tag} class="{FUZZY_CLASS}">{text}</{tag}>'


def wrapped(text: str, language: str, direction: str, block: bool = False) -> str:
    """Text kept in the source language, as a generated page shows it: inside a ``<span>`` (a ``<div>``
    for a block) with its ``lang`` and ``dir``, as Translate wraps it."""
    tag = "div" if block else "span"
    return f'<{tag} lang="{html.escape(language)}" dir="{direction}">{text}</{tag}>'
