"""Editors' side of wikisync, on the wiki itself: rebuild requests and the run status page.

An editor without shell access asks for a rebuild by adding ``{{wikisync request|SOURCE}}`` to the
request page; wikisync vets who asked, rebuilds, and answers in the template's parameters. The status
page says, per source, what the last runs that did something found and changed: the newest in full,
up to :data:`HISTORY` in all. That history is kept on the page itself, in one machine-readable comment
per run (``<!-- wikisync:run {...} -->``), and read back from there by the next run, so it survives
the loss of the local state (a fresh Toolforge container) and needs no storage of its own.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone

from .config import PageMap
from .model import RebuildRequest
from .ownership import Ownership, ownership
from .plan import region_markers
from .render import escape_wikitext, render_page
from .shapes.requests import answer_requests, parse_requests
from .wiki import SourcePage

__all__ = [
    "HEADER_REGION",
    "HISTORY",
    "STATUS_TEMPLATE",
    "Verdict",
    "answer_all",
    "now",
    "pending_requests",
    "render_status",
    "requesters",
    "split_header",
    "status_history",
    "status_ownership",
    "vet",
]

STATUS_TEMPLATE = "status.wiki.j2"
HISTORY = 10
"""Runs kept per source on the status page."""
HEADER_REGION = "header"
"""The region at the top of the request and status pages that ``wikisync setup-wiki`` writes."""

_RUN_MARK = re.compile(r"<!-- wikisync:run (\{.*?\}) -->")
_RECORD_KEYS = ("at", "revision", "outcome", "code", "check", "saved", "problems", "more_saved")
_EMPTY_RUN = {"at": "", "revision": None, "outcome": "", "code": None, "check": "", "saved": [], "problems": []}
_MARKED_PAGES = 50
"""Saved pages a run's comment lists (the rest are counted), so that ten runs of a large source stay small."""


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


def requesters(pending: Sequence[RebuildRequest], history: Sequence[tuple[int, str, str]]) -> list[str | None]:
    """Who added each of ``pending`` (in page order): the author of the oldest of the latest revisions
    (``history``, newest first) that already had it. A revision has it when its own request templates
    include it, parsed as the wiki does, so the syntax shown in ``<nowiki>``, ``<pre>`` or a comment is
    no request. Each revision is parsed once, whatever the number of requests."""
    held = [Counter(r.wikitext for r in parse_requests(text) if not r.status) for _, _, text in history]
    authors = []
    for request, occurrence in zip(pending, _occurrences(pending)):
        author = None
        for (_, user, _), counts in zip(history, held):
            if counts[request.wikitext] <= occurrence:
                break
            author = user
        authors.append(author)
    return authors


def _occurrences(requests: Sequence[RebuildRequest]) -> list[int]:
    """For each request (in page order), how many identical ones stand before it on the page."""
    seen: Counter[str] = Counter()
    places = []
    for request in requests:
        places.append(seen[request.wikitext])
        seen[request.wikitext] += 1
    return places


def vet(request: RebuildRequest, author: str | None, standing: tuple[bool, bool] | None,
        known: Mapping[str, str], canonical: Callable[[str], str | None]) -> Verdict:
    """Accept a request from a user in good standing (``standing``: blocked, confirmed) for a known
    source (``known``: the wiki's spelling of each source's title -> the title); decline the rest with a reason."""
    if author is None or standing is None:
        return Verdict(request, None, (), "declined: could not tell who added this request")
    blocked, confirmed = standing
    if blocked:
        return Verdict(request, author, (), f"declined: {author} is blocked")
    if not confirmed:
        return Verdict(request, author, (), f"declined: {author} is not autoconfirmed yet")
    if not request.source:
        return Verdict(request, author, tuple(known.values()))
    source = known.get(canonical(request.source) or "")
    if source is None:
        return Verdict(request, author, (), f"declined: {request.source} is not a source page in wikisync's page map")
    return Verdict(request, author, (source,))


def answer_all(text: str, answers: Sequence[tuple[RebuildRequest, str, str]], read: Sequence[RebuildRequest]) -> str:
    """``text`` with each (request, status, result) written into its template, in one parse of the page.

    ``read`` are the pending requests of the revision the answers were made for; ``text`` may be a
    later revision (a person added a line meanwhile): each request is found there again by its
    wikitext and its place among identical ones, and one that is gone or answered is left alone.
    """
    place = {request.index: occurrence for request, occurrence in zip(read, _occurrences(read))}
    now_pending: dict[str, list[int]] = {}
    for request in parse_requests(text):
        if not request.status:
            now_pending.setdefault(request.wikitext, []).append(request.index)
    written: dict[int, dict[str, str]] = {}
    for request, status, result in answers:
        same = now_pending.get(request.wikitext, [])
        occurrence = place.get(request.index, len(same))
        if occurrence < len(same):
            written[same[occurrence]] = {"status": status, "result": escape_wikitext(result), "answered": "~~~~~"}
    return answer_requests(text, written)


def now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def render_status(page_map: PageMap, records: Mapping[str, dict], previous: str | None) -> str:
    """The status page's text (without its fingerprint): per source, this run's record (``records``,
    source -> what its run did) on top of the runs that ``previous``, the page's current text, lists."""
    history = status_history(previous)
    entries = []
    marks = []
    for spec in page_map.sources:
        runs = _with_run(history.get(spec.page, []), records.get(spec.page))
        entries.append({"page": spec.page, "run": runs[0] if runs else {}, "runs": runs,
                        "last_change": next((run for run in runs if run.get("saved")), None)})
        marks.extend(_mark(spec.page, run) for run in runs)
    body = render_page(page_map.templates, STATUS_TEMPLATE, {"sources": entries, "request_page": page_map.request_page})
    return body + ("\n" + "\n".join(marks) + "\n" if marks else "")


def status_history(text: str | None) -> dict[str, list[dict]]:
    """The runs a status page records, per source, newest first (as :func:`render_status` wrote them)."""
    history: dict[str, list[dict]] = {}
    for found in _RUN_MARK.finditer(text or ""):
        try:
            data = json.loads(found.group(1))
        except ValueError:
            continue  # a comment someone mangled: that run is forgotten, the others are kept
        if isinstance(data, dict) and isinstance(data.get("source"), str):
            source = data.pop("source")
            run = {**_EMPTY_RUN, **{key: data[key] for key in _RECORD_KEYS if key in data}}
            if isinstance(run["saved"], list) and isinstance(run["problems"], list):
                run["saved"] = [page for page in run["saved"] if isinstance(page, dict) and {"title", "new"} <= set(page)]
                run["saved"] = [{"old": None, **page} for page in run["saved"]]
                history.setdefault(source, []).append(run)
    return history


def _with_run(runs: list[dict], record: dict | None) -> list[dict]:
    """``runs`` with ``record`` in front, unless it did nothing the newest does not already say: it saved
    nothing, at the same source revision, with the same check and exit code, and met no problem or the
    same ones (a refusal met again every quarter hour is one entry)."""
    if record:
        record = {key: record[key] for key in _RECORD_KEYS if key in record}
        top = runs[0] if runs else None
        repeat = (top is not None and not record.get("saved")
                  and all(top.get(key) == record.get(key) for key in ("revision", "code", "check"))
                  and (not record.get("problems") or record.get("problems") == top.get("problems")))
        if not repeat:
            runs = [record, *runs]
    return runs[:HISTORY]


def _mark(source: str, run: dict) -> str:
    """One run as a comment that the wiki does not show and that no text can close early."""
    saved = run.get("saved") or []
    if len(saved) > _MARKED_PAGES:
        run = {**run, "saved": saved[:_MARKED_PAGES], "more_saved": len(saved) - _MARKED_PAGES + run.get("more_saved", 0)}
    data = json.dumps({"source": source, **run}, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    safe = data.replace("--", "-\\u002d").replace(">", "\\u003e")
    return f"<!-- wikisync:run {safe} -->"


def split_header(text: str) -> tuple[str, str]:
    """(header, rest) of a request or status page: the ``header`` region that setup-wiki writes, up to
    and with its end marker, and what follows it. ("", text) when the page has no such region."""
    begin, end = region_markers(HEADER_REGION)
    start = text.find(begin)
    stop = text.find(end)
    if start != 0 or stop < 0 or text.count(begin) != 1 or text.count(end) != 1:
        return "", text
    stop += len(end)
    return text[:stop], text[stop:].lstrip("\n")


def status_ownership(text: str) -> Ownership:
    """Whether the status part of the page (below any header) is still what wikisync wrote; nothing
    below the header (a page that setup-wiki created) is wikisync's to fill."""
    rest = split_header(text)[1]
    return Ownership.INTACT if not rest.strip() and rest != text else ownership(rest)
