"""The wiki's API answers read with no wiki (tests/data/answers/cases.yaml): Translate's messagegroupstats,
which the dev wiki cannot have, and core's languageinfo, each followed through its ``continue``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from wikisync.answers import followed, language_infos, translated_shares
from wikisync.wiki_records import LanguageInfo

CASES = yaml.safe_load((Path(__file__).parent / "data" / "answers" / "cases.yaml").read_text(encoding="utf-8"))
FIRST = {"action": "query", "meta": "the module"}


def _answered(case: dict, read) -> tuple[dict, list[dict]]:
    """What ``followed`` reads from the case's answers, given in order, and the continue parameters of each request after the first."""
    pending: list[Mapping[str, Any]] = list(case["answers"])
    asked: list[dict[str, Any]] = []

    def answer(params: dict[str, Any]) -> Mapping[str, Any]:
        asked.append(params)
        return pending.pop(0)

    found = followed(answer, FIRST, read)
    assert all(params.items() >= FIRST.items() for params in asked)  # every request asks the same question
    return found, [{key: value for key, value in params.items() if key not in FIRST} for params in asked[1:]]


@pytest.mark.parametrize("case", CASES["messagegroupstats"], ids=[c["name"] for c in CASES["messagegroupstats"]])
def test_messagegroupstats(case):
    shares, asked = _answered(case, translated_shares)
    assert shares == pytest.approx(case["shares"])
    assert asked == case.get("asked", [])


@pytest.mark.parametrize("case", CASES["languageinfo"], ids=[c["name"] for c in CASES["languageinfo"]])
def test_languageinfo(case):
    languages, asked = _answered(case, language_infos)
    assert languages == {code: LanguageInfo(code, info["autonym"], info["direction"], tuple(info["fallbacks"]))
                         for code, info in case["languages"].items()}
    assert asked == case.get("asked", [])
