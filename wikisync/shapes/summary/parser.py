"""Read a summary page: its paragraphs and bullets, the counts ``(26s)`` with the community named before
them, and every citation with its line and column, ranges expanded.

The page is masked first (comments, Translate markup and footnotes blanked, lines and columns kept), so a
citation inside a comment is no citation. Citations are found anywhere on the page, in any letter case,
with stray spaces: ``(§Ar1)``, ``(§Ar4) (§Ar10)``, ``(§Bn1.2, §Bn1.31)``, ``( §FR1 ) ,`` and the range
``(§Ar2.1 (to 4))``; ``&sect;`` counts as ``§``.
"""

from __future__ import annotations

import re

from ..wikitext import BLANK, LineIndex, mask, masked_plain_text
from .records import Block, Citation, StatementCount, SummaryReport

__all__ = ["MAX_RANGE", "parse_summary"]

MAX_RANGE = 500
"""The longest range expanded; a longer one is read as its first line and reported."""

_CITATION = re.compile(r"(?:§|&sect;)[ \t]*(?P<token>[A-Za-z][A-Za-z0-9]*(?:\.[0-9]+)?)(?P<range>[ \t]*\([ \t]*to[ \t]*(?P<end>[0-9]+)[ \t]*\))?",
                       re.I)
_UNDOTTED = re.compile(r"(?P<letters>[A-Za-z]+)(?P<number>[0-9]+)")
_COUNT = re.compile(r"\([ \t]*(?P<count>[0-9]+)[ \t]*s[ \t]*\)", re.I)
_HEADING = re.compile(r"^(=+)(.*?)\1[ \t]*$")
_LIST = re.compile(r"^[*#:;]+")
_TABLE = ("{|", "|", "!")
# What ends the sentence before a count: the count's community starts after it.
_SENTENCE_END = re.compile(r".*(?:[.!?;](?=\s)|(?:§|&sect;)[^()]*(?:\([^()]*\)[^()]*)?\)\s*[,.;:]?)", re.S | re.I)
_COMMUNITY_TRIM = " \t:,;–—-'\"" + BLANK


def parse_summary(text: str, title: str, revision: int | None = None) -> SummaryReport:
    masked = mask(text).text
    lines = masked.split("\n")
    index = LineIndex.of_lines(lines)
    blocks, block_of_line = _blocks(lines)
    counts = tuple(_counts(masked, index, block_of_line, lines))
    citations, malformed = _citations(masked, index, block_of_line)
    return SummaryReport(title, revision, tuple(blocks), counts, tuple(citations), tuple(malformed), line_count=len(lines))


def _blocks(lines: list[str]) -> tuple[list[Block], dict[int, int]]:
    blocks: list[Block] = []
    block_of_line: dict[int, int] = {}
    section = ""
    paragraph: list[int] = []  # 1-based lines of the paragraph being read

    def close() -> None:
        if paragraph:
            add("paragraph", paragraph[0], paragraph[-1], "\n".join(lines[n - 1] for n in paragraph))
            paragraph.clear()

    def add(kind: str, first: int, last: int, fragment: str) -> None:
        plain = masked_plain_text(fragment)
        if not plain:
            return
        for number in range(first, last + 1):
            block_of_line[number] = len(blocks)
        blocks.append(Block(kind, first, last, plain, section))

    for number, line in enumerate(lines, 1):
        visible = line.replace(BLANK, "").strip()
        heading = _HEADING.match(visible)
        if not visible or heading or visible.startswith(_TABLE) or visible == "----":
            close()
            if heading:
                section = masked_plain_text(heading.group(2))
            continue
        marker = _LIST.match(visible)
        if marker:
            close()
            add("bullet", number, number, visible[marker.end():])
            continue
        paragraph.append(number)
    close()
    return blocks, block_of_line


def _counts(masked: str, index: LineIndex, block_of_line: dict[int, int], lines: list[str]) -> list[StatementCount]:
    found = []
    for match in _COUNT.finditer(masked):
        line, column = index.position(match.start())
        block = block_of_line.get(line)
        start = index.offset_of_line(_block_start(line, block_of_line))
        before = masked[start:match.start()]
        sentence_end = _SENTENCE_END.match(before)
        if sentence_end:
            before = before[sentence_end.end():]
        before = _LIST.sub("", before.lstrip(" \t" + BLANK))
        community = masked_plain_text(before).strip(_COMMUNITY_TRIM)
        found.append(StatementCount(int(match.group("count")), community, line, column, block))
    return found


def _block_start(line: int, block_of_line: dict[int, int]) -> int:
    block = block_of_line.get(line)
    while block is not None and block_of_line.get(line - 1) == block:
        line -= 1
    return line


def _citations(masked: str, index: LineIndex, block_of_line: dict[int, int]) -> tuple[list[Citation], list[tuple[int, int, str]]]:
    citations: list[Citation] = []
    malformed: list[tuple[int, int, str]] = []
    for match in _CITATION.finditer(masked):
        line, column = index.position(match.start())
        block = block_of_line.get(line)
        written = "§" + match.group(0)[match.group(0).index(match.group("token")):]
        token = match.group("token")
        if "." in token:
            code, number_text = token.split(".", 1)
            dotted, number = True, int(number_text)
        else:
            undotted = _UNDOTTED.fullmatch(token)
            if undotted is None:
                malformed.append((line, column, f"§{token} cites no line (write §CODE.LINE, or §LETTERS LINE as §Ar4)"))
                citations.append(Citation(written, token, False, None, line, column, block))
                continue
            code, dotted, number = undotted.group("letters"), False, int(undotted.group("number"))
        end = int(match.group("end")) if match.group("end") else None
        if end is not None and not number <= end <= number + MAX_RANGE:
            malformed.append((line, column, f"{written}: the range ends before it starts" if end < number
                              else f"{written}: a range of more than {MAX_RANGE} lines; only its first is read"))
            end = None
        for cited in range(number, (end if end is not None else number) + 1):
            citations.append(Citation(written, code, dotted, cited, line, column, block, end))
    return citations, malformed
