"""The wikitext toolkit of the shape parsers: masking invisible markup, plain text, positions, tables.

Masking replaces what the wiki never shows by characters of the same length, so that every line and
column found in the masked text is a line and column of the page as its editors see it. The two
shapes read their pages in two ways (:class:`Reading`), and each keeps its own, byte for byte:

* :attr:`Reading.CELL` (the statement tables): comments, Translate markup and ``<ref>`` footnotes are
  replaced by :data:`BLANK` characters (newlines kept), which :func:`plain_text` drops without leaving
  a space, as the wiki does; a fragment is text inside a cell, so ``*`` or ``=`` at its start is text.
* :attr:`Reading.LINE` (the narrative report): only the Translate extension's markers are replaced,
  by spaces, and comments and footnotes are left to mwparserfromhell; a fragment is a line (or a list
  item's text), so ``*``, ``#``, ``:``, ``;``, ``=`` or ``----`` at its start is markup.

:func:`line_plain_text` gives a line's plain text without mwparserfromhell when all its markup is simple
(links without markup inside, bold and italics, templates with plain arguments, ``<ref>`` footnotes of
such text), exactly as mwparserfromhell's reading would. :class:`TableReader` reads a table line by
line into rows of cells with their lines and columns.
"""

from __future__ import annotations

import bisect
import enum
import itertools
import re
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import mwparserfromhell
from mwparserfromhell.nodes import Comment, ExternalLink, Heading, HTMLEntity, Tag, Text, Wikilink
from mwparserfromhell.wikicode import Wikicode

__all__ = [
    "BLANK", "LINE_START_MARKUP", "LineIndex", "Masked", "Reading", "TableCell", "TableReader", "TableRow", "collapse", "line_needs_parser", "line_plain_text",
    "mask", "masked_plain_text", "plain_of", "plain_text", "reduce_line", "replace_simple_links", "strip_line",
]

BLANK = "\x7f"
"""What :attr:`Reading.CELL` masks markup with: a control character no page contains (mwparserfromhell stops at NUL)."""


class Reading(enum.Enum):
    """How a shape's parser reads wikitext (see the module's docstring)."""

    CELL = "cell"
    """The statement parser's: everything invisible masked by BLANK, a fragment's start is no line start."""
    LINE = "line"
    """The narrative parser's: Translate markers masked by spaces, a fragment is read as a line."""


_CELL = Reading.CELL  # a module global: cheaper to compare with, once a line, than the enum's attribute


# Group "translate" is "" for <translate>, "/" for </translate>, None for any other match.
_INVISIBLE = re.compile(
    r"<!--.*?(?:-->|\Z)"
    r"|<languages\s*/>|<(?P<translate>/?)translate\b[^>]*>|</?tvar\b[^>]*>"
    r"|<ref\b[^>]*/>|<ref\b[^>]*>.*?</ref\s*>",
    re.S | re.I,
)
_TRANSLATE_MARKERS = re.compile(r"<languages\s*/>|<(?P<translate>/?)translate\b[^>]*>|<!--T:\d+-->|</?tvar\b[^>]*>")
_NEEDS_PARSER = re.compile(r"[\[\]{}<>&]|''")
_NEEDS_FULL_PARSER = re.compile(r"[{}<>&]|''")
_SIMPLE_LINK = re.compile(r"\[\[([^\[\]{}<>&|'\x00]+)(?:\|([^\[\]{}<>&|'\x00]*))?\]\]")
_HIDDEN_LINK_NAMESPACES = ("category:", "file:", "image:", "media:")
_DROPPED_TAGS = frozenset({"ref", "references", "gallery", "math", "script", "style", "templatedata"})

# What mwparserfromhell reads as markup in a line; a line with none of it is its own plain text.
_LINE_MARKUP = re.compile(r"[\[\]{}<>&\x00]")
LINE_START_MARKUP = ("=", "*", "#", ":", ";", "----")
"""What makes a line's start markup: a heading, a list item, an indented line, a horizontal rule."""
# Bold or italic text with no markup inside, not touching other apostrophes: its text is itself.
_SIMPLE_STYLE = re.compile(r"(?<!')('{2,3})([^'\[\]{}<>&\x00]+?)\1(?!')")
# A template whose name and arguments hold no markup (nor apostrophes, entities or line breaks): it shows
# nothing that can be known without the wiki. Its name starts with a letter ({{#if:…}}, {{{1}}} are left
# to the parser, as is any brace around it).
_SIMPLE_TEMPLATE = r"\{\{[A-Za-z][^{}\[\]<>|'&=\n\x00]*(?:\|[^{}\[\]<>'&\n\x00]*)?\}\}"
_SIMPLE_TEMPLATES = re.compile(r"(?<!\{)" + _SIMPLE_TEMPLATE + r"(?!\})")
# A <ref> footnote (which shows nothing where it stands) whose attributes are quoted names and whose body
# is text with at most simple links, simple templates and bracketed external links: every construct in it
# closes before </ref>.
_REF_ATTRIBUTES = r"""(?:\s+[a-z]+\s*=\s*"[^"<>{}\[\]\n\x00]*")*\s*"""
_REF_BODY = (
    r"(?:[^<>{}\[\]'&\n\x00]|'(?!')"
    r"|\[\[[^\[\]{}<>&|'\n]+(?:\|[^\[\]{}<>&|'\n]*)?\]\]"
    + "|" + _SIMPLE_TEMPLATE
    + r"|\[https?://[^\s\[\]<>{}\"'\x00]+(?:[ \t][^\[\]<>{}'&\n\x00]*)?\])*"
)
_SIMPLE_REFS = re.compile(r"<ref" + _REF_ATTRIBUTES + r"(?:/>|>" + _REF_BODY + r"</ref>)")
_REMOVED = "\x00"
"""What a footnote or template leaves while a line is reduced: it keeps the apostrophes around it apart, as
the node it is keeps them in mwparserfromhell's reading. A line holding NUL is never reduced."""


@dataclass(frozen=True)
class Masked:
    text: str
    unclosed_comment_at: int | None = None
    """Offset of a ``<!--`` never closed (the wiki hides everything after it), else None."""
    stray_translate_closes: tuple[int, ...] = ()
    """Offsets of the ``</translate>`` tags with no ``<translate>`` open."""
    unclosed_translates: int = 0
    """How many ``<translate>`` tags are never closed."""


def mask(text: str, reading: Reading = Reading.CELL) -> Masked:
    """``text`` with what ``reading`` hides masked, lines (in the CELL reading) and columns kept."""
    unclosed: list[int] = []
    strays: list[int] = []
    depth = 0
    cell = reading is Reading.CELL

    def blank(match: re.Match[str]) -> str:
        nonlocal depth
        found = match.group(0)
        closing = match.group("translate")
        if closing == "/":
            if depth == 0:
                strays.append(match.start())
            else:
                depth -= 1
        elif closing == "":
            depth += 1
        if not cell:
            return " " * len(found)
        if found.startswith("<!--") and not found.endswith("-->"):
            unclosed.append(match.start())
        return re.sub(r"[^\n]", BLANK, found)

    if cell:
        masked = _INVISIBLE.sub(blank, text.replace("\x00", BLANK))
    else:
        masked = _TRANSLATE_MARKERS.sub(blank, text)
    return Masked(masked, unclosed[0] if unclosed else None, tuple(strays), depth)


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


def collapse(text: str, reading: Reading = Reading.CELL) -> str:
    """``text`` with its runs of whitespace made one space, and trimmed; in the CELL reading, without BLANKs."""
    if reading is _CELL:
        text = text.replace(BLANK, "")
    return " ".join(text.split())


def strip_line(line: str) -> str:
    """A masked line without the spaces and blanked markup around it."""
    return line.strip(" \t\r" + BLANK)


def plain_text(fragment: str, reading: Reading = Reading.CELL) -> str:
    """Visible text of a wikitext fragment: links reduced to labels, markup, comments, footnotes and
    Translate markers dropped, whitespace collapsed."""
    return masked_plain_text(mask(fragment, reading).text, reading)


def masked_plain_text(fragment: str, reading: Reading = Reading.CELL) -> str:
    """:func:`plain_text` of a fragment that :func:`mask` has already masked for ``reading``."""
    if reading is Reading.LINE:
        return line_plain_text(fragment)
    if _NEEDS_PARSER.search(fragment):
        if not _NEEDS_FULL_PARSER.search(fragment):
            fragment = replace_simple_links(fragment)
        if _NEEDS_PARSER.search(fragment):
            return collapse(_plain(mwparserfromhell.parse(mask(fragment).text)))
    return collapse(fragment)


def line_plain_text(line: str) -> str:
    """The LINE reading's plain text of a masked line: without the parser when :func:`reduce_line` can."""
    reduced = reduce_line(line)
    return collapse(reduced if reduced is not None else _plain(mwparserfromhell.parse(line)), Reading.LINE)


def line_needs_parser(line: str) -> bool:
    """Whether a masked line holds anything mwparserfromhell reads as markup."""
    return line.startswith(LINE_START_MARKUP) or "''" in line or _LINE_MARKUP.search(line) is not None


def reduce_line(line: str) -> str | None:
    """A masked line (LINE reading) with its simple markup (links, bold and italics, templates, footnotes:
    see the patterns above) replaced by the text mwparserfromhell's reading gives it, when that leaves no
    markup; else None (the parser must read it). Not collapsed."""
    if not line_needs_parser(line):
        return line
    if line.startswith(LINE_START_MARKUP) or _REMOVED in line:
        return None
    removed = False
    if "<ref" in line:
        line, count = _SIMPLE_REFS.subn(_REMOVED, line)
        removed = count > 0
    if "[[" in line:
        line = replace_simple_links(line)
    if "{{" in line:
        line, count = _SIMPLE_TEMPLATES.subn(_REMOVED, line)
        removed = removed or count > 0
    if "''" in line:
        line = _SIMPLE_STYLE.sub(r"\2", line)
    if removed:
        line = line.replace(_REMOVED, "")
    return None if "''" in line or _LINE_MARKUP.search(line) else line


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


# -- tables read line by line -----------------------------------------------------------------------


_CELL_SEPARATOR = re.compile(r"\|\|")
_HEADER_CELL_SEPARATOR = re.compile(r"\|\||!!")


@dataclass
class TableCell:
    """A cell as the line reader reads it: from its marker (``|``, ``!``, ``||``, ``!!``) to the next
    marker or its line's end, then each line that continues it."""

    header: bool
    line: int
    """1-based line of its marker."""
    column: int
    """1-based column of its content's first visible character (after its attributes), or of its content's
    start when it shows nothing on its line."""
    at: int
    """Offset of its marker in the page."""
    marker: int
    """The marker's length: 2 for a cell after ``||`` or ``!!`` on its line."""
    parts: list[str]
    """Its wikitext on its marker's line (after its attributes), then each continuation line."""
    ends_line: bool
    """Whether it is the last cell on its marker's line."""

    @property
    def raw(self) -> str:
        return "\n".join(self.parts)

    @property
    def contents(self) -> str:
        """Its wikitext as mwparserfromhell gives a cell's contents: with the line break that ends it."""
        return self.raw + "\n" if self.ends_line else self.raw


CellT = TypeVar("CellT", bound=TableCell)


@dataclass
class TableRow(Generic[CellT]):
    line: int
    """1-based line of its first cell (0 while it has none)."""
    cells: list[CellT] = field(default_factory=list)


class TableReader(Generic[CellT]):
    """A table's rows of cells, read line by line as the wiki reads them: the caller says what each line
    is (a row line ``|-``, a cell line, a line continuing the cell above), and decides what it accepts.
    The first row holds the cells before any row line."""

    def __init__(self, line_starts: list[int], cell_type: type[CellT]) -> None:
        self.rows: list[TableRow[CellT]] = [TableRow(0)]
        self._line_starts = line_starts
        self._cell_type = cell_type

    def add_cells(self, number: int, line: str, marker_at: int) -> list[CellT]:
        """The cells of line ``number`` (1-based), whose first marker (``|`` or ``!``) is at ``marker_at``:
        split at ``||``, and in a header line at ``!!`` too."""
        header = line[marker_at] == "!"
        separator = _HEADER_CELL_SEPARATOR if header else _CELL_SEPARATOR
        row = self.rows[-1]
        if not row.cells:
            row.line = number
        line_start = self._line_starts[number - 1]
        markers = [(marker_at, 1)] + [(found.start(), 2) for found in separator.finditer(line, marker_at + 1)]
        ends = [at for at, _ in markers[1:]] + [len(line)]
        cells = []
        for (at, length), end in zip(markers, ends):
            content_at = _content_start(line, at + length, end)
            column = _first_visible(line, content_at, end) + 1
            cells.append(self._cell_type(header, number, column, line_start + at, length, [line[content_at:end]], end == len(line)))
        row.cells.extend(cells)
        return cells

    def continue_cell(self, line: str) -> bool:
        """Add ``line`` to the last cell of the last row; False when that row has no cell (the line is lost)."""
        cells = self.rows[-1].cells
        if cells:
            cells[-1].parts.append(line)
        return bool(cells)

    def new_row(self) -> None:
        self.rows.append(TableRow(0))


def _content_start(line: str, begin: int, end: int) -> int:
    """Where a cell's content begins: after its attributes (``style="…" |``) when it has any."""
    pipe = line.find("|", begin, end)
    if pipe < 0:
        return begin
    before = line[begin:pipe]
    if "[[" in before or "{{" in before:
        return begin
    return pipe + 1


def _first_visible(line: str, begin: int, end: int) -> int:
    position = begin
    while position < end and line[position] in " \t" + BLANK:
        position += 1
    return position if position < end else begin
