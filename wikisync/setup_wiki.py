"""``wikisync setup-wiki``: create on the wiki what editors need, from the files in ``templates/setup/``.

* ``Template:Wikisync request`` (the request template, rendering status, result and answer time) and
  its ``/doc`` page: whole pages, planned like every generated page (:func:`wikisync.plan.plan`);
* the request page's and the status page's header: the region ``header`` at the top of each page
  (:data:`wikisync.onwiki.HEADER_REGION`), every byte below it kept. A missing page is created with
  the header alone; an existing page without the region gets it put in front of its text; a redirect
  is left alone (one line, exit 1), as sync leaves it.

Every text carries its fingerprint (:mod:`wikisync.ownership`), so a person's edit to any of them is
refused (``REFUSED``, with the diff) until ``--force PAGE``; an unchanged one is no edit; ``--dry-run``
shows the diffs and saves nothing.
"""

from __future__ import annotations

from pathlib import Path

from .claims import Claims
from .config import PageMap
from .errors import ConfigError
from .model import PageState
from .onwiki import HEADER_REGION
from .ownership import stamp
from .pages import DesiredPage
from .plan import Action, Change, plan, region_markers, region_text
from .render import render_page
from .shapes.requests import REQUEST_TEMPLATE
from .sync import EXIT_ERROR, EXIT_OK, EXIT_PENDING, Output
from .wiki import Wiki

__all__ = ["SETUP_FOLDER", "setup_wiki"]

SETUP_FOLDER = "setup"
"""Where the set-up pages' templates are, inside the page map's templates folder."""
_SUMMARY = "Bot: wikisync set-up ({what})"


def _desired(page_map: PageMap, wiki: Wiki) -> list[tuple[DesiredPage, str]]:
    """(page, what it is) for every set-up page, rendered from templates/setup/."""
    template_page = wiki.canonical_title(f"Template:{REQUEST_TEMPLATE}") or f"Template:{REQUEST_TEMPLATE}"
    doc_page = f"{template_page}/doc"
    context = {
        "template": REQUEST_TEMPLATE,
        "template_page": template_page,
        "doc_page": doc_page,
        "request_page": page_map.request_page,
        "status_page": page_map.status_page,
        "sources": [spec.page for spec in page_map.sources],
    }
    wanted: list[tuple[str, str, str | None, str]] = [
        (template_page, "request-template.wiki.j2", None, "the request template"),
        (doc_page, "request-template-doc.wiki.j2", None, "the request template's documentation")]
    if page_map.request_page:
        wanted.append((page_map.request_page, "request-header.wiki.j2", HEADER_REGION, "the request page's header"))
    if page_map.status_page:
        wanted.append((page_map.status_page, "status-header.wiki.j2", HEADER_REGION, "the status page's header"))
    folder = Path(page_map.templates) / SETUP_FOLDER
    pages = []
    for title, name, region, what in wanted:
        if not (folder / name).is_file():
            raise ConfigError(f"{folder / name}: missing; setup-wiki renders {what} from it")
        text = render_page(page_map.templates, f"{SETUP_FOLDER}/{name}", context, messages=page_map.messages)
        pages.append((DesiredPage(wiki.canonical_title(title) or title, text, name, region), what))
    return pages


def _change(page: DesiredPage, now: PageState, forced: bool) -> Change:
    """The plan for one set-up page; a header on a page that lacks it goes in front of the page's text."""
    if page.region and (now.text is None or region_text(now.text, page.region) is None):
        begin, end = region_markers(page.region)
        if now.text is not None and (begin in now.text or end in now.text):
            return plan({page.title: now}, [page], force_all=forced).changes[0]  # broken markers: plan says why
        header = f"{begin}\n{stamp(page.text.strip())}\n{end}\n"
        if now.text is None:
            return Change(page.title, Action.CREATE, None, header)
        if not now.bots_allowed:
            return Change(page.title, Action.EXCLUDED, now.text, header + now.text, "the page excludes this bot", now.revision)
        return Change(page.title, Action.UPDATE, now.text, header + "\n" + now.text.lstrip("\n"),
                      "its header goes in front of the page's text, which is kept", now.revision)
    return plan({page.title: now}, [page], force_all=forced).changes[0]


def setup_wiki(page_map: PageMap, wiki: Wiki, out: Output, *, dry_run: bool = False,
               force_pages: frozenset[str] = frozenset(), force_all: bool = False) -> int:
    Claims.of_page_map(page_map, wiki.canonical_title, wiki.title_problem)  # its titles, as the wiki takes them
    pages = _desired(page_map, wiki)
    current = wiki.read_pages([page.title for page, _ in pages])
    forced = {wiki.canonical_title(title) or title for title in force_pages}
    settings = {wiki.canonical_title(title) or title: name for name, title in
                (("request_page", page_map.request_page), ("status_page", page_map.status_page)) if title}
    codes = []
    for page, what in pages:
        now = current.get(page.title) or PageState(None)
        if page.region and now.redirect:
            # as sync has it: a redirect is not the page it names, and its header is not put in front of it
            setting = settings.get(page.title, "")
            out.line(f"{setting.replace('_', ' ')} {page.title} is a redirect; not written (point {setting} in "
                     f"{page_map.path.name} at the page itself)")
            codes.append(EXIT_ERROR)
            continue
        change = _change(page, now, force_all or page.title in forced)
        if change.action is Action.UNCHANGED:
            out.detail(f"unchanged {page.title} ({what})")
        elif change.action is Action.HUMAN_EDIT:
            out.line(f"REFUSED {page.title} ({what}): {change.reason}")
            out.diff(change.diff())
            codes.append(EXIT_ERROR)
        elif change.action in (Action.INVALID, Action.EXCLUDED):
            out.line(f"{'INVALID' if change.action is Action.INVALID else 'skipped'} {page.title} ({what}): {change.reason}")
            codes.append(EXIT_ERROR if change.action is Action.INVALID else EXIT_OK)
        elif dry_run:
            out.line(f"--- {change.action.value}: {page.title} ({what}){': ' + change.reason if change.reason else ''}")
            out.diff(change.diff())
            codes.append(EXIT_PENDING)
        else:
            result = wiki.save(page.title, change.new, _SUMMARY.format(what=what), now)
            if result.ok:
                verb = "created" if change.action is Action.CREATE else "updated"
                out.line(f"{verb} {page.title} ({what}, revision {result.revision}) {wiki.url(page.title)}")
            else:
                out.line(f"FAILED {page.title} ({what}): {result.reason}")
                codes.append(EXIT_ERROR)
    pending = codes.count(EXIT_PENDING)
    if dry_run:
        out.line(f"setup-wiki: dry run: {pending} of {len(pages)} pages to write; nothing saved")
    elif EXIT_ERROR not in codes:
        out.detail(f"setup-wiki: {len(pages)} pages in place")
    if EXIT_ERROR in codes:
        return EXIT_ERROR
    return EXIT_PENDING if pending else EXIT_OK
