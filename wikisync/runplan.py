"""Plan a whole run, with no side effect: every source, the aggregates, the request answers and the
status page, as a :class:`RunPlan` that :mod:`wikisync.sync` then shows (a dry run stops there) or
applies. Planning reads the wiki (sources, generated pages, the pre-save transform, page histories)
but saves nothing and writes no state: a dry run and the real run that follows take the same decisions.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from .aggregate import StaleSource, aggregate
from .claims import Claims
from .config import Guard, PageMap, SourceSpec
from .diagnostics import has_errors
from .errors import TemplateError, WikiError
from .jsontext import load_data
from .languages import BAR_TEMPLATE, LanguageOutcome, bar_links, find_translations, in_language, listing_prefixes, translated_share
from .messages import LAST_FALLBACK, TABLES, LanguageFacts
from .model import PageState, RevisionMark
from .onwiki import Verdict, now, pending_requests, requesters, vet
from .ownership import Ownership, data_ownership, ownership
from .pages import DesiredPage
from .plan import Action, Change, Plan, destructive_reasons, plan, region_text, rewritten_on_save
from .reading import Across, Cites, CountHistory, Reading, SourceText, count_history, read_source
from .render import catalog, render, render_aggregates, render_key, render_page
from .run_record import RunRecord
from .shapes import shape
from .shapes.base import Citing
from .state import SourceState, State, state_key
from .titles import title_key, with_source
from .translation import TranslationReading, read_translation
from .wiki import SourcePage, Wiki
from .wiki_records import ListedPage, Revision

__all__ = ["AGGREGATES", "AggregatesPlan", "Note", "Options", "Publication", "RequestAnswers", "RunPlan",
           "SourcePlan", "StatusUpdate", "build_plan"]

AGGREGATES = "aggregates"
"""The state key (after the wiki's) and the label of the aggregate pages."""


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


@dataclass(frozen=True)
class Note:
    """A line the planning found to say."""

    text: str
    detail: bool = False
    """Shown only with --verbose."""


@dataclass(kw_only=True)
class Publication:
    """Pages to publish, for one source or for the aggregates of all, as planned against the wiki."""

    label: str
    """What its lines start with: the source page, or "aggregates"."""
    state_key: str
    summary: str = ""
    """The edit summary of its saves."""
    desired: dict[str, DesiredPage] = field(default_factory=dict)
    invalid: list[Change] = field(default_factory=list)
    current: dict[str, PageState] = field(default_factory=dict)
    """The pages as the wiki has them: each save replaces exactly that revision."""
    changes: Plan | None = None
    """The planner's decision for every page; None when nothing is to be published."""
    guard_reasons: list[str] = field(default_factory=list)
    """Why the destructive-change guard finds the change suspicious."""
    held_back: bool = False
    """The guard holds the publication back (its reasons stand, and no --force)."""
    last_intact: dict[str, Revision | None] = field(default_factory=dict)
    """For each page refused as a person's edit: the newest revision still holding wikisync's text."""
    record: RunRecord | None = None
    """What the run found, before it saved anything; None when there is nothing to record."""
    previous_run: dict = field(default_factory=dict)
    """The state's record of the last run that did something (a run like it is no news)."""

    @property
    def heading(self) -> str:
        """What the line of its outcome starts with."""
        return self.label

    def settle(self, entry: SourceState, seen: dict[str, RevisionMark]) -> None:
        """What the state remembers once every page is as wanted (``seen``: their revisions)."""
        raise NotImplementedError


@dataclass(kw_only=True)
class SourcePlan(Publication):
    spec: SourceSpec
    source: SourcePage | None
    """None when the source page does not exist."""
    settled: bool = False
    """Nothing changed since the last complete run: not parsed, nothing to do."""
    published_pages: int = 0
    """With ``settled``: the pages the last complete run left."""
    reading: Reading | None = None
    stopped_by_check: bool = False
    """Check errors stop the publish (no --force); a dry run plans on past them, to show the diff."""
    render_key: str = ""
    rendered: bool = False
    """Its pages were rendered: the run decides what to do with each."""
    translations: list[TranslationReading] = field(default_factory=list)
    """Its translations as read this run, but those of the languages skipped (below ``min_translated``)."""
    languages: list[LanguageOutcome] = field(default_factory=list)
    """What became of each translation's language: published, skipped or held back."""
    translation_revisions: dict[str, int] = field(default_factory=dict)
    """Translation page -> the revision read: what the state remembers, to tell a translation edited since."""

    @property
    def missing(self) -> bool:
        return self.source is None or self.source.redirect

    @property
    def languages_held_back(self) -> bool:
        return any(outcome.status == "held back" for outcome in self.languages)

    @property
    def heading(self) -> str:
        return f"{self.label}: revision {self.source.revision if self.source else None}"

    def settle(self, entry: SourceState, seen: dict[str, RevisionMark]) -> None:
        assert self.source is not None and self.reading is not None
        entry.revision = self.source.revision
        for noun, count in self.reading.counts.items():
            setattr(entry, noun, count)
        entry.render_key = self.render_key
        entry.translations = dict(self.translation_revisions)
        entry.pages = seen


@dataclass(kw_only=True)
class AggregatesPlan(Publication):
    settled: bool = False
    key: str = ""
    """:meth:`_Planner.aggregate_key` of this run's inputs."""
    described: str = ""
    """How many sources, statements and participants went in."""
    stale: tuple[StaleSource, ...] = ()
    """The sources that failed: counted from their last published data, or left out."""

    def settle(self, entry: SourceState, seen: dict[str, RevisionMark]) -> None:
        entry.render_key, entry.pages = self.key, seen


@dataclass(frozen=True)
class RequestAnswers:
    """The rebuild requests to answer, once the sources' outcomes are known."""

    page: SourcePage
    verdicts: list[Verdict]


@dataclass(frozen=True)
class StatusUpdate:
    """The status page to update with the run's records, over the revision read at the start."""

    title: str
    read: SourcePage | None


@dataclass
class RunPlan:
    options: Options
    page_map: PageMap
    opening: list[Note]
    """What the planning said before the sources: the state's problem, the prefixes, the requests."""
    sources: list[SourcePlan]
    conflicts: list[str]
    """Pages two uses of the page map share (withheld from all of them), in lines."""
    aggregates: AggregatesPlan | None
    answers: RequestAnswers | None
    status: StatusUpdate | None
    statement_counts: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    """State key -> (its key, revision -> statements) of each source whose history was read this run."""

    @property
    def publications(self) -> list[Publication]:
        return [*self.sources, *([self.aggregates] if self.aggregates else [])]


def build_plan(page_map: PageMap, wiki: Wiki, options: Options, state: State) -> RunPlan:
    return _Planner(page_map, wiki, options, state).plan()


@dataclass
class _Planner:
    page_map: PageMap
    wiki: Wiki
    options: Options
    state: State
    opening: list[Note] = field(default_factory=list)
    withheld: set[str] = field(default_factory=set)
    """Pages that two uses of the page map share: written by neither."""
    _render_keys: dict[str, str] = field(default_factory=dict, repr=False)
    statement_counts: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)
    """What the state is to remember of the histories read this run (see :attr:`RunPlan.statement_counts`)."""
    _read: dict[str, SourcePage | None] = field(default_factory=dict, repr=False)
    """Every page read so far this run, by the wiki's spelling: what a cross-source shape takes its sources from."""
    _citing: dict[str, list[Citing]] | None = field(default=None, repr=False)
    """Source title (as the page map spells it) -> what the page map's cross-source sources cite of it; None
    when the page map has none (no source's pages then say anything of citations)."""
    _cites: list[Cites] = field(default_factory=list, repr=False)
    """What each cross-source source read this run cites, for the aggregates to count."""
    _listed: dict[str, ListedPage] = field(default_factory=dict, repr=False)
    """Every page a listing found this run (a prefix's, or the translated sources'), by the wiki's spelling."""
    _translations: dict[str, dict[str, str]] = field(default_factory=dict, repr=False)
    """Source (as the page map spells it) -> language -> its translation page, for a source with ``translations:``."""
    _run_languages: set[str] = field(default_factory=set, repr=False)
    """The languages of the pages this run may render: each rendered source's own language and its translations'."""
    _told: LanguageFacts | None = field(default=None, repr=False)
    """What the wiki told of :attr:`_run_languages`, once asked (:meth:`_facts`)."""

    def plan(self) -> RunPlan:
        if self.state.problem:
            self.opening.append(Note(self.state.problem))
        self.options = replace(self.options, force_pages=frozenset(self.wiki.canonical_title(t) or t for t in self.options.force_pages))
        listed = self._list_prefixes()
        claims = Claims.of_page_map(self.page_map, self.wiki.canonical_title, self.wiki.title_problem)
        specs = [self.page_map.source(t) for t in self.options.sources] if self.options.sources else list(self.page_map.sources)
        # the request and status pages are read in the same batch: the status page's save then costs no read of its own
        request_page, status_page = self.page_map.request_page, self.page_map.status_page
        listed.update(self._list_translations(specs))
        translated = [title for spec in specs for title in self._translations.get(spec.page, {}).values()]
        pages = self.wiki.read_sources([spec.page for spec in specs] + translated + [p for p in (request_page, status_page) if p])
        requests_page = self._request_page(request_page, pages)
        verdicts = self._vet(requests_page) if requests_page else []
        requested = {source for verdict in verdicts for source in verdict.sources}
        for title in requested - {spec.page for spec in specs}:
            specs.append(self.page_map.source(title))
            pages.update(self.wiki.read_sources([title]))

        found = {spec.page: pages.get(self.wiki.canonical_title(spec.page) or spec.page) for spec in specs}
        self._read.update(pages)
        self._citing = self._citations()
        with_aggregates = bool(self.page_map.aggregates) and not self.options.sources
        settled = self._settled(specs, found, requested, listed, with_aggregates)
        self._run_languages = {language for spec in specs if found[spec.page] is not None and not settled.get(spec.page, False)
                               for language in (self._source_language(spec), *self._translations.get(spec.page, {}))}
        sources = [self._source_plan(spec, found[spec.page], settled.get(spec.page, False)) for spec in specs]
        conflicts = self._conflicts(claims, sources)
        self._decide_sources([sp for sp in sources if sp.rendered])
        aggregates = self._aggregates(sources, settled.get(AGGREGATES, False)) if with_aggregates else None
        answers = (RequestAnswers(requests_page, verdicts)
                   if requests_page and verdicts and requests_page.title not in self.withheld else None)
        status = (StatusUpdate(status_page, pages.get(self.wiki.canonical_title(status_page) or status_page))
                  if status_page and self.wiki.canonical_title(status_page) not in self.withheld else None)
        self._missing_messages()
        return RunPlan(self.options, self.page_map, self.opening, sources, conflicts, aggregates, answers, status,
                       self.statement_counts)

    def _missing_messages(self) -> None:
        """One line for every message a page took from a fallback language (:attr:`messages.Catalog.missing`),
        once per run; the catalog is loaded again when its files change, and forgets them then."""
        found = catalog(self.page_map.templates, self.page_map.messages)
        note = found.missing_note() if found is not None else None
        if note:
            self.opening.append(Note(note))

    def _source_plan(self, spec: SourceSpec, source: SourcePage | None, settled: bool) -> SourcePlan:
        """Read, check and render one source (no change decided yet: that is for all sources at once)."""
        planned = SourcePlan(label=spec.page, state_key=self.key(spec), spec=spec, source=source)
        previous = self.state.sources.get(planned.state_key)
        if planned.missing or source is None:
            return planned
        if settled and not self.options.rebuild:
            planned.settled, planned.published_pages = True, len(previous.pages) if previous else 0
            return planned
        reading = planned.reading = read_source(source.text, source.title, source.revision, spec, self.page_map.codebooks,
                                                Across(self.page_map, self._read_texts, self._statement_history),
                                                self._cited(spec))
        planned.summary = spec.summary.format(source=spec.page, revision=source.revision)
        planned.render_key = self.render_key(spec)
        diagnostics = reading.diagnostics
        planned.record = RunRecord(now(), source.revision, check=reading.check_line())
        planned.previous_run = previous.last_run if previous else {}
        if has_errors(diagnostics):
            planned.record.problems.extend(f"line {d.line}: {d.code} {d.message}" for d in diagnostics if d.severity == "error")
            planned.stopped_by_check = not self.options.overrides_guards
        if planned.stopped_by_check and not self.options.dry_run:
            # say so too when the errors come from a blanked or gutted source: the likelier story
            planned.guard_reasons = self._destructive(planned, Plan(()))
            planned.held_back = bool(planned.guard_reasons)
            return planned
        source_language = self._source_language(spec)
        pages = render(reading.report, spec, self.page_map.templates, source_language, messages=self.page_map.messages,
                       facts=self._facts(source_language))
        _claim(planned, self._in_languages(planned, reading, pages), self.wiki)
        planned.rendered = True
        return planned

    def _in_languages(self, planned: SourcePlan, reading: Reading, pages: list[DesiredPage]) -> list[DesiredPage]:
        """The source's pages, and each of its translations' pages in its language (``T/LANG``), all with
        their language bar; a language below ``min_translated`` is skipped, one whose translation cannot be
        aligned with the source is held back (its pages as they are), each with a line saying why."""
        spec = planned.spec
        translations = self._translations.get(spec.page, {})
        source_language = self._source_language(spec)
        canonical = self.wiki.canonical_title(spec.page) or spec.page
        if isinstance(spec.translations, tuple):
            # a language the page map lists that the wiki has no page in yet: said, and no error
            planned.languages.extend(LanguageOutcome(language, f"{canonical}/{language}", "no page")
                                     for language in spec.translations if language not in translations and language != source_language)
        if not translations:
            self._record_languages(planned)
            return pages
        shares = self.wiki.translated_shares(canonical)
        by_language = {source_language: pages}
        for language, title in translations.items():
            page = self._read.get(title)
            if page is None:
                continue  # listed, and gone by the read
            if page.redirect:
                # no translation to read, but a person may take it for one: said on each run, as a skipped language
                planned.languages.append(LanguageOutcome(language, page.title, "skipped", "the translation page is a redirect"))
                continue
            translation = read_translation(page.text, page.title, language, page.revision, reading.report, spec,
                                           self.page_map.codebooks, source_language)
            share = shares.get(language, translated_share(page.text, source_language))
            if translation.aligned or share < spec.min_translated:
                # a language held back is not settled: every run says so until its translation reads well
                planned.translation_revisions[page.title] = page.revision
            if share < spec.min_translated:
                planned.languages.append(LanguageOutcome(language, page.title, "skipped", f"below min_translated ({spec.min_translated:.0%})", share))
                continue
            planned.translations.append(translation)  # its findings are shown: its language is published or held back
            if not translation.aligned:
                errors = [d for d in translation.diagnostics if d.severity == "error"]
                first = errors[0]
                why = (f"{len(errors)} error{'s' if len(errors) > 1 else ''} reading it against the source, "
                       f"first line {first.line}: {first.code} {first.message}")
                planned.languages.append(LanguageOutcome(language, page.title, "held back", why, share))
                continue
            # every target T is T/LANG, so links between the pages stay in the language; the pages say they are
            # made from the translation (its title and revision), which is what a reader of that language reads
            targets = tuple(target.model_copy(update={"title": with_source(target.title, spec.page) + f"/{language}"})
                            for target in spec.targets)
            in_spec = spec.model_copy(update={"page": page.title, "targets": targets})
            rendered = render(translation.report, in_spec, self.page_map.templates, language, messages=self.page_map.messages,
                              facts=self._facts(language))
            # the data pages are the source's in every language: they hold data, not text
            by_language[language] = [p for p in rendered if p.content_model == "wikitext"]
            planned.languages.append(LanguageOutcome(language, page.title, "published", share=share))
        self._record_languages(planned)
        others: dict[str, dict[str, str]] = {}
        for language, rendered in by_language.items():
            for p in rendered:
                base = p.title if language == source_language else p.title[: -len(language) - 1]
                others.setdefault(base, {})[language] = p.title
        return [self._with_bar(p, language, source_language, others.get(p.title if language == source_language
                                                                          else p.title[: -len(language) - 1], {}))
                for language, rendered in by_language.items() for p in rendered]

    @staticmethod
    def _record_languages(planned: SourcePlan) -> None:
        """Each language's outcome, in the order of their codes, in the run's record (a held-back one as a problem too)."""
        planned.languages.sort(key=lambda outcome: outcome.language)
        if planned.record is not None:
            planned.record.languages = [outcome.describe() for outcome in planned.languages]
            planned.record.problems.extend(outcome.describe() for outcome in planned.languages if outcome.status == "held back")

    def _with_bar(self, page: DesiredPage, language: str, source_language: str, others: Mapping[str, str]) -> DesiredPage:
        """The page in its language, with the language bar when it is published in more than one."""
        facts = self._facts(*others)
        if len(others) < 2 or page.content_model != "wikitext" or page.error:
            return in_language(page, language, source_language, "", facts)
        try:
            bar = render_page(self.page_map.templates, BAR_TEMPLATE, {"links": bar_links(language, others, facts)}, language,
                              self.page_map.messages, facts)
        except TemplateError as exc:
            return replace(page, text="", error=str(exc))
        return in_language(page, language, source_language, bar, facts)

    def _facts(self, *languages: str) -> LanguageFacts:
        """Each language's name, direction and fallbacks: the wiki's (``meta=languageinfo``), asked once, in one
        request for every language of the run, when a page is first rendered in another language than English
        (never in a run that renders none: a no-op asks nothing); wikisync's tables until then, and for what the
        wiki cannot tell."""
        if self._told is None and any(language != LAST_FALLBACK for language in languages):
            self._told = LanguageFacts(self.wiki.language_info(self._run_languages | set(languages)))
        return self._told or TABLES

    def _source_language(self, spec: SourceSpec) -> str:
        listed = self._listed.get(self.wiki.canonical_title(spec.page) or spec.page)
        return listed.language if listed is not None and listed.language else "en"

    def _list_translations(self, specs: Sequence[SourceSpec]) -> dict[str, RevisionMark | None]:
        """Find the translations of every source with ``translations:``, from the prefix listings and, for
        the sources under none, one listing more per namespace, of their longest common prefix (a source
        alone: its own title, which lists it and its subpages). Returns the latest revision of every page
        listed here, which the no-op check then need not ask."""
        wanted = [spec for spec in specs if spec.translations]
        canonical = {spec.page: self.wiki.canonical_title(spec.page) or spec.page for spec in wanted}
        by_namespace: dict[int, list[str]] = {}
        for spec in wanted:
            if canonical[spec.page] not in self._listed:
                by_namespace.setdefault(self.wiki.namespace_of(canonical[spec.page]), []).append(canonical[spec.page])
        revisions: dict[str, RevisionMark | None] = {}
        for titles in by_namespace.values():
            for prefix in listing_prefixes(titles):
                found = self.wiki.pages_under(prefix)
                self._listed.update(found)
                revisions.update({title: listed.mark for title, listed in found.items()})
        children: dict[str, list[tuple[str, str | None]]] = {}
        for title, listed in self._listed.items():
            children.setdefault(title.rpartition("/")[0], []).append((title, listed.language))
        for spec in wanted:
            own = [target.title.format(source=spec.page) for target in spec.targets if target.each is None]
            self._translations[spec.page] = find_translations(
                canonical[spec.page], children.get(canonical[spec.page], []), spec.translations, self._source_language(spec), own)
        return revisions

    def _read_texts(self, titles: list[str]) -> dict[str, SourceText]:
        """Other sources' texts for a cross-source shape: from this run's batch, the rest in one more."""
        canonical = {title: self.wiki.canonical_title(title) or title for title in titles}
        missing = [title for title in titles if canonical[title] not in self._read]
        if missing:
            self._read.update(self.wiki.read_sources(missing))
            self._read.update({canonical[title]: None for title in missing if canonical[title] not in self._read})
        pages = {title: self._read[canonical[title]] for title in titles}
        return {title: (page.text, page.revision) for title, page in pages.items() if page is not None and not page.redirect}

    def _citations(self) -> dict[str, list[Citing]] | None:
        """What every cross-source source of the page map cites, by the others' codes alone: their texts come
        from the run's batch (one more batched read for those outside it, e.g. with --source), none of the
        cited sources is read for it, and no request is made when nothing changed."""
        citing = [spec for spec in self.page_map.sources if shape(spec.shape).cross_source]
        if not citing:
            return None
        texts = self._read_texts([spec.page for spec in citing])
        across = Across(self.page_map, self._read_texts)
        found: dict[str, list[Citing]] = {}
        for spec in citing:
            if spec.page in texts:
                text, revision = texts[spec.page]
                cites = across.cites(text, self.wiki.canonical_title(spec.page) or spec.page, revision, spec)
                self._cites.append(cites)
                for cited in cites.citing:
                    found.setdefault(cited.source, []).append(cited)
        return found

    def _cited(self, spec: SourceSpec) -> list[Citing] | None:
        """What the run's cross-source sources cite of ``spec``'s source; None when the page map has none."""
        return None if self._citing is None else self._citing.get(spec.page, [])

    def _statement_history(self, spec: SourceSpec, revision: int, statements: Callable[[str], int]) -> CountHistory | None:
        """The statements of every revision of a source up to ``revision``: from the state, and from the wiki
        only the revisions newer than those it has (so no request while the source is unchanged)."""
        key, counted_with = self.key(spec), self._templates_key(spec)
        entry = self.state.sources.get(key)
        known = dict(self.statement_counts[key][1] if key in self.statement_counts else
                     entry.statement_counts if entry is not None and entry.statement_counts_key == counted_with else {})
        newest = max(known, default=None)
        if newest is None or newest < revision:
            try:
                read = self.wiki.revisions_after(self.wiki.canonical_title(spec.page) or spec.page, newest)
            except WikiError as exc:
                self.opening.append(Note(f"{spec.page}: {exc}; the counts of the summaries citing it are not checked"))
                return None
            known, history = count_history(((found.revid, found.text) for found in read), revision, statements, known)
            self.statement_counts[key] = (counted_with, known)
            return history
        return count_history((), revision, statements, known)[1]

    def _decide_sources(self, ready: list[SourcePlan]) -> None:
        """Every ready source's plan: its generated pages read in one batch, and the text the wiki would
        store of every page to save asked in one request, for all sources; then the guard."""
        current = self.wiki.read_pages([title for sp in ready for title in sp.desired]) if ready else {}
        decided = _as_stored(self.wiki, self.page_map, [(sp, self._decide(sp, current)) for sp in ready])
        for sp, changes in zip(ready, decided):
            sp.changes = changes
            sp.guard_reasons = self._destructive(sp, changes)
            self._guard(sp)

    def _destructive(self, sp: SourcePlan, changes: Plan) -> list[str]:
        assert sp.reading is not None
        previous = self.state.sources.get(sp.state_key)
        return destructive_reasons(sp.reading.counts, previous.counts if previous else {}, changes, sp.spec.guard)

    def _guard(self, pub: Publication) -> None:
        """Hold back what the guard finds suspicious, unless forced; of what goes on, find the
        revision wikisync last wrote of every page a person edited, to show their change."""
        assert pub.changes is not None
        pub.held_back = bool(pub.guard_reasons) and not self.options.overrides_guards
        if pub.held_back:
            return
        for change in pub.changes.of(Action.HUMAN_EDIT):
            pub.last_intact[change.title] = self._last_intact(pub.desired[change.title], change.title)

    def _last_intact(self, desired: DesiredPage, title: str) -> Revision | None:
        owner = data_ownership if desired.content_model == "json" else ownership

        def wikisyncs(text: str) -> bool:
            inside = region_text(text, desired.region) if desired.region else text
            return inside is not None and owner(inside) is Ownership.INTACT

        return self.wiki.last_revision_where(title, wikisyncs)

    def _decide(self, pub: Publication, current: Mapping[str, PageState]) -> Plan:
        """The plan against the pages as the wiki has them (``current``: read in one batch for the run)."""
        for title in self.withheld & set(pub.desired):
            page = pub.desired.pop(title)
            pub.invalid.append(Change(title, Action.INVALID, None, page.text,
                                      f"{self.page_map.path.name} names this page more than once (see above); not written"))
        pub.current = {title: current.get(title) or PageState(None) for title in pub.desired}
        decided = plan(pub.current, list(pub.desired.values()), force=self.options.force_pages, force_all=self.options.force_all)
        return Plan(decided.changes + tuple(pub.invalid))

    def _aggregates(self, sources: list[SourcePlan], settled: bool) -> AggregatesPlan:
        """The aggregates of this run's sources (not planned while none of their inputs changed). A source
        that fails (missing, stopped by check errors, held back by the guard) counts with its last published
        data, its JSON data page as wikisync wrote it, or is left out when it has none; every aggregate page
        names it. A source whose pages fail to save still counts with what it reads now."""
        planned = AggregatesPlan(label=AGGREGATES, state_key=state_key(self.wiki.site_id, AGGREGATES), settled=settled)
        if settled and not self.options.rebuild:
            return planned
        counted = [sp for sp in sources if shape(sp.spec.shape).in_aggregates]
        last = self._last_published([sp for sp in counted if _stale(sp)])
        readings: list[Reading] = []
        stale: list[StaleSource] = []
        for sp in counted:
            if sp.spec.page in last:
                reading, why = last[sp.spec.page]
                stale.append(StaleSource(sp.spec.page, why, reading.report.revision if reading else None))
                readings.extend([reading] if reading else [])
            elif sp.source is not None:
                readings.append(sp.reading or read_source(sp.source.text, sp.source.title, sp.source.revision, sp.spec,
                                                          self.page_map.codebooks, cited=self._cited(sp.spec)))
        planned.stale = tuple(stale)
        planned.key = self.aggregate_key([(sp.spec, sp.source) for sp in sources if sp.source is not None and sp.spec.page not in last],
                                         stale)
        planned.summary = f"Bot: update aggregate of {len(readings)} source pages"
        planned.record = RunRecord(now(), None, check=f"{len(readings)} sources")
        planned.record.problems.extend(f"{s.title}: {'left out' if s.left_out else f'counted as of revision {s.revision}'} ({s.reason})"
                                       for s in stale)
        previous = self.state.sources.get(planned.state_key)
        planned.previous_run = previous.last_run if previous else {}
        page_map = self.page_map
        corpora = {role: aggregate(readings, page_map.keyword_themes, page_map.codebooks, role, stale, self._cites)
                   for role in dict.fromkeys(a.role for a in page_map.aggregates)}
        first = next(iter(corpora.values()))
        planned.described = f"{len(readings)} sources, {first.statements} statements, {first.participants} participants"
        _claim(planned, render_aggregates(corpora, page_map.aggregates, page_map.templates, messages=page_map.messages), self.wiki)
        [planned.changes] = _as_stored(self.wiki, page_map, [(planned, self._decide(planned, self.wiki.read_pages(planned.desired)))])
        planned.guard_reasons = destructive_reasons({}, {}, planned.changes, Guard())
        self._guard(planned)
        return planned

    def _last_published(self, failing: list[SourcePlan]) -> dict[str, tuple[Reading | None, str]]:
        """Each failing source's last published data, read from its JSON data page (all in one batch) and
        taken only when it still holds wikisync's text; None when there is none to take. With why it failed."""
        data_pages: dict[str, str] = {}
        for sp in failing:
            target = next((t for t in sp.spec.targets if t.format == "json" and t.each is None), None)
            title = self.wiki.canonical_title(target.title.format(source=sp.spec.page)) if target else None
            if title is not None:
                data_pages[sp.spec.page] = title
        current = self.wiki.read_pages(list(data_pages.values())) if data_pages else {}
        found: dict[str, tuple[Reading | None, str]] = {}
        for sp in failing:
            why = _why_failed(sp)
            title = data_pages.get(sp.spec.page)
            text = current[title].text if title and title in current else None
            if title is None or text is None:
                found[sp.spec.page] = (None, f"{why}; no data page published")
                continue
            if data_ownership(text) is not Ownership.INTACT:
                found[sp.spec.page] = (None, f"{why}; its data page {title} is not as wikisync wrote it")
                continue
            found_shape = shape(sp.spec.shape)
            try:
                report = found_shape.from_data(load_data(text) or {}, sp.spec, self.page_map.codebooks)
            except (KeyError, TypeError, ValueError):
                report = None
            if report is None:
                found[sp.spec.page] = (None, f"{why}; its data page {title} holds nothing the aggregates can count")
                continue
            cited = self._cited(sp.spec)
            if cited is not None:  # cited as the summaries cite it now, not as when its data was published
                report = found_shape.with_cited_by(report, cited)
            found[sp.spec.page] = (Reading(sp.spec, found_shape, report, (), found_shape.counts(report)), why)
        return found

    def aggregate_key(self, sources: list[tuple[SourceSpec, SourcePage]], stale: Sequence[StaleSource] = ()) -> str:
        """What the aggregates depend on: every source's revision and settings (a failing source's: the
        revision of its last published data, and why it failed), the aggregates' own settings and the templates."""
        digest = hashlib.sha1()
        for spec, source in sources:
            digest.update(f"{source.title}\n{source.revision}\n{self.render_key(spec)}\n".encode())
        for failed in stale:
            digest.update(f"{failed.title}\nstale {failed.revision}\n{failed.reason}\n".encode())
        digest.update(repr((self.page_map.aggregates, sorted(self.page_map.keyword_themes.items()))).encode("utf-8"))
        return digest.hexdigest()

    def _conflicts(self, claims: Claims, sources: list[SourcePlan]) -> list[str]:
        """Every page that two uses of the page map share, withheld from all of them.
        A settled source (not parsed in this run) and a source outside the run (--source) count with
        the pages they generated when last published, as long as their settings are the same."""
        in_run: set[str] = set()
        for sp in sources:
            if sp.missing:
                continue
            in_run.add(sp.spec.page)
            if sp.reading is not None:
                for page in sp.desired.values():
                    # a per-item target's pages, and every target's pages in another language (T/LANG)
                    if page.target is not None:
                        claims.add(page.title, self.page_map.target_use(sp.spec, page.target))
            elif sp.settled and (entry := self.state.sources.get(sp.state_key)) is not None:
                claims.add_published(self.page_map, sp.spec, entry.pages)
        if self.options.sources:
            for spec in self.page_map.sources:
                entry = self.state.sources.get(self.key(spec))
                if spec.page not in in_run and entry is not None and entry.render_key == self.render_key(spec):
                    claims.add_published(self.page_map, spec, entry.pages)
        conflicts = claims.conflicts()
        self.withheld.update(conflict.title for conflict in conflicts)
        return [conflict.message(self.page_map.path) for conflict in conflicts]

    def _list_prefixes(self) -> dict[str, RevisionMark | None]:
        """Add the sources that the page map's prefixes find on the wiki; return the latest revision of
        every page under them (sources and generated pages alike), which the no-op check then need not ask."""
        listing: dict[str, tuple[str, ...]] = {}
        revisions: dict[str, RevisionMark | None] = {}
        for rule in self.page_map.sources_from:
            found = self.wiki.pages_under(rule.prefix)
            self._listed.update(found)
            listing[rule.prefix] = tuple(title for title, listed in found.items() if not listed.redirect)
            revisions.update({title: listed.mark for title, listed in found.items()})
        if listing:
            self.page_map = self.page_map.with_listed(listing, self.wiki.canonical_title)
            # listed titles are spelt as the wiki spells them; named sources as page_map.yaml does
            sources = {self.wiki.canonical_title(spec.page) if title_key(spec.page) not in self.page_map.listed_from else spec.page
                       for spec in self.page_map.sources}
            for rule in self.page_map.sources_from:
                count = sum(1 for t in listing[rule.prefix] if t in sources)
                self.opening.append(Note(f"sources_from {rule.prefix!r}: {count} source pages", detail=True))
        return revisions

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
                    and entry.revision == source.revision and entry.render_key == self.render_key(spec)
                    and entry.translations == self._translation_revisions(spec)):
                candidates[spec.page] = entry
        changed = {spec.page for spec in specs if spec.page not in candidates}
        for spec in specs:
            # a cross-source shape (a summary) reads the others: settled only while they are
            if spec.page in candidates and shape(spec.shape).cross_source and changed - {spec.page}:
                del candidates[spec.page]
        if with_aggregates and len(candidates) == len(specs):
            entry = self.state.sources.get(state_key(self.wiki.site_id, AGGREGATES))
            inputs = [(spec, source) for spec in specs if (source := sources[spec.page]) is not None]
            if entry is not None and entry.pages and entry.render_key == self.aggregate_key(inputs):
                candidates[AGGREGATES] = entry
        if not candidates:
            return {}
        return self._still_as_left(candidates, dict(known))

    def _still_as_left(self, candidates: Mapping[str, SourceState], known: dict[str, RevisionMark | None]) -> dict[str, bool]:
        for page, entry in candidates.items():
            # more pages than one info request takes, all subpages of the source: one listing of them
            prefix = (self.wiki.canonical_title(page) or page) + "/"
            unknown = [title for title in entry.pages if title not in known]
            if page != AGGREGATES and len(unknown) > self.wiki.titles_per_request and all(t.startswith(prefix) for t in unknown):
                known.update({title: listed.mark for title, listed in self.wiki.pages_under(prefix).items()})
                known.update({title: None for title in unknown if title not in known})  # gone since
        titles = [title for entry in candidates.values() for title in entry.pages]
        latest = {**known, **self.wiki.latest_revisions([title for title in titles if title not in known])}
        return {page: all(mark.proves(latest.get(title)) for title, mark in entry.pages.items())
                for page, entry in candidates.items()}

    def _translation_revisions(self, spec: SourceSpec) -> dict[str, int]:
        """Each translation page of the source as read this run, with its revision."""
        read = (self._read.get(title) for title in self._translations.get(spec.page, {}).values())
        return {page.title: page.revision for page in read if page is not None and not page.redirect}

    def render_key(self, spec: SourceSpec) -> str:
        """What the source's pages depend on besides its text: :meth:`_templates_key`, and what the page map's
        cross-source sources cite of it (so that a summary's edit un-settles exactly the sources whose
        citations it changed, and no other)."""
        if self._citing is None:
            return self._templates_key(spec)
        cited = sorted((c.by.summary, c.by.line, c.number or 0, c.statement or "") for c in self._citing.get(spec.page, []))
        return hashlib.sha1(f"{self._templates_key(spec)}\n{cited!r}".encode()).hexdigest()

    def _templates_key(self, spec: SourceSpec) -> str:
        """:func:`render_key`, once per source and run: it reads every template file, and a corpus run
        asks for each source's key up to three times (the no-op check, the aggregates' key, the save)."""
        if spec.page not in self._render_keys:
            self._render_keys[spec.page] = render_key(spec, self.page_map.templates, self.page_map.messages)
        return self._render_keys[spec.page]

    def key(self, spec: SourceSpec) -> str:
        return state_key(self.wiki.site_id, spec.page)

    def _request_page(self, title: str | None, pages: Mapping[str, SourcePage | None]) -> SourcePage | None:
        """The request page, when it can take requests; a line (and publishing goes on) when it cannot."""
        if title is None:
            return None
        page = pages.get(self.wiki.canonical_title(title) or title)
        if page is None:
            self.opening.append(Note(f"request page {title} does not exist; no requests to answer", detail=True))
            return None
        if page.redirect:
            self.opening.append(Note(f"request page {title} is a redirect; its requests are not read (point request_page in "
                                     f"{self.page_map.path.name} at the page itself)"))
            return None
        return page

    def _vet(self, request_page: SourcePage) -> list[Verdict]:
        pending = pending_requests(request_page)
        if not pending:
            return []
        try:
            history = self.wiki.history(request_page.title)
            authors = requesters(pending, history)
            standings = self.wiki.standings({author for author in authors if author})
        except WikiError as exc:
            self.opening.append(Note(f"request page {request_page.title}: {exc}; its requests wait for the next run"))
            return []
        known = {self.wiki.canonical_title(spec.page) or spec.page: spec.page for spec in self.page_map.sources}
        canonical = functools.lru_cache(maxsize=None)(self.wiki.canonical_title)
        verdicts = [vet(request, author, standings.get(author) if author else None, known, canonical)
                    for request, author in zip(pending, authors)]
        self.opening.extend(Note(f"request on {request_page.title} line {verdict.request.line}: declined: {verdict.declined}")
                            for verdict in verdicts if verdict.declined)
        return verdicts


def _stale(sp: SourcePlan) -> bool:
    """Whether the aggregates cannot count what the source reads now: it is missing, stopped by check
    errors (a dry run too, which plans on past them to show the diff) or held back by the guard."""
    return sp.missing or (not sp.settled and (sp.stopped_by_check or sp.held_back))


def _why_failed(sp: SourcePlan) -> str:
    if sp.source is None:
        return "the page does not exist"
    if sp.source.redirect:
        return "the page is a redirect"
    if sp.stopped_by_check:
        return "check errors"
    return "held back by the destructive-change guard: " + "; ".join(sp.guard_reasons)


def _claim(pub: Publication, pages: list[DesiredPage], wiki: Wiki) -> None:
    """Take the rendered pages as the publication's, or as invalid: a title the wiki rejects, or
    that another page of the run already has."""
    for page in pages:
        title = wiki.canonical_title(page.title)
        if title is None:
            pub.invalid.append(Change(page.title, Action.INVALID, None, page.text, "the wiki does not accept this title"))
        elif title in pub.desired:
            pub.invalid.append(Change(title, Action.INVALID, None, page.text, "two generated pages map to this title"))
        elif page.error:
            pub.invalid.append(Change(title, Action.INVALID, None, "", page.error))
        else:
            pub.desired[title] = replace(page, title=title)


def _as_stored(wiki: Wiki, page_map: PageMap, plans: list[tuple[Publication, Plan]]) -> list[Plan]:
    """Each publication's plan with the text the wiki would store of every wikitext page to save,
    told by the wiki's own pre-save transform, asked for all of them at once (nothing when nothing
    is to be saved: a no-op costs no request more). A dry run asks too, so it decides as the real run."""
    wanted = [(number, change) for number, (_, decided) in enumerate(plans) for change in decided.pending
              if change.content_model == "wikitext"]
    stored = wiki.pre_save_transform([(change.title, change.new) for _, change in wanted]) if wanted else []
    texts: list[dict[str, str]] = [{} for _ in plans]
    for (number, change), text in zip(wanted, stored):
        texts[number][change.title] = text
    return [_with_stored(publication, decided, texts[number], page_map.templates)
            for number, (publication, decided) in enumerate(plans)]


def _with_stored(pub: Publication, decided: Plan, stored: Mapping[str, str], templates: Path) -> Plan:
    """The plan with the text the wiki stores (``stored``: title -> the pre-save transform of its
    text) on each page to save; a page that would then not hold wikisync's text, because the wiki
    rewrites part of it on saving, is an error of its template and is not saved."""
    changes = []
    for change in decided.changes:
        text = stored.get(change.title)
        if text is None:
            changes.append(change)
            continue
        desired = pub.desired[change.title]
        kept = region_text(text, desired.region) if desired.region else text
        if kept is not None and ownership(kept) is Ownership.INTACT:
            changes.append(replace(change, stored=text))
            continue
        sent, rewritten = rewritten_on_save(change.new, text)
        changes.append(replace(change, action=Action.INVALID, reason=(
            f"{templates / desired.template}: the wiki rewrites {sent!r} as {rewritten!r} on saving, so the page would not hold "
            "the text wikisync wrote; write it in the template as the wiki stores it")))
    return Plan(tuple(changes))
