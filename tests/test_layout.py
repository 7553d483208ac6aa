"""The boundaries the design keeps: one module talks to Pywikibot, one sees mwparserfromhell's nodes."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "wikisync"


def imported_modules(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("library, only_in", [("pywikibot", "wiki.py"), ("mwparserfromhell", "parse.py")])
def test_a_library_is_imported_in_exactly_one_module(library, only_in):
    importers = sorted(path.name for path in PACKAGE.glob("*.py") if library in imported_modules(path))
    assert importers == [only_in]


def test_every_module_declares_its_public_names():
    for path in PACKAGE.glob("*.py"):
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declared = [n for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)]
        assert declared, f"{path.name} has no __all__"
