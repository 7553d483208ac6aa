"""wikisync/data.schema.json: the contract of the JSON data pages (a source's data.json and the
aggregate) accepts the documents of tests/data/data_pages/documents.yaml and rejects each broken
variant of cases.yaml, pointing at the part that is wrong. No wiki."""

from __future__ import annotations

import copy
import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

DATA = Path(__file__).resolve().parent / "data" / "data_pages"
DOCUMENTS = yaml.safe_load((DATA / "documents.yaml").read_text(encoding="utf-8"))
CASES = yaml.safe_load((DATA / "cases.yaml").read_text(encoding="utf-8"))


def schema() -> dict[str, Any]:
    """The schema as the installed package ships it."""
    return json.loads(resources.files("wikisync").joinpath("data.schema.json").read_text(encoding="utf-8"))


def validator() -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(), format_checker=jsonschema.FormatChecker())


def _parent(document: Any, path: list[Any]) -> Any:
    for key in path[:-1]:
        document = document[key]
    return document


def document_of(case: dict[str, Any]) -> Any:
    if "replace" in case:
        return case["replace"]
    document = copy.deepcopy(DOCUMENTS[case["document"]])
    if "set" in case:
        path, value = case["set"]
        _parent(document, path)[path[-1]] = value
    if "delete" in case:
        path = case["delete"]
        del _parent(document, path)[path[-1]]
    return document


def error_paths(errors) -> set[tuple[Any, ...]]:
    """The instance paths of every error, the ones inside if/then and $ref branches included."""
    paths: set[tuple[Any, ...]] = set()
    for error in errors:
        paths.add(tuple(error.absolute_path))
        paths |= error_paths(error.context or ())
    return paths


def test_the_schema_is_valid_draft_2020_12():
    assert schema()["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(schema())


def test_the_schema_is_installed_with_the_package():
    import tomllib

    pyproject = tomllib.loads((Path(__file__).resolve().parent.parent / "pyproject.toml").read_text())
    assert "data.schema.json" in pyproject["tool"]["setuptools"]["package-data"]["wikisync"]


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_the_schema_accepts_or_rejects(case):
    errors = list(validator().iter_errors(document_of(case)))
    if case["valid"]:
        assert errors == [], [error.message for error in errors]
        return
    assert errors, "accepted a document the contract forbids"
    assert tuple(case["where"]) in error_paths(errors), sorted(error_paths(errors), key=str)


def test_the_documents_agree_with_themselves():
    """The figures the Lua test reads back are consistent: totals are the sums of their parts."""
    aggregate, source = DOCUMENTS["aggregate"], DOCUMENTS["source"]
    totals = aggregate["totals"]
    assert totals["sources"] == len(aggregate["sources"])
    assert totals["statements"] == sum(s["statements"] for s in aggregate["sources"])
    assert totals["participants"] == sum(s["participants"] or 0 for s in aggregate["sources"])
    assert totals["participants_unparsed"] == [s["title"] for s in aggregate["sources"] if s["participants"] is None]
    for track, figures in totals["by_track"].items():
        mine = [s for s in aggregate["sources"] if s["track"] == track]
        assert figures == {"sources": len(mine), "participants": sum(s["participants"] or 0 for s in mine),
                           "statements": sum(s["statements"] for s in mine)}
    for role, codes in aggregate["matrix"].items():
        assert totals["by_code"][role] == {code: sum(cells.values()) for code, cells in codes.items()}
    row = next(s for s in aggregate["sources"] if s["title"] == source["title"])
    assert row["statements"] == len(source["statements"])
    # the citations: each source's cited ids are its statements with a cited_by, the totals and summaries add up
    assert row["cited_ids"] == [s["id"] for s in source["statements"] if s.get("cited_by")]
    assert all(s["cited"] == len(s["cited_ids"]) <= s["statements"] for s in aggregate["sources"])
    [summary] = aggregate["summaries"]  # one summary: it cites every statement cited
    assert totals["cited"] == sum(s["cited"] for s in aggregate["sources"]) == summary["cited"]
    assert all(s["cited"] <= s["citations"] for s in aggregate["summaries"])
    for role, codes in source["counts"].items():
        counted: dict[str, int] = {}
        for statement in source["statements"]:
            for code in statement["codes"][role] or [""]:
                counted[code] = counted.get(code, 0) + 1
        assert counted == codes
        assert {code: cells[source["title"]] for code, cells in aggregate["matrix"][role].items()
                if source["title"] in cells} == codes
