"""The schedule files under scripts/schedules parse, and the command each runs is a valid wikisync command."""

from __future__ import annotations

import configparser
import re
import shlex
from pathlib import Path

import pytest
import yaml

from wikisync.cli import _parser

SCHEDULES = Path(__file__).resolve().parent.parent / "scripts" / "schedules"
CRON_FIELD = re.compile(r"^(\*|\*/\d+|\d+(-\d+)?(,\d+(-\d+)?)*)$")


def wikisync_arguments(command: str) -> list[str]:
    """The arguments given to the wikisync executable inside a shell command line."""
    words = shlex.split(command.replace("&&", " && "))
    start = next(i for i, word in enumerate(words) if word.endswith("bin/wikisync") or word == "wikisync")
    arguments = []
    for word in words[start + 1:]:
        if word in ("&&", ">>", ">", "2>&1", "|"):
            break
        arguments.append(word)
    return arguments


def assert_valid_command(arguments: list[str]) -> None:
    parsed = _parser().parse_args(arguments)
    assert parsed.command == "sync"
    assert not parsed.dry_run
    assert parsed.quiet


def test_toolforge_jobs_file():
    jobs = yaml.safe_load((SCHEDULES / "jobs.yaml").read_text())
    (job,) = jobs
    assert {"name", "command", "image", "schedule"} <= set(job)
    fields = job["schedule"].split()
    assert len(fields) == 5 and all(CRON_FIELD.match(f) for f in fields)
    assert_valid_command(wikisync_arguments(job["command"]))


def test_crontab_line():
    lines = [l for l in (SCHEDULES / "wikisync.cron").read_text().splitlines() if l.strip() and not l.startswith("#")]
    (line,) = lines
    fields = line.split(None, 5)
    assert all(CRON_FIELD.match(f) for f in fields[:5])
    assert_valid_command(wikisync_arguments(fields[5]))


def test_systemd_service_and_timer():
    service = configparser.ConfigParser(interpolation=None)
    service.read(SCHEDULES / "wikisync.service")
    assert service["Service"]["Type"] == "oneshot"
    assert_valid_command(wikisync_arguments(service["Service"]["ExecStart"]))
    timer = configparser.ConfigParser(interpolation=None)
    timer.read(SCHEDULES / "wikisync.timer")
    assert timer["Timer"]["OnCalendar"]
    assert timer["Install"]["WantedBy"] == "timers.target"


@pytest.mark.parametrize("name", ["jobs.yaml", "wikisync.cron", "wikisync.service"])
def test_no_schedule_holds_a_secret(name):
    text = (SCHEDULES / name).read_text()
    assert not re.search(r"(?i)(password|token|secret)\s*[=:]", text)
