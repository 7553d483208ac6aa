"""wikisync sync against the real dev wiki (see conftest.py): create, no-op, dry run, one-comment edits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from helpers import FIXTURE, THEMES, project_page_map, run_cli

from wikisync.cli import main

pytestmark = pytest.mark.wiki



class Report:
    """One isolated source page on the dev wiki, with a page map of its own."""

    def __init__(self, wiki, tmp_path: Path, name: str) -> None:
        self.wiki = wiki
        self.source = f"Test/{name}/All-Hands summary report"
        self.map = project_page_map(tmp_path / "page_map.yaml", self.source)
        self.overview = f"{self.source}/Themes"
        self.targets = [self.overview] + [f"{self.source}/Themes/{theme}" for theme in THEMES]

    def write_source(self, text: str, summary: str = "report edit") -> int:
        return self.wiki.edit_as("Editor", self.source, text, summary)

    def sync(self, capsys, *extra: str, command: str = "sync") -> tuple[int, str]:
        return run_cli(capsys, self.map, *extra, command=command)

    def revisions(self) -> dict[str, int]:
        return {title: self.wiki.revision_count(title) for title in self.targets}


@pytest.fixture
def report(dev_wiki, tmp_path, request):
    name = re.sub(r"[\W_]+", "-", request.node.name)
    return Report(dev_wiki, tmp_path, name)


def test_first_sync_creates_every_target_as_bot_edits(report, capsys):
    revision = report.write_source(FIXTURE)
    code, out = report.sync(capsys)
    assert code == 0, out
    for title in report.targets:
        info = report.wiki.page_info(title)
        assert info is not None, f"{title} was not created"
        assert info.user == "WikisyncBot"
        assert f"revision {revision}" in info.comment
        assert f"Special:PermanentLink/{revision}|" in report.wiki.page_text(title)
    assert "saved 12 of 12 (12 to create, 0 to change), 0 unchanged" in out
    assert out.count("created ") == 12
    # the overview links every theme page, so it is saved after them (its links are blue at once)
    revisions = {title: report.wiki.page_info(title).revid for title in report.targets}
    assert revisions[report.overview] == max(revisions.values())
    assert f"{report.wiki.url}/index.php" in out
    comments = report.wiki.page_text(f"{report.source}/Themes/Fight for Free Knowledge")
    assert comments.count("\n* ") == 5
    assert "We should stand for anti-censorship." in comments


def test_bot_edits_are_flagged_as_bot(report, capsys):
    report.write_source(FIXTURE)
    assert report.sync(capsys)[0] == 0
    changes = report.wiki.api(action="query", list="recentchanges", rcprop="title|flags|user",
                              rcshow="bot", rclimit="max")["query"]["recentchanges"]
    flagged = {c["title"] for c in changes if c["user"] == "WikisyncBot"}
    assert set(report.targets) <= flagged


def test_second_sync_makes_no_edit(report, capsys):
    report.write_source(FIXTURE)
    assert report.sync(capsys)[0] == 0
    before = report.revisions()
    requests_before = report.wiki.api_request_count()
    code, out = report.sync(capsys)
    requests_used = report.wiki.api_request_count() - requests_before
    assert code == 0, out
    assert report.revisions() == before
    assert "unchanged since revision" in out
    assert requests_used <= 3
    print(f"\nno-op sync after login: {requests_used} API requests")


def test_rebuild_compares_every_page_and_still_edits_nothing_unchanged(report, capsys):
    report.write_source(FIXTURE)
    assert report.sync(capsys)[0] == 0
    before = report.revisions()
    code, out = report.sync(capsys, command="rebuild")
    assert code == 0, out
    assert "saved 0 of 0 (0 to create, 0 to change), 12 unchanged" in out
    assert report.revisions() == before


def test_dry_run_prints_diffs_and_saves_nothing(report, capsys):
    report.write_source(FIXTURE)
    code, out = report.sync(capsys, "--dry-run")
    assert code == 2
    assert "dry run: 12 to create, 0 to change, 0 unchanged; nothing saved" in out
    assert f"+++ {report.source}/Themes/Access (generated)" in out
    assert "+* By some measures, we're the biggest and most impactful" in out
    assert all(report.wiki.page_text(title) is None for title in report.targets)


def test_dry_run_after_publishing_reports_nothing_pending(report, capsys):
    report.write_source(FIXTURE)
    assert report.sync(capsys)[0] == 0
    before = report.revisions()
    code, out = report.sync(capsys, "--dry-run")
    assert code == 0
    assert f"{report.source}: unchanged since revision" in out and "its 12 pages too; nothing to do" in out
    code, out = report.sync(capsys, "--dry-run", command="rebuild")  # compares every page all the same
    assert code == 0
    assert "0 to create, 0 to change, 12 unchanged" in out
    assert report.revisions() == before


def test_editing_one_comment_changes_only_that_theme_page(report, capsys):
    report.write_source(FIXTURE)
    assert report.sync(capsys)[0] == 0
    before = report.revisions()
    old = "* We should stand for anti-censorship."
    new = "* We should stand firmly against censorship."
    assert FIXTURE.count(old) == 1
    revision = report.write_source(FIXTURE.replace(old, new), "reword one comment")

    code, out = report.sync(capsys, "--dry-run")
    assert code == 2
    assert "0 to create, 1 to change, 11 unchanged" in out
    assert "-* We should stand for anti-censorship." in out and "+* We should stand firmly against censorship." in out

    code, out = report.sync(capsys)
    assert code == 0, out
    after = report.revisions()
    changed = {title for title in report.targets if after[title] != before[title]}
    assert changed == {f"{report.source}/Themes/Fight for Free Knowledge"}
    text = report.wiki.page_text(f"{report.source}/Themes/Fight for Free Knowledge")
    assert "We should stand firmly against censorship." in text
    assert f"Special:PermanentLink/{revision}|" in text


def test_adding_a_comment_also_changes_the_overview_count(report, capsys):
    report.write_source(FIXTURE)
    assert report.sync(capsys)[0] == 0
    before = report.revisions()
    anchor = "* We should stand for anti-censorship.\n"
    report.write_source(FIXTURE.replace(anchor, anchor + "* A sixth comment.\n"))
    code, out = report.sync(capsys)
    assert code == 0, out
    after = report.revisions()
    changed = {title for title in report.targets if after[title] != before[title]}
    assert changed == {report.overview, f"{report.source}/Themes/Fight for Free Knowledge"}
    overview = report.wiki.page_text(report.overview)
    row = overview.split("Fight for Free Knowledge]]")[1].split("|-")[0]
    assert "| 6" in row


def test_parse_page_reads_the_wiki(report, capsys):
    revision = report.write_source(FIXTURE)
    assert main(["parse", "--page", report.source]) == 0
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["revision"] == revision
    assert data["title"] == report.source
    assert len(data["themes"]) == 11


def test_missing_source_page_is_a_clear_error(dev_wiki, tmp_path, capsys):
    missing = Report(dev_wiki, tmp_path, "never-written")
    code, out = missing.sync(capsys, "--dry-run")
    assert code == 1
    assert f"{missing.source}: the source page does not exist" in out
    assert "Traceback" not in out


def test_the_bot_password_appears_in_no_output_or_file(report, tmp_path):
    """A full login in a fresh process, a dry run and a sync: the password shows up nowhere."""
    import os
    import shutil
    import subprocess
    import sys

    report.write_source(FIXTURE)
    config = tmp_path / "pywikibot"
    shutil.copytree(report.wiki.pywikibot_dir, config, ignore=shutil.ignore_patterns("*.lwp", "apicache*", "logs"))
    (config / "user-config.py").write_text(
        (config / "user-config.py").read_text().replace(str(report.wiki.pywikibot_dir), str(config))
        + "\nlog = ['*']\n"  # Pywikibot's own log file, with everything in it
    )
    env = {**os.environ, "PYWIKIBOT_DIR": str(config)}
    printed = ""
    for extra in (["--dry-run"], [], ["--dry-run"]):
        done = subprocess.run(
            [sys.executable, "-m", "wikisync.cli", "sync", "--map", str(report.map), *extra, "--colour", "never"],
            capture_output=True, text=True, env=env, timeout=300,
        )
        printed += done.stdout + done.stderr
    assert "saved 12 of 12" in printed
    assert any(config.glob("*.lwp")), "no login cookie: the run did not log in"
    secrets = [password for name, password in report.wiki.accounts.items() if name.startswith("WikisyncBot")]
    files = {path: path.read_bytes() for path in config.rglob("*") if path.is_file() and path.name != "user-password.py"}
    assert any(path.suffix == ".log" for path in files), "Pywikibot wrote no log file to search"
    for secret in secrets:
        assert secret not in printed
        for path, content in files.items():
            assert secret.encode() not in content, f"password found in {path}"


UNKNOWN_VALUE = FIXTURE.replace("* Kindness (human collaboration)", "* Kindess (human collaboration)")


def test_check_errors_stop_the_publish_until_forced(report, capsys):
    report.write_source(UNKNOWN_VALUE)
    code, out = report.sync(capsys)
    assert code == 1
    assert f"{report.source}:208:3: error WS301" in out
    assert "check errors stop the publish" in out
    assert all(report.wiki.page_text(title) is None for title in report.targets)

    code, out = report.sync(capsys, "--force")
    assert code == 0, out
    assert all(report.wiki.page_text(title) is not None for title in report.targets)


def test_dry_run_prints_the_diagnostics_above_the_diff(report, capsys):
    report.write_source(UNKNOWN_VALUE)
    code, out = report.sync(capsys, "--dry-run")
    assert code == 2
    diagnostics_at = out.index("error WS301")
    assert out.index("warning WS201") < out.index("--- create:")
    assert diagnostics_at < out.index("--- create:")
    assert "a real run would stop here (check errors)" in out


def test_declared_aliases_silence_the_drift_warnings_in_a_run(report, capsys):
    import yaml

    data = yaml.safe_load(report.map.read_text())
    data["sources"][0]["aliases"] = {"Content gap": "Content Gap", "Cohesion/integration": "Cohesion",
                                     "Extended eco-system": "Extended Ecosystem",
                                     "Fight for free knowledge": "Fight for Free Knowledge"}
    report.map.write_text(yaml.safe_dump(data))
    report.write_source(FIXTURE)
    code, out = report.sync(capsys, "--dry-run")
    assert "WS302" not in out
    assert "check: 1 warning" in out


def test_a_source_that_is_a_redirect_is_a_clear_error(report, capsys):
    report.write_source("#REDIRECT [[Somewhere else]]")
    code, out = report.sync(capsys, "--dry-run")
    assert code == 1
    assert f"{report.source}: the source page is a redirect; name its target in page_map.yaml" in out
    assert main(["parse", "--page", report.source]) == 1
