"""Act on a plan: show the diffs, or save the pages that changed. Returns an exit code."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import TextIO

from .config import PageMap, SourceSpec
from .model import Report
from .parse import parse
from .plan import Action, Plan, plan
from .render import DesiredPage, render
from .wiki import Wiki

__all__ = ["EXIT_OK", "EXIT_ERROR", "EXIT_PENDING", "Output", "sync"]

EXIT_OK = 0
"""Done, or nothing pending."""
EXIT_ERROR = 1
"""Something failed: bad configuration, an unreachable wiki, a page that could not be saved."""
EXIT_PENDING = 2
"""A dry run found changes that a real run would save."""

_COLOURS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}
_RESET = "\033[0m"


@dataclass
class Output:
    stream: TextIO = sys.stdout
    colour: bool = False

    def line(self, text: str = "") -> None:
        print(text, file=self.stream)

    def diff(self, text: str) -> None:
        for line in text.splitlines():
            colour = _COLOURS.get(line[:1]) if self.colour and not line.startswith(("+++", "---")) else None
            self.line(f"{colour}{line}{_RESET}" if colour else line)


def sync(page_map: PageMap, wiki: Wiki, *, dry_run: bool, sources: Sequence[str] = (), out: Output | None = None) -> int:
    out = out or Output()
    specs = [page_map.source(title) for title in sources] if sources else list(page_map.sources)
    codes = [_sync_source(spec, page_map, wiki, dry_run, out) for spec in specs]
    if EXIT_ERROR in codes:
        return EXIT_ERROR
    return EXIT_PENDING if EXIT_PENDING in codes else EXIT_OK


def build(spec: SourceSpec, page_map: PageMap, wiki: Wiki) -> tuple[Report, list[DesiredPage]]:
    source = wiki.read_source(spec.page)
    report = parse(source.text, source.title, source.revision)
    desired = [replace(page, title=wiki.canonical_title(page.title)) for page in render(report, spec, page_map.templates)]
    return report, desired


def _sync_source(spec: SourceSpec, page_map: PageMap, wiki: Wiki, dry_run: bool, out: Output) -> int:
    report, desired = build(spec, page_map, wiki)
    current = wiki.read_pages(page.title for page in desired)
    decided = plan(current, desired)
    out.line(f"{spec.page} (revision {report.revision}): {len(report.themes)} themes, {report.comment_count} comments")
    if dry_run:
        return _show(decided, out)
    return _publish(decided, spec.summary.format(source=spec.page, revision=report.revision), wiki, out)


def _show(decided: Plan, out: Output) -> int:
    for change in decided.pending:
        out.line(f"--- {change.action.value}: {change.title}")
        out.diff(change.diff())
    out.line(f"dry run: {decided.summary()}; nothing saved")
    return EXIT_PENDING if decided.pending else EXIT_OK


def _publish(decided: Plan, summary: str, wiki: Wiki, out: Output) -> int:
    failed = 0
    for change in decided.pending:
        result = wiki.save(change.title, change.new, summary)
        if result.ok:
            verb = "created" if change.action is Action.CREATE else "updated"
            out.line(f"{verb} {change.title} (revision {result.revision}) {wiki.url(change.title)}")
        else:
            failed += 1
            out.line(f"FAILED {change.title}: {result.error}")
    saved = len(decided.pending) - failed
    out.line(
        f"saved {saved} of {len(decided.pending)} ({decided.count(Action.CREATE)} to create, "
        f"{decided.count(Action.UPDATE)} to change), {decided.count(Action.UNCHANGED)} unchanged"
        + (f", {failed} failed" if failed else "")
    )
    return EXIT_ERROR if failed else EXIT_OK
