"""Wikitext of a narrative report page (the All-Hands kind) -> :class:`wikisync.model.Report`.

The sections the parser looks for (the themes heading, the "What we heard" lead-in, the priorities
table's header, the questions heading) are :class:`ThemeSections`, so that other narrative reports
and translated pages can be read. Bad markup never raises: whatever can be recovered is returned
and what had to be worked around is recorded as :class:`Anomaly` records, which the checker
reports with their lines. mwparserfromhell's nodes never leave this module.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import NamedTuple, TypeGuard

import mwparserfromhell
from mwparserfromhell.nodes import Heading, Tag, Text
from mwparserfromhell.wikicode import Wikicode

from ...collection import collection_paused
from ...model import (
    Anomaly,
    Comment,
    KeynoteElement,
    Priority,
    PriorityValue,
    Question,
    Report,
    Theme,
    ThemeSections,
    Workshop,
)
from ..wikitext import (
    LINE_START_MARKUP,
    LineIndex,
    Reading,
    TableCell,
    TableReader,
    collapse,
    line_needs_parser,
    mask,
    reduce_line,
)
from ..wikitext import (
    plain_of as _plain,
)
from ..wikitext import (
    plain_text as _plain_text,
)

__all__ = ["ThemeSections", "parse_themes", "plain_text"]

_VALUE_WITH_NOTE = re.compile(r"^(?P<name>.+?)\s*\((?P<note>.*)\)$", re.S)
_BULLET = re.compile(r"^([*#]+)")
_QUESTION_MARK = re.compile("[?\uff1f\u061f]")
"""A question mark, also as Chinese and Japanese (fullwidth) and Arabic, Persian and Urdu write it: a translation's questions."""


def parse_themes(text: str, title: str = "", revision: int | None = None, sections: ThemeSections = ThemeSections()) -> Report:
    """Parse a narrative report's wikitext. Never raises on bad markup."""
    with collection_paused():
        return _Parser(text, title, revision, _Matcher(sections)).run()


def plain_text(wikitext: str) -> str:
    """Visible text of a wikitext fragment read as a line: links reduced to labels, markup and comments dropped."""
    return _plain_text(wikitext, Reading.LINE)


class _Matcher:
    """:class:`ThemeSections` as tests on a heading's, paragraph's or header cell's plain text."""

    def __init__(self, sections: ThemeSections) -> None:
        self._themes = _key(sections.themes)
        self._questions = _key(sections.questions)
        self._priorities = _key(sections.priorities)
        heard = _key(sections.heard)
        # the lead-in may go on ("What we heard:", "What we heard from staff"), but not inside a word
        self._heard = re.compile(re.escape(heard) + (r"(?!\w)" if re.match(r"\w", heard[-1]) else ""))

    def is_themes_heading(self, name: str) -> bool:
        return self._themes in name.lower()

    def is_questions_heading(self, name: str) -> bool:
        return self._questions in name.lower()

    def is_priorities_header(self, text: str) -> bool:
        return self._priorities in text.lower()

    def is_heard_lead(self, text: str) -> bool:
        return self._heard.match(text.lower()) is not None


def _key(words: str) -> str:
    return " ".join(words.split()).lower()


@dataclass
class _Block:
    kind: str  # "heading", "para", "bullet", "table", "blank"
    line: int
    column: int = 1
    raw: str = ""
    text: str = ""
    level: int = 0
    node: Tag | None = None
    """A table as mwparserfromhell read it (None for one the line reader read: see ``cells``)."""
    offset: int = 0
    cells: list[list[TableCell]] | None = None
    """A table read line by line: its rows of cells."""
    code: Wikicode | None = None
    """The parsed fragment, when it held markup (a keynote element is read from it)."""


class _Fragment(NamedTuple):
    """One line's (or one list item's) wikitext, parsed once however often it occurs."""

    text: str
    code: Wikicode | None
    """None for a fragment without markup, whose plain text is itself."""
    local: bool
    """True when nothing in it can reach into the next line: no construct it opens stays open."""


_BLANK = _Block("blank", 0)
"""Every blank line's block: nothing reads a blank block's line."""


@dataclass
class _ThemeDraft:
    name: str
    line: int
    summary: list[str] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)
    heard_line: int | None = None


@dataclass
class _QuestionDraft:
    text: str
    line: int
    options: list[str] = field(default_factory=list)


@dataclass
class _WorkshopDraft:
    name: str
    line: int
    prompts: list[str] = field(default_factory=list)


# A heading with the same number of = on both sides and no markup in its title.
_SIMPLE_HEADING = re.compile(r"(={1,6})([^=\[\]{}<>&'\x00]*[^=\[\]{}<>&'\x00\s][^=\[\]{}<>&'\x00]*)\1[ \t]*")
# What mwparserfromhell leaves as text when the construct it opens is not closed in the fragment:
# in the whole page it might close on a later line, so the page is not read line by line.
_OPENERS = re.compile(r"\{\{|\{\||\[\[|<|''")


# A table the line reader reads: each line is a cell line (``|`` split at ``||``, ``!`` split at ``!!``),
# a row line (``|-``) or a continuation of the cell above, at column 1, with none of the markup that
# could move a cell's bounds (links, templates, tags, nested tables, cell attributes, captions). A ``||``
# in a header line makes a header or a data cell by what came before it: such a table, and any other,
# is left to mwparserfromhell.
_TABLE_UNSAFE = re.compile(r"[\[\]{}<>\x00]")
_TABLE_ATTRIBUTES_UNSAFE = re.compile(r"[\[\]{}<>|!'&\x00]")
_ROW_ATTRIBUTES_UNSAFE = re.compile(r"[\[\]{}<>|!'&\-\x00]")


# The lines the scan looks at: a heading's (starting with =) and a table's (its text starting with {|;
# \s is what str.strip strips).
_STRUCTURE_LINE = re.compile(r"^(?:=|[^\S\n]*\{\|)", re.M)
_HEADING_IN_LIST = re.compile(r"=+[^=].*=+")


class _FallBack(Exception):
    """The page has markup that spans lines: its structure must come from parsing it whole."""


def _is_local(fragment: str, code: Wikicode) -> bool:
    if _OPENERS.search(fragment) is None:
        return True
    return not _leaves_open(code)


def _leaves_open(code: Wikicode) -> bool:
    """Whether a text node anywhere in ``code`` holds an opener the parser could not close."""
    pending = [code]
    while pending:
        for node in pending.pop().nodes:
            if type(node) is Text:
                if _OPENERS.search(node.value):
                    return True
            else:
                pending.extend(node.__children__())
    return False


def _is_table(node: object) -> TypeGuard[Tag]:
    return isinstance(node, Tag) and node.wiki_markup == "{|" and str(node.tag).lower() == "table"


class _Parser:
    def __init__(self, text: str, title: str, revision: int | None, sections: _Matcher) -> None:
        self.sections = sections
        self.title = title
        self.revision = revision
        self.anomalies: list[Anomaly] = []
        masked = mask(text, Reading.LINE)
        if masked.stray_translate_closes:
            original = LineIndex(text)  # a masked tag may hold a line break: positions are the page's
            for offset in masked.stray_translate_closes:
                line, column = original.position(offset)
                self.anomalies.append(Anomaly("stray-translate-close", line, column, "</translate> without an opening <translate>"))
        if masked.unclosed_translates:
            self.anomalies.append(Anomaly("unclosed-translate", text.count("\n") + 1, 1,
                                          f"{masked.unclosed_translates} <translate> tag(s) never closed"))
        self.masked = masked.text
        self.lines = self.masked.split("\n")
        self.index = LineIndex.of_lines(self.lines)
        self._fragments: dict[str, _Fragment] = {}

    def fragment(self, wikitext: str) -> _Fragment:
        found = self._fragments.get(wikitext)
        if found is None:
            simple = reduce_line(wikitext)
            found = _Fragment(collapse(simple, Reading.LINE), None, True) if simple is not None else self._parsed(wikitext)
            self._fragments[wikitext] = found
        return found

    def parsed(self, wikitext: str) -> Wikicode:
        """The fragment as mwparserfromhell reads it, even when its text was found without it."""
        found = self.fragment(wikitext)
        if found.code is None:
            found = self._fragments[wikitext] = self._parsed(wikitext)
        assert found.code is not None  # _parsed always keeps what mwparserfromhell read
        return found.code

    def _parsed(self, wikitext: str) -> _Fragment:
        code = mwparserfromhell.parse(wikitext)
        return _Fragment(collapse(_plain(code), Reading.LINE), code, _is_local(wikitext, code))

    def plain(self, wikitext: str) -> str:
        return self.fragment(wikitext).text

    # -- blocks ---------------------------------------------------------------------------------

    def blocks(self) -> list[_Block]:
        """The page as blocks, one per line except for a table. Headings and tables are found line by
        line, parsing only the lines that hold markup and each table once; a page where some markup
        spans lines (a template, a tag or a link left open on its line) is parsed whole instead, and
        gives the same blocks as that would."""
        if "\x00" not in self.masked:  # mwparserfromhell stops reading a page at a NUL
            try:
                return self._line_blocks(*self._scanned_structure(), strict=True)
            except _FallBack:
                pass
        return self._line_blocks(*self._parsed_structure(), strict=False)

    def _scanned_structure(self) -> tuple[dict[int, _Block], dict[int, int]]:
        claimed: dict[int, _Block] = {}
        skip_to: dict[int, int] = {}
        lines = self.lines
        starts = self.index.starts
        after = -1  # the last line of the table last read: lines up to it are the table's
        for match in _STRUCTURE_LINE.finditer(self.masked):
            number = bisect.bisect_right(starts, match.start()) - 1
            if number <= after:
                continue
            raw = lines[number]
            if raw.startswith("="):
                simple = _SIMPLE_HEADING.fullmatch(raw)
                if simple is not None:
                    level, title = len(simple.group(1)), simple.group(2)
                    claimed[number + 1] = _Block("heading", number + 1, 1, simple.group(0).rstrip(" \t"), collapse(title, Reading.LINE), level)
                    continue
                fragment = self.fragment(raw)
                nodes = fragment.code.nodes if fragment.code is not None else []
                if nodes and isinstance(nodes[0], Heading):
                    if not fragment.local or any(isinstance(n, Heading) or _is_table(n) for n in nodes[1:]):
                        raise _FallBack
                    heading = nodes[0]
                    claimed[number + 1] = _Block("heading", number + 1, 1, str(heading), collapse(_plain(heading.title), Reading.LINE), heading.level)
            else:  # a line whose text starts with {|
                end = self._table_end(number)
                claimed[number + 1] = self._line_table(number, end) or self._table_block(number, end)
                skip_to[number + 2] = end + 1
                after = end
        return claimed, skip_to

    def _table_end(self, start: int) -> int:
        """The line that closes the table opened on line index ``start``, counting nested tables."""
        depth = 0
        for number in range(start, len(self.lines)):
            stripped = self.lines[number].lstrip()
            if stripped.startswith("{|"):
                depth += 1
            elif stripped.startswith("|}"):
                depth -= 1
                if depth == 0:
                    return number
        raise _FallBack  # an unclosed table: what it swallows is for the whole-page parse to say

    def _table_block(self, start: int, end: int) -> _Block:
        first = self.lines[start]
        code = mwparserfromhell.parse("\n".join(self.lines[start:end + 1]))
        nodes = code.nodes
        lead = len(first) - len(first.lstrip())
        closing = sum(len(line) + 1 for line in self.lines[start:end]) + self.lines[end].index("|}") + 2
        if lead:
            if not (nodes and isinstance(nodes[0], Text) and nodes[0].value == first[:lead]):
                raise _FallBack
            nodes = nodes[1:]
        table = nodes[0] if nodes else None
        if not _is_table(table) or lead + len(str(table)) != closing:
            raise _FallBack
        if any(_OPENERS.search(text.value) for text in code.filter_text(recursive=True)):
            raise _FallBack
        # bold or italics that a cell carries over a line break: in the whole page they might not close there
        if any(tag.wiki_markup in ("''", "'''") and "\n" in str(tag) for tag in code.filter_tags(recursive=True)):
            raise _FallBack
        offset = self.index.offset_of_line(start + 1) + lead
        return _Block("table", start + 1, lead + 1, node=table, offset=offset)

    def _line_table(self, start: int, end: int) -> _Block | None:
        """The table from line index ``start`` to ``end`` read line by line, when it is simple enough
        (see ``_TABLE_UNSAFE``) to give the cells mwparserfromhell would; else None."""
        lines = self.lines
        first = lines[start]
        if not first.startswith("{|") or _TABLE_ATTRIBUTES_UNSAFE.search(first, 2) or lines[end] != "|}":
            return None
        offset = self.index.offset_of_line(start + 1)
        reader = TableReader(self.index.starts, TableCell)
        for number in range(start + 1, end):
            line = lines[number]
            if line.startswith(("|", "!")):
                if line.startswith("|-"):
                    if _ROW_ATTRIBUTES_UNSAFE.search(line, 2):
                        return None
                    reader.new_row()
                elif line.startswith(("||", "!!", "|+", "|}")) or _TABLE_UNSAFE.search(line):
                    return None
                else:
                    header = line[0] == "!"
                    if header and "||" in line:
                        return None
                    segments = line[1:].split("!!" if header else "||")
                    if len(segments) > 1 and "''" in line:
                        return None
                    for segment in segments:
                        if "|" in segment or segment.startswith(LINE_START_MARKUP) or not self._table_local(segment):
                            return None
                    reader.add_cells(number + 1, line, 0)
            else:
                stripped = line.lstrip()
                if stripped.startswith(("|", "!", "{|")) or _TABLE_UNSAFE.search(line) or "|" in line or "!!" in line:
                    return None
                if not self._table_local(line):
                    return None
                if not reader.continue_cell(line) and len(reader.rows) == 1:
                    return None  # text before the first cell: where its cells are found is for mwparserfromhell to say
        rows = [row.cells for row in reader.rows]
        if rows[0]:
            rows[0] = self._found_cells(rows[0], offset)
        return _Block("table", start + 1, 1, offset=offset, cells=rows)

    def _found_cells(self, cells: list[TableCell], cursor: int) -> list[TableCell]:
        """The cells before a table's first row line, at the offsets :meth:`_parsed_rows` finds them:
        searched for from the table's start (a cell ``|`` can be found in ``{|``)."""
        found: list[TableCell] = []
        for cell in cells:
            text = self.masked[cell.at:cell.at + cell.marker] + cell.contents
            at = self.masked.find(text, cursor)
            found.append(dataclasses.replace(cell, at=at))
            cursor = at + len(text)
        return found

    def _table_local(self, wikitext: str) -> bool:
        """Whether bold or italics in a line of a table close on it (else mwparserfromhell must say)."""
        return "''" not in wikitext or self.fragment(wikitext).local

    def _parsed_structure(self) -> tuple[dict[int, _Block], dict[int, int]]:
        code = mwparserfromhell.parse(self.masked)
        claimed: dict[int, _Block] = {}
        skip_to: dict[int, int] = {}
        offset = 0
        for node in code.nodes:
            length = len(str(node))
            line, column = self.index.position(offset)
            if isinstance(node, Heading):
                claimed[line] = _Block("heading", line, column, str(node), collapse(_plain(node.title), Reading.LINE), node.level)
            elif _is_table(node):
                end_line, _ = self.index.position(offset + max(length - 1, 0))
                claimed[line] = _Block("table", line, column, node=node, offset=offset)
                if end_line > line:
                    skip_to[line + 1] = end_line
            offset += length
        return claimed, skip_to

    def _line_blocks(self, claimed: dict[int, _Block], skip_to: dict[int, int], strict: bool) -> list[_Block]:
        """Every line not claimed by a heading or a table, as a block (blank lines all as one block, whose
        line nobody reads). ``strict``: the structure came from the line scan, so a line whose markup
        reaches into the next one raises :class:`_FallBack`."""
        blocks: list[_Block] = []
        append = blocks.append
        anomalies: list[Anomaly] = []
        fragments = self._fragments
        lines = self.lines
        broken_table = False
        number = 0
        count = len(lines)
        while number < count:
            number += 1
            raw = lines[number - 1]
            if number in claimed:
                append(claimed[number])
                broken_table = False
                continue
            if number in skip_to:
                number = skip_to[number]
                continue
            stripped = raw.strip()
            if not stripped:
                append(_BLANK)
                continue
            if stripped.startswith("{|"):
                anomalies.append(Anomaly("unclosed-table", number, raw.index("{|") + 1, "table opened with {| is never closed with |}"))
                broken_table = True
            if broken_table:
                continue
            first = stripped[0]
            if raw[0] == "*" or raw[0] == "#":
                depth = len(raw) - len(raw.lstrip("*#"))
                content = raw[depth:]
                column = len(raw) - len(content.lstrip()) + 1
                fragment = fragments.get(content) or self.fragment(content)
                if strict and fragment.code is not None:
                    self._check_local(fragment)
                if "=" in content and _HEADING_IN_LIST.fullmatch(content.strip()):
                    anomalies.append(Anomaly("heading-in-list", number, column, "a heading inside a list item is not a heading"))
                append(_Block("bullet", number, column, content, fragment.text, depth, code=fragment.code))
            elif (first == "|" or first == "!") and not stripped.startswith("||"):
                if strict and _OPENERS.search(raw):
                    raise _FallBack
                anomalies.append(Anomaly("table-outside-table", number, raw.index(first) + 1, "table markup outside a table"))
            else:
                fragment = fragments.get(raw) or self.fragment(raw)
                if strict and fragment.code is not None:
                    self._check_local(fragment)
                if not fragment.text:
                    append(_BLANK)
                else:
                    append(_Block("para", number, len(raw) - len(raw.lstrip()) + 1, raw, fragment.text, code=fragment.code))
        self.anomalies.extend(anomalies)
        return blocks

    def _check_local(self, fragment: _Fragment) -> None:
        """Raise :class:`_FallBack` for a parsed fragment whose markup may reach into the next line, or
        that holds a heading or a table (which only the whole page's parse places)."""
        assert fragment.code is not None
        if not fragment.local or any(isinstance(n, Heading) or _is_table(n) for n in fragment.code.nodes):
            raise _FallBack


    # -- structure ------------------------------------------------------------------------------

    def run(self) -> Report:
        keynote: list[KeynoteElement] = []
        workshops: list[_WorkshopDraft] = []
        themes: list[_ThemeDraft] = []
        questions: list[_QuestionDraft] = []
        stray: list[Comment] = []
        priorities: list[Priority] | None = None
        priorities_line: int | None = None

        context = "intro"
        themes_level = 0
        workshop: _WorkshopDraft | None = None
        question: _QuestionDraft | None = None
        previous_kind = "blank"
        headings: list[str] = []

        for block in self.blocks():
            kind = block.kind
            if kind == "heading":
                headings.append(block.text)
                workshop = None
                question = None
                name = block.text
                if context in ("themes", "theme") and block.level > themes_level:
                    themes.append(_ThemeDraft(name, block.line))
                    context = "theme"
                elif self.sections.is_themes_heading(name):
                    context, themes_level = "themes", block.level
                elif self.sections.is_questions_heading(name):
                    context = "questions"
                else:
                    context = "other"
            elif kind == "table":
                if priorities is None:
                    if context == "questions" or self._is_priority_table(block):
                        priorities = self._priorities(block)
                        priorities_line = block.line
            elif kind == "para":
                if context == "intro":
                    if _is_label(block.raw, block.text):
                        workshop = _WorkshopDraft(block.text.rstrip(":").strip(), block.line)
                        workshops.append(workshop)
                    elif workshop is not None and workshop.prompts:
                        workshop = None
                elif context == "theme":
                    theme = themes[-1]
                    if self.sections.is_heard_lead(block.text):
                        if theme.heard_line is None:
                            theme.heard_line = block.line
                    elif theme.heard_line is None and not theme.comments:
                        if previous_kind == "para" and theme.summary:
                            theme.summary[-1] += " " + block.text
                        else:
                            theme.summary.append(block.text)
                elif context == "questions":
                    if _QUESTION_MARK.search(block.text) and not block.text.lower().startswith("note:"):
                        if previous_kind == "para" and question is not None and not question.options:
                            question.text += " " + block.text
                        else:
                            question = _QuestionDraft(block.text, block.line)
                            questions.append(question)
            elif kind == "bullet":
                if not block.text:
                    self.anomalies.append(Anomaly("empty-bullet", block.line, block.column, "empty list item"))
                elif context == "intro":
                    element = _keynote_element(block, self)
                    if element is not None:
                        keynote.append(element)
                    elif workshop is not None:
                        workshop.prompts.append(block.text)
                elif context == "theme":
                    themes[-1].comments.append(Comment(block.text, block.line, block.column))
                elif context == "themes":
                    stray.append(Comment(block.text, block.line, block.column))
                elif context == "questions":
                    if question is not None:
                        question.options.append(block.text)
                    else:
                        self.anomalies.append(Anomaly("option-without-question", block.line, block.column, "list item with no question before it"))
            previous_kind = kind

        return Report(
            title=self.title,
            revision=self.revision,
            keynote=tuple(keynote),
            workshops=tuple(Workshop(w.name, tuple(w.prompts), w.line) for w in workshops),
            themes=tuple(
                Theme(t.name, "\n\n".join(t.summary), t.line, tuple(t.comments), t.heard_line) for t in themes
            ),
            priorities=tuple(priorities or ()),
            questions=tuple(Question(q.text, tuple(q.options), q.line) for q in questions),
            stray_comments=tuple(stray),
            anomalies=tuple(sorted(self.anomalies, key=lambda a: (a.line, a.column))),
            line_count=len(self.lines),
            priorities_line=priorities_line,
            headings=tuple(headings),
        )

    # -- the priorities table -------------------------------------------------------------------

    def _is_priority_table(self, block: _Block) -> bool:
        if block.cells is not None:
            for row in block.cells:
                for cell in row:
                    if cell.header:
                        return self.sections.is_priorities_header(_raw_plain(cell.contents))
            return False
        assert block.node is not None
        for tag in block.node.contents.filter_tags(recursive=True):
            if str(tag.tag).lower() == "th":
                return self.sections.is_priorities_header(_plain(tag.contents))
        return False

    def _priorities(self, block: _Block) -> list[Priority]:
        rows: Sequence[Sequence[tuple[bool, str, int, Wikicode | None]]]
        if block.cells is not None:
            rows = [[(cell.header, cell.contents, cell.at, None) for cell in row] for row in block.cells]
        else:
            assert block.node is not None
            rows = self._parsed_rows(block.node, block.offset)
        priorities: list[Priority] = []
        for row in rows:
            if not row or all(header for header, _, _, _ in row):
                continue
            _, first_contents, first_at, first_code = row[0]
            contents_at = self.masked.find(first_contents, first_at)
            line, _ = self.index.position(contents_at + _leading_space(first_contents))
            values: list[PriorityValue] = []
            for _, contents, cell_at, _ in row[1:]:
                values.extend(self._values(contents, cell_at))
            name = collapse(_plain(first_code) if first_code is not None else _raw_plain(first_contents), Reading.LINE)
            priorities.append(Priority(name, tuple(values), line))
        return priorities

    def _parsed_rows(self, table: Tag, table_offset: int) -> list[list[tuple[bool, str, int, Wikicode]]]:
        """A table mwparserfromhell read, as rows of (header, contents, offset of the cell, its parsed contents)."""
        rows: list[list[tuple[bool, str, int, Wikicode]]] = [[]]
        cursor = table_offset
        for node in table.contents.nodes:
            if not isinstance(node, Tag):
                cursor = self._advance(node, cursor)
                continue
            name = str(node.tag).lower()
            if name == "tr":
                rows.append([])
                row_text = str(node)
                row_start = self.masked.find(row_text, cursor)
                inner = row_start
                for cell in node.contents.nodes:
                    if isinstance(cell, Tag) and str(cell.tag).lower() in ("td", "th"):
                        cell_text = str(cell)
                        position = self.masked.find(cell_text, inner)
                        rows[-1].append((str(cell.tag).lower() == "th", str(cell.contents), position, cell.contents))
                        inner = position + len(cell_text)
                cursor = row_start + len(row_text)
            elif name in ("td", "th"):
                cell_text = str(node)
                position = self.masked.find(cell_text, cursor)
                rows[-1].append((name == "th", str(node.contents), position, node.contents))
                cursor = position + len(cell_text)
        return rows

    def _advance(self, node: object, cursor: int) -> int:
        text = str(node)
        found = self.masked.find(text, cursor)
        return cursor if found < 0 else found + len(text)

    def _values(self, contents: str, cell_at: int) -> list[PriorityValue]:
        start = self.masked.find(contents, cell_at)
        values: list[PriorityValue] = []
        offset = start
        for raw_line in contents.split("\n"):
            bullet = _BULLET.match(raw_line)
            body = raw_line[bullet.end():] if bullet else raw_line
            text = self.plain(body)
            if text:
                body_at = offset + (bullet.end() if bullet else 0) + _leading_space(body)
                line, column = self.index.position(body_at)
                values.append(_split_value(text, line, column))
            offset += len(raw_line) + 1
        return values


def _raw_plain(contents: str) -> str:
    """The visible text of a cell the line reader read (no links, templates or tags: see ``_TABLE_UNSAFE``),
    not collapsed, as mwparserfromhell's reading of the cell would give it."""
    if "''" not in contents and "&" not in contents and "\n" not in contents.rstrip("\n"):
        return contents
    return _plain(mwparserfromhell.parse(contents))


def _leading_space(text: str) -> int:
    return len(text) - len(text.lstrip())


def _split_value(text: str, line: int, column: int) -> PriorityValue:
    match = _VALUE_WITH_NOTE.match(text)
    if match and match.group("name").strip():
        return PriorityValue(match.group("name").strip(), match.group("note").strip(), line, column)
    return PriorityValue(text, "", line, column)


def _is_label(raw: str, text: str) -> bool:
    """A short paragraph that is bold as a whole and ends in a colon: a workshop's name."""
    stripped = raw.strip()
    return text.endswith(":") and len(text) <= 80 and stripped.startswith("'''") and stripped.endswith("'''")


def _keynote_element(block: _Block, parser: _Parser) -> KeynoteElement | None:
    """A list item of the form ``'''Name''': text``."""
    if not line_needs_parser(block.raw):  # no markup, so no bold name
        return None
    nodes = [n for n in parser.parsed(block.raw).nodes if not (isinstance(n, Text) and not n.value.strip())]
    if len(nodes) < 2 or not (isinstance(nodes[0], Tag) and str(nodes[0].tag).lower() == "b"):
        return None
    rest = collapse(_plain(Wikicode(nodes[1:])), Reading.LINE)
    if not rest.startswith(":"):
        return None
    return KeynoteElement(collapse(_plain(nodes[0].contents), Reading.LINE), rest[1:].strip(), block.line)
