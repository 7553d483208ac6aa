"""The corpus page's bar charts, rendered by the real wiki and shown in headless Chromium: in the dry run's
preview, and on the published page, at a desktop's width and a phone's."""

from __future__ import annotations

import json
import os
import re
import shutil

import yaml
from helpers import ROOT, run_cli
from test_preview import chromium, dom

from wikisync.preview import MANIFEST

CORPUS = ROOT / "tests" / "fixtures" / "corpus"
LISTING = yaml.safe_load((CORPUS / "sources.yaml").read_text(encoding="utf-8"))
PREFIX = "Test/Charts/Sources/"
SCREENSHOT = ROOT / "tests" / "data" / "corpus-chart-screenshot.png"
BAR = re.compile(r'<td style="width:\s*([\d.]+)%;[^"]*background-color:\s*#36c[^"]*">\s*</td>\s*<td[^>]*>\s*(\d+)\s*</td>')


def charts(html: str) -> list[list[tuple[float, int]]]:
    """(width in percent, the number beside it) of every bar, chart by chart."""
    found = html.split('class="wikisync-chart"')[1:]
    return [[(float(width), int(count)) for width, count in BAR.findall(chart)] for chart in found]


def test_the_corpus_page_shows_bar_charts_in_the_preview_and_on_the_wiki(dev_wiki, tmp_path, capsys):
    for source in LISTING["sources"]:
        dev_wiki.edit_as("Editor", PREFIX + source["title"], (CORPUS / source["file"]).read_text(encoding="utf-8"), "corpus fixture")
    page_map = tmp_path / "page_map.yaml"
    page_map.write_text((CORPUS / "page_map.yaml").read_text(encoding="utf-8")
                        .replace("templates: ../../../templates", f"templates: {ROOT / 'templates'}")
                        .replace(LISTING["prefix"], PREFIX), encoding="utf-8")
    corpus_page = PREFIX + "Corpus"

    preview = tmp_path / "preview"
    code, out = run_cli(capsys, page_map, "--dry-run", "--preview", str(preview))
    assert code == 2, out
    listed = json.loads((preview / MANIFEST).read_text(encoding="utf-8"))
    shown = dom(preview / next(row["file"] for row in listed["pages"] if row["title"] == corpus_page))
    by_theme, by_track, by_source = charts(shown.partition('<section class="ws-side ws-new">')[2])[:3]
    statements = {s["title"]: s["expected"]["statements"] for s in LISTING["sources"]}
    assert [count for _, count in by_source] == list(statements.values())
    assert [count for _, count in by_track] == [81, 54]  # sources.yaml's by_track participants
    assert sum(count for _, count in by_track) == LISTING["corpus"]["participants"]
    most = max(count for _, count in by_theme)
    assert all(abs(width - 80 * count / most) <= 0.1 for width, count in by_theme)

    code, out = run_cli(capsys, page_map)
    assert code == 0, out
    rendered = dev_wiki.api(action="parse", page=corpus_page, prop="text")["parse"]["text"]
    assert charts(rendered)[2] == by_source  # the wiki keeps every bar's style as the preview showed it

    url = f"http://127.0.0.1:{dev_wiki.port}/index.php?title={corpus_page.replace(' ', '_')}"
    for name, size in (("desktop", "1100,1500"), ("phone", "420,1500")):
        shot = tmp_path / f"corpus-{name}.png"
        done = chromium(f"--window-size={size}", f"--screenshot={shot}", url)
        assert done.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", done.stderr[-2000:]
        if os.environ.get("WIKISYNC_UPDATE_SCREENSHOT"):
            shutil.copy(shot, SCREENSHOT.with_name(f"corpus-chart-{name}.png"))
    phone = chromium("--window-size=420,1500", "--dump-dom", url).stdout
    assert charts(phone)[0] == by_theme

