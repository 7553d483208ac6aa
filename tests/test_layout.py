"""The boundaries the design keeps: one module talks to Pywikibot; the shape parsers
(wikisync/shapes/) are the only ones that see mwparserfromhell's nodes; shapes are plug-ins that no
module outside wikisync/shapes/ names; imports point one way, with no cycle."""

import ast
import subprocess
import sys
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
    [("pywikibot", "wiki.py", ()), ("mwparserfromhell", "shapes/themes/parser.py", ("shapes/*.py", "shapes/*/*.py"))],
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


def _module_name(path: Path) -> str:
    parts = ["wikisync", *path.relative_to(PACKAGE).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def wikisync_imports(path: Path) -> set[str]:
    """The wikisync modules ``path`` imports, TYPE_CHECKING and function-level imports included."""
    package = _module_name(path).split(".")
    if path.name != "__init__.py":
        package = package[:-1]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("wikisync"))
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package[: len(package) - node.level + 1] + ([base] if base else []))
            if not base.startswith("wikisync"):
                continue
            for alias in node.names:  # ``from . import x`` may name a module
                candidate = f"{base}.{alias.name}"
                found.add(candidate if _is_module(candidate) else base)
    return {name for name in found if name != "wikisync"}


def _is_module(name: str) -> bool:
    relative = Path(*name.split(".")[1:])
    return (PACKAGE / relative).with_suffix(".py").exists() or (PACKAGE / relative / "__init__.py").exists()


def _graph() -> dict[str, set[str]]:
    return {_module_name(path): wikisync_imports(path) for path in modules()}


def test_the_imports_between_wikisync_modules_have_no_cycle():
    graph = _graph()
    done: set[str] = set()

    def visit(module: str, path: list[str]) -> None:
        if module in path:
            cycle = path[path.index(module):] + [module]
            pytest.fail("import cycle: " + " -> ".join(cycle))
        if module in done:
            return
        for imported in sorted(graph.get(module, ())):
            visit(imported, [*path, module])
        done.add(module)

    for module in sorted(graph):
        visit(module, [])


CONCRETE_SHAPES = ("wikisync.shapes.themes", "wikisync.shapes.statements")


def test_no_module_outside_the_shapes_names_a_concrete_shape():
    for path in modules():
        name = _module_name(path)
        if name.startswith("wikisync.shapes"):
            continue
        named = sorted(m for m in wikisync_imports(path) if m.startswith(CONCRETE_SHAPES))
        assert named == [], f"{name} imports {named}: reach a shape through wikisync.shapes' registry"
        text = path.read_text(encoding="utf-8")
        for record in ("Report", "StatementReport"):
            assert f"isinstance(report, {record})" not in text and f", {record})" not in text, (name, record)


def _loaded_by(module: str) -> set[str]:
    code = f"import sys, {module}; print('\\n'.join(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=PACKAGE.parent)
    return set(done.stdout.split())


def test_the_planner_loads_no_jinja2_and_the_page_map_no_parser():
    planner = _loaded_by("wikisync.plan")
    assert "jinja2" not in planner and "wikisync.render" not in planner
    page_map = _loaded_by("wikisync.config")
    parsers = sorted(m for m in page_map if m == "mwparserfromhell" or (m.startswith("wikisync") and m.endswith(".parser")))
    assert parsers == [] and "wikisync.shapes.themes.rules" in page_map


BOTTOM = ("wikisync.errors", "wikisync.model", "wikisync.pages", "wikisync.jsontext", "wikisync.shapes.records",
          "wikisync.wiki_records", "wikisync.run_record")


def test_records_are_at_the_bottom():
    graph = _graph()
    for module in BOTTOM:
        above = sorted(m for m in graph[module] if m not in BOTTOM)
        assert above == [], f"{module} imports {above}"


README = PACKAGE.parent / "README.md"


def _layout() -> list[str]:
    """The README's Layout entries in order: a module's path, or a package's folder ending in /."""
    block = README.read_text(encoding="utf-8").split("\n## Layout\n", 1)[1].split("```")[1]
    return [line.split()[0] for line in block.splitlines() if line.startswith("wikisync/")]


def test_the_readme_lists_every_module_in_the_order_of_their_imports():
    entries = _layout()
    place: dict[str, int] = {}
    for path in modules():
        relative = "wikisync/" + path.relative_to(PACKAGE).as_posix()
        if relative == "wikisync/__init__.py":
            continue
        found = [number for number, entry in enumerate(entries) if relative == entry or (entry.endswith("/") and relative.startswith(entry))]
        assert found, f"{relative} is not in the README's Layout"
        place[_module_name(path)] = found[0]
    for module, imported in _graph().items():
        for name in imported:
            if name in place and module in place:
                assert place[name] <= place[module], f"{module} imports {name}, listed after it in the README's Layout"
                if place[name] == place[module]:
                    assert entries[place[module]].endswith("/"), f"{module} imports {name}: one entry"
