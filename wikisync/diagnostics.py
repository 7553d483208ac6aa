"""Diagnostics, and the one rule engine that every shape's checks run on.

A shape registers its rules in a :class:`RuleSet` (a code, a default severity, a one-line summary, and
a function from the shape's report to :class:`Finding` records); the engine applies the page map's
severity overrides, adds the code and the severity in force, keeps lines inside the page, and sorts the
diagnostics by position. Codes and severities are validated here, once, for the page map and for
every caller.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from .collection import collection_paused
from .errors import ConfigError
from .model import Anomaly

__all__ = ["SEVERITIES", "Diagnostic", "Finding", "Rule", "RuleSet", "has_errors", "quoted", "summary_line"]

SEVERITIES = ("error", "warning", "info")
"""``info``: worth knowing, needs no fix; it never fails a run and :func:`summary_line` does not count it."""
_COUNTED = ("error", "warning")
_CODE = re.compile(r"^WS\d{3}$")
_QUOTE_LIMIT = 60
NO_OVERRIDES: Mapping[str, str] = MappingProxyType({})

Subject = TypeVar("Subject")


@dataclass(frozen=True)
class Diagnostic:
    code: str
    severity: str
    line: int
    column: int
    message: str
    theme: str | None = None
    hint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "severity": self.severity,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "theme": self.theme,
            "hint": self.hint,
        }

    def format(self, source: str) -> str:
        """One line, compiler style: ``SOURCE:LINE:COL: SEVERITY CODE message (hint: ...)``."""
        text = f"{source}:{self.line}:{self.column}: {self.severity} {self.code} {self.message}"
        return f"{text} (hint: {self.hint})" if self.hint else text


@dataclass(frozen=True)
class Finding:
    """What a rule function reports; the engine adds the code and the severity in force."""

    line: int
    column: int
    message: str
    theme: str | None = None
    hint: str | None = None


@dataclass(frozen=True)
class Rule(Generic[Subject]):
    code: str
    default_severity: str
    summary: str
    function: Callable[[Subject], Iterable[Finding]]


class RuleSet(Mapping[str, Rule[Subject]]):
    """The rules of one shape, by code, over that shape's report (or a view of it: ``Subject``)."""

    def __init__(self, shape: str, severities: tuple[str, ...] = SEVERITIES) -> None:
        self.shape = shape
        self.severities = severities
        self._rules: dict[str, Rule[Subject]] = {}

    def rule(self, code: str, severity: str, summary: str) -> Callable[[Callable[[Subject], Iterable[Finding]]],
                                                                        Callable[[Subject], Iterable[Finding]]]:
        """Register the decorated function as rule ``code``."""
        if not _CODE.match(code) or code in self._rules or severity not in self.severities:
            raise ValueError(f"rule {code} ({severity}) of {self.shape}: a code WSnnn not yet taken, "
                             f"and one of {', '.join(self.severities)}")

        def register(function: Callable[[Subject], Iterable[Finding]]) -> Callable[[Subject], Iterable[Finding]]:
            self._rules[code] = Rule(code, severity, summary, function)
            self._rules = dict(sorted(self._rules.items()))
            return function

        return register

    def anomaly_rules(self, rules: Mapping[str, tuple[str, str, str]], other: tuple[str, str, str],
                      anomalies_of: Callable[[Subject], Iterable[Anomaly]], reported_elsewhere: frozenset[str] = frozenset()) -> None:
        """Register a rule per kind of :class:`Anomaly` the shape's parser records (``rules``: kind -> code,
        severity, summary), and ``other`` for the kinds without one, but those another rule reports."""

        def finding(wanted: Callable[[str], bool]) -> Callable[[Subject], Iterator[Finding]]:
            def find(subject: Subject) -> Iterator[Finding]:
                for anomaly in anomalies_of(subject):
                    if wanted(anomaly.kind):
                        yield Finding(anomaly.line, anomaly.column, anomaly.detail)

            return find

        for kind, (code, severity, summary) in rules.items():
            self.rule(code, severity, summary)(finding(kind.__eq__))
        self.rule(*other)(finding(lambda kind: kind not in rules and kind not in reported_elsewhere))

    def __getitem__(self, code: str) -> Rule[Subject]:
        return self._rules[code]

    def __iter__(self) -> Iterator[str]:
        return iter(self._rules)

    def __len__(self) -> int:
        return len(self._rules)

    def override_problem(self, code: str, severity: str) -> str | None:
        """Why ``code: severity`` cannot stand in a source's ``rules:``, or None when it can."""
        if code not in self._rules:
            return f"rule {code} is not a rule of {self.shape} sources"
        if severity not in (*self.severities, "off"):
            return f"rule {code}: {self.shape} sources know {_listed((*self.severities, 'off'))}"
        return None

    def severities_in_force(self, overrides: Mapping[str, str]) -> dict[str, str]:
        for code, severity in overrides.items():
            if code not in self._rules:
                raise ConfigError(f"rules: unknown rule code {code!r} (known: {', '.join(self._rules)})")
            if severity not in (*self.severities, "off"):
                raise ConfigError(f"rules: {code}: severity must be {_listed((*self.severities, 'off'), 'or')}, "
                                  f"not {severity!r}")
        return {code: overrides.get(code, rule.default_severity) for code, rule in self._rules.items()}

    def run(self, subject: Subject, line_count: int, overrides: Mapping[str, str] = NO_OVERRIDES) -> list[Diagnostic]:
        """Every rule's findings on ``subject``, with ``overrides`` (code -> severity or off) in force,
        sorted by position. Raises ConfigError only for an override naming an unknown code or severity."""
        severities = self.severities_in_force(overrides)
        diagnostics: list[Diagnostic] = []
        with collection_paused():
            for code, rule in self._rules.items():
                severity = severities[code]
                if severity == "off":
                    continue
                for finding in rule.function(subject):
                    diagnostics.append(_diagnostic(code, severity, finding, line_count))
        return sorted(diagnostics, key=lambda d: (d.line, d.column, d.code))


def _diagnostic(code: str, severity: str, finding: Finding, line_count: int) -> Diagnostic:
    # A hand-built report may leave line_count at 0: then only the lower bound is known.
    line = max(finding.line, 1)
    if line_count > 0:
        line = min(line, line_count)
    return Diagnostic(code, severity, line, max(finding.column, 1), finding.message, finding.theme, finding.hint)


def _listed(words: tuple[str, ...], last: str = "and") -> str:
    return ", ".join(words[:-1]) + f" {last} {words[-1]}"


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(d.severity == "error" for d in diagnostics)


def summary_line(diagnostics: Iterable[Diagnostic]) -> str:
    """Counts by severity, e.g. "2 errors, 3 warnings"; "no problems" when there are none (info aside)."""
    diagnostics = list(diagnostics)
    counts = [(sum(d.severity == s for d in diagnostics), s) for s in _COUNTED]
    parts = [f"{n} {severity}{'' if n == 1 else 's'}" for n, severity in counts if n]
    return ", ".join(parts) or "no problems"


def quoted(text: str) -> str:
    """``text`` in double quotes for a message, cut to a readable length."""
    if len(text) > _QUOTE_LIMIT:
        text = text[: _QUOTE_LIMIT - 1].rstrip() + "…"
    return f'"{text}"'
