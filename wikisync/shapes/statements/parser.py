"""Wikitext of a statement page (a 2017 strategy source page) -> :class:`StatementReport`.

The page is read line by line as the wiki reads tables (``{|``, ``|-``, ``|``/``!`` cells split
on ``||``/``!!``, ``|}``), so that every position is exact and a 2,000-row table is one pass;
only cells holding markup go through mwparserfromhell (in :mod:`wikisync.shapes.wikitext`).
Bad markup never raises: what had to be worked around becomes an :class:`Anomaly`.

Ids are ``§<code>.<line>``. The second row numbered 3 gets ``§<code>.3-2`` (the third ``3-3``);
a row with a missing or non-numeric number takes the id of the numbered row before it plus
``+1``, ``+2``… (``§Fr1.5+1``, or ``§Fr1.0+1`` before any number). In a table without a Line
column, rows are numbered 1, 2, … in the order of the page. Ids are therefore unique, and stable
as long as rows are not reordered.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from ...errors import ConfigError
from ..records import (
    CODED_ROLES,
    ROLES,
    Anomaly,
    Codebook,
    Column,
    KeyEntry,
    SourceInfo,
    Statement,
    StatementReport,
    TableInfo,
    UncertainCode,
)
from ..wikitext import (
    BLANK,
    LineIndex,
    TableCell,
    TableReader,
    TableRow,
    collapse,
    mask,
    masked_plain_text,
    plain_text,
    strip_line,
)

__all__ = ["COLUMN_ALIASES", "FAMILIES", "parse_participants", "parse_statements", "split_codes"]

COLUMN_ALIASES: Mapping[str, str] = MappingProxyType({
    **dict.fromkeys(("line", "line #", "line number", "line no", "#", "no", "nr", "number"), "line"),
    **dict.fromkeys(("statement", "statements", "summary statement", "summary statements", "summary sentence",
                     "summary", "statement (summary sentence)"), "statement"),
    **dict.fromkeys(("keywords", "keyword", "key words", "key word", "keyword or phrase", "keywords or phrases",
                     "keyword(s)"), "keywords"),
    **dict.fromkeys(("theme", "themes", "theme (refer to key)"), "theme"),
    **dict.fromkeys(("question", "questions", "question (refer to key)"), "question"),
    **dict.fromkeys(("users", "user", "usernames", "username", "user names"), "users"),
    **dict.fromkeys(("week #", "week", "week number", "week no"), "week"),
    **dict.fromkeys(("key insight", "key insights", "insight", "insights"), "insight"),
    **dict.fromkeys(("overall", "overall sentiment", "sentiment"), "overall"),
    "section": "section",
    "priority": "priority",
})
"""Header text (lower case, spaces collapsed) -> role. ``columns=`` adds to and overrides these."""

FAMILIES: Mapping[str, tuple[str, ...]] = MappingProxyType({
    "cycle 1": ("line", "statement", "keywords"),
    "cycle 2": ("line", "theme", "question", "statement", "keywords"),
    "cycle 2 with users": ("line", "theme", "question", "statement", "keywords", "users"),
    "cycle 3": ("line", "week", "insight", "statement", "overall", "keywords"),
    "drafting feedback": ("section", "priority", "statement", "overall", "keywords"),
})
"""The column orders of the known page families, for a table whose header row is missing."""

_SENTIMENTS = frozenset({"supportive", "support", "concern", "concerned", "neutral", "positive", "negative", "mixed"})
_NONE = frozenset({"", "none", "-", "–", "—", "n/a", "na", "?", "nil"})
_DOUBT = re.compile(r"\?|\b(possibl[ey]|maybe|perhaps|probabl[ey]|unclear|not clear(ly)?|partly|partially|indirectly)\b", re.I)
_PLAIN_CODE = re.compile(r"[A-Za-z0-9]{1,3}")
_PLAIN_CODES = re.compile(r"\s*[A-Za-z0-9]{1,3}(?:\s*[,+/&;]\s*[A-Za-z0-9]{1,3})*\s*")
_CODE_SEPARATORS = re.compile(r"\s*(?:[,+/&;\n]|\band\b)\s*", re.I)
_ROLE_WORD = re.compile(r"^(?:theme|question|q|week|insight|section|priority)\s*(?=\w)", re.I)
_PARENTHESIS = re.compile(r"\(([^()]*)\)")
_LINE_NUMBER = re.compile(r"^[#№]?\s*(\d{1,7})\s*[.:)]?$")
_EXAMPLE_CELL = re.compile(r"^\[?\s*example\b(?!s)", re.I)
_FILLER_ROW = re.compile(r"\bexample\b.*\btable only\b", re.I)
_EXAMPLE_INTRO = re.compile(r"\bexamples?\b", re.I)
_HEADING = re.compile(r"^(=+)(.*?)\1\s*$")
_LIST_MARK = re.compile(r"^[*#:;]+\s*")
_BULLET = re.compile(r"^[*#]+\s*")
_KEYWORDS_LEAD = re.compile(r"^key\s?words?\s*:\s*", re.I)
_ITEM_SEPARATORS = re.compile(r"\s*[,;]\s*")
_ATTRIBUTION = re.compile(r"\(([^()]{1,60})\)\s*\.?$")
_CHANNEL = re.compile(r"^(?:in|on|via|from|through|at)\b", re.I)
_USER_LINK = re.compile(r"\[\[\s*(?:user|user talk|special:contributions/)", re.I)
_USER_PREFIX = re.compile(r"^(?:user|user talk)\s*:\s*", re.I)
_PARTICIPANTS = re.compile(
    r"(?:~|≈|ca\.?|c\.|approx(?:\.|imately)?|about|around|roughly|over|more than)?\s*(\d[\d,]{0,11})\s*\+?\s*"
    r"(?:\([^)]*\))?\s*(?:people|participants|persons|users|attendees)?\s*\.?",
    re.I,
)
_INFO_LABELS = (
    ("group", re.compile(r"^name of (?:the )?group\b(?:\s*\([^)]*\))*\s*:?\s*", re.I)),
    ("location_type", re.compile(r"^location type\b(?:\s*\([^)]*\))*\s*:?\s*", re.I)),
    ("location", re.compile(
        r"^(?:virtual location|physical location|location)\b(?:\s*\([^)]*\))*"
        r"(?:\s*or physical location\b(?:\s*\([^)]*\))*)?\s*:?\s*", re.I)),
    ("participants", re.compile(
        r"^(?:#|number|no\.?|count) of participants\b(?:\s+in (?:this|the) discussion)?(?:\s*\([^)]*\))*\s*:?\s*", re.I)),
)
_KEY_INTROS = (
    ("theme", re.compile(r"^(?=.*\bthemes?\b)(?=.*\bkey\b)", re.I)),
    ("question", re.compile(r"^(?=.*\bquestions?\b)(?=.*\bkey\b)", re.I)),
    ("insight", re.compile(r"^(?=.*\binsights?\b)(?=.*\bkey\b)", re.I)),
)
_KEY_ITEM = re.compile(r"^(?:#+\s*|\*?\s*(?:\d+|[A-Za-z])\s*[.):]\s+|\*?\s*(?:\d+|[A-Za-z])\s+[-–—]\s+)(?P<label>.+)$")
_KEY_INTRO_LIMIT = 80
_LABEL_STOPWORDS = frozenset({"a", "an", "the", "of", "in", "and", "to", "for"})
_LABEL_RATIO = 0.75


def parse_statements(
    text: str,
    title: str = "",
    revision: int | None = None,
    *,
    codebook: Codebook | None = None,
    columns: Mapping[str, str] | None = None,
    code: str | None = None,
) -> StatementReport:
    """Parse a statement page. Never raises on the page's text.

    ``columns`` maps a role (see :data:`wikisync.shapes.records.ROLES`) to the header text that
    names it on this page; ``code`` is the id prefix (``Fr1``). Raises ConfigError only for a role
    that does not exist.
    """
    return _Parser(text, title, revision, codebook, _header_roles(columns or {}), _id_prefix(code, title)).run()


def split_codes(cell: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(codes, the doubtful ones) of a coded cell's plain text: ``A (possibly), C + B`` -> (A, C, B), (A,)."""
    if cell.strip().lower() in _NONE:
        return (), ()
    if _PLAIN_CODES.fullmatch(cell):
        return tuple(_normalised_code(token) for token in _PLAIN_CODE.findall(cell)), ()
    cell = cell.replace("\x01", " ")  # the placeholder of a parenthesis, below
    notes: list[str] = []

    def hide(match: re.Match[str]) -> str:
        notes.append(match.group(1))
        return f"\x01{len(notes) - 1}\x01"

    codes: list[str] = []
    doubtful: list[str] = []
    for piece in _CODE_SEPARATORS.split(_PARENTHESIS.sub(hide, cell)):
        attached = [notes[int(n)] for n in re.findall(r"\x01(\d+)\x01", piece)]
        bare = re.sub(r"\x01\d+\x01", " ", piece)
        doubt = bool(_DOUBT.search(bare)) or any(_DOUBT.search(note) for note in attached)
        if not bare.replace("?", "").strip() and attached:
            bare = _DOUBT.sub(" ", " ".join(attached))
        for token in _code_tokens(bare):
            codes.append(token)
            if doubt:
                doubtful.append(token)
    return tuple(codes), tuple(doubtful)


def parse_participants(text: str) -> int | None:
    """``30+`` -> 30, ``~ 43`` -> 43, ``31 (16 women, 15 men)`` -> 31; anything else None."""
    match = _PARTICIPANTS.fullmatch(collapse(text))
    return int(match.group(1).replace(",", "")) if match else None


# -- configuration --------------------------------------------------------------------------


def _header_key(text: str) -> str:
    return collapse(text).lower().strip(" :*.")


def _header_roles(overrides: Mapping[str, str]) -> Mapping[str, str]:
    roles = dict(COLUMN_ALIASES)
    for role, header in overrides.items():
        if role not in ROLES:
            raise ConfigError(f"columns: unknown role {role!r} (known: {', '.join(ROLES)})")
        roles[_header_key(plain_text(header))] = role
    return roles


def _id_prefix(code: str | None, title: str) -> str:
    if code is not None:
        cleaned = re.sub(r"[^A-Za-z0-9_-]", "", code)
        if cleaned:
            return cleaned
    slug = re.sub(r"[^A-Za-z0-9]", "", title.rsplit("/", 1)[-1])[:16]
    return slug or "S"


def _code_tokens(piece: str) -> Iterator[str]:
    piece = piece.replace("?", " ").strip(" .:'\"[]")
    if piece.lower() in _NONE:
        return
    parts = piece.split()
    if len(parts) > 1 and all(len(part) <= 2 for part in parts) and not _ROLE_WORD.match(piece):
        for part in parts:
            yield from _code_tokens(part)
        return
    token = _ROLE_WORD.sub("", piece).strip()
    if token:
        yield _normalised_code(token)


def _normalised_code(token: str) -> str:
    if token.isdecimal() and len(token) <= 9:
        return str(int(token))
    if re.fullmatch(r"[A-Za-z]\d*", token):
        return token.upper()
    return collapse(token).lower()


def _label_key(label: str) -> str:
    words = re.sub(r"[^\w]+", " ", label.lower()).split()
    return " ".join(word for word in words if word not in _LABEL_STOPWORDS)


def _match_label(label: str, labels: Mapping[str, str]) -> str | None:
    """The code whose label this label names, compared as words (never by position)."""
    key = _label_key(label)
    if not key:
        return None
    best, best_ratio = None, 0.0
    for code, candidate in labels.items():
        other = _label_key(candidate)
        if not other:
            continue
        if key == other or key.startswith(other + " ") or other.startswith(key + " "):
            return code
        ratio = difflib.SequenceMatcher(None, key, other).ratio()
        if ratio > best_ratio:
            best, best_ratio = code, ratio
    return best if best_ratio >= _LABEL_RATIO else None


# -- the line-level reading of tables -------------------------------------------------------


@dataclass
class _Cell(TableCell):
    # Computed once each and kept: every cell is read by several steps (header, examples, values).
    _plain: str | None = None
    _pieces: list[str] | None = None

    @property
    def plain(self) -> str:
        if self._plain is None:
            self._plain = masked_plain_text(self.raw)
        return self._plain

    @property
    def pieces(self) -> list[str]:
        if self._pieces is None:
            if len(self.parts) == 1 and not _BULLET.match(strip_line(self.parts[0])):
                self._pieces = [self.plain] if self.plain else []
            else:
                self._pieces = _pieces(self.raw)
        return self._pieces


_Row = TableRow[_Cell]


class _Table(TableReader[_Cell]):
    def __init__(self, line: int, column: int, line_starts: list[int], intro: str) -> None:
        super().__init__(line_starts, _Cell)
        self.line = line
        self.column = column
        self.closed = False
        self.intro = intro
        """Plain text of the last line of text before the table."""


@dataclass
class _TextLine:
    line: int
    raw: str
    stripped: str


def _scan(lines: Sequence[str], line_starts: list[int], anomalies: list[Anomaly]) -> list[_TextLine | _Table]:
    blocks: list[_TextLine | _Table] = []
    table: _Table | None = None
    depth = 0
    last_text = ""
    for number, raw in enumerate(lines, start=1):
        stripped = strip_line(raw)
        if table is None:
            if stripped.startswith("{|"):
                table, depth = _Table(number, raw.find("{|") + 1, line_starts, intro=last_text), 1
            else:
                blocks.append(_TextLine(number, raw, stripped))
                if stripped:
                    last_text = stripped
            continue
        if depth > 1 or stripped.startswith("{|"):
            depth += 1 if stripped.startswith("{|") else -1 if stripped.startswith("|}") else 0
            table.continue_cell(raw)
        elif stripped.startswith("|}"):
            table.closed = True
            blocks.append(table)
            table, depth, last_text = None, 0, ""
        elif stripped.startswith("|-"):
            table.new_row()
        elif stripped.startswith("|+"):
            continue
        elif stripped.startswith(("|", "!")):
            table.add_cells(number, raw, raw.find(stripped[0]))
        else:
            table.continue_cell(raw)
    if table is not None:
        anomalies.append(Anomaly("unclosed-table", table.line, table.column, "table opened with {| is never closed with |}"))
        blocks.append(table)
    return blocks


# -- cells ----------------------------------------------------------------------------------


def _info_label(stripped: str) -> tuple[str, str] | None:
    """(field, the value on the same line) when a line is one of the info block's labels."""
    # "# of participants" opening a line is a list item to the wiki, but still the label
    for candidate in (_LIST_MARK.sub("", stripped), stripped):
        text = plain_text(candidate)
        for name, pattern in _INFO_LABELS:
            match = pattern.match(text)
            if match:
                return name, text[match.end():].strip()
    return None


def _pieces(raw: str) -> list[str]:
    """Plain text of a cell's paragraphs and list items, in order."""
    pieces: list[str] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            text = masked_plain_text("\n".join(paragraph))
            if text:
                pieces.append(text)
            paragraph.clear()

    for line in raw.split("\n"):
        stripped = strip_line(line)
        if not stripped:
            flush()
        elif _BULLET.match(stripped):
            flush()
            item = masked_plain_text(_BULLET.sub("", stripped, count=1))
            if item:
                pieces.append(item)
        else:
            paragraph.append(line)
    flush()
    return pieces


def _joined(pieces: Sequence[str]) -> str:
    text = ""
    for piece in pieces:
        if text:
            text += " " if text[-1] in ".!?;:" else "; "
        text += piece
    return text


def _items(cell: _Cell) -> tuple[str, ...]:
    """Keywords or users: a cell's pieces split on commas and semicolons, empties dropped."""
    return tuple(
        item.strip(" .")
        for piece in cell.pieces
        for item in _ITEM_SEPARATORS.split(piece)
        if item.strip(" .")
    )


def _attribution(text: str) -> str | None:
    match = _ATTRIBUTION.search(text)
    if not match or match.start() == 0:
        return None
    inner = match.group(1).strip()
    words = inner.split()
    if _CHANNEL.match(inner) and len(words) <= 6:
        return inner
    if 1 <= len(words) <= 3 and all(word[:1].isupper() or word[:1].isdigit() for word in words):
        return inner
    if len(words) == 1 and re.fullmatch(r"[\w.-]{2,40}", inner):
        return inner
    return None


def _is_username(attribution: str) -> bool:
    return not _CHANNEL.match(attribution)


# -- the page -------------------------------------------------------------------------------


_InfoValue = tuple[str, int, int]
"""A line of an info field's value: (plain text, line, column)."""


@dataclass
class _Layout:
    """What a table's columns hold, once found."""

    kind: str
    header: _Row | None
    columns: tuple[Column, ...]
    family: str | None = None
    problem: str = ""


class _Parser:
    def __init__(
        self,
        text: str,
        title: str,
        revision: int | None,
        codebook: Codebook | None,
        header_roles: Mapping[str, str],
        prefix: str,
    ) -> None:
        self.title = title
        self.revision = revision
        self.codebook = codebook
        self.header_roles = header_roles
        self.prefix = prefix
        self.anomalies: list[Anomaly] = []
        masked = mask(text)
        self.index = LineIndex(masked.text)
        if masked.unclosed_comment_at is not None:
            line, column = self.index.position(masked.unclosed_comment_at)
            self.anomalies.append(Anomaly("unclosed-comment", line, column, "<!-- is never closed: the wiki hides the rest of the page"))
        self.lines = masked.text.split("\n")
        self.info: dict[str, tuple[_InfoValue, ...]] = {}
        """Field of the info block -> its value's lines: (plain text, line, column)."""
        self.keys: list[KeyEntry] = []
        self.theme_digits: dict[str, str] = {}

    def run(self) -> StatementReport:
        blocks = _scan(self.lines, self.index.starts, self.anomalies)
        texts = [block for block in blocks if isinstance(block, _TextLine)]
        tables = [block for block in blocks if isinstance(block, _Table)]
        self._read_info(texts)
        self._read_keys(texts)
        layouts = [self._layout(table) for table in tables]
        later_statement_table = [False] * len(tables)
        seen = False
        for position in range(len(tables) - 1, -1, -1):
            later_statement_table[position] = seen
            seen = seen or layouts[position].kind == "statements"
        for position, (table, layout) in enumerate(zip(tables, layouts)):
            if layout.kind == "statements" and later_statement_table[position] and _EXAMPLE_INTRO.search(plain_text(table.intro)):
                layout.kind = "example"
            if layout.kind == "other":
                self._read_info_table(table)

        statements: list[Statement] = []
        infos: list[TableInfo] = []
        ids = _Ids(self.prefix)
        examples = 0
        for table, layout in zip(tables, layouts):
            example_lines: list[int] = []
            data = [row for row in table.rows if row.cells and row is not layout.header]
            if layout.kind == "example":
                example_lines = [row.line for row in data if any(cell.plain for cell in row.cells)]
            elif layout.kind == "statements":
                statements.extend(self._statements(table, layout, data, ids, example_lines))
            elif layout.kind == "unidentified":
                example_lines = [row.line for row in data if self._is_example(row, None)]
                at = layout.header.line if layout.header else table.line
                self.anomalies.append(Anomaly("columns-unidentified", at, 1, layout.problem))
            examples += len(example_lines)
            infos.append(TableInfo(
                line=table.line,
                kind=layout.kind,
                header_line=layout.header.line if layout.header else None,
                columns=layout.columns,
                family=layout.family,
                rows=len(data),
                example_lines=tuple(example_lines),
                closed=table.closed,
            ))
        return StatementReport(
            title=self.title,
            revision=self.revision,
            info=self._source_info(),
            statements=tuple(statements),
            examples_skipped=examples,
            tables=tuple(infos),
            keys=tuple(self.keys),
            codebook=self.codebook,
            anomalies=tuple(sorted(self.anomalies, key=lambda a: (a.line, a.column))),
            line_count=self.index.line_count,
            code=self.prefix,
        )

    # -- the info block and the keys ------------------------------------------------------------

    def _read_info(self, texts: Sequence[_TextLine]) -> None:
        """Labels and their values: on the label's line, or on the lines below it. After a blank line
        only an indented (``:``/``*``) line can still be the value, and only while none was found."""
        current: str | None = None
        values: list[_InfoValue] = []
        gap = False
        previous_line = 0

        def finish() -> None:
            if current is not None:
                self._set_info(current, values)

        for entry in texts:
            stripped = entry.stripped
            gap = gap or entry.line != previous_line + 1 or not stripped  # a blank line or a table between
            previous_line = entry.line
            if not stripped:
                continue
            label = _info_label(stripped)
            if label is not None or _HEADING.match(stripped):
                finish()
                current, values, gap = None, [], False
                if label is not None:
                    current, rest = label
                    if rest:
                        values.append((rest, entry.line, self._column_of(entry.raw, rest)))
                continue
            if current is None:
                continue
            if gap and (values or stripped[:1] not in (":", "*", "#")):
                finish()
                current, values = None, []
                continue
            text = plain_text(_LIST_MARK.sub("", stripped))
            if text:
                values.append((text, entry.line, self._column_of(entry.raw, text)))
        finish()

    def _read_info_table(self, table: _Table) -> None:
        for row in table.rows:
            if not row.cells:
                continue
            first = row.cells[0].plain
            for name, pattern in _INFO_LABELS:
                match = pattern.match(first)
                if match:
                    values: list[_InfoValue] = []
                    if first[match.end():].strip():
                        values.append((first[match.end():].strip(), row.cells[0].line, row.cells[0].column))
                    for cell in row.cells[1:]:
                        values.extend((piece, cell.line, cell.column) for piece in cell.pieces)
                    self._set_info(name, values)
                    break

    def _set_info(self, name: str, values: Sequence[_InfoValue]) -> None:
        self.info.setdefault(name, tuple(values))

    def _source_info(self) -> SourceInfo:
        def text(name: str) -> str:
            return "; ".join(value for value, _, _ in self.info.get(name, ()))

        participants = self.info.get("participants", ())
        return SourceInfo(
            group=text("group"),
            location=text("location"),
            location_type=text("location_type"),
            # a list of several lines describes the venue rather than counting people
            participants=parse_participants(participants[0][0]) if len(participants) == 1 else None,
            participants_text=text("participants"),
            participants_at=(participants[0][1], participants[0][2]) if participants else None,
        )

    @staticmethod
    def _column_of(raw: str, fragment: str) -> int:
        found = raw.find(fragment[:20])
        if found >= 0:
            return found + 1
        stripped = raw.lstrip(" \t:*#;" + BLANK)
        return len(raw) - len(stripped) + 1

    def _read_keys(self, texts: Sequence[_TextLine]) -> None:
        kind: str | None = None
        number = 0
        for entry in texts:
            stripped = entry.stripped
            if not stripped:
                if number:
                    kind, number = None, 0
                continue
            item = _KEY_ITEM.match(stripped)
            if kind is not None and item:
                number += 1
                label = plain_text(item.group("label"))
                self.keys.append(KeyEntry(kind, number, label, entry.line, self._key_code(kind, label)))
                continue
            heading = _HEADING.match(stripped)
            text = plain_text(heading.group(2) if heading else _LIST_MARK.sub("", stripped))
            intro = next((name for name, pattern in _KEY_INTROS if pattern.match(text)), None)
            if intro is not None and len(text) <= _KEY_INTRO_LIMIT:
                kind, number = intro, 0
            elif heading or number:
                kind, number = None, 0
            # a line of prose between a key's title and its items keeps the key open
        labels = self.codebook.kinds.get("theme", {}) if self.codebook else {}
        for key in self.keys:
            if key.kind == "theme" and key.code is not None and str(key.number) not in labels:
                self.theme_digits.setdefault(str(key.number), key.code)

    def _key_code(self, kind: str, label: str) -> str | None:
        if self.codebook is None:
            return None
        return _match_label(label, self.codebook.kinds.get(kind, {}))

    # -- tables ---------------------------------------------------------------------------------

    def _role(self, header: str) -> str | None:
        key = _header_key(header)
        if key in self.header_roles:
            return self.header_roles[key]
        bare = _header_key(_PARENTHESIS.sub(" ", key))
        return self.header_roles.get(bare)

    def _layout(self, table: _Table) -> _Layout:
        rows = [row for row in table.rows if row.cells]
        if not rows:
            return _Layout("other", None, ())
        first = rows[0]
        headers = [cell.plain for cell in first.cells]
        roles = [self._role(text) for text in headers]
        known = [role for role in roles if role is not None]
        is_header = all(cell.header for cell in first.cells) or (
            len(known) >= 2 and all(role is not None for role, text in zip(roles, headers) if text)
        )
        if is_header:
            roles = self._unlabelled_users(roles, headers, rows[1:])
            columns = _columns(headers, roles)
            if "statement" in roles:
                return _Layout("statements", first, columns)
            if len(known) >= 2:
                named = ", ".join(f'"{text}"' for text in headers if text) or "none"
                return _Layout("unidentified", first, columns, problem=f"no column of statements among the headers ({named})")
            return _Layout("other", first, columns)
        if any(pattern.match(row.cells[0].plain) for row in rows for _, pattern in _INFO_LABELS):
            return _Layout("other", None, ())
        return self._inferred(rows)

    def _unlabelled_users(self, roles: list[str | None], headers: list[str], data: Sequence[_Row]) -> list[str | None]:
        if "users" in roles:
            return roles
        for index, (role, header) in enumerate(zip(roles, headers)):
            if role is None and not header:
                cells = [row.cells[index].raw for row in data if index < len(row.cells) and strip_line(row.cells[index].raw)]
                if cells and sum(bool(_USER_LINK.search(cell)) for cell in cells) * 2 > len(cells):
                    return roles[:index] + ["users"] + roles[index + 1:]
        return roles

    def _inferred(self, rows: Sequence[_Row]) -> _Layout:
        data = [row for row in rows if not self._is_example(row, None)]
        if not data:
            return _Layout("example", None, ())
        counts: dict[int, int] = {}
        for row in data:
            counts[len(row.cells)] = counts.get(len(row.cells), 0) + 1
        width = max(counts, key=lambda n: (counts[n], n))
        if width < 3:
            return _Layout("other", None, ())
        texts = [[cell.plain for cell in row.cells] for row in data if len(row.cells) == width]
        fitting = [name for name, order in FAMILIES.items() if len(order) == width and _fits(order, texts)]
        if len(fitting) == 1:
            order = FAMILIES[fitting[0]]
            return _Layout("statements", None, _columns([""] * width, list(order)), family=fitting[0])
        if fitting:
            problem = f"no header row, and the {width} columns fit more than one page family ({', '.join(fitting)})"
        else:
            problem = f"no header row, and the {width} columns fit no known page family"
        return _Layout("unidentified", None, _columns([""] * width, [None] * width), problem=problem)

    def _is_example(self, row: _Row, statement_index: int | None) -> bool:
        texts = [cell.plain for cell in row.cells]
        first = next((text for text in texts if text), "")
        if _EXAMPLE_CELL.match(first):
            return True
        if statement_index is not None and statement_index < len(texts) and _EXAMPLE_CELL.match(texts[statement_index]):
            return True
        return bool(_FILLER_ROW.search(" ".join(texts)))

    def _statements(
        self, table: _Table, layout: _Layout, data: Sequence[_Row], ids: _Ids, example_lines: list[int]
    ) -> Iterator[Statement]:
        roles = [column.role for column in layout.columns]
        statement_index = roles.index("statement")
        has_line = "line" in roles
        coded = [role for role in CODED_ROLES if role in roles]
        ids.new_table()
        for row in data:
            if self._is_example(row, statement_index):
                example_lines.append(row.line)
                continue
            if len(row.cells) != len(roles):
                first = row.cells[0]
                self.anomalies.append(Anomaly(
                    "row-cells", first.line, first.column,
                    f"row has {len(row.cells)} cells where the table has {len(roles)} columns",
                ))
            cells: dict[str, _Cell] = {}
            for index, cell in enumerate(row.cells):
                role = roles[index] if index < len(roles) else None
                if role is not None and role not in cells:
                    cells[role] = cell
            if not any(strip_line(cell.raw) for role, cell in cells.items() if role != "line"):
                continue  # a row of the empty form: at most its number filled in
            yield self._statement(table, row, cells, has_line, coded, ids)

    def _statement(
        self, table: _Table, row: _Row, cells: Mapping[str, _Cell], has_line: bool, coded: Sequence[str], ids: _Ids
    ) -> Statement:
        line_text = cells["line"].plain if "line" in cells else ""
        number_match = _LINE_NUMBER.match(line_text)
        line = int(number_match.group(1)) if number_match else None
        statement_id = ids.next(line if has_line else ids.ordinal + 1)

        pieces = list(cells["statement"].pieces) if "statement" in cells else []
        trailing_keywords: tuple[str, ...] = ()
        if len(pieces) > 1 and _KEYWORDS_LEAD.match(pieces[-1]):
            lead = _KEYWORDS_LEAD.sub("", pieces.pop())
            trailing_keywords = tuple(item.strip(" .") for item in _ITEM_SEPARATORS.split(lead) if item.strip(" ."))
        text = _joined(pieces)
        keywords = _items(cells["keywords"]) if "keywords" in cells else ()
        keywords = keywords or trailing_keywords

        codes: dict[str, tuple[str, ...]] = {}
        uncertain: list[UncertainCode] = []
        for role in coded:
            found, doubtful = split_codes(cells[role].plain) if role in cells else ((), ())
            if role == "theme":
                found = tuple(self.theme_digits.get(code, code) for code in found)
                doubtful = tuple(self.theme_digits.get(code, code) for code in doubtful)
            codes[role] = found
            uncertain.extend(UncertainCode(role, code) for code in dict.fromkeys(doubtful))

        attribution = _attribution(text)
        if "users" in cells:
            users = tuple(_USER_PREFIX.sub("", user) for user in _items(cells["users"]))
        elif attribution is not None and _is_username(attribution):
            users = (attribution,)
        else:
            users = ()
        positions = {role: (cell.line, cell.column) for role, cell in cells.items()}
        return Statement(
            id=statement_id,
            line=line,
            text=text,
            keywords=keywords,
            codes=MappingProxyType(codes),
            uncertain=tuple(uncertain),
            users=users,
            source_line=row.line,
            line_text=line_text,
            attribution=attribution,
            positions=MappingProxyType(positions),
            table_line=table.line,
        )


def _columns(headers: Sequence[str], roles: Sequence[str | None]) -> tuple[Column, ...]:
    taken: set[str] = set()
    columns: list[Column] = []
    for index, (header, role) in enumerate(zip(headers, roles)):
        if role in taken:
            role = None
        if role is not None:
            taken.add(role)
        columns.append(Column(index, header, role))
    return tuple(columns)


def _fits(order: Sequence[str], rows: Sequence[Sequence[str]]) -> bool:
    """Whether every row's cells look like what ``order`` says the columns hold."""
    statement = order.index("statement")
    if not any(len(row[statement].split()) >= 3 for row in rows):
        return False
    return all(_looks_like(role, cell) for row in rows for role, cell in zip(order, row))


def _looks_like(role: str, cell: str) -> bool:
    if role == "line":
        return len(cell) <= 8 and " " not in cell.strip()
    if role == "overall":
        return all(word in _SENTIMENTS for word in re.findall(r"[a-z]+", cell.lower()))
    if role in CODED_ROLES:
        codes, _ = split_codes(cell)
        return len(cell) <= 40 and all(len(code) <= 3 and code.isalnum() for code in codes)
    return True


class _Ids:
    """Stable, unique ids in page order (see the module's docstring)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        self.uses: dict[int, int] = {}
        self.base = "0"
        self.derived = 0
        self.ordinal = 0
        self.taken: set[str] = set()

    def new_table(self) -> None:
        self.ordinal = 0

    def next(self, number: int | None) -> str:
        self.ordinal += 1
        if number is not None:
            uses = self.uses[number] = self.uses.get(number, 0) + 1
            self.base = str(number) if uses == 1 else f"{number}-{uses}"
            self.derived = 0
            local = self.base
        else:
            self.derived += 1
            local = f"{self.base}+{self.derived}"
        candidate, extra = f"§{self.prefix}.{local}", 1
        while candidate in self.taken:
            extra += 1
            candidate = f"§{self.prefix}.{local}-{extra}"
        self.taken.add(candidate)
        return candidate
