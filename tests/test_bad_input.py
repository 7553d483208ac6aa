"""Every bad input of tests/data/bad_input/cases.yaml: one clear line, the right exit code, no traceback.

Each record runs ``wikisync`` as a process of its own, as an operator would, so that whatever
Pywikibot or Python print on the way is seen too.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from helpers import FIXTURE, ROOT

CASES = yaml.safe_load((ROOT / "tests" / "data" / "bad_input" / "cases.yaml").read_text(encoding="utf-8"))


def _needs_wiki(case: dict) -> bool:
    return bool(case.get("wiki") or case.get("pywikibot"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _pywikibot_dir(kind: str | None, wiki, folder: Path) -> Path:
    if kind is None:
        return wiki.pywikibot_dir
    config = folder / "pywikibot"
    shutil.copytree(wiki.pywikibot_dir, config, ignore=shutil.ignore_patterns("apicache*", "logs", "throttle.ctrl"))
    settings = config / "user-config.py"
    text = settings.read_text().replace(str(wiki.pywikibot_dir), str(config))
    if kind == "missing":
        settings.unlink()
        return config
    if kind == "refused":
        text = text.replace(f"127.0.0.1:{wiki.port}", f"127.0.0.1:{_free_port()}")
    elif kind == "wrong-path":
        text = text.replace("/api.php", "/w/api.php")
    elif kind == "bad-cookie":
        for cookie in config.glob("*.lwp"):
            cookie.unlink()
        (config / "pywikibot-WikisyncBot.lwp").mkdir()  # Pywikibot itself survives a garbled one
    settings.write_text(text + "\nmax_retries = 1\nretry_wait = 1\n")
    return config


def _write(folder: Path, case: dict, source: str) -> None:
    for name, content in (case.get("files") or {}).items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content.replace("{source}", source), encoding="utf-8")
    if "map" in case:
        templates = folder / "templates"
        for template in (ROOT / "templates").glob("*.j2"):
            if not (templates / template.name).exists():
                templates.mkdir(exist_ok=True)
                shutil.copy(template, templates / template.name)
        data = yaml.safe_load((ROOT / "page_map.yaml").read_text(encoding="utf-8"))
        data.pop("request_page"), data.pop("status_page")
        data["sources"][0]["page"] = source
        data.update(yaml.safe_load(yaml.safe_dump(case["map"]).replace("{source}", source)))
        (folder / "page_map.yaml").write_text(yaml.safe_dump(data, allow_unicode=True, width=1000), encoding="utf-8")


@pytest.mark.parametrize("case", CASES, ids=[case["name"] for case in CASES])
def test_bad_input_gets_one_clear_line(case, tmp_path, request):
    wiki = request.getfixturevalue("dev_wiki") if _needs_wiki(case) else None
    source = f"Bad input/{re.sub(r'[^A-Za-z0-9]+', '-', case['name'])}/Report"
    if case.get("source") is not None:
        text = FIXTURE if case["source"] == "report" else case["source"]
        wiki.edit_as("Editor", source, text, "bad-input record")
    for title, text in (case.get("pages") or {}).items():  # other pages the record needs on the wiki
        wiki.edit_as("Editor", title.replace("{source}", source), text, "bad-input record")
    _write(tmp_path, case, source)
    env = {key: value for key, value in os.environ.items() if key != "PYWIKIBOT_DIR"}
    env["PYWIKIBOT_DIR"] = str(_pywikibot_dir(case.get("pywikibot"), wiki, tmp_path) if wiki else tmp_path / "no-pywikibot")
    done = subprocess.run([sys.executable, "-m", "wikisync.cli", *case["argv"]], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    output = done.stdout + done.stderr
    assert "Traceback" not in output, output
    assert done.returncode == case.get("exit", 1), output
    matching = [line for line in output.splitlines() if re.search(case["line"], line)]
    assert len(matching) == 1, f"wanted one line matching {case['line']!r}:\n{output}"


def test_the_corpus_covers_every_kind_of_bad_input():
    assert len(CASES) >= 40
    names = " ".join(case["name"] for case in CASES)
    for kind in ("page map", "template", "state", "source", "option", "user-config", "cookie", "refused", "API path"):
        assert kind in names, kind
