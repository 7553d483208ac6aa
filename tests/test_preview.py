"""``sync --dry-run --preview DIR``: the pages a run would change, rendered by the wiki, side by side,
checked in a real browser (Debian's chromium, headless)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from helpers import FIXTURE, ROOT, THEMES, project_page_map, run_cli

from wikisync.errors import ConfigError
from wikisync.preview import MANIFEST, blocks, prepare_dir, sanitise

SCREENSHOT = ROOT / "tests" / "data" / "preview-screenshot.png"

NEW_THEME = """=== Openness ===

Openness is how we work: in public, with anyone who wants to join. How do we keep our processes open as we grow?

''What we heard:''
* Decisions should be made where everyone can see them.
* Newcomers need a way in that does not require knowing the history.

"""


def edited_report() -> str:
    text = FIXTURE.replace("== Key Questions For Further Exploration ==", NEW_THEME + "== Key Questions For Further Exploration ==", 1)
    return text.replace("Education is core to our identity.", "Education is at the core of our identity.")


def chromium(*args: str) -> subprocess.CompletedProcess[str]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    assert browser, "Debian's chromium is missing: scripts/setup --browser (run by scripts/test) installs it"
    return subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                          capture_output=True, text=True, timeout=120)


def dom(path: Path) -> str:
    done = chromium("--dump-dom", path.as_uri())
    assert done.returncode == 0 and "<html" in done.stdout, done.stderr[-2000:]
    return done.stdout


def table_rows(html: str) -> list[str]:
    """The data rows (with <td>) of the first wikitable in ``html``."""
    table = re.search(r'<table class="wikitable[^"]*">(.*?)</table>', html, re.S).group(1)
    return [row for row in re.findall(r"<tr[^>]*>(.*?)</tr>", table, re.S) if "<td" in row]


def test_sanitise_keeps_the_text_and_drops_everything_the_browser_would_fetch():
    fragment = ('<div class="mw-parser-output"><p>See <a href="/index.php/Foo" title="Foo">Foo</a> &amp; '
                '<a href="#note">note</a><img src="/images/x.png" alt="A map"></p>'
                '<link rel="stylesheet" href="/load.php?modules=site.styles"><script>fetch("/api.php")</script>'
                '<style>@import url(/load.php);</style><span style="background:url(/x.png)" onclick="x()">kept</span>'
                '<a href="javascript:alert(1)">bad</a><iframe src="/index.php"></iframe></div>')
    clean = sanitise(fragment, "http://wiki.example/index.php/Page")
    assert '<a href="http://wiki.example/index.php/Foo" title="Foo" rel="noreferrer noopener">Foo</a> &amp; ' in clean
    assert '<a href="#note">note</a>' in clean and '<span class="ws-img">[A map]</span>' in clean
    assert "<span>kept</span>" in clean and ">bad</a>" in clean
    for fetching in ("src=", "<link", "<script", "<style", "load.php", "url(", "onclick", "javascript:", "<iframe"):
        assert fetching not in clean, fetching


@pytest.mark.parametrize("root", ['<div class="mw-parser-output">',  # MediaWiki 1.39
                                  '<div class="mw-content-ltr mw-parser-output" lang="en" dir="ltr">'])  # 1.43
def test_blocks_are_the_top_level_elements_of_the_parser_output(root):
    found = blocks(root + '<h2>A</h2>\n<p>one <b>two</b></p>\n<table><tr><td>x</td></tr></table><hr></div>')
    assert found == ["<h2>A</h2>", "<p>one <b>two</b></p>", "<table><tr><td>x</td></tr></table>", "<hr>"]


def test_a_page_in_another_language_is_compared_block_by_block_each_in_its_language_and_direction():
    page = ('<div class="mw-parser-output"><div class="wikisync-notice"><p>generated</p></div>\n'
            '<div lang="ar" dir="rtl" class="mw-content-rtl">\n<div class="wikisync-languages">x</div>\n<h2>عنوان</h2>\n'
            '<p>نص</p>\n</div></div>')
    assert blocks(page) == ['<div class="wikisync-notice"><p>generated</p></div>',
                            '<div lang="ar" dir="rtl"><div class="wikisync-languages">x</div></div>',
                            '<div lang="ar" dir="rtl"><h2>عنوان</h2></div>', '<div lang="ar" dir="rtl"><p>نص</p></div>']


def test_the_preview_folder_must_be_new_empty_or_an_earlier_preview(tmp_path):
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(ConfigError, match="not empty and holds no earlier preview"):
        prepare_dir(tmp_path)
    with pytest.raises(ConfigError, match="not a directory"):
        prepare_dir(tmp_path / "notes.txt")
    earlier = tmp_path / "earlier"
    earlier.mkdir()
    (earlier / "old.html").write_text("x")
    (earlier / MANIFEST).write_text('{"files": ["old.html"], "pages": []}')
    prepare_dir(earlier)
    assert list(earlier.iterdir()) == []
    prepare_dir(tmp_path / "new" / "folder")
    assert (tmp_path / "new" / "folder").is_dir()


def test_preview_renders_what_a_run_would_change_and_a_browser_shows_it(dev_wiki, tmp_path, capsys):
    source = "Preview/All-Hands summary report"
    page_map = project_page_map(tmp_path / "page_map.yaml", source)
    dev_wiki.edit_as("Editor", source, FIXTURE, "report")
    assert run_cli(capsys, page_map, "--quiet")[0] == 0
    overview = f"{source}/Themes"
    revisions = {title: dev_wiki.revision_count(title) for title in (overview, f"{source}/Themes/Education")}
    dev_wiki.edit_as("Editor", source, edited_report(), "a new theme, a reworded summary")

    preview = tmp_path / "preview"
    code, out = run_cli(capsys, page_map, "--dry-run", "--preview", str(preview))
    assert code == 2, out
    assert f"{source}: preview of 3 pages: {preview / 'index.html'}" in out
    assert "1 to create, 2 to change" in out
    assert {title: dev_wiki.revision_count(title) for title in revisions} == revisions
    assert dev_wiki.page_text(f"{source}/Themes/Openness") is None

    files = sorted(p.name for p in preview.glob("*.html"))
    assert "index.html" in files and len(files) == 4
    for path in preview.glob("*.html"):  # self-contained: nothing that makes the browser ask the wiki
        text = path.read_text()
        assert "Content-Security-Policy" in text and "default-src 'none'" in text
        assert not re.search(r"<(script|link|img|iframe)\b|\ssrc=|load\.php|url\(", text), path.name

    index = dom(preview / "index.html")
    rows = re.findall(r'<tr class="ws-page">(.*?)</tr>', index, re.S)
    assert len(rows) == 3
    listed = {re.search(r'<a href="([^"]+)">([^<]+)</a>', row).group(2): row for row in rows}
    assert set(listed) == {overview, f"{source}/Themes/Education", f"{source}/Themes/Openness"}
    assert '<td class="ws-action">create</td>' in listed[f"{source}/Themes/Openness"]
    assert '<td class="ws-action">change</td>' in listed[overview]
    assert re.search(r'<td class="ws-plus">\+\d+</td><td class="ws-minus">−\d+</td>', listed[overview])

    overview_file = preview / re.search(r'<a href="([^"]+)">', listed[overview]).group(1)
    page = dom(overview_file)
    old_side, _, new_side = page.partition('<section class="ws-side ws-new">')
    assert len(table_rows(new_side)) == len(THEMES) + 1, "the new overview has one row per theme"
    assert len(table_rows(old_side)) == len(THEMES)
    assert "Openness" in new_side and "Openness" not in old_side
    assert "Education is at the core of our identity." in new_side and "ws-added" in new_side and "ws-removed" in old_side

    shot = tmp_path / "preview.png"
    done = chromium("--window-size=1400,1100", f"--screenshot={shot}", overview_file.as_uri())
    assert done.returncode == 0 and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", done.stderr[-2000:]
    if os.environ.get("WIKISYNC_UPDATE_SCREENSHOT"):
        shutil.copy(shot, SCREENSHOT)


def index_rows(index: str) -> dict[str, str]:
    """The index's page rows by title."""
    rows = re.findall(r'<tr class="ws-page">(.*?)</tr>', index, re.S)
    return {re.search(r'<a href="[^"]+">([^<]+)</a>', row).group(1): row for row in rows}


def test_a_preview_with_nothing_to_change_still_writes_an_index_that_says_so(dev_wiki, tmp_path, capsys):
    source = "Preview nothing/All-Hands summary report"
    page_map = project_page_map(tmp_path / "page_map.yaml", source)
    dev_wiki.edit_as("Editor", source, FIXTURE, "report")
    assert run_cli(capsys, page_map, "--quiet")[0] == 0

    preview = tmp_path / "preview"
    code, out = run_cli(capsys, page_map, "--dry-run", "--preview", str(preview))
    assert code == 0, out
    assert f"preview: nothing would change in the 1 source looked at: {preview / 'index.html'}" in out
    index = dom(preview / "index.html")
    assert "Nothing would change" in index and not index_rows(index)
    looked_at = re.findall(r'<tr class="ws-source"><td>([^<]+)</td><td class="ws-count">(\d+)</td>', index)
    assert looked_at == [(source, "0")]
    assert sorted(p.name for p in preview.iterdir()) == ["index.html", MANIFEST]


def test_a_preview_of_two_sources_lists_the_pages_of_both(dev_wiki, tmp_path, capsys):
    first, second = "Preview two/First report", "Preview two/Second report"
    page_map = project_page_map(tmp_path / "page_map.yaml", first)
    data = __import__("yaml").safe_load(page_map.read_text())
    data["sources"].append({**data["sources"][0], "page": second})
    page_map.write_text(__import__("yaml").safe_dump(data))
    dev_wiki.edit_as("Editor", first, FIXTURE, "report")
    dev_wiki.edit_as("Editor", second, edited_report(), "report")

    preview = tmp_path / "preview"
    code, out = run_cli(capsys, page_map, "--dry-run", "--preview", str(preview))
    assert code == 2, out
    pages = len(THEMES) + 1
    assert f"preview: {2 * pages + 1} pages from 2 of the 2 sources looked at: {preview / 'index.html'}" in out
    index = dom(preview / "index.html")
    rows = index_rows(index)
    assert len(rows) == 2 * pages + 1
    assert sum(f"<td>{first}</td>" in row for row in rows.values()) == pages
    assert sum(f"<td>{second}</td>" in row for row in rows.values()) == pages + 1
    looked_at = re.findall(r'<tr class="ws-source"><td>([^<]+)</td><td class="ws-count">(\d+)</td>', index)
    assert looked_at == [(first, str(pages)), (second, str(pages + 1))]
    files = {p.name for p in preview.iterdir()}
    assert len(files) == 2 * pages + 1 + 2  # every page, the index, the manifest
