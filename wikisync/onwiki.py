"""Editors' side of wikisync, on the wiki itself: rebuild requests and the run status page.

An editor without shell access asks for a rebuild by adding ``{{wikisync request|SOURCE}}`` to the
request page; wikisync vets who asked, rebuilds, and answers in the template's parameters. The status
page says, per source, what the last run that did something found and changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from .config import PageMap
from .model import RebuildRequest
from .render import escape_wikitext, render_page
from .shapes.requests import answer_request, parse_requests
from .state import State, state_key
from .wiki import SourcePage, Wiki

__all__ = ["STATUS_TEMPLATE", "Verdict", "answer_all", "now", "pending_requests", "render_status", "requester", "vet"]

STATUS_TEMPLATE = "status.wiki.j2"


@dataclass(frozen=True)
class Verdict:
    request: RebuildRequest
    requester: str | None
    sources: tuple[str, ...]
    """The source pages to rebuild; empty when declined."""
    declined: str = ""


def pending_requests(page: SourcePage | None) -> list[RebuildRequest]:
    if page is None:
        return []
    return [request for request in parse_requests(page.text) if not request.status]


def requester(request: RebuildRequest, pending: Sequence[RebuildRequest], history: Sequence[tuple[int, str, str]]) -> str | None:
    """Who added ``request``: the author of the oldest of the latest revisions (``history``, newest
    first) that already had it. A revision has it when its own request templates include it, parsed
    as the wiki does, so the syntax shown in ``<nowiki>``, ``<pre>`` or a comment is no request."""
    occurrence = _occurrence(request, pending)
    author = None
    for _, user, text in history:
        if sum(1 for r in parse_requests(text) if not r.status and r.wikitext == request.wikitext) <= occurrence:
            break
        author = user
    return author


def _occurrence(request: RebuildRequest, pending: Sequence[RebuildRequest]) -> int:
    """How many identical pending requests stand before this one on the page."""
    return sum(1 for other in pending if other.wikitext == request.wikitext and other.index < request.index)


def vet(request: RebuildRequest, author: str | None, wiki: Wiki, known: Sequence[str]) -> Verdict:
    """Accept a request from a user in good standing for a known source; decline the rest with a reason."""
    if author is None:
        return Verdict(request, None, (), "declined: could not tell who added this request")
    blocked, confirmed = wiki.standing(author)
    if blocked:
        return Verdict(request, author, (), f"declined: {author} is blocked")
    if not confirmed:
        return Verdict(request, author, (), f"declined: {author} is not autoconfirmed yet")
    if not request.source:
        return Verdict(request, author, tuple(known))
    canonical = {wiki.canonical_title(title): title for title in known}
    source = canonical.get(wiki.canonical_title(request.source))
    if source is None:
        return Verdict(request, author, (), f"declined: {request.source} is not a source page in wikisync's page map")
    return Verdict(request, author, (source,))


def answer_all(text: str, answers: Sequence[tuple[RebuildRequest, str, str]], read: Sequence[RebuildRequest]) -> str:
    """``text`` with each (request, status, result) written into its template.

    ``read`` are the pending requests of the revision the answers were made for; ``text`` may be a
    later revision (a person added a line meanwhile): each request is found there again by its
    wikitext and its place among identical ones, and one that is gone or answered is left alone.
    """
    pending = [r for r in parse_requests(text) if not r.status]
    indices = []
    for request, status, result in answers:
        occurrence = _occurrence(request, read)
        same = [r for r in pending if r.wikitext == request.wikitext]
        if occurrence < len(same):
            indices.append((same[occurrence].index, status, result))
    for index, status, result in indices:
        text = answer_request(text, index, {"status": status, "result": escape_wikitext(result), "answered": "~~~~~"})
    return text


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_status(page_map: PageMap, state: State, wiki: Wiki) -> str:
    entries = []
    for spec in page_map.sources:
        entry = state.sources.get(state_key(wiki.site_id, spec.page))
        entries.append({"page": spec.page, "run": entry.last_run if entry else {}})
    return render_page(page_map.templates, STATUS_TEMPLATE, {"sources": entries, "request_page": page_map.request_page})
