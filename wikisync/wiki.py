"""The one module that talks to the wiki, through Pywikibot.

Pywikibot finds the wiki and the account the way every Pywikibot tool does (user-config.py in
PYWIKIBOT_DIR or the working directory) and brings login, throttling, maxlag and retries. Saves go
through Pywikibot's request machinery with the revision they replace (``baserevid``), so MediaWiki's
own edit-conflict check applies; :meth:`Wiki.save` adds what that check lets through (an edit in the
same second, an automatic merge with a person's edit). This module adapts all that to wikisync's plain
data and errors.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from .errors import ConfigError, SourceError, WikiError
from .model import PageState

__all__ = ["SaveResult", "SourcePage", "Wiki", "connect"]


def _pywikibot():
    """Import Pywikibot lazily, so that commands working on files never need a wiki configured."""
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
        raise ConfigError(f"PYWIKIBOT_DIR={wanted}: no user-config.py there that Pywikibot could use (it fell back to {base_dir})")
    if not os.path.isfile(os.path.join(base_dir, "user-config.py")):
        raise ConfigError(
            f"no user-config.py in {base_dir}: point PYWIKIBOT_DIR at the directory that has one "
            "(see user-config.py.example; for the dev wiki: eval \"$(scripts/dev-wiki env)\")"
        )


class _NoTracebacks(logging.Filter):
    """Pywikibot logs a full traceback for every failed HTTP attempt; on the terminal its one-line
    errors and warnings say enough (its log file, where configured, keeps the traceback)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).lstrip().startswith("Traceback (most recent call last)")


# What a title may not contain to mean what it says: MediaWiki's illegal characters, and
# URL-encoded sequences and character references, which would be decoded into another title.
_ILLEGAL_IN_TITLE = re.compile(r"[\x00-\x1f\x7f#<>\[\]{|}]|%[0-9A-Fa-f]{2}|&[A-Za-z0-9\x80-\xff]+;|&#x?[0-9A-Fa-f]+;")
# What wfUrlencode() leaves as it is in a page's address.
_URL_SAFE = ";@$!*(),/~:"


def _conflict(user: str | None, code: str = "") -> str:
    if code == "articleexists":
        return f"edit conflict: {user or 'someone'} created the page after wikisync read it; not overwritten"
    if code == "pagedeleted":
        return "edit conflict: the page was deleted after wikisync read it; not recreated"
    who = f"{user} edited the page" if user else "the page changed"
    return f"edit conflict: {who} after wikisync read it; not overwritten"


def _query_pages(body: dict) -> list[dict]:
    """The pages of an action=query answer, in either format version."""
    pages = body.get("query", {}).get("pages") or []
    return list(pages.values()) if isinstance(pages, dict) else list(pages)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return text.splitlines()[0]


@dataclass(frozen=True)
class SourcePage:
    title: str
    text: str
    revision: int


@dataclass(frozen=True)
class SaveResult:
    title: str
    revision: int | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


class Wiki:
    """A logged-in connection to one wiki."""

    def __init__(self, site) -> None:
        self.site = site
        self._pages: dict[str, Any] = {}
        self._pywikibot, self._errors = _pywikibot()

    def read_sources(self, titles: Iterable[str]) -> dict[str, SourcePage | None]:
        """Several pages' text and revision in one batched request; None for a page that does not exist."""
        wanted = [self._pywikibot.Page(self.site, title) for title in titles]
        found: dict[str, SourcePage | None] = {}
        try:
            for page in self.site.preloadpages(wanted):
                if page.exists() and page.isRedirectPage():
                    raise SourceError(f"{page.title()}: the page is a redirect; name its target in page_map.yaml")
                found[page.title()] = SourcePage(page.title(), page.text, page.latest_revision_id) if page.exists() else None
        except self._errors.Error as exc:
            raise WikiError(f"cannot read {', '.join(p.title() for p in wanted)}: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        return {page.title(): found.get(page.title()) for page in wanted}

    def requester(self, title: str, wikitext: str) -> str | None:
        """Who added ``wikitext`` to a page: the author of the oldest recent revision that has it."""
        page = self._pywikibot.Page(self.site, title)
        author = None
        try:
            for revision in page.revisions(content=True, total=50):
                if wikitext not in (revision.text or ""):
                    break
                author = revision.user
        except self._errors.Error as exc:
            raise WikiError(f"{title}: cannot read the page history: {_first_line(exc)}") from None
        return author

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

    def _has_autoconfirmed(self) -> bool:
        return "autoconfirmed" in {group["name"] for group in self.site.siteinfo.get("usergroups", [])}

    def changes_since(self, start: str | None, titles: Iterable[str]) -> tuple[list[tuple[str, int, str]], str | None]:
        """Edits to ``titles`` since the timestamp ``start`` (oldest first, every page of results followed),
        and the newest timestamp seen, for the next poll."""
        wanted = {self._pywikibot.Page(self.site, t).title() for t in titles}
        namespaces = sorted({self._pywikibot.Page(self.site, t).namespace().id for t in titles})
        found: list[tuple[str, int, str]] = []
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
                    found.append((change["title"], change.get("revid", 0), stamp or ""))
        except self._errors.Error as exc:
            raise WikiError(f"cannot read recent changes: {_first_line(exc)}") from None
        except OSError as exc:
            raise WikiError(f"cannot reach the wiki: {_first_line(exc)}") from None
        return found, newest

    def read_source(self, title: str) -> SourcePage:
        source = self.read_sources([title]).get(self.canonical_title(title) or title)
        if source is None:
            raise SourceError(f"{title}: the source page does not exist on {self.site}")
        return source

    @property
    def user(self) -> str:
        return self.site.username() or ""

    @property
    def site_id(self) -> str:
        return str(self.site)

    def read_pages(self, titles: Iterable[str]) -> dict[str, PageState]:
        """Every title as the wiki has it, fetched in batches (as many a request as the API allows), not one request each."""
        wanted = [self._pywikibot.Page(self.site, title) for title in titles]
        states: dict[str, PageState] = {}
        try:
            # templates=True: the {{bots}}/{{nobots}} check then needs no request of its own per page
            for page in self.site.preloadpages(wanted, templates=True):
                key = page.title()
                self._pages[key] = page
                states[key] = self._state(page)
        except self._errors.Error as exc:
            raise WikiError(f"cannot read the generated pages: {_first_line(exc)}") from None
        for page in wanted:
            states.setdefault(page.title(), PageState(None))
            self._pages.setdefault(page.title(), page)
        return states

    def _state(self, page) -> PageState:
        if not page.exists():
            return PageState(None)
        revision = page.latest_revision
        return PageState(page.text, revision.revid, revision.user, page.botMayEdit())

    def canonical_title(self, title: str) -> str | None:
        """The wiki's spelling of a title, or None when the wiki would reject it.

        Pywikibot would read "%41" as "A" and "&amp;" as "&", and cut a title at "|" or "#", so a
        target would be published under another title than the one configured: such titles are
        rejected before Pywikibot sees them (MediaWiki itself rejects "%41", "|", "#" and the like).
        """
        if _ILLEGAL_IN_TITLE.search(title):
            return None
        try:
            return self._pywikibot.Page(self.site, title).title()
        except (self._errors.InvalidTitleError, ValueError):
            return None

    def last_revision_by(self, title: str, user: str) -> tuple[int, str] | None:
        """The newest revision of a page saved by ``user``, with its text; None if there is none."""
        page = self._pages.get(title) or self._pywikibot.Page(self.site, title)
        try:
            for revision in page.revisions(content=True, total=50):
                if revision.user == user:
                    return revision.revid, revision.text or ""
        except self._errors.Error as exc:
            raise WikiError(f"{title}: cannot read the page history: {_first_line(exc)}") from None
        return None

    def diff_url(self, title: str, old: int, new: int) -> str:
        return self.url(f"Special:Diff/{old}/{new}")

    def save(self, title: str, text: str, summary: str) -> SaveResult:
        """Save one page, over exactly the revision :meth:`read_pages` read (none: create it).

        Someone else's edit since that read is never overwritten, nor merged into: MediaWiki merges
        an edit with an intervening one when they touch different lines, which would leave a
        person's change inside a revision of the bot. So the page's latest revision is checked just
        before saving, and should the wiki still report a merge (an edit landing in between), the
        bot's revision is undone at once. An edit conflict or a refusal is a result for that page,
        not an exception; :class:`WikiError` means the wiki itself stopped answering.
        """
        page = self._pages.get(title) or self._pywikibot.Page(self.site, title)
        try:
            return self._save(page, title, text, summary)
        except (OSError, self._errors.ServerError, self._errors.ApiTimeoutError) as exc:
            # the wiki, not this page, is the problem: the caller stops the run
            raise WikiError(f"the wiki stopped answering while saving {title}: {_first_line(exc)}") from None
        except self._errors.APIError as exc:
            return SaveResult(title, error=self._refusal(page, exc))
        except self._errors.Error as exc:
            return SaveResult(title, error=_first_line(exc))

    def _save(self, page, title: str, text: str, summary: str) -> SaveResult:
        creating = not page.exists()
        params = {"action": "edit", "title": page.title(), "text": text, "summary": summary, "bot": True,
                  "notminor": True, "watchlist": "nochange"}
        if creating:
            params["createonly"] = True
            read = None
        else:
            read = page.latest_revision_id
            now = self.current_revision(title)
            if now is None:
                return SaveResult(title, error=_conflict(None, "pagedeleted"))
            if now[0] != read:
                return SaveResult(title, error=_conflict(now[1]))
            params.update(nocreate=True, baserevid=read, basetimestamp=page.latest_revision.timestamp)
        result = self._edit(params)
        if "nochange" in result:
            return SaveResult(title, revision=read)
        new, before = result["newrevid"], result.get("oldrevid")
        self._pages.pop(title, None)  # what was read is stale now
        if read is not None and before and before != read:
            return SaveResult(title, error=self._undo_merge(page.title(), new, before))
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

    def _refusal(self, page, exc) -> str:
        """The wiki's reason for refusing an edit, in words: its own message, and protection levels."""
        code, info = exc.code, (exc.info or "").strip()
        if code in ("editconflict", "articleexists", "pagedeleted"):
            try:
                now = self.current_revision(page.title())
            except self._errors.Error:
                now = None
            return _conflict(now[1] if now else None, code)
        if code in ("protectedpage", "cascadeprotected", "protectedtitle"):
            try:
                levels = ", ".join(f"{kind}={level}" for kind, (level, _) in sorted(page.protection().items()))
            except self._errors.Error:
                levels = ""
            return f"the wiki refused the edit: {info} ({code}{': ' + levels if levels else ''})"
        return f"the wiki refused the edit: {info} ({code})"

    def url(self, title: str) -> str:
        """The page's address, readable the way MediaWiki writes it (slashes and colons as they are)."""
        name = self._pywikibot.Page(self.site, title).title(underscore=True)
        return self.site.base_url(self.site.articlepath.format(quote(name, safe=_URL_SAFE)))


def _tame_terminal(pywikibot, quiet: bool) -> None:
    """No tracebacks on the terminal; with ``quiet``, only warnings and errors. Pywikibot's log file,
    if configured, keeps everything."""
    pywikibot.bot.init_handlers()
    for handler in logging.getLogger("pywiki").handlers:
        if not isinstance(handler, logging.FileHandler):
            handler.addFilter(_NoTracebacks())
            if quiet:
                handler.setLevel(logging.WARNING)


def connect(login: bool = True, quiet: bool = False) -> Wiki:
    """The wiki of the Pywikibot configuration, logged in as its bot account.

    ``quiet`` keeps Pywikibot's own progress messages ("Logging in to …") out of scheduled runs'
    output; its warnings and errors still show.
    """
    pywikibot, errors = _pywikibot()
    _tame_terminal(pywikibot, quiet)
    try:
        site = pywikibot.Site()
        if login:
            site.login()
    except errors.Error as exc:
        raise WikiError(f"cannot reach or log in to the configured wiki: {_first_line(exc)}") from None
    except Exception as exc:  # network errors surface from requests, not as Pywikibot errors
        raise WikiError(f"cannot reach the configured wiki: {_first_line(exc)}") from None
    if login and not site.logged_in():
        raise WikiError(f"not logged in to {site}: check usernames and password_file in user-config.py")
    return Wiki(site)
