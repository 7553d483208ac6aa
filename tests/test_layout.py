"""The boundaries the design keeps: one module talks to Pywikibot; the shape parsers
(wikisync/shapes/) are the only ones that see mwparserfromhell's nodes."""

import ast
from pathlib import Path, PurePosixPath

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


def modules() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize(
    "library, required, also_allowed",
    [("pywikibot", "wiki.py", ()), ("mwparserfromhell", "shapes/themes.py", ("shapes/*.py",))],
)
def test_a_library_is_imported_only_where_allowed(library, required, also_allowed):
    importers = {path.relative_to(PACKAGE).as_posix() for path in modules() if library in imported_modules(path)}
    assert required in importers
    strays = sorted(name for name in importers - {required} if not any(PurePosixPath(name).match(p) for p in also_allowed))
    assert strays == []


def test_every_module_declares_its_public_names():
    for path in modules():
        if path.name == "__main__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        declared = [
            n for n in tree.body
            if isinstance(n, (ast.Assign, ast.AnnAssign))
            and any(getattr(t, "id", "") == "__all__" for t in (n.targets if isinstance(n, ast.Assign) else [n.target]))
        ]
        assert declared, f"{path.relative_to(PACKAGE)} has no __all__"
