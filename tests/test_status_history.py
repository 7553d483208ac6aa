"""The status page keeps the last ten runs that did something, read back from the page itself."""

from __future__ import annotations

import re
import shutil

import pytest
from helpers import FIXTURE, ROOT, project_page_map, run_cli

from wikisync.onwiki import HISTORY, read_status_history, status_history

pytestmark = pytest.mark.wiki


@pytest.fixture
def site(dev_wiki, tmp_path, request):
    name = re.sub(r"[\W_]+", "-", request.node.name)
    source, status = f"History/{name}/All-Hands summary report", f"History/{name}/Status"
    templates = tmp_path / "templates"
    shutil.copytree(ROOT / "templates", templates)
    page_map = project_page_map(tmp_path / "page_map.yaml", source, templates, status_page=status)
    return dev_wiki, source, status, page_map, tmp_path / ".wikisync"


def test_a_run_that_only_met_a_refusal_adds_an_entry_and_keeps_what_the_last_one_changed(site, capsys):
    wiki, source, status, page_map, state_dir = site
    wiki.edit_as("Editor", source, FIXTURE, "report")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    first = wiki.page_text(status)
    assert first.count("created, [[Special:PermanentLink/") == 12

    # a person edits a generated page; the report changes that theme; the local state is lost
    theme = f"{source}/Themes/Kindness"
    wiki.edit_as("Editor", theme, wiki.page_text(theme) + "\nA reader's note.", "note")
    edited = FIXTURE.replace("* We are the ultimate proof", "* We are living proof")
    wiki.edit_as("Editor", source, edited, "reword")
    shutil.rmtree(state_dir)
    code, out = run_cli(capsys, page_map)
    assert code == 1 and f"REFUSED {theme}" in out, out

    text = wiki.page_text(status)
    runs = status_history(text)[source]
    assert len(runs) == 2
    newest, before = runs
    assert newest["saved"] == [] and any(theme in problem for problem in newest["problems"])
    assert len(before["saved"]) == 12 and before["revision"] < newest["revision"]
    # what the page shows: the refusal on top, and the earlier run's changes still linked below it
    top, _, earlier = text.partition("=== Earlier runs ===")
    assert "Changed: nothing in this run; the last run that changed pages was on" in top
    assert "* Problem: " in top and theme in top
    assert earlier.count("created, [[Special:PermanentLink/") == 12

    # the same refusal met again is no new entry, and no edit
    revisions = wiki.revision_count(status)
    code, out = run_cli(capsys, page_map)
    assert code == 1
    assert wiki.revision_count(status) == revisions
    assert len(status_history(wiki.page_text(status))[source]) == 2


def test_the_status_page_keeps_the_last_ten_runs_newest_first(site, capsys):
    wiki, source, status, page_map, state_dir = site
    revisions = []
    for number in range(HISTORY + 2):
        text = FIXTURE.replace("* We are the ultimate proof", f"* We are the ultimate proof, take {number}")
        revisions.append(wiki.edit_as("Editor", source, text, f"take {number}"))
        if number % 4 == 3:
            shutil.rmtree(state_dir, ignore_errors=True)  # as on a fresh Toolforge container
        code, out = run_cli(capsys, page_map, "--quiet")
        assert code == 0, out
    runs = status_history(wiki.page_text(status))[source]
    assert [run["revision"] for run in runs] == revisions[::-1][:HISTORY]
    assert all(run["saved"] for run in runs)
    assert wiki.page_text(status).count("<!-- wikisync:run ") == HISTORY


def test_run_comments_survive_any_text_and_list_at_most_fifty_pages():
    from wikisync.onwiki import _mark

    nasty = "a --> b <!-- c -- > }} {{"
    run = {"at": "now", "revision": 3, "problems": [nasty], "saved": [{"title": f"P{i}", "old": i, "new": i + 1} for i in range(60)]}
    mark = _mark(nasty, run)
    assert mark.count("-->") == 1 and mark.endswith(" -->") and "<!--" not in mark[4:]
    (back,) = status_history(f"before\n{mark}\nafter")[nasty]
    assert back["problems"] == [nasty] and len(back["saved"]) == 50 and back["more_saved"] == 10
    assert status_history("<!-- wikisync:run {not json} -->") == {}
    # a record that is not as _mark wrote it (a field of the wrong type, no checksum or one that does not fit) is dropped
    junk = '<!-- wikisync:run {"source": "S", "saved": [{"title": "T", "new": 5}, "junk"]} -->'
    unsummed = '<!-- wikisync:run {"source": "S", "saved": [{"title": "T", "new": 5}]} -->'
    altered = _mark("S", {"at": "now", "saved": [{"title": "T", "old": None, "new": 5}]}).replace('"new":5', '"new":6')
    summed = _mark("S", {"at": "now", "saved": [{"title": "T", "new": 5}]})
    history = read_status_history("\n".join((junk, unsummed, altered, summed)))
    assert history.dropped == 3
    (kept,) = history.runs["S"]
    assert kept["saved"] == [{"old": None, "title": "T", "new": 5}] and kept["problems"] == [] and kept["at"] == "now"


def test_run_records_read_back_from_the_page_are_data_and_a_forged_one_is_dropped(site, capsys):
    """A person may write run comments on the status page (and put its fingerprint right): what they
    hold is shown as text, never as live markup, and a record that fails its own checks is dropped."""
    from wikisync.onwiki import _mark
    from wikisync.ownership import stamp, unstamped

    wiki, source, status, page_map, _ = site
    wiki.edit_as("Editor", source, FIXTURE, "report")
    assert run_cli(capsys, page_map)[0] == 0
    # well-formed, with a checksum that fits: kept, as data
    plausible = _mark(source, {"at": "[[Category:Forged at]]", "revision": 1, "outcome": "{{SITENAME}} [[Category:Forged outcome]]",
                               "code": 0, "check": "", "saved": [], "problems": ["[[Category:Forged problem]]"]})
    # written by hand: no checksum, and a "title" that closes the link around it
    by_hand = (f'<!-- wikisync:run {{"source": "{source}", "at": "2020-01-01 00:00 UTC", "revision": 2, '
               '"saved": [{"title": "Sandbox]] [[Category:Forged title", "old": null, "new": 1}]} -->')
    forged = stamp(unstamped(wiki.page_text(status)) + f"\n{plausible}\n{by_hand}\n")
    wiki.edit_as("Editor", status, forged, "forged run records")

    edited = FIXTURE.replace("* We are the ultimate proof", "* We are living proof")
    wiki.edit_as("Editor", source, edited, "reword")
    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    dropped = [line for line in out.splitlines() if "run record" in line]
    assert dropped == [f"status page {status}: 1 run record(s) dropped: not as wikisync wrote them "
                       "(a field's type or the checksum does not fit: edited by hand?)"], out
    text = wiki.page_text(status)
    runs = status_history(text)[source]
    assert [run["at"] for run in runs][1:] == [runs[1]["at"], "[[Category:Forged at]]"]
    categories = wiki.api(action="parse", page=status, prop="categories|templates")["parse"]
    assert categories["categories"] == [] and categories["templates"] == [], categories
