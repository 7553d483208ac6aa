"""Scheduled runs, rebuilds, on-wiki requests, the status page and watch mode, against the dev wiki."""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from helpers import FIXTURE, ROOT, THEMES, project_page_map, run_cli

pytestmark = pytest.mark.wiki

STAMPED = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ ")



class Setup:
    """An isolated source page, request page and status page, with a page map and templates of their own."""

    def __init__(self, wiki, tmp_path: Path, name: str) -> None:
        self.wiki = wiki
        self.source = f"Trigger/{name}/All-Hands summary report"
        self.requests = f"Trigger/{name}/Requests"
        self.status = f"Trigger/{name}/Status"
        self.templates = tmp_path / "templates"
        shutil.copytree(ROOT / "templates", self.templates)
        self.map = project_page_map(tmp_path / "page_map.yaml", self.source, self.templates,
                                    request_page=self.requests, status_page=self.status)
        self.targets = [f"{self.source}/Themes"] + [f"{self.source}/Themes/{t}" for t in THEMES]

    def run(self, capsys, command: str = "sync", *extra: str) -> tuple[int, str]:
        return run_cli(capsys, self.map, *extra, command=command)

    def revisions(self) -> dict[str, int]:
        return {title: self.wiki.revision_count(title) for title in self.targets}

    def request(self, user: str, text: str) -> int:
        return self.wiki.edit_as(user, self.requests, text, "asking for a rebuild")


@pytest.fixture
def setup(dev_wiki, tmp_path, request):
    return Setup(dev_wiki, tmp_path, re.sub(r"[\W_]+", "-", request.node.name))


def published(setup: Setup, capsys) -> None:
    setup.wiki.edit_as("Editor", setup.source, FIXTURE, "report")
    code, out = setup.run(capsys)
    assert code == 0, out


def test_a_template_change_is_published_by_the_next_sync_as_its_dry_run_shows(setup, capsys):
    published(setup, capsys)
    before = setup.revisions()
    theme_template = setup.templates / "theme.wiki.j2"
    theme_template.write_text(theme_template.read_text() + "\n[[Category:Generated themes]]\n")

    code, out = setup.run(capsys, "sync", "--dry-run")
    assert code == 2 and "0 to create, 11 to change, 1 unchanged" in out, out
    assert setup.revisions() == before

    code, out = setup.run(capsys, "sync", "--verbose")
    assert code == 0 and "saved 11 of 11 (0 to create, 11 to change), 1 unchanged" in out, out
    after = setup.revisions()
    changed = {t for t in setup.targets if after[t] != before[t]}
    assert changed == set(setup.targets[1:])  # every theme page; the overview's template did not change
    assert "[[Category:Generated themes]]" in setup.wiki.page_text(setup.targets[1])


def test_status_page_reports_the_run_and_a_no_op_run_leaves_it_alone(setup, capsys):
    setup.wiki.edit_as("Editor", setup.source, FIXTURE, "report")
    code, out = setup.run(capsys)
    assert code == 0, out
    status = setup.wiki.page_text(setup.status)
    revision = setup.wiki.page_info(setup.source).revid
    assert f"[[{setup.source}]]" in status
    assert f"Special:PermanentLink/{revision}|" in status
    assert status.count("created, [[Special:PermanentLink/") == 12
    assert "5 warnings" in status  # the check's findings on the real report

    status_revisions = setup.wiki.revision_count(setup.status)
    requests_before = setup.wiki.api_request_count()
    code, out = setup.run(capsys)
    used = setup.wiki.api_request_count() - requests_before
    assert code == 0 and "unchanged since revision" in out
    assert setup.wiki.revision_count(setup.status) == status_revisions
    assert used <= 3, f"a no-op run with a request page used {used} API requests"
    code, out = setup.run(capsys, "rebuild")
    assert code == 0 and "12 unchanged" in out
    assert setup.wiki.revision_count(setup.status) == status_revisions, "a rebuild that changed nothing edited the status page"

    edited = FIXTURE.replace("* We should stand for anti-censorship.", "* We should stand against censorship.")
    new_revision = setup.wiki.edit_as("Editor", setup.source, edited, "reword")
    assert setup.run(capsys)[0] == 0
    status = setup.wiki.page_text(setup.status)
    assert f"Special:PermanentLink/{new_revision}|" in status
    assert re.search(r"Themes/Fight for Free Knowledge\]\] \(\[\[Special:Diff/\d+/\d+\|diff\]\]\)", status)


def test_a_person_s_edit_to_the_status_page_is_not_overwritten(setup, capsys):
    published(setup, capsys)
    setup.wiki.edit_as("Editor", setup.status, setup.wiki.page_text(setup.status) + "\nA note from a person.", "note")
    setup.wiki.edit_as("Editor", setup.source, FIXTURE.replace("* Our business model", "* Our model"), "edit")
    code, out = setup.run(capsys)
    assert f"status page {setup.status} was edited by Editor since wikisync wrote it; not overwritten" in out
    assert setup.wiki.page_text(setup.status).endswith("A note from a person.")


def test_a_request_on_the_wiki_is_rebuilt_and_answered(setup, capsys):
    published(setup, capsys)
    before = setup.revisions()
    theme_template = setup.templates / "theme.wiki.j2"
    theme_template.write_text(theme_template.read_text() + "\nRebuilt on request.\n")
    setup.request("Editor", f"Rebuild requests:\n* {{{{wikisync request|{setup.source}}}}} ~~~~\n")

    code, out = setup.run(capsys)
    assert code == 0, out
    assert "answered 1 request(s)" in out
    after = setup.revisions()
    assert sum(after[t] != before[t] for t in setup.targets) == 11
    answer = setup.wiki.page_text(setup.requests)
    assert "|status=done" in answer
    assert re.search(r"\|result=[^|]*saved 11 of 11", answer)
    assert re.search(r"\|answered=\d\d:\d\d, \d+ \w+ \d{4} \(UTC\)", answer)  # ~~~~~ became a timestamp
    assert setup.wiki.page_info(setup.requests).user == "WikisyncBot"

    # answered requests are not taken again
    code, out = setup.run(capsys)
    assert "request(s)" not in out
    assert setup.revisions() == after


def test_a_request_for_an_unknown_page_is_declined(setup, capsys):
    published(setup, capsys)
    setup.request("Editor", "{{wikisync request|Some other page}}")
    code, out = setup.run(capsys)
    answer = setup.wiki.page_text(setup.requests)
    assert "|status=declined" in answer and "not a source page" in answer


def test_a_request_from_a_blocked_user_is_declined(setup, dev_wiki, capsys):
    published(setup, capsys)
    before = setup.revisions()
    name, password = create_account(dev_wiki, f"Visitor{int(time.time() * 1000) % 10**9}")
    dev_wiki.accounts[name] = password
    setup.request(name, f"{{{{wikisync request|{setup.source}}}}}")
    block(dev_wiki, name)

    code, out = setup.run(capsys)
    answer = setup.wiki.page_text(setup.requests)
    assert "|status=declined" in answer
    assert f"{name} is blocked" in answer
    assert "its 12 pages too; nothing to do" in out  # no rebuild happened
    assert setup.revisions() == before


def test_a_request_from_a_new_user_is_declined_until_autoconfirmed(setup, dev_wiki, capsys):
    published(setup, capsys)
    before = setup.revisions()
    name, password = create_account(dev_wiki, f"Newcomer{int(time.time() * 1000) % 10**9}")
    dev_wiki.accounts[name] = password
    setup.request(name, f"{{{{wikisync request|{setup.source}}}}}")  # their first edit: the dev wiki asks for two
    code, out = setup.run(capsys)
    answer = setup.wiki.page_text(setup.requests)
    assert "|status=declined" in answer and f"{name} is not autoconfirmed yet" in answer
    assert "its 12 pages too; nothing to do" in out  # no rebuild happened
    assert setup.revisions() == before


def test_a_request_stopped_by_check_errors_is_answered_with_the_diagnostics(setup, capsys):
    published(setup, capsys)
    broken = FIXTURE.replace("* Kindness (human collaboration)", "* Kindess (human collaboration)")
    setup.wiki.edit_as("Editor", setup.source, broken, "typo in the table")
    setup.request("Editor", f"{{{{wikisync request|{setup.source}}}}}")
    code, out = setup.run(capsys)
    assert code == 1
    answer = setup.wiki.page_text(setup.requests)
    assert "|status=failed" in answer
    assert re.search(r"\|result=[^|]*stopped by check errors[^|]*line 208: WS301", answer), answer
    status = setup.wiki.page_text(setup.status)
    assert "WS301" in status and "Kindess" in status


def test_quiet_run_prints_one_summary_line(setup, dev_wiki, tmp_path, capsys):
    """As cron runs it: a fresh process that logs in, output not on a terminal, stdout and stderr together."""
    setup.wiki.edit_as("Editor", setup.source, FIXTURE, "report")
    config = tmp_path / "pywikibot"
    shutil.copytree(dev_wiki.pywikibot_dir, config, ignore=shutil.ignore_patterns("*.lwp", "apicache*", "logs"))
    (config / "user-config.py").write_text(
        (config / "user-config.py").read_text().replace(str(dev_wiki.pywikibot_dir), str(config))
    )
    done = subprocess.run(
        [sys.executable, "-m", "wikisync.cli", "sync", "--map", str(setup.map)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=300,
        env={**os.environ, "PYWIKIBOT_DIR": str(config)},
    )
    assert done.returncode == 0, done.stdout
    assert any(config.glob("*.lwp")), "the run did not log in"
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines == [f"{setup.source}: revision {setup.wiki.page_info(setup.source).revid}: saved 12 of 12 (12 to create, 0 to change), 0 unchanged"]


def start_watcher(setup: Setup, dev_wiki, ignoring: tuple[signal.Signals, ...] = ()) -> subprocess.Popen:
    """``wikisync watch --interval 1`` in a process of its own, its output readable line by line; started
    with the signals ``ignoring`` ignored, as a shell script's background job starts with SIGINT ignored."""
    env = {**os.environ, "PYWIKIBOT_DIR": str(dev_wiki.pywikibot_dir), "PYTHONUNBUFFERED": "1"}

    def ignore() -> None:
        for number in ignoring:
            signal.signal(number, signal.SIG_IGN)

    return subprocess.Popen(
        [sys.executable, "-m", "wikisync.cli", "watch", "--map", str(setup.map), "--interval", "1", "--colour", "never"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True, env=env,
        preexec_fn=ignore,
    )


def stopped(watcher: subprocess.Popen, stop: signal.Signals = signal.SIGINT) -> str:
    """Send ``stop`` to a running watch; its output once it has ended cleanly (exit 0, "watch: stopped", no traceback)."""
    watcher.send_signal(stop)
    try:
        output, _ = watcher.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        watcher.kill()
        raise
    assert watcher.returncode == 0, output
    assert "watch: stopped" in output and "Traceback" not in output, output
    return output


@contextlib.contextmanager
def watching(setup: Setup, dev_wiki) -> Iterator[subprocess.Popen]:
    """``wikisync watch --interval 1`` in a process of its own, caught up; stopped with Ctrl-C (SIGINT) after,
    which must end it cleanly."""
    watcher = start_watcher(setup, dev_wiki)
    try:
        assert wait_for_line(watcher, "watch: following", 60)
        time.sleep(1.5)  # let it finish catching up
        yield watcher
    finally:
        output = stopped(watcher)
    # every line watch prints, its own, the runs' and Pywikibot's, begins with the time (UTC, ISO 8601)
    unstamped = [line for line in output.splitlines() if line.strip() and not STAMPED.match(line)]
    assert not unstamped, unstamped


def wait_for_text(wiki, title: str, text: str, seconds: float) -> float | None:
    """Seconds until ``text`` shows on the page, or None."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if text in (wiki.page_text(title) or ""):
            return time.monotonic() - started
        time.sleep(0.2)
    return None


def test_watch_rebuilds_soon_after_an_edit_and_stops_on_ctrl_c(setup, dev_wiki, capsys):
    published(setup, capsys)
    with watching(setup, dev_wiki):
        edited = FIXTURE.replace("* We are the ultimate proof", "* We are living proof")
        dev_wiki.edit_as("Editor", setup.source, edited, "edit while watched")
        latency = wait_for_text(dev_wiki, f"{setup.source}/Themes/Kindness", "We are living proof", 20)
        assert latency is not None, "watch did not rebuild within 20 s"
        assert latency < 10, f"rebuilt after {latency:.1f} s"
        print(f"\nwatch: edit-to-rebuild latency {latency:.2f} s")

        setup.request("Editor", f"{{{{wikisync request|{setup.source}}}}}")
        assert wait_for_text(dev_wiki, setup.requests, "|status=done", 20) is not None, "watch did not answer the request"


def test_watch_backs_off_while_the_wiki_is_down_and_carries_on_after(setup, dev_wiki, capsys):
    published(setup, capsys)
    with watching(setup, dev_wiki) as watcher:
        dev_wiki.server("stop")
        try:
            assert wait_for_line(watcher, "next try in 2 s", 60)
            assert wait_for_line(watcher, "next try in 4 s", 60)
        finally:
            dev_wiki.server("start")
        edited = FIXTURE.replace("* What does it mean to freely share?", "* What does it mean to share freely?")
        dev_wiki.edit_as("Editor", setup.source, edited, "edit")
        assert wait_for_text(dev_wiki, f"{setup.source}/Themes/Sharing", "share freely?", 30) is not None


def wait_for_line(process: subprocess.Popen, text: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if text in line:
            return True
        if not line and process.poll() is not None:
            return False
    return False


def create_account(wiki, name: str) -> tuple[str, str]:
    session = requests.Session()
    token = wiki.api(session, action="query", meta="tokens", type="createaccount")["query"]["tokens"]["createaccounttoken"]
    password = "visitor-" + os.urandom(8).hex()
    body = wiki.api(session, "POST", action="createaccount", username=name, password=password, retype=password,
                    createtoken=token, createreturnurl=wiki.url + "/")
    assert body["createaccount"]["status"] == "PASS", body
    return name, password


def block(wiki, name: str) -> None:
    session = wiki._session("Admin")
    token = wiki.api(session, action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
    wiki.api(session, "POST", action="block", user=name, expiry="infinite", reason="test", token=token)


def test_watch_started_while_the_wiki_is_down_backs_off_until_it_is_up(setup, dev_wiki, capsys):
    published(setup, capsys)
    dev_wiki.server("stop")
    watcher = start_watcher(setup, dev_wiki)
    try:
        assert wait_for_line(watcher, "next try in 2 s", 60)
    finally:
        dev_wiki.server("start")
    try:
        assert wait_for_line(watcher, "watch: following", 60)
    finally:
        stopped(watcher)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_watch_stops_cleanly_on_a_signal_it_was_started_with_ignored(setup, dev_wiki, stop):
    """A background job of a script starts with SIGINT ignored; watch still stops on Ctrl-C (and on SIGTERM)."""
    watcher = start_watcher(setup, dev_wiki, ignoring=(signal.SIGINT, signal.SIGTERM))
    try:
        assert wait_for_line(watcher, "watch: following", 60)
    finally:
        stopped(watcher, stop)


# -- issue 17: requests found as the wiki's parser finds them ------------------------------------------

HIDDEN_OR_SHOWN = [
    "Old requests, kept for reference: <!-- a note left open\n* {{{{wikisync request|{source}}}}}\n",
    "{{{{echo|<!-- }}}}\n* {{{{wikisync request|{source}}}}}\n",
    "<includeonly>left open\n* {{{{wikisync request|{source}}}}}\n",
    "<nowiki>left open\n* {{{{wikisync request|{source}}}}}\n",
    "<pre>left open\n* {{{{wikisync request|{source}}}}}\n",
    "<nowiki><!--</nowiki>\n* {{{{wikisync request|{source}}}}}\n",
    "<!-- closed --> <nowiki>{{{{wikisync request|{source}}}}}</nowiki>\n* {{{{wikisync request|{source}}}}}\n",
    "<noinclude><!--</noinclude>\n* {{{{wikisync request|{source}}}}}\n",
    "<pre><!--</pre> <!-- <nowiki> --> {{{{wikisync request|{source}}}}} <!-- open\n",
]


@pytest.mark.parametrize("text", HIDDEN_OR_SHOWN)
def test_requests_are_found_where_the_wiki_shows_them(setup, text):
    """Left open, a comment (or ``<includeonly>``) hides the rest of the page; a ``<nowiki>`` or ``<pre>``
    left open is shown as text, and what follows it is parsed: as the wiki's own parser says."""
    from wikisync.shapes.requests import parse_requests

    text = text.format(source=setup.source)
    parsed = setup.wiki.api(action="parse", text=text, title=setup.requests, contentmodel="wikitext", prop="templates")
    used = [t["title"] for t in parsed["parse"]["templates"]]
    assert len(parse_requests(text)) == used.count("Template:Wikisync request"), used


def test_a_request_inside_a_comment_left_open_is_not_acted_on(setup, capsys):
    published(setup, capsys)
    before = setup.revisions()
    text = f"Requests:\n<!-- an old one, commented out\n* {{{{wikisync request|{setup.source}}}}}\n"
    revision = setup.request("Editor", text)
    code, out = setup.run(capsys)
    assert code == 0, out
    assert "request(s)" not in out and "its 12 pages too; nothing to do" in out
    assert setup.wiki.page_info(setup.requests).revid == revision
    assert setup.revisions() == before


def test_a_thousand_requests_are_answered_in_one_run_with_batched_reads(setup, capsys):
    """Anyone autoconfirmed may add requests by the thousand: answering them costs time linear in their
    number (scripts/bench times it), and the wiki a few requests: the request page's history is read
    once, and who asked is looked up once per person, not per request."""
    published(setup, capsys)
    count = 1000
    lines = "".join(f"* {{{{wikisync request|{setup.source}}}}} ~~~~\n" for _ in range(count))
    setup.request("Editor", "Requests:\n" + lines)
    before, started = setup.wiki.api_request_count(), time.process_time()
    code, out = setup.run(capsys)
    cpu, used = time.process_time() - started, setup.wiki.api_request_count() - before
    assert code == 0, out
    assert f"answered {count} request(s)" in out
    with capsys.disabled():
        print(f"\n{count} requests answered: {cpu:.2f} s of CPU, {used} API requests")
    answered = setup.wiki.page_text(setup.requests)
    assert answered.count("|status=done") == count and "{{wikisync request|" in answered
    assert len(re.findall(r"\|result=[^|]*12 unchanged", answered)) == count
    # the pages in one batch, the history, the requesters' standing, the generated pages' text, the save
    assert used <= 6, f"{used} API requests for {count} requests"


def test_a_dry_run_with_a_pending_request_shows_what_the_run_then_saves(setup, capsys):
    """Nothing else to do but a request: the dry run vets it as the run does, and shows the request
    page's answer and the status page as the run then saves them (exit 2); it saves nothing."""
    published(setup, capsys)
    pages = (setup.requests, setup.status)
    request = f"* {{{{wikisync request|{setup.source}}}}} ~~~~\n"
    setup.request("Editor", f"Requests:\n{request}")
    for result, status_saved in (("saved 0 of 0 [^|]*12 unchanged", False), ("saved 1 of 1 [^|]*11 unchanged", True)):
        before = {title: setup.wiki.revision_count(title) for title in pages}
        code, dry = setup.run(capsys, "sync", "--dry-run")
        assert {title: setup.wiki.revision_count(title) for title in pages} == before
        assert code == 2, dry
        answer = rf"^\+\* {{{{wikisync request\|{re.escape(setup.source)}\|status=done\|result=[^|]*{result}"
        assert re.search(answer, dry, re.M), dry
        shown = {title for title in pages if f"--- update: {title}" in dry}
        assert status_saved == bool(re.search(r"^\+\*\* \[\[.*Themes/Kindness\]\] \(to be saved\)$", dry, re.M)), dry

        code, out = setup.run(capsys)
        assert code == 0 and "answered 1 request(s)" in out, out
        saved = {title for title in pages if setup.wiki.revision_count(title) != before[title]}
        assert shown == saved == ({setup.requests, setup.status} if status_saved else {setup.requests}), (shown, saved, dry)
        # the second time round: the report edited too, so the run saves a page, and the status page says so
        setup.wiki.edit_as("Editor", setup.source, FIXTURE.replace("* We are the ultimate proof", "* We are living proof"), "reword")
        setup.request("Editor", setup.wiki.page_text(setup.requests) + f"\n{request}")
