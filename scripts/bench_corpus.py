"""The corpus row of the benchmark: 106 synthetic statement sources (~1,850 statements, tests/synthetic.py)
found by one sources_from prefix, with three aggregates, on a fresh dev wiki. Prints a table: seconds, API
requests (all, and edits among them) for the first run, a no-op, a no-op with the state deleted, and one
source edited. Asserts nothing. Run by scripts/bench, or: .venv/bin/python scripts/bench_corpus.py

With --translated: 20 narrative sources each translated into three languages (French, German and Spanish
as tests/fixtures/translated has them, the Spanish published too), every page published in the four
languages: a first run, a no-op, one translation edited, a no-op."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))  # the synthetic corpus generator

from synthetic import synthetic_corpus  # noqa: E402

DEV_WIKI = REPO / "scripts" / "dev-wiki"
TRANSLATED = REPO / "tests" / "fixtures" / "translated"
LANGUAGES = ("fr", "de", "es")
PREFIX = "Strategy/Wikimedia movement/2017/Sources/"
CODEBOOKS = yaml.safe_load((REPO / "tests" / "fixtures" / "statements" / "page_map.yaml").read_text(encoding="utf-8"))["codebooks"]
API_LINE = re.compile(r"\]: ([A-Z]+) /api\.php")


def api_requests(log: Path) -> int:
    return sum(1 for line in log.read_text(errors="replace").splitlines() if API_LINE.search(line))


def run(args: list[str], env: dict[str, str], log: Path) -> tuple[float, int, int, str]:
    before = api_requests(log)
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "wikisync.cli", *args], env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    time.sleep(0.3)  # php -S logs a request when it closes
    return elapsed, api_requests(log) - before, done.returncode, done.stdout + done.stderr


def saves(output: str) -> int:
    """Pages saved, as the run reports them ("saved N of M" per source and for the aggregates)."""
    return sum(int(n) for n in re.findall(r": saved (\d+) of \d+", output))


def table(steps: list[tuple[str, Callable[[], None] | None]], sync: list[str], env: dict[str, str], log: Path) -> None:
    print(f"| {'run':32} | {'seconds':>8} | {'API requests':>12} | {'of them saves':>13} |")
    print(f"|{'-' * 34}|{'-' * 10}|{'-' * 14}|{'-' * 15}|")
    for name, before in steps:
        if before is not None:
            before()
        seconds, requests, code, output = run(sync, env, log)
        note = "" if code == 0 else f" (exit {code}: {output.strip().splitlines()[-1] if output.strip() else ''})"
        print(f"| {name:32} | {seconds:8.2f} | {requests:12d} | {saves(output):13d} |{note}")
    print("\nEach run is a fresh process that reuses Pywikibot's login cookie; its figure includes Pywikibot's"
          " userinfo check at start-up.")


def translated(sources: int = 20) -> int:
    """The translated corpus: ``sources`` narrative sources under one prefix, each in French, German and Spanish."""
    with tempfile.TemporaryDirectory(prefix="wikisync-bench-translated-") as tmp:
        root = Path(tmp)
        wiki = root / "wiki"
        imports = []
        for number in range(sources):
            title = f"{PREFIX}Gathering {number + 1}"
            imports += ["--import", f"{TRANSLATED / 'source.wiki'}={title}"]
            imports += [item for language in LANGUAGES for item in ("--import", f"{TRANSLATED / (language + '.wiki')}={title}/{language}")]
        subprocess.run([str(DEV_WIKI), "start", "--fresh", "--no-import", "--dir", str(wiki)], check=True, capture_output=True)
        try:
            subprocess.run([str(DEV_WIKI), "start", "--dir", str(wiki), *imports], check=True, capture_output=True)
            env = {**os.environ, "PYWIKIBOT_DIR": str(wiki / "pywikibot")}
            page_map = root / "page_map.yaml"
            settings = {"translations": "auto", "min_translated": 0.1,
                        "targets": [{"title": "{source}/Themes", "template": "overview.wiki.j2"},
                                    {"title": "{source}/Themes/{theme}", "template": "theme.wiki.j2", "each": "theme"}]}
            page_map.write_text(yaml.safe_dump({"templates": str(REPO / "templates"),
                                                "sources_from": [{"prefix": PREFIX, "code": None, "settings": settings}]},
                                               allow_unicode=True), encoding="utf-8")
            edited = root / "edited.wiki"
            edited.write_text((TRANSLATED / "fr.wiki").read_text(encoding="utf-8").replace(
                "Connecter beaucoup plus de gens.", "Connecter bien plus de monde."), encoding="utf-8")

            def edit() -> None:
                subprocess.run([str(DEV_WIKI), "start", "--dir", str(wiki), "--import", f"{edited}={PREFIX}Gathering 6/fr"],
                               check=True, capture_output=True)

            print(f"\nTranslated corpus: {sources} narrative sources (4 themes each), each translated into "
                  f"{', '.join(LANGUAGES)} (German and Spanish of older versions, with fewer themes): 16 pages a source\n")
            table([("first run (creates every page)", None), ("no-op", None), ("one translation edited", edit), ("no-op", None)],
                  ["sync", "--quiet", "--map", str(page_map)], env, wiki / "server.log")
        finally:
            subprocess.run([str(DEV_WIKI), "stop", "--dir", str(wiki)], capture_output=True)
    return 0


def main() -> int:
    options = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    options.add_argument("--translated", action="store_true", help="the translated corpus: 20 sources in 4 languages")
    if options.parse_args().translated:
        return translated()
    corpus = synthetic_corpus(106, 1850)
    with tempfile.TemporaryDirectory(prefix="wikisync-bench-corpus-") as tmp:
        root = Path(tmp)
        wiki = root / "wiki"
        imports = []
        for number, source in enumerate(corpus):
            path = root / f"source{number}.wiki"
            path.write_text(source.text, encoding="utf-8")
            imports += ["--import", f"{path}={source.title}"]
        subprocess.run([str(DEV_WIKI), "start", "--fresh", "--no-import", "--dir", str(wiki)], check=True, capture_output=True)
        try:
            subprocess.run([str(DEV_WIKI), "start", "--dir", str(wiki), *imports], check=True, capture_output=True)
            env = {**os.environ, "PYWIKIBOT_DIR": str(wiki / "pywikibot")}
            log = wiki / "server.log"
            page_map = root / "page_map.yaml"
            page_map.write_text(yaml.safe_dump({
                "templates": str(REPO / "templates"),
                "codebooks": CODEBOOKS,
                "sources_from": [{"prefix": PREFIX, "exclude": ["All-Hands summary report"], "settings": {"shape": "statements"}}],
                "sources": [{"page": s.title, "code": s.code, **({"codebook": s.codebook} if s.codebook else {})} for s in corpus],
                "aggregates": [{"title": PREFIX + "Corpus", "template": "corpus.wiki.j2"},
                               {"title": PREFIX + "Corpus/Statement index", "template": "statement-index.wiki.j2"},
                               {"title": PREFIX + "data.json", "format": "json"}],
            }, allow_unicode=True), encoding="utf-8")
            state = root / ".wikisync" / "state.json"
            edited = root / "edited.wiki"
            edited.write_text(corpus[5].text.replace("|-\n", "|-\n| 999 || A || 1 || One statement added for the benchmark. || bench || \n|-\n", 1),
                              encoding="utf-8")

            def edit() -> None:
                subprocess.run([str(DEV_WIKI), "start", "--dir", str(wiki), "--import", f"{edited}={corpus[5].title}"],
                               check=True, capture_output=True)

            statements = sum(len(re.findall(r"^\|-\n\|", s.text, re.M)) for s in corpus)
            print(f"\nCorpus: {len(corpus)} synthetic sources (~{statements} rows), one sources_from prefix, 3 aggregates\n")
            table([("first run (creates every page)", None), ("no-op", None), ("no-op, state deleted", state.unlink),
                   ("one source edited", edit), ("no-op", None)],
                  ["sync", "--quiet", "--map", str(page_map)], env, log)
        finally:
            subprocess.run([str(DEV_WIKI), "stop", "--dir", str(wiki)], capture_output=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
