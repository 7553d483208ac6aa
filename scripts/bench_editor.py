"""The person who edits the dev wiki during a benchmark: a logged-in session of the dev wiki's Editor account,
outside Pywikibot (the bot under test must not share its cookies)."""

from __future__ import annotations

import json
from pathlib import Path

import requests


class Editor:
    def __init__(self, api_url: str, wiki_root: Path) -> None:
        self.api_url = api_url
        self.session = requests.Session()
        password = json.loads((wiki_root / "accounts.json").read_text())["Editor"]
        token = self._get(action="query", meta="tokens", type="login")["query"]["tokens"]["logintoken"]
        answer = self._post(action="clientlogin", username="Editor", password=password, logintoken=token,
                            loginreturnurl="http://127.0.0.1/")
        assert answer["clientlogin"]["status"] == "PASS", answer

    def edit(self, title: str, text: str, summary: str) -> None:
        token = self._get(action="query", meta="tokens")["query"]["tokens"]["csrftoken"]
        answer = self._post(action="edit", title=title, text=text, summary=summary, token=token)
        assert answer.get("edit", {}).get("result") == "Success", answer

    def _get(self, **params: str) -> dict:
        return self.session.get(self.api_url, params={**params, "format": "json"}, timeout=30).json()

    def _post(self, **data: str) -> dict:
        return self.session.post(self.api_url, data={**data, "format": "json"}, timeout=30).json()
