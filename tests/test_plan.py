from wikisync.plan import Action, CurrentPage, plan, same_content, unified_diff
from wikisync.render import NOTICE_BEGIN, NOTICE_END, DesiredPage


def page(title: str, body: str, revision: int = 1) -> DesiredPage:
    return DesiredPage(title, f"{NOTICE_BEGIN}from revision {revision}{NOTICE_END}\n{body}\n", "t.j2")


def test_missing_pages_are_created_changed_ones_updated_equal_ones_left():
    desired = [page("New", "a"), page("Changed", "b2"), page("Same", "c")]
    current = {"New": CurrentPage(None), "Changed": CurrentPage(page("Changed", "b1").text), "Same": CurrentPage(page("Same", "c").text)}
    decided = plan(current, desired)
    assert [(c.title, c.action) for c in decided.changes] == [
        ("New", Action.CREATE),
        ("Changed", Action.UPDATE),
        ("Same", Action.UNCHANGED),
    ]
    assert decided.summary() == "1 to create, 1 to change, 1 unchanged"
    assert [c.title for c in decided.pending] == ["New", "Changed"]


def test_a_new_source_revision_alone_changes_nothing():
    old = page("P", "body", revision=1).text
    new = page("P", "body", revision=2)
    assert plan({"P": CurrentPage(old)}, [new]).changes[0].action is Action.UNCHANGED


def test_trailing_whitespace_trimmed_by_the_wiki_is_no_change():
    assert same_content(page("P", "body").text.rstrip(), page("P", "body").text + "\n\n")


def test_a_page_without_the_notice_is_compared_in_full():
    assert not same_content("body", page("P", "body").text.replace("body", "other"))
    assert plan({"P": CurrentPage("hand-written")}, [page("P", "body")]).changes[0].action is Action.UPDATE


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
    assert [l for l in diff.splitlines() if l.startswith("+") and not l.startswith("+++")] == ["+a", "+b"]
