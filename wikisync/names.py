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

__all__ = ["MatchKind", "NameMatch", "ThemeIndex", "keyword_key", "match_theme", "normalise"]

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
# The same folding on UTF-8 bytes, at C speed: an ASCII character is a word character (\w) exactly when
# it is alphanumeric, and no byte of a multi-byte character is ASCII.
_ASCII_NON_WORD = bytes(b for b in range(128) if not chr(b).isalnum())
_ASCII = bytes(range(128))
_NOT_ASCII_WORD = _ASCII_NON_WORD + bytes(range(128, 256))


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
    """Case, spacing, hyphens and punctuation folded away: "Extended eco-system" -> "extendedecosystem".

    Every character that is not a word character (``[\\W_]``) is dropped after case folding; most names
    and comments are ASCII, or ASCII with punctuation such as curly quotes, and are folded without a
    regular expression."""
    folded = name.casefold()
    if folded.isascii():
        return folded.encode("ascii").translate(None, _ASCII_NON_WORD).decode("ascii")
    data = folded.encode("utf-8", "surrogatepass")
    if not any(ch.isalnum() for ch in data.translate(None, _ASCII).decode("utf-8", "surrogatepass")):
        return data.translate(None, _NOT_ASCII_WORD).decode("ascii")
    return _NON_WORD.sub("", folded)


def match_theme(value: str, themes: Iterable[str], aliases: Mapping[str, str] | None = None) -> NameMatch | None:
    """The theme a table value refers to, and how it was found; None when it names no theme."""
    return ThemeIndex(themes, aliases).match(value)


class ThemeIndex:
    """The theme headings of one report, prepared for matching many table values against them."""

    def __init__(self, themes: Iterable[str], aliases: Mapping[str, str] | None = None) -> None:
        names = list(themes)
        self._names = set(names)
        self._by_key = {normalise(name): name for name in names}
        self._aliases = dict(aliases or {})
        self._alias_keys: dict[str, str] = {}
        for alias, target in self._aliases.items():
            self._alias_keys.setdefault(normalise(alias), target)

    def match(self, value: str) -> NameMatch | None:
        if value in self._names:
            return NameMatch(value, MatchKind.EXACT)
        if self._aliases:
            target = self._aliases.get(value)
            if target is None:
                target = self._alias_keys.get(normalise(value))
            if target is not None and target in self._names:
                return NameMatch(target, MatchKind.ALIAS)
        found = self._by_key.get(normalise(value))
        if found is not None:
            return NameMatch(found, MatchKind.NORMALISED)
        if "/" in value:
            for part in value.split("/"):
                found = self._by_key.get(normalise(part))
                if found is not None:
                    return NameMatch(found, MatchKind.SLASH_PART)
        return None


def keyword_key(keyword: str) -> str:
    """One spelling per keyword: case, spacing and a plural -s folded (``Translations`` -> ``translation``)."""
    key = " ".join(keyword.lower().split()).strip(" .;:")
    if len(key) > 4 and key.endswith("ies"):
        return key[:-3] + "y"
    if len(key) > 3 and key.endswith("s") and not key.endswith(("ss", "us", "is")):
        return key[:-1]
    return key
