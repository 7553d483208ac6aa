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


JOBS_SCHEMA = Path(__file__).resolve().parent / "data" / "toolforge-jobs.schema.json"


def jobs_validator():
    import json

    from jsonschema import Draft202012Validator

    schema = json.loads(JOBS_SCHEMA.read_text())
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def test_toolforge_jobs_file_follows_the_toolforge_jobs_schema():
    jobs = yaml.safe_load((SCHEDULES / "jobs.yaml").read_text())
    errors = [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in jobs_validator().iter_errors(jobs)]
    assert not errors, errors
    names = [job["name"] for job in jobs]
    assert len(names) == len(set(names)), "two jobs share a name: the second replaces the first"


@pytest.mark.parametrize("change, why", [
    ({"filelog": True}, "not a key the loader knows (it is no-filelog)"),
    ({"emails": "onerror"}, "emails is none, all, onfinish or onfailure"),
    ({"continuous": True}, "a job is scheduled or continuous, not both"),
    ({"retry": 9}, "at most 5 retries"),
    ({"name": "Wikisync_Sync"}, "a Kubernetes name"),
    ({"mem": "lots"}, "memory like 512Mi"),
])
def test_the_jobs_schema_refuses_what_toolforge_would_not_take(change, why):
    job = scheduled_job()
    assert not jobs_validator().is_valid([{**job, **change}]), why
    missing = {key: value for key, value in job.items() if key != "image"}
    assert not jobs_validator().is_valid([missing]), "image is required"


def scheduled_job() -> dict:
    (job,) = [job for job in yaml.safe_load((SCHEDULES / "jobs.yaml").read_text()) if "schedule" in job]
    return job


def test_toolforge_jobs_file():
    job = scheduled_job()
    assert {"name", "command", "image", "schedule"} <= set(job)
    fields = job["schedule"].split()
    assert len(fields) == 5 and all(CRON_FIELD.match(f) for f in fields)
    assert_valid_command(wikisync_arguments(job["command"]))


def test_toolforge_watch_job_is_continuous_and_runs_watch_on_the_wiki_s_stream():
    (job,) = [job for job in yaml.safe_load((SCHEDULES / "jobs.yaml").read_text()) if job.get("continuous")]
    parsed = _parser().parse_args(wikisync_arguments(job["command"]))
    assert parsed.command == "watch" and not parsed.poll and parsed.events is None  # Meta's EventStreams
    assert job["filelog-stdout"] != scheduled_job()["filelog-stdout"]
    assert not jobs_validator().is_valid([{**job, "schedule": "* * * * *"}]), "continuous and scheduled at once"


def test_crontab_line():
    text = (SCHEDULES / "wikisync.cron").read_text()
    lines = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    (line,) = lines
    fields = line.split(None, 5)
    assert all(CRON_FIELD.match(f) for f in fields[:5])
    assert_valid_command(wikisync_arguments(fields[5]))
    # the comment says where the output goes, and that is where the line sends it
    comment = " ".join(line.lstrip("# ") for line in text.splitlines() if line.startswith("#"))
    (log,) = set(re.findall(r">> (\S+)", line))
    assert log in comment and "--quiet" in comment
    assert "mails" in comment


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


def test_user_config_example_shows_the_owner_only_oauth_consumer_beside_the_bot_password():
    import collections

    text = (Path(__file__).resolve().parent.parent / "user-config.py.example").read_text()
    namespace = {"usernames": collections.defaultdict(dict), "authenticate": {}}
    exec(compile(text, "user-config.py.example", "exec"), namespace)
    assert namespace["password_file"] == "user-password.py"
    # the OAuth lines, uncommented, are what Pywikibot's `authenticate` takes: host -> four tokens
    block = re.search(r"^# (authenticate\[.*?^# \))$", text, re.M | re.S).group(1)
    exec("\n".join(line.removeprefix("# ") for line in block.splitlines()), namespace)
    (host, tokens), = namespace["authenticate"].items()
    assert host == "meta.wikimedia.org"
    assert isinstance(tokens, tuple) and len(tokens) == 4 and all(isinstance(t, str) for t in tokens)
    assert "Special:OAuthConsumerRegistration/propose/oauth1a" in text
    assert "owner-only" in text.lower() and "chmod 600" in text
