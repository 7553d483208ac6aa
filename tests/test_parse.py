from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from wikisync.shapes.themes.parser import parse_themes, plain_text

FIXTURE = Path(__file__).parent / "fixtures" / "all-hands-summary-report.wiki"
TITLE = "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"
THEMES = [
    ("Access", 4),
    ("Education", 3),
    ("Learning", 4),
    ("Sharing", 2),
    ("Content Gap", 4),
    ("Verifiability", 3),
    ("Cohesion", 2),
    ("Extended Ecosystem", 5),
    ("Kindness", 3),
    ("Fight for Free Knowledge", 5),
    ("Innovation", 6),
]


@pytest.fixture(scope="module")
def source() -> str:
    return FIXTURE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def report(source):
    return parse_themes(source, TITLE, 42)


@pytest.mark.parametrize("case", yaml.safe_load((Path(__file__).parent / "data" / "plain_text.yaml").read_text()))
def test_plain_text(case):
    assert plain_text(case["wikitext"]) == case["text"]


def test_themes_and_comment_counts(report):
    assert [(t.name, len(t.comments)) for t in report.themes] == THEMES
    assert report.comment_count == 41


def test_theme_lines_point_at_their_headings(source, report):
    lines = source.split("\n")
    for theme in report.themes:
        assert re.match(rf"^===\s*{re.escape(theme.name)}\s*===", lines[theme.line - 1])


def test_every_comment_line_holds_that_comment(source, report):
    lines = source.split("\n")
    seen = set()
    for theme in report.themes:
        for comment in theme.comments:
            raw = lines[comment.line - 1]
            assert raw.startswith("* ")
            assert plain_text(raw[2:]) == comment.text
            assert comment.column == 3
            seen.add(comment.line)
    assert len(seen) == 41


def test_comments_lie_inside_their_theme_section(report):
    bounds = [t.line for t in report.themes] + [10**9]
    for theme, end in zip(report.themes, bounds[1:]):
        assert all(theme.line < c.line < end for c in theme.comments)
        assert theme.heard_line is not None and theme.line < theme.heard_line < theme.comments[0].line


def test_summaries_are_plain_text_without_translate_markup(report):
    access = report.themes[0]
    assert access.summary.startswith("We should do a better job of spreading knowledge")
    for theme in report.themes:
        assert theme.summary
        assert "<" not in theme.summary and "T:" not in theme.summary and "'''" not in theme.summary


def test_keynote_elements(report):
    assert [k.name for k in report.keynote] == [
        "Vision & Purpose",
        "Embodiment through Practice",
        "Radical Connection",
        "Strategic Navigation",
    ]
    assert report.keynote[0].text.startswith("Reweaving a rooted past")
    assert report.keynote[0].line == 10


def test_workshops(report):
    assert [(w.name, len(w.prompts)) for w in report.workshops] == [("Session #1", 3), ("Session #2", 3)]
    assert report.workshops[1].prompts[0].startswith("What's the most important thing")


def test_priorities_table(source, report):
    assert [p.priority for p in report.priorities] == [
        "Increase/expand communities reading and learning",
        "Increase/expand communities contributing",
        "Protect/improve quality of content",
        "Increase human collaboration",
        "Increase advocacy (public awareness and/or political voice)",
        "Create/expand new kinds of knowledge spaces",
    ]
    first = report.priorities[0]
    assert [(v.name, v.note) for v in first.values] == [
        ("Access", "cost, internet connectivity, tech literacy"),
        ("Learning", "curiosity, wholesome engagement with knowledge; teaching people how to learn"),
    ]
    collaboration = report.priorities[3]
    assert [v.name for v in collaboration.values] == ["Cohesion/integration", "Extended eco-system", "Kindness"]
    assert collaboration.values[1].note == "external partners, the bigger “we,” catalyzing change"
    lines = source.split("\n")
    for row in report.priorities:
        assert row.priority.split(" (")[0] in lines[row.line - 1]
        for value in row.values:
            assert lines[value.line - 1][value.column - 1:].startswith(value.name)


def test_key_questions(report):
    assert len(report.questions) == 5
    assert report.questions[0].text.startswith("How to prioritize the things we care about?")
    assert [len(q.options) for q in report.questions] == [0, 3, 2, 3, 0]
    assert report.questions[1].options[2] == "Next versus last billion on the internet?"


def test_clean_fixture_has_no_anomalies(report):
    assert report.anomalies == ()
    assert report.stray_comments == ()


def test_json_shape(report):
    data = report.to_dict()
    assert list(data) == ["title", "revision", "keynote", "workshops", "themes", "priorities", "questions"]
    assert data["revision"] == 42
    assert set(data["themes"][0]) == {"name", "summary", "line", "comments"}
    assert set(data["themes"][0]["comments"][0]) == {"text", "line"}
    assert set(data["priorities"][0]["values"][0]) == {"name", "note"}


def test_markup_variations_are_seen_through():
    text = "\n".join(
        [
            "== Key Themes ==",
            "== <!--T:3--> Key themes ==",
            "=== Access ===",
            "Summary line one",
            "continues here.",
            "",
            "What we heard:",
            "*First comment with [[a link|label]]",
            "** nested comment",
            "=== Second ===",
            "Only a summary.",
        ]
    )
    report = parse_themes(text)
    assert [t.name for t in report.themes] == ["Access", "Second"]
    access = report.themes[0]
    assert access.summary == "Summary line one continues here."
    assert [(c.text, c.line, c.column) for c in access.comments] == [
        ("First comment with label", 8, 2),
        ("nested comment", 9, 4),
    ]
    assert report.themes[1].heard_line is None and report.themes[1].comments == ()


@pytest.mark.parametrize(
    "text, kind, line",
    [
        ("== Key Themes ==\n=== A ===\nsummary\n</translate>\n* c", "stray-translate-close", 4),
        ("<translate>\n== Key Themes ==", "unclosed-translate", 2),
        ("== Key Questions ==\n{| class=wikitable\n| a\n| b\n", "unclosed-table", 2),
        ("== Key Themes ==\n=== A ===\n* == B ==", "heading-in-list", 3),
        ("== Key Themes ==\n=== A ===\nWhat we heard:\n*\n* real", "empty-bullet", 4),
        ("== Key Questions ==\n* an option before any question", "option-without-question", 2),
    ],
)
def test_bad_markup_becomes_anomalies_not_exceptions(text, kind, line):
    report = parse_themes(text)
    assert (kind, line) in [(a.kind, a.line) for a in report.anomalies]


def test_bullets_before_the_first_theme_are_stray():
    report = parse_themes("== Key Themes ==\nintro\n* lost comment\n=== A ===\nsummary\n* kept")
    assert [c.text for c in report.stray_comments] == ["lost comment"]
    assert [c.text for c in report.themes[0].comments] == ["kept"]


@pytest.mark.parametrize("text", ["", "\n\n", "Just a sentence.", "{|", "|}", "== ==", "<translate>", "* * *"])
def test_degenerate_pages_parse(text):
    report = parse_themes(text)
    assert report.themes == ()


REQUESTS = """Ask for a rebuild below.
* {{wikisync request|Strategy/X}} please ~~~~
* {{Wikisync_request|Other|status=done}}
{{Template:wikisync request}}
{{not a request|Strategy/X}}
"""


def test_rebuild_requests_are_found_with_their_lines_and_status():
    from wikisync.shapes.requests import parse_requests

    found = parse_requests(REQUESTS)
    assert [(r.index, r.source, r.status, r.line) for r in found] == [
        (0, "Strategy/X", "", 2),
        (1, "Other", "done", 3),
        (2, "", "", 4),
    ]
    assert found[0].wikitext == "{{wikisync request|Strategy/X}}"


def test_answering_a_request_changes_only_its_template():
    from wikisync.shapes.requests import answer_request, parse_requests

    answered = answer_request(REQUESTS, 2, {"status": "declined", "result": "no source named"})
    assert answered.replace("{{Template:wikisync request|status=declined|result=no source named}}", "{{Template:wikisync request}}") == REQUESTS
    assert [r.status for r in parse_requests(answered)] == ["", "done", "declined"]
    assert answer_request(REQUESTS, 9, {"status": "done"}) == REQUESTS
