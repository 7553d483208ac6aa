"""Decide what to write: compare what the wiki has with what the renderer wants. Pure, no I/O."""

from __future__ import annotations

import difflib
import hashlib
import re
import unicodedata
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from enum import Enum

from .config import Guard
from .model import PageState
from .ownership import Ownership, data_ownership, ownership, same_data, stamp, stamp_data, unstamped
from .pages import DesiredPage, split_notice

__all__ = [
    "Action",
    "Change",
    "Plan",
    "destructive_reasons",
    "plan",
    "region_markers",
    "region_text",
    "rewritten_on_save",
    "same_content",
    "unified_diff",
]


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    HUMAN_EDIT = "human-edit"
    """The page (or its region) no longer holds what wikisync wrote: refused unless forced."""
    EXCLUDED = "excluded"
    """The page carries {{nobots}} or a {{bots}} that denies this bot."""
    INVALID = "invalid"
    """The page cannot take the generated text: a bad title, missing or broken region markers."""


_PENDING = (Action.CREATE, Action.UPDATE)


@dataclass(frozen=True)
class Change:
    title: str
    action: Action
    old: str | None
    new: str
    reason: str = ""
    revision: int | None = None
    """The page's current revision, for links."""
    content_model: str = "wikitext"
    stored: str | None = None
    """The text the wiki stores when ``new`` is saved (its pre-save transform), once the wiki told it."""

    @property
    def pending(self) -> bool:
        return self.action in _PENDING

    @property
    def stored_sha1(self) -> str:
        """SHA-1 (hex, as the wiki reports a revision's) of the text a save of this change leaves: the
        wiki's pre-save transform of it where known, else ``new`` as the wiki keeps any text it is
        sent (NFC, LF line ends, the end trimmed)."""
        text = self.stored if self.stored is not None else _as_kept(self.new)
        return hashlib.sha1(text.encode("utf-8")).hexdigest()

    def diff(self) -> str:
        return unified_diff(self.title, self.old, self.new)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.pending)

    @property
    def refused(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action in (Action.HUMAN_EDIT, Action.INVALID))

    def of(self, action: Action) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action is action)

    def count(self, action: Action) -> int:
        return len(self.of(action))

    def summary(self) -> str:
        text = (
            f"{self.count(Action.CREATE)} to create, {self.count(Action.UPDATE)} to change, "
            f"{self.count(Action.UNCHANGED)} unchanged"
        )
        extra = [(Action.HUMAN_EDIT, "refused (human edit)"), (Action.EXCLUDED, "excluded by {{bots}}"), (Action.INVALID, "invalid")]
        return text + "".join(f", {self.count(a)} {label}" for a, label in extra if self.count(a))


def _as_kept(text: str) -> str:
    return unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n")).rstrip()


def rewritten_on_save(sent: str, stored: str) -> tuple[str, str]:
    """The first part of ``sent`` that the wiki stores otherwise, and what it stores instead: the
    words around the first difference between the two, on its line."""
    for before, after in zip(_as_kept(sent).split("\n") + [""], stored.split("\n") + [""]):
        if before.rstrip() == after.rstrip():
            continue
        start = 0
        while start < min(len(before), len(after)) and before[start] == after[start]:
            start += 1
        end = 0
        while end < min(len(before), len(after)) - start and before[-1 - end] == after[-1 - end]:
            end += 1
        start = max((before.rfind(" ", 0, start), after.rfind(" ", 0, start))) + 1
        return _word_span(before, start, len(before) - end), _word_span(after, start, len(after) - end)
    return sent[:80], stored[:80]


def _word_span(line: str, start: int, end: int, limit: int = 80) -> str:
    """``line[start:end]``, widened to the end of its last word, at most ``limit`` characters."""
    stop = line.find(" ", max(end, start))
    return line[start:len(line) if stop < 0 else stop][:limit]


def same_content(old: str, new: str) -> bool:
    """Equal apart from the fingerprint, the generated-from notice and surrounding whitespace (MediaWiki
    trims the end), in NFC as MediaWiki stores every text."""
    return _content(old) == _content(new)


def _content(text: str) -> str:
    return unicodedata.normalize("NFC", split_notice(unstamped(text))[1].strip())


def region_markers(name: str) -> tuple[str, str]:
    return f"<!-- wikisync:begin {name} -->", f"<!-- wikisync:end {name} -->"


def plan(
    current: Mapping[str, PageState],
    desired: Sequence[DesiredPage],
    *,
    force: Collection[str] = (),
    force_all: bool = False,
) -> Plan:
    """One change per desired page.

    Whether an existing page (or region) may be written is decided from its text: it must still be
    exactly what wikisync wrote (see :mod:`wikisync.ownership`). ``force`` lists titles whose human
    edits may be overwritten.
    """
    changes = []
    for page in desired:
        page_now = current.get(page.title) or PageState(None)
        forced = force_all or page.title in force
        if page.region:
            changes.append(_plan_region(page, page_now, forced))
        else:
            changes.append(replace(_plan_page(page, page_now, forced), content_model=page.content_model))
    return Plan(tuple(changes))


def _plan_page(page: DesiredPage, now: PageState, forced: bool) -> Change:
    data = page.content_model == "json"
    new = stamp_data(page.text) if data else stamp(page.text)
    if now.text is None:
        return Change(page.title, Action.CREATE, None, new)
    if (same_data if data else same_content)(now.text, new):
        return Change(page.title, Action.UNCHANGED, now.text, new, revision=now.revision)
    if not now.bots_allowed:
        return Change(page.title, Action.EXCLUDED, now.text, new, "the page excludes this bot", now.revision)
    if forced or now.bare_redirect:
        reason = f"the page was turned into a redirect{' by ' + now.user if now.user else ''}; recreated" if now.bare_redirect else ""
        return Change(page.title, Action.UPDATE, now.text, new, reason, now.revision)
    owned = (data_ownership if data else ownership)(now.text)
    if owned is not Ownership.INTACT:
        who = f"last edited by {now.user}: " if now.user else ""
        if now.redirect:
            what = "it was turned into a redirect with text of its own"
        else:
            what = "its text is not what wikisync wrote" if owned is Ownership.EDITED else "wikisync did not write this page"
        reason = f"{who}{what}; --force '{page.title}' overwrites it"
        return Change(page.title, Action.HUMAN_EDIT, now.text, new, reason, now.revision)
    return Change(page.title, Action.UPDATE, now.text, new, revision=now.revision)


def _plan_region(page: DesiredPage, now: PageState, forced: bool) -> Change:
    assert page.region is not None
    if now.text is None:
        reason = f"region {page.region!r} needs an existing page with {region_markers(page.region)[0]} and its end marker"
        return Change(page.title, Action.INVALID, None, page.text, reason)
    begin, end = region_markers(page.region)
    problem = _marker_problem(now.text, begin, end)
    if problem:
        return Change(page.title, Action.INVALID, now.text, page.text, problem, now.revision)
    before, inside, after = _split_region(now.text, begin, end)
    new_text = f"{before}{begin}\n{stamp(page.text.strip())}\n{end}{after}"
    if same_content(inside, page.text):
        return Change(page.title, Action.UNCHANGED, now.text, new_text, revision=now.revision)
    if not now.bots_allowed:
        return Change(page.title, Action.EXCLUDED, now.text, new_text, "the page excludes this bot", now.revision)
    owned = ownership(inside)
    if not forced and inside.strip() and owned is not Ownership.INTACT:
        what = "was edited by hand since wikisync wrote it" if owned is Ownership.EDITED else "holds text wikisync did not write (empty it to hand it over)"
        reason = f"the region {page.region!r} {what}; --force '{page.title}' overwrites it"
        return Change(page.title, Action.HUMAN_EDIT, now.text, new_text, reason, now.revision)
    return Change(page.title, Action.UPDATE, now.text, new_text, revision=now.revision)


def _marker_problem(text: str, begin: str, end: str) -> str:
    begins = [m.start() for m in re.finditer(re.escape(begin), text)]
    ends = [m.start() for m in re.finditer(re.escape(end), text)]
    if not begins and not ends:
        return f"no region markers: add {begin} and {end} where the generated text goes"
    if len(begins) != 1 or len(ends) != 1:
        return f"region markers must appear once each; found {len(begins)} × {begin} and {len(ends)} × {end}"
    if ends[0] < begins[0]:
        return f"{end} comes before {begin}"
    return ""


def region_text(text: str, name: str) -> str | None:
    """What stands between a region's markers, or None when they are missing or broken."""
    begin, end = region_markers(name)
    if _marker_problem(text, begin, end):
        return None
    return _split_region(text, begin, end)[1]


def _split_region(text: str, begin: str, end: str) -> tuple[str, str, str]:
    """(before, inside, after) of a region whose markers :func:`_marker_problem` found sound."""
    before, rest = text.split(begin, 1)
    inside, after = rest.split(end, 1)
    return before, inside, after


_LOSS_LIMITS = {"themes": "max_theme_loss", "comments": "max_comment_loss", "statements": "max_statement_loss"}


def destructive_reasons(
    counts: Mapping[str, int],
    previous: Mapping[str, int],
    decided: Plan,
    guard: Guard,
) -> list[str]:
    """Why publishing this plan looks like the source was blanked or vandalised; empty when it does not.

    ``counts`` and ``previous`` are what the source holds now and held when last published, by noun
    (themes, comments, statements); each noun has its own limit in the guard."""
    reasons = []
    for noun, count in counts.items():
        before = previous.get(noun, 0)
        if before and count < before * (1 - getattr(guard, _LOSS_LIMITS[noun])):
            reasons.append(f"the source now has {count} {noun}, down from {before} when last published")
    for change in decided.pending:
        if change.old is None:
            continue
        old_size = len(split_notice(change.old)[1].strip())
        new_size = len(split_notice(change.new)[1].strip())
        if old_size and new_size < old_size * (1 - guard.max_page_shrink):
            reasons.append(f"{change.title} would shrink from {old_size} to {new_size} characters")
    return reasons


def unified_diff(title: str, old: str | None, new: str, labels: tuple[str, str] = ("on the wiki", "generated")) -> str:
    before = [] if old is None else old.rstrip().splitlines(keepends=True)
    after = new.rstrip().splitlines(keepends=True)
    lines = difflib.unified_diff(
        [line if line.endswith("\n") else line + "\n" for line in before],
        [line if line.endswith("\n") else line + "\n" for line in after],
        fromfile=f"{title} ({labels[0]})" if old is not None else "/dev/null",
        tofile=f"{title} ({labels[1]})",
    )
    return "".join(lines)
