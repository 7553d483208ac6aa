"""Act on a plan: show the diffs, or save the pages that changed. Returns an exit code.

The decisions are :mod:`wikisync.plan`'s; this module adds what needs the wiki or the disk: reading,
the run lock, the state between runs, printing, and saving page by page. A dry run takes the same
decisions as a real run, up to the point where the real run saves.
"""

from __future__ import annotations

import functools
import hashlib
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TextIO

from .aggregate import aggregate
from .claims import Claims
from .config import Guard, PageMap, SourceSpec
from .diagnostics import has_errors, summary_line
from .errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING, WikiError
from .model import PageState, RevisionMark
from .onwiki import Verdict, answer_all, now, pending_requests, render_status, requesters, split_header, status_ownership, vet
from .ownership import Ownership, data_ownership, ownership, stamp
from .plan import Action, Change, Plan, destructive_reasons, plan, region_text, rewritten_on_save, same_content, unified_diff
from .preview import Preview
from .reading import Reading, read_source
from .run_record import RunRecord, SavedPage
from .pages import DesiredPage
from .render import render, render_aggregates, render_key
from .state import SourceState, State, run_lock, state_key
from .titles import title_key
from .wiki import SourcePage, Wiki

__all__ = ["EXIT_OK", "EXIT_ERROR", "EXIT_PENDING", "Options", "Output", "sync"]

_AGGREGATES = "aggregates"
"""The state key (after the wiki's) of the aggregate pages."""
_COLOURS = {"+": "\033[32m", "-": "\033[31m", "@": "\033[36m"}
_RESET = "\033[0m"
_ANSWER_TRIES = 3


@dataclass
class Output:
    stream: TextIO = sys.stdout
    colour: bool = False
    verbose: bool = True
    """False for scheduled runs: only summaries, problems and diffs asked for with --dry-run."""
    _progress_shown: bool = field(default=False, repr=False)

    def line(self, text: str = "") -> None:
        if self._progress_shown:
            self.stream.write("\r\033[K")
            self._progress_shown = False
        print(text, file=self.stream, flush=True)

    def detail(self, text: str) -> None:
        if self.verbose:
            self.line(text)

    def progress(self, done: int, total: int, title: str) -> None:
        """A live "pages done / total" counter on a terminal; nothing in cron or a pipe."""
        if total > 1 and getattr(self.stream, "isatty", lambda: False)():
            self.stream.write(f"\r\033[K[{done}/{total}] saving {title[:70]}")
            self.stream.flush()
            self._progress_shown = True

    def diff(self, text: str) -> None:
        for line in text.splitlines():
            colour = _COLOURS.get(line[:1]) if self.colour and not line.startswith(("+++", "---")) else None
            self.line(f"{colour}{line}{_RESET}" if colour else line)


@dataclass(frozen=True)
class Options:
    dry_run: bool = False
    rebuild: bool = False
    """Re-render and compare even when nothing seems to have changed since the last complete run."""
    force: bool = False
    """Publish despite check errors and the destructive-change guard."""
    force_pages: frozenset[str] = frozenset()
    """Pages whose human edits may be overwritten."""
    force_all: bool = False
    """Overwrite human edits on every page (implies ``force``)."""
    sources: tuple[str, ...] = ()
    preview: Path | None = None
    """With ``dry_run``: the folder to write the rendered preview of every pending page into."""

    @property
    def overrides_guards(self) -> bool:
        return self.force or self.force_all


def sync(page_map: PageMap, wiki: Wiki, options: Options = Options(), out: Output | None = None) -> int:
    out = out or Output()
    state_path = page_map.state_dir / "state.json"
    if options.dry_run:
        return _Run(page_map, wiki, options, out, State.load(state_path)).run()
    with run_lock(page_map.state_dir / "lock"):
        return _Run(page_map, wiki, options, out, State.load(state_path)).run()


@dataclass
class _Run:
    """One invocation: every source of the page map (or those asked for), requests, the status page."""

    page_map: PageMap
    wiki: Wiki
    options: Options
    out: Output
    state: State
    claims: Claims | None = None
    """Every page the page map names, and the pages its sources generate, as the wiki spells them."""
    withheld: set[str] = field(default_factory=set)
    """Pages that two uses of the page map share: written by neither."""
    _render_keys: dict[str, str] = field(default_factory=dict, repr=False)
    preview: Preview | None = None
    """With ``--preview DIR``: the pages that would change, rendered, and an index of every source looked at."""

    def run(self) -> int:
        if self.options.preview is not None:
            self.preview = Preview(self.options.preview)
        code = self._run()
        if self.preview is not None:
            self.out.line(f"preview: {self.preview.summary()}: {self.preview.write_index()}")
        return code

    def _run(self) -> int:
        if self.state.problem:
            self.out.line(self.state.problem)
        self.options = replace(self.options, force_pages=frozenset(self.wiki.canonical_title(t) or t for t in self.options.force_pages))
        listed = self._list_prefixes()
        self.claims = Claims.of_page_map(self.page_map, self.wiki.canonical_title, self.wiki.title_problem)
        specs = [self.page_map.source(t) for t in self.options.sources] if self.options.sources else list(self.page_map.sources)
        # a dry run reads and vets them as the run does, to show what it would save there
        request_page = self.page_map.request_page
        # the status page is read in the same batch: its save then costs no read of its own
        status_page = self.page_map.status_page
        pages = self.wiki.read_sources([spec.page for spec in specs] + [p for p in (request_page, status_page) if p])
        requests_page = self._request_page(request_page, pages)
        verdicts = self._vet(requests_page) if requests_page else []
        requested = {source for verdict in verdicts for source in verdict.sources}
        for title in requested - {spec.page for spec in specs}:
            specs.append(self.page_map.source(title))
            pages.update(self.wiki.read_sources([title]))

        sources = {spec.page: pages.get(self.wiki.canonical_title(spec.page) or spec.page) for spec in specs}
        with_aggregates = bool(self.page_map.aggregates) and not self.options.sources
        settled = self._settled(specs, sources, requested, listed, with_aggregates)
        codes: list[int] = []
        records: dict[str, RunRecord] = {}
        runs: list[tuple[_SourceRun, SourcePage]] = []
        outcome: dict[str, int | None] = {}
        failed: list[str] = []
        noteworthy = False
        for spec in specs:
            if self.preview is not None:
                self.preview.look_at(spec.page)
            source = sources[spec.page]
            if source is None or source.redirect:
                why = "is a redirect; name its target in page_map.yaml" if source else f"does not exist on {self.wiki.site_id}"
                self.out.line(f"{spec.page}: the source page {why}")
                codes.append(EXIT_ERROR)
                failed.append(spec.page)
                continue
            rebuild = self.options.rebuild or spec.page in requested
            run = _SourceRun(self, replace(self.options, rebuild=rebuild), self.out, spec.page, self.key(spec), spec=spec)
            runs.append((run, source))
            outcome[spec.page] = run.prepare(source, settled.get(spec.page, False))
        if self._conflicts(runs, settled):
            codes.append(EXIT_ERROR)
        # every source's generated pages in one batched read, not one read per source
        ready = [run for run, _ in runs if outcome[run.spec.page] is None]
        current = self.wiki.read_pages([title for run in ready for title in run.desired]) if ready else {}
        # and the text the wiki would store of every page to save, in one request for all of them too
        decided = dict(zip((run.spec.page for run in ready), _as_stored(self.wiki, [(run, run.decide(current)) for run in ready])))
        for run, _ in runs:
            code = outcome[run.spec.page]
            codes.append(run.complete(decided[run.spec.page]) if code is None else code)
            if codes[-1] == EXIT_ERROR:
                failed.append(run.spec.page)
            if run.record is not None:
                records[run.spec.page] = run.record
            noteworthy = noteworthy or run.noteworthy

        if with_aggregates:
            if self.preview is not None:
                self.preview.look_at(_AGGREGATES)
            code, noted = self._aggregate(runs, failed, settled.get(_AGGREGATES, False))
            codes.append(code)
            noteworthy = noteworthy or noted
        if requests_page and verdicts and requests_page.title not in self.withheld:
            codes.append(self._answer(requests_page, verdicts, records))
        if status_page and noteworthy and self.wiki.canonical_title(status_page) not in self.withheld:
            codes.append(self._update_status(records, pages.get(self.wiki.canonical_title(status_page) or status_page)))
        if EXIT_ERROR in codes:
            return EXIT_ERROR
        return EXIT_PENDING if EXIT_PENDING in codes else EXIT_OK

    def _conflicts(self, runs: list[tuple[_SourceRun, SourcePage]], settled: Mapping[str, bool]) -> bool:
        """Report every page that two uses of the page map share, and withhold it from all of them.
        A settled source (not parsed in this run) and a source outside the run (--source) count with
        the pages they generated when last published, as long as their settings are the same."""
        assert self.claims is not None
        in_run: set[str] = set()
        for run, _ in runs:
            in_run.add(run.spec.page)
            if run.reading is not None:
                for page in run.desired.values():
                    if page.target is not None and run.spec.targets[page.target].each:
                        self.claims.add(page.title, self.page_map.target_use(run.spec, page.target))
            elif settled.get(run.spec.page) and (entry := self.state.sources.get(run.state_key)) is not None:
                self.claims.add_published(self.page_map, run.spec, entry.pages)
        if self.options.sources:
            for spec in self.page_map.sources:
                entry = self.state.sources.get(self.key(spec))
                if spec.page not in in_run and entry is not None and entry.render_key == self.render_key(spec):
                    self.claims.add_published(self.page_map, spec, entry.pages)
        conflicts = self.claims.conflicts()
        for conflict in conflicts:
            self.out.line(conflict.message(self.page_map.path))
            self.withheld.add(conflict.title)
        return bool(conflicts)

    def _list_prefixes(self) -> dict[str, RevisionMark | None]:
        """Add the sources that the page map's prefixes find on the wiki; return the latest revision of
        every page under them (sources and generated pages alike), which the no-op check then need not ask."""
        listing: dict[str, tuple[str, ...]] = {}
        revisions: dict[str, RevisionMark | None] = {}
        for rule in self.page_map.sources_from:
            found = self.wiki.pages_under(rule.prefix)
            listing[rule.prefix] = tuple(title for title, listed in found.items() if not listed.redirect)
            revisions.update({title: listed.mark for title, listed in found.items()})
        if listing:
            self.page_map = self.page_map.with_listed(listing, self.wiki.canonical_title)
            # listed titles are spelt as the wiki spells them; named sources as page_map.yaml does
            sources = {self.wiki.canonical_title(spec.page) if title_key(spec.page) not in self.page_map.listed_from else spec.page
                       for spec in self.page_map.sources}
            for rule in self.page_map.sources_from:
                self.out.detail(f"sources_from {rule.prefix!r}: {sum(1 for t in listing[rule.prefix] if t in sources)} source pages")
        return revisions

    def _aggregate(self, runs: list[tuple[_SourceRun, SourcePage]], failed: list[str], settled: bool) -> tuple[int, bool]:
        """The aggregates of this run's sources: held back while a source failed, so that no aggregate
        is published from part of the corpus."""
        if failed:
            named = ", ".join(failed[:5]) + (f" and {len(failed) - 5} more" if len(failed) > 5 else "")
            self.out.line(f"aggregates: not updated, because {len(failed)} source(s) failed: {named}")
            return EXIT_ERROR, False
        readings = [run.reading or read_source(source.text, source.title, source.revision, run.spec, self.page_map.codebooks)
                    for run, source in runs]
        job = _AggregateRun(self, self.options, self.out, "aggregates", state_key(self.wiki.site_id, _AGGREGATES),
                            key=self._aggregate_key([(run.spec, source) for run, source in runs]))
        code = job.run(readings, settled)
        return code, job.noteworthy

    def _aggregate_key(self, sources: list[tuple[SourceSpec, SourcePage]]) -> str:
        """What the aggregates depend on: every source's revision and settings, the aggregates' own
        settings and the templates."""
        digest = hashlib.sha1()
        for spec, source in sources:
            digest.update(f"{source.title}\n{source.revision}\n{self.render_key(spec)}\n".encode("utf-8"))
        digest.update(repr((self.page_map.aggregates, sorted(self.page_map.keyword_themes.items()))).encode("utf-8"))
        return digest.hexdigest()

    def _settled(self, specs: list[SourceSpec], sources: Mapping[str, SourcePage | None], requested: set[str],
                 known: Mapping[str, RevisionMark | None], with_aggregates: bool) -> dict[str, bool]:
        """Which sources need nothing: same source revision, templates and settings as the last complete
        run, and every generated page still at the very revision that run left it at: the same id and
        the same text's SHA-1 (a wiki set up again may hold a person's text under that id). One batched
        query of the latest revisions tells, for all sources at once, and none for the pages a prefix listing has just shown;
        a source that fails it is compared page by page. The aggregates are settled when their inputs
        and pages are."""
        if self.options.rebuild:
            return {}
        candidates: dict[str, SourceState] = {}
        for spec in specs:
            source, entry = sources.get(spec.page), self.state.sources.get(self.key(spec))
            if (source is not None and entry is not None and entry.pages and spec.page not in requested
                    and entry.revision == source.revision and entry.render_key == self.render_key(spec)):
                candidates[spec.page] = entry
        if with_aggregates and len(candidates) == len(specs):
            entry = self.state.sources.get(state_key(self.wiki.site_id, _AGGREGATES))
            inputs = [(spec, sources[spec.page]) for spec in specs]
            if entry is not None and entry.pages and entry.render_key == self._aggregate_key(inputs):  # type: ignore[arg-type]
                candidates[_AGGREGATES] = entry
        if not candidates:
            return {}
        known = dict(known)
        for page, entry in candidates.items():
            # more pages than one info request takes, all subpages of the source: one listing of them
            prefix = (self.wiki.canonical_title(page) or page) + "/"
            unknown = [title for title in entry.pages if title not in known]
            if page != _AGGREGATES and len(unknown) > self.wiki.titles_per_request and all(t.startswith(prefix) for t in unknown):
                known.update({title: listed.mark for title, listed in self.wiki.pages_under(prefix).items()})
                known.update({title: None for title in unknown if title not in known})  # gone since
        titles = [title for entry in candidates.values() for title in entry.pages]
        latest = {**known, **self.wiki.latest_revisions([title for title in titles if title not in known])}
        return {page: all(mark.proves(latest.get(title)) for title, mark in entry.pages.items())
                for page, entry in candidates.items()}

    def render_key(self, spec: SourceSpec) -> str:
        """:func:`render_key`, once per source and run: it reads every template file, and a corpus run
        asks for each source's key up to three times (the no-op check, the aggregates' key, the save)."""
        if spec.page not in self._render_keys:
            self._render_keys[spec.page] = render_key(spec, self.page_map.templates)
        return self._render_keys[spec.page]

    def key(self, spec: SourceSpec) -> str:
        return state_key(self.wiki.site_id, spec.page)

    def _request_page(self, title: str | None, pages: Mapping[str, SourcePage | None]) -> SourcePage | None:
        """The request page, when it can take requests; a line (and publishing goes on) when it cannot."""
        if title is None:
            return None
        page = pages.get(self.wiki.canonical_title(title) or title)
        if page is None:
            self.out.detail(f"request page {title} does not exist; no requests to answer")
            return None
        if page.redirect:
            self.out.line(f"request page {title} is a redirect; its requests are not read (point request_page in "
                          f"{self.page_map.path.name} at the page itself)")
            return None
        return page

    def _vet(self, request_page: SourcePage) -> list[Verdict]:
        pending = pending_requests(request_page)
        if not pending:
            return []
        try:
            history = self.wiki.history(request_page.title)
        except WikiError as exc:
            self.out.line(f"request page {request_page.title}: {exc}; its requests wait for the next run")
            return []
        authors = requesters(pending, history)
        try:
            standings = self.wiki.standings({author for author in authors if author})
        except WikiError as exc:
            self.out.line(f"request page {request_page.title}: {exc}; its requests wait for the next run")
            return []
        known = {self.wiki.canonical_title(spec.page) or spec.page: spec.page for spec in self.page_map.sources}
        canonical = functools.lru_cache(maxsize=None)(self.wiki.canonical_title)
        verdicts = [vet(request, author, standings.get(author) if author else None, known, canonical)
                    for request, author in zip(pending, authors)]
        for verdict in verdicts:
            if verdict.declined:
                self.out.line(f"request on {request_page.title} line {verdict.request.line}: declined: {verdict.declined}")
        return verdicts

    def _answer(self, page: SourcePage, verdicts: list[Verdict], records: dict[str, RunRecord]) -> int:
        """Answer the requests on the request page (a dry run shows the answers): the exit code it adds."""
        answers = []
        for verdict in verdicts:
            if verdict.declined:
                answers.append((verdict.request, "declined", verdict.declined))
                continue
            outcomes = [records.get(source) for source in verdict.sources]
            failed = [o for o in outcomes if o is None or o.code == EXIT_ERROR]
            status = "failed" if failed else "done"
            described = "; ".join(_describe(source, o) for source, o in zip(verdict.sources, outcomes))
            answers.append((verdict.request, status, described))
        read = pending_requests(page)
        current = PageState(page.text, page.revision, timestamp=page.timestamp)
        if self.options.dry_run:
            answered = answer_all(page.text, answers, read)
            if answered == page.text:
                return EXIT_OK
            self.out.line(f"--- update: {page.title} (the answers to {len(answers)} request(s))")
            self.out.diff(unified_diff(page.title, page.text, answered, ("on the wiki", "answered")))
            return EXIT_PENDING
        for _ in range(_ANSWER_TRIES):
            result = self.wiki.save(page.title, answer_all(current.text or "", answers, read), "Bot: answering rebuild requests", current)
            if result.ok:
                self.out.line(f"answered {len(answers)} request(s) on {page.title} (revision {result.revision})")
                return EXIT_OK
            if result.failure is None or not result.failure.conflict:
                break
            # someone edited the request page meanwhile: answer again on top of their revision
            current = self.wiki.read_pages([page.title]).get(page.title) or PageState(None)
            if current.text is None:
                break
        self.out.line(f"FAILED to answer the requests on {page.title}: {result.reason}")
        return EXIT_OK  # as before: the requests wait for the next run, publishing went on

    def _update_status(self, records: dict[str, RunRecord], read: SourcePage | None) -> int:
        """Save the status page over the revision ``read`` at the start of the run (an edit since is an
        edit conflict, never overwritten); a dry run shows it. The exit code it adds."""
        title = self.page_map.status_page
        assert title is not None
        current = PageState(read.text, read.revision, read.user, timestamp=read.timestamp) if read else PageState(None)
        # the runs listed there so far are read back from the page itself: the local state may be gone
        header, rest = split_header(current.text or "")
        body, dropped = render_status(self.page_map, records, rest or None)
        if dropped:
            self.out.line(f"status page {title}: {dropped} run record(s) dropped: not as wikisync wrote them "
                          "(a field's type or the checksum does not fit: edited by hand?)")
        text = header + ("\n" if header else "") + stamp(body)
        if current.text is not None:
            if same_content(current.text, text):
                return EXIT_OK
            if status_ownership(current.text) is not Ownership.INTACT and not self.options.force_all:
                who = f" by {current.user}" if current.user else ""
                self.out.line(f"status page {title} was edited{who} since wikisync wrote it; not overwritten (--force-all overwrites it)")
                return EXIT_OK
        if self.options.dry_run:
            change = Change(title, Action.CREATE if current.text is None else Action.UPDATE, current.text, text)
            self.out.line(f"--- {change.action.value}: {title} (the status page; the pages this run saves show as \"to be saved\")")
            self.out.diff(change.diff())
            return EXIT_PENDING
        result = self.wiki.save(title, text, "Bot: wikisync run status", current)
        if result.ok:
            self.out.detail(f"status: {title} (revision {result.revision}) {self.wiki.url(title)}")
        else:
            self.out.line(f"FAILED to update the status page {title}: {result.reason}")
        return EXIT_OK


def _describe(source: str, outcome: RunRecord | None) -> str:
    if outcome is None:
        return f"{source}: not processed"
    saved = outcome.saved
    text = f"{source}: {outcome.outcome} from revision {outcome.revision}"
    if saved:
        text += " (" + ", ".join(f"{p.title} revision {p.new}" if p.new else f"{p.title} to be saved"
                                 for p in saved[:20]) + ")"
    problems = outcome.problems
    if problems:
        text += ": " + "; ".join(problems[:5]) + (f"; and {len(problems) - 5} more" if len(problems) > 5 else "")
    return text


@dataclass
class _Publication:
    """Pages to publish for one source, or for the aggregates of all: plan them, show them, save them."""

    invocation: _Run
    options: Options
    out: Output
    label: str
    """What its lines start with: the source page, or "aggregates"."""
    state_key: str
    desired: dict[str, DesiredPage] = field(default_factory=dict)
    invalid: list[Change] = field(default_factory=list)
    current: dict[str, PageState] = field(default_factory=dict)
    record: RunRecord | None = None
    """Filled when the run did something: what the status page and request answers report."""
    noteworthy: bool = False
    """The run saved something, met a problem, or found the source or its check changed: worth a status edit."""
    stopped_by_check: bool = False
    """A dry run went past check errors that stop the run: the record says it stopped, as the run's would."""

    @property
    def wiki(self) -> Wiki:
        return self.invocation.wiki

    @property
    def state(self) -> State:
        return self.invocation.state

    @property
    def record_(self) -> RunRecord:
        assert self.record is not None, "a publication's record is made when it reads its inputs"
        return self.record

    @property
    def entry(self) -> SourceState:
        return self.state.source(self.state_key)

    def _claim(self, pages: list[DesiredPage]) -> None:
        """Take the rendered pages as this publication's, or as invalid: a title the wiki rejects, or
        that another page of the run already has."""
        invalid = self.invalid
        for page in pages:
            title = self.wiki.canonical_title(page.title)
            if title is None:
                invalid.append(Change(page.title, Action.INVALID, None, page.text, "the wiki does not accept this title"))
            elif title in self.desired:
                invalid.append(Change(title, Action.INVALID, None, page.text, "two generated pages map to this title"))
            elif page.error:
                invalid.append(Change(title, Action.INVALID, None, "", page.error))
            else:
                self.desired[title] = replace(page, title=title)

    def with_stored(self, decided: Plan, stored: Mapping[str, str]) -> Plan:
        """The plan with the text the wiki stores (``stored``: title -> the pre-save transform of its
        text) on each page to save; a page that would then not hold wikisync's text, because the wiki
        rewrites part of it on saving, is an error of its template and is not saved."""
        changes = []
        for change in decided.changes:
            text = stored.get(change.title)
            if text is None:
                changes.append(change)
                continue
            desired = self.desired[change.title]
            kept = region_text(text, desired.region) if desired.region else text
            if kept is not None and ownership(kept) is Ownership.INTACT:
                changes.append(replace(change, stored=text))
                continue
            sent, rewritten = rewritten_on_save(change.new, text)
            template = self.invocation.page_map.templates / desired.template
            changes.append(replace(change, action=Action.INVALID, reason=(
                f"{template}: the wiki rewrites {sent!r} as {rewritten!r} on saving, so the page would not hold "
                "the text wikisync wrote; write it in the template as the wiki stores it")))
        return Plan(tuple(changes))

    def decide(self, current: Mapping[str, PageState]) -> Plan:
        """The plan against the pages as the wiki has them (``current``: read in one batch for the run)."""
        for title in self.invocation.withheld & set(self.desired):
            page = self.desired.pop(title)
            self.invalid.append(Change(title, Action.INVALID, None, page.text,
                                       f"{self.invocation.page_map.path.name} names this page more than once (see above); not written"))
        self.current = {title: current.get(title) or PageState(None) for title in self.desired}
        decided = plan(
            self.current,
            list(self.desired.values()),
            force=self.options.force_pages,
            force_all=self.options.force_all,
        )
        return Plan(decided.changes + tuple(self.invalid))

    def _held_back(self, reasons: list[str], nothing: str = "nothing published for this source") -> None:
        if not reasons:
            return
        self.out.line(f"{self.label}: held back, this looks destructive; {nothing}:")
        for reason in reasons:
            self.out.line(f"  - {reason}")
        self.out.line("  (if the change is intended, run again with --force)")
        self.record_.problems.extend(reasons)

    def _show_refusals(self, decided: Plan) -> None:
        for change in decided.of(Action.INVALID):
            self.out.line(f"INVALID {change.title}: {change.reason}")
        for change in decided.of(Action.EXCLUDED):
            self.out.line(f"skipped {change.title}: {change.reason}")
        for change in decided.of(Action.HUMAN_EDIT):
            self.out.line(f"REFUSED {change.title}: {change.reason}")
            self._show_human_change(change)
        for change in decided.pending:
            if change.reason:
                self.out.detail(f"{change.title}: {change.reason}")

    def _show_human_change(self, change: Change) -> None:
        desired = self.desired[change.title]
        owner = data_ownership if desired.content_model == "json" else ownership

        def wikisyncs(text: str) -> bool:
            inside = region_text(text, desired.region) if desired.region else text
            return inside is not None and owner(inside) is Ownership.INTACT

        intact = self.wiki.last_revision_where(change.title, wikisyncs)
        if intact is None:
            self.out.line(f"  no recent revision holds wikisync's text; its current text is not wikisync's ({self.wiki.url(change.title)})")
            return
        if change.revision:
            self.out.line(f"  the change since wikisync's revision {intact.revid}: {self.wiki.diff_url(change.title, intact.revid, change.revision)}")
        self.out.diff(unified_diff(change.title, intact.text, change.old or "", ("as wikisync saved it", "as edited since")))

    def _show(self, decided: Plan) -> int:
        """Show the plan, and leave the record the run would (its saves' revisions still unknown), so
        that the dry run's answers and status page are the run's."""
        for change in decided.pending:
            self.out.line(f"--- {change.action.value}: {change.title}")
            self.out.diff(change.diff())
        preview = self.invocation.preview
        if preview is not None and decided.pending:
            preview.add(self.label, decided.pending, self.wiki.render_html, self.wiki.url)
            self.out.line(f"{self.label}: preview of {len(decided.pending)} pages: {preview.index}")
        self.out.line(f"{self.label}: dry run: {decided.summary()}; nothing saved")
        if self.stopped_by_check:
            self._finish(EXIT_ERROR, "stopped by check errors")
        else:
            self.record_.saved = [SavedPage(c.title, c.revision, None) for c in _linked_first(decided.pending)]
            self.record_.problems.extend(f"{change.title}: {change.reason}" for change in decided.refused)
            complete = not decided.refused
            self._finish(EXIT_OK if complete else EXIT_ERROR, _outcome(decided, len(decided.pending), 0))
        if decided.refused:
            return EXIT_ERROR
        return EXIT_PENDING if decided.pending else EXIT_OK

    def _save_all(self, decided: Plan, summary: str) -> tuple[bool, dict[str, int], str] | None:
        """Save every pending page: (complete, title -> revision of every page that is as wanted, the
        outcome line), or None when the wiki stopped answering (the run for this source is over)."""
        seen = {c.title: RevisionMark(c.revision, self.current[c.title].sha1 or "")
                for c in decided.changes if c.action in (Action.UNCHANGED, Action.EXCLUDED) and c.revision}
        failed = 0
        for done, change in enumerate(_linked_first(decided.pending)):
            self.out.progress(done, len(decided.pending), change.title)
            try:
                result = self.wiki.save(change.title, change.new, summary, self.current.get(change.title), change.content_model)
            except WikiError as exc:
                self.out.line(f"{self.label}: stopped after {done} of {len(decided.pending)} saves: {exc}; the next run saves the rest")
                self.record_.problems.append(str(exc))
                self._finish(EXIT_ERROR, f"stopped after {done} of {len(decided.pending)} saves")
                return None
            if result.ok:
                verb = "created" if change.action is Action.CREATE else "updated"
                self.out.detail(f"{verb} {change.title} (revision {result.revision}) {self.wiki.url(change.title)}")
                if result.revision == change.revision:  # the wiki had this text already: no new revision
                    seen[change.title] = RevisionMark(result.revision, self.current[change.title].sha1 or "")
                elif result.revision:
                    seen[change.title] = RevisionMark(result.revision, change.stored_sha1)
                self.record_.saved.append(SavedPage(change.title, change.revision, result.revision))
            else:
                failed += 1
                self.out.line(f"FAILED {change.title}: {result.reason}")
                self.record_.problems.append(f"{change.title}: {result.reason}")
        for change in decided.refused:
            self.record_.problems.append(f"{change.title}: {change.reason}")
        outcome = _outcome(decided, len(decided.pending) - failed, failed)
        return not failed and not decided.refused, seen, outcome

    def _finish(self, code: int, outcome: str) -> int:
        record = self.record_
        record.outcome, record.code = outcome, code
        entry = self.entry
        self.noteworthy = bool(record.saved or record.problems) or any(
            entry.last_run.get(key) != getattr(record, key) for key in ("revision", "check", "code")
        )
        if not self.options.dry_run:
            if self.noteworthy:
                entry.last_run = record.as_dict()
            self.state.save()
        return code


@dataclass
class _SourceRun(_Publication):
    spec: SourceSpec = field(kw_only=True)
    reading: Reading | None = None
    """The source as this run read it; None when the run found it settled and did not parse it."""
    _source: SourcePage | None = field(default=None, repr=False)

    def prepare(self, source: SourcePage, settled: bool) -> int | None:
        """Read, check and render the source: the exit code when that is all there is to do, else None
        (the run then reads every source's generated pages in one batch and calls :meth:`complete`)."""
        previous = self.state.sources.get(self.state_key)
        if settled and not self.options.rebuild:
            pages = len(previous.pages) if previous else 0
            self.out.line(f"{self.spec.page}: unchanged since revision {source.revision}, and its {pages} pages too; nothing to do")
            return EXIT_OK
        reading = self.reading = read_source(source.text, source.title, source.revision, self.spec, self.invocation.page_map.codebooks)
        self.out.detail(f"{self.spec.page} (revision {source.revision}): {reading.describe()}")
        self.record = RunRecord(now(), source.revision, check="not run")
        if not self._checked(reading):
            # say so too when the errors come from a blanked or gutted source: the likelier story
            self._held_back(self._destructive(reading, previous, Plan(())))
            return self._finish(EXIT_ERROR, "stopped by check errors")
        if self.options.dry_run:
            for note in reading.notes():
                self.out.line(note)
        self._claim(render(reading.report, self.spec, self.invocation.page_map.templates))
        self._source = source
        return None

    def complete(self, decided: Plan) -> int:
        """Given the plan against the pages as read, hold back what looks destructive, then show or save."""
        assert self.reading is not None
        reasons = self._destructive(self.reading, self.state.sources.get(self.state_key), decided)
        if reasons:
            if not self.options.overrides_guards:
                self._held_back(reasons)
                return self._finish(EXIT_ERROR, "held back: the change looks destructive")
            self.out.line(f"{self.spec.page}: destructive-change guard overridden by --force: {'; '.join(reasons)}")
        self._show_refusals(decided)
        if self.options.dry_run:
            return self._show(decided)
        return self._publish(decided, self._source, self.reading)

    def _destructive(self, reading: Reading, previous: SourceState | None, decided: Plan) -> list[str]:
        return destructive_reasons(reading.counts, previous.counts if previous else {}, decided, self.spec.guard)

    def _checked(self, reading: Reading) -> bool:
        diagnostics = reading.diagnostics
        blocking = has_errors(diagnostics)
        self.record_.check = summary_line(diagnostics)
        if blocking:
            self.record_.problems.extend(f"line {d.line}: {d.code} {d.message}" for d in diagnostics if d.severity == "error")
        if blocking or self.options.dry_run:
            for diagnostic in diagnostics:
                self.out.line(diagnostic.format(self.spec.page))
            if diagnostics:
                self.out.line(f"{self.spec.page}: check: {summary_line(diagnostics)}")
        elif diagnostics:
            self.out.detail(f"{self.spec.page}: check: {summary_line(diagnostics)}")
        if blocking and not self.options.overrides_guards:
            if not self.options.dry_run:
                self.out.line(f"{self.spec.page}: check errors stop the publish; fix the source or run with --force")
                return False
            self.out.line(f"{self.spec.page}: a real run would stop here (check errors); the diff below assumes --force")
            self.stopped_by_check = True
        return True

    def _publish(self, decided: Plan, source: SourcePage, reading: Reading) -> int:
        saved = self._save_all(decided, self.spec.summary.format(source=self.spec.page, revision=source.revision))
        if saved is None:
            return EXIT_ERROR
        complete, seen, outcome = saved
        if complete:
            entry = self.entry
            entry.revision = source.revision
            for noun, count in reading.counts.items():
                setattr(entry, noun, count)
            entry.render_key = self.invocation.render_key(self.spec)
            entry.pages = seen
        self.out.line(f"{self.spec.page}: revision {source.revision}: {outcome}")
        return self._finish(EXIT_OK if complete else EXIT_ERROR, outcome)


@dataclass
class _AggregateRun(_Publication):
    """The pages made from every source together: rendered again only when an input changed."""

    key: str = ""
    """:func:`aggregate_key` of this run's inputs."""

    def run(self, readings: list[Reading], settled: bool) -> int:
        page_map = self.invocation.page_map
        if settled and not self.options.rebuild:
            self.out.line(f"aggregates: no source changed, and the {len(page_map.aggregates)} aggregate pages neither; nothing to do")
            return EXIT_OK
        self.record = RunRecord(now(), None, check=f"{len(readings)} sources")
        corpora = {role: aggregate(readings, page_map.keyword_themes, page_map.codebooks, role)
                   for role in dict.fromkeys(a.role for a in page_map.aggregates)}
        first = next(iter(corpora.values()))
        self.out.detail(f"aggregates: {len(readings)} sources, {first.statements} statements, {first.participants} participants")
        self._claim(render_aggregates(corpora, page_map.aggregates, page_map.templates))
        [decided] = _as_stored(self.wiki, [(self, self.decide(self.wiki.read_pages(self.desired)))])
        reasons = destructive_reasons({}, {}, decided, Guard())
        if reasons and not self.options.overrides_guards:
            self._held_back(reasons, "nothing published")
            return self._finish(EXIT_ERROR, "held back: the change looks destructive")
        self._show_refusals(decided)
        if self.options.dry_run:
            return self._show(decided)
        saved = self._save_all(decided, f"Bot: update aggregate of {len(readings)} source pages")
        if saved is None:
            return EXIT_ERROR
        complete, seen, outcome = saved
        if complete:
            entry = self.entry
            entry.render_key, entry.pages = self.key, seen
        self.out.line(f"aggregates: {outcome}")
        return self._finish(EXIT_OK if complete else EXIT_ERROR, outcome)


def _outcome(decided: Plan, saved: int, failed: int) -> str:
    """What a run that saved ``saved`` of the plan's pending pages says it did."""
    problems = f", {failed} failed" if failed else ""
    problems += f", {len(decided.refused)} refused" if decided.refused else ""
    return (f"saved {saved} of {len(decided.pending)} "
            f"({decided.count(Action.CREATE)} to create, {decided.count(Action.UPDATE)} to change), "
            f"{decided.count(Action.UNCHANGED)} unchanged{problems}")


def _as_stored(wiki: Wiki, plans: list[tuple[_Publication, Plan]]) -> list[Plan]:
    """Each publication's plan with the text the wiki would store of every wikitext page to save,
    told by the wiki's own pre-save transform, asked for all of them at once (nothing when nothing
    is to be saved: a no-op costs no request more). A dry run asks too, so it decides as the real run."""
    wanted = [(number, change) for number, (_, decided) in enumerate(plans) for change in decided.pending
              if change.content_model == "wikitext"]
    stored = wiki.pre_save_transform([(change.title, change.new) for _, change in wanted]) if wanted else []
    texts: list[dict[str, str]] = [{} for _ in plans]
    for (number, change), text in zip(wanted, stored):
        texts[number][change.title] = text
    return [publication.with_stored(decided, texts[number]) for number, (publication, decided) in enumerate(plans)]


def _linked_first(changes: tuple[Change, ...]) -> list[Change]:
    """Pages that the others link to first, the overview last: a page saved after the pages it links
    to shows those links blue at once, without waiting for the wiki's link-update jobs."""
    titles = [change.title for change in changes]
    return sorted(changes, key=lambda change: sum(f"[[{title}|" in change.new for title in titles))
