import json
from pathlib import Path

import pytest
import yaml

from wikisync.cli import main

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "all-hands-summary-report.wiki"


def test_parse_prints_json(capsys):
    assert main(["parse", str(FIXTURE), "--title", "Report"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["title"] == "Report"
    assert len(data["themes"]) == 11
    assert sum(len(t["comments"]) for t in data["themes"]) == 41
    assert len(data["priorities"]) == 6 and len(data["questions"]) == 5


def test_parse_prints_yaml_with_the_same_data(capsys):
    main(["parse", str(FIXTURE)])
    as_json = json.loads(capsys.readouterr().out)
    assert main(["parse", str(FIXTURE), "--format", "yaml"]) == 0
    assert yaml.safe_load(capsys.readouterr().out) == as_json


def test_missing_file_is_an_error_message_not_a_traceback(capsys, tmp_path):
    assert main(["parse", str(tmp_path / "missing.wiki")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("wikisync: error: ") and "missing.wiki" in err
    assert "Traceback" not in err


def test_binary_file_is_an_error_message(capsys, tmp_path):
    path = tmp_path / "binary.wiki"
    path.write_bytes(b"\xff\xfe\x00bad")
    assert main(["parse", str(path)]) == 1
    assert "binary.wiki: cannot read" in capsys.readouterr().err


def test_sync_with_a_missing_page_map_names_it(capsys, tmp_path):
    assert main(["sync", "--dry-run", "--map", str(tmp_path / "nope.yaml")]) == 1
    assert "nope.yaml: not found" in capsys.readouterr().err


BROKEN = """== Key Themes ==
=== Access ===
Summary.
What we heard:
* A comment.
== Key Questions ==
{| class="wikitable"
! Competing Priorities !! Themes
|-
| Reach
|
* Acess
|}
"""


def test_check_prints_compiler_style_diagnostics_sorted_by_line(capsys):
    assert main(["check", str(FIXTURE), "--map", "/nonexistent/page_map.yaml"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == f"{FIXTURE}: 5 warnings"
    assert lines[0] == (
        f'{FIXTURE}:56:1: warning WS201 theme "Education" is named by no row of the Competing Priorities table'
        " (hint: list it under one of the priorities)"
    )
    numbers = [int(line.split(":")[1]) for line in lines[:-1]]
    assert numbers == sorted(numbers) == [56, 196, 206, 207, 213]


def test_check_strict_fails_on_warnings(capsys):
    assert main(["check", str(FIXTURE), "--strict", "--map", "/nonexistent/page_map.yaml"]) == 1


def test_check_json(capsys):
    assert main(["check", str(FIXTURE), "--format", "json", "--map", "/nonexistent/page_map.yaml"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in found] == ["WS201", "WS302", "WS302", "WS302", "WS302"]
    assert list(found[1]) == ["code", "severity", "line", "column", "message", "theme", "hint"]
    assert found[1]["theme"] == "Content Gap" and found[1]["line"] == 196 and found[1]["column"] == 3


def test_check_errors_exit_1_with_the_line(capsys, tmp_path):
    path = tmp_path / "broken.wiki"
    path.write_text(BROKEN)
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}:12:3: error WS301" in out
    assert "Traceback" not in out


def test_check_takes_aliases_and_rules_from_the_page_map(capsys, tmp_path):
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text(
        "sources:\n"
        "  - page: Report\n"
        "    aliases: {'Extended eco-system': 'Extended Ecosystem', 'Content gap': 'Content Gap'}\n"
        "    rules: {WS201: off}\n"
        "    targets: [{title: '{source}/x', template: t.j2}]\n"
    )
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "t.j2").write_text("x")
    assert main(["check", str(FIXTURE), "--title", "Report", "--map", str(page_map), "--format", "json"]) == 0
    found = json.loads(capsys.readouterr().out)
    assert [(d["code"], d["theme"]) for d in found] == [("WS302", "Cohesion"), ("WS302", "Fight for Free Knowledge")]


def test_check_rejects_an_unknown_rule_in_the_page_map(capsys, tmp_path):
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text("sources:\n  - page: Report\n    rules: {WS999: off}\n    targets: [{title: x, template: t.j2}]\n")
    assert main(["check", str(FIXTURE), "--title", "Report", "--map", str(page_map)]) == 1
    assert "WS999" in capsys.readouterr().err


def run_in_fresh_process(tmp_path, pywikibot_dir, *args):
    import os
    import subprocess
    import sys

    env = {**os.environ, "PYWIKIBOT_DIR": str(pywikibot_dir)}
    return subprocess.run([sys.executable, "-m", "wikisync.cli", *args], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)


def test_sync_without_a_pywikibot_config_refuses_to_guess_a_wiki(tmp_path):
    (tmp_path / "empty").mkdir()
    done = run_in_fresh_process(tmp_path, tmp_path / "empty", "sync", "--dry-run",
                                "--map", str(Path(__file__).parent.parent / "page_map.yaml"))
    assert done.returncode == 1
    assert "no user-config.py" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_an_unreachable_wiki_is_one_clear_error_without_tracebacks(tmp_path):
    import socket

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    config = tmp_path / "pywikibot"
    config.mkdir()
    (config / "user-config.py").write_text(
        f"family_files['gone'] = 'http://127.0.0.1:{port}/api.php'\nfamily = 'gone'\nmylang = 'gone'\n"
        "max_retries = 1\nretry_wait = 0\n"
    )
    done = run_in_fresh_process(tmp_path, config, "sync", "--dry-run",
                                "--map", str(Path(__file__).parent.parent / "page_map.yaml"))
    assert done.returncode == 1
    assert "wikisync: error: cannot reach" in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


STATEMENTS = ROOT / "tests" / "fixtures" / "statements"
STATEMENT_MAP = STATEMENTS / "page_map.yaml"


@pytest.mark.parametrize("name", ["cycle1", "cycle2", "cycle2-trimmed", "cycle3", "drafting", "messy"])
def test_parse_and_check_read_every_statement_fixture_as_the_page_map_says(capsys, name):
    from wikisync.config import load_page_map
    from wikisync.shapes.statements.parser import parse_statements
    from wikisync.shapes.statements.rules import check_statements

    title = f"Strategy/Sources/{name}"
    spec = load_page_map(STATEMENT_MAP).source(title)
    assert main(["parse", str(STATEMENTS / f"{name}.wiki"), "--title", title, "--map", str(STATEMENT_MAP)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["shape"] == "statements" and data["statements"]
    assert all(s["id"].startswith(f"§{spec.code}.") for s in data["statements"])
    assert len({s["id"] for s in data["statements"]}) == len(data["statements"])

    code = main(["check", str(STATEMENTS / f"{name}.wiki"), "--title", title, "--map", str(STATEMENT_MAP), "--format", "json"])
    found = json.loads(capsys.readouterr().out)
    codebook = load_page_map(STATEMENT_MAP).codebooks.get(spec.codebook or "")
    direct = check_statements(parse_statements((STATEMENTS / f"{name}.wiki").read_text(), title, None, codebook=codebook,
                                               code=spec.code), rules=spec.rules)
    assert found == [d.to_dict() for d in direct]
    assert code == (1 if any(d.severity == "error" for d in direct) else 0)
    if name == "cycle2-trimmed":  # digits on a trimmed key resolve by label against the codebook
        assert {c for s in data["statements"] for c in s["codes"]["theme"]} <= {"A", "E"}


def test_the_shape_option_reads_a_statement_page_without_a_page_map(capsys, tmp_path):
    assert main(["check", str(STATEMENTS / "messy.wiki"), "--shape", "statements", "--map", str(tmp_path / "none.yaml")]) == 0
    out = capsys.readouterr().out
    assert " warning WS502 line number 3 is used again" in out and "messy.wiki: 7 warnings" in out


def test_parse_and_check_of_a_file_load_no_renderer_nor_wiki_library(tmp_path):
    import subprocess
    import sys

    probe = ("import sys\nfrom wikisync.cli import main\n"
             f"main(['check', {str(FIXTURE)!r}])\nmain(['parse', {str(FIXTURE)!r}])\n"
             "print(sorted({m.split('.')[0] for m in sys.modules} & {'jinja2', 'pywikibot', 'requests', 'pydantic'}))")
    done = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def test_parse_and_check_take_a_prefix_sources_settings_from_the_page_map(capsys, tmp_path):
    """A page that only a sources_from prefix names is read with the prefix's shape and code."""
    corpus = Path(__file__).parent / "fixtures" / "corpus"
    page = tmp_path / "page.wiki"
    page.write_text((corpus / "Saltmarsh-Cycle2.wiki").read_text(encoding="utf-8"), encoding="utf-8")
    title = "Strategy/Wikimedia movement/2017/Sources/Unlisted Group"
    assert main(["parse", str(page), "--title", title, "--map", str(corpus / "page_map.yaml")]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["shape"] == "statements" and data["statements"][0]["id"] == "§UnlistedGroup.1"
    assert main(["check", str(page), "--title", "Elsewhere/Unlisted", "--map", str(corpus / "page_map.yaml")]) == 1
    assert "WS100" in capsys.readouterr().out  # outside the prefix: read as a narrative, which it is not


@pytest.mark.parametrize("command", [["parse"], ["parse", "--format", "yaml"], ["check"], ["check", "small"]])
def test_a_reader_that_stops_early_gets_no_traceback(tmp_path, command):
    """``wikisync parse FILE | head``: the reader closes the pipe before wikisync writes; Python's
    documented answer is to stop quietly (stdout onto devnull, so nothing is flushed at shutdown) and exit 1."""
    import os
    import subprocess
    import sys

    script = Path(sys.executable).parent / "wikisync"
    report = FIXTURE
    if command[1:] == ["small"]:  # output small enough to wait in the buffer until Python flushes it at exit
        report, command = tmp_path / "small.wiki", command[:1]
        report.write_text("== Key Themes ==\n", encoding="utf-8")
    buffered = {key: value for key, value in os.environ.items() if key != "PYTHONUNBUFFERED"}
    for program, env in (([sys.executable, "-m", "wikisync.cli"], buffered), ([str(script)], buffered),
                         ([str(script)], {**buffered, "PYTHONUNBUFFERED": "1"})):
        reader, writer = os.pipe()
        os.close(reader)  # the reader has gone before the first line is written
        try:
            done = subprocess.run([*program, command[0], str(report), *command[1:]], stdout=writer,
                                  stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, cwd=tmp_path, env=env, text=True, timeout=60)
        finally:
            os.close(writer)
        assert done.stderr == "", done.stderr
        assert done.returncode == 1, (program, env.get("PYTHONUNBUFFERED"))
