"""API benchmark (table 2 of issue 11): wikisync beside two plain Pywikibot bots, on a fresh dev wiki.

    scripts/bench [--sizes 11,199,999] [--bots wikisync,naive,preload]

Each size is a source report: the All-Hands fixture (11 themes) and synthetic reports; a report with
T themes makes T + 1 pages (one per theme and the overview). Three bots publish the very same pages:

* ``wikisync``: ``wikisync sync`` with the project's page map (request page and status page included,
  as the scheduled job runs it);
* ``naive``: a plain Pywikibot loop: for each page, ``page.text``, then ``page.save`` if it changed;
* ``preload``: the same loop over ``pywikibot.pagegenerators.PreloadingGenerator``.

The two Pywikibot bots read the source page, parse it and render the pages with wikisync's own
``reading.read_source`` and its ``pages`` (so every bot writes the same text), and decide "changed" with wikisync's
``same_content`` (which ignores the notice naming the source revision, as wikisync does; a bare ``!=``
would rewrite every page after any edit to the source). Each bot has a source page and pages of its
own (``Bench/<bot>/<themes>/…``), so all three start from nothing, and every run is a process of
its own, as under cron. Every scenario is run in that order: the first publish, a no-op, one comment
edited in the source, then 10% of the themes edited (one comment each).

How requests are counted: ``php -S`` logs only the method and path of each request, which cannot
tell an edit from a read. The bench therefore appends to the benchmark wiki's LocalSettings.php
(a throwaway wiki in a temporary directory) a few lines that write one JSON line per api.php request
with its action and query modules, when the request starts. Lines written while a bot's process
ran are its requests:

* writes: ``action=edit``;
* start-up: what Pywikibot does to start a session, the same for all three bots and counted apart:
  ``action=login`` and its token, the ``meta=userinfo`` check it makes when a process starts, and
  the site and API-module information (``siteinfo``, ``paraminfo``) it asks once and then keeps in its
  disk cache. Each bot has its own copy of the Pywikibot directory, made after one shared login, so
  each fills its own cache;
* reads: everything else (page queries, the edit token, ``paraminfo``).

Prints markdown tables; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import requests
import yaml
from bench_editor import Editor

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "all-hands-summary-report.wiki"
DEV_WIKI = REPO / "scripts" / "dev-wiki"
sys.path.insert(0, str(REPO / "tests"))  # the synthetic report generator
BOTS = ("wikisync", "naive", "preload")
SCENARIOS = ("first publish", "no-op", "one comment edited", "10% of themes edited")
REQUESTS = 1000
"""Rebuild requests put on wikisync's request page at the end of each size's runs."""
SUMMARY = "Bot: update generated page from [[{source}]] (revision {revision})"

# Appended to the benchmark wiki's LocalSettings.php: one line per API request, written when it
# starts (so every request of a bot's process is in the file when the process has ended).
REQUEST_LOG_SETTINGS = r"""
# ---- added by scripts/bench.py: one line per API request, to tell reads from writes ----
if ( defined( 'MW_API' ) ) {
	file_put_contents( __DIR__ . '/api-requests.log', json_encode( [
		'method' => $_SERVER['REQUEST_METHOD'] ?? '',
		'action' => $_REQUEST['action'] ?? '',
		'prop' => $_REQUEST['prop'] ?? '', 'list' => $_REQUEST['list'] ?? '', 'meta' => $_REQUEST['meta'] ?? '',
		'type' => $_REQUEST['type'] ?? '', 'titles' => $_REQUEST['titles'] ?? ( $_REQUEST['title'] ?? '' ),
	] ) . "\n", FILE_APPEND | LOCK_EX );
}
"""


# --- the reports ------------------------------------------------------------------------------

def report_text(themes: int) -> str:
    """The source report with ``themes`` themes: the All-Hands fixture at 11, a synthetic one otherwise.
    (The one place that picks the generator, should it move to a shared module.)"""
    from synthetic import synthetic_report

    return FIXTURE.read_text(encoding="utf-8") if themes == 11 else synthetic_report(themes, markup=False)


def edit_comments(text: str, count: int, first: int = 0) -> str:
    """``text`` with the first comment of ``count`` themes reworded, themes spread evenly from ``first``."""
    from wikisync.shapes.themes.parser import parse_themes

    themes = parse_themes(text, "Bench", 1).themes
    lines = text.split("\n")
    for index in sorted({(first + i * len(themes) // count) % len(themes) for i in range(count)}):
        line = themes[index].comments[0].line - 1
        lines[line] = lines[line].rstrip() + " (edited)"
    return "\n".join(lines)


# --- the wiki ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Requests:
    reads: int = 0
    writes: int = 0
    startup: int = 0


def classify(entry: dict) -> str:
    if entry.get("action") == "edit":
        return "write"
    if entry.get("action") in ("login", "paraminfo"):
        return "startup"
    if entry.get("action") == "query" and not (entry.get("prop") or entry.get("list") or entry.get("titles")):
        meta = set(filter(None, str(entry.get("meta", "")).split("|")))
        if meta <= {"userinfo", "siteinfo"} or (meta == {"tokens"} and entry.get("type") == "login"):
            return "startup"
    return "read"


class BenchWiki:
    def __init__(self, root: Path) -> None:
        self.root = root
        done = subprocess.run([str(DEV_WIKI), "start", "--fresh", "--no-import", "--dir", str(root)],
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"cannot start the dev wiki: {done.stderr.strip() or done.stdout.strip()}")
        with (root / "LocalSettings.php").open("a", encoding="utf-8") as settings:
            settings.write(REQUEST_LOG_SETTINGS)
        self.log = root / "api-requests.log"
        self.api_url = f"http://127.0.0.1:{(root / 'port').read_text().strip()}/api.php"
        self.env = {**os.environ, "PYWIKIBOT_DIR": str(root / "pywikibot")}
        deadline = time.monotonic() + 30  # PHP's opcache may take a moment to see the new settings
        while not self.entries():
            if time.monotonic() > deadline:
                sys.exit(f"the dev wiki logs no API requests to {self.log}")
            requests.get(self.api_url, params={"action": "query", "meta": "siteinfo", "format": "json"}, timeout=30)
            time.sleep(0.5)
        self.editor = Editor(self.api_url, root)

    def stop(self) -> None:
        subprocess.run([str(DEV_WIKI), "stop", "--dir", str(self.root)], capture_output=True)

    def edit(self, title: str, text: str, summary: str) -> None:
        """Edit as Editor, the person who writes the report."""
        self.editor.edit(title, text, summary)

    def entries(self) -> list[dict]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text(encoding="utf-8").splitlines() if line.strip()]

    def pywikibot_dir(self, folder: Path) -> Path:
        """A copy of the Pywikibot directory, with its login cookie and its cache as they are now."""
        shutil.copytree(self.root / "pywikibot", folder)
        return folder

    def run(self, command: list[str], pywikibot_dir: Path | None = None) -> tuple[float, Requests, int, str]:
        before = len(self.entries())
        env = {**self.env, "PYWIKIBOT_DIR": str(pywikibot_dir)} if pywikibot_dir else self.env
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True)
        seconds = time.perf_counter() - started
        kinds = [classify(entry) for entry in self.entries()[before:]]
        counted = Requests(kinds.count("read"), kinds.count("write"), kinds.count("startup"))
        if os.environ.get("BENCH_TRACE"):  # what each request was, to see where reads go
            for entry, kind in zip(self.entries()[before:], kinds):
                print(f"  {kind:7} {entry['action']} {entry['prop']} {entry['list']} {entry['meta']} {entry['titles'][:60]}", file=sys.stderr)
            print(f"{' '.join(command[-4:])}: {counted}", file=sys.stderr)
        return seconds, counted, done.returncode, done.stdout + done.stderr


# --- the bots ---------------------------------------------------------------------------------

def page_map_for(folder: Path, source: str, status: str, requests_page: str) -> Path:
    page_map = yaml.safe_load((REPO / "page_map.yaml").read_text())
    page_map["templates"] = str(REPO / "templates")
    page_map["status_page"], page_map["request_page"] = status, requests_page
    page_map["sources"][0]["page"] = source
    page_map["sources"][0]["rules"] = {"WS401": "off"}
    folder.mkdir(parents=True)
    path = folder / "page_map.yaml"
    path.write_text(yaml.safe_dump(page_map, allow_unicode=True), encoding="utf-8")
    return path


def bot_command(bot: str, map_path: Path, *wikisync_args: str) -> list[str]:
    if bot == "wikisync":
        return [sys.executable, "-m", "wikisync.cli", *(wikisync_args or ("sync",)), "--quiet", "--map", str(map_path)]
    return [sys.executable, str(Path(__file__).resolve()), "--bot", bot, "--map", str(map_path)]


def pywikibot_bot(kind: str, map_path: Path) -> int:
    """The naive or the preloading bot: one process, one run over the page map's first source."""
    import pywikibot
    from pywikibot.pagegenerators import PreloadingGenerator

    from wikisync.config import load_page_map
    from wikisync.ownership import stamp
    from wikisync.plan import same_content
    from wikisync.reading import read_source

    site = pywikibot.Site()
    site.login()
    page_map = load_page_map(map_path)
    spec = page_map.sources[0]
    source = pywikibot.Page(site, spec.page)
    text = source.text  # one request: the text and its revision
    revision = source.latest_revision_id
    reading = read_source(text, source.title(), revision, spec, page_map.codebooks)  # parsed as wikisync does
    desired = {page.title: page.text for page in reading.pages(page_map.templates)}  # rendered as wikisync does
    summary = SUMMARY.format(source=spec.page, revision=revision)
    pages = (pywikibot.Page(site, title) for title in desired)
    if kind == "preload":
        pages = PreloadingGenerator(pages)
    saved = 0
    for page in pages:
        new = desired[page.title()]
        current = page.text  # "" for a page that does not exist yet
        if current and same_content(current, new):
            continue
        page.text = stamp(new)
        page.save(summary=summary, minor=False, bot=True, quiet=True)
        saved += 1
    print(f"{kind}: saved {saved} of {len(desired)}")
    return 0


# --- the benchmark ----------------------------------------------------------------------------

@dataclass(frozen=True)
class Result:
    seconds: float
    requests: Requests
    code: int

    def cell(self) -> str:
        flag = "" if self.code in (0, 2) else f" (exit {self.code})"
        return f"{self.requests.reads} / {self.requests.writes} · {self.seconds:.1f} s{flag}"


def bench(wiki: BenchWiki, root: Path, themes: int, bots: dict[str, Path]) -> tuple[dict[str, dict[str, Result]], dict[str, Result], int]:
    original = report_text(themes)
    edited_once = edit_comments(original, 1, first=len(_themes(original)) // 2)
    tenth = max(1, round(len(_themes(original)) / 10))
    edited_tenth = edit_comments(edited_once, tenth)
    results: dict[str, dict[str, Result]] = {}
    extra: dict[str, Result] = {}
    for bot, pywikibot_dir in bots.items():
        prefix = f"Bench/{bot}/{themes}"
        source = f"{prefix}/Report"
        map_path = page_map_for(root / bot / str(themes), source, f"Project:{prefix}/Status", f"Project:{prefix}/Requests")
        results[bot] = {}
        for scenario, text in zip(SCENARIOS, (original, None, edited_once, edited_tenth)):
            if text is not None:
                wiki.edit(source, text, scenario)
            seconds, counted, code, output = wiki.run(bot_command(bot, map_path), pywikibot_dir)
            results[bot][scenario] = Result(seconds, counted, code)
            if code not in (0, 2):
                print(f"{bot} at {themes} themes, {scenario}: exit {code}\n{output[-2000:]}", file=sys.stderr)
        if bot == "wikisync":
            state = map_path.parent / ".wikisync" / "state.json"
            for label, args in (("no-op dry run", ("sync", "--dry-run")), ("no-op rebuild (compares every page)", ("rebuild",)),
                                ("no-op, state deleted", ("sync",))):
                if "state deleted" in label:
                    state.unlink()
                seconds, counted, code, _ = wiki.run(bot_command(bot, map_path, *args), pywikibot_dir)
                extra[label] = Result(seconds, counted, code)
            # anyone autoconfirmed may add requests by the thousand: answering them must stay linear (< 10 s)
            wiki.edit(f"Project:{prefix}/Requests", f"* {{{{wikisync request|{source}}}}} ~~~~\n" * REQUESTS, "requests")
            seconds, counted, code, _ = wiki.run(bot_command(bot, map_path), pywikibot_dir)
            extra[f"{REQUESTS:,} rebuild requests answered (target < 10 s)"] = Result(seconds, counted, code)
    return results, extra, len(_themes(original)) + 1


def _themes(text: str):
    from wikisync.shapes.themes.parser import parse_themes

    return parse_themes(text, "Bench", 1).themes


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "unknown CPU")
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}"


def targets_met(pages: int, rows: dict[str, Result]) -> list[str]:
    """Issue 11's API figures for wikisync: reads and writes after Pywikibot's start-up requests."""
    first, noop, one = rows["first publish"].requests, rows["no-op"].requests, rows["one comment edited"].requests
    status = 1  # the status page: wikisync reports each run that changed something there
    checks = [
        (f"no-op ≤ 2 requests: {noop.reads + noop.writes}", noop.reads + noop.writes <= 2),
        (f"first publish writes = pages (+ the status page): {first.writes} for {pages} pages", first.writes == pages + status),
        (f"first publish reads ≤ ⌈N/500⌉ + 3 = {math.ceil(pages / 500) + 3}: {first.reads}", first.reads <= math.ceil(pages / 500) + 3),
        (f"one changed theme: 1 write (+ the status page): {one.writes}", one.writes == 1 + status),
        (f"one changed theme: ≤ 5 reads: {one.reads}", one.reads <= 5),
    ]
    return [f"{'met' if ok else 'NOT met'}: {text}" for text, ok in checks]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="11,199,999", help="themes per report (11 is the All-Hands fixture)")
    parser.add_argument("--bots", default=",".join(BOTS))
    parser.add_argument("--bot", choices=BOTS[1:], help=argparse.SUPPRESS)
    parser.add_argument("--map", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.bot:
        return pywikibot_bot(args.bot, args.map)
    sizes = [int(size) for size in args.sizes.split(",")]
    bots = [bot for bot in args.bots.split(",") if bot]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the wiki and remove its files on a kill too
    with tempfile.TemporaryDirectory(prefix="wikisync-bench-") as tmp:
        root = Path(tmp)
        wiki = BenchWiki(root / "wiki")
        try:
            # one login for the Pywikibot directory that every bot shares: no bot pays for it
            wiki.run([sys.executable, "-c", "import pywikibot; pywikibot.Site().login()"])
            dirs = {bot: wiki.pywikibot_dir(root / "pywikibot" / bot) for bot in bots}
            tables = [(themes, *bench(wiki, root, themes, dirs)) for themes in sizes]
        finally:
            wiki.stop()
    print(f"## API: requests (reads / writes) and wall time, one process per run\n\nMachine: {machine()}\n")
    print("| pages | bot | " + " | ".join(SCENARIOS) + " |")
    print("| --- | --- |" + " ---: |" * len(SCENARIOS))
    startup = set()
    for themes, results, _, pages in tables:
        for bot, rows in results.items():
            label = f"{pages} (All-Hands)" if themes == 11 else str(pages)
            print(f"| {label} | {bot} | " + " | ".join(rows[s].cell() for s in SCENARIOS) + " |")
            startup.update(rows[s].requests.startup for s in SCENARIOS)
    print(f"\nReads and writes are counted after Pywikibot's start-up requests ({min(startup)} to {max(startup)} a process: "
          "its userinfo check, and its one-off siteinfo and paraminfo queries; every process reuses one saved login).\n"
          "wikisync's writes include its status page, edited after each run that changed something.")
    if "wikisync" in bots:
        print("\n### wikisync's other runs: with nothing to do, and with rebuild requests\n")
        print("| pages | run | reads / writes · time |\n| --- | --- | ---: |")
        for _themes, _, extra, pages in tables:
            for label, result in extra.items():
                print(f"| {pages} | {label} | {result.cell()} |")
        print("\n### Issue 11's API figures (wikisync)\n")
        for _themes, results, _, pages in tables:
            print(f"{pages} pages:")
            for line in targets_met(pages, results["wikisync"]):
                print(f"  - {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
