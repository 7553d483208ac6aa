"""Safe publishing against the real dev wiki (see conftest.py), with `Editor` playing the human.

Edit conflicts, human edits to generated pages, regions of hand-written pages, the
destructive-change guard, {{bots}}/{{nobots}}, per-page failures, state and no-op runs, a run
killed part-way, overlapping runs, markup that must stay text through the real parser, and titles.

Where timing must be forced, a subclass of :class:`wikisync.wiki.Wiki` acts just before a save, or
just after save()'s own last look at the page (a human edit, a deletion, stopping the server);
everything else goes through the CLI in-process.
"""

from __future__ import annotations

import html
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURE, ROOT, run_cli

pytestmark = pytest.mark.wiki

BOT = "WikisyncBot"
BEGIN, END = "<!-- wikisync:begin themes -->", "<!-- wikisync:end themes -->"
PAGES = [
    {"title": "{source}/Themes", "template": "overview.wiki.j2"},
    {"title": "{source}/Themes/{theme}", "template": "theme.wiki.j2", "each": "theme"},
]


def theme(name: str, comments: int | list[str] = 2, summary: str | None = None) -> tuple[str, str, list[str]]:
    if isinstance(comments, int):
        comments = [f"{name} comment {i}." for i in range(1, comments + 1)]
    return name, summary or f"What {name} is about.", comments


def make_source(themes) -> str:
    """A report in the shape the parser knows: Key Themes, one section per theme, its comments."""
    lines = ["Notes from a meeting.", "", "== Key Themes ==", "", "Some key themes emerged.", ""]
    for name, summary, comments in themes:
        lines += [f"=== {name} ===", "", summary, "", "''What we heard:''", *(f"* {c}" for c in comments), ""]
    return "\n".join(lines)


class Case:
    """One isolated source page on the dev wiki with a page map of its own."""

    def __init__(self, wiki, tmp_path: Path, name: str, targets=None, guard=None) -> None:
        self.wiki = wiki
        self.source = f"Safety/{name}/Report"
        self.map = tmp_path / "page_map.yaml"
        self.write_map(targets or PAGES, guard)

    def write_map(self, targets, guard=None) -> None:
        source = {"page": self.source, "targets": targets}
        if guard:
            source["guard"] = guard
        data = {"templates": str(ROOT / "templates"), "sources": [source]}
        self.map.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    @property
    def state_dir(self) -> Path:
        return self.map.parent / ".wikisync"

    @property
    def overview(self) -> str:
        return f"{self.source}/Themes"

    def page(self, name: str) -> str:
        return f"{self.source}/Themes/{name}"

    def titles(self, names) -> list[str]:
        return [self.overview] + [self.page(n) for n in names]

    def write(self, themes, summary: str = "report edit") -> int:
        text = themes if isinstance(themes, str) else make_source(themes)
        return self.wiki.edit_as("Editor", self.source, text, summary)

    def sync(self, capsys, *extra: str, command: str = "sync") -> tuple[int, str]:
        return run_cli(capsys, self.map, *extra, command=command)

    def run_with(self, wiki_class, **options) -> tuple[int, str]:
        """sync() in-process through a Wiki subclass (a test seam for timing)."""
        from wikisync.config import load_page_map
        from wikisync.sync import Options, Output, sync
        from wikisync.wiki import connect

        stream = io.StringIO()
        code = sync(load_page_map(self.map), wiki_class(connect().site), Options(**options),
                    Output(stream=stream, verbose=True))
        return code, stream.getvalue()

    def publish(self) -> None:
        from wikisync.wiki import Wiki

        code, out = self.run_with(Wiki)
        assert code == 0, out

    def revisions(self, titles) -> dict[str, int]:
        return {title: self.wiki.revision_count(title) for title in titles}

    def history(self, title: str) -> list[str]:
        """Users of every revision of a page, oldest first."""
        body = self.wiki.api(action="query", prop="revisions", titles=title, rvprop="user",
                             rvlimit="max", rvdir="newer")
        return [r["user"] for r in body["query"]["pages"][0].get("revisions", [])]

    def state(self) -> dict:
        return json.loads((self.state_dir / "state.json").read_text(encoding="utf-8"))

    def state_revision(self) -> int | None:
        entries = [e for key, e in self.state()["sources"].items() if key.endswith(" " + self.source)]
        assert len(entries) == 1
        return entries[0]["revision"]


@pytest.fixture
def case(dev_wiki, tmp_path, request):
    return Case(dev_wiki, tmp_path, re.sub(r"[\W_]+", "-", request.node.name))


def before_save(action):
    """A Wiki whose save() first calls ``action(title, number_of_this_save)``."""
    from wikisync.wiki import Wiki

    class Seam(Wiki):
        saves = 0

        def save(self, title, text, summary, base=None, content_model="wikitext"):
            Seam.saves += 1
            action(title, Seam.saves)
            return super().save(title, text, summary, base, content_model)

    return Seam


def admin_action(dev_wiki, action: str, **params) -> None:
    """An API write action as Admin (through the fixture's logged-in session)."""
    session = dev_wiki._session("Admin")
    token = dev_wiki.api(session, action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
    dev_wiki.api(session, "POST", action=action, token=token, **params)


def lines_with(out: str, start: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(start)]


def summary_line(out: str, case: Case) -> str:
    found = [line for line in out.splitlines() if line.startswith(f"{case.source}: revision ")]
    assert len(found) == 1, out
    return found[0]


# -- 1. edit conflicts --------------------------------------------------------------------------


def test_a_page_edited_between_read_and_save_is_not_overwritten(case):
    names = ["Alpha", "Beta", "Gamma"]
    case.write([theme(n) for n in names])
    case.publish()
    time.sleep(1.1)  # a human edit in the same second as the bot's revision is the last-moment test's case
    alpha, beta = case.page("Alpha"), case.page("Beta")
    human = "Editor rewrote this page by hand."

    def human_edit(title, n):
        if title == alpha:
            case.wiki.edit_as("Editor", alpha, human, "my own words")

    case.write([theme("Alpha", 3), theme("Beta", 3), theme("Gamma")], "one more comment each")
    code, out = case.run_with(before_save(human_edit))
    assert code == 1, out
    assert case.wiki.page_text(alpha) == human
    assert case.wiki.page_info(alpha).user == "Editor"
    assert f"FAILED {alpha}: edit conflict: Editor edited the page after wikisync read it; not overwritten" in out
    assert "Beta comment 3." in case.wiki.page_text(beta)
    assert case.wiki.page_info(beta).user == BOT
    assert "1 failed" in summary_line(out, case)


def test_a_page_created_by_someone_else_between_read_and_save_is_not_overwritten(case):
    alpha, beta = case.page("Alpha"), case.page("Beta")
    human = "Editor got here first."

    def human_creation(title, n):
        if title == alpha:
            case.wiki.edit_as("Editor", alpha, human, "created by hand")

    case.write([theme("Alpha"), theme("Beta")])
    code, out = case.run_with(before_save(human_creation))
    assert code == 1, out
    assert case.wiki.page_text(alpha) == human
    assert case.history(alpha) == ["Editor"]
    assert f"FAILED {alpha}: edit conflict: Editor created the page after wikisync read it; not overwritten" in out
    assert case.history(beta) == [BOT] and case.history(case.overview) == [BOT]


def test_a_page_deleted_between_read_and_save_is_not_recreated(case):
    case.write([theme("Alpha"), theme("Beta")])
    case.publish()
    alpha = case.page("Alpha")

    def deletion(title, n):
        if title == alpha:
            admin_action(case.wiki, "delete", title=alpha, reason="not wanted")

    case.write([theme("Alpha", 3), theme("Beta", 3)])
    code, out = case.run_with(before_save(deletion))
    assert code == 1, out
    assert f"FAILED {alpha}: edit conflict: the page was deleted after wikisync read it; not recreated" in out
    assert case.wiki.page_text(alpha) is None
    assert "Beta comment 3." in case.wiki.page_text(case.page("Beta"))


@pytest.mark.parametrize("kind", ["same-second", "merge", "conflict"])
def test_an_edit_landing_in_the_last_moment_is_not_overwritten_or_merged(case, kind):
    """The human edit comes after wikisync read the page, just before its edit is sent. MediaWiki
    then either refuses (conflict), merges (the edits touch different lines) or, when the human
    edit falls in the same second as the revision wikisync read, does not notice at all and saves
    over it: in those last two cases the edit's answer names another base revision, and wikisync
    undoes its edit at once."""
    case.write([theme("Alpha", ["First.", "Second.", "Third."], "Alpha summary."), theme("Beta")])
    case.publish()
    alpha = case.page("Alpha")
    published = case.wiki.page_text(alpha)
    old = "Third." if kind == "conflict" else "Alpha summary."  # the bot changes "Third."
    human = published.replace(old, old[:-1] + ", touched by hand.")
    human_revision = []
    if kind != "same-second":
        time.sleep(1.1)  # MediaWiki's conflict check compares timestamps, in seconds

    def last_moment_edit(title, n):
        if title == alpha and not human_revision:
            human_revision.append(case.wiki.edit_as("Editor", alpha, human, "small fix"))

    case.write([theme("Alpha", ["First.", "Second.", "Third, reworded."], "Alpha summary."), theme("Beta")])
    code, out = case.run_with(before_save(last_moment_edit))
    assert code == 1, out
    assert f"FAILED {alpha}: edit conflict: Editor edited the page" in out
    assert case.wiki.page_text(alpha) == human
    if kind == "conflict":  # the wiki refused the edit itself
        assert case.wiki.page_info(alpha).revid == human_revision[0]
    else:  # the wiki took it; wikisync undid it at once
        assert "wikisync undid it, so the page is as Editor left it" in out
        assert case.history(alpha)[-3:] == ["Editor", BOT, BOT]


# -- 2. human edits to generated pages ----------------------------------------------------------


def test_a_human_edit_to_a_generated_page_is_refused_until_forced(case, capsys):
    names = ["Alpha", "Beta", "Gamma"]
    case.write([theme(n) for n in names])
    assert case.sync(capsys)[0] == 0
    alpha, beta, titles = case.page("Alpha"), case.page("Beta"), case.titles(names)
    bot_revision = case.wiki.page_info(alpha).revid
    human_revision = case.wiki.edit_as("Editor", alpha, case.wiki.page_text(alpha) + "\nA note added by hand.", "a note")
    human = case.wiki.page_text(alpha)

    def refused(out: str) -> None:
        assert f"REFUSED {alpha}: last edited by Editor" in out
        assert "+A note added by hand." in out  # the human's change, as a diff
        assert f"{case.wiki.url}/index.php/Special:Diff/{bot_revision}/{human_revision}" in out
        assert case.wiki.page_text(alpha) == human

    before = case.revisions(titles)
    code, out = case.sync(capsys, command="rebuild")  # no source change
    assert code == 1, out
    refused(out)
    assert case.revisions(titles) == before

    case.write([theme("Alpha", 3), theme("Beta", 3), theme("Gamma")], "a comment more for Alpha and Beta")
    code, out = case.sync(capsys)
    assert code == 1, out
    refused(out)
    assert "Beta comment 3." in case.wiki.page_text(beta) and case.wiki.page_info(beta).user == BOT
    assert case.wiki.page_info(case.overview).user == BOT
    assert case.revisions(titles)[case.page("Gamma")] == before[case.page("Gamma")]
    assert "1 refused" in summary_line(out, case)

    code, out = case.sync(capsys, "--force", alpha)
    assert code == 0, out
    assert case.wiki.page_info(alpha).user == BOT
    assert "Alpha comment 3." in case.wiki.page_text(alpha)
    assert "A note added by hand." not in case.wiki.page_text(alpha)

    for title in (alpha, beta):
        case.wiki.edit_as("Editor", title, case.wiki.page_text(title) + "\nAnother note.", "again")
    code, out = case.sync(capsys, "--force-all", command="rebuild")
    assert code == 0, out
    for title in (alpha, beta):
        assert case.wiki.page_info(title).user == BOT
        assert "Another note." not in case.wiki.page_text(title)


# -- 3. regions of hand-written pages -----------------------------------------------------------

REGION_TARGET = {"title": "{source}/Digest", "template": "overview.wiki.j2", "region": "themes"}


def test_a_region_is_replaced_and_every_other_byte_kept(dev_wiki, tmp_path, capsys):
    case = Case(dev_wiki, tmp_path, "region", [REGION_TARGET])
    digest = f"{case.source}/Digest"
    before_region = "Hand-written intro with ''markup'', {{Some template}} and  double  spaces.\n\n"
    after_region = "\n\n== Hand-written ==\nFooter [[Link|text]] \u00e9 <ref>x</ref>\n[[Category:Digests]]"
    case.wiki.edit_as("Editor", digest, f"{before_region}{BEGIN}\nMy own notes.\n{END}{after_region}", "digest page")
    case.write([theme("Alpha"), theme("Beta")])

    # words a person left between the markers are theirs: refused until they empty the region
    code, out = case.sync(capsys)
    assert code == 1 and f"REFUSED {digest}: the region 'themes' holds text wikisync did not write" in out, out
    assert "My own notes." in case.wiki.page_text(digest)
    case.wiki.edit_as("Editor", digest, f"{before_region}{BEGIN}\n{END}{after_region}", "hand the region over")

    code, out = case.sync(capsys)
    assert code == 0, out
    text = case.wiki.page_text(digest)
    assert text.startswith(before_region + BEGIN + "\n") and text.endswith("\n" + END + after_region)
    inside = text[len(before_region + BEGIN):-len(END + after_region)]
    assert "\n| Alpha\n" in inside and "\n| Beta\n" in inside
    assert case.wiki.page_info(digest).user == BOT

    # a hand edit outside the region is the page owner's business: kept, not a conflict
    footer = after_region.replace("Footer", "Footer, edited")
    case.wiki.edit_as("Editor", digest, text.replace(after_region, footer), "edit the footer")
    case.write([theme("Alpha"), theme("Beta"), theme("Gamma")])
    code, out = case.sync(capsys)
    assert code == 0, out
    text = case.wiki.page_text(digest)
    assert text.startswith(before_region + BEGIN + "\n") and text.endswith("\n" + END + footer)
    assert "\n| Gamma\n" in text

    # a hand edit inside the region is refused
    case.wiki.edit_as("Editor", digest, text.replace("\n| Gamma\n", "\n| Gamma (hand-edited)\n"), "edit the region")
    case.write([theme("Alpha"), theme("Beta"), theme("Gamma", 3)])
    count = dev_wiki.revision_count(digest)
    code, out = case.sync(capsys)
    assert code == 1, out
    assert f"REFUSED {digest}: the region 'themes' was edited by hand" in out
    assert dev_wiki.revision_count(digest) == count


def test_broken_region_markers_are_clear_errors_and_nothing_is_edited(dev_wiki, tmp_path, capsys):
    pages = {
        "Good": f"Intro.\n{BEGIN}\n{END}\nOutro.",
        "Missing": "A page with no markers at all.",
        "Duplicated": f"{BEGIN}\n{END}\nand again\n{BEGIN}\n{END}",
        "Reversed": f"Intro.\n{END}\nmiddle\n{BEGIN}\nOutro.",
    }
    targets = [{**REGION_TARGET, "title": "{source}/" + name, "name": name.lower()} for name in [*pages, "Absent"]]
    case = Case(dev_wiki, tmp_path, "markers", targets)
    for name, text in pages.items():
        dev_wiki.edit_as("Editor", f"{case.source}/{name}", text, "hand-written")
    case.write([theme("Alpha")])
    titles = [f"{case.source}/{name}" for name in [*pages, "Absent"]]
    before = case.revisions(titles)

    code, out = case.sync(capsys)
    assert code == 1, out
    assert f"INVALID {case.source}/Missing: no region markers: add {BEGIN} and {END}" in out
    assert f"INVALID {case.source}/Duplicated: region markers must appear once each; found 2 × {BEGIN} and 2 × {END}" in out
    assert f"INVALID {case.source}/Reversed: {END} comes before {BEGIN}" in out
    assert f"INVALID {case.source}/Absent: region 'themes' needs an existing page" in out
    after = case.revisions(titles)
    assert after[f"{case.source}/Good"] == before[f"{case.source}/Good"] + 1
    assert {t: after[t] for t in titles[1:]} == {t: before[t] for t in titles[1:]}
    assert "4 refused" in summary_line(out, case)


# -- 4. the destructive-change guard ------------------------------------------------------------

SIX = [theme(name, 3) for name in ["Alpha", "Beta", "Gamma", "Delta", "Epsilon", "Zeta"]]


def test_a_blanked_or_gutted_source_is_held_back_until_forced(case, capsys):
    case.write(SIX)
    assert case.sync(capsys)[0] == 0
    titles = case.titles(name for name, _, _ in SIX)
    before = case.revisions(titles)

    for text in [
        "",  # blanked: not a report at all, which the checker stops too
        "Vandalised.\n\n== Key Themes ==\n\n=== Alpha ===\n\nAlpha.\n",  # a few lines left
        make_source(SIX[:3]),  # half the themes deleted
    ]:
        case.write(text, "vandalism")
        code, out = case.sync(capsys)
        assert code == 1, out
        assert "held back" in out, out
        assert case.revisions(titles) == before, text
    assert "the source now has 3 themes, down from 6 when last published" in out
    assert "the source now has 9 comments, down from 18 when last published" in out

    code, out = case.sync(capsys, "--force")
    assert code == 0, out
    assert "destructive-change guard overridden by --force" in out
    assert case.wiki.page_text(case.overview).count("\n|-") == 3


def test_a_blanked_source_is_said_to_be_held_back_as_destructive(case, capsys):
    case.write(SIX)
    assert case.sync(capsys)[0] == 0
    case.write("", "blanked")
    code, out = case.sync(capsys)
    assert code == 1, out
    assert f"{case.source}: held back, this looks destructive" in out
    assert "the source now has 0 themes, down from 6 when last published" in out


def test_a_guard_threshold_in_the_page_map_lets_a_smaller_loss_through(case, capsys):
    themes = [theme(name, 3) for name in ["Alpha", "Beta", "Gamma", "Delta", "Epsilon"]]
    themes += [theme(name, 0) for name in ["Eta", "Theta", "Iota", "Kappa", "Lambda"]]  # no comments
    case.write(themes)
    assert case.sync(capsys)[0] == 0
    case.write(themes[:6], "drop four themes that have no comments")  # 40 % of the themes, no comment
    code, out = case.sync(capsys)
    assert code == 1 and "held back" in out and "down from 10" in out, out

    case.write_map(PAGES, guard={"max_theme_loss": 0.9})
    code, out = case.sync(capsys)
    assert code == 0, out
    assert "held back" not in out
    assert case.wiki.page_text(case.overview).count("\n|-") == 6


# -- 5. {{bots}} and {{nobots}} -----------------------------------------------------------------


def test_pages_that_exclude_the_bot_are_skipped_and_the_others_saved(case, capsys):
    names = ["Alpha", "Beta", "Gamma"]
    case.write([theme(n) for n in names])
    assert case.sync(capsys)[0] == 0
    for name, mark in [("Alpha", "{{nobots}}"), ("Beta", "{{bots|deny=WikisyncBot}}")]:
        title = case.page(name)
        case.wiki.edit_as("Editor", title, case.wiki.page_text(title) + "\n" + mark, "keep bots away")
    before = case.revisions(case.titles(names))
    case.write([theme(n, 3) for n in names], "a comment more each")
    code, out = case.sync(capsys)
    for name in ("Alpha", "Beta"):
        assert f"skipped {case.page(name)}: the page excludes this bot" in out
    after = case.revisions(case.titles(names))
    assert after[case.page("Alpha")] == before[case.page("Alpha")]
    assert after[case.page("Beta")] == before[case.page("Beta")]
    assert "Gamma comment 3." in case.wiki.page_text(case.page("Gamma"))
    assert case.wiki.page_info(case.overview).user == BOT and after[case.overview] == before[case.overview] + 1
    assert code == 0, out  # skipping a page its editors closed to bots is not a failure


# -- 6. per-page failures -----------------------------------------------------------------------


def protect(dev_wiki, title: str, protections: str) -> None:
    admin_action(dev_wiki, "protect", title=title, protections=protections, expiry="infinite", reason="test")


def test_a_protected_page_fails_with_the_wikis_reason_and_the_others_are_saved(case, capsys):
    names = ["Alpha", "Beta", "Gamma"]
    case.write([theme(n) for n in names])
    assert case.sync(capsys)[0] == 0
    alpha, delta = case.page("Alpha"), case.page("Delta")
    protect(case.wiki, alpha, "edit=sysop")
    protect(case.wiki, delta, "create=sysop")
    before = case.revisions(case.titles(names))
    case.write([theme("Alpha", 3), theme("Beta", 3), theme("Gamma"), theme("Delta")], "more")
    code, out = case.sync(capsys)
    assert code == 1, out
    assert f"FAILED {alpha}: the wiki refused the edit: " in out and "(protectedpage: edit=sysop" in out
    assert f"FAILED {delta}: the wiki refused the edit: " in out and "(protectedpage: create=sysop)" in out, out
    assert case.revisions([alpha]) == {alpha: before[alpha]}
    assert case.wiki.page_text(delta) is None
    assert "Beta comment 3." in case.wiki.page_text(case.page("Beta"))
    assert "2 failed" in summary_line(out, case)


def test_a_spam_blacklist_refusal_names_the_link_and_the_others_are_saved(case, capsys):
    blacklist = "MediaWiki:Spam-blacklist"
    current = case.wiki.page_text(blacklist) or ""
    if "spam-link\\.example" not in current:
        case.wiki.edit_as("Admin", blacklist, current + "\nspam-link\\.example\n", "blacklist a test domain")
    # <nowiki> keeps the source page itself clear of the filter; the generated page links the address
    case.write([theme("Alpha"), theme("Beta", ["Read <nowiki>http://spam-link.example/offer</nowiki> now."])])
    code, out = case.sync(capsys)
    assert code == 1, out
    failed = lines_with(out, f"FAILED {case.page('Beta')}: ")
    assert len(failed) == 1 and "spam-link.example" in failed[0], out
    assert case.wiki.page_text(case.page("Beta")) is None
    assert "Alpha comment 1." in case.wiki.page_text(case.page("Alpha"))
    assert "1 failed" in summary_line(out, case)


def test_titles_the_wiki_rejects_stop_the_run_before_any_edit(case, capsys):
    bad = ["{source}/Angle <brackets>", "{source}/Percent %41", "{source}/Pipe | anchor", "{source}/Tildes ~~~"]
    case.write_map(PAGES + [{"title": t, "template": "overview.wiki.j2", "name": f"bad{i}"} for i, t in enumerate(bad)])
    case.write([theme("Alpha"), theme("Beta")])
    code, out = case.sync(capsys)
    assert code == 1, out
    # refused when the page map loads, each on a line naming its line in the file, before any edit
    problems = [line for line in out.splitlines() if line.startswith(f"wikisync: error: {case.map}:")]
    assert len(problems) == len(bad), out
    for line, pattern in zip(problems, bad):
        assert f"target title {pattern.format(source=case.source)!r}: a title cannot contain" in line
    assert case.wiki.page_text(case.source + "/Percent A") is None
    assert case.wiki.page_text(case.source + "/Pipe") is None
    for title in case.titles(["Alpha", "Beta"]):
        assert case.wiki.page_text(title) is None


# -- 7. state, no-op runs, a run stopped part-way -----------------------------------------------



def count_requests(wiki, action) -> tuple[int, float, object]:
    """API requests the server finished while ``action()`` ran, the wall time, and its result."""
    before, started = wiki.api_request_count(), time.monotonic()
    result = action()
    elapsed = time.monotonic() - started
    return wiki.api_request_count() - before, elapsed, result


@pytest.mark.parametrize("size", [11, 200])
def test_a_scheduled_run_with_nothing_new_costs_at_most_3_requests(case, capsys, tmp_path, size):
    if size == 11:
        case.write(FIXTURE)
    else:
        case.write([theme(f"Theme {i:03}", 1) for i in range(1, size + 1)])
    used, first, (code, out) = count_requests(case.wiki, lambda: case.sync(capsys, "--quiet"))
    assert code == 0, out
    assert f"saved {size + 1} of {size + 1}" in out
    before = case.revisions([case.overview, case.page("Theme 007" if size == 200 else "Access")])

    used, noop, (code, out) = count_requests(case.wiki, lambda: case.sync(capsys, "--quiet"))
    assert code == 0, out
    assert "unchanged since revision" in out
    assert used <= 3, f"{used} API requests for a run with nothing to do"

    # the same from a fresh process, as cron starts it, measured apart from a process that only
    # connects: with the login cookie a previous run saved (every scheduled run but the first), and
    # cold (no cookie, no API cache), where Pywikibot also logs in and fetches the site's metadata
    figures = []
    for cold in (False, True):
        connected = fresh_process(case, tmp_path / f"connect-{cold}", cold, "-c", "from wikisync.wiki import connect; connect()")
        run = fresh_process(case, tmp_path / f"sync-{cold}", cold, "-m", "wikisync.cli", "sync", "--map", str(case.map), "--quiet")
        assert "unchanged since revision" in run[2].stdout
        if not cold:
            assert run[0] - connected[0] <= 3
        figures.append(f"{'cold' if cold else 'saved cookie'}: {run[0]} requests in all, {connected[0]} of them "
                       f"to connect, {run[1]:.1f} s")
    assert case.revisions(before) == before
    print(f"\n{size + 1} targets: first sync {first:.1f} s; no-op in-process: {used} requests, {noop:.2f} s; "
          f"fresh process ({'; '.join(figures)})")


def fresh_process(case: Case, config: Path, cold: bool, *args: str):
    """(API requests, wall time, result) of ``python ARGS`` in a new process; ``cold``: with no
    login cookie nor API cache, so that Pywikibot logs in from scratch."""
    source = case.wiki.pywikibot_dir
    env = dict(os.environ)
    if cold:
        shutil.copytree(source, config, ignore=shutil.ignore_patterns("*.lwp", "apicache*", "logs"))
        (config / "user-config.py").write_text((config / "user-config.py").read_text().replace(str(source), str(config)))
        env["PYWIKIBOT_DIR"] = str(config)
    used, elapsed, done = count_requests(case.wiki, lambda: subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, timeout=600, env=env))
    assert done.returncode == 0, done.stdout + done.stderr
    return used, elapsed, done


def test_a_run_stopped_part_way_is_finished_by_the_next_without_duplicates(case, capsys):
    names = [f"Theme {i}" for i in range(1, 7)]
    revision = case.write([theme(n) for n in names])
    titles = case.titles(names)
    port = case.wiki.port

    def stop_the_server(title, n):
        if n == 5:
            case.wiki.server("stop")

    try:
        code, out = case.run_with(before_save(stop_the_server))
        assert code == 1, out
        assert f"{case.source}: stopped after 4 of {len(titles)} saves: the wiki stopped answering" in out
        assert "the next run saves the rest" in out
    finally:
        case.wiki.server("start")
    assert int((case.wiki.dir / "port").read_text()) == port
    assert case.state_revision() is None  # not complete
    assert sum(1 for title in titles if case.wiki.page_text(title) is not None) == 4

    code, out = case.sync(capsys)
    assert code == 0, out
    assert f"saved {len(titles) - 4} of {len(titles) - 4} ({len(titles) - 4} to create, 0 to change), 4 unchanged" in out
    for title in titles:
        assert case.history(title) == [BOT], title
    assert case.state_revision() == revision


# -- 8. overlapping runs ------------------------------------------------------------------------

HOLD_THE_LOCK = """
import sys, time
from pathlib import Path
from wikisync.state import run_lock
with run_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_an_overlapping_run_exits_at_once_and_a_killed_run_leaves_no_stale_lock(case, capsys):
    case.write([theme("Alpha"), theme("Beta")])
    holder = subprocess.Popen([sys.executable, "-c", HOLD_THE_LOCK, str(case.state_dir / "lock")],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        started = time.monotonic()
        code, out = case.sync(capsys)
        elapsed = time.monotonic() - started
        assert code == 1, out
        assert "another wikisync run is in progress" in out and f"pid {holder.pid}" in out
        assert elapsed < 5
        assert case.wiki.page_text(case.overview) is None
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
    code, out = case.sync(capsys)
    assert code == 0, out
    assert case.history(case.overview) == [BOT]


# -- 9. markup that must stay text, through the real parser -------------------------------------

MARKUP_SOURCE = """Notes.

== Key Themes ==

=== Markup ===

Bars <nowiki>| and || and {{ and }} and {{!}} and |} and</nowiki> a!b and &lt;nowiki&gt; and &lt;/translate&gt; and <nowiki>[[Category:Evil]]</nowiki> stay text.

<nowiki>= not a heading =</nowiki>

<nowiki>{| not a table</nowiki>

''What we heard:''
* Cells <nowiki>| || ! {{ }} {{!}} |}</nowiki> end.
* Tags <nowiki><nowiki></nowiki> and &lt;/translate&gt; and <nowiki>[[Category:Evil]]</nowiki> end.
* A bare [[Category:Evil]] link, and a [[:Category:Evil]] one.

=== Plain ===

Plain summary.

''What we heard:''
* <nowiki>{{!}}</nowiki> alone.
"""


def parsed(wiki, title: str) -> dict:
    return wiki.api(action="parse", page=title, prop="text|categories|templates|sections")["parse"]


def visible(html_text: str) -> str:
    text = re.sub(r"<[^>]+>", "", html_text)
    return " ".join(html.unescape(text).split())


def test_markup_in_the_source_stays_plain_text_on_every_generated_page(case, capsys):
    from wikisync.shapes.themes.parser import parse_themes

    case.write(MARKUP_SOURCE)
    report = parse_themes(MARKUP_SOURCE)
    summary = ("Bars | and || and {{ and }} and {{!}} and |} and a!b and <nowiki> and </translate> and "
               "[[Category:Evil]] stay text.")
    comments = ["Cells | || ! {{ }} {{!}} |} end.", "Tags <nowiki> and </translate> and [[Category:Evil]] end.",
                "A bare link, and a Category:Evil one."]
    assert report.themes[0].summary.split("\n\n") == [summary, "= not a heading =", "{| not a table"]
    assert [c.text for c in report.themes[0].comments] == comments
    code, out = case.sync(capsys)
    assert code == 0, out

    assert "Evil" in str(parsed(case.wiki, case.source)["categories"])  # the bare link is real
    for title in case.titles(["Markup", "Plain"]):
        page = parsed(case.wiki, title)
        assert page["categories"] == [], title
        assert page["templates"] == [], title
    theme_page = parsed(case.wiki, case.page("Markup"))
    text = visible(theme_page["text"])
    for expected in [summary, "= not a heading =", "{| not a table", *comments]:
        assert expected in text
    assert [s["line"] for s in theme_page["sections"]] == ["Summary", "What we heard", "Competing priority"]
    assert "<table" not in theme_page["text"]
    assert visible(parsed(case.wiki, case.page("Plain"))["text"]).count("{{!}} alone.") == 1

    overview = parsed(case.wiki, case.overview)["text"]
    assert overview.count("<table") == 1
    assert overview.count("<tr") == 1 + 2  # the header and one row per theme
    assert summary in visible(overview)
    rows = re.findall(r"<tr>(.*?)</tr>", overview, re.S)
    assert [len(re.findall(r"<td", row)) for row in rows[1:]] == [4, 4]


# -- 10. titles ---------------------------------------------------------------------------------

LONG = "Long " + "x" * 295
AWKWARD = {  # theme name -> the title part it is published under
    "Alpha/Beta": "Alpha-Beta",
    "C#Sharp": "C-Sharp",
    "Arrays [1]": "Arrays -1",
    "Braces {x}": "Braces -x",
    "Percent %41": "Percent -41",
    "Tildes ~~~ here": "Tildes - here",
    "Spaced out": "Spaced out",
}


def test_awkward_theme_names_map_to_safe_stable_titles(case, capsys):
    headings = [theme(name) for name in AWKWARD] + [theme(LONG)]
    text = (make_source(headings).replace("=== Spaced out ===", "===    Spaced out    ===")
            .replace("=== Tildes ~~~ here ===", "=== Tildes <nowiki>~~~</nowiki> here ==="))  # not a signature
    case.write(text)

    code, out = case.sync(capsys, "--dry-run")
    assert code == 2, out
    mapping = lines_with(out, "title: theme ")
    for name, part in AWKWARD.items():
        if name != part:
            assert f"title: theme {name!r} is published as {case.page(part)!r}" in mapping
    long_line = [line for line in mapping if LONG in line]
    assert len(long_line) == 1

    code, out = case.sync(capsys)
    assert code == 0, out
    titles = [case.page(part) for part in AWKWARD.values()]
    long_title = next(t for t in re.findall(r"^created (.+?) \(revision", out, re.M) if "xxxx" in t)
    assert long_title.startswith(case.page("Long xxx")) and len(long_title.encode()) <= 255
    for title in [*titles, long_title]:
        assert case.history(title) == [BOT], title
    links = case.wiki.api(action="query", prop="links", titles=case.overview, pllimit="max")["query"]["pages"][0]["links"]
    assert {link["title"] for link in links} >= {*titles, long_title}  # the overview links every page it made

    before = case.revisions([case.overview, *titles, long_title])
    code, out = case.sync(capsys, command="rebuild")
    assert code == 0, out
    assert f"0 to create, 0 to change), {len(AWKWARD) + 2} unchanged" in out
    assert case.revisions(before) == before
