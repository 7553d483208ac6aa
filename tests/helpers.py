"""What the real-wiki tests share: the fixture, and running the CLI against a page map of a test's own."""

from __future__ import annotations

from pathlib import Path

import yaml

from wikisync.cli import main

__all__ = ["FIXTURE", "ROOT", "THEMES", "project_page_map", "run_cli"]

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = (ROOT / "tests" / "fixtures" / "all-hands-summary-report.wiki").read_text(encoding="utf-8")
THEMES = ["Access", "Education", "Learning", "Sharing", "Content Gap", "Verifiability", "Cohesion",
          "Extended Ecosystem", "Kindness", "Fight for Free Knowledge", "Innovation"]


def project_page_map(path: Path, source: str, templates: Path = ROOT / "templates", **top_level) -> Path:
    """The project's page_map.yaml, pointed at another source page (and templates), written to ``path``."""
    data = yaml.safe_load((ROOT / "page_map.yaml").read_text())
    data.pop("request_page", None)
    data.pop("status_page", None)
    data.update(top_level)
    data["templates"] = str(templates)
    data["sources"][0]["page"] = source
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def run_cli(capsys, map_path: Path, *extra: str, command: str = "sync") -> tuple[int, str]:
    """``wikisync COMMAND --map MAP`` in-process: exit code and everything printed (verbose unless --quiet)."""
    verbosity = [] if "--quiet" in extra else ["--verbose"]
    code = main([command, "--map", str(map_path), "--colour", "never", *verbosity, *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err
