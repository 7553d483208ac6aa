"""The Translate extension's markup on a translation page: anchors, wrappers and their lines, the text without them."""

from __future__ import annotations

from wikisync.shapes.translate_markup import FUZZY, UNTRANSLATED, anchor_key, anchor_keys, read_markup

PAGE = """<languages />
<span id="Key_Themes"></span>
== Thèmes clés ==
<div lang="en" dir="ltr" class="mw-content-ltr">
Kept in English, <span class="mw-translate-fuzzy">with an outdated part</span>.
</div>
<div class="note">a div of the page's own</div>
<span id='Vision_&amp;_Purpose'></span>

=== Vision ===
<span lang="he" dir="rtl" class="mw-content-rtl">עברית</span>
</span>
<div class="mw-translate-fuzzy">
never closed"""


def test_anchors_wrappers_and_the_text_without_them():
    markup = read_markup(PAGE)
    assert markup.text.split("\n") == [
        "<languages />", "", "== Thèmes clés ==", "", "Kept in English, with an outdated part.", "",
        '<div class="note">a div of the page\'s own</div>', "", "", "=== Vision ===", "עברית", "</span>",
        '<div class="mw-translate-fuzzy">', "never closed"]
    assert [(a.anchor, a.line, a.heading.line if a.heading else None) for a in markup.anchors] == [
        ("Key_Themes", 2, 3), ("Vision_&_Purpose", 8, 10)]
    assert [(w.kind, w.block, w.language, w.direction, w.line, w.end_line) for w in markup.wrappers] == [
        (UNTRANSLATED, True, "en", "ltr", 4, 6), (FUZZY, False, "", "", 5, 5), (UNTRANSLATED, False, "he", "rtl", 11, 11)]
    assert [(p.kind, p.line) for p in markup.problems] == [("stray-wrapper-close", 12), ("unclosed-wrapper", 13)]
    assert markup.line_count == PAGE.count("\n") + 1
    assert markup.wrapper_at(5, FUZZY) is not None and markup.wrapper_at(5, UNTRANSLATED) is not None
    assert markup.wrapper_at(7, UNTRANSLATED) is None


def test_a_heading_anchor_compares_as_mediawiki_writes_it():
    for heading, written in [("Key Themes", "Key_Themes"), ("Vision & Purpose", "Vision_&amp;_Purpose"),
                             ("Éducation: la base", ".C3.89ducation:_la_base"), ("Éducation: la base", "Éducation:_la_base"),
                             ("Access  for   all", "Access_for_all"), ('100% "Open"', "100%_&quot;Open&quot;")]:
        assert anchor_key(written) in anchor_keys(heading), (heading, written)
    assert anchor_key("Vision_and_Purpose") not in anchor_keys("Vision & Purpose")
