"""Pywikibot's global options (-simulate, -user:, -site:, -dir:, -putthrottle:, -maxlag:, -log) on wikisync's command line."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap

import pytest
from helpers import FIXTURE, ROOT, project_page_map, run_cli

from wikisync.cli import main


def _fresh(args, cwd, env_dir=None, **kw):
    env = {k: v for k, v in os.environ.items() if k != "PYWIKIBOT_DIR"}
    if env_dir is not None:
        env["PYWIKIBOT_DIR"] = str(env_dir)
    return subprocess.run([sys.executable, "-m", "wikisync.cli", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=300, **kw)


def test_help_lists_pywikibot_s_options_apart_from_wikisync_s(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    own, _, pywikibot_part = out.partition("Pywikibot's global options")
    assert "--version" in own and "-simulate" not in own
    for option in ("-simulate", "-user:NAME", "-site:FAMILY:CODE", "-dir:PATH", "-putthrottle:N", "-maxlag:N", "-log"):
        assert re.search(rf"^  {re.escape(option)}\b", pywikibot_part, re.M), option
    with pytest.raises(SystemExit):
        main(["sync", "--help"])
    assert "Pywikibot's global options (-simulate" in capsys.readouterr().out


def test_commands_on_files_import_no_pywikibot_and_refuse_its_options(tmp_path):
    probe = textwrap.dedent("""
        import sys
        from wikisync.cli import main
        code = main(sys.argv[1:])
        print("pywikibot loaded" if "pywikibot" in sys.modules else "pywikibot not loaded", code)
    """)
    fixture = str(ROOT / "tests" / "fixtures" / "all-hands-summary-report.wiki")
    done = subprocess.run([sys.executable, "-c", probe, "check", fixture], capture_output=True, text=True, cwd=tmp_path)
    assert done.stdout.strip().endswith("pywikibot not loaded 0"), done.stdout + done.stderr
    done = subprocess.run([sys.executable, "-c", probe, "parse", fixture, "-simulate"], capture_output=True, text=True, cwd=tmp_path)
    assert "pywikibot not loaded 1" in done.stdout
    assert "-simulate: Pywikibot's global options apply only to commands that use the wiki" in done.stderr


def test_simulate_is_a_dry_run_and_saves_nothing(dev_wiki, tmp_path, capsys):
    source = "Options/simulate/All-Hands summary report"
    dev_wiki.edit_as("Editor", source, FIXTURE, "report")
    page_map = project_page_map(tmp_path / "page_map.yaml", source)
    code, out = run_cli(capsys, page_map, "-simulate")
    assert code == 2, out
    assert f"{source}: dry run: 12 to create, 0 to change, 0 unchanged; nothing saved" in out
    assert dev_wiki.page_text(f"{source}/Themes") is None
    assert not (tmp_path / ".wikisync" / "state.json").exists()
    # Pywikibot's configuration is back to user-config.py's for the next run in this process
    code, out = run_cli(capsys, page_map, "--quiet")
    assert code == 0 and dev_wiki.page_text(f"{source}/Themes") is not None, out


def test_options_reach_pywikibot_s_configuration_through_its_own_handle_args(dev_wiki, tmp_path):
    probe = textwrap.dedent("""
        import json, sys
        from wikisync.wiki import pywikibot_options
        import pywikibot
        from pywikibot import config
        with pywikibot_options(sys.argv[1:]) as simulate:
            inside = {"simulate": simulate, "put_throttle": config.put_throttle, "maxlag": config.write_maxlag,
                      "user": config.usernames[config.family][config.mylang], "log": list(config.log)}
        after = {"put_throttle": config.put_throttle, "maxlag": config.write_maxlag,
                 "user": config.usernames[config.family][config.mylang], "simulate": config.simulate}
        print(json.dumps({"inside": inside, "after": after}))
    """)
    env = {**os.environ, "PYWIKIBOT_DIR": str(dev_wiki.pywikibot_dir)}
    done = subprocess.run([sys.executable, "-c", probe, "-simulate", "-putthrottle:7", "-maxlag:9", "-user:Editor", "-log"],
                          capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["inside"]["simulate"] is True
    assert seen["inside"]["put_throttle"] == 7.0 and seen["inside"]["maxlag"] == 9
    assert seen["inside"]["user"] == "Editor" and seen["inside"]["log"]
    assert seen["after"] == {"put_throttle": 0, "maxlag": 5, "user": "WikisyncBot", "simulate": False}


def test_dir_names_the_configuration_without_pywikibot_dir_and_log_writes_pywikibot_s_log(dev_wiki, tmp_path):
    source = "Options/dir/All-Hands summary report"
    dev_wiki.edit_as("Editor", source, FIXTURE, "report")
    page_map = project_page_map(tmp_path / "page_map.yaml", source)
    logs = dev_wiki.pywikibot_dir / "logs"
    before = {p: p.stat().st_size for p in logs.glob("*-bot.log")} if logs.exists() else {}
    done = _fresh(["sync", "--map", str(page_map), f"-dir:{dev_wiki.pywikibot_dir}", "-simulate", "-log"], tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "12 to create, 0 to change, 0 unchanged; nothing saved" in done.stdout
    grown = [p for p in logs.glob("*-bot.log") if p.stat().st_size > before.get(p, 0)]
    assert grown, "-log wrote no Pywikibot log file"
    assert dev_wiki.page_text(f"{source}/Themes") is None

    done = _fresh(["sync", "--map", str(page_map), "-user:NoSuchAccount"], tmp_path, dev_wiki.pywikibot_dir,
                  stdin=subprocess.DEVNULL)
    assert done.returncode == 1
    assert "Username 'NoSuchAccount' does not exist" in done.stderr
    assert "Traceback" not in done.stdout + done.stderr


def test_debug_logs_keep_no_password_token_or_cookie_and_are_private(dev_wiki, tmp_path):
    """``-debug`` logs every API request, the login's too: what a log file keeps must be safe to show."""
    import http.cookiejar
    import shutil

    source = "Options/debug/All-Hands summary report"
    dev_wiki.edit_as("Editor", source, FIXTURE, "report")
    page_map = project_page_map(tmp_path / "page_map.yaml", source)
    config = tmp_path / "pywikibot"  # a configuration of its own, without cookies: the run logs in with the password
    shutil.copytree(dev_wiki.pywikibot_dir, config, ignore=shutil.ignore_patterns("apicache*", "logs", "*.lwp", "throttle.ctrl"))
    settings = config / "user-config.py"
    # log files of 16 KB: the run fills several, and each one Pywikibot starts must be as private as the first
    settings.write_text(settings.read_text().replace(str(dev_wiki.pywikibot_dir), str(config))
                        + "\nlogfilesize = 16\nlogfilecount = 50\n")
    done = _fresh(["sync", "--map", str(page_map), "--quiet", "-debug"], tmp_path, config, stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stdout + done.stderr
    assert dev_wiki.page_text(f"{source}/Themes") is not None  # it saved, with the edit token

    files = [path for path in (config / "logs").rglob("*") if path.is_file()]
    assert len(files) > 3, f"-debug wrote no full log file: {files}"
    logged = "\n".join(path.read_text(encoding="utf-8", errors="replace") for path in files)
    assert "lgpassword" in logged and "action=edit" in logged, "the login and the edits were not logged"

    password = next(value for user, value in dev_wiki.accounts.items() if user.startswith("WikisyncBot@"))
    assert password not in logged, "the bot password is in the log"
    # MediaWiki's tokens (login, edit, …) are hex digits and "+\\", raw or URL-encoded; each request's differs
    assert not re.search(r"[0-9a-f]{32}(\+|%2B)(\\|%5C)", logged), "a token is in the log"
    assert re.search(r"lgtoken=\S", logged) and re.search(r"&token=\S", logged), "no token was sent while logging"
    cookies = http.cookiejar.LWPCookieJar(str(next(config.glob("*.lwp"))))
    cookies.load(ignore_discard=True)
    for cookie in cookies:
        assert not cookie.value or len(cookie.value) < 16 or cookie.value not in logged, f"the cookie {cookie.name} is in the log"
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600, f"{path.name}: mode {path.stat().st_mode & 0o777:o}"
