"""A translation of a narrative report read against the source's report.

The translation's headings are found through their anchors (the source heading's id), never through
their words: a section heading is given back its source words so that the parser finds the themes and
the questions as in the source, and a theme keeps its source name (which its page title uses) with the
translation's heading beside it. Everything else is aligned by its order: comments within a theme, the
rows of the priorities table and their values, the questions and their options, keynote elements and
workshops.

The ids of :class:`~wikisync.shapes.base.Alignment`'s ``untranslated``, ``fuzzy`` and ``missing``: a theme's
name (its heading), ``THEME/summary``, ``THEME/N`` (its Nth comment, as ``wikisync export`` numbers them),
``priority/N`` (a row of the priorities table) and ``priority/N/M`` (its Mth value), ``question/N`` and
``question/N/M`` (its Mth option), ``keynote/N`` and ``workshop/N``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from typing import TypeVar

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
from ..base import Alignment
from ..translate_markup import (
    FUZZY,
    UNTRANSLATED,
    HeadingLine,
    TranslateMarkup,
    anchor_key,
    anchor_keys,
    outdated,
    wrapped,
)
from .parser import parse_themes, plain_text

__all__ = ["align_themes"]

Item = TypeVar("Item")


@dataclass
class _Aligner:
    source: Report
    markup: TranslateMarkup
    source_language: str
    untranslated: set[str] = field(default_factory=set)
    fuzzy: set[str] = field(default_factory=set)
    missing: list[str] = field(default_factory=list)
    issues: list[Anomaly] = field(default_factory=list)

    @property
    def direction(self) -> str:
        return next((w.direction for w in self.markup.wrappers if w.kind == UNTRANSLATED and w.language == self.source_language), "ltr")

    def state(self, item: str, lines: Iterable[int]) -> tuple[bool, bool]:
        """Whether the item on these lines is kept in the source language (every line inside such a
        wrapper), and whether it is outdated (any line inside a fuzzy one); the ids are noted."""
        lines = list(lines)
        untranslated = bool(lines) and all(self.markup.wrapper_at(line, UNTRANSLATED) for line in lines)
        fuzzy = any(self.markup.wrapper_at(line, FUZZY) for line in lines)
        if untranslated:
            self.untranslated.add(item)
        if fuzzy:
            self.fuzzy.add(item)
        return untranslated, fuzzy

    def text(self, item: str, text: str, lines: Iterable[int], block: bool = False) -> str:
        untranslated, fuzzy = self.state(item, lines)
        if untranslated:
            return self.wrap(text, block)
        return outdated(text, block) if fuzzy else text

    def wrap(self, text: str, block: bool = False) -> str:
        return wrapped(text, self.source_language, self.direction, block)

    def paired(self, name: str, sources: Sequence[Item], translations: Sequence[Item], line_of: Callable[[Item], int],
               item_of: Callable[[int], str]) -> list[tuple[int, Item, Item]]:
        """Source and translation items by their order; what the translation lacks is missing, what it
        has more of is left out with an issue."""
        pairs = []
        extra: list[int] = []
        for number, (source, translation) in enumerate(zip_longest(sources, translations), 1):
            if translation is None:
                self.missing.append(item_of(number))
            elif source is None:
                extra.append(line_of(translation))
            else:
                pairs.append((number, source, translation))
        if extra:
            self.issues.append(Anomaly("extra-items", extra[0], 1, f"{len(extra)} more {name} than the source has: left out"))
        return pairs


def align_themes(source: Report, markup: TranslateMarkup, title: str, revision: int | None, sections: ThemeSections,
                 source_language: str) -> Alignment:
    aligner = _Aligner(source, markup, source_language, issues=list(markup.problems))
    lines = markup.text.split("\n")
    theme_of_line, headings = _headings(aligner, lines)
    translation = parse_themes("\n".join(lines), title, revision, sections)

    themes = []
    by_name = {theme_of_line[t.line]: t for t in reversed(translation.themes) if t.line in theme_of_line}
    for theme in source.themes:
        found = by_name.get(theme.name)
        if found is None:
            aligner.missing.append(theme.name)
        else:
            themes.append(_theme(aligner, theme, found, headings[theme.name], lines))

    report = Report(
        title=title,
        revision=revision,
        keynote=tuple(_keynote(aligner, source.keynote, translation.keynote)),
        workshops=tuple(_workshops(aligner, source.workshops, translation.workshops)),
        themes=tuple(themes),
        priorities=tuple(_priorities(aligner, source.priorities, translation.priorities)),
        questions=tuple(_questions(aligner, source.questions, translation.questions, lines)),
        anomalies=translation.anomalies,
        line_count=markup.line_count,
        priorities_line=translation.priorities_line,
        headings=translation.headings,
    )
    return Alignment(report, frozenset(aligner.untranslated), frozenset(aligner.fuzzy), tuple(aligner.missing), tuple(aligner.issues))


def _headings(aligner: _Aligner, lines: list[str]) -> tuple[dict[int, str], dict[str, tuple[HeadingLine, bool]]]:
    """Each translated heading matched with the source's through its anchor (an untranslated one, through
    its words): a theme's line -> the source theme's name, and the source theme's name -> its heading and
    whether it has an anchor (one without is the source's, untranslated).
    A section heading's line is given the source heading's words, for the parser to find the sections by."""
    themes: dict[str, str] = {}
    for theme in aligner.source.themes:
        for key in anchor_keys(theme.name):
            themes.setdefault(key, theme.name)
    others: dict[str, str] = {}
    for source_heading in aligner.source.headings:
        for key in anchor_keys(source_heading):
            others.setdefault(key, source_heading)
    names = {" ".join(name.split()): name for name in aligner.source.headings}

    theme_of_line: dict[int, str] = {}
    headings: dict[str, tuple[HeadingLine, bool]] = {}
    for heading in aligner.markup.headings:
        anchor = aligner.markup.anchor_of(heading)
        if anchor is not None:
            key = anchor_key(anchor.anchor)
            name = themes.get(key)
            if name is None and key not in others:
                aligner.issues.append(Anomaly("unknown-anchor", anchor.line, anchor.column,
                                              f'heading anchor "{anchor.anchor}" names no heading of the source'))
                continue
        else:
            words = " ".join(plain_text(heading.title).split())
            if words not in names:
                aligner.issues.append(Anomaly("heading-without-anchor", heading.line, 1,
                                              f'heading "{words}" has no anchor naming the source heading it translates, '
                                              "and is none of the source's headings"))
                continue
            key = anchor_keys(names[words])[0]
            name = themes.get(key)
        if name is None:
            marks = "=" * heading.level
            lines[heading.line - 1] = f"{marks} {others[key]} {marks}"
        elif name in headings:
            aligner.issues.append(Anomaly("repeated-heading", heading.line, 1,
                                          f'a second heading translates the source theme "{name}" (line {headings[name][0].line})'))
        else:
            theme_of_line[heading.line] = name
            headings[name] = (heading, anchor is not None)
    for anchor in aligner.markup.anchors:
        if anchor.heading is None:
            aligner.issues.append(Anomaly("anchor-without-heading", anchor.line, anchor.column,
                                          f'heading anchor "{anchor.anchor}" stands before no heading'))
    return theme_of_line, headings


def _theme(aligner: _Aligner, source: Theme, found: Theme, heading: tuple[HeadingLine, bool], lines: list[str]) -> Theme:
    name = source.name
    heading_line, anchored = heading
    heading_text = aligner.text(name, plain_text(heading_line.title), [heading_line.line])
    if not anchored and name not in aligner.untranslated:
        aligner.untranslated.add(name)
        heading_text = aligner.wrap(heading_text)
    chunks = found.summary.split("\n\n") if found.summary else []
    heard_line = found.heard_line
    first_comment = found.comments[0].line if found.comments else None
    paragraphs = _paragraphs(lines, found.line + 1, heard_line or first_comment or _next_heading(aligner, found.line))
    if source.heard_line is not None and heard_line is None and found.comments and chunks:
        # the lead-in of the comments in the translation's words: the summary's last paragraph
        chunks.pop()
        heard_line = paragraphs[-1][0] if paragraphs else None
        paragraphs = paragraphs[:-1]
    summary_id = f"{name}/summary"
    if len(paragraphs) == len(chunks):
        texts = [aligner.text(summary_id, chunk, paragraph, block=True) for chunk, paragraph in zip(chunks, paragraphs)]
        if any(aligner.markup.wrapper_at(line, UNTRANSLATED) for paragraph in paragraphs for line in paragraph):
            aligner.untranslated.add(summary_id)
        summary = "\n\n".join(texts)
    else:
        everything = [line for paragraph in paragraphs for line in paragraph]
        summary = aligner.text(summary_id, found.summary, everything, block=True) if found.summary else ""
    comments = [
        Comment(aligner.text(f"{name}/{number}", comment.text, [comment.line]), comment.line, comment.column)
        for number, _, comment in aligner.paired(f'comments in theme "{name}"', source.comments, found.comments,
                                                 lambda c: c.line, lambda n: f"{name}/{n}")
    ]
    heading_words = heading_text if heading_text != name else None
    return Theme(name, summary, found.line, tuple(comments), heard_line, heading_words)


def _next_heading(aligner: _Aligner, line: int) -> int:
    return next((h.line for h in aligner.markup.headings if h.line > line), aligner.markup.line_count + 1)


def _paragraphs(lines: list[str], start: int, end: int) -> list[list[int]]:
    """The lines from ``start`` to before ``end`` in runs of lines with text (1-based line numbers)."""
    runs: list[list[int]] = []
    previous_blank = True
    for number in range(start, min(end, len(lines) + 1)):
        blank = not plain_text(lines[number - 1])
        if not blank:
            if previous_blank:
                runs.append([])
            runs[-1].append(number)
        previous_blank = blank
    return runs


def _keynote(aligner: _Aligner, sources: Sequence[KeynoteElement], translations: Sequence[KeynoteElement]) -> Iterable[KeynoteElement]:
    for number, _, element in aligner.paired("keynote elements", sources, translations, lambda e: e.line, lambda n: f"keynote/{n}"):
        item = f"keynote/{number}"
        untranslated, _ = aligner.state(item, [element.line])
        if untranslated:
            yield KeynoteElement(aligner.wrap(element.name), aligner.wrap(element.text), element.line)
        else:
            yield element


def _workshops(aligner: _Aligner, sources: Sequence[Workshop], translations: Sequence[Workshop]) -> Iterable[Workshop]:
    for number, _, workshop in aligner.paired("workshops", sources, translations, lambda w: w.line, lambda n: f"workshop/{n}"):
        item = f"workshop/{number}"
        untranslated, _ = aligner.state(item, [workshop.line])
        name = aligner.wrap(workshop.name) if untranslated else workshop.name
        prompts = workshop.prompts if not untranslated else tuple(aligner.wrap(prompt) for prompt in workshop.prompts)
        yield Workshop(name, prompts, workshop.line)


def _priorities(aligner: _Aligner, sources: Sequence[Priority], translations: Sequence[Priority]) -> Iterable[Priority]:
    for number, source, row in aligner.paired("rows in the priorities table", sources, translations, lambda r: r.line,
                                              lambda n: f"priority/{n}"):
        item = f"priority/{number}"
        values = []
        for index, source_value, value in aligner.paired(f"values in row {number} of the priorities table", source.values, row.values,
                                                         _value_line, _numbered(f"{item}/")):
            value_item = f"{item}/{index}"
            untranslated, _ = aligner.state(value_item, [value.line])
            if untranslated:
                values.append(PriorityValue(aligner.wrap(value.label), "", value.line, value.column, source_value.name))
            else:
                values.append(PriorityValue(value.name, value.note, value.line, value.column, source_value.name))
        yield Priority(aligner.text(item, row.priority, [row.line]), tuple(values), row.line)


def _value_line(value: PriorityValue) -> int:
    return value.line


def _numbered(prefix: str) -> Callable[[int], str]:
    return lambda number: f"{prefix}{number}"


def _questions(aligner: _Aligner, sources: Sequence[Question], translations: Sequence[Question], lines: list[str]) -> Iterable[Question]:
    for number, _, question in aligner.paired("questions", sources, translations, lambda q: q.line, lambda n: f"question/{n}"):
        item = f"question/{number}"
        untranslated, _ = aligner.state(item, [question.line])
        text = aligner.wrap(question.text) if untranslated else question.text
        option_lines = _bullet_lines(lines, question.line, len(question.options))
        options = []
        for index, (option, line) in enumerate(zip(question.options, option_lines), 1):
            kept, _ = aligner.state(f"{item}/{index}", [line] if line is not None else [question.line])
            options.append(aligner.wrap(option) if kept or untranslated else option)
        yield Question(text, tuple(options), question.line)


def _bullet_lines(lines: list[str], after: int, count: int) -> list[int | None]:
    """The lines of the ``count`` list items that follow line ``after`` (a question's options); Nones when
    anything else comes first."""
    found: list[int] = []
    for number in range(after + 1, len(lines) + 1):
        if len(found) == count:
            break
        line = lines[number - 1]
        if line.startswith(("*", "#")):
            found.append(number)
        elif line.strip():
            break
    return list(found) if len(found) == count else [None] * count
