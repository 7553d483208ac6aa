"""Run a sync: plan it (:mod:`wikisync.runplan`, no side effect), show it, and for a real run apply it.
Returns an exit code.

The decisions are the plan's; this module prints them and acts on them: a dry run shows the plan
(every line up to the saves, the diffs, the request answers and the status page as they would be
written) and stops; a real run goes the same way with the saves in place of the diffs. Both take one
code path, :func:`_execute`, with an actor that shows (:class:`_Show`) or saves (:class:`_Apply`).
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TextIO

from .config import PageMap
from .diagnostics import has_errors, summary_line
from .errors import EXIT_ERROR, EXIT_OK, EXIT_PENDING, WikiError
from .model import PageState, RebuildRequest, RevisionMark
from .onwiki import answer_all, pending_requests, render_status, split_header, status_ownership
from .ownership import Ownership, stamp
from .plan import Action, Change, Plan, same_content, unified_diff
from .preview import Preview
from .run_record import RunRecord, SavedPage
from .runplan import AggregatesPlan, Options, Publication, RequestAnswers, RunPlan, SourcePlan, build_plan
from .state import State, run_lock
from .wiki import SourcePage, Wiki
from .wiki_records import Revision

__all__ = ["EXIT_ERROR", "EXIT_OK", "EXIT_PENDING", "Options", "Output", "RunResult", "apply", "show", "sync"]

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


def sync(page_map: PageMap, wiki: Wiki, options: Options | None = None, out: Output | None = None) -> int:
    """Plan the run, show it; a dry run stops there, a real run applies it. The exit code."""
    out = out or Output()
    options = options or Options()
    state_path = page_map.state_dir / "state.json"
    if options.dry_run:
        preview = Preview(options.preview) if options.preview is not None else None
        code = show(build_plan(page_map, wiki, options, State.load(state_path)), wiki, out, preview)
        if preview is not None:
            out.line(f"preview: {preview.summary()}: {preview.write_index()}")
        return code
    with run_lock(page_map.state_dir / "lock"):
        state = State.load(state_path)
        return apply(build_plan(page_map, wiki, options, state), wiki, state, out).code


@dataclass(frozen=True)
class RunResult:
    code: int
    records: dict[str, RunRecord]
    """Source -> what its part of the run did (settled and missing sources have none)."""


def show(plan: RunPlan, wiki: Wiki, out: Output, preview: Preview | None = None) -> int:
    """The dry run: every line the run would print up to its saves, the diffs of the pages it would
    save, and the request answers and status page as it would write them; nothing saved."""
    if preview is not None:
        for pub in plan.publications:
            preview.look_at(pub.label)
    return _execute(plan, _Show(wiki, out, preview)).code


def apply(plan: RunPlan, wiki: Wiki, state: State, out: Output) -> RunResult:
    """Save what the plan says, source by source, then the aggregates, the request answers and the
    status page; the state of a publication advances only when every one of its saves succeeded. The
    statement counts of the histories read are facts of the wiki: the state keeps them whatever the saves do."""
    for key, (counted_with, counts) in plan.statement_counts.items():
        entry = state.source(key)
        entry.statement_counts_key, entry.statement_counts = counted_with, counts
    if plan.statement_counts:
        state.save()
    return _execute(plan, _Apply(wiki, out, state))


def _execute(plan: RunPlan, actor: _Show | _Apply) -> RunResult:
    """One code path for the dry run and the real run: only ``actor`` (show, or save) differs."""
    out = actor.out
    for note in plan.opening:
        (out.detail if note.detail else out.line)(note.text)
    for sp in plan.sources:
        _show_reading(sp, plan.options, actor.wiki, out)
    for conflict in plan.conflicts:
        out.line(conflict)
    codes = [EXIT_ERROR] if plan.conflicts else []
    records: dict[str, RunRecord] = {}
    for sp in plan.sources:
        code, record = _source_part(sp, actor)
        codes.append(code)
        if record is not None:
            records[sp.label] = record
    if plan.aggregates is not None:
        codes.append(_aggregates_part(plan.aggregates, plan, actor))
    if plan.answers is not None:
        codes.append(actor.answer(plan.answers.page, _answers(plan.answers, records)))
    if plan.status is not None and actor.noteworthy:
        codes.append(_update_status(plan, records, actor))
    if EXIT_ERROR in codes:
        return RunResult(EXIT_ERROR, records)
    return RunResult(EXIT_PENDING if EXIT_PENDING in codes else EXIT_OK, records)


def _source_part(sp: SourcePlan, actor: _Show | _Apply) -> tuple[int, RunRecord | None]:
    if sp.missing:
        return EXIT_ERROR, None
    if sp.settled:
        return EXIT_OK, None
    assert sp.record is not None
    if sp.changes is None:
        record = _copy(sp.record)
        record.problems.extend(sp.guard_reasons)
        return EXIT_ERROR, actor.finish(sp, record, EXIT_ERROR, "stopped by check errors")
    if sp.guard_reasons and not sp.held_back:
        actor.out.line(f"{sp.label}: destructive-change guard overridden by --force: {'; '.join(sp.guard_reasons)}")
    code, record = _publish(sp, actor)
    # a language held back is an error of the run, as a source's check errors are; its other languages are published
    return (EXIT_ERROR if sp.languages_held_back else code), record


def _aggregates_part(aggregates: AggregatesPlan, plan: RunPlan, actor: _Show | _Apply) -> int:
    """The aggregates, from every source that reads well now and the last published data of those that
    fail (which every aggregate page names). The run's exit code stays the failing sources' own."""
    out = actor.out
    for stale in aggregates.stale:
        counted = "left out" if stale.left_out else f"counted from its last published data (revision {stale.revision})"
        out.line(f"aggregates: {stale.title}: {counted}, because: {stale.reason}")
    if aggregates.record is None:
        out.line(f"aggregates: no source changed, and the {len(plan.page_map.aggregates)} aggregate pages neither; nothing to do")
        return EXIT_OK
    out.detail(f"aggregates: {aggregates.described}")
    return _publish(aggregates, actor)[0]


def _publish(pub: Publication, actor: _Show | _Apply) -> tuple[int, RunRecord]:
    """The one publication path of sources and aggregates: held back, or refusals shown, then shown or saved."""
    assert pub.record is not None and pub.changes is not None
    record = _copy(pub.record)
    if pub.held_back:
        _show_held_back(pub, actor.out, record)
        return EXIT_ERROR, actor.finish(pub, record, EXIT_ERROR, "held back: the change looks destructive")
    _show_refusals(pub, actor.wiki, actor.out)
    return actor.publish(pub, record)


def _copy(record: RunRecord) -> RunRecord:
    """The plan's record, to fill in: the plan itself stays as planned."""
    return replace(record, saved=list(record.saved), problems=list(record.problems))


def _show_reading(sp: SourcePlan, options: Options, wiki: Wiki, out: Output) -> None:
    """What reading a source found: missing, settled, or its description and its check."""
    if sp.missing:
        why = "is a redirect; name its target in page_map.yaml" if sp.source else f"does not exist on {wiki.site_id}"
        out.line(f"{sp.label}: the source page {why}")
        return
    assert sp.source is not None
    if sp.settled:
        out.line(f"{sp.label}: unchanged since revision {sp.source.revision}, and its {sp.published_pages} pages too; nothing to do")
        return
    assert sp.reading is not None
    out.detail(f"{sp.label} (revision {sp.source.revision}): {sp.reading.describe()}")
    diagnostics = sp.reading.diagnostics
    if has_errors(diagnostics) or options.dry_run:
        for diagnostic in diagnostics:
            out.line(diagnostic.format(sp.label))
        if diagnostics:
            out.line(f"{sp.label}: check: {summary_line(diagnostics)}")
    elif diagnostics:
        out.detail(f"{sp.label}: check: {summary_line(diagnostics)}")
    if sp.stopped_by_check and not options.dry_run:
        out.line(f"{sp.label}: check errors stop the publish; fix the source or run with --force")
        if sp.guard_reasons:
            _show_held_back(sp, out)
        return
    if sp.stopped_by_check:
        out.line(f"{sp.label}: a real run would stop here (check errors); the diff below assumes --force")
    if options.dry_run:
        for note in sp.reading.notes():
            out.line(note)
    for translation in sp.translations:
        if has_errors(translation.diagnostics) or options.dry_run:
            for diagnostic in translation.diagnostics:
                out.line(diagnostic.format(translation.title))
        elif translation.diagnostics:
            out.detail(f"{translation.title}: check: {summary_line(translation.diagnostics)}")
    for outcome in sp.languages:
        (out.detail if outcome.status == "published" else out.line)(f"{sp.label}: {outcome.describe()}")


def _show_held_back(pub: Publication, out: Output, record: RunRecord | None = None) -> None:
    nothing = "nothing published" if isinstance(pub, AggregatesPlan) else "nothing published for this source"
    out.line(f"{pub.label}: held back, this looks destructive; {nothing}:")
    for reason in pub.guard_reasons:
        out.line(f"  - {reason}")
    out.line("  (if the change is intended, run again with --force)")
    if record is not None:
        record.problems.extend(pub.guard_reasons)


def _show_refusals(pub: Publication, wiki: Wiki, out: Output) -> None:
    assert pub.changes is not None
    for change in pub.changes.of(Action.INVALID):
        out.line(f"INVALID {change.title}: {change.reason}")
    for change in pub.changes.of(Action.EXCLUDED):
        out.line(f"skipped {change.title}: {change.reason}")
    for change in pub.changes.of(Action.HUMAN_EDIT):
        out.line(f"REFUSED {change.title}: {change.reason}")
        _show_human_change(change, pub.last_intact.get(change.title), wiki, out)
    for change in pub.changes.pending:
        if change.reason:
            out.detail(f"{change.title}: {change.reason}")


def _show_human_change(change: Change, intact: Revision | None, wiki: Wiki, out: Output) -> None:
    if intact is None:
        out.line(f"  no recent revision holds wikisync's text; its current text is not wikisync's ({wiki.url(change.title)})")
        return
    if change.revision:
        out.line(f"  the change since wikisync's revision {intact.revid}: {wiki.diff_url(change.title, intact.revid, change.revision)}")
    out.diff(unified_diff(change.title, intact.text, change.old or "", ("as wikisync saved it", "as edited since")))


@dataclass
class _Show:
    """The dry run's actor: shows each publication's diffs and the pages it would write; saves nothing."""

    wiki: Wiki
    out: Output
    preview: Preview | None = None
    noteworthy: bool = False
    """A publication saved something, met a problem, or found the source or its check changed: worth a status edit."""

    def publish(self, pub: Publication, record: RunRecord) -> tuple[int, RunRecord]:
        """Show the plan, and leave the record the run would (its saves' revisions still unknown), so
        that the dry run's answers and status page are the run's."""
        assert pub.changes is not None
        pending = pub.changes.pending
        for change in pending:
            self.out.line(f"--- {change.action.value}: {change.title}")
            self.out.diff(change.diff())
        if self.preview is not None and pending:
            self.preview.add(pub.label, pending, self.wiki.render_html, self.wiki.url)
            self.out.line(f"{pub.label}: preview of {len(pending)} pages: {self.preview.index}")
        self.out.line(f"{pub.label}: dry run: {pub.changes.summary()}; nothing saved")
        refused = pub.changes.refused
        if isinstance(pub, SourcePlan) and pub.stopped_by_check:
            _finish(self, pub, record, EXIT_ERROR, "stopped by check errors")
        else:
            record.saved = [SavedPage(c.title, c.revision, None) for c in _linked_first(pending)]
            record.problems.extend(f"{change.title}: {change.reason}" for change in refused)
            _finish(self, pub, record, EXIT_ERROR if refused else EXIT_OK, _outcome(pub.changes, len(pending), 0))
        return (EXIT_ERROR if refused else EXIT_PENDING if pending else EXIT_OK), record

    def finish(self, pub: Publication, record: RunRecord, code: int, outcome: str) -> RunRecord:
        return _finish(self, pub, record, code, outcome)

    def answer(self, page: SourcePage, answers: list[tuple[RebuildRequest, str, str]]) -> int:
        answered = answer_all(page.text, answers, pending_requests(page))
        if answered == page.text:
            return EXIT_OK
        self.out.line(f"--- update: {page.title} (the answers to {len(answers)} request(s))")
        self.out.diff(unified_diff(page.title, page.text, answered, ("on the wiki", "answered")))
        return EXIT_PENDING

    def save_status(self, title: str, current: PageState, text: str) -> int:
        change = Change(title, Action.CREATE if current.text is None else Action.UPDATE, current.text, text)
        self.out.line(f"--- {change.action.value}: {title} (the status page; the pages this run saves show as \"to be saved\")")
        self.out.diff(change.diff())
        return EXIT_PENDING


@dataclass
class _Apply:
    """The real run's actor: saves page by page, and advances the state."""

    wiki: Wiki
    out: Output
    state: State
    noteworthy: bool = False

    def publish(self, pub: Publication, record: RunRecord) -> tuple[int, RunRecord]:
        saved = self._save_all(pub, record)
        if saved is None:
            return EXIT_ERROR, record
        complete, seen, outcome = saved
        if complete:
            pub.settle(self.state.source(pub.state_key), seen)
        self.out.line(f"{pub.heading}: {outcome}")
        code = EXIT_OK if complete else EXIT_ERROR
        return code, _finish(self, pub, record, code, outcome)

    def _save_all(self, pub: Publication, record: RunRecord) -> tuple[bool, dict[str, RevisionMark], str] | None:
        """Save every pending page: (complete, title -> revision of every page that is as wanted, the
        outcome line), or None when the wiki stopped answering (the run for this publication is over)."""
        assert pub.changes is not None
        pending = pub.changes.pending
        seen = {c.title: RevisionMark(c.revision, pub.current[c.title].sha1 or "")
                for c in pub.changes.changes if c.action in (Action.UNCHANGED, Action.EXCLUDED) and c.revision}
        failed = 0
        for done, change in enumerate(_linked_first(pending)):
            self.out.progress(done, len(pending), change.title)
            try:
                result = self.wiki.save(change.title, change.new, pub.summary, pub.current.get(change.title), change.content_model)
            except WikiError as exc:
                self.out.line(f"{pub.label}: stopped after {done} of {len(pending)} saves: {exc}; the next run saves the rest")
                record.problems.append(str(exc))
                _finish(self, pub, record, EXIT_ERROR, f"stopped after {done} of {len(pending)} saves")
                return None
            if result.ok:
                self._saved(change, result.revision, pub, seen)
                record.saved.append(SavedPage(change.title, change.revision, result.revision))
            else:
                failed += 1
                self.out.line(f"FAILED {change.title}: {result.reason}")
                record.problems.append(f"{change.title}: {result.reason}")
        record.problems.extend(f"{change.title}: {change.reason}" for change in pub.changes.refused)
        return not failed and not pub.changes.refused, seen, _outcome(pub.changes, len(pending) - failed, failed)

    def _saved(self, change: Change, revision: int | None, pub: Publication, seen: dict[str, RevisionMark]) -> None:
        verb = "created" if change.action is Action.CREATE else "updated"
        self.out.detail(f"{verb} {change.title} (revision {revision}) {self.wiki.url(change.title)}")
        if revision is not None and revision == change.revision:  # the wiki had this text already: no new revision
            seen[change.title] = RevisionMark(revision, pub.current[change.title].sha1 or "")
        elif revision:
            seen[change.title] = RevisionMark(revision, change.stored_sha1)

    def finish(self, pub: Publication, record: RunRecord, code: int, outcome: str) -> RunRecord:
        return _finish(self, pub, record, code, outcome)

    def answer(self, page: SourcePage, answers: list[tuple[RebuildRequest, str, str]]) -> int:
        """Save the answers over the revision read; on an edit conflict, again on top of the new revision."""
        read = pending_requests(page)
        current = PageState(page.text, page.revision, timestamp=page.timestamp)
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

    def save_status(self, title: str, current: PageState, text: str) -> int:
        result = self.wiki.save(title, text, "Bot: wikisync run status", current)
        if result.ok:
            self.out.detail(f"status: {title} (revision {result.revision}) {self.wiki.url(title)}")
        else:
            self.out.line(f"FAILED to update the status page {title}: {result.reason}")
        return EXIT_OK


def _finish(actor: _Show | _Apply, pub: Publication, record: RunRecord, code: int, outcome: str) -> RunRecord:
    """Close the record; the real run keeps it as the publication's last run when it is worth a status edit."""
    record.outcome, record.code = outcome, code
    noteworthy = bool(record.saved or record.problems) or any(
        pub.previous_run.get(key) != getattr(record, key) for key in ("revision", "check", "code"))
    actor.noteworthy = actor.noteworthy or noteworthy
    if isinstance(actor, _Apply):
        entry = actor.state.source(pub.state_key)
        if noteworthy:
            entry.last_run = record.as_dict()
        actor.state.save()
    return record


def _answers(answers: RequestAnswers, records: Mapping[str, RunRecord]) -> list[tuple[RebuildRequest, str, str]]:
    """(request, status, result) of every request, from what the run did for its sources."""
    written = []
    for verdict in answers.verdicts:
        if verdict.declined:
            written.append((verdict.request, "declined", verdict.declined))
            continue
        outcomes = [records.get(source) for source in verdict.sources]
        failed = [o for o in outcomes if o is None or o.code == EXIT_ERROR]
        described = "; ".join(_describe(source, o) for source, o in zip(verdict.sources, outcomes))
        written.append((verdict.request, "failed" if failed else "done", described))
    return written


def _update_status(plan: RunPlan, records: dict[str, RunRecord], actor: _Show | _Apply) -> int:
    """The status page over the revision read at the start of the run (an edit since is an edit
    conflict, never overwritten), shown or saved. The exit code it adds."""
    assert plan.status is not None
    title, read = plan.status.title, plan.status.read
    current = PageState(read.text, read.revision, read.user, timestamp=read.timestamp) if read else PageState(None)
    # the runs listed there so far are read back from the page itself: the local state may be gone
    header, rest = split_header(current.text or "")
    body, dropped = render_status(plan.page_map, records, rest or None)
    if dropped:
        actor.out.line(f"status page {title}: {dropped} run record(s) dropped: not as wikisync wrote them "
                       "(a field's type or the checksum does not fit: edited by hand?)")
    text = header + ("\n" if header else "") + stamp(body)
    if current.text is not None:
        if same_content(current.text, text):
            return EXIT_OK
        if status_ownership(current.text) is not Ownership.INTACT and not plan.options.force_all:
            who = f" by {current.user}" if current.user else ""
            actor.out.line(f"status page {title} was edited{who} since wikisync wrote it; not overwritten (--force-all overwrites it)")
            return EXIT_OK
    return actor.save_status(title, current, text)


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


def _outcome(decided: Plan, saved: int, failed: int) -> str:
    """What a run that saved ``saved`` of the plan's pending pages says it did."""
    problems = f", {failed} failed" if failed else ""
    problems += f", {len(decided.refused)} refused" if decided.refused else ""
    return (f"saved {saved} of {len(decided.pending)} "
            f"({decided.count(Action.CREATE)} to create, {decided.count(Action.UPDATE)} to change), "
            f"{decided.count(Action.UNCHANGED)} unchanged{problems}")


def _linked_first(changes: tuple[Change, ...]) -> list[Change]:
    """Pages that the others link to first, the overview last: a page saved after the pages it links
    to shows those links blue at once, without waiting for the wiki's link-update jobs."""
    titles = [change.title for change in changes]
    return sorted(changes, key=lambda change: sum(f"[[{title}|" in change.new for title in titles))
