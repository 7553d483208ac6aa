"""The narrative parser as it was before the one-pass rewrite (commit 385beac, wikisync/shapes/themes.py),
kept as the oracle of tests/test_themes_equivalence.py: the fast parser must give the same Report.

It parses the whole page with mwparserfromhell for its headings and tables, then every line again.
Only its imports and the ThemeSections dataclass (imported from the real module) differ.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

import mwparserfromhell
from mwparserfromhell.nodes import Heading, Tag, Text
from mwparserfromhell.wikicode import Wikicode

from wikisync.model import (
    Anomaly,
    Comment,
    KeynoteElement,
    Priority,
    PriorityValue,
    Question,
    Report,
    Theme,
    Workshop,
)
from wikisync.shapes.themes.parser import ThemeSections
from wikisync.shapes.wikitext import plain_of as _plain

__all__ = ["parse_themes"]

# Translate-extension markup is replaced by spaces of the same length, so that every line and
# column the parser reports is a line and column of the page as its editors see it.
_TRANSLATE_MARKUP = re.compile(r"<languages\s*/>|<(/?)translate\b[^>]*>|<!--T:\d+-->|</?tvar\b[^>]*>")
_VALUE_WITH_NOTE = re.compile(r"^(?P<name>.+?)\s*\((?P<note>.*)\)$", re.S)
_BULLET = re.compile(r"^([*#]+)")


def parse_themes(text: str, title: str = "", revision: int | None = None, sections: ThemeSections = ThemeSections()) -> Report:
    """Parse a narrative report's wikitext. Never raises on bad markup."""
    return _Parser(text, title, revision, _Matcher(sections)).run()


def plain_text(wikitext: str) -> str:
    """Visible text of a wikitext fragment: links reduced to labels, markup and comments dropped."""
    return _plain_of(_mask_translate_markup(wikitext, [])[0])


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
    kind: str  # "heading", "para", "bullet", "table"
    line: int
    column: int = 1
    raw: str = ""
    text: str = ""
    level: int = 0
    node: Tag | None = None
    offset: int = 0


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


def _mask_translate_markup(text: str, anomalies: list[Anomaly]) -> tuple[str, list[Anomaly]]:
    depth = 0
    line_starts = _line_starts(text)

    def blank(match: re.Match[str]) -> str:
        nonlocal depth
        if match.group(0).lower().startswith("<translate") or match.group(0).lower().startswith("</translate"):
            if match.group(1):
                if depth == 0:
                    line, column = _position(line_starts, match.start())
                    anomalies.append(Anomaly("stray-translate-close", line, column, "</translate> without an opening <translate>"))
                else:
                    depth -= 1
            else:
                depth += 1
        return " " * len(match.group(0))

    masked = _TRANSLATE_MARKUP.sub(blank, text)
    if depth > 0:
        anomalies.append(Anomaly("unclosed-translate", len(line_starts), 1, f"{depth} <translate> tag(s) never closed"))
    return masked, anomalies


def _line_starts(text: str) -> list[int]:
    starts = [0]
    starts.extend(i + 1 for i, ch in enumerate(text) if ch == "\n")
    return starts


def _position(line_starts: list[int], offset: int) -> tuple[int, int]:
    index = bisect.bisect_right(line_starts, offset) - 1
    return index + 1, offset - line_starts[index] + 1


def _collapse(text: str) -> str:
    return " ".join(text.split())


class _Parser:
    def __init__(self, text: str, title: str, revision: int | None, sections: _Matcher) -> None:
        self.text = text
        self.sections = sections
        self.title = title
        self.revision = revision
        self.anomalies: list[Anomaly] = []
        self.masked, _ = _mask_translate_markup(text, self.anomalies)
        self.line_starts = _line_starts(self.masked)
        self.lines = self.masked.split("\n")

    # -- blocks ---------------------------------------------------------------------------------

    def blocks(self) -> list[_Block]:
        code = mwparserfromhell.parse(self.masked)
        claimed: dict[int, _Block] = {}
        skip: set[int] = set()
        offset = 0
        for node in code.nodes:
            length = len(str(node))
            line, column = _position(self.line_starts, offset)
            if isinstance(node, Heading):
                claimed[line] = _Block("heading", line, column, str(node), _collapse(_plain(node.title)), node.level)
            elif isinstance(node, Tag) and str(node.tag).lower() == "table" and node.wiki_markup == "{|":
                end_line, _ = _position(self.line_starts, offset + max(length - 1, 0))
                claimed[line] = _Block("table", line, column, node=node, offset=offset)
                skip.update(range(line + 1, end_line + 1))
            offset += length

        blocks: list[_Block] = []
        broken_table = False
        for number, raw in enumerate(self.lines, start=1):
            if number in claimed:
                blocks.append(claimed[number])
                broken_table = False
                continue
            if number in skip:
                continue
            stripped = raw.strip()
            if not stripped:
                blocks.append(_Block("blank", number))
                continue
            if stripped.startswith("{|"):
                self.anomalies.append(Anomaly("unclosed-table", number, raw.index("{|") + 1, "table opened with {| is never closed with |}"))
                broken_table = True
            if broken_table:
                continue
            bullet = _BULLET.match(raw)
            if bullet:
                content = raw[bullet.end():]
                column = bullet.end() + len(content) - len(content.lstrip()) + 1
                text = _plain_of(content)
                if re.match(r"^=+[^=].*=+$", content.strip()):
                    self.anomalies.append(Anomaly("heading-in-list", number, column, "a heading inside a list item is not a heading"))
                blocks.append(_Block("bullet", number, column, content, text, len(bullet.group(1))))
            elif stripped.startswith(("|}", "|-", "|", "!")) and not stripped.startswith("||"):
                self.anomalies.append(Anomaly("table-outside-table", number, raw.index(stripped[0]) + 1, "table markup outside a table"))
            else:
                text = _plain_of(raw)
                if not text:
                    blocks.append(_Block("blank", number))
                else:
                    blocks.append(_Block("para", number, len(raw) - len(raw.lstrip()) + 1, raw, text))
        return blocks

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

        for block in self.blocks():
            if block.kind == "heading":
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
            elif block.kind == "table":
                assert block.node is not None
                if priorities is None and (context == "questions" or self._is_priority_table(block.node)):
                    priorities = self._priorities(block.node, block.offset)
                    priorities_line = block.line
            elif block.kind == "para":
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
                    if "?" in block.text and not block.text.lower().startswith("note:"):
                        if previous_kind == "para" and question is not None and not question.options:
                            question.text += " " + block.text
                        else:
                            question = _QuestionDraft(block.text, block.line)
                            questions.append(question)
            elif block.kind == "bullet":
                if not block.text:
                    self.anomalies.append(Anomaly("empty-bullet", block.line, block.column, "empty list item"))
                elif context == "intro":
                    element = _keynote_element(block)
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
            if block.kind != "blank":
                previous_kind = block.kind
            else:
                previous_kind = "blank"

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
        )

    # -- the priorities table -------------------------------------------------------------------

    def _is_priority_table(self, table: Tag) -> bool:
        for cell in table.contents.filter_tags(recursive=True):
            if str(cell.tag).lower() == "th":
                return self.sections.is_priorities_header(_plain(cell.contents))
        return False

    def _priorities(self, table: Tag, table_offset: int) -> list[Priority]:
        rows: list[list[tuple[Tag, int]]] = [[]]
        cursor = table_offset
        for node in table.contents.nodes:
            if not isinstance(node, Tag):
                cursor = self._advance(node, cursor)
                continue
            name = str(node.tag).lower()
            if name == "tr":
                rows.append([])
                row_start = self.masked.find(str(node), cursor)
                inner = row_start
                for cell in node.contents.nodes:
                    if isinstance(cell, Tag) and str(cell.tag).lower() in ("td", "th"):
                        position = self.masked.find(str(cell), inner)
                        rows[-1].append((cell, position))
                        inner = position + len(str(cell))
                cursor = row_start + len(str(node))
            elif name in ("td", "th"):
                position = self.masked.find(str(node), cursor)
                rows[-1].append((node, position))
                cursor = position + len(str(node))
        priorities: list[Priority] = []
        for row in rows:
            if not row or all(str(cell.tag).lower() == "th" for cell, _ in row):
                continue
            first, first_at = row[0]
            contents_at = self.masked.find(str(first.contents), first_at)
            line, _ = _position(self.line_starts, contents_at + _leading_space(str(first.contents)))
            values: list[PriorityValue] = []
            for cell, cell_at in row[1:]:
                values.extend(self._values(cell, cell_at))
            priorities.append(Priority(_collapse(_plain(first.contents)), tuple(values), line))
        return priorities

    def _advance(self, node: object, cursor: int) -> int:
        found = self.masked.find(str(node), cursor)
        return cursor if found < 0 else found + len(str(node))

    def _values(self, cell: Tag, cell_at: int) -> list[PriorityValue]:
        contents = str(cell.contents)
        start = self.masked.find(contents, cell_at)
        values: list[PriorityValue] = []
        offset = start
        for raw_line in contents.split("\n"):
            bullet = _BULLET.match(raw_line)
            body = raw_line[bullet.end():] if bullet else raw_line
            text = _plain_of(body)
            if text:
                body_at = offset + (bullet.end() if bullet else 0) + _leading_space(body)
                line, column = _position(self.line_starts, body_at)
                values.append(_split_value(text, line, column))
            offset += len(raw_line) + 1
        return values


def _plain_of(wikitext: str) -> str:
    return _collapse(_plain(mwparserfromhell.parse(wikitext)))


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


def _keynote_element(block: _Block) -> KeynoteElement | None:
    """A list item of the form ``'''Name''': text``."""
    nodes = [n for n in mwparserfromhell.parse(block.raw).nodes if not (isinstance(n, Text) and not n.value.strip())]
    if len(nodes) < 2 or not (isinstance(nodes[0], Tag) and str(nodes[0].tag).lower() == "b"):
        return None
    rest = _collapse(_plain(Wikicode(nodes[1:])))
    if not rest.startswith(":"):
        return None
    return KeynoteElement(_collapse(_plain(nodes[0].contents)), rest[1:].strip(), block.line)
