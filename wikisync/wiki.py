"""The one module that talks to the wiki, through Pywikibot.

Pywikibot finds the wiki and the account the way every Pywikibot tool does (user-config.py in
PYWIKIBOT_DIR or the working directory) and brings login, throttling, maxlag and retries. Saves go
through Pywikibot's request machinery with the revision they replace (``baserevid``), so MediaWiki's
own edit-conflict check applies; :meth:`Wiki.save` adds what that check lets through (an edit in the
same second, an automatic merge with a person's edit). This module adapts all that to wikisync's plain
data and errors.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import json
import logging
import logging.handlers
import os
import sys
import time
import uuid
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import requests
import urllib3

from . import answers, redaction
from .answers import continued, followed
from .errors import ConfigError, SourceError, TitleError, WikiError
from .model import PageState, RevisionMark
from .titles import title_problem
from .wiki_records import LanguageInfo, ListedPage, RecentChange, Revision, SaveFailure, SaveResult

__all__ = ["SourcePage", "Wiki", "connect", "pywikibot_options"]

_LANGUAGES_PER_REQUEST = 50
"""How many language codes one ``meta=languageinfo`` request takes (the API's limit without apihighlimits)."""

_dir_option: str | None = None
"""The -dir: given on the command line, for error messages."""


@contextlib.contextmanager
def pywikibot_options(args: Sequence[str]) -> Iterator[bool]:
    """Apply Pywikibot's global options ``args`` through Pywikibot's own ``handle_args``, for the
    duration of the block; yields whether ``-simulate`` was among them. Pywikibot's configuration
    is restored afterwards, so that a later call in the same process starts from user-config.py again.

    ``-dir:PATH`` is taken before Pywikibot is imported, because Pywikibot reads it only then (as
    it reads PYWIKIBOT_DIR).
    """
    global _dir_option
    for arg in args:
        if arg.startswith("-dir:"):
            path = os.path.abspath(os.path.expanduser(arg.removeprefix("-dir:")))
            if not os.path.isdir(path):
                raise ConfigError(f"{arg}: no such directory")
            loaded = getattr(sys.modules.get("pywikibot.config"), "base_dir", None)
            if loaded is not None and os.path.realpath(loaded) != os.path.realpath(path):
                raise ConfigError(f"{arg}: Pywikibot is already loaded from {loaded} in this process")
            os.environ["PYWIKIBOT_DIR"] = path
            _dir_option = arg
    pywikibot, _ = _pywikibot()
    config = pywikibot.config
    saved = {name: copy.deepcopy(value) for name, value in vars(config).items()
             if not name.startswith("_") and isinstance(value, (bool, int, float, str, list, dict, tuple, type(None)))}
    saved_override = getattr(pywikibot.bot, "_user_override", None)
    try:
        with warnings.catch_warnings():
            # a second run in one process (the tests) has Site objects from the first already
            warnings.filterwarnings("ignore", "Site objects have been created before arguments were handled")
            errors = _Collected()
            logging.getLogger("pywiki").addFilter(errors)
            try:
                with _owner_only():  # handle_args starts Pywikibot's log files (-log, -debug) and appends to commands.log
                    rest = pywikibot.handle_args(list(args), do_help=False)
            except SystemExit:  # Pywikibot exits on an unknown family or site, after logging why
                why = errors.messages[-1] if errors.messages else "Pywikibot knows no such wiki"
                raise ConfigError(f"{' '.join(args)}: {why} (check -site:, -family: and -lang:)") from None
            except ValueError as exc:  # -putthrottle:abc and the like
                raise ConfigError(f"{' '.join(args)}: {_first_line(exc)}") from None
            except Exception as exc:  # handle_args ends by opening the site: the wiki named may not answer
                raise WikiError(f"{' '.join(args)}: {_unreachable(pywikibot, exc)}") from None
            finally:
                logging.getLogger("pywiki").removeFilter(errors)
        _private_logs(pywikibot)
        if rest:
            raise ConfigError(f"{rest[0]}: not a Pywikibot global option (wikisync's own options start with --)")
        yield bool(config.simulate)
    finally:
        for name, value in saved.items():
            setattr(config, name, value)
        pywikibot.bot._user_override = saved_override


def _pywikibot():
    """Import Pywikibot lazily, so that commands working on files never need a wiki configured."""
    redaction.install()  # before Pywikibot logs anything: no password, token or cookie in any log record
    try:
        import pywikibot
        from pywikibot import config, exceptions
    except Exception as exc:  # Pywikibot raises a bare RuntimeError-like error without user-config.py
        raise ConfigError(f"cannot load Pywikibot's configuration: {_first_line(exc)}") from None
    _require_user_config(config.base_dir)
    return pywikibot, exceptions


def _require_user_config(base_dir: str) -> None:
    """Refuse to run on Pywikibot's defaults: without user-config.py it would quietly talk to test.wikipedia.org."""
    wanted = os.environ.get("PYWIKIBOT_DIR")
    if wanted and os.path.realpath(wanted) != os.path.realpath(base_dir):
        raise ConfigError(f"{_dir_option or 'PYWIKIBOT_DIR=' + wanted}: no user-config.py there that Pywikibot could use (it fell back to {base_dir})")
    if not os.path.isfile(os.path.join(base_dir, "user-config.py")):
        raise ConfigError(
            f"{_dir_option + ': ' if _dir_option else ''}no user-config.py in {base_dir}: point PYWIKIBOT_DIR at the directory that has one "
            "(see user-config.py.example; for the dev wiki: eval \"$(scripts/dev-wiki env)\")"
        )


@contextlib.contextmanager
def _owner_only() -> Iterator[None]:
    """Files (and folders) created in the block are the owner's only: Pywikibot's logs hold what a run did."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def _private_logs(pywikibot) -> None:
    """Pywikibot's log files readable by their owner only: those it opened before this run (an older
    log appended to, one opened outside :func:`_owner_only`) and those it starts when one is full."""
    loggers = [logging.getLogger("py.warnings")] + [logger for name, logger in logging.root.manager.loggerDict.items()
                                                    if name.split(".")[0] == "pywiki" and isinstance(logger, logging.Logger)]
    paths = {os.path.join(pywikibot.config.base_dir, "logs", "commands.log")}
    for logger in loggers:
        for handler in logger.handlers:
            if isinstance(handler, logging.FileHandler):
                paths.add(handler.baseFilename)
            if isinstance(handler, logging.handlers.BaseRotatingHandler):
                handler.rotator = _rotate_privately
    for path in paths:
        if os.path.isfile(path):
            pywikibot.tools.file_mode_checker(path, quiet=True)


def _rotate_privately(source: str, destination: str) -> None:
    """A full log file moves aside, as Pywikibot's handler does it, and its successor is created the owner's only."""
    from pywikibot.tools import file_mode_checker

    os.rename(source, destination)
    file_mode_checker(source, create=True)


class _Collected(logging.Filter):
    """Keeps Pywikibot's error messages off the terminal, for wikisync to report them in its own line."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno >= logging.ERROR:
            self.messages.append(_first_line(Exception(record.getMessage())))
            return False
        return True


class _NoTracebacks(logging.Filter):
    """Pywikibot logs a full traceback for every failed HTTP attempt; on the terminal its one-line
    errors and warnings say enough (its log file, where configured, keeps the traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).lstrip().startswith("Traceback (most recent call last)")


# What wfUrlencode() leaves as it is in a page's address.
_URL_SAFE = ";@$!*(),/~:"


def _conflict(user: str | None, code: str = "") -> str:
    if code == "articleexists":
        return f"edit conflict: {user or 'someone'} created the page after wikisync read it; not overwritten"
    if code == "pagedeleted":
        return "edit conflict: the page was deleted after wikisync read it; not recreated"
    who = f"{user} edited the page" if user else "the page changed"
    return f"edit conflict: {who} after wikisync read it; not overwritten"


_FAILURES = {
    **dict.fromkeys(("editconflict", "articleexists"), SaveFailure.EDIT_CONFLICT),
    **dict.fromkeys(("pagedeleted", "missingtitle"), SaveFailure.DELETED),
    **dict.fromkeys(("protectedpage", "cascadeprotected", "protectedtitle", "protectednamespace",
                     "protectednamespace-interface", "customcssprotected", "customjsprotected",
                     "customjsonprotected", "sitecssprotected", "sitejsprotected", "sitejsonprotected"),
                    SaveFailure.PROTECTED),
    **dict.fromkeys(("spamblacklist", "titleblacklist-forbidden", "titleblacklist-forbidden-edit",
                     "titleblacklist-forbidden-new-account"), SaveFailure.BLACKLISTED),
    **dict.fromkeys(("permissiondenied", "noedit", "noedit-anon", "cantcreate", "cantcreate-anon", "writeapidenied",
                     "blocked", "autoblocked", "badaccess-groups", "mwoauth-invalid-authorization"), SaveFailure.RIGHTS),
    **dict.fromkeys(("abusefilter-disallowed", "abusefilter-warning", "abusefilter-blocked"), SaveFailure.ABUSE_FILTER),
    **dict.fromkeys(("contenttoobig", "invalid-content-data", "content-not-allowed-here", "badformat"),
                    SaveFailure.CONTENT_REJECTED),
    "readonly": SaveFailure.READ_ONLY,
}
"""MediaWiki's error codes of a refused edit (its own and its extensions'), by kind."""


def _query_pages(body: Mapping[str, Any]) -> list[dict]:
    """The pages of an action=query answer, in either format version."""
    pages = body.get("query", {}).get("pages") or []
    return list(pages.values()) if isinstance(pages, dict) else list(pages)


_PST_REQUEST_SIZE = 1_000_000
"""Characters of text one pre-save transform request carries at most (the wiki's POST limit is larger)."""


def _batches(pages: Sequence[tuple[str, str]], size: int) -> Iterator[list[tuple[str, str]]]:
    """``pages`` in runs of at most ``size`` characters of text (a longer text is a run of its own)."""
    batch: list[tuple[str, str]] = []
    length = 0
    for title, text in pages:
        if batch and length + len(text) > size:
            yield batch
            batch, length = [], 0
        batch.append((title, text))
        length += len(text)
    if batch:
        yield batch


def _latest_mark(page: dict) -> RevisionMark | None:
    """The latest revision of a page of a query answer with prop=revisions (rvprop=ids|sha1)."""
    for revision in page.get("revisions") or []:
        return RevisionMark(revision["revid"], revision.get("sha1") or "")
    return None


_EVENT_TIMEOUT = (10, 60)
"""Seconds to connect to an event stream, and of silence before it counts as dropped (EventStreams and
scripts/event-relay send a comment line now and then while idle)."""


class _StreamDropped(Exception):
    """The event stream's connection failed or closed (``cause``: the error, when there was one; ``opened``:
    whether it had been open)."""

    def __init__(self, cause: BaseException | None, opened: bool) -> None:
        super().__init__(str(cause or "closed"))
        self.cause = cause
        self.opened = opened


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


@dataclass(frozen=True)
class SourcePage:
    title: str
    text: str
    revision: int
    redirect: bool = False
    timestamp: str | None = None
    user: str | None = None
    """Who saved the latest revision."""


class Wiki:
    """A logged-in connection to one wiki."""

    def __init__(self, site) -> None:
        self.site = site
        self._pywikibot, self._errors = _pywikibot()

    def stream_sources(self, titles: Sequence[str]) -> Iterator[tuple[str, SourcePage | None]]:
        """:meth:`read_sources` of a batch of titles at a time (as many as one request takes), each
        page handed on as soon as its batch is read: (the title as asked, the page or None), in order."""
        for start in range(0, len(titles), self.titles_per_request):
            batch = titles[start:start + self.titles_per_request]
            pages = self.read_sources(batch)
            yield from ((title, pages.get(self.page(title).title())) for title in batch)

    def read_sources(self, titles: Iterable[str]) -> dict[str, SourcePage | None]:
        """Several pages' text and revision in one batched request; None for a page that does not exist."""
        wanted = [self.page(title) for title in titles]
        found: dict[str, SourcePage | None] = {}
        try:
            for page in self.site.preloadpages(wanted):
                if page.exists():
                    revision = page.latest_revision
                    found[page.title()] = SourcePage(page.title(), page.text, revision.revid, page.isRedirectPage(),
                                                     revision.timestamp.isoformat(), revision.user)
        except self._errors.Error as exc:
            raise WikiError(f"cannot read {', '.join(p.title() for p in wanted)}: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        return {page.title(): found.get(page.title()) for page in wanted}

    def history(self, title: str, total: int = 50) -> list[Revision]:
        """A page's latest revisions with their text, newest first, in one request."""
        page = self.page(title)
        try:
            return [Revision(r.revid, r.user or "", r.text or "") for r in page.revisions(content=True, total=total)]
        except self._errors.Error as exc:
            raise WikiError(f"{title}: cannot read the page history: {_first_line(exc)}") from None

    def revisions_after(self, title: str, after: int | None = None) -> list[Revision]:
        """Every revision of a page newer than revision ``after`` (None: all of them) with its text, oldest
        first: one request per as many revisions with content as the API gives at once (50, or 500 for a
        bot), following its continuation. A revision whose text is hidden comes with the text ""."""
        params: dict[str, Any] = {"action": "query", "prop": "revisions", "titles": title, "rvprop": "ids|user|content",
                                  "rvslots": "main", "rvdir": "newer", "rvlimit": "max"}
        if after is not None:
            params["rvstartid"] = after + 1
        found: list[Revision] = []
        try:
            for body in continued(self._ask, params):
                for page in _query_pages(body):
                    for revision in page.get("revisions") or []:
                        main = (revision.get("slots") or {}).get("main") or revision
                        text = main.get("content", main.get("*", ""))
                        found.append(Revision(revision["revid"], revision.get("user") or "", text or ""))
            return found
        except self._errors.Error as exc:
            raise WikiError(f"{title}: cannot read the page history: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None

    def standing(self, name: str) -> tuple[bool, bool]:
        """(blocked, confirmed) of a user; confirmed is True on wikis without an autoconfirmed group."""
        user = self._pywikibot.User(self.site, name)
        try:
            groups = set(user.groups())
            blocked = user.is_blocked()
        except self._errors.Error as exc:
            raise WikiError(f"cannot look up user {name}: {_first_line(exc)}") from None
        confirmed = "autoconfirmed" in groups or "confirmed" in groups or not self._has_autoconfirmed()
        return blocked, confirmed

    def standings(self, names: Iterable[str]) -> dict[str, tuple[bool, bool]]:
        """:meth:`standing` of several users, in one request per batch of names (list=users)."""
        wanted = sorted(set(names))
        found: dict[str, tuple[bool, bool]] = {}
        batch = self.titles_per_request
        try:
            for start in range(0, len(wanted), batch):
                for entry in self.site.users(wanted[start:start + batch]):
                    if "invalid" in entry or "missing" in entry or "name" not in entry:
                        continue  # an IP address (range blocks): asked below, one by one
                    groups = set(entry.get("groups") or ())
                    confirmed = "autoconfirmed" in groups or "confirmed" in groups or not self._has_autoconfirmed()
                    found[entry["name"]] = ("blockedby" in entry or "blockid" in entry, confirmed)
        except self._errors.Error as exc:
            raise WikiError(f"cannot look up users {', '.join(wanted[:5])}: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        for name in wanted:
            if name not in found and name:
                found[name] = self.standing(name)
        return found

    def _has_autoconfirmed(self) -> bool:
        return "autoconfirmed" in {group["name"] for group in self.site.siteinfo.get("usergroups", [])}

    def changes_since(self, start: str | None, titles: Iterable[str]) -> tuple[list[RecentChange], str | None]:
        """Edits to ``titles`` since the timestamp ``start`` (oldest first, every page of results followed),
        and the newest timestamp seen, for the next poll."""
        wanted = {self.page(t).title() for t in titles}
        namespaces = sorted({self.page(t).namespace().id for t in titles})
        found: list[RecentChange] = []
        newest = start
        try:
            if start:
                stamp = self._pywikibot.Timestamp.fromISOformat(start)
                changes = self.site.recentchanges(
                    start=stamp, reverse=True, namespaces=namespaces, changetype="edit|new", excludeuser=self.user or None
                )
            else:
                changes = self.site.recentchanges(total=1)
            for change in changes:
                stamp = change.get("timestamp")
                if stamp and (newest is None or stamp > newest):
                    newest = stamp
                if start and change.get("title") in wanted:
                    found.append(RecentChange(change["title"], change.get("revid", 0), stamp or ""))
        except self._errors.Error as exc:
            raise WikiError(f"cannot read recent changes: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        return found, newest

    @property
    def has_event_stream(self) -> bool:
        """Whether Pywikibot knows this wiki's event stream (the Wikimedia families' EventStreams)."""
        try:
            self.site.eventstreams_host()
        except (NotImplementedError, AttributeError):
            return False
        return True

    def recent_change_events(self, url: str | None = None, *, last_event_id: str | None = None, since: str | None = None,
                             on_open: Callable[[], None] = lambda: None) -> Iterator[dict[str, Any]]:
        """This wiki's recent changes (``mediawiki.recentchange`` events, as dicts) as its event stream sends
        them, through Pywikibot's EventStreams: the Wikimedia stream of its family, or the one at ``url``.
        They start after ``last_event_id`` (sent as ``Last-Event-ID``), else at ``since`` (ISO 8601), else now.
        ``on_open`` is called once connected. No API request is made. A stream that cannot be reached or
        drops the connection ends the iteration with a WikiError: the caller decides when to come back."""
        from pywikibot.comms.eventstreams import EventStreams

        where = url or "of the wiki's family"

        opened = False

        def opening() -> None:
            nonlocal opened
            opened = True
            on_open()

        def dropped() -> None:
            # requests-sse would retry on its own, sleeping ever longer, and Pywikibot then warn in two
            # lines; the caller reconnects instead, falling back to polling meanwhile
            raise _StreamDropped(sys.exc_info()[1], opened)

        options: dict[str, Any] = {"site": self.site, "timeout": _EVENT_TIMEOUT, "max_connect_retry": 0,
                                   "on_open": opening, "on_error": dropped}
        if last_event_id:
            options["latest_event_id"] = last_event_id  # requests-sse's name; Pywikibot's reconnection uses it too
        if url:
            options["url"] = url if last_event_id or not since else f"{url}{'&' if '?' in url else '?'}since={quote(since)}"
        else:
            options["streams"] = "recentchange"
            if since and not last_event_id:
                options["since"] = since
        try:
            stream = EventStreams(**options)
            stream.register_filter(wiki=self.site.siteinfo.get("wikiid") or "")
            yield from stream
        except _StreamDropped as exc:
            if isinstance(exc.cause, requests.RequestException):
                raise WikiError(f"cannot reach the event stream {where}: {_connection_failure(exc.cause)}") from None
            if exc.opened:
                raise WikiError(f"the event stream {where} dropped the connection") from None
            raise WikiError(f"the event stream {where} refused the connection (an HTTP error, or no event stream there)") from None
        except (OSError, ValueError, ImportError) as exc:
            raise WikiError(f"cannot follow the event stream {where}: {_first_line(exc)}") from None

    def read_source(self, title: str) -> SourcePage:
        source = self.read_sources([title]).get(self.canonical_title(title) or title)
        if source is None:
            raise SourceError(f"{title}: the source page does not exist on {self.site}")
        if source.redirect:
            raise SourceError(f"{title}: the page is a redirect; name its target instead")
        return source

    @property
    def user(self) -> str:
        return self.site.username() or ""

    @property
    def site_id(self) -> str:
        """Which wiki this is, by its own word (database id and server), not by Pywikibot's family name:
        two wikis configured under one name never share state."""
        info = self.site.siteinfo
        return f"{info.get('wikiid') or self.site} {info.get('server') or ''}".strip()

    @property
    def titles_per_request(self) -> int:
        """How many titles one query may name: 500 with a bot's limits, 50 without."""
        return max(int(getattr(self.site, "maxlimit", 50) or 50), 1)

    def latest_revisions(self, titles: Iterable[str]) -> dict[str, RevisionMark | None]:
        """Each page's latest revision and its text's SHA-1 (None: missing), batched, no text."""
        wanted = list(dict.fromkeys(titles))
        latest: dict[str, RevisionMark | None] = {}
        batch = self.titles_per_request
        try:
            for start in range(0, len(wanted), batch):
                chunk = wanted[start:start + batch]
                body = self.site.simple_request(action="query", prop="revisions", rvprop="ids|sha1", titles=chunk).submit()
                names = {entry["to"]: entry["from"] for entry in body.get("query", {}).get("normalized", [])}
                for page in _query_pages(body):
                    title = names.get(page["title"], page["title"])
                    latest[title] = None if "missing" in page or "invalid" in page else _latest_mark(page)
        except self._errors.Error as exc:
            raise WikiError(f"cannot read the generated pages' revisions: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        return {title: latest.get(title) for title in wanted}

    def pages_under(self, prefix: str) -> dict[str, ListedPage]:
        """Every page whose title starts with ``prefix``, with its latest revision and whether it is a
        redirect. One request per 5,000 pages with a bot's limits (500 without), text not included."""
        namespace = self.page(prefix + "x").namespace()
        bare = prefix.split(":", 1)[1] if namespace.id and ":" in prefix else prefix
        params: dict[str, Any] = {"action": "query", "generator": "allpages", "gapprefix": bare,
                                  "gapnamespace": namespace.id, "gaplimit": "max", "prop": "info|revisions",
                                  "rvprop": "ids|sha1"}
        found: dict[str, ListedPage] = {}
        try:
            for body in continued(self._ask, params):
                for page in _query_pages(body):
                    known = found[page["title"]].mark if page["title"] in found else None
                    found[page["title"]] = ListedPage(_latest_mark(page) or known, "redirect" in page, page.get("pagelanguage"))
            return found
        except self._errors.Error as exc:
            raise WikiError(f"cannot list the pages under {prefix!r}: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None

    @functools.cached_property
    def has_translate(self) -> bool:
        """Whether the wiki runs the Translate extension (siteinfo's extensions): its APIs are then asked."""
        try:
            return bool(self.site.has_extension("Translate"))
        except self._errors.Error:
            return False

    def translated_shares(self, title: str) -> dict[str, float]:
        """Language -> the share of a translatable page's units translated and up to date, from Translate's
        message group statistics (``meta=messagegroupstats``, followed while it fills its cache; read by
        :func:`wikisync.answers.translated_shares`); {} on a wiki without Translate or when it cannot tell."""
        if not self.has_translate:
            return {}
        try:
            return followed(self._ask, {"action": "query", "meta": "messagegroupstats", "mgsgroup": f"page-{title}"},
                            answers.translated_shares)
        except (self._errors.Error, OSError):
            return {}

    def language_info(self, languages: Iterable[str]) -> dict[str, LanguageInfo]:
        """Each language's name in itself, direction and fallbacks as the wiki describes them (core's
        ``meta=languageinfo``, MediaWiki 1.34 and later), in one request for up to 50 languages; a language the
        wiki does not know is left out, and {} when it cannot tell (an older wiki): wikisync's tables stand in."""
        codes = sorted(set(languages))
        found: dict[str, LanguageInfo] = {}
        try:
            for start in range(0, len(codes), _LANGUAGES_PER_REQUEST):
                params = {"action": "query", "meta": "languageinfo", "liprop": "autonym|dir|fallbacks",
                          "licode": codes[start:start + _LANGUAGES_PER_REQUEST]}
                # a code the wiki does not know is a warning, and left out: wikisync's tables stand in for it
                found.update(followed(functools.partial(self._ask, quiet="languageinfo"), params, answers.language_infos))
        except (self._errors.Error, OSError):
            return found
        return found

    def _ask(self, params: dict[str, Any], quiet: str | None = None) -> dict[str, Any]:
        """One API request, through Pywikibot (throttle, retries, maxlag): its answer's body. The warnings of
        module ``quiet`` are expected and not printed (Pywikibot's request takes a handler for them)."""
        request = self.site.simple_request(**params)
        if quiet is not None:
            request._warning_handler = lambda module, _text: module == quiet
        return request.submit()

    def read_pages(self, titles: Iterable[str]) -> dict[str, PageState]:
        """Every title as the wiki has it, fetched in batches (as many a request as the API allows), not one request each."""
        wanted = [self.page(title) for title in titles]
        states: dict[str, PageState] = {}
        try:
            # templates=True: the {{bots}}/{{nobots}} check then needs no request of its own per page
            for page in self.site.preloadpages(wanted, templates=True):
                states[page.title()] = self._state(page)
        except self._errors.Error as exc:
            raise WikiError(f"cannot read the generated pages: {_first_line(exc)}") from None
        for page in wanted:
            states.setdefault(page.title(), PageState(None))
        return states

    def _state(self, page) -> PageState:
        if not page.exists():
            return PageState(None)
        revision = page.latest_revision
        # botMayEdit parses the page again: only worth it where a bots/nobots template is there
        excluding = any(t.title(with_ns=False).lower() in ("bots", "nobots") for t in page.templates())
        redirect = page.isRedirectPage()
        return PageState(page.text, revision.revid, revision.user, page.botMayEdit() if excluding else True,
                         redirect, revision.timestamp.isoformat(), redirect and self._bare_redirect(page.text),
                         revision.get("sha1"))

    def _bare_redirect(self, text: str) -> bool:
        """Whether ``text`` is a redirect link and nothing more (whitespace aside): what a move leaves.
        Told by Pywikibot's pattern of the wiki's own redirect magic words."""
        found = self.site.redirect_regex.match(text)
        return found is not None and not text[found.end():].strip()

    def page(self, title: str):
        """The Pywikibot page of ``title``; :class:`TitleError` when the wiki would reject the title.

        Every title wikisync sends to the wiki passes here. Pywikibot would read "%41" as "A" and "&amp;"
        as "&", and cut a title at "|" or "#", so a target would be published under another title than
        the one configured: such titles are rejected before Pywikibot sees them (MediaWiki itself rejects
        "%41", "|", "#" and the like). What needs the wiki's namespaces (``Project:`` alone, a talk page
        of a namespace without talk pages) Pywikibot rejects itself.
        """
        problem = title_problem(title)
        if problem is None:
            try:
                page = self._pywikibot.Page(self.site, title)
                page.title()  # Pywikibot parses a title when first asked for it: here, not in the middle of a request
                return page
            except (self._errors.InvalidTitleError, ValueError) as exc:
                problem = f"the wiki does not accept this title ({_first_line(exc)})"
        raise TitleError(title, problem)

    def namespace_of(self, title: str) -> int:
        """The number of the namespace a title is in (0 for the main namespace)."""
        return int(self.page(title).namespace().id)

    def canonical_title(self, title: str) -> str | None:
        """The wiki's spelling of a title (namespace aliases and localised names resolved, first letter
        and underscores as the wiki stores them), or None when the wiki would reject it."""
        try:
            return self.page(title).title()
        except TitleError:
            return None

    def title_problem(self, title: str) -> str | None:
        """Why the wiki would reject ``title``; None when it takes it."""
        try:
            self.page(title)
        except TitleError as exc:
            return exc.problem
        return None

    def last_revision_where(self, title: str, wanted: Callable[[str], bool]) -> Revision | None:
        """The newest of a page's recent revisions whose text is ``wanted``; None if none is."""
        return next((revision for revision in self.history(title) if wanted(revision.text)), None)

    def diff_url(self, title: str, old: int, new: int) -> str:
        return self.url(f"Special:Diff/{old}/{new}")

    def save(self, title: str, text: str, summary: str, base: PageState | None = None,
             content_model: str = "wikitext") -> SaveResult:
        """Save one page over exactly the revision ``base`` that was read (None or a missing page: create it).

        One request, and the wiki's answer decides: the edit carries the revision it replaces, so
        MediaWiki refuses it if someone else's edit came in since. When MediaWiki instead merges the
        two (edits to different lines) or misses the conflict (its check has one-second resolution),
        the answer's ``oldrevid`` is not ``base``: then the bot's revision is undone at once, so that
        person's change does not stand under the bot's name. Pywikibot's throttle waits before the
        request is sent, never between a check and the write. An edit conflict or a refusal is a
        result for that page; :class:`WikiError` means the wiki itself stopped answering.
        """
        page = self.page(title)
        try:
            return self._save(page.title(), text, summary, base, content_model)
        except (OSError, self._errors.ServerError, self._errors.ApiTimeoutError) as exc:
            # the wiki, not this page, is the problem: the caller stops the run
            raise WikiError(f"the wiki stopped answering while saving {title}: {_first_line(exc)}") from None
        except self._errors.APIError as exc:
            failure = _FAILURES.get(exc.code, SaveFailure.OTHER)
            if failure is SaveFailure.READ_ONLY:  # the whole wiki, not this page: the caller stops the run
                raise WikiError(f"the wiki is read-only: {(exc.info or '').strip() or 'no reason given'}"
                                f"{'; ' + str(exc.other.get('readonlyreason')) if getattr(exc, 'other', {}).get('readonlyreason') else ''}") from None
            return SaveResult(title, failure=failure, reason=self._refusal(page, exc, failure))
        except self._errors.Error as exc:
            return SaveResult(title, failure=SaveFailure.OTHER, reason=_first_line(exc))

    def _save(self, title: str, text: str, summary: str, base: PageState | None, content_model: str) -> SaveResult:
        params: dict[str, Any] = {"action": "edit", "title": title, "text": text, "summary": summary, "bot": True,
                                  "notminor": True, "watchlist": "nochange"}
        if content_model != "wikitext":
            params["contentmodel"] = content_model  # a data page: the wiki stores and validates it as JSON
        read = base.revision if base is not None and base.text is not None else None
        if read is None:
            params["createonly"] = True
        else:
            params.update(nocreate=True, baserevid=read)
            if base is not None and base.timestamp:
                params["basetimestamp"] = base.timestamp
        result = self._edit(params)
        if "nochange" in result:
            return SaveResult(title, revision=read)
        new, before = result["newrevid"], result.get("oldrevid")
        if read is not None and before and before != read:
            return SaveResult(title, failure=SaveFailure.EDIT_CONFLICT, reason=self._undo_merge(title, new, before))
        return SaveResult(title, revision=new)

    def _edit(self, params: dict) -> dict:
        params = {**params, "token": self.site.tokens["csrf"]}
        response = self.site.simple_request(**params).submit()
        result = response.get("edit") or {}
        if result.get("result") != "Success":
            reason = result.get("info") or result.get("code") or json.dumps(result, ensure_ascii=False)
            raise self._errors.Error(f"the wiki refused the edit: {reason}")
        return result

    def _undo_merge(self, title: str, saved: int, other: int) -> str:
        """Revision ``other`` by someone else came in after the read, yet the wiki took ``saved`` on top
        of it: merged the two (edits to different lines), or did not see the conflict (its check has
        one-second resolution). Either way that person's change must not stand under the bot's
        name: undo ``saved`` at once, leaving the page as they left it."""
        user = self.revision_user(other) or "someone"
        lead = (f"edit conflict: {user} edited the page while wikisync saved it, and the wiki took "
                f"wikisync's edit on top (revision {saved})")
        try:
            self._edit({"action": "edit", "title": title, "undo": saved, "undoafter": other, "nocreate": True,
                        "bot": True, "watchlist": "nochange",
                        "summary": f"wikisync: undo revision {saved}, saved over an edit by {user} made meanwhile"})
        except self._errors.Error as exc:
            return f"{lead}; undoing it failed ({_first_line(exc)}): check the page"
        return f"{lead}; wikisync undid it, so the page is as {user} left it"

    def current_revision(self, title: str) -> tuple[int, str] | None:
        """The page's latest revision id and its user, asked of the wiki now; None if it does not exist."""
        body = self.site.simple_request(action="query", prop="revisions", titles=title, rvprop="ids|user").submit()
        for page in _query_pages(body):
            revisions = page.get("revisions") or []
            if revisions:
                return revisions[0]["revid"], revisions[0].get("user", "")
        return None

    def revision_user(self, revision: int) -> str | None:
        body = self.site.simple_request(action="query", prop="revisions", revids=revision, rvprop="user").submit()
        for page in _query_pages(body):
            for found in page.get("revisions") or []:
                return found.get("user")
        return None

    def _refusal(self, page, exc, failure: SaveFailure) -> str:
        """The wiki's reason for refusing an edit, in words: its own message, and protection levels."""
        code, info = exc.code, (exc.info or "").strip()
        if failure.conflict:
            try:
                now = self.current_revision(page.title())
            except self._errors.Error:
                now = None
            return _conflict(now[1] if now else None, "pagedeleted" if code == "missingtitle" else code)
        if code in ("protectedpage", "cascadeprotected", "protectedtitle"):  # the page's own protection: its levels tell
            try:
                levels = ", ".join(f"{kind}={level}" for kind, (level, _) in sorted(page.protection().items()))
            except self._errors.Error:
                levels = ""
            return f"the wiki refused the edit: {info} ({code}{': ' + levels if levels else ''})"
        return f"the wiki refused the edit: {info} ({code})"

    def render_html(self, pages: Sequence[tuple[str, str, str]]) -> list[str]:
        """Each (title, text, content model) rendered by the wiki's own parser (``action=parse`` with
        that title, so ``{{PAGENAME}}``, relative links and templates come out as they will on the page;
        a JSON page as the wiki shows JSON), as HTML. One request a text, through Pywikibot's request
        machinery (its throttle, maxlag and retries); nothing is saved."""
        rendered = []
        try:
            for title, text, model in pages:
                body = self.site.simple_request(
                    action="parse", title=title, text=text, contentmodel=model, prop="text",
                    disablelimitreport=True, disableeditsection=True, formatversion=2,
                ).submit()
                html = body.get("parse", {}).get("text", "")
                rendered.append(html if isinstance(html, str) else html.get("*", ""))
        except self._errors.Error as exc:
            raise WikiError(f"cannot render the preview through the wiki's parser: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        return rendered

    def pre_save_transform(self, pages: Sequence[tuple[str, str]]) -> list[str]:
        """The text the wiki stores when each (title, wikitext) is saved: the wiki's own pre-save
        transform (signatures, substitutions, the pipe trick, line ends, the end trimmed), asked with
        ``action=parse&onlypst`` and nothing saved. The texts travel joined by a separator line that
        the transform leaves alone, up to :data:`_PST_REQUEST_SIZE` characters a request (so one request for a
        usual run); when the separators do not come back as sent, each text is asked on its own."""
        separator = f"\n<!-- wikisync:pst-separator {uuid.uuid4().hex} -->\n"
        transformed: list[str] = []
        try:
            for batch in _batches(pages, _PST_REQUEST_SIZE):
                parts = self._onlypst(batch[0][0], separator.join(text for _, text in batch)).split(separator)
                if len(parts) != len(batch):
                    parts = [self._onlypst(title, text) for title, text in batch]
                transformed.extend(part.rstrip() for part in parts)
        except self._errors.Error as exc:
            raise WikiError(f"cannot ask the wiki how it stores the pages' text: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        return transformed

    def _onlypst(self, title: str, text: str) -> str:
        request = self.site.simple_request(action="parse", title=title, text=text, contentmodel="wikitext",
                                           onlypst=True, formatversion=2)
        request.use_get = False  # the text goes in a POST body: no GET tried, no module information fetched to decide
        body = request.submit()
        stored = body.get("parse", {}).get("text", "")
        return stored if isinstance(stored, str) else stored.get("*", "")

    def url(self, title: str) -> str:
        """The page's address, readable the way MediaWiki writes it (slashes and colons as they are)."""
        name = self.page(title).title(underscore=True)
        return self.site.base_url(self.site.articlepath.format(quote(name, safe=_URL_SAFE)))


class _UtcStamps(logging.Formatter):
    """Pywikibot's terminal messages with the time in front, as ``wikisync watch`` prints its own lines."""

    @staticmethod
    def converter(seconds: float | None = None) -> time.struct_time:
        return time.gmtime(seconds)

    def __init__(self, inner: logging.Formatter | None) -> None:
        super().__init__(datefmt="%Y-%m-%dT%H:%M:%SZ")
        self.inner = inner or logging.Formatter()

    def format(self, record: logging.LogRecord) -> str:
        return f"{self.formatTime(record, self.datefmt)} {self.inner.format(record)}"


def _tame_terminal(pywikibot, quiet: bool, timestamps: bool = False) -> None:
    """No tracebacks on the terminal; with ``quiet``, only warnings and errors; with ``timestamps``,
    the time in front of each message. Pywikibot's log file, if configured, keeps everything."""
    with _owner_only():
        pywikibot.bot.init_handlers()
    _private_logs(pywikibot)
    for handler in logging.getLogger("pywiki").handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.addFilter(_NoTracebacks())
            if quiet:
                handler.setLevel(logging.WARNING)
            if timestamps and not isinstance(handler.formatter, _UtcStamps):
                handler.setFormatter(_UtcStamps(handler.formatter))


def _api_url(pywikibot) -> str:
    """The API address of the wiki Pywikibot's configuration names (without connecting), or "" if it names none."""
    config = pywikibot.config
    try:
        family = pywikibot.family.Family.load(config.family)
        return family.base_url(config.mylang, family.apipath(config.mylang))
    except Exception:  # an unknown family or code: Pywikibot's own message says so
        return ""


def _connection_failure(exc: requests.RequestException) -> str:
    """Why a connection could not be made, in words: the name, the port, or what requests said."""
    if isinstance(exc, requests.Timeout):
        return f"no answer within {_PROBE_TIMEOUT} s"
    reason = getattr(exc.args[0] if exc.args else None, "reason", None)
    if isinstance(reason, urllib3.exceptions.NameResolutionError):
        return f"the name {getattr(reason.conn, 'host', '') or 'of the server'} does not resolve (no network, or no such server?)"
    if isinstance(reason, urllib3.exceptions.NewConnectionError) and isinstance(reason.__context__, ConnectionRefusedError):
        return "connection refused (is the server running?)"
    return _first_line(reason or exc)


_PROBE_TIMEOUT = 10


def _unreachable(pywikibot, exc: BaseException) -> str:
    """Why the configured wiki did not answer, in words: no such name, refused, not an API, or what Pywikibot said."""
    url = _api_url(pywikibot)
    if url.startswith(("http://", "https://")):
        try:
            answer = requests.get(url, params={"action": "query", "meta": "siteinfo", "format": "json"},
                                  timeout=_PROBE_TIMEOUT)
        except requests.RequestException as probe:
            return f"cannot reach the wiki at {url}: {_connection_failure(probe)}"
        try:
            answer.json()["query"]["general"]
        except (ValueError, KeyError, TypeError):
            return (f"{url}: answers (HTTP {answer.status_code}) but is not a MediaWiki API; "
                    "check the API path in user-config.py's family_files")
    return f"cannot reach or log in to the configured wiki: {_first_line(exc)}"


def connect(login: bool = True, quiet: bool = False, timestamps: bool = False) -> Wiki:
    """The wiki of the Pywikibot configuration, logged in as its bot account.

    ``quiet`` keeps Pywikibot's own progress messages ("Logging in to …") out of scheduled runs'
    output; its warnings and errors still show. ``timestamps`` puts the time in front of them (watch).
    """
    pywikibot, _ = _pywikibot()
    _tame_terminal(pywikibot, quiet, timestamps)
    try:
        site = pywikibot.Site()
        if login:
            site.login()
    except (OSError, UnicodeDecodeError) as exc:
        name = getattr(exc, "filename", None) or ""
        if str(name).endswith(".lwp"):
            raise WikiError(f"the login cookie file {name} cannot be read ({_first_line(exc)}); "
                            "remove it and wikisync logs in afresh") from None
        raise WikiError(_unreachable(pywikibot, exc)) from None
    except Exception as exc:  # network errors surface from requests, not as Pywikibot errors
        raise WikiError(_unreachable(pywikibot, exc)) from None
    if login and not site.logged_in():
        raise WikiError(f"not logged in to {site}: check usernames and password_file in user-config.py")
    return Wiki(site)
