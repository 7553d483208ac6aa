"""Act on a plan: show the diffs, or save the pages that changed. Returns an exit code.

The decisions are :mod:`wikisync.plan`'s; this module adds what needs the wiki or the disk: reading,
the run lock, the state between runs, printing, and saving page by page.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TextIO

from .check import Diagnostic, check, has_errors, summary_line
from .config import PageMap, SourceSpec
from .errors import WikiError
from .model import Report
from .parse import parse
from .plan import Action, Change, CurrentPage, Plan, destructive_reasons, plan, text_hash, unified_diff
from .render import DesiredPage, render, theme_title
from .state import SourceState, State, run_lock
from .wiki import SourcePage, Wiki

__all__ = ["EXIT_OK", "EXIT_ERROR", "EXIT_PENDING", "Options", "Output", "sync"]

EXIT_OK = 0
"""Done, or nothing pending."""
EXIT_ERROR = 1
"""Something failed or was refused: configuration, the wiki, check errors, a guard, a page not saved."""
EXIT_PENDING = 2
"""A dry run found changes that a real run would save."""

_COLOURS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}
_RESET = "\033[0m"


@dataclass
class Output:
    stream: TextIO = sys.stdout
    colour: bool = False
    verbose: bool = True
    """False for scheduled runs: only summaries, problems and diffs asked for with --dry-run."""

    def line(self, text: str = "") -> None:
        print(text, file=self.stream, flush=True)

    def detail(self, text: str) -> None:
        if self.verbose:
            self.line(text)

    def diff(self, text: str) -> None:
        for line in text.splitlines():
            colour = _COLOURS.get(line[:1]) if self.colour and not line.startswith(("+++", "---")) else None
            self.line(f"{colour}{line}{_RESET}" if colour else line)


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    rebuild: bool = False
    """Re-render and compare even when the source has not changed since the last complete run."""
    force: bool = False
    """Publish despite check errors and the destructive-change guard."""
    force_pages: frozenset[str] = frozenset()
    """Pages whose human edits may be overwritten."""
    force_all: bool = False
    """Overwrite human edits on every page (implies ``force``)."""
    sources: tuple[str, ...] = ()


def sync(page_map: PageMap, wiki: Wiki, options: Options = Options(), out: Output | None = None) -> int:
    out = out or Output()
    specs = [page_map.source(title) for title in options.sources] if options.sources else list(page_map.sources)
    state_path = page_map.state_dir / "state.json"
    if options.dry_run:
        state = State.load(state_path)
        codes = [_SourceRun(spec, page_map, wiki, options, out, state).run() for spec in specs]
    else:
        with run_lock(page_map.state_dir / "lock"):
            state = State.load(state_path)
            codes = [_SourceRun(spec, page_map, wiki, options, out, state).run() for spec in specs]
    if EXIT_ERROR in codes:
        return EXIT_ERROR
    return EXIT_PENDING if EXIT_PENDING in codes else EXIT_OK


@dataclass
class _SourceRun:
    spec: SourceSpec
    page_map: PageMap
    wiki: Wiki
    options: Options
    out: Output
    state: State
    desired: dict[str, DesiredPage] = field(default_factory=dict)

    @property
    def state_key(self) -> str:
        return f"{self.wiki.site_id} {self.spec.page}"

    def run(self) -> int:
        source = self.wiki.read_source(self.spec.page)
        previous = self.state.sources.get(self.state_key)
        if previous and previous.revision == source.revision and not (self.options.dry_run or self.options.rebuild):
            self.out.line(f"{self.spec.page}: unchanged since revision {source.revision}; nothing to do")
            return EXIT_OK
        report = parse(source.text, source.title, source.revision)
        self.out.detail(f"{self.spec.page} (revision {source.revision}): {len(report.themes)} themes, {report.comment_count} comments")
        if not self._checked(report):
            return EXIT_ERROR
        decided = self._plan(report, previous)
        reasons = destructive_reasons(
            len(report.themes),
            report.comment_count,
            previous.themes if previous else 0,
            previous.comments if previous else 0,
            decided,
            self.spec.guard,
        )
        if reasons:
            if not (self.options.force or self.options.force_all):
                self.out.line(f"{self.spec.page}: held back, this looks destructive; nothing published for this source:")
                for reason in reasons:
                    self.out.line(f"  - {reason}")
                self.out.line("  (if the change is intended, run again with --force)")
                return EXIT_ERROR
            self.out.line(f"{self.spec.page}: destructive-change guard overridden by --force: {'; '.join(reasons)}")
        self._show_refusals(decided)
        if self.options.dry_run:
            return self._show(decided)
        return self._publish(decided, source, report)

    def _checked(self, report: Report) -> bool:
        diagnostics: list[Diagnostic] = check(report, aliases=self.spec.aliases, rules=self.spec.rules)
        blocking = has_errors(diagnostics)
        if blocking or self.options.dry_run:
            for diagnostic in diagnostics:
                self.out.line(diagnostic.format(self.spec.page))
            if diagnostics:
                self.out.line(f"{self.spec.page}: check: {summary_line(diagnostics)}")
        elif diagnostics:
            self.out.detail(f"{self.spec.page}: check: {summary_line(diagnostics)}")
        if blocking and not (self.options.force or self.options.force_all):
            if not self.options.dry_run:
                self.out.line(f"{self.spec.page}: check errors stop the publish; fix the source or run with --force")
                return False
            self.out.line(f"{self.spec.page}: a real run would stop here (check errors); the diff below assumes --force")
        return True

    def _plan(self, report: Report, previous: SourceState | None) -> Plan:
        rendered = render(report, self.spec, self.page_map.templates)
        invalid: list[Change] = []
        for page in rendered:
            title = self.wiki.canonical_title(page.title)
            if title is None:
                invalid.append(Change(page.title, Action.INVALID, None, page.text, "the wiki does not accept this title"))
            elif title in self.desired:
                invalid.append(Change(title, Action.INVALID, None, page.text, "two generated pages map to this title"))
            else:
                self.desired[title] = replace(page, title=title)
        if self.options.dry_run:
            for name, title in _renamed_themes(report, self.spec):
                self.out.line(f"title: theme {name!r} is published as {title!r}")
        current = self.wiki.read_pages(self.desired)
        decided = plan(
            {title: CurrentPage(s.text, s.revision, s.user, s.bots_allowed) for title, s in current.items()},
            list(self.desired.values()),
            bot_user=self.wiki.user,
            published=previous.pages if previous else {},
            force=self.options.force_pages,
            force_all=self.options.force_all,
        )
        return Plan(decided.changes + tuple(invalid))

    def _show_refusals(self, decided: Plan) -> None:
        for change in decided.of(Action.INVALID):
            self.out.line(f"INVALID {change.title}: {change.reason}")
        for change in decided.of(Action.EXCLUDED):
            self.out.line(f"skipped {change.title}: {change.reason}")
        for change in decided.of(Action.HUMAN_EDIT):
            self.out.line(f"REFUSED {change.title}: {change.reason}")
            self._show_human_change(change)

    def _show_human_change(self, change: Change) -> None:
        bot_revision = self.wiki.last_revision_by(change.title, self.wiki.user)
        if bot_revision is None:
            self.out.line(f"  wikisync never saved this page; its current text is not wikisync's ({self.wiki.url(change.title)})")
            return
        revid, text = bot_revision
        if change.revision:
            self.out.line(f"  the change since wikisync's revision {revid}: {self.wiki.diff_url(change.title, revid, change.revision)}")
        self.out.diff(unified_diff(change.title, text, change.old or "", ("as wikisync saved it", "as edited since")))

    def _show(self, decided: Plan) -> int:
        for change in decided.pending:
            self.out.line(f"--- {change.action.value}: {change.title}")
            self.out.diff(change.diff())
        self.out.line(f"{self.spec.page}: dry run: {decided.summary()}; nothing saved")
        if decided.refused:
            return EXIT_ERROR
        return EXIT_PENDING if decided.pending else EXIT_OK

    def _publish(self, decided: Plan, source: SourcePage, report: Report) -> int:
        entry = self.state.source(self.state_key)
        for change in decided.of(Action.UNCHANGED):
            entry.pages[change.title] = text_hash(self.desired[change.title].text)
        failed = 0
        summary = self.spec.summary.format(source=self.spec.page, revision=source.revision)
        for done, change in enumerate(decided.pending):
            try:
                result = self.wiki.save(change.title, change.new, summary)
            except WikiError as exc:
                self.state.save()
                self.out.line(
                    f"{self.spec.page}: stopped after {done} of {len(decided.pending)} saves: {exc}; "
                    "the next run saves the rest"
                )
                return EXIT_ERROR
            if result.ok:
                verb = "created" if change.action is Action.CREATE else "updated"
                self.out.detail(f"{verb} {change.title} (revision {result.revision}) {self.wiki.url(change.title)}")
                entry.pages[change.title] = text_hash(self.desired[change.title].text)
                self.state.save()
            else:
                failed += 1
                self.out.line(f"FAILED {change.title}: {result.error}")
        complete = not failed and not decided.refused
        if complete:
            entry.revision, entry.themes, entry.comments = source.revision, len(report.themes), report.comment_count
        self.state.save()
        saved = len(decided.pending) - failed
        problems = f", {failed} failed" if failed else ""
        problems += f", {len(decided.refused)} refused" if decided.refused else ""
        self.out.line(
            f"{self.spec.page}: revision {source.revision}: saved {saved} of {len(decided.pending)} "
            f"({decided.count(Action.CREATE)} to create, {decided.count(Action.UPDATE)} to change), "
            f"{decided.count(Action.UNCHANGED)} unchanged{problems}"
        )
        return EXIT_OK if complete else EXIT_ERROR


def _renamed_themes(report: Report, spec: SourceSpec) -> list[tuple[str, str]]:
    """Themes whose page title is not their name, because the name cannot or should not stand in a title."""
    renamed = []
    for target in spec.targets:
        if target.each == "theme":
            for theme in report.themes:
                title = theme_title(target.title, spec.page, theme.name)
                if title != target.title.format(source=spec.page, theme=theme.name):
                    renamed.append((theme.name, title))
    return renamed
