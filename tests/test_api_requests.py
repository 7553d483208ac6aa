"""What a run costs in API requests, against the dev wiki: the figures issue 11 holds wikisync to.

Requests are counted from the server's log (every api.php request); writes are the revisions the
bot made, read back from the wiki, and reads are the rest. The runs are in-process, after a warm-up
publish of another source, so Pywikibot's session is already there (login, edit token, site and
API-module information), as its saved cookie and cache make it for a scheduled run; a run in a
process of its own adds its userinfo check and, when it saves, the edit token (scripts/bench shows
both). The bounds are issue 11's, which hold either way.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest
from helpers import FIXTURE, THEMES, project_page_map, run_cli

pytestmark = pytest.mark.wiki


class Published:
    """A source with a request page and a status page, as the project's page map has them, published once."""

    def __init__(self, wiki, tmp_path: Path, name: str) -> None:
        self.wiki = wiki
        self.source = f"Requests/{name}/All-Hands summary report"
        self.status = f"Project:Requests/{name}/Status"
        self.map = project_page_map(tmp_path / "page_map.yaml", self.source,
                                    request_page=f"Project:Requests/{name}/Requests", status_page=self.status)
        self.targets = [f"{self.source}/Themes"] + [f"{self.source}/Themes/{theme}" for theme in THEMES]

    def counted(self, capsys, *extra: str) -> tuple[int, int, int]:
        """(exit code, reads, writes) of one sync run."""
        pages = self.targets + [self.status]
        before_revisions = self._revisions(pages)  # (these requests are not the run's: counted before it starts)
        before_requests = self.wiki.api_request_count()
        code, out = run_cli(capsys, self.map, *extra)
        used = self.wiki.api_request_count() - before_requests
        writes = sum(self._revisions(pages).values()) - sum(before_revisions.values())
        assert code == 0, out
        print(f"\n{self.source}: {used - writes} reads, {writes} writes")
        return code, used - writes, writes

    def _revisions(self, titles: list[str]) -> dict[str, int]:
        return {title: self.wiki.revision_count(title) for title in titles}


@pytest.fixture
def published(dev_wiki, tmp_path, request, capsys):
    (tmp_path / "warm-up").mkdir()
    warm = Published(dev_wiki, tmp_path / "warm-up", "warm-up")
    if dev_wiki.page_info(warm.source) is None:
        dev_wiki.edit_as("Editor", warm.source, FIXTURE, "report")
        assert run_cli(capsys, warm.map)[0] == 0
    name = re.sub(r"[\W_]+", "-", request.node.name)
    (tmp_path / name).mkdir()
    return Published(dev_wiki, tmp_path / name, name)


def test_a_first_publish_writes_each_page_once_and_reads_in_batches(published, capsys):
    published.wiki.edit_as("Editor", published.source, FIXTURE, "report")
    _, reads, writes = published.counted(capsys)
    assert writes == len(published.targets) + 1  # every page, and the status page
    assert reads <= math.ceil(len(published.targets) / 500) + 3, f"{reads} reads"


def test_a_no_op_costs_at_most_two_requests_after_login(published, capsys):
    published.wiki.edit_as("Editor", published.source, FIXTURE, "report")
    published.counted(capsys)
    _, reads, writes = published.counted(capsys)
    assert writes == 0
    # the source with the request and status pages, in one batch, then the targets' revisions, in one batch
    assert reads <= 2, f"{reads} requests"


def test_one_changed_theme_costs_one_write_and_at_most_five_reads(published, capsys):
    published.wiki.edit_as("Editor", published.source, FIXTURE, "report")
    published.counted(capsys)
    edited = FIXTURE.replace("* We should stand for anti-censorship.", "* We should stand against censorship.")
    published.wiki.edit_as("Editor", published.source, edited, "reword one comment")
    before = {title: published.wiki.revision_count(title) for title in published.targets}
    _, reads, writes = published.counted(capsys)
    changed = [title for title in published.targets if published.wiki.revision_count(title) != before[title]]
    assert changed == [f"{published.source}/Themes/Fight for Free Knowledge"]
    assert writes == 2  # that theme's page, and the status page saying so
    assert reads <= 5, f"{reads} reads"


def test_a_no_op_stays_at_two_requests_when_the_pages_outnumber_one_info_request(published, capsys, monkeypatch):
    """1,000 pages are more than one info request takes (500 titles); the source's subpages are then
    listed in one request instead. Shown here with the limit lowered to 5 titles for the 12 pages."""
    from wikisync.wiki import Wiki

    published.wiki.edit_as("Editor", published.source, FIXTURE, "report")
    published.counted(capsys)
    monkeypatch.setattr(Wiki, "titles_per_request", 5)
    _, reads, writes = published.counted(capsys)
    assert writes == 0
    assert reads <= 2, f"{reads} requests"


def test_a_dry_run_no_op_reads_the_request_and_status_pages_in_the_same_batch(published, capsys):
    """The dry run reads the request and status pages as the run does (to show what it would save
    there), in the sources' batch: a dry-run no-op costs what a no-op does."""
    published.wiki.edit_as("Editor", published.source, FIXTURE, "report")
    published.counted(capsys)
    _, reads, writes = published.counted(capsys, "--dry-run")
    assert writes == 0
    assert reads <= 2, f"{reads} requests"
