"""Golden outputs of the themes pipeline: the check output and every rendered page of many reports.

``tests/data/golden/pipeline.json`` was written by this module from the implementation before the
pipeline was made faster (parse, check and render as of the one-pass parser); test_golden_pipeline.py
holds every later implementation to it, byte for byte. Pages are stored as SHA-256 digests (the
fixture's in full, to show a difference), the check output as the lines ``wikisync check`` prints
and its JSON.

    .venv/bin/python tests/golden_pipeline.py --write   # only when an output is meant to change
"""

from __future__ import annotations

import hashlib
import io
import json
import sys
from contextlib import redirect_stdout
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "data" / "golden" / "pipeline.json"
CHECK_CASES = ROOT / "tests" / "data" / "check" / "cases.yaml"
FIXTURE = ROOT / "tests" / "fixtures" / "all-hands-summary-report.wiki"
TRANSLATED = ROOT / "tests" / "fixtures" / "translated"

# Theme names, summaries and comments with every kind of markup escape_wikitext must neutralise, and
# table values matched in every way (exact, alias, normalised, by one side of a slash, not at all).
AWKWARD = """== Key Themes ==
Intro.

=== A|B [x] {y} <z> ===
Summary with '''bold''' and a pipe | and ~~~~ and __NOTOC__ and &amp; and [[link|label]].

''What we heard:''
* Starts plain, then {{template}} and <nowiki>raw</nowiki>.
* # not a list: &lt;ok&gt; &#65; and ''italic''
* ----dash and: colon; semicolon = equals
* Same comment.
* same  COMMENT!

=== Résumé / Über ===
: indented summary line
:: deeper

What we heard:
*  spaced   out  
* Same comment.

=== Extended Ecosystem ===
A summary with {| inside, and |} too.

=== Cohesion ===
Plain.
What we heard:
* x

=== 100% [[W:Kind|kind]] ===
* a comment before any lead-in

=== Very long LONGNAME ===
Summary.

== Key Questions ==
'''What now?'''
* one
* two
'''And then?'''

{| class="wikitable"
! Competing Priorities !! Themes
|-
| First
|
* A|B [x] {y} <z>
* résumé/über (note)
* Extended eco-system
|-
| Second ''it''
|
* Cohesion/integration
* Cohesion/other (n)
* Unknown theme
* 100% kind
|-
| Empty
|
|}
""".replace("LONGNAME", "x" * 300)
# The same with a bold and a template left open: the page is parsed whole (and what they open swallows sections).
AWKWARD_SPANNING = AWKWARD.replace("* Same comment.", "* ''' lone bold\n* Same comment.", 1).replace(
    "=== Cohesion ===", "{{an open template\n\n=== Cohesion ===")


def _specs():
    from wikisync.config import load_page_map

    project = load_page_map(ROOT / "page_map.yaml")
    translated = load_page_map(TRANSLATED / "page_map.yaml")
    return project, translated


def _cases():
    """(name, text, page map, spec) of every report the golden file covers."""
    from synthetic import synthetic_report

    project, translated = _specs()
    spec = project.sources[0]
    aliased = spec.model_copy(update={"aliases": {"Extended eco-system": "Extended Ecosystem", "Cohesion/integration": "Cohesion"}})
    yield "fixture", FIXTURE.read_text(encoding="utf-8"), project, spec
    yield "fixture with aliases", FIXTURE.read_text(encoding="utf-8"), project, aliased
    yield "awkward", AWKWARD, project, spec
    yield "awkward with aliases", AWKWARD, project, aliased
    yield "awkward spanning", AWKWARD_SPANNING, project, spec
    for source in translated.sources:
        language = source.page.rsplit("/", 1)[1]
        yield f"translated {language}", (TRANSLATED / f"regional-summary.{language}.wiki").read_text(encoding="utf-8"), translated, source
    for case in yaml.safe_load(CHECK_CASES.read_text(encoding="utf-8")):
        case_spec = spec.model_copy(update={"aliases": case.get("aliases", {}), "rules": case.get("rules", {})})
        yield f"check case {case['name']}", case["wikitext"], project, case_spec
    for themes in (0, 1, 11, 200, 2000):
        yield f"synthetic {themes}", synthetic_report(themes), project, spec
        yield f"bare synthetic {themes}", synthetic_report(themes, markup=False), project, spec


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _cli_check(text: str, folder: Path, *options: str) -> tuple[int, str]:
    from wikisync.cli import main

    path = folder / "report.wiki"
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    with redirect_stdout(out):
        code = main(["check", str(path), *options])
    return code, out.getvalue().replace(str(path), "REPORT")


def outputs(folder: Path) -> dict:
    """Every case's check output and rendered pages; ``folder`` takes the files the CLI reads."""
    from wikisync.diagnostics import summary_line
    from wikisync.render import render
    from wikisync.shapes.themes.parser import parse_themes
    from wikisync.shapes.themes.rules import check

    result: dict = {}
    for name, text, page_map, spec in _cases():
        report = parse_themes(text, spec.page, 42, spec.theme_sections)
        patterns = [t.title.replace("{source}", spec.page) for t in spec.targets if t.each == "theme"]
        diagnostics = check(report, aliases=spec.aliases, rules=spec.rules, title_patterns=patterns)
        pages = render(report, spec, page_map.templates)
        full = name in ("fixture", "awkward")
        rows = [[p.title, p.template, p.region, p.error, p.content_model, p.text if full else _digest(p.text)] for p in pages]
        result[name] = {
            "check": [d.format("SOURCE") for d in diagnostics] + [summary_line(diagnostics)],
            "check json": _digest(json.dumps([d.to_dict() for d in diagnostics], ensure_ascii=False, indent=2)),
            # the large reports' pages as one digest, to keep the file small (the small ones show which page differs)
            "pages": rows if len(rows) < 100 else [len(rows), _digest(json.dumps(rows, ensure_ascii=False))],
        }
    fixture = FIXTURE.read_text(encoding="utf-8")
    awkward_map = folder / "page_map.yaml"
    awkward_map.write_text((ROOT / "page_map.yaml").read_text(encoding="utf-8").replace(
        'page: "Strategy/Wikimedia movement/2017/Sources/All-Hands summary report"', 'page: "report"'
    ).replace("templates: templates", f"templates: {ROOT / 'templates'}"), encoding="utf-8")
    from synthetic import synthetic_report

    cli: dict = {}
    for name, text in (("fixture", fixture), ("awkward", AWKWARD), ("synthetic 200", synthetic_report(200))):
        for label, options in (("no map", ["--map", str(folder / "absent.yaml")]), ("map", ["--map", str(awkward_map)])):
            for form in ("text", "json"):
                code, printed = _cli_check(text, folder, *options, "--format", form)
                cli[f"{name}, {label}, {form}"] = [code, printed]
    result["cli check"] = cli
    return result


def main() -> int:
    import tempfile

    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory() as folder:
        data = outputs(Path(folder))
    if "--write" in sys.argv:
        GOLDEN.parent.mkdir(parents=True, exist_ok=True)
        GOLDEN.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {GOLDEN} ({GOLDEN.stat().st_size} bytes)")
    else:
        print(json.dumps(data, ensure_ascii=False, indent=1)[:2000])
    return 0


if __name__ == "__main__":
    sys.exit(main())
