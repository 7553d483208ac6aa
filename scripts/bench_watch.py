"""Watch benchmark: ``wikisync watch`` following the event stream beside polling, on a fresh dev wiki.

    .venv/bin/python scripts/bench_watch.py [--edits 20] [--idle 60] [--interval 2]

The dev wiki is started with ``--events`` (scripts/event-relay serves its recent changes as Server-Sent
Events) and the All-Hands report is published once. Then, for each way of watching (``--events URL``, and
``--poll --interval N``, today's default), one ``wikisync watch`` process is started and caught up, and

* API requests per idle minute: the api.php requests the wiki served (``php -S`` logs each one) while
  nothing was edited, over ``--idle`` seconds, scaled to a minute;
* edit-to-rebuild latency: ``--edits`` edits of one comment of the report, one at a time, each timed from
  the end of the edit's request to the moment its theme page shows the new text (asked every 0.05 s);
  median and max.

Prints a markdown table; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests
import yaml
from bench_editor import Editor

REPO = Path(__file__).resolve().parent.parent
DEV_WIKI = REPO / "scripts" / "dev-wiki"
FIXTURE = (REPO / "tests" / "fixtures" / "all-hands-summary-report.wiki").read_text(encoding="utf-8")
SOURCE = "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"
THEME_PAGE = f"{SOURCE}/Themes/Kindness"
COMMENT = "* We are the ultimate proof"
API_LINE = re.compile(r"\[\d{3}\]: [A-Z]+ /api\.php(?:[?\s]|$)")


class Wiki:
    def __init__(self, root: Path) -> None:
        self.root = root
        done = subprocess.run([sys.executable, str(DEV_WIKI), "start", "--fresh", "--events", "--dir", str(root)],
                              capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"cannot start the dev wiki: {done.stderr.strip() or done.stdout.strip()}")
        self.api_url = f"http://127.0.0.1:{(root / 'port').read_text().strip()}/api.php"
        ports = json.loads((root / "relay.json").read_text())
        self.events = f"http://127.0.0.1:{ports['http']}/v2/stream/recentchange"
        self.env = {**os.environ, "PYWIKIBOT_DIR": str(root / "pywikibot"), "PYTHONUNBUFFERED": "1"}
        self.editor = Editor(self.api_url, root)

    def stop(self) -> None:
        subprocess.run([sys.executable, str(DEV_WIKI), "stop", "--dir", str(self.root)], capture_output=True)

    def edit(self, title: str, text: str) -> None:
        self.editor.edit(title, text, "bench")

    def text(self, title: str) -> str:
        answer = requests.get(self.api_url, params={"action": "query", "prop": "revisions", "titles": title,
                                                    "rvprop": "content", "rvslots": "main", "format": "json",
                                                    "formatversion": "2"}, timeout=30).json()
        page = answer["query"]["pages"][0]
        return "" if "revisions" not in page else page["revisions"][0]["slots"]["main"]["content"]

    def api_requests(self) -> int:
        """api.php requests served so far, once none is open (php -S logs a request when it ends)."""
        log = self.root / "server.log"
        deadline = time.monotonic() + 2
        while True:
            text = log.read_text(encoding="utf-8", errors="replace")
            if text.count(" Accepted\n") == text.count(" Closing\n") or time.monotonic() > deadline:
                return sum(1 for line in text.splitlines() if API_LINE.search(line))
            time.sleep(0.02)


def page_map(folder: Path) -> Path:
    data = yaml.safe_load((REPO / "page_map.yaml").read_text())
    data["templates"] = str(REPO / "templates")
    data.pop("status_page", None)
    data["sources"][0]["page"] = SOURCE
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "page_map.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def measure(wiki: Wiki, map_path: Path, how: list[str], edits: int, idle: float, first: int) -> tuple[float, list[float]]:
    """(API requests per idle minute, latencies in seconds) of one ``wikisync watch`` process."""
    watcher = subprocess.Popen([sys.executable, "-m", "wikisync.cli", "watch", "--map", str(map_path), "--colour", "never", *how],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, text=True,
                               env=wiki.env, cwd=REPO)
    try:
        assert watcher.stdout is not None
        for line in watcher.stdout:
            if "watch: following" in line:
                break
        else:
            sys.exit(f"watch {' '.join(how)} did not start")
        threading.Thread(target=watcher.stdout.read, daemon=True).start()  # drained: a full pipe would stop it
        time.sleep(5)  # caught up, settled
        before = wiki.api_requests()
        time.sleep(idle)
        per_minute = (wiki.api_requests() - before) * 60 / idle
        latencies = []
        for number in range(first, first + edits):
            marker = f"* We are proof number {number}"
            wiki.edit(SOURCE, FIXTURE.replace(COMMENT, marker))
            edited = time.monotonic()
            while marker[2:] not in wiki.text(THEME_PAGE):
                if time.monotonic() - edited > 60:
                    sys.exit(f"watch {' '.join(how)}: edit {number} not rebuilt within 60 s")
                time.sleep(0.05)
            latencies.append(time.monotonic() - edited)
            time.sleep(1)  # apart: each edit its own burst
        return per_minute, latencies
    finally:
        watcher.send_signal(signal.SIGINT)
        try:
            watcher.wait(timeout=30)
        except subprocess.TimeoutExpired:
            watcher.kill()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idleness measured (default 60)")
    parser.add_argument("--interval", type=float, default=2.0, help="polling's --interval (default 2, watch's own)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    rows = []
    with tempfile.TemporaryDirectory(prefix="wikisync-bench-watch-") as tmp:
        root = Path(tmp)
        wiki = Wiki(root / "wiki")
        try:
            map_path = page_map(root / "project")
            done = subprocess.run([sys.executable, "-m", "wikisync.cli", "sync", "--map", str(map_path), "--quiet"],
                                  env=wiki.env, capture_output=True, text=True, cwd=REPO)
            if done.returncode:
                sys.exit(f"the first publish failed: {done.stdout}{done.stderr}")
            ways = [("events", ["--events", wiki.events, "--interval", f"{args.interval:g}"]),
                    (f"polling every {args.interval:g} s", ["--poll", "--interval", f"{args.interval:g}"])]
            for number, (label, how) in enumerate(ways):
                per_minute, latencies = measure(wiki, map_path, how, args.edits, args.idle, number * args.edits)
                rows.append((label, per_minute, latencies))
        finally:
            wiki.stop()
    print("## watch: edit-to-rebuild latency and API requests while idle\n")
    print(f"The All-Hands report (12 pages) on a fresh dev wiki with its event relay; {args.edits} edits one at a time, "
          f"{args.idle:g} s idle.\n")
    print("| watch | latency, median | latency, max | API requests per idle minute |")
    print("| --- | ---: | ---: | ---: |")
    for label, per_minute, latencies in rows:
        print(f"| {label} | {statistics.median(latencies):.2f} s | {max(latencies):.2f} s | {per_minute:.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
