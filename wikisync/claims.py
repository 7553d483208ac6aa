"""No page on the wiki is written from two places of page_map.yaml.

page_map.yaml is checked for two targets on one page when it is loaded, without the wiki; what only
the wiki knows (its namespaces' aliases and localised names) and what only a source's text decides
(the titles of its per-theme and per-code pages) is checked here, once per run and before anything
is written, across every source of the page map: whichever source is settled, parsed or listed first.
A page two uses share is one page-map error, and written by neither.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .config import PageMap, SourceSpec, TitleUse, Use, each_title_pattern
from .errors import ConfigError

__all__ = ["Claims", "Conflict"]


@dataclass(frozen=True)
class Conflict:
    title: str
    """The page, as the wiki spells it."""
    uses: tuple[TitleUse, ...]
    """Every use of page_map.yaml that names it, in the file's order."""

    def message(self, path: Path) -> str:
        *earlier, last = self.uses
        others = " and ".join(f"{use.describe()} (line {use.line})" for use in earlier)
        sources = {use.source for use in self.uses}
        neither = ("neither source writes it" if len(self.uses) == 2 and len(sources) == 2
                   and all(use.use is Use.TARGET for use in self.uses) else "wikisync does not write it")
        return f"{path}:{last.line}: {last.describe()} and {others} are one page on the wiki: {self.title}; {neither}"


@dataclass
class Claims:
    """Which uses of the page map name each page, the page as the wiki spells it (``normalise``)."""

    path: Path
    normalise: Callable[[str], str | None]
    _uses: dict[str, dict[str, TitleUse]] = field(default_factory=dict)
    _patterns: dict[str, re.Pattern[str] | None] = field(default_factory=dict)

    @classmethod
    def of_page_map(cls, page_map: PageMap, normalise: Callable[[str], str | None],
                    problem: Callable[[str], str | None]) -> Claims:
        """Every title the page map names as such (the per-theme and per-code pages come with their
        sources' readings): a title the wiki does not accept is a :class:`ConfigError` at its line."""
        claims = cls(page_map.path, normalise)
        invalid: list[tuple[int, str]] = []
        for use in page_map.title_uses():
            if use.pattern is not None:
                continue
            why = problem(use.written)
            if why is not None:
                invalid.append((use.line, f"{use.describe()}: {why}"))
                continue
            claims.add(normalise(use.written) or use.written, use)
        if invalid:
            raise ConfigError("\n".join(f"{page_map.path}:{line}: {message}" for line, message in sorted(set(invalid))))
        return claims

    def add(self, title: str, use: TitleUse) -> None:
        """``title`` as the wiki spells it."""
        self._uses.setdefault(title, {}).setdefault(use.label, use)

    def add_published(self, page_map: PageMap, spec: SourceSpec, titles: Iterable[str]) -> None:
        """The pages a source generated when it was last published (titles as the wiki spells them),
        each under the per-theme or per-code target that makes such titles."""
        uses = [page_map.target_use(spec, number) for number, target in enumerate(spec.targets) if target.each]
        if not uses:
            return
        for title in titles:
            if title in self._uses and any(use.source == spec.page for use in self._uses[title].values()):
                continue  # one of its single targets: claimed already
            use = next((use for use in uses if self._matches(use, title)), None)
            if use is not None:
                self.add(title, use)

    def _matches(self, use: TitleUse, title: str) -> bool:
        assert use.pattern is not None
        if use.pattern not in self._patterns:
            self._patterns[use.pattern] = each_title_pattern(use.pattern, self.normalise)
        pattern = self._patterns[use.pattern]
        return pattern is not None and pattern.fullmatch(title) is not None

    def conflicts(self) -> list[Conflict]:
        found = [Conflict(title, tuple(sorted(uses.values(), key=lambda use: (use.line, use.label))))
                 for title, uses in self._uses.items() if len(uses) > 1]
        return sorted(found, key=lambda conflict: (conflict.uses[-1].line, conflict.title))

