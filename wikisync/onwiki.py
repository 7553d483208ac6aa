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
from .parse import answer_request, parse_requests
from .render import escape_wikitext, render_page
from .state import State, state_key
from .wiki import SourcePage, Wiki

__all__ = ["STATUS_TEMPLATE", "Verdict", "answer_all", "now", "pending_requests", "render_status", "vet"]

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


def vet(request: RebuildRequest, request_page: str, wiki: Wiki, known: Sequence[str]) -> Verdict:
    """Accept a request from a user in good standing for a known source; decline the rest with a reason."""
    requester = wiki.requester(request_page, request.wikitext)
    if requester is None:
        return Verdict(request, None, (), "declined: could not tell who added this request")
    blocked, confirmed = wiki.standing(requester)
    if blocked:
        return Verdict(request, requester, (), f"declined: {requester} is blocked")
    if not confirmed:
        return Verdict(request, requester, (), f"declined: {requester} is not autoconfirmed yet")
    if not request.source:
        return Verdict(request, requester, tuple(known))
    canonical = {wiki.canonical_title(title): title for title in known}
    source = canonical.get(wiki.canonical_title(request.source))
    if source is None:
        return Verdict(request, requester, (), f"declined: {request.source} is not a source page in wikisync's page map")
    return Verdict(request, requester, (source,))


def answer_all(text: str, answers: Sequence[tuple[RebuildRequest, str, str]]) -> str:
    """The request page with each (request, status, result) written into its template."""
    for request, status, result in answers:
        text = answer_request(text, request.index, {"status": status, "result": escape_wikitext(result), "answered": "~~~~~"})
    return text


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_status(page_map: PageMap, state: State, wiki: Wiki) -> str:
    entries = []
    for spec in page_map.sources:
        entry = state.sources.get(state_key(wiki.site_id, spec.page))
        entries.append({"page": spec.page, "run": entry.last_run if entry else {}})
    return render_page(page_map.templates, STATUS_TEMPLATE, {"sources": entries, "request_page": page_map.request_page})
