"""page_map.yaml: which source page produces which generated pages, with which template.

The file is validated as a whole when it is loaded, before the wiki is contacted: unknown keys, wrong
types, title and summary patterns, titles the wiki cannot take, missing templates, and two targets that
would be one page. Every problem is one line, ``page_map.yaml:LINE: …``.
"""

from __future__ import annotations

import enum
import re
import string
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PlainValidator, ValidationError, ValidationInfo, field_validator, model_validator

from .errors import ConfigError
from .messages import LAST_FALLBACK, is_language_code, load_catalog, messages_folder, normalised
from .model import ThemeSections
from .names import keyword_key
from .shapes import DEFAULT_SHAPE, SHAPES, each_kinds, find_rule
from .shapes.records import CODED_ROLES, ROLES, Codebook
from .titles import LANGUAGE_CODE, title_key, title_problem
from .translation import RULES as TRANSLATION_RULES

__all__ = ["DEFAULT_SUMMARY", "AggregateSpec", "Guard", "PageMap", "SectionsSpec", "SourceSpec", "SourcesFrom", "TargetSpec",
           "TitleUse", "Use", "load_page_map"]

DEFAULT_SUMMARY = "Bot: update from [[{source}]] (revision {revision})"
_SUMMARY_FIELDS = {"source", "revision"}
_SHAPE_FREE = ("page", "track", "summary", "guard", "translations", "min_translated")
"""The settings a named source of another shape than its prefix's still takes from the prefix."""


def _codebook_label(value: Any) -> str | dict[str, str]:
    """A codebook label: its text, or its text per language (``{en: "…", fr: "…"}``, codes as the wiki writes them)."""
    if isinstance(value, str):
        return value
    shape = 'a label is its text, or its text per language ({en: "...", fr: "..."})'
    if not isinstance(value, dict):
        raise ValueError(f"{shape}, not {_yaml_type(value)}")
    if not value:
        raise ValueError(f"{shape}; this one names no language")
    labels: dict[str, str] = {}
    for language, text in value.items():
        code = normalised(language) if isinstance(language, str) else ""
        if not is_language_code(code):
            raise ValueError(f"{language!r}: not a language code (en, fr, pt-br, zh-hans, ...); {shape}")
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{language}: the label in that language must be text, not {_yaml_type(text)}")
        labels[code] = text
    return labels


def _yaml_type(value: Any) -> str:
    names = {dict: "a mapping", list: "a list", str: "a string", bool: "true or false", int: "a number",
             float: "a number", type(None): "empty"}
    return names.get(type(value), type(value).__name__)


CodebookLabel = Annotated[str | dict[str, str], PlainValidator(_codebook_label)]


def _codebook(name: str, kinds: Mapping[str, Mapping[str, str | dict[str, str]]]) -> Codebook:
    """A page map's codebook: each label in English (or its first language), and every label given per language."""
    plain = {kind: {code: label if isinstance(label, str) else label.get(LAST_FALLBACK, next(iter(label.values())))
                    for code, label in labels.items()}
             for kind, labels in kinds.items()}
    translations = {kind: {code: label for code, label in labels.items() if isinstance(label, dict)}
                    for kind, labels in kinds.items()}
    return Codebook(name, plain, {kind: codes for kind, codes in translations.items() if codes})


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Guard(_Strict):
    """How much one run may take away before it is held back as destructive (fractions of what was there)."""

    max_theme_loss: float = Field(0.3, ge=0, le=1)
    max_comment_loss: float = Field(0.3, ge=0, le=1)
    max_statement_loss: float = Field(0.3, ge=0, le=1)
    max_page_shrink: float = Field(0.5, ge=0, le=1)

    @field_validator("*", mode="before")
    @classmethod
    def _number(cls, value: Any) -> Any:
        if isinstance(value, bool):  # YAML's yes/no/on/off
            raise ValueError(f"must be a fraction from 0 to 1, not {value!r}")
        return value


_DEFAULT_SECTIONS = ThemeSections()


class SectionsSpec(_Strict):
    """How a narrative (themes) source names its sections; each is matched without regard to case,
    as part of a heading (themes, questions), the start of a paragraph (heard) or part of the
    priorities table's first header cell (priorities)."""

    themes: str = _DEFAULT_SECTIONS.themes
    heard: str = _DEFAULT_SECTIONS.heard
    priorities: str = _DEFAULT_SECTIONS.priorities
    questions: str = _DEFAULT_SECTIONS.questions

    @field_validator("*")
    @classmethod
    def _words(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must be the words that name the section, not empty")
        return value

    def theme_sections(self) -> ThemeSections:
        return ThemeSections(self.themes, self.heard, self.priorities, self.questions)


def _one_of(value: Any, choices: Sequence[str]) -> Any:
    """``value`` when it is one of ``choices``; else pydantic's own words for a value outside a Literal."""
    if value in choices:
        return value
    quoted = [repr(choice) for choice in choices]
    listed = quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" or {quoted[-1]}"
    raise ValueError(f"Input should be {listed}")


def _pattern_fields(pattern: str) -> set[str]:
    """The placeholders of a title, summary or code pattern, each of which must be bare: a format spec
    (``{revision:>999999999}``) or conversion (``{source!r}``) serves no title and can ask for gigabytes."""
    try:
        parts = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValueError(f"{pattern!r}: unbalanced braces ({exc}); write {{{{ and }}}} for literal braces") from None
    for _, name, spec, conversion in parts:
        if name is not None and (spec or conversion):
            written = "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"
            raise ValueError(f"{pattern!r}: {written}: a placeholder takes no format spec or conversion; write {{{name}}}")
    return {name for _, name, _, _ in parts if name is not None}


class TargetSpec(_Strict):
    title: str = Field(min_length=1)
    """A pattern with {source} and, for per-theme targets, {theme}; for per-code targets, {code}."""
    template: str | None = Field(None, min_length=1)
    """The Jinja2 file that makes the page; none for a data page (``format: json``)."""
    format: Literal["wikitext", "json"] = "wikitext"
    """``json``: the page holds the parsed data itself, as a JSON page that the wiki's modules can read."""
    each: str | None = None
    """One page per item of the source's shape: per theme (themes sources) or per codebook code (statements sources)."""
    name: str = ""
    """How templates refer to a single page's title (``pages.NAME``); defaults to the template's stem."""
    region: str | None = None
    """Generate only the part of an existing page between ``<!-- wikisync:begin NAME -->`` and its end marker."""

    @field_validator("each", mode="before")
    @classmethod
    def _each_kind(cls, value: Any) -> Any:
        return None if value is None else _one_of(value, list(each_kinds()))

    @model_validator(mode="after")
    def _consistent(self) -> TargetSpec:
        fields = _pattern_fields(self.title)
        allowed = {"source", self.each} if self.each else {"source"}
        unknown = sorted(fields - allowed)
        if unknown:
            hint = f" ({{{unknown[0]}}} needs each: {unknown[0]})" if unknown[0] in each_kinds() else ""
            raise ValueError(f"title {self.title!r}: unknown placeholder {{{unknown[0]}}}{hint}; allowed: "
                             + ", ".join(f"{{{f}}}" for f in sorted(allowed)))
        if self.each and self.each not in fields:
            raise ValueError(f"title {self.title!r}: a per-{self.each} target's title must contain {{{self.each}}}")
        if self.region is not None and (not self.region.strip() or "--" in self.region or ">" in self.region):
            raise ValueError(f"region {self.region!r}: must be a short name usable inside an HTML comment")
        if self.format == "json" and (self.template or self.each or self.region):
            raise ValueError(f"target {self.title!r}: a json data page takes no template, each or region")
        if self.format == "wikitext" and not self.template:
            raise ValueError(f"target {self.title!r}: template: required, and missing (or format: json for a data page)")
        if not self.name:
            object.__setattr__(self, "name", self.template.split(".")[0] if self.template else "data")
        return self

    def title_for(self, source: str) -> str:
        """The title, with a sample theme or code for a per-theme or per-code target."""
        if self.each:
            return self.title.format(source=source, **{self.each: each_kinds()[self.each].sample_part})
        return self.title.format(source=source)


class SourceSpec(_Strict):
    page: str = Field(min_length=1)
    targets: tuple[TargetSpec, ...] = Field(min_length=1)
    shape: str = DEFAULT_SHAPE
    """A registered shape (:mod:`wikisync.shapes`): the narrative report of the All-Hands kind (themes),
    or a statement table of the strategy's source pages (statements)."""
    codebook: str | None = None
    """Name of a top-level ``codebooks:`` entry that resolves the table's codes (statement sources)."""
    code: str | None = Field(None, pattern=r"^[A-Za-z0-9]+$")
    """The source's short code for statement ids, e.g. ``Fr1`` gives ``§Fr1.67``."""
    track: str | None = Field(None, min_length=1)
    """Who the source speaks for, e.g. ``A`` (organised groups) or ``B`` (individuals): aggregates count by it."""
    group_by: str | None = None
    """The coded role the summary groups statements by, and per-code pages are made for; default:
    ``theme`` when the codebook has themes, else the codebook's first kind."""
    columns: dict[str, str] = Field(default_factory=dict)
    """Column role -> header text, where the built-in header names do not fit (statement sources)."""
    sections: SectionsSpec | None = None
    """How the report names its sections, where it does not say "Key Themes" and so on (themes sources)."""
    summary: str = DEFAULT_SUMMARY
    aliases: dict[str, str] = Field(default_factory=dict)
    """Table spelling -> theme heading."""
    rules: dict[str, Literal["error", "warning", "info", "off"]] = Field(default_factory=dict)
    """Rule code -> "error" | "warning" | "off", overriding the checker's defaults."""
    guard: Guard = Guard()
    translations: Literal["auto"] | tuple[str, ...] | None = None
    """Publish the generated pages in the languages the source is translated into (its ``TITLE/LANG``
    pages): ``auto`` for every one found, or the language codes to publish; None: none."""
    min_translated: float = Field(0.5, ge=0, le=1)
    """The share of a translation's units that must be translated for its language to be published."""
    community: tuple[str, ...] = ()
    """The names a summary may give the source's community (``Arabic village pump``), for a count whose
    citations do not resolve to be tied to it (statements sources); a string or a list."""

    @field_validator("community", mode="before")
    @classmethod
    def _community_names(cls, value: Any) -> Any:
        names = [value] if isinstance(value, str) else value
        if not isinstance(names, list) or not names:
            raise ValueError(f"community: {value!r}: write a name, or a list of names such as [Arabic village pump]")
        folded = set()
        for name in names:
            if not isinstance(name, str) or not re.search(r"[^\W_]", name):
                raise ValueError(f"community: {name!r} is not a name (a summary's words for the community, such as Arabic village pump)")
            key = " ".join(name.casefold().split())
            if key in folded:
                raise ValueError(f"community: {name!r} is listed twice")
            folded.add(key)
        return tuple(" ".join(name.split()) for name in names)

    @field_validator("translations", mode="before")
    @classmethod
    def _language_codes(cls, value: Any) -> Any:
        if isinstance(value, str) and value != "auto":
            raise ValueError(f"translations: {value!r}: write auto, or a list of language codes such as [fr, de]")
        if isinstance(value, list):
            for code in value:
                if not isinstance(code, str) or not LANGUAGE_CODE.fullmatch(code):
                    raise ValueError(f"translations: {code!r} is not a language code (fr, de, pt-br, zh-hans…)")
            if len(set(value)) != len(value):
                raise ValueError("translations: a language is listed twice")
        return value

    @field_validator("translations")
    @classmethod
    def _read_by_the_shape(cls, value: Literal["auto"] | tuple[str, ...] | None,
                           info: ValidationInfo) -> Literal["auto"] | tuple[str, ...] | None:
        found = SHAPES.get(info.data.get("shape", DEFAULT_SHAPE))
        if value and found is not None and not found.reads_translations:
            readers = ", ".join(name for name, each in SHAPES.items() if each.reads_translations)
            raise ValueError(f"a {found.name} source's translations are not read (shape {found.name} reads none; "
                             f"translations are read for {readers} sources): remove translations:")
        return value

    @field_validator("shape", mode="before")
    @classmethod
    def _registered_shape(cls, value: Any) -> Any:
        return _one_of(value, list(SHAPES))

    @field_validator("rules", mode="before")
    @classmethod
    def _yaml_off(cls, value: Any) -> Any:
        if isinstance(value, dict):  # YAML 1.1 reads a bare off as false
            return {code: "off" if severity is False else severity for code, severity in value.items()}
        return value

    @field_validator("rules")
    @classmethod
    def _known_rules(cls, value: dict[str, str]) -> dict[str, str]:
        for code in value:
            if find_rule(code) is None and code not in TRANSLATION_RULES:
                raise ValueError(f"rule {code}: no such rule (see `wikisync check --help` or the README)")
        return value

    @field_validator("columns")
    @classmethod
    def _known_roles(cls, value: dict[str, str]) -> dict[str, str]:
        for role in value:
            if role not in ROLES:
                raise ValueError(f"columns: unknown role {role!r} (known: {', '.join(ROLES)})")
        return value

    @property
    def theme_sections(self) -> ThemeSections:
        return self.sections.theme_sections() if self.sections is not None else ThemeSections()

    @field_validator("sections")
    @classmethod
    def _sections_of_the_shape(cls, value: SectionsSpec | None, info: ValidationInfo) -> SectionsSpec | None:
        shape = info.data.get("shape", DEFAULT_SHAPE)
        if value is not None and shape != "themes":
            raise ValueError(f"only a themes source has sections; this one is shape: {shape}")
        return value

    @model_validator(mode="after")
    def _settings_of_the_shape(self) -> SourceSpec:
        for target in self.targets:
            if target.each and each_kinds()[target.each].name != self.shape:
                raise ValueError(f"target {target.title!r}: each: {target.each} is for {each_kinds()[target.each].name} sources, "
                                 f"and this source's shape is {self.shape}")
            if target.each == "code" and self.codebook is None:
                raise ValueError(f"target {target.title!r}: each: code needs the source's codebook")
        if self.shape != "statements" and (self.group_by or self.codebook or self.code or self.columns):
            raise ValueError("group_by, codebook, code and columns are settings of statements sources (shape: statements)")
        if self.shape != "statements" and self.community:
            raise ValueError(f"community: names a statements source's community for a summary's counts; this source's shape is {self.shape}")
        if self.group_by is not None and self.group_by not in CODED_ROLES:
            raise ValueError(f"group_by {self.group_by!r}: not a coded column; one of " + ", ".join(CODED_ROLES))
        for code, severity in self.rules.items():
            rules = TRANSLATION_RULES if code in TRANSLATION_RULES else SHAPES[self.shape].rules
            problem = rules.override_problem(code, severity)
            if problem:
                raise ValueError(problem)
        return self

    @field_validator("summary")
    @classmethod
    def _summary_fields(cls, value: str) -> str:
        return _summary_pattern(value)


def _summary_pattern(value: str) -> str:
    unknown = sorted(_pattern_fields(value) - _SUMMARY_FIELDS)
    if unknown:
        raise ValueError(f"unknown placeholder {{{unknown[0]}}}; allowed: {{source}}, {{revision}}")
    return value


class _Defaults(_Strict):
    summary: str | None = None
    rules: dict[str, Any] = Field(default_factory=dict)
    guard: dict[str, Any] = Field(default_factory=dict)

    @field_validator("summary")
    @classmethod
    def _summary_fields(cls, value: str | None) -> str | None:
        return value if value is None else _summary_pattern(value)


class SourcesFrom(_Strict):
    """Every page directly under a prefix is a source with these settings (subpages, such as
    translations and generated pages, are not)."""

    prefix: str = Field(min_length=1)
    exclude: tuple[str, ...] = ()
    """Names (the part after the prefix) or whole titles that are not sources."""
    code: str | None = "{name}"
    """The id code of each source, from its ``{name}`` (what is not a letter or digit is dropped)."""
    settings: dict[str, Any] = Field(default_factory=dict)
    """Anything a ``sources:`` entry holds except ``page`` and ``code``: shape, codebook, track, targets, ..."""

    @field_validator("code")
    @classmethod
    def _code_pattern(cls, value: str | None) -> str | None:
        if value is not None:
            unknown = sorted(_pattern_fields(value) - {"name"})
            if unknown:
                raise ValueError(f"unknown placeholder {{{unknown[0]}}}; allowed: {{name}}")
        return value

    def name_of(self, title: str) -> str | None:
        """The source name of a listed title, or None when the title is not a source of this prefix."""
        if not title_key(title).startswith(title_key(self.prefix)):
            return None
        name = title_key(title)[len(title_key(self.prefix)):].strip()
        if not name or "/" in name or name in self.exclude or title_key(title) in {title_key(e) for e in self.exclude}:
            return None
        return name

    def entry(self, title: str, name: str) -> dict[str, Any]:
        entry = {**self.settings, "page": title}
        if self.code is not None:
            entry["code"] = re.sub(r"[^A-Za-z0-9]+", "", self.code.format(name=name)) or None
        return entry


class AggregateSpec(_Strict):
    """A page made from every source of the run together."""

    title: str = Field(min_length=1)
    template: str | None = Field(None, min_length=1)
    format: Literal["wikitext", "json"] = "wikitext"
    name: str = ""
    """How the other aggregates' templates refer to this page's title (``pages.NAME``)."""
    role: str = "theme"
    """The coded column the matrix counts."""
    top_keywords: int = Field(30, ge=1)

    @model_validator(mode="after")
    def _consistent(self) -> AggregateSpec:
        if _pattern_fields(self.title):
            raise ValueError(f"title {self.title!r}: an aggregate's title has no placeholders")
        if self.format == "json" and self.template:
            raise ValueError(f"aggregate {self.title!r}: a json data page takes no template")
        if self.format == "wikitext" and not self.template:
            raise ValueError(f"aggregate {self.title!r}: template: required, and missing (or format: json)")
        if self.role not in CODED_ROLES:
            raise ValueError(f"role {self.role!r}: not a coded column; one of " + ", ".join(CODED_ROLES))
        if not self.name:
            object.__setattr__(self, "name", self.template.split(".")[0] if self.template else "data")
        return self


class _File(_Strict):
    """The file as written; :class:`PageMap` is what the rest of wikisync uses."""

    templates: str = "templates"
    messages: str | None = Field(None, min_length=1)
    """The folder of the templates' message files (i18n/en.json, fr.json…); default: i18n beside the templates."""
    request_page: str | None = Field(None, min_length=1)
    status_page: str | None = Field(None, min_length=1)
    defaults: _Defaults = _Defaults()
    codebooks: dict[str, dict[str, dict[str, CodebookLabel]]] = Field(default_factory=dict)
    """Name -> kind (theme, question, insight, …) -> code -> label, or language -> label."""
    sources: tuple[dict[str, Any], ...] = ()
    sources_from: tuple[SourcesFrom, ...] = ()
    keyword_themes: dict[str, str | list[str]] = Field(default_factory=dict)
    """Keyword (any case, singular or plural) -> theme code(s): how sources without codes count in the matrix."""
    aggregates: tuple[AggregateSpec, ...] = ()

    @model_validator(mode="after")
    def _some_source(self) -> _File:
        if not self.sources and not self.sources_from:
            if "sources" in self.model_fields_set:
                raise ValueError("sources: empty; list at least one source (or give sources_from: with a prefix)")
            raise ValueError("sources: required, and missing (or give sources_from: with a prefix)")
        return self


class Use(enum.Enum):
    """What wikisync does with a page that page_map.yaml names."""

    SOURCE = "source"
    """Reads it: a source page."""
    TARGET = "target"
    """Writes it from a source."""
    AGGREGATE = "aggregate"
    """Writes it from every source together."""
    OWN = "own"
    """Reads and writes it for itself: the request page, the status page."""


@dataclass(frozen=True)
class TitleUse:
    """One place where page_map.yaml names a page (or, for a per-theme or per-code target, a pattern of pages)."""

    label: str
    """Where, in the page map's own terms: ``sources[2].targets[1]``, ``status_page``, ..."""
    written: str
    """The title or pattern as written there."""
    line: int
    use: Use
    source: str | None = None
    """The source page it belongs to (its page, or one of its targets)."""
    pattern: str | None = None
    """The title with the target's placeholder unfilled, for a per-theme or per-code target."""

    def describe(self) -> str:
        return f"{self.label} {self.written!r}"


_EACH_SENTINEL = "Wikisynceachpart"
"""Stands for a theme or code while a per-theme or per-code title pattern is normalised by the wiki."""


def each_title_pattern(pattern: str, normalise: Callable[[str], str | None]) -> re.Pattern[str] | None:
    """The titles ``pattern`` (a title with ``{source}`` filled and ``{theme}`` or ``{code}`` as written)
    makes, as the wiki spells them; a theme or code never holds a "/" (see :func:`titles.safe_part`)."""
    field_name = next((name for _, name, _, _ in string.Formatter().parse(pattern) if name), None)
    if field_name is None:
        return None
    title = normalise(pattern.format(**{field_name: _EACH_SENTINEL}))
    if title is None or _EACH_SENTINEL not in title:
        return None
    return re.compile("[^/]+".join(re.escape(part) for part in title.split(_EACH_SENTINEL)))


@dataclass(frozen=True)
class PageMap:
    path: Path
    templates: Path
    sources: tuple[SourceSpec, ...]
    status_page: str | None = None
    """Where each run that did something reports, for editors without shell access."""
    request_page: str | None = None
    """Where editors ask for a rebuild with {{wikisync request|SOURCE}}."""
    codebooks: Mapping[str, Codebook] = field(default_factory=dict)
    sources_from: tuple[SourcesFrom, ...] = ()
    aggregates: tuple[AggregateSpec, ...] = ()
    keyword_themes: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    lines: _Lines = field(default_factory=lambda: _Lines(None), repr=False, compare=False)
    """Where each key and item of the file is, for errors found after loading (on the wiki)."""
    listed_from: Mapping[str, int] = field(default_factory=dict, repr=False, compare=False)
    """title_key of a source that a prefix listing added -> the index of its ``sources_from`` rule."""
    messages: Path | None = None
    """The page map's ``messages:`` folder, if it names one (:func:`wikisync.messages.messages_folder`)."""

    @property
    def state_dir(self) -> Path:
        """Where runs keep their state and lock: beside page_map.yaml."""
        return self.path.parent / ".wikisync"

    def source(self, page: str) -> SourceSpec:
        for spec in self.sources:
            if spec.page == page or title_key(spec.page) == title_key(page):
                return spec
        known = ", ".join(s.page for s in self.sources)
        raise ConfigError(f"{self.path}: no source named {page!r} (known: {known})")

    def with_listed(self, listed: Mapping[str, Sequence[str]], normalise: Callable[[str], str | None] = title_key) -> PageMap:
        """This page map with the sources its prefixes list (``listed``: prefix -> titles on the wiki)
        added after the named ones; a title named in ``sources:`` keeps that entry's settings, and
        wikisync's own pages (the request and status pages, every generated page) are never sources.
        Titles are compared as ``normalise`` spells them: the wiki's spelling, when there is a wiki."""
        def key(title: str) -> str:
            return normalise(title) or title_key(title)

        own = self.generated_titles(normalise)
        own.exact |= {key(spec.page) for spec in self.sources}
        added: list[SourceSpec] = []
        listed_from = dict(self.listed_from)
        for index, rule in enumerate(self.sources_from):
            # the listing spells titles as the wiki does, the page map may use a namespace's alias
            canonical_prefix = key(rule.prefix + "x")[:-1] if rule.prefix.strip() else rule.prefix
            matching = rule.model_copy(update={"prefix": canonical_prefix})
            candidates: list[tuple[str, str]] = []
            for title in listed.get(rule.prefix, ()):
                name = rule.name_of(title) or matching.name_of(title)
                if name is not None and not own.holds(key(title)):
                    candidates.append((title, name))
            specs = []
            for title, name in candidates:
                try:
                    specs.append(SourceSpec.model_validate(with_default_targets(rule.entry(title, name))))
                except ValidationError as exc:
                    raise ConfigError(f"{self.path}: sources_from {rule.prefix!r}, source {title!r}: "
                                      f"{exc.errors(include_url=False)[0]['msg']}") from None
            # a listed source's own generated pages (its summary directly under the prefix, say) are no sources either
            theirs = _Generated()
            for spec in specs:
                theirs.add(spec, normalise, subpages=False)  # a subpage of a listed source is under no prefix's name
            for spec in specs:
                if not theirs.holds(key(spec.page)) and key(spec.page) not in own.exact:
                    own.exact.add(key(spec.page))
                    listed_from[title_key(spec.page)] = index
                    added.append(spec)
        return replace(self, sources=self.sources + tuple(added), listed_from=listed_from)

    def generated_titles(self, normalise: Callable[[str], str | None] = title_key) -> _Generated:
        """The pages wikisync writes (or keeps for itself): the request and status pages, the named
        sources' targets and the aggregates."""
        generated = _Generated()
        generated.exact |= {normalise(title) or title_key(title) for title in (self.request_page, self.status_page) if title}
        generated.exact |= {normalise(a.title) or title_key(a.title) for a in self.aggregates}
        for spec in self.sources:
            generated.add(spec, normalise)
        return generated

    def title_uses(self, spec: SourceSpec | None = None) -> list[TitleUse]:
        """Every page the page map names, where: the request and status pages, each source's page and
        targets, the aggregates. With ``spec``: only that source's page and targets."""
        if spec is not None:
            return self._source_uses(spec)
        uses = [TitleUse(name, title, self.lines.line_of((name,)), Use.OWN)
                for name in ("request_page", "status_page") if (title := getattr(self, name)) is not None]
        for source in self.sources:
            uses.extend(self._source_uses(source))
        for index, aggregate in enumerate(self.aggregates):
            uses.append(TitleUse(f"aggregates[{index + 1}]", aggregate.title,
                                 self.lines.line_of(("aggregates", index, "title")), Use.AGGREGATE))
        return uses

    def _source_uses(self, spec: SourceSpec) -> list[TitleUse]:
        return [self.source_use(spec)] + [self.target_use(spec, number) for number, target in enumerate(spec.targets)
                                          if target.each or target.region is None]

    def _where(self, spec: SourceSpec) -> tuple[tuple, str, int | None]:
        """Where a source's settings are in the file: its ``sources:`` entry, or the prefix rule that listed it."""
        rule = self.listed_from.get(title_key(spec.page))
        if rule is not None:
            return ("sources_from", rule, "settings"), f"sources_from[{rule + 1}].settings", rule
        index = next(i for i, s in enumerate(self.sources) if s is spec or s.page == spec.page)
        return ("sources", index), f"sources[{index + 1}]", None

    def source_use(self, spec: SourceSpec) -> TitleUse:
        where, label, rule = self._where(spec)
        if rule is None:
            return TitleUse(f"{label}.page", spec.page, self.lines.line_of((*where, "page")), Use.SOURCE, spec.page)
        return TitleUse(f"source found under sources_from[{rule + 1}]", spec.page,
                        self.lines.line_of(("sources_from", rule, "prefix")), Use.SOURCE, spec.page)

    def target_use(self, spec: SourceSpec, number: int) -> TitleUse:
        where, label, rule = self._where(spec)
        target = spec.targets[number]
        mention = f"{label}.targets[{number + 1}]" + (f" of {spec.page!r}" if rule is not None else "")
        line = self.lines.line_of((*where, "targets", number, "title"))
        if target.each:
            return TitleUse(mention, target.title, line, Use.TARGET, spec.page, target.title.replace("{source}", spec.page))
        return TitleUse(mention, target.title.format(source=spec.page), line, Use.TARGET, spec.page)


@dataclass
class _Generated:
    """Titles of generated pages, as the wiki spells them: single pages, and per-theme or per-code patterns."""

    exact: set[str] = field(default_factory=set)
    patterns: list[re.Pattern[str]] = field(default_factory=list)

    def add(self, spec: SourceSpec, normalise: Callable[[str], str | None], subpages: bool = True) -> None:
        """``subpages=False``: leave out the per-theme or per-code pages below the source's own page."""
        for target in spec.targets:
            if target.each and not subpages and target.title.startswith("{source}/"):
                continue
            if target.each:
                pattern = each_title_pattern(target.title.replace("{source}", spec.page), normalise)
                if pattern is not None:
                    self.patterns.append(pattern)
            else:
                title = target.title.format(source=spec.page)
                self.exact.add(normalise(title) or title_key(title))

    def holds(self, title: str) -> bool:
        return title in self.exact or any(pattern.fullmatch(title) for pattern in self.patterns)


def load_page_map(path: str | Path) -> PageMap:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        _within_bounds(text, path)
        loader = yaml.SafeLoader(text)
        try:
            node = loader.get_single_node()
            raw = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except FileNotFoundError:
        raise ConfigError(f"{path}: not found (give --map PATH or run where page_map.yaml is)") from None
    except IsADirectoryError:
        raise ConfigError(f"{path}: is a directory, not a page map") from None
    except UnicodeDecodeError as exc:
        line = exc.object[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at_line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{at_line}: not valid YAML: {getattr(exc, 'problem', None) or exc}") from None
    lines = _Lines(node)
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}:1: expected a mapping with a 'sources' list, not {type(raw).__name__}")
    problems: list[tuple[int, str]] = []
    top = _validated(_File, raw, (), lines, problems)
    if top is None:
        raise _config_error(path, problems)
    rules, broken = [], []
    for index, rule in enumerate(top.sources_from):
        where = ("sources_from", index, "settings")
        if "page" in rule.settings or "code" in rule.settings:
            problems.append((lines.line_of(where), f"sources_from[{index + 1}].settings: page and code come from the "
                                                   "prefix and sources_from's code:, not from settings"))
            broken.append(rule)
            continue
        if "community" in rule.settings:
            # one community's names given to every source under the prefix would fit them all, and tie no count
            problems.append((lines.line_of(where), f"sources_from[{index + 1}].settings: community: names one source's "
                                                   "community; give it on that source under sources:"))
            broken.append(rule)
            continue
        settings = _merged(rule.settings, top.defaults)
        # a sample source shows the settings' problems now, at their lines, not at run time
        if _source(rule.entry(rule.prefix + "Sample", "Sample") | settings, _Defaults(), where, lines, problems) is not None:
            rules.append(rule.model_copy(update={"settings": settings}))
        else:
            broken.append(rule)
    sources = []
    for index, entry in enumerate(top.sources):
        # a named source under a prefix starts from the prefix's settings
        title = entry.get("page") if isinstance(entry.get("page"), str) else ""
        if title and any(r.name_of(title) is not None for r in broken):
            continue  # its prefix's settings are wrong, and said so: no second line for each of its sources
        rule = next((r for r in rules if title and r.name_of(title) is not None), None)
        base = rule.entry(title, rule.name_of(title) or "") if rule else {}
        own_shape = entry.get("shape", base.get("shape", DEFAULT_SHAPE))
        if own_shape != base.get("shape", DEFAULT_SHAPE):
            base = {key: value for key, value in base.items() if key in _SHAPE_FREE}  # another shape: its own settings
        if own_shape in SHAPES and not SHAPES[own_shape].reads_translations:
            base.pop("translations", None)  # the prefix's translations are for the sources whose shape reads them
        spec = _source(base | entry, top.defaults, ("sources", index), lines, problems)
        if spec is not None:
            sources.append(spec)
    templates = path.parent / top.templates
    codebooks = {name: _codebook(name, kinds) for name, kinds in top.codebooks.items()}
    keyword_themes = {keyword_key(keyword): tuple([codes] if isinstance(codes, str) else codes)
                      for keyword, codes in top.keyword_themes.items()}
    messages = path.parent / top.messages if top.messages is not None else None
    page_map = PageMap(path, templates, tuple(sources), top.status_page, top.request_page, codebooks,
                       tuple(rules), top.aggregates, keyword_themes, lines, messages=messages)
    if not problems:
        problems.extend(_cross_checks(page_map, lines))
    if problems:
        raise _config_error(path, problems)
    _check_messages(page_map, lines)
    return page_map


def _check_messages(page_map: PageMap, lines: _Lines) -> None:
    """The message files the templates will use, read once now: a missing folder the page map names, or a
    broken file, is said before the wiki is contacted (a broken file's error names the file and its line)."""
    if page_map.messages is not None and not page_map.messages.is_dir():
        raise ConfigError(f"{page_map.path}:{lines.line_of(('messages',))}: messages {str(page_map.messages)!r}: "
                          "no such folder (it holds the templates' message files, en.json, fr.json, ...)")
    folder = messages_folder(page_map.templates, page_map.messages)
    if folder.is_dir():
        load_catalog(folder)


MAX_DEPTH = 32
"""How deep a page map's collections may nest; its deepest setting (sources_from's targets) is 6 down.
PyYAML composes and constructs by recursion, so a fuzzed file a thousand levels deep would overflow it."""
MAX_ALIAS_EXPANSION = 100_000
"""How many entries aliases may stand for in all; anchors within anchors multiply ("billion laughs")."""


def _within_bounds(text: str, path: Path) -> None:
    """Refuse, before PyYAML builds anything, a document nested deeper than :data:`MAX_DEPTH`, an alias
    inside its own anchor, or aliases that stand for more than :data:`MAX_ALIAS_EXPANSION` entries.

    PyYAML's parser yields events without recursion, so this one pass is safe on any input."""
    depth = 0
    entries = 0  # nodes so far, each alias counted as the nodes it stands for
    expanded = 0
    open_anchors: list[tuple[str | None, int]] = []  # per open collection: its anchor, ``entries`` at its start
    sizes: dict[str, int] = {}
    for event in yaml.parse(text, Loader=yaml.SafeLoader):
        line = event.start_mark.line + 1 if event.start_mark is not None else 1
        if isinstance(event, yaml.AliasEvent):
            if any(anchor == event.anchor for anchor, _ in open_anchors):
                raise ConfigError(f"{path}:{line}: the alias *{event.anchor} stands inside its own anchor "
                                  f"&{event.anchor}: a page map cannot hold itself")
            size = sizes.get(event.anchor or "", 1)  # an undefined alias is PyYAML's to report
            entries += size
            expanded += size
            if expanded > MAX_ALIAS_EXPANSION:
                raise ConfigError(f"{path}:{line}: aliases expand to more than {MAX_ALIAS_EXPANSION:,} entries; "
                                  "write the entries out, or anchor less deeply")
        elif isinstance(event, yaml.ScalarEvent):
            entries += 1
            if event.anchor is not None:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise ConfigError(f"{path}:{line}: nested more than {MAX_DEPTH} levels deep; "
                                  "a page map's settings are at most 6 levels down")
            entries += 1
            open_anchors.append((event.anchor, entries))
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
            anchor, start = open_anchors.pop()
            if anchor is not None:
                sizes[anchor] = entries - start + 1


def _config_error(path: Path, problems: list[tuple[int, str]]) -> ConfigError:
    return ConfigError("\n".join(f"{path}:{line}: {message}" for line, message in sorted(set(problems))))


def with_default_targets(entry: dict[str, Any]) -> dict[str, Any]:
    """A source's entry with its shape's default targets when it names none."""
    found = SHAPES.get(entry.get("shape", DEFAULT_SHAPE))
    defaults = found.default_targets(entry) if found is not None and "targets" not in entry else None
    return entry if defaults is None else {**entry, "targets": defaults}


def _merged(entry: dict[str, Any], defaults: _Defaults) -> dict[str, Any]:
    """A source entry with the page map's defaults filled in."""
    merged = dict(entry)
    if defaults.summary is not None:
        merged.setdefault("summary", defaults.summary)
    if defaults.rules:
        merged["rules"] = {**defaults.rules, **(entry.get("rules") or {})}
    if defaults.guard:
        merged["guard"] = {**defaults.guard, **(entry.get("guard") or {})}
    return merged


def _source(entry: dict[str, Any], defaults: _Defaults, where: tuple, lines: _Lines, problems: list) -> SourceSpec | None:
    return _validated(SourceSpec, with_default_targets(_merged(entry, defaults)), where, lines, problems)


def _validated(model: type[BaseModel], raw: Any, prefix: tuple, lines: _Lines, problems: list) -> Any:
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        if any(error["loc"] == ("shape",) for error in errors):
            # a misspelt shape leaves a statements source without its default targets: say the shape only
            errors = [error for error in errors if not (error["loc"] == ("targets",) and error["type"] == "missing")]
        for error in errors:
            location = (*prefix, *error["loc"])
            # a list whose only item failed is "too short" too: the item's own error says enough
            if error["type"] == "too_short" and any(len(e["loc"]) > len(error["loc"]) and e["loc"][: len(error["loc"])] == error["loc"] for e in errors):
                continue
            problems.append((lines.line_of(location), _message(location, error)))
        return None


def _message(location: tuple, error: Mapping[str, Any]) -> str:
    kind, field = error["type"], location[-1] if location else ""
    where = _dotted(location[:-1]) if location else ""
    if kind == "extra_forbidden":
        known = ", ".join(_known_keys(location[:-1]))
        return f"unknown key {field!r}{' in ' + where if where else ''} (known: {known})"
    if kind == "missing":
        return f"{_dotted(location)}: required, and missing"
    message = str(error.get("msg", "invalid"))
    message = message.removeprefix("Value error, ").removeprefix("Assertion failed, ")
    return f"{_dotted(location)}: {message}" if location else message


def _known_keys(location: tuple) -> list[str]:
    """The keys allowed where ``location`` points, for the hint after an unknown one."""
    names = [part for part in location if isinstance(part, str)]
    models: dict[tuple[str, ...], type[BaseModel]] = {
        (): _File, ("defaults",): _Defaults, ("sources",): SourceSpec, ("sources", "targets"): TargetSpec,
        ("sources_from",): SourcesFrom, ("sources_from", "settings"): SourceSpec,
        ("sources_from", "settings", "targets"): TargetSpec, ("aggregates",): AggregateSpec,
        ("sources", "sections"): SectionsSpec, ("sources_from", "settings", "sections"): SectionsSpec,
    }
    model = models.get(tuple(n for n in names if n != "guard"), _File)
    if names and names[-1] == "guard":
        model = Guard
    return list(model.model_fields)


def _dotted(location: tuple) -> str:
    text = ""
    for part in location:
        text += f"[{part + 1}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _cross_checks(page_map: PageMap, lines: _Lines) -> Iterator[tuple[int, str]]:
    """What no single entry shows: titles the wiki cannot take, missing templates, two targets on one page."""
    owners: dict[str, str] = {}

    def claim(title: str, owner: str, line: int) -> Iterator[tuple[int, str]]:
        key = title_key(title)
        if key in owners:
            yield line, f"{owner} maps to {title!r}, which {owners[key]} already generates: two targets cannot share a page"
        else:
            owners[key] = owner

    for name in ("request_page", "status_page"):
        title = getattr(page_map, name)
        if title is not None:
            problem = title_problem(title)
            if problem:
                yield lines.line_of((name,)), f"{name} {title!r}: {problem}"
            yield from claim(title, name, lines.line_of((name,)))
    where: tuple[str | int, ...]
    for index, spec in enumerate(page_map.sources):
        where = ("sources", index)
        problem = title_problem(spec.page)
        if problem:
            yield lines.line_of((*where, "page")), f"source {spec.page!r}: {problem}"
        yield from claim(spec.page, f"source {spec.page!r}", lines.line_of((*where, "page")))
        yield from _spec_checks(page_map, spec, where, lines)
    for index, spec in enumerate(page_map.sources):
        for number, target in enumerate(spec.targets):
            if target.region is None or target.each:
                where = ("sources", index, "targets", number)
                yield from claim(target.title_for(spec.page), f"sources[{index + 1}].targets[{number + 1}]", lines.line_of((*where, "title")))
    for index, rule in enumerate(page_map.sources_from):
        where = ("sources_from", index)
        problem = title_problem(rule.prefix + "Sample")
        if problem:
            yield lines.line_of((*where, "prefix")), f"sources_from prefix {rule.prefix!r}: {problem}"
        sample = SourceSpec.model_validate(with_default_targets(rule.entry(rule.prefix + "Sample", "Sample")))
        yield from _spec_checks(page_map, sample, (*where, "settings"), lines)
    for index, aggregate in enumerate(page_map.aggregates):
        where = ("aggregates", index)
        problem = title_problem(aggregate.title)
        if problem:
            yield lines.line_of((*where, "title")), f"aggregate title {aggregate.title!r}: {problem}"
        if aggregate.template and not (page_map.templates / aggregate.template).is_file():
            yield lines.line_of((*where, "template")), f"template {aggregate.template!r}: not found in {page_map.templates}"
        yield from claim(aggregate.title, f"aggregates[{index + 1}]", lines.line_of((*where, "title")))


def _spec_checks(page_map: PageMap, spec: SourceSpec, where: tuple, lines: _Lines) -> Iterator[tuple[int, str]]:
    """A source's codebook, grouping and targets against the rest of the page map."""
    if spec.codebook is not None and spec.codebook not in page_map.codebooks:
        known = ", ".join(page_map.codebooks) or "none defined"
        yield lines.line_of((*where, "codebook")), f"codebook {spec.codebook!r}: no such entry under codebooks: ({known})"
    elif spec.group_by is not None and spec.codebook is not None and not page_map.codebooks[spec.codebook].knows(spec.group_by):
        kinds = ", ".join(page_map.codebooks[spec.codebook].kinds)
        yield lines.line_of((*where, "group_by")), f"group_by {spec.group_by!r}: codebook {spec.codebook!r} has no such kind ({kinds})"
    for number, target in enumerate(spec.targets):
        at = (*where, "targets", number)
        title = target.title_for(spec.page)
        problem = title_problem(title)
        if problem:
            yield lines.line_of((*at, "title")), f"target title {title!r}: {problem}"
        if target.template and not (page_map.templates / target.template).is_file():
            yield lines.line_of((*at, "template")), f"template {target.template!r}: not found in {page_map.templates}"


class _Lines:
    """Line numbers of a YAML document's keys and items, by their path (``("sources", 0, "targets")``)."""

    def __init__(self, node: yaml.Node | None) -> None:
        self._lines: dict[tuple, int] = {}
        if node is not None:
            self._walk(node)

    def _walk(self, root: yaml.Node) -> None:
        """Each node once, by its first path: an alias's entries are on its anchor's lines, and a
        path through an alias falls back to the alias's own key."""
        seen: set[int] = set()
        pending: list[tuple[yaml.Node, tuple]] = [(root, ())]
        while pending:
            node, path = pending.pop()
            self._lines.setdefault(path, node.start_mark.line + 1)
            if id(node) in seen:
                continue
            seen.add(id(node))
            if isinstance(node, yaml.MappingNode):
                for key, _ in node.value:
                    self._lines[(*path, key.value)] = key.start_mark.line + 1  # a repeated key: the last one counts
                pending.extend(((value, (*path, key.value)) for key, value in reversed(node.value)))
            elif isinstance(node, yaml.SequenceNode):
                pending.extend(((item, (*path, index)) for index, item in reversed(list(enumerate(node.value)))))

    def line_of(self, path: tuple) -> int:
        """The line of ``path``, or of the nearest enclosing key that is in the file."""
        for length in range(len(path), -1, -1):
            if path[:length] in self._lines:
                return self._lines[path[:length]]
        return 1
