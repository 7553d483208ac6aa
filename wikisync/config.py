"""page_map.yaml: which source page produces which generated pages, with which template."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .check import RULES
from .errors import ConfigError

__all__ = ["DEFAULT_SUMMARY", "Guard", "PageMap", "SourceSpec", "TargetSpec", "load_page_map"]

DEFAULT_SUMMARY = "Bot: update from [[{source}]] (revision {revision})"
_EACH_VALUES = (None, "theme")


@dataclass(frozen=True)
class Guard:
    """How much one run may take away before it is held back as destructive (fractions of what was there)."""

    max_theme_loss: float = 0.3
    max_comment_loss: float = 0.3
    max_page_shrink: float = 0.5


@dataclass(frozen=True)
class TargetSpec:
    title: str
    """A pattern with {source} and, for per-theme targets, {theme}."""
    template: str
    each: str | None = None
    name: str = ""
    """How templates refer to a single page's title (``pages.NAME``); defaults to the template's stem."""
    region: str | None = None
    """Generate only the part of an existing page between ``<!-- wikisync:begin NAME -->`` and its end marker."""


@dataclass(frozen=True)
class SourceSpec:
    page: str
    targets: tuple[TargetSpec, ...]
    summary: str = DEFAULT_SUMMARY
    aliases: dict[str, str] = field(default_factory=dict)
    rules: dict[str, str] = field(default_factory=dict)
    """Rule code -> "error" | "warning" | "off", overriding the checker's defaults."""
    guard: Guard = Guard()


@dataclass(frozen=True)
class PageMap:
    path: Path
    templates: Path
    sources: tuple[SourceSpec, ...]
    status_page: str | None = None
    """Where each run that did something reports, for editors without shell access."""
    request_page: str | None = None
    """Where editors ask for a rebuild with {{wikisync request|SOURCE}}."""

    @property
    def state_dir(self) -> Path:
        """Where runs keep their state and lock: beside page_map.yaml."""
        return self.path.parent / ".wikisync"

    def source(self, page: str) -> SourceSpec:
        for spec in self.sources:
            if spec.page == page:
                return spec
        known = ", ".join(s.page for s in self.sources)
        raise ConfigError(f"{self.path}: no source named {page!r} (known: {known})")


def load_page_map(path: str | Path) -> PageMap:
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found (give --map PATH or run where page_map.yaml is)") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("sources"), list) or not raw["sources"]:
        raise ConfigError(f"{path}: expected a mapping with a non-empty 'sources' list")
    templates = path.parent / str(raw.get("templates", "templates"))
    defaults = raw.get("defaults") or {}
    sources = tuple(_source(path, i, entry, defaults) for i, entry in enumerate(raw["sources"], start=1))
    pages = {}
    for key in ("status_page", "request_page"):
        value = raw.get(key)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise ConfigError(f"{path}: '{key}' must be a page title")
        pages[key] = value.strip() if value else None
    return PageMap(path, templates, sources, **pages)


def _source(path: Path, index: int, entry: Any, defaults: dict[str, Any]) -> SourceSpec:
    where = f"{path}: sources[{index}]"
    if not isinstance(entry, dict) or not isinstance(entry.get("page"), str):
        raise ConfigError(f"{where}: each source needs a 'page' title")
    targets = entry.get("targets")
    if not isinstance(targets, list) or not targets:
        raise ConfigError(f"{where} ({entry['page']}): needs a non-empty 'targets' list")
    aliases = entry.get("aliases") or {}
    rules = {**(defaults.get("rules") or {}), **(entry.get("rules") or {})}
    if not isinstance(aliases, dict) or not isinstance(rules, dict):
        raise ConfigError(f"{where}: 'aliases' and 'rules' must be mappings")
    rules = {code: "off" if severity is False else severity for code, severity in rules.items()}  # YAML reads off as false
    for code, severity in rules.items():
        if severity not in ("error", "warning", "off"):
            raise ConfigError(f"{where}: rule {code}: severity must be error, warning or off, not {severity!r}")
        if code not in RULES:
            raise ConfigError(f"{where}: rule {code}: no such rule (see `wikisync check --help` or the README)")
    return SourceSpec(
        page=entry["page"],
        targets=tuple(_target(f"{where}.targets[{i}]", t) for i, t in enumerate(targets, start=1)),
        summary=str(entry.get("summary", defaults.get("summary", DEFAULT_SUMMARY))),
        aliases={str(k): str(v) for k, v in aliases.items()},
        rules={str(k): str(v) for k, v in rules.items()},
        guard=_guard(where, {**(defaults.get("guard") or {}), **(entry.get("guard") or {})}),
    )


def _guard(where: str, raw: dict[str, Any]) -> Guard:
    known = Guard.__dataclass_fields__
    values: dict[str, float] = {}
    for key, value in raw.items():
        if key not in known:
            raise ConfigError(f"{where}: guard: unknown setting {key!r} (known: {', '.join(known)})")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
            raise ConfigError(f"{where}: guard: {key} must be a fraction from 0 to 1, not {value!r}")
        values[key] = float(value)
    return Guard(**values)


def _target(where: str, entry: Any) -> TargetSpec:
    if not isinstance(entry, dict) or not isinstance(entry.get("title"), str) or not isinstance(entry.get("template"), str):
        raise ConfigError(f"{where}: each target needs a 'title' pattern and a 'template'")
    each = entry.get("each")
    if each not in _EACH_VALUES:
        raise ConfigError(f"{where}: 'each' may only be 'theme', not {each!r}")
    if each == "theme" and "{theme}" not in entry["title"]:
        raise ConfigError(f"{where}: a per-theme target's title must contain {{theme}}")
    name = str(entry.get("name") or entry["template"].split(".")[0])
    region = entry.get("region")
    if region is not None and (not isinstance(region, str) or not region.strip() or "--" in region):
        raise ConfigError(f"{where}: 'region' must be a short name usable inside an HTML comment")
    return TargetSpec(entry["title"], entry["template"], each, name, region)
