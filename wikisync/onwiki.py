"""Editors' side of wikisync, on the wiki itself: rebuild requests and the run status page.

An editor without shell access asks for a rebuild by adding ``{{wikisync request|SOURCE}}`` to the
request page; wikisync vets who asked, rebuilds, and answers in the template's parameters. The status
page says, per source, what the last runs that did something found and changed: the newest in full,
up to :data:`HISTORY` in all. That history is kept on the page itself, in one machine-readable comment
per run (``<!-- wikisync:run {...} -->``), and read back from there by the next run, so it survives
the loss of the local state (a fresh Toolforge container) and needs no storage of its own. Anyone
may edit that page: a record read back is data, shown escaped like any other text, and one that fails
its own checks (its fields' types, and the checksum it carries) is dropped.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from .config import PageMap
from .model import RebuildRequest
from .ownership import Ownership, ownership
from .plan import region_markers
from .render import escape_wikitext, render_page
from .run_record import RunRecord
from .shapes.requests import answer_requests, parse_requests
from .titles import title_problem
from .wiki import SourcePage
from .wiki_records import Revision

__all__ = [
    "HEADER_REGION",
    "HISTORY",
    "STATUS_TEMPLATE",
    "StatusHistory",
    "Verdict",
    "answer_all",
    "now",
    "pending_requests",
    "read_status_history",
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
_RECORD_KEYS = ("at", "revision", "outcome", "code", "check", "saved", "problems", "more_saved", "languages")
_EMPTY_RUN: dict[str, Any] = {"at": "", "revision": None, "outcome": "", "code": None, "check": "", "saved": [], "problems": []}
_CHECKSUM = "sum"
"""The key of a run comment's checksum: over the rest of the comment's fields, as :func:`_mark` wrote them."""
_MARKED_PAGES = 50
"""Saved pages a run's comment lists (the rest are counted), so that ten runs of a large source stay small."""


@dataclass(frozen=True)
class Verdict:
    request: RebuildRequest
    requester: str | None
    sources: tuple[str, ...]
    """The source pages to rebuild; empty when declined."""
    declined: str = ""
    """Why the request is declined, in words; empty when accepted."""


def pending_requests(page: SourcePage | None) -> list[RebuildRequest]:
    if page is None:
        return []
    return [request for request in parse_requests(page.text) if not request.status]


def requesters(pending: Sequence[RebuildRequest], history: Sequence[Revision]) -> list[str | None]:
    """Who added each of ``pending`` (in page order): the author of the oldest of the latest revisions
    (``history``, newest first) that already had it. A revision has it when its own request templates
    include it, parsed as the wiki does, so the syntax shown in ``<nowiki>``, ``<pre>`` or a comment is
    no request. Each revision is parsed once, whatever the number of requests."""
    held = [Counter(r.wikitext for r in parse_requests(revision.text) if not r.status) for revision in history]
    authors = []
    for request, occurrence in zip(pending, _occurrences(pending)):
        author = None
        for revision, counts in zip(history, held):
            if counts[request.wikitext] <= occurrence:
                break
            author = revision.user
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
        return Verdict(request, None, (), "could not tell who added this request")
    blocked, confirmed = standing
    if blocked:
        return Verdict(request, author, (), f"{author} is blocked")
    if not confirmed:
        return Verdict(request, author, (), f"{author} is not autoconfirmed yet")
    if not request.source:
        return Verdict(request, author, tuple(known.values()))
    source = known.get(canonical(request.source) or "")
    if source is None:
        return Verdict(request, author, (), f"{request.source} is not a source page in wikisync's page map")
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
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def render_status(page_map: PageMap, records: Mapping[str, RunRecord], previous: str | None) -> tuple[str, int]:
    """The status page's text (without its fingerprint): per source, this run's record (``records``,
    source -> what its run did) on top of the runs that ``previous``, the page's current text, lists;
    and how many of the run records there it dropped, as failing their own checks."""
    history = read_status_history(previous)
    entries = []
    marks: list[str] = []
    for spec in page_map.sources:
        record = records.get(spec.page)
        runs = _with_run(history.runs.get(spec.page, []), record.as_dict() if record is not None else None)
        entries.append({"page": spec.page, "run": runs[0] if runs else {}, "runs": runs,
                        "last_change": next((run for run in runs if run.get("saved")), None)})
        marks.extend(_mark(spec.page, run) for run in runs)
    body = render_page(page_map.templates, STATUS_TEMPLATE, {"sources": entries, "request_page": page_map.request_page},
                       messages=page_map.messages)
    return body + ("\n" + "\n".join(marks) + "\n" if marks else ""), history.dropped


@dataclass(frozen=True)
class StatusHistory:
    runs: dict[str, list[dict]]
    """Source -> its runs, newest first."""
    dropped: int = 0
    """Run comments that failed their own checks (not JSON, a field of the wrong type, a checksum that does not fit)."""


def status_history(text: str | None) -> dict[str, list[dict]]:
    """The runs a status page records, per source, newest first (as :func:`render_status` wrote them)."""
    return read_status_history(text).runs


def read_status_history(text: str | None) -> StatusHistory:
    """:func:`status_history`, and how many run comments it dropped."""
    history: dict[str, list[dict]] = {}
    dropped = 0
    for found in _RUN_MARK.finditer(text or ""):
        try:
            data = json.loads(found.group(1))
        except ValueError:
            data = None
        if not isinstance(data, dict) or not _sound(data):
            dropped += 1  # a comment someone wrote or mangled: that run is forgotten, the others are kept
            continue
        source = data.pop("source")
        data.pop(_CHECKSUM)
        run = {**_EMPTY_RUN, **data}
        run["saved"] = [{"old": None, **page} for page in run["saved"]]
        history.setdefault(source, []).append(run)
    return StatusHistory(history, dropped)


def _sound(data: dict) -> bool:
    """Whether a run comment passes its own checks: its fields and their types are those :func:`_mark`
    writes, the pages it says were saved have titles that can stand, and its checksum fits the rest."""
    def number(value: object, empty: bool = True) -> bool:
        return (value is None and empty) or (isinstance(value, int) and not isinstance(value, bool))

    def text(value: object) -> bool:
        return isinstance(value, str)

    checks = {
        "source": text,  # only ever matched against the page map's sources
        _CHECKSUM: text,
        "at": text, "outcome": text, "check": text,
        "revision": number, "code": number,
        "more_saved": lambda v: number(v, empty=False) and v >= 0,
        "problems": lambda v: isinstance(v, list) and all(map(text, v)),
        "languages": lambda v: isinstance(v, list) and all(map(text, v)),
        "saved": lambda v: isinstance(v, list) and all(
            isinstance(page, dict) and {"title", "new"} <= set(page) <= {"title", "old", "new"}
            and text(page["title"]) and title_problem(page["title"]) is None
            and number(page["new"], empty=False) and number(page.get("old")) for page in v),
    }
    if not {"source", _CHECKSUM} <= set(data) or not set(data) <= set(checks):
        return False
    if not all(checks[key](value) for key, value in data.items()):
        return False
    return data[_CHECKSUM] == _checksum({key: value for key, value in data.items() if key != _CHECKSUM})


def _checksum(record: dict) -> str:
    canonical = json.dumps(record, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
    return hashlib.sha1(canonical.encode("ascii")).hexdigest()[:12]


def _with_run(runs: list[dict], record: dict | None) -> list[dict]:
    """``runs`` with ``record`` in front, unless it did nothing the newest does not already say: it saved
    nothing, at the same source revision, with the same check and exit code, and met no problem or the
    same ones (a refusal met again every quarter hour is one entry)."""
    if record:
        record = {key: record[key] for key in _RECORD_KEYS if key in record}
        top = runs[0] if runs else None
        repeat = (top is not None and not record.get("saved")
                  and all(top.get(key) == record.get(key) for key in ("revision", "code", "check", "languages"))
                  and (not record.get("problems") or record.get("problems") == top.get("problems")))
        if not repeat:
            runs = [record, *runs]
    return runs[:HISTORY]


def _mark(source: str, run: dict) -> str:
    """One run as a comment that the wiki does not show and that no text can close early."""
    saved = run.get("saved") or []
    if len(saved) > _MARKED_PAGES:
        run = {**run, "saved": saved[:_MARKED_PAGES], "more_saved": len(saved) - _MARKED_PAGES + run.get("more_saved", 0)}
    record = {"source": source, **run}
    data = json.dumps({**record, _CHECKSUM: _checksum(record)}, ensure_ascii=True, sort_keys=True, separators=(",", ":"))
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
