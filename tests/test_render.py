from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wikisync.config import load_page_map
from wikisync.pages import split_notice
from wikisync.render import escape_wikitext, excerpt, render
from wikisync.shapes.themes.parser import parse_themes, plain_text
from wikisync.titles import theme_title, title_problem

ROOT = Path(__file__).resolve().parent.parent
SOURCE = "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"


@pytest.fixture(scope="module")
def page_map():
    return load_page_map(ROOT / "page_map.yaml")


@pytest.fixture(scope="module")
def report():
    return parse_themes((ROOT / "tests/fixtures/all-hands-summary-report.wiki").read_text(encoding="utf-8"), SOURCE, 1234)


@pytest.fixture(scope="module")
def pages(page_map, report):
    return {p.title: p for p in render(report, page_map.sources[0], page_map.templates)}


def test_one_overview_and_one_page_per_theme(pages, report):
    assert len(pages) == 12
    assert f"{SOURCE}/Themes" in pages
    for theme in report.themes:
        assert f"{SOURCE}/Themes/{theme.name}" in pages


def test_every_page_names_its_source_revision(pages):
    for page in pages.values():
        notice, body = split_notice(page.text)
        assert "[[Special:PermanentLink/1234|" in notice
        assert f"[[{SOURCE}]]" in notice
        assert "1234" not in body


def test_overview_has_a_row_per_theme_with_counts_and_priorities(pages, report):
    body = split_notice(pages[f"{SOURCE}/Themes"].text)[1]
    rows = body.split("\n|-\n")[1:]
    assert len(rows) == 11
    for row, theme in zip(rows, report.themes):
        cells = [line[2:] for line in row.split("\n") if line.startswith("| ")]
        assert cells[0] == f"[[{SOURCE}/Themes/{theme.name}|{theme.name}]]"
        assert cells[2] == f'style="text-align:right" | {len(theme.comments)}'
    assert 'class="wikitable sortable"' in body
    by_theme = {r.split("|")[2].split("]]")[0]: r.strip().split("\n")[-1] for r in rows}
    assert by_theme["Extended Ecosystem"] == "| Increase human collaboration"
    assert by_theme["Cohesion"] == "| Increase human collaboration"
    assert by_theme["Education"] == "| —"


def test_theme_page_lists_every_comment_of_its_theme(pages, report):
    for theme in report.themes:
        body = split_notice(pages[f"{SOURCE}/Themes/{theme.name}"].text)[1]
        bullets = [line[2:] for line in body.split("\n") if line.startswith("* ")]
        assert [plain_text(b) for b in bullets] == [c.text for c in theme.comments]
        assert plain_text(theme.summary) in plain_text(body)


def test_a_missing_template_is_an_error_for_every_page_it_makes(page_map, report, tmp_path):
    pages = render(report, page_map.sources[0], tmp_path)
    assert pages and all(p.text == "" and p.error.endswith("notice.wiki.j2: template not found") for p in pages)


def templates_with(tmp_path, **overrides: str):
    for path in (ROOT / "templates").glob("*.j2"):
        (tmp_path / path.name).write_text(overrides.get(path.name.split(".")[0], path.read_text()))
    return tmp_path


def test_template_syntax_error_names_file_and_line_and_the_other_pages_render(page_map, report, tmp_path):
    pages = render(report, page_map.sources[0], templates_with(tmp_path, overview="ok\n{% for x in %}\n"))
    overview, *themes = pages
    assert re.search(r"overview.wiki.j2:2: ", overview.error) and overview.text == ""
    assert themes and all(p.error is None and p.text for p in themes)


@pytest.mark.parametrize(
    "body, message",
    [
        ("line\n{{ nothing_here }}\n", r"overview.wiki.j2:2: 'nothing_here' is undefined"),
        ("a\nb\n{{ themes + 1 }}\n", r"overview.wiki.j2:3: TypeError: "),
        ("{% include 'gone.j2' %}\n", r"overview.wiki.j2:1: .*gone.j2: template not found"),
        ("{% macro m() %}{{ m() }}{% endmacro %}{{ m() }}", r"overview.wiki.j2: the template recurses without end"),
        ("signed ~~~~\n", r"overview.wiki.j2: the page would contain '~~~'"),
    ],
    ids=["undefined", "type error", "missing include", "recursion", "rewritten on save"],
)
def test_template_runtime_errors_are_that_pages_error_with_file_and_line(page_map, report, tmp_path, body, message):
    overview, *themes = render(report, page_map.sources[0], templates_with(tmp_path, overview=body))
    assert overview.error and re.search(message, overview.error), overview.error
    assert all(p.error is None for p in themes)


def test_a_template_that_is_not_utf8_is_named(page_map, report, tmp_path):
    templates_with(tmp_path)
    (tmp_path / "overview.wiki.j2").write_bytes(b"caf\xe9\n")
    overview = render(report, page_map.sources[0], tmp_path)[0]
    assert overview.error.endswith("overview.wiki.j2: not UTF-8 text (byte 3)")


@pytest.mark.parametrize(
    "name, title",
    [
        ("Access", "S/Themes/Access"),
        ("Cohesion/integration", "S/Themes/Cohesion-integration"),
        ("A [[link]] | pipe", "S/Themes/A -link- - pipe"),
        ("  #hash  ", "S/Themes/hash"),
        ("{{}}", "S/Themes/Untitled"),
        ("Bad\ufffdbyte", "S/Themes/Bad-byte"),
        ("Tab\there\u200e", "S/Themes/Tab-here"),
        ("No\u00a0break", "S/Themes/No break"),
    ],
)
def test_theme_titles_are_safe(name, title):
    assert theme_title("{source}/Themes/{theme}", "S", name) == title
    assert title_problem(title) is None


def test_long_theme_names_that_differ_only_at_the_end_get_distinct_stable_titles():
    first, second = "x" * 300 + " one", "x" * 300 + " two"
    titles = {theme_title("{source}/Themes/{theme}", "S", name) for name in (first, second)}
    assert len(titles) == 2
    assert all(len(t.encode()) <= 255 and title_problem(t) is None for t in titles)
    assert theme_title("{source}/Themes/{theme}", "S", first) == theme_title("{source}/Themes/{theme}", "S", first)
    assert theme_title("{source}/Themes/{theme}", "S", "é" * 200).encode().__len__() <= 255


def test_excerpt_prefers_the_first_sentence():
    assert excerpt("One. Two.") == "One."
    long = "word " * 60
    cut = excerpt(long, 50)
    assert cut.endswith("…") and len(cut) <= 51


@pytest.mark.parametrize(
    "text",
    ["a | b || c", "{{tpl}}", "[[Category:X]]", "''it''", "'''b'''", "<nowiki>", "</translate>", "= H =", "{| x", "|}", "~~~~", "__NOTOC__", "* bullet", "&amp;", "! head"],
)
def test_escaped_text_reads_back_as_itself(text):
    assert plain_text(escape_wikitext(text)) == text


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zs", "Zl", "Zp")), max_size=40))
def test_escape_round_trip(text):
    escaped = escape_wikitext(text)
    assert not re.search(r"\[\[|\{\{|\|", escaped)
    assert plain_text(escaped) == " ".join(text.split())


# -- the fast paths write what the plain implementations write -----------------------------------------


def _escape_as_before(text: str) -> str:
    """escape_wikitext as it was before its fast path."""
    from wikisync.render import _LINE_START, _MARKUP, _references

    text = str(text)
    if "\n" not in text and not text.startswith(_LINE_START) and _MARKUP.search(text) is None:
        return text
    lines = _MARKUP.sub(lambda m: _references(m.group(0)), str(text)).split("\n")
    return "\n".join(_references(line[0]) + line[1:] if line.startswith(_LINE_START) else line for line in lines)


@given(st.text(alphabet=st.sampled_from(list("ab \n'~_&#;<>[]{}|*:=!-x1")) | st.characters(), max_size=40))
def test_escape_wikitext_as_before(text: str) -> None:
    assert escape_wikitext(text) == _escape_as_before(text)


_JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(alphabet=st.characters() | st.sampled_from(list("<>&\"\\\t\n"))),
    lambda children: st.lists(children, max_size=4) | st.tuples(children, children)
    | st.dictionaries(st.text(max_size=5) | st.integers() | st.booleans() | st.none(), children, max_size=4),
    max_leaves=20,
)


@given(st.dictionaries(st.text(max_size=8), _JSON_VALUES, max_size=5))
def test_data_pages_are_written_as_dump_data_writes_them(data: dict) -> None:
    from wikisync.jsontext import _dump_plain, dump_data

    assert dump_data(data) == _dump_plain(data)


def test_data_page_of_a_large_report_as_dump_data_writes_it(page_map) -> None:
    from synthetic import synthetic_report

    from wikisync.jsontext import _dump_plain, dump_data
    from wikisync.render import source_data

    data = source_data(parse_themes(synthetic_report(300), SOURCE, 9), page_map.sources[0])
    assert dump_data(data) == _dump_plain(data)


def _excerpt_as_before(text: str, limit: int = 160) -> str:
    text = " ".join(str(text).split())
    sentence = re.match(r"^(.+?[.!?])(\s|$)", text)
    if sentence and len(sentence.group(1)) <= limit:
        return sentence.group(1)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


@given(st.text(alphabet=st.sampled_from(list("ab .!?,;:\n\t\u00a0\u2028x")) | st.characters(), max_size=30), st.integers(0, 12))
def test_excerpt_as_before(text: str, limit: int) -> None:
    assert excerpt(text, limit) == _excerpt_as_before(text, limit)
    assert excerpt(text) == _excerpt_as_before(text)


def test_two_per_theme_targets_each_get_their_own_titles(page_map, report):
    spec = page_map.sources[0].model_copy(update={"targets": page_map.sources[0].targets + (
        page_map.sources[0].targets[1].model_copy(update={"title": "{source}/Cards/{theme}", "name": "card"}),)})
    rendered = render(report, spec, page_map.templates)
    titles = [page.title for page in rendered]
    assert len(titles) == 1 + 2 * len(report.themes)
    assert len(set(titles)) == len(titles)
    for theme in report.themes:
        assert f"{SOURCE}/Cards/{theme.name}" in titles


def test_a_piece_kept_in_the_source_language_keeps_its_wrapper_and_its_text_is_escaped():
    kept = '<span lang="en" dir="ltr">Learning [[cost]] & more. Then the rest.</span>'
    assert escape_wikitext(kept) == '<span lang="en" dir="ltr">Learning &#91;&#91;cost&#93;&#93; & more. Then the rest.</span>'
    assert excerpt(kept) == '<span lang="en" dir="ltr">Learning [[cost]] & more.</span>'
    assert escape_wikitext('<div lang="he" dir="rtl">* א</div>') == '<div lang="he" dir="rtl">&#42; א</div>'
    # anything else that looks like it is escaped whole: only Translate's own wrapper, with nothing else in it
    outdated = '<div class="mw-translate-fuzzy">An {{outdated}} translation. And more.</div>'
    assert escape_wikitext(outdated) == '<div class="mw-translate-fuzzy">An &#123;&#123;outdated&#125;&#125; translation. And more.</div>'
    assert excerpt(outdated) == '<div class="mw-translate-fuzzy">An {{outdated}} translation.</div>'
    assert escape_wikitext('<span class="mw-translate-fuzzy" onclick="x">a</span>').startswith("&#60;span")
    assert escape_wikitext('<span lang="en" dir="ltr" onclick="x">a</span>').startswith("&#60;span")
    assert escape_wikitext('<span lang="en" dir="ltr">a</span> and <b>b</b>').startswith("&#60;span")
