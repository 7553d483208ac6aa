"""The dev wiki from scripts/dev-wiki works the way the other tests rely on."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from conftest import DevWiki

pytestmark = pytest.mark.wiki

DEV_WIKI = Path(__file__).resolve().parent.parent / "scripts" / "dev-wiki"

FIXTURE = Path(__file__).parent / "fixtures" / "all-hands-summary-report.wiki"
SOURCE_TITLE = "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"


def unique_title(prefix: str) -> str:
    return f"Dev wiki test/{prefix} {uuid.uuid4().hex[:8]}"


def test_api_answers_with_the_mediawiki_asked_for(dev_wiki: DevWiki) -> None:
    general = dev_wiki.api(action="query", meta="siteinfo")["query"]["general"]
    assert general["generator"].startswith(f"MediaWiki {dev_wiki.mediawiki}.")
    assert general["server"] == dev_wiki.url
    assert (dev_wiki.dir / "mediawiki").read_text().strip() == dev_wiki.mediawiki


def test_the_bot_password_grants_only_what_wikisync_needs(dev_wiki: DevWiki) -> None:
    rights = dev_wiki.rights("WikisyncBot@wikisync")
    assert {"edit", "createpage", "bot"} <= rights
    # Not the editprotected grant: with SpamBlacklist it also carries sboverride.
    assert not rights & {"editprotected", "sboverride", "delete", "protect", "block"}
    assert {"editprotected", "delete"} <= dev_wiki.rights("Admin")


def test_bots_do_not_override_the_spam_blacklist(dev_wiki: DevWiki) -> None:
    # As on Meta, on 1.39 and 1.43 alike: the bot group has no sboverride (LocalSettings makes
    # sure of it, whatever SpamBlacklist's default), so a bot's blacklisted link is refused.
    body = dev_wiki.api(action="query", meta="siteinfo", siprop="usergroups")
    groups = {group["name"]: group["rights"] for group in body["query"]["usergroups"]}
    assert "bot" in groups["bot"]
    assert "sboverride" not in groups["bot"]


def test_bot_is_in_bot_group_and_editor_is_not(dev_wiki: DevWiki) -> None:
    body = dev_wiki.api(action="query", list="users", ususers="WikisyncBot|Editor",
                        usprop="groups")
    groups = {user["name"]: user["groups"] for user in body["query"]["users"]}
    assert "bot" in groups["WikisyncBot"]
    assert "bot" not in groups["Editor"]


def test_pywikibot_logs_in_as_the_bot(dev_wiki: DevWiki) -> None:
    code = ("import pywikibot; site = pywikibot.Site(); site.login(); "
            "print(site.user(), site.has_right('bot'))")
    env = dict(os.environ, PYWIKIBOT_DIR=str(dev_wiki.pywikibot_dir))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True,
                            text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "WikisyncBot True"


def test_source_page_equals_fixture(dev_wiki: DevWiki) -> None:
    if not FIXTURE.exists():
        pytest.skip(f"{FIXTURE.name} is not written yet")
    text = dev_wiki.page_text(SOURCE_TITLE)
    assert text is not None, "the source page was not imported"
    assert text.rstrip() == FIXTURE.read_text(encoding="utf-8").rstrip()


def test_missing_page_has_no_text_or_info(dev_wiki: DevWiki) -> None:
    title = unique_title("Missing")
    assert dev_wiki.page_text(title) is None
    assert dev_wiki.page_info(title) is None
    assert dev_wiki.revision_count(title) == 0


def test_edit_as_editor_makes_a_revision_by_editor(dev_wiki: DevWiki) -> None:
    title = unique_title("Human edit")
    first = dev_wiki.edit_as("Editor", title, "First text.", "start page")
    second = dev_wiki.edit_as("Editor", title, "Second text.", "human touch")

    info = dev_wiki.page_info(title)
    assert info is not None
    assert second > first
    assert (info.revid, info.user, info.comment) == (second, "Editor", "human touch")
    assert dev_wiki.page_text(title) == "Second text."
    assert dev_wiki.revision_count(title) == 2


def test_status_exits_zero_while_running(dev_wiki: DevWiki) -> None:
    status = subprocess.run([sys.executable, str(DEV_WIKI), "status", "--dir", str(dev_wiki.dir)],
                            capture_output=True, text=True, timeout=60)
    assert status.returncode == 0, status.stdout + status.stderr
    assert f"{dev_wiki.url}/api.php" in status.stdout

    env = subprocess.run([sys.executable, str(DEV_WIKI), "env", "--dir", str(dev_wiki.dir)],
                         capture_output=True, text=True, timeout=60)
    assert env.stdout.strip() == f"export PYWIKIBOT_DIR={dev_wiki.pywikibot_dir}"


def test_api_request_count_grows_by_one_per_request(dev_wiki: DevWiki) -> None:
    before = dev_wiki.api_request_count()
    dev_wiki.page_text("Main Page")
    assert dev_wiki.api_request_count() == before + 1


def test_the_dev_wiki_leaves_apache2_disabled_at_boot(dev_wiki: DevWiki) -> None:
    """Debian's mediawiki pulls in apache2 and enables it; the dev wiki (php -S) keeps it off."""
    import contextlib
    import shutil

    if not Path("/etc/init.d/apache2").exists() and not Path("/lib/systemd/system/apache2.service").exists():
        pytest.skip("apache2 is not installed on this machine")
    if os.geteuid() != 0:
        pytest.skip("only root can disable apache2; scripts/dev-wiki warns instead")
    assert not sorted(Path("/etc").glob("rc[2-5].d/S*apache2")), "a SysV runlevel starts apache2 at boot"
    assert not sorted(Path("/etc/systemd/system").glob("*.wants/apache2.service")), "systemd starts apache2 at boot"
    if shutil.which("systemctl"):
        state = subprocess.run(["systemctl", "is-enabled", "apache2"], capture_output=True, text=True).stdout.strip()
        assert state != "enabled"
    running = []
    for comm in Path("/proc").glob("[0-9]*/comm"):
        with contextlib.suppress(OSError):
            running += [comm] if comm.read_text().strip() == "apache2" else []
    assert not running, "apache2 is running"


def test_the_dev_wiki_is_set_up_by_wikisync_setup_wiki(dev_wiki: DevWiki) -> None:
    """scripts/dev-wiki runs `wikisync setup-wiki` after importing the source page."""
    template = dev_wiki.page_info("Template:Wikisync request")
    assert template is not None and template.user == "WikisyncBot"
    assert dev_wiki.page_info("Template:Wikisync request/doc") is not None
    for title in ("Project:Wikisync/Requests", "Project:Wikisync/Status"):
        text = dev_wiki.page_text(title)
        assert text is not None and text.startswith("<!-- wikisync:begin header -->"), title
