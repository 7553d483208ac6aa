"""Decide what to write: compare what the wiki has with what the renderer wants. Pure, no I/O."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from .render import DesiredPage, split_notice

__all__ = ["Action", "Change", "Plan", "plan", "unified_diff", "same_content"]


class Action(str, Enum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Change:
    title: str
    action: Action
    old: str | None
    new: str

    @property
    def pending(self) -> bool:
        return self.action is not Action.UNCHANGED

    def diff(self) -> str:
        return unified_diff(self.title, self.old, self.new)


@dataclass(frozen=True)
class Plan:
    changes: tuple[Change, ...]

    @property
    def pending(self) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.pending)

    def count(self, action: Action) -> int:
        return sum(1 for c in self.changes if c.action is action)

    def summary(self) -> str:
        return (
            f"{self.count(Action.CREATE)} to create, {self.count(Action.UPDATE)} to change, "
            f"{self.count(Action.UNCHANGED)} unchanged"
        )


def same_content(old: str, new: str) -> bool:
    """Equal apart from the generated-from notice and the trailing whitespace MediaWiki trims."""
    return split_notice(old)[1].rstrip() == split_notice(new)[1].rstrip()


def plan(current: Mapping[str, str | None], desired: Sequence[DesiredPage]) -> Plan:
    """One change per desired page. ``current`` maps a title to its text on the wiki, None if missing."""
    changes = []
    for page in desired:
        old = current.get(page.title)
        if old is None:
            action = Action.CREATE
        elif same_content(old, page.text):
            action = Action.UNCHANGED
        else:
            action = Action.UPDATE
        changes.append(Change(page.title, action, old, page.text))
    return Plan(tuple(changes))


def unified_diff(title: str, old: str | None, new: str) -> str:
    before = [] if old is None else old.rstrip().splitlines(keepends=True)
    after = new.rstrip().splitlines(keepends=True)
    lines = difflib.unified_diff(
        [line if line.endswith("\n") else line + "\n" for line in before],
        [line if line.endswith("\n") else line + "\n" for line in after],
        fromfile=f"{title} (on the wiki)" if old is not None else "/dev/null",
        tofile=f"{title} (generated)",
    )
    return "".join(lines)
