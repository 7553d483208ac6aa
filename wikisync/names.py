"""Matching the names in the Competing Priorities table to theme headings.

Editors write the same theme differently in the table and in the headings ("Extended eco-system"
vs "Extended Ecosystem", "Cohesion/integration" vs "Cohesion"). Rendering needs the match; the
checker needs to know how loose it was, so it can ask for an alias to be declared.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum

__all__ = ["MatchKind", "NameMatch", "normalise", "match_theme"]

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


class MatchKind(str, Enum):
    EXACT = "exact"
    ALIAS = "alias"
    NORMALISED = "normalised"
    SLASH_PART = "slash-part"


@dataclass(frozen=True)
class NameMatch:
    theme: str
    kind: MatchKind


def normalise(name: str) -> str:
    """Case, spacing, hyphens and punctuation folded away: "Extended eco-system" -> "extendedecosystem"."""
    return _NON_WORD.sub("", name.casefold())


def match_theme(value: str, themes: Iterable[str], aliases: Mapping[str, str] | None = None) -> NameMatch | None:
    """The theme a table value refers to, and how it was found; None when it names no theme."""
    names = list(themes)
    if value in names:
        return NameMatch(value, MatchKind.EXACT)
    if aliases:
        target = aliases.get(value)
        if target is None:
            target = next((t for a, t in aliases.items() if normalise(a) == normalise(value)), None)
        if target is not None and target in names:
            return NameMatch(target, MatchKind.ALIAS)
    by_key = {normalise(name): name for name in names}
    found = by_key.get(normalise(value))
    if found is not None:
        return NameMatch(found, MatchKind.NORMALISED)
    if "/" in value:
        for part in value.split("/"):
            found = by_key.get(normalise(part))
            if found is not None:
                return NameMatch(found, MatchKind.SLASH_PART)
    return None
