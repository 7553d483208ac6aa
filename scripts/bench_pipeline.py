"""Pipeline benchmark: the CPU side of a run, against one bare mwparserfromhell parse and wikitextparser.

    python3 scripts/bench_pipeline.py [--repetitions N]

Measures, in one process and interleaved (each repetition runs every contender once, in turn), the
median seconds of: a bare ``mwparserfromhell.parse`` of the page; wikisync's parse; wikisync's
parse + check + render of every page the project's page_map.yaml generates; wikitextparser's
``sections`` and ``plain_text()``. At the All-Hands fixture (11 themes) and synthetic reports of
200 and 2,000 themes (tests/synthetic.py), plain and markup-heavy (a link, a template and a ``<ref>`` in
every line of text); then peak memory (tracemalloc) at 2,000 themes, the
106-source synthetic statements corpus parsed and checked, and ``wikisync check FILE`` as a whole
process against ``python -c "import mwparserfromhell; mwparserfromhell.parse(...)"``.

wikitextparser must never be importable in the project's .venv (Pywikibot changes behaviour when it
is), so this script makes its own venv, .bench-venv/, with wikitextparser, mwparserfromhell and the
project (editable) in it, and runs the measurement there. Prints figures; asserts nothing.
"""

from __future__ import annotations

import argparse
import functools
import gc
import os
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH_VENV = REPO / ".bench-venv"
BENCH_PYTHON = BENCH_VENV / "bin" / "python"
FIXTURE = REPO / "tests" / "fixtures" / "all-hands-summary-report.wiki"
sys.path.insert(0, str(REPO / "tests"))  # the synthetic report generator
PACKAGES = ["wikitextparser", "mwparserfromhell"]


def ensure_bench_venv() -> None:
    stamp = BENCH_VENV / ".wikisync-bench-installed"
    if stamp.exists() and stamp.stat().st_mtime >= (REPO / "pyproject.toml").stat().st_mtime:
        return
    print("bench_pipeline: setting up .bench-venv (wikitextparser, mwparserfromhell, wikisync)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
    subprocess.run([str(BENCH_PYTHON), "-m", "pip", "install", "-q", "--disable-pip-version-check", *PACKAGES, "-e", str(REPO)],
                   check=True)
    stamp.touch()


def timed(function: Callable[[], object]) -> float:
    gc.collect()
    started = time.perf_counter()
    function()
    return time.perf_counter() - started


def peak_bytes(function: Callable[[], object]) -> int:
    gc.collect()
    tracemalloc.start()
    try:
        function()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def measure(repetitions: int) -> None:
    import mwparserfromhell
    import wikitextparser
    from synthetic import CYCLE2_CODES, synthetic_corpus, synthetic_report

    from wikisync.config import load_page_map
    from wikisync.render import render
    from wikisync.shapes.records import Codebook
    from wikisync.shapes.statements.parser import parse_statements
    from wikisync.shapes.statements.rules import check_statements
    from wikisync.shapes.themes.parser import parse_themes
    from wikisync.shapes.themes.rules import check

    page_map = load_page_map(REPO / "page_map.yaml")
    spec = page_map.sources[0]
    patterns = [t.title.replace("{source}", spec.page) for t in spec.targets if t.each == "theme"]

    def wikisync_parse(text: str) -> object:
        return parse_themes(text, spec.page, 1, spec.theme_sections)

    def pipeline(text: str) -> object:
        report = wikisync_parse(text)
        check(report, aliases=spec.aliases, rules=spec.rules, title_patterns=patterns)
        return render(report, spec, page_map.templates)

    def wikitextparser_sections_and_text(text: str) -> object:
        parsed = wikitextparser.parse(text)
        _ = parsed.sections  # a property: it splits the page into sections
        return parsed.plain_text()

    contenders: dict[str, Callable[[str], object]] = {
        "bare mwparserfromhell.parse": mwparserfromhell.parse,
        "wikisync parse": wikisync_parse,
        "parse + check + render": pipeline,
        "wikitextparser sections + plain_text": wikitextparser_sections_and_text,
    }
    reports = {"11 (the fixture)": FIXTURE.read_text(encoding="utf-8"), "200": synthetic_report(200), "2,000": synthetic_report(2000),
               # every line of text with a link, a template and a <ref> footnote: the page the parser reads least by itself
               "200, markup-heavy": synthetic_report(200, markup="heavy"),
               "2,000, markup-heavy": synthetic_report(2000, markup="heavy")}

    for function in contenders.values():  # compile the templates and warm the caches once, as a process does
        function(reports["11 (the fixture)"])
    print(f"Python {sys.version.split()[0]}, mwparserfromhell {mwparserfromhell.__version__}, wikitextparser "
          f"{wikitextparser.__version__}; median of {repetitions} interleaved repetitions, seconds (ratio to the bare parse)\n")
    print("| themes | size | " + " | ".join(contenders) + " |")
    print("| --- | ---: |" + " ---: |" * len(contenders))
    for label, text in reports.items():
        times: dict[str, list[float]] = {name: [] for name in contenders}
        for _ in range(repetitions):
            for name, function in contenders.items():
                times[name].append(timed(functools.partial(function, text)))
        medians = {name: statistics.median(values) for name, values in times.items()}
        bare = medians["bare mwparserfromhell.parse"]
        cells = [f"{seconds:.3f} ({seconds / bare:.2f}×)" for seconds in medians.values()]
        print(f"| {label} | {len(text.encode('utf-8')) / 1e6:.2f} MB | " + " | ".join(cells) + " |")

    big = reports["2,000"]
    peaks = [f"{peak_bytes(functools.partial(function, big)) / 2**20:.0f} MiB" for function in contenders.values()]
    print("| peak memory at 2,000 | | " + " | ".join(peaks) + " |")

    corpus = synthetic_corpus(106, 1850)
    codebook = Codebook("cycle2", CYCLE2_CODES)

    def statements() -> int:
        count = 0
        for source in corpus:
            report = parse_statements(source.text, source.title, 1, codebook=codebook if source.codebook else None, code=source.code)
            check_statements(report)
            count += len(report.statements)
        return count

    count = statements()
    seconds = statistics.median(timed(statements) for _ in range(repetitions))
    size = sum(len(source.text.encode("utf-8")) for source in corpus) / 1e6
    print(f"\nStatement corpus: {len(corpus)} sources, {count} statements ({size:.2f} MB), parse + check: {seconds:.3f} s")

    with tempfile.TemporaryDirectory(prefix="wikisync-bench-") as folder:
        path = Path(folder) / "report-2000.wiki"
        path.write_text(big, encoding="utf-8")
        wikisync = str(Path(sys.executable).parent / "wikisync")
        commands = {
            "python -c 'import mwparserfromhell; mwparserfromhell.parse(...)'":
                [sys.executable, "-c", f"import mwparserfromhell; mwparserfromhell.parse(open({str(path)!r}).read())"],
            "wikisync check FILE (no page map)": [wikisync, "check", str(path)],
            "wikisync check FILE --map page_map.yaml": [wikisync, "check", str(path), "--map", str(REPO / "page_map.yaml")],
        }
        runs: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(repetitions):
            for name, command in commands.items():
                started = time.perf_counter()
                subprocess.run(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
                runs[name].append(time.perf_counter() - started)
        baseline = statistics.median(next(iter(runs.values())))
        print("\n| whole process, 2,000 themes | seconds | ratio |\n| --- | ---: | ---: |")
        for name, values in runs.items():
            print(f"| {name} | {statistics.median(values):.3f} | {statistics.median(values) / baseline:.2f}× |")


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--repetitions", type=int, default=7, help="interleaved repetitions per size (at least 5)")
    args = options.parse_args()
    if Path(sys.prefix).resolve() != BENCH_VENV.resolve():
        ensure_bench_venv()
        os.execv(str(BENCH_PYTHON), [str(BENCH_PYTHON), __file__, *sys.argv[1:]])
    measure(max(args.repetitions, 5))
    return 0


if __name__ == "__main__":
    sys.exit(main())
