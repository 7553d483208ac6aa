"""Figures for the closing notes: see scripts/bench."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
FIXTURE = REPO / "tests" / "fixtures" / "all-hands-summary-report.wiki"
API_LINE = re.compile(r"\]: [A-Z]+ /api\.php")


def synthetic_report(themes: int) -> str:
    sections = "\n".join(
        f"=== Theme {n} ===\nSummary of theme {n}.\n\nWhat we heard:\n* Comment {n}a.\n* Comment {n}b.\n"
        for n in range(1, themes + 1)
    )
    rows = "\n".join(f"|-\n| Priority {n}\n|\n* Theme {n}" for n in range(1, themes + 1))
    return f"== Key Themes ==\n{sections}\n== Key Questions ==\n'''Which?'''\n{{| class=\"wikitable\"\n! Competing Priorities !! Themes\n{rows}\n|}}\n"


def api_requests(log: Path) -> int:
    return sum(1 for line in log.read_text(errors="replace").splitlines() if API_LINE.search(line))


def timed_run(args: list[str], env: dict[str, str], log: Path) -> tuple[float, int, int]:
    before = api_requests(log)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "wikisync.cli", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    time.sleep(0.3)  # php -S logs a request when it closes
    return elapsed, api_requests(log) - before, done.returncode


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="wikisync-bench-") as tmp:
        root = Path(tmp)
        wiki = root / "wiki"
        subprocess.run([str(REPO / "scripts" / "dev-wiki"), "start", "--fresh", "--dir", str(wiki)], check=True, capture_output=True)
        try:
            env = {**os.environ, "PYWIKIBOT_DIR": str(wiki / "pywikibot")}
            log = wiki / "server.log"
            sources = {"All-Hands report (12 targets)": FIXTURE.read_text(), "499 themes (500 targets)": synthetic_report(499)}
            print(f"{'source':32} {'run':36} {'seconds':>8} {'API requests':>13}")
            for number, (label, text) in enumerate(sources.items()):
                title = f"Bench/{number}/Report"
                page_map = yaml.safe_load((REPO / "page_map.yaml").read_text())
                page_map["templates"] = str(REPO / "templates")
                page_map["sources"][0]["page"] = title
                page_map["sources"][0]["rules"] = {"WS401": "off"}
                map_path = root / f"map{number}" / "page_map.yaml"
                map_path.parent.mkdir()
                map_path.write_text(yaml.safe_dump(page_map))
                source_file = root / f"source{number}.wiki"
                source_file.write_text(text)
                subprocess.run([str(REPO / "scripts" / "dev-wiki"), "start", "--dir", str(wiki), "--import", f"{source_file}={title}"],
                               check=True, capture_output=True)
                state = map_path.parent / ".wikisync" / "state.json"
                runs = [
                    ("first sync (creates every page)", ["sync", "--quiet", "--map", str(map_path)]),
                    ("no-op sync, fresh process", ["sync", "--quiet", "--map", str(map_path)]),
                    ("no-op dry run", ["sync", "--dry-run", "--map", str(map_path)]),
                    ("no-op rebuild (compares every page)", ["rebuild", "--quiet", "--map", str(map_path)]),
                    ("no-op sync, state deleted", ["sync", "--quiet", "--map", str(map_path)]),
                ]
                for name, args in runs:
                    if "state deleted" in name:
                        state.unlink()
                    seconds, requests, code = timed_run(args, env, log)
                    print(f"{label:32} {name:36} {seconds:8.2f} {requests:13d}" + ("" if code in (0, 2) else f"  (exit {code})"))
            print("\nA fresh process reuses Pywikibot's login cookie; each figure includes Pywikibot's own"
                  " userinfo check at start-up.")
        finally:
            subprocess.run([str(REPO / "scripts" / "dev-wiki"), "stop", "--dir", str(wiki)], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
