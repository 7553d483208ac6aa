import unicodedata

import pytest

from wikisync.config import Guard
from wikisync.model import PageState
from wikisync.ownership import Ownership, ownership, stamp
from wikisync.pages import NOTICE_BEGIN, NOTICE_END, DesiredPage
from wikisync.plan import (
    Action,
    Change,
    Plan,
    destructive_reasons,
    plan,
    region_markers,
    region_text,
    same_content,
    unified_diff,
)


def page(title: str, body: str, revision: int = 1) -> DesiredPage:
    return DesiredPage(title, f"{NOTICE_BEGIN}from revision {revision}{NOTICE_END}\n{body}\n", "t.j2")


def written(title: str, body: str, revision: int = 1) -> str:
    """A page's text as wikisync saves it: the rendered page with its fingerprint."""
    return stamp(page(title, body, revision).text)


def test_missing_pages_are_created_changed_ones_updated_equal_ones_left():
    desired = [page("New", "a"), page("Changed", "b2"), page("Same", "c")]
    current = {"New": PageState(None), "Changed": PageState(written("Changed", "b1")), "Same": PageState(written("Same", "c"))}
    decided = plan(current, desired)
    assert [(c.title, c.action) for c in decided.changes] == [
        ("New", Action.CREATE),
        ("Changed", Action.UPDATE),
        ("Same", Action.UNCHANGED),
    ]
    assert decided.summary() == "1 to create, 1 to change, 1 unchanged"
    assert [c.title for c in decided.pending] == ["New", "Changed"]
    assert all(ownership(c.new) is Ownership.INTACT for c in decided.pending)


def test_a_new_source_revision_alone_changes_nothing():
    new = page("P", "body", revision=2)
    assert plan({"P": PageState(written("P", "body", revision=1))}, [new]).changes[0].action is Action.UNCHANGED


def test_trailing_whitespace_trimmed_by_the_wiki_is_no_change():
    assert same_content(page("P", "body").text.rstrip(), page("P", "body").text + "\n\n")
    assert same_content(written("P", "body"), page("P", "body").text)  # the fingerprint is no content


def test_unicode_forms_are_one_content_as_the_wiki_stores_nfc():
    assert same_content(page("P", "Caf\u00e9").text, page("P", "Cafe\u0301").text)
    assert not same_content(page("P", "body").text, page("P", "body.").text)


def test_title_missing_from_current_counts_as_missing():
    assert plan({}, [page("P", "x")]).changes[0].action is Action.CREATE


def test_diff_shows_the_changed_line_only():
    old = "line 1\nline 2\nline 3\n"
    diff = unified_diff("P", old, "line 1\nline two\nline 3")
    assert "-line 2\n" in diff and "+line two\n" in diff
    assert "-line 1" not in diff and "+line 3" not in diff
    assert diff.startswith("--- P (on the wiki)\n+++ P (generated)\n")


def test_diff_of_a_new_page_adds_every_line():
    diff = unified_diff("P", None, "a\nb")
    assert diff.splitlines()[0] == "--- /dev/null"
    assert [line for line in diff.splitlines() if line.startswith("+") and not line.startswith("+++")] == ["+a", "+b"]


# -- ownership: human edits, {{bots}}, regions ---------------------------------------------------


def test_a_page_whose_text_is_not_what_wikisync_wrote_is_a_human_edit_unless_forced():
    desired = [page("P", "new"), page("Q", "new")]
    current = {title: PageState(written(title, "old") + "\nA note.", 7, "Editor") for title in ("P", "Q")}
    decided = plan(current, desired)
    assert [c.action for c in decided.changes] == [Action.HUMAN_EDIT, Action.HUMAN_EDIT]
    change = decided.changes[0]
    assert change.reason == "last edited by Editor: its text is not what wikisync wrote; --force 'P' overwrites it"
    assert change.revision == 7 and change.old == current["P"].text and decided.pending == ()

    forced = plan(current, desired, force={"P"})
    assert [c.action for c in forced.changes] == [Action.UPDATE, Action.HUMAN_EDIT]
    everything = plan(current, desired, force_all=True)
    assert [c.action for c in everything.changes] == [Action.UPDATE, Action.UPDATE]


def test_a_page_wikisync_never_wrote_is_refused():
    change = plan({"P": PageState("hand-written", 3, "Editor")}, [page("P", "body")]).changes[0]
    assert change.action is Action.HUMAN_EDIT and "wikisync did not write this page" in change.reason


def test_whoever_saved_last_an_intact_text_is_wikisyncs():
    """A protection, a move, an undo or a restored old revision adds a revision by a person that
    still holds text wikisync wrote: nobody's work is at stake, so it is updated."""
    for user in ("Admin", "WikisyncBot", None):
        change = plan({"P": PageState(written("P", "old"), 9, user)}, [page("P", "new")]).changes[0]
        assert change.action is Action.UPDATE


def test_the_fingerprint_sees_any_change_even_in_the_notice():
    text = written("P", "body")
    assert ownership(text) is Ownership.INTACT
    assert ownership(text.replace("from revision", "from rev")) is Ownership.EDITED
    assert ownership(text.rstrip() + "\n\n") is Ownership.INTACT  # the wiki trims the end
    assert ownership(unicodedata.normalize("NFD", stamp("Caf\u00e9"))) is Ownership.INTACT
    assert ownership("no mark") is Ownership.FOREIGN


def test_a_redirect_left_by_a_move_is_replaced_by_the_page():
    change = plan({"P": PageState("#REDIRECT [[Elsewhere]]", 5, "Admin", redirect=True, bare_redirect=True)}, [page("P", "body")]).changes[0]
    assert change.action is Action.UPDATE and "redirect" in change.reason


def test_a_redirect_with_a_person_s_text_is_refused():
    now = PageState("#REDIRECT [[Elsewhere]]\nMerged there, see the talk page.", 5, "Editor", redirect=True)
    change = plan({"P": now}, [page("P", "body")]).changes[0]
    assert change.action is Action.HUMAN_EDIT and "redirect with text of its own" in change.reason


def test_a_page_that_excludes_the_bot_is_excluded_even_when_forced():
    current = {"P": PageState(written("P", "old") + "\n{{nobots}}", 3, "Editor", bots_allowed=False)}
    for options in ({}, {"force_all": True}):
        change = plan(current, [page("P", "new")], **options).changes[0]
        assert change.action is Action.EXCLUDED and change.reason == "the page excludes this bot"
        assert not change.pending


def region(body: str, revision: int = 1) -> DesiredPage:
    return DesiredPage("R", f"{NOTICE_BEGIN}from revision {revision}{NOTICE_END}\n{body}\n", "t.j2", region="themes")


BEGIN, END = region_markers("themes")


def test_a_region_is_replaced_in_place_and_every_other_byte_kept():
    before, after = "Intro  with ''markup''\n\n{{Keep}}\n", "\n\n  Outro [[Link]]\n\n[[Category:Kept]]"
    now = f"{before}{BEGIN}\n{END}{after}"
    change = plan({"R": PageState(now, 4, "Editor")}, [region("* new")]).changes[0]
    assert change.action is Action.UPDATE  # the page is the humans'; only the region is wikisync's
    assert change.new.startswith(before + BEGIN + "\n") and change.new.endswith("\n" + END + after)
    assert change.new == f"{before}{BEGIN}\n{stamp(region('* new').text.strip())}\n{END}{after}"
    assert region_text(change.new, "themes").strip().endswith("* new")

    again = plan({"R": PageState(change.new, 5, "WikisyncBot")}, [region("* new", revision=2)]).changes[0]
    assert again.action is Action.UNCHANGED


@pytest.mark.parametrize(
    "text, reason",
    [
        ("No markers here.", f"no region markers: add {BEGIN} and {END} where the generated text goes"),
        (f"{BEGIN}{END} and {BEGIN}{END}", f"region markers must appear once each; found 2 × {BEGIN} and 2 × {END}"),
        (f"{BEGIN} only the start", f"region markers must appear once each; found 1 × {BEGIN} and 0 × {END}"),
        (f"{END} before {BEGIN}", f"{END} comes before {BEGIN}"),
    ],
    ids=["missing", "duplicated", "unclosed", "reversed"],
)
def test_broken_region_markers_make_the_page_invalid_with_the_reason(text, reason):
    change = plan({"R": PageState(text, 4, "Editor")}, [region("x")], force_all=True).changes[0]
    assert change.action is Action.INVALID and change.reason == reason
    assert region_text(text, "themes") is None


def test_a_region_on_a_page_that_does_not_exist_is_invalid():
    change = plan({}, [region("x")]).changes[0]
    assert change.action is Action.INVALID and "needs an existing page" in change.reason


def test_a_region_edited_by_hand_is_a_human_edit_with_nothing_remembered():
    first = plan({"R": PageState(f"Intro\n{BEGIN}\n{END}\nOutro")}, [region("* generated")]).changes[0]
    edited = first.new.replace("* generated", "* generated, and a hand edit")
    current = {"R": PageState(edited, 6, "Editor")}

    change = plan(current, [region("* regenerated", revision=2)]).changes[0]
    assert change.action is Action.HUMAN_EDIT
    assert change.reason == "the region 'themes' was edited by hand since wikisync wrote it; --force 'R' overwrites it"
    assert plan(current, [region("* regenerated", revision=2)], force={"R"}).changes[0].action is Action.UPDATE
    # a hand edit outside the region is no conflict
    outside = {"R": PageState(first.new.replace("Outro", "Outro, edited"), 7, "Editor")}
    assert plan(outside, [region("* regenerated", revision=2)]).changes[0].action is Action.UPDATE
    # text a person put between the markers is theirs until they empty the region
    placeholder = {"R": PageState(f"Intro\n{BEGIN}\nMy notes.\n{END}\nOutro")}
    change = plan(placeholder, [region("* generated")]).changes[0]
    assert change.action is Action.HUMAN_EDIT and "holds text wikisync did not write" in change.reason


# -- the destructive-change guard -----------------------------------------------------------------


def counts(themes: int, comments: int) -> dict[str, int]:
    return {"themes": themes, "comments": comments}


def updates(*sizes: tuple[int, int]) -> Plan:
    return Plan(tuple(Change(f"P{i}", Action.UPDATE, page("P", "x" * old).text, page("P", "x" * new).text)
                      for i, (old, new) in enumerate(sizes)))


def test_a_normal_edit_is_not_destructive():
    assert destructive_reasons(counts(11, 50), counts(11, 49), updates((1000, 1010), (500, 480)), Guard()) == []
    assert destructive_reasons(counts(3, 5), counts(0, 0), updates(), Guard()) == []  # nothing published before


def test_losing_themes_comments_or_page_text_is_destructive():
    reasons = destructive_reasons(counts(5, 20), counts(11, 50), updates((1000, 400), (1000, 600)), Guard())
    assert reasons == [
        "the source now has 5 themes, down from 11 when last published",
        "the source now has 20 comments, down from 50 when last published",
        "P0 would shrink from 1000 to 400 characters",
    ]
    assert destructive_reasons(counts(0, 0), counts(11, 50), updates(), Guard())[:2] == [
        "the source now has 0 themes, down from 11 when last published",
        "the source now has 0 comments, down from 50 when last published",
    ]


def test_guard_thresholds_decide_how_much_loss_is_held_back():
    loose = Guard(max_theme_loss=0.9, max_comment_loss=0.9, max_page_shrink=0.9)
    assert destructive_reasons(counts(5, 20), counts(11, 50), updates((1000, 400)), loose) == []
    assert destructive_reasons(counts(1, 50), counts(11, 50), updates(), loose) == ["the source now has 1 themes, down from 11 when last published"]
    created = Plan((Change("New", Action.CREATE, None, page("New", "x").text),))
    assert destructive_reasons(counts(11, 50), counts(11, 50), created, Guard()) == []  # a new page shrinks nothing


def test_statement_sources_are_guarded_by_their_statement_count():
    assert destructive_reasons({"statements": 6}, {"statements": 10}, updates(), Guard()) == [
        "the source now has 6 statements, down from 10 when last published"]
    assert destructive_reasons({"statements": 8}, {"statements": 10}, updates(), Guard()) == []
    assert destructive_reasons({"statements": 6}, {"statements": 10}, updates(), Guard(max_statement_loss=0.5)) == []
    # a source that was a themes source last time has no statement count to compare with
    assert destructive_reasons({"statements": 1}, {"themes": 11, "comments": 50}, updates(), Guard()) == []


def test_the_summary_counts_refusals():
    changes = (
        Change("A", Action.CREATE, None, "a"),
        Change("B", Action.UPDATE, "b", "b2"),
        Change("C", Action.UNCHANGED, "c", "c"),
        Change("D", Action.HUMAN_EDIT, "d", "d2", "last edited by Editor"),
        Change("E", Action.HUMAN_EDIT, "e", "e2", "last edited by Editor"),
        Change("F", Action.EXCLUDED, "f", "f2", "the page excludes this bot"),
        Change("G", Action.INVALID, None, "g", "the wiki does not accept this title"),
    )
    decided = Plan(changes)
    assert decided.summary() == (
        "1 to create, 1 to change, 1 unchanged, 2 refused (human edit), 1 excluded by {{bots}}, 1 invalid"
    )
    assert [c.title for c in decided.refused] == ["D", "E", "G"]  # an exclusion is the page's wish, not a failure
    assert [c.title for c in decided.pending] == ["A", "B"]
