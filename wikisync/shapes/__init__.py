"""The shapes of source page that wikisync reads, each a plug-in; the only package that sees
mwparserfromhell's nodes.

``themes``: the narrative report of the All-Hands kind. ``statements``: the source pages of the 2017
strategy cycles, one table of summary statements each (Cycle 1, 2 and 3 and the drafting feedback).
``summary``: a page written by hand from the sources, citing their statements (``(§Ar1.4)``).
Each is a package of its own (parser, rules, what its templates see) behind the protocol of
:mod:`.base`; this registry is the one place that names them. ``requests`` reads the
``{{wikisync request}}`` templates of the request page; it is not a shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..diagnostics import Rule
from .base import Shape
from .statements import StatementsShape
from .summary import SummaryShape
from .themes import ThemesShape

__all__ = ["DEFAULT_SHAPE", "SHAPES", "Shape", "each_kinds", "find_rule", "shape"]

SHAPES: Mapping[str, Shape] = MappingProxyType({shape.name: shape for shape in (ThemesShape(), StatementsShape(), SummaryShape())})
"""Every shape by its page-map name."""
DEFAULT_SHAPE = "themes"
"""The shape of a source whose entry names none."""


def shape(name: str) -> Shape:
    return SHAPES[name]


def each_kinds() -> dict[str, Shape]:
    """``each:`` kind -> the shape whose items it makes pages of."""
    return {found.each: found for found in SHAPES.values() if found.each}


def find_rule(code: str) -> Rule | None:
    """The rule of any shape with this code."""
    return next((found.rules[code] for found in SHAPES.values() if code in found.rules), None)


def _codes_are_unique() -> None:
    seen: dict[str, str] = {}
    for found in SHAPES.values():
        for code in found.rules:
            if code in seen:
                raise RuntimeError(f"rule {code} is registered by both the {seen[code]} and {found.name} shapes")
            seen[code] = found.name


_codes_are_unique()
