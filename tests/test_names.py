import pytest

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
