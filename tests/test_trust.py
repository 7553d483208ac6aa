"""The eleven ways an attacker or a careless operator made wikisync lose or damage a person's work,
each replayed against the real dev wiki (see conftest.py): whether a page is wikisync's is told
from the wiki, never from local state or from who saved last."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from helpers import ROOT
from test_safety import BEGIN, BOT, END, REGION_TARGET, Case, admin_action, before_save, case, theme  # noqa: F401

pytestmark = pytest.mark.wiki

REQUEST_TEMPLATE = "{{{{wikisync request|{source}}}}}"


def request_map(case: Case, requests: str) -> None:
    data = yaml.safe_load(case.map.read_text(encoding="utf-8"))
    data["request_page"] = requests
    case.map.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def wait_for(predicate, timeout: float = 60.0, what: str = "the condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = predicate()
        if found:
            return found
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


def pywikibot_copy(wiki, tmp_path: Path, extra: str = "") -> Path:
    """The dev wiki's Pywikibot directory, copied so that a test may change its user-config.py."""
    config = tmp_path / "pywikibot"
    shutil.copytree(wiki.pywikibot_dir, config, ignore=shutil.ignore_patterns("apicache*", "logs", "throttle.ctrl"))
    text = (config / "user-config.py").read_text().replace(str(wiki.pywikibot_dir), str(config))
    (config / "user-config.py").write_text(text + extra)
    return config


def wikisync(map_path: Path, pywikibot_dir: Path, *args: str, **popen) -> subprocess.Popen:
    env = {**os.environ, "PYWIKIBOT_DIR": str(pywikibot_dir)}
    return subprocess.Popen([sys.executable, "-m", "wikisync.cli", *args, "--map", str(map_path), "--colour", "never"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env, cwd=ROOT, **popen)


# 1 ------------------------------------------------------------------------------------------------


def test_1_a_line_added_to_the_request_page_during_a_run_is_kept(case, capsys):
    requests = f"{case.source}/Requests"
    request_map(case, requests)
    case.write([theme("Alpha"), theme("Beta")])
    case.publish()
    case.wiki.edit_as("Editor", requests, f"* {REQUEST_TEMPLATE.format(source=case.source)} ~~~~", "please rebuild")
    late = "* A question from someone else, added while the bot was working."

    added = []

    def person_adds_a_line(title, n):
        if title == requests and not added:
            added.append(title)
            case.wiki.edit_as("Editor", requests, case.wiki.page_text(requests) + "\n" + late, "a question")

    code, out = case.run_with(before_save(person_adds_a_line))
    assert code == 0, out
    text = case.wiki.page_text(requests)
    assert text.count(late) == 1, text
    assert "|status=done" in text and "answered=" in text


# 2 ------------------------------------------------------------------------------------------------


def test_2_a_person_s_edit_during_the_throttle_wait_is_never_left_under_the_bot_s_name(case, tmp_path):
    """With put_throttle = 10, as Meta's example configuration has it, Pywikibot waits ten seconds
    between saves. A person edits the next page in that wait; the wiki merges the bot's edit into
    theirs; wikisync undoes it, and the next run knows the page is the person's."""
    case.write([theme("Alpha", 2), theme("Beta", 2)])
    case.publish()
    alpha, beta = case.page("Alpha"), case.page("Beta")
    bot_alpha = case.wiki.page_info(alpha).revid
    case.write([theme("Alpha", 3), theme("Beta", 3)], "a comment more for each")
    config = pywikibot_copy(case.wiki, tmp_path, "\nput_throttle = 10\n")
    process = wikisync(case.map, config, "sync", "--verbose")
    wait_for(lambda: case.wiki.page_info(alpha).revid != bot_alpha, what="the first save")
    person = case.wiki.page_text(beta).replace("What Beta is about.", "What Beta is about, in a person's words.")
    case.wiki.edit_as("Editor", beta, person, "my wording")
    out, _ = process.communicate(timeout=120)
    assert process.returncode == 1, out
    assert f"FAILED {beta}: edit conflict: Editor edited the page" in out
    assert case.wiki.page_text(beta) == person

    again = wikisync(case.map, case.wiki.pywikibot_dir, "sync", "--verbose")
    out, _ = again.communicate(timeout=120)
    assert again.returncode == 1 and f"REFUSED {beta}" in out, out
    assert case.wiki.page_text(beta) == person


# 3 ------------------------------------------------------------------------------------------------


def test_3_a_hand_edit_inside_a_region_is_refused_after_the_state_is_deleted(dev_wiki, tmp_path, capsys):
    case = Case(dev_wiki, tmp_path, "trust-region", [REGION_TARGET])
    digest = f"{case.source}/Digest"
    dev_wiki.edit_as("Editor", digest, f"Intro.\n{BEGIN}\n{END}\nOutro.", "digest page")
    case.write([theme("Alpha"), theme("Beta")])
    assert case.sync(capsys)[0] == 0
    edited = dev_wiki.page_text(digest).replace("\n| Beta\n", "\n| Beta, as I see it\n")
    dev_wiki.edit_as("Editor", digest, edited, "my view")
    shutil.rmtree(case.state_dir)
    case.write([theme("Alpha"), theme("Beta"), theme("Gamma")])
    code, out = case.sync(capsys)
    assert code == 1 and f"REFUSED {digest}: the region 'themes' was edited by hand" in out, out
    assert dev_wiki.page_text(digest) == edited


# 4 ------------------------------------------------------------------------------------------------


def test_4_a_misspelt_key_stops_the_run_before_the_wiki_is_touched(dev_wiki, tmp_path, capsys):
    case = Case(dev_wiki, tmp_path, "trust-typo", [dict(REGION_TARGET, region=None)])
    data = yaml.safe_load(case.map.read_text())
    data["sources"][0]["targets"][0] = {"title": "{source}/Digest", "template": "overview.wiki.j2", "regoin": "themes"}
    case.map.write_text(yaml.safe_dump(data))
    digest = f"{case.source}/Digest"
    hand = f"Intro by hand.\n{BEGIN}\n{END}\nOutro by hand."
    dev_wiki.edit_as("Editor", digest, hand, "digest page")
    case.write([theme("Alpha")])
    code, out = case.sync(capsys)
    line = next(n for n, text in enumerate(case.map.read_text().splitlines(), 1) if "regoin" in text)
    assert code == 1 and f"{case.map}:{line}: unknown key 'regoin'" in out, out
    assert dev_wiki.page_text(digest) == hand


# 5 ------------------------------------------------------------------------------------------------


def test_5_the_syntax_shown_in_nowiki_by_an_admin_does_not_vouch_for_a_newcomer(case, capsys):
    from test_triggers import create_account

    requests = f"{case.source}/Requests"
    request_map(case, requests)
    case.write([theme("Alpha")])
    case.publish()
    wanted = REQUEST_TEMPLATE.format(source=case.source)
    instructions = (f"To ask for a rebuild, add <nowiki>{wanted}</nowiki> below.\n"
                    f"<!-- for example: {wanted} -->\n<pre>{wanted}</pre>\n")
    session = case.wiki._session("Admin")
    token = case.wiki.api(session, action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
    case.wiki.api(session, "POST", action="edit", title=requests, text=instructions, summary="instructions", token=token)
    name, password = create_account(case.wiki, f"Spoofer{int(time.time() * 1000) % 10**9}")
    case.wiki.accounts[name] = password
    case.wiki.edit_as(name, requests, instructions + f"* {wanted}", "my request")
    code, out = case.sync(capsys)
    answer = case.wiki.page_text(requests)
    assert f"{name} is not autoconfirmed yet" in answer and "|status=declined" in answer, answer
    assert answer.startswith(instructions)  # the instructions are not answered: they hold no request


# 6 ------------------------------------------------------------------------------------------------


def test_6_a_request_page_turned_into_a_redirect_is_one_line_and_publishing_goes_on(case, capsys):
    requests = f"{case.source}/Requests"
    request_map(case, requests)
    case.wiki.edit_as("Editor", requests, "#REDIRECT [[Somewhere else]]", "redirect")
    case.write([theme("Alpha")])
    code, out = case.sync(capsys)
    assert code == 0, out
    assert [line for line in out.splitlines() if "is a redirect" in line] == [
        f"request page {requests} is a redirect; its requests are not read (point request_page in page_map.yaml at the page itself)"
    ]
    assert case.wiki.page_info(case.page("Alpha")).user == BOT


# 7 ------------------------------------------------------------------------------------------------


def test_7_a_deleted_page_is_recreated_and_a_restored_old_revision_updated_by_a_plain_sync(case, capsys):
    case.write([theme("Alpha", 2), theme("Beta", 2)])
    assert case.sync(capsys)[0] == 0
    alpha, beta = case.page("Alpha"), case.page("Beta")
    old_beta = case.wiki.page_info(beta).revid
    case.write([theme("Alpha", 2), theme("Beta", 3)])
    assert case.sync(capsys)[0] == 0

    admin_action(case.wiki, "delete", title=alpha, reason="cleanup")
    admin_action(case.wiki, "edit", title=beta, undo=case.wiki.page_info(beta).revid, undoafter=old_beta, summary="back")
    assert "Beta comment 3." not in case.wiki.page_text(beta)
    code, out = case.sync(capsys)
    assert code == 0, out
    assert f"created {alpha}" in out and f"updated {beta}" in out
    assert "Beta comment 3." in case.wiki.page_text(beta)
    code, out = case.sync(capsys)
    assert code == 0 and "nothing to do" in out


# 8 ------------------------------------------------------------------------------------------------


def test_8_a_fresh_wiki_of_the_same_family_name_with_an_old_state_gets_every_page(dev_wiki, tmp_path, capsys):
    from conftest import _dev_wiki

    source = "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"  # both wikis import it
    map_path = tmp_path / "page_map.yaml"
    data = yaml.safe_load((ROOT / "page_map.yaml").read_text())
    data.pop("request_page"), data.pop("status_page")
    data["templates"] = str(ROOT / "templates")
    map_path.write_text(yaml.safe_dump(data))
    first = wikisync(map_path, dev_wiki.pywikibot_dir, "sync", "--quiet")
    out, _ = first.communicate(timeout=120)
    assert first.returncode == 0, out
    state = (tmp_path / ".wikisync" / "state.json").read_text()

    other = tmp_path / "other-wiki"
    started = _dev_wiki("start", "--fresh", "--dir", str(other))
    assert started.returncode == 0, started.stderr
    try:
        (tmp_path / ".wikisync" / "state.json").write_text(state)
        second = wikisync(map_path, other / "pywikibot", "sync", "--verbose")
        out, _ = second.communicate(timeout=180)
        assert second.returncode == 0, out
        assert "0 unchanged" in out and "saved 12 of 12" in out, out
    finally:
        _dev_wiki("stop", "--dir", str(other), timeout=60)
    assert f"{source}: revision" in out


# 9 ------------------------------------------------------------------------------------------------


def test_9_long_and_unpublishable_theme_names_get_distinct_titles_and_check_says_so(case, capsys):
    first, second = "Very long theme " + "x" * 240 + " one", "Very long theme " + "x" * 240 + " two"
    odd = "Broken \ufffd byte"
    case.write([theme(first), theme(second), theme(odd)])
    code, out = case.sync(capsys)
    assert code == 0 and "saved 4 of 4" in out, out
    assert case.sync(capsys)[0] == 0

    from wikisync.cli import main

    path = case.map.parent / "report.wiki"
    path.write_text(case.wiki.page_text(case.source))
    assert main(["check", str(path), "--title", case.source, "--map", str(case.map)]) == 0
    renamed = [line for line in capsys.readouterr().out.splitlines() if " WS209 " in line]
    assert len(renamed) == 3, renamed


# 10 -----------------------------------------------------------------------------------------------


def test_10_two_sources_that_would_write_one_page_are_refused_when_the_map_loads(dev_wiki, tmp_path, capsys):
    case = Case(dev_wiki, tmp_path, "trust-two-sources")
    data = yaml.safe_load(case.map.read_text())
    shared = {"title": "Trust shared overview", "template": "overview.wiki.j2"}
    data["sources"] = [{"page": case.source, "targets": [shared]},
                       {"page": case.source + " 2", "targets": [dict(shared, title="trust_shared overview")]}]
    case.map.write_text(yaml.safe_dump(data))
    case.write([theme("Alpha")])
    code, out = case.sync(capsys)
    assert code == 1 and "two targets cannot share a page" in out and f"{case.map}:" in out, out
    assert dev_wiki.page_text("Trust shared overview") is None


# 11 -----------------------------------------------------------------------------------------------


def test_11_a_page_map_change_is_published_by_sync_as_its_dry_run_shows(case, capsys):
    case.write([theme("Alpha"), theme("Beta")])
    assert case.sync(capsys)[0] == 0
    data = yaml.safe_load(case.map.read_text())
    data["sources"][0]["targets"].append({"title": "{source}/Overview again", "template": "overview.wiki.j2", "name": "again"})
    case.map.write_text(yaml.safe_dump(data))
    code, dry = case.sync(capsys, "--dry-run")
    assert code == 2 and "1 to create, 0 to change, 3 unchanged" in dry, dry
    code, out = case.sync(capsys)
    assert code == 0 and "saved 1 of 1 (1 to create, 0 to change), 3 unchanged" in out, out
    code, out = case.sync(capsys, "--dry-run")
    assert code == 0 and "nothing to do" in out


def test_force_takes_any_spelling_of_a_title(case, capsys):
    case.write([theme("Alpha")])
    assert case.sync(capsys)[0] == 0
    alpha = case.page("Alpha")
    case.wiki.edit_as("Editor", alpha, case.wiki.page_text(alpha) + "\nA note.", "note")
    case.write([theme("Alpha", 3)])
    code, out = case.sync(capsys, "--force", alpha.replace(" ", "_").replace("Safety", "safety", 1))
    assert code == 0, out
    assert case.wiki.page_info(alpha).user == BOT and "A note." not in case.wiki.page_text(alpha)
