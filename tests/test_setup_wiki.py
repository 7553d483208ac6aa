"""``wikisync setup-wiki`` against the dev wiki: the request template and its documentation, the request
and status pages' headers, under the same ownership rules as every generated page."""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import FIXTURE, ROOT, project_page_map, run_cli

from wikisync.onwiki import split_header, status_history
from wikisync.shapes.requests import parse_requests

pytestmark = pytest.mark.wiki


class Site:
    def __init__(self, wiki, tmp_path, name: str) -> None:
        self.wiki = wiki
        self.source = f"Setup/{name}/All-Hands summary report"
        self.requests = f"Setup/{name}/Requests"
        self.status = f"Setup/{name}/Status"
        self.templates = tmp_path / "templates"
        shutil.copytree(ROOT / "templates", self.templates)
        self.map = project_page_map(tmp_path / "page_map.yaml", self.source, self.templates,
                                    request_page=self.requests, status_page=self.status)

    def run(self, capsys, *extra: str, command: str = "setup-wiki") -> tuple[int, str]:
        return run_cli(capsys, self.map, *extra, command=command)


@pytest.fixture
def site(dev_wiki, tmp_path, request):
    return Site(dev_wiki, tmp_path, re.sub(r"[\W_]+", "-", request.node.name))


def rendered(wiki, wikitext: str, title: str) -> str:
    return wiki.api(action="parse", text=wikitext, title=title, contentmodel="wikitext", prop="text",
                    disablelimitreport=1)["parse"]["text"]


def test_setup_creates_the_pages_then_leaves_them_alone(site, capsys):
    code, out = site.run(capsys, "--dry-run")
    assert code == 2, out
    assert f"--- create: {site.requests} (the request page's header)" in out
    assert "nothing saved" in out and site.wiki.page_text(site.requests) is None

    code, out = site.run(capsys)
    assert code == 0, out
    assert f"created {site.requests} (the request page's header" in out
    assert f"created {site.status} (the status page's header" in out
    header = site.wiki.page_text(site.requests)
    assert header.startswith("<!-- wikisync:begin header -->") and split_header(header)[1] == ""
    assert "{{wikisync request|SOURCE PAGE}}" in header
    assert parse_requests(header) == [], "the syntax the header shows is itself a request"
    for title in ("Template:Wikisync request", "Template:Wikisync request/doc"):
        assert site.wiki.page_info(title).user == "WikisyncBot"

    revisions = {t: site.wiki.revision_count(t) for t in (site.requests, site.status, "Template:Wikisync request")}
    code, out = site.run(capsys)
    assert code == 0 and f"unchanged {site.requests}" in out
    assert {t: site.wiki.revision_count(t) for t in revisions} == revisions


def test_the_request_template_shows_status_result_and_answer_time(site, capsys):
    assert site.run(capsys)[0] == 0
    waiting = rendered(site.wiki, "{{wikisync request|Some report}}", site.requests)
    assert "Rebuild request" in waiting and ">Some report</a>" in waiting and "waiting for wikisync" in waiting
    done = rendered(site.wiki, "{{wikisync request|Some report|status=done|result=saved 2 of 12|answered=12:00, 1 December 2026 (UTC)}}",
                    site.requests)
    assert "<b>done</b>" in done and "saved 2 of 12" in done and "(answered 12:00, 1 December 2026 (UTC))" in done
    assert "waiting" not in done
    every = rendered(site.wiki, "{{wikisync request|status=declined|result=Newcomer is not autoconfirmed yet}}", site.requests)
    assert "every source page" in every and "<b>declined</b>" in every and "Newcomer is not autoconfirmed yet" in every
    doc = rendered(site.wiki, "{{Template:Wikisync request/doc}}", "Template:Wikisync request/doc")
    assert "<b>failed</b>" in doc and "<table" in doc


def test_requests_below_the_header_are_answered_and_the_header_is_kept(site, capsys):
    site.wiki.edit_as("Editor", site.source, FIXTURE, "report")
    assert site.run(capsys)[0] == 0
    assert site.run(capsys, command="sync")[0] == 0
    header = site.wiki.page_text(site.requests)
    site.wiki.edit_as("Editor", site.requests, header + f"\n* {{{{wikisync request|{site.source}}}}} ~~~~", "asking")
    code, out = site.run(capsys, command="sync")
    assert code == 0, out
    after = site.wiki.page_text(site.requests)
    assert after.startswith(split_header(header)[0])
    assert "|status=done" in after and len(parse_requests(after)) == 1
    assert site.run(capsys)[0] == 0  # the header is still intact: no refusal, no edit
    assert site.wiki.page_text(site.requests) == after


def test_a_person_s_edit_to_a_header_is_refused_until_forced(site, capsys):
    site.wiki.edit_as("Editor", site.requests, "* An old request, answered long ago.", "an existing page")
    code, out = site.run(capsys)
    assert code == 0, out
    text = site.wiki.page_text(site.requests)
    assert text.startswith("<!-- wikisync:begin header -->") and text.endswith("* An old request, answered long ago.")

    site.wiki.edit_as("Editor", site.requests, text.replace("Rebuild requests for wikisync.", "Rebuild requests."), "reword")
    revisions = site.wiki.revision_count(site.requests)
    code, out = site.run(capsys)
    assert code == 1
    assert f"REFUSED {site.requests} (the request page's header): the region 'header' was edited by hand" in out
    assert "-'''Rebuild requests.'''" in out or "Rebuild requests." in out
    assert site.wiki.revision_count(site.requests) == revisions
    code, out = site.run(capsys, "--force", site.requests)
    assert code == 0, out
    restored = site.wiki.page_text(site.requests)
    assert "Rebuild requests for wikisync." in restored and restored.endswith("* An old request, answered long ago.")


def test_the_status_page_gets_a_header_and_sync_writes_below_it(site, capsys):
    site.wiki.edit_as("Editor", site.source, FIXTURE, "report")
    assert site.run(capsys, command="sync")[0] == 0
    body = site.wiki.page_text(site.status)
    code, out = site.run(capsys)
    assert code == 0 and f"updated {site.status} (the status page's header" in out
    with_header = site.wiki.page_text(site.status)
    header, rest = split_header(with_header)
    assert header and rest.strip() == body.strip()

    edited = FIXTURE.replace("* We are the ultimate proof", "* We are living proof")
    revision = site.wiki.edit_as("Editor", site.source, edited, "reword")
    code, out = site.run(capsys, command="sync")
    assert code == 0, out
    now = site.wiki.page_text(site.status)
    assert now.startswith(header)
    runs = status_history(now)[site.source]
    assert [run["revision"] for run in runs][:1] == [revision] and len(runs) == 2

    site.wiki.edit_as("Editor", site.status, now + "\nA person's note.", "note")
    site.wiki.edit_as("Editor", site.source, FIXTURE, "revert")
    code, out = site.run(capsys, command="sync")
    assert f"status page {site.status} was edited by Editor since wikisync wrote it; not overwritten" in out
    assert site.wiki.page_text(site.status).endswith("A person's note.")


def test_a_request_page_that_is_a_redirect_is_left_alone(site, capsys):
    """As sync has it: a redirect is no request page; its text is not replaced, and setup-wiki fails."""
    site.wiki.edit_as("Editor", site.requests, "#REDIRECT [[Project:Elsewhere]]", "moved")
    revision = site.wiki.page_info(site.requests).revid
    for extra in (["--dry-run"], []):
        code, out = site.run(capsys, *extra)
        assert code == 1, out
        lines = [line for line in out.splitlines() if line.startswith(("request page", "---", "updated", "created"))
                 and f"{site.requests} " in line]
        assert lines == [f"request page {site.requests} is a redirect; not written (point request_page in "
                         f"page_map.yaml at the page itself)"], out
        assert site.wiki.page_info(site.requests).revid == revision
    assert site.wiki.page_text(site.status) is not None  # the other pages are set up
