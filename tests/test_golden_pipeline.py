"""Check output and rendered pages stay byte-identical to the golden file (tests/golden_pipeline.py
wrote it from the implementation before the pipeline was made faster): fixtures, translated pages,
every check case, awkward markup and synthetic reports up to 2,000 themes, in-process and through
``wikisync check``."""

from __future__ import annotations

import json

import golden_pipeline
import pytest

GOLDEN = json.loads(golden_pipeline.GOLDEN.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def current(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return golden_pipeline.outputs(tmp_path_factory.mktemp("golden"))


def test_the_same_cases(current: dict) -> None:
    assert list(current) == list(GOLDEN)


@pytest.mark.parametrize("case", [name for name in GOLDEN if name != "cli check"])
def test_check_and_pages(current: dict, case: str) -> None:
    assert current[case]["check"] == GOLDEN[case]["check"]
    assert current[case]["check json"] == GOLDEN[case]["check json"]
    assert current[case]["pages"] == GOLDEN[case]["pages"]


@pytest.mark.parametrize("case", list(GOLDEN["cli check"]))
def test_cli_check(current: dict, case: str) -> None:
    assert current["cli check"][case] == GOLDEN["cli check"][case]
