from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wikisync.names import MatchKind, match_theme, normalise

THEMES = ["Access", "Content Gap", "Cohesion", "Extended Ecosystem", "Fight for Free Knowledge"]


@pytest.mark.parametrize(
    "value, theme, kind",
    [
        ("Access", "Access", MatchKind.EXACT),
        ("Content gap", "Content Gap", MatchKind.NORMALISED),
        ("Extended eco-system", "Extended Ecosystem", MatchKind.NORMALISED),
        ("Fight for free knowledge", "Fight for Free Knowledge", MatchKind.NORMALISED),
        ("Cohesion/integration", "Cohesion", MatchKind.SLASH_PART),
    ],
)
def test_table_values_find_their_theme(value, theme, kind):
    found = match_theme(value, THEMES)
    assert found is not None
    assert (found.theme, found.kind) == (theme, kind)


def test_alias_wins_over_loose_matching():
    found = match_theme("Cohesion/integration", THEMES, {"Cohesion/integration": "Cohesion"})
    assert (found.theme, found.kind) == ("Cohesion", MatchKind.ALIAS)


def test_alias_to_an_unknown_theme_is_ignored():
    assert match_theme("Reach", THEMES, {"Reach": "Nowhere"}) is None


def test_unrelated_value_matches_nothing():
    assert match_theme("Education", THEMES) is None


def test_normalise_folds_case_spacing_and_punctuation():
    assert normalise("Extended eco-system") == normalise("extended  Ecosystem") == "extendedecosystem"


def _normalise_by_regex(name: str) -> str:
    import re

    return re.sub(r"[\W_]+", "", name.casefold())


def test_normalise_folds_every_character_as_the_regular_expression_does() -> None:
    every = "".join(map(chr, range(0x110000)))
    assert normalise(every) == _normalise_by_regex(every)
    for sample in ("“Quoted” words — and dashes", "café au lait", "Straße", "İstanbul", "x\u0301", "\ud800 lone", "a_b-c", "", "ＡＢＣ", "١٢٣"):
        assert normalise(sample) == _normalise_by_regex(sample), sample


@given(st.text())
def test_normalise_of_any_text(text: str) -> None:
    assert normalise(text) == _normalise_by_regex(text)
