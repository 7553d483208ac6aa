"""The `dev_wiki` fixture: a fresh local MediaWiki for the whole test session.

It sets PYWIKIBOT_DIR when first requested, so test modules must not import
pywikibot (directly or through a module that does) at collection time: import
it inside the test, after the fixture has run.

The wiki runs the MediaWiki version in $WIKISYNC_MEDIAWIKI (1.39, the default,
or 1.43; see scripts/dev-wiki).  Every test that uses the fixture is marked
`wiki`, so `-m wiki` selects exactly the tests that talk to a real wiki.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

REPO = Path(__file__).resolve().parent.parent
DEV_WIKI = REPO / "scripts" / "dev-wiki"
MEDIAWIKI = os.environ.get("WIKISYNC_MEDIAWIKI") or "1.39"

# php -S logs one line per finished request, e.g.
# "[pid] [date] 127.0.0.1:54321 [200]: POST /api.php"
API_LINE = re.compile(r"\[\d{3}\]: [A-Z]+ /api\.php(?:[?\s]|$)")


@dataclass(frozen=True)
class RevisionInfo:
    revid: int
    user: str
    timestamp: str
    comment: str


@dataclass
class DevWiki:
    """A running dev wiki, inspected and edited with plain `requests`."""

    dir: Path
    mediawiki: str
    port: int
    url: str
    api_url: str
    pywikibot_dir: Path
    accounts: dict[str, str]
    _sessions: dict[str, requests.Session] = field(default_factory=dict, repr=False)

    def api(self, session: requests.Session | None = None, method: str = "GET",
            **params: Any) -> dict[str, Any]:
        params = {"format": "json", "formatversion": "2", **params}
        http = session or requests
        if method == "POST":
            response = http.post(self.api_url, data=params, timeout=60)
        else:
            response = http.get(self.api_url, params=params, timeout=60)
        response.raise_for_status()
        body = response.json()
        if "error" in body:
            raise RuntimeError(f"API error: {body['error']}")
        return body

    def _latest_revision(self, title: str, rvprop: str) -> dict[str, Any] | None:
        body = self.api(action="query", prop="revisions", titles=title,
                        rvprop=rvprop, rvslots="main")
        page = body["query"]["pages"][0]
        if page.get("missing") or page.get("invalid"):
            return None
        return page["revisions"][0]

    def page_text(self, title: str) -> str | None:
        revision = self._latest_revision(title, "content")
        return None if revision is None else revision["slots"]["main"]["content"]

    def page_info(self, title: str) -> RevisionInfo | None:
        revision = self._latest_revision(title, "ids|user|timestamp|comment")
        if revision is None:
            return None
        return RevisionInfo(revision["revid"], revision["user"],
                            revision["timestamp"], revision["comment"])

    def revision_count(self, title: str) -> int:
        count = 0
        params: dict[str, Any] = {"action": "query", "prop": "revisions", "titles": title,
                                  "rvprop": "ids", "rvlimit": "max"}
        while True:
            body = self.api(**params)
            count += len(body["query"]["pages"][0].get("revisions", []))
            if "continue" not in body:
                return count
            params.update(body["continue"])

    def edit_as(self, user: str, title: str, text: str, summary: str, **params: Any) -> int:
        """Edit as `user` (a key of `accounts`), with more of action=edit's `params` (such as
        contentmodel); return the page's latest revid."""
        session = self._session(user)
        token = self.api(session, action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        body = self.api(session, "POST", action="edit", title=title, text=text,
                        summary=summary, token=token, **{"assert": "user", **params})
        result = body["edit"]
        if result.get("result") != "Success":
            raise RuntimeError(f"edit of {title!r} as {user} failed: {result}")
        if "newrevid" in result:
            return result["newrevid"]
        info = self.page_info(title)  # no change: MediaWiki made no new revision
        assert info is not None
        return info.revid

    def rights(self, user: str) -> set[str]:
        """The rights of `user` (a key of `accounts`) logged in; a bot password's, cut to its grants."""
        body = self.api(self._session(user), action="query", meta="userinfo", uiprop="rights")
        return set(body["query"]["userinfo"]["rights"])

    def _session(self, user: str) -> requests.Session:
        if user not in self._sessions:
            self._sessions[user] = self._login(user)
        return self._sessions[user]

    def _login(self, user: str) -> requests.Session:
        session = requests.Session()
        token = self.api(session, action="query", meta="tokens",
                         type="login")["query"]["tokens"]["logintoken"]
        password = self.accounts[user]
        if "@" in user:  # a bot password: only action=login takes those
            body = self.api(session, "POST", action="login", lgname=user,
                            lgpassword=password, lgtoken=token)
            ok = body["login"]["result"] == "Success"
        else:
            body = self.api(session, "POST", action="clientlogin", username=user,
                            password=password, logintoken=token,
                            loginreturnurl=self.url + "/")
            ok = body["clientlogin"]["status"] == "PASS"
        if not ok:
            raise RuntimeError(f"login as {user} failed: {body}")
        return session

    def server(self, command: str) -> None:
        """``scripts/dev-wiki stop|start`` for this wiki (same directory, same port)."""
        done = _dev_wiki(command, "--dir", str(self.dir), timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr

    def start_events(self) -> str:
        """``scripts/dev-wiki start --events``: the relay serving this wiki's recent changes as Server-Sent
        Events (started if need be; its ports are kept); its URL."""
        done = _dev_wiki("start", "--events", "--dir", str(self.dir), timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        ports = json.loads((self.dir / "relay.json").read_text())
        return f"http://127.0.0.1:{ports['http']}/v2/stream/recentchange"

    def stop_events(self) -> None:
        """``scripts/dev-wiki stop --events``: only the relay stops (what it kept is gone with it)."""
        done = _dev_wiki("stop", "--events", "--dir", str(self.dir), timeout=60)
        assert done.returncode == 0, done.stdout + done.stderr

    def api_request_count(self) -> int:
        """api.php requests the server has finished so far (from server.log)."""
        log = self.dir / "server.log"
        deadline = time.monotonic() + 2.0
        while True:
            text = log.read_text(encoding="utf-8", errors="replace")
            # A request is logged only when it ends, which can be just after
            # the client has its answer; wait until no connection is open.
            balanced = text.count(" Accepted\n") == text.count(" Closing\n")
            if balanced or time.monotonic() > deadline:
                return sum(1 for line in text.splitlines() if API_LINE.search(line))
            time.sleep(0.02)


def _dev_wiki(*args: str, timeout: float = 1800) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(DEV_WIKI), *args], capture_output=True,
                          text=True, timeout=timeout)


def _check_pywikibot_not_loaded_elsewhere(pywikibot_dir: Path) -> None:
    config = sys.modules.get("pywikibot.config")
    if config is not None and Path(getattr(config, "base_dir", "")) != pywikibot_dir:
        pytest.fail("pywikibot was imported before the dev_wiki fixture set PYWIKIBOT_DIR; "
                    "import it inside tests, not at module level", pytrace=False)


def _start(root: Path) -> DevWiki:
    try:
        started = _dev_wiki("start", "--fresh", "--dir", str(root), "--mediawiki", MEDIAWIKI)
    except subprocess.TimeoutExpired:
        pytest.fail("could not start the dev wiki: scripts/dev-wiki start timed out",
                    pytrace=False)
    if started.returncode != 0:
        message = started.stderr.strip() or started.stdout.strip()
        pytest.fail(f"could not start the dev wiki:\n{message}", pytrace=False)
    port = int((root / "port").read_text())
    return DevWiki(
        dir=root, mediawiki=MEDIAWIKI, port=port, url=f"http://127.0.0.1:{port}",
        api_url=f"http://127.0.0.1:{port}/api.php",
        pywikibot_dir=root / "pywikibot",
        accounts=json.loads((root / "accounts.json").read_text()),
    )


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "dev_wiki" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.wiki)


def pytest_report_header() -> str:
    return f"dev wiki: MediaWiki {MEDIAWIKI} (WIKISYNC_MEDIAWIKI)"


@pytest.fixture(scope="session")
def dev_wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevWiki]:
    root = tmp_path_factory.mktemp("devwiki")
    try:
        wiki = _start(root)
        os.environ["PYWIKIBOT_DIR"] = str(wiki.pywikibot_dir)
        _check_pywikibot_not_loaded_elsewhere(wiki.pywikibot_dir)
        yield wiki
    finally:
        _dev_wiki("stop", "--dir", str(root), timeout=60)
