import json
from pathlib import Path

import yaml

from wikisync.cli import main

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
