"""Synthetic source pages of any size, for the benchmarks and the parser's equivalence tests.

:func:`synthetic_report` writes a narrative report laid out like the All-Hands report (Translate
markup, an intro with links, keynote elements, workshop prompts, theme sections with "What we heard"
comments, the Competing Priorities table, key questions), about 890 bytes a theme, with the markup
mix of the real page: most lines plain, some with links, italics or quotes. ``markup=False`` gives
the API benchmark's bare report instead (no Translate markup, one-line summaries), byte for byte;
``markup="heavy"`` the same report with a link, a template and a ``<ref>`` footnote in every line of
text (summaries, comments, keynote elements, prompts): the page the parser can read least by itself.
:func:`synthetic_corpus` writes the statement pages of a corpus like the 2017 strategy's sources.
Both are deterministic: the same arguments give the same text.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

__all__ = ["CYCLE2_CODES", "SyntheticSource", "synthetic_corpus", "synthetic_report", "synthetic_statements"]

_WORDS = (
    "knowledge", "community", "volunteers", "editors", "readers", "language", "access", "sources", "partners",
    "libraries", "schools", "mobile", "offline", "translation", "mentoring", "trust", "quality", "gaps",
    "history", "women", "science", "culture", "museums", "funding", "chapters", "events", "outreach", "tools",
    "software", "research", "policy", "safety", "kindness", "newcomers", "donors", "archives", "photographs",
    "maps", "data", "citations", "neutrality", "openness", "learning", "curiosity"
)
_OPENINGS = (
    "We should", "Many participants asked how we could", "It is important to", "Staff want to",
    "The movement needs to", "Several groups proposed to", "In 2030 we hope to", "Some of us would rather",
)
_VERBS = ("support", "protect", "grow", "connect", "rethink", "measure", "open up", "simplify", "share", "fund")


@dataclass(frozen=True)
class SyntheticSource:
    """One page of a synthetic corpus: its title, code, shape settings and wikitext."""

    title: str
    code: str
    codebook: str | None
    text: str


def _sentence(rng: random.Random, markup: float) -> str:
    words = rng.sample(_WORDS, rng.randint(4, 9))
    roll = rng.random()
    if roll < markup / 3:
        words[1] = f"[[{words[1].capitalize()}|{words[1]}]]"
    elif roll < 2 * markup / 3:
        words[-1] = f"''{words[-1]}''"
    elif roll < markup:
        words[2] = f"[[w:{words[2].capitalize()}]]"
    elif roll < markup + 0.15:
        words[0] = f"“{words[0]}"
        words[-1] = f"{words[-1]}”"
    return f"{rng.choice(_OPENINGS)} {rng.choice(_VERBS)} {' '.join(words)}."


_TEMPLATES = ("{{citation needed}}", "{{lang|fr|savoir libre}}", "{{tl|Strategy}}", "{{Tick}}", "{{date|2017-08-11}}")
_REF_BODIES = ("Session notes, table {n}", "[http://example.org/notes/{n} Notes of session {n}]",
               "{{{{cite web|url=http://example.org/{n}|title=Report {n}}}}}", "[[Strategy/Notes/{n}|Notes {n}]], p. 3")


def _heavy(rng: random.Random, text: str) -> str:
    """``text`` (a line's sentences) with a link, a template and a footnote put in."""
    words = text.split(" ")
    at = rng.choice([index for index, word in enumerate(words) if index and word.isalpha()])
    word = words[at]
    words[at] = f"[[w:{word.capitalize()}|{word}]]" if rng.random() < 0.5 else f"[[{word.capitalize()}]]"
    words.insert(rng.randrange(2, len(words)), rng.choice(_TEMPLATES))
    n = rng.randrange(1, 400)
    if rng.random() < 0.2:
        footnote = f'<ref name="s{n}" />'
    else:
        name = f' name="s{n}"' if rng.random() < 0.3 else ""
        footnote = f"<ref{name}>{rng.choice(_REF_BODIES).format(n=n)}</ref>"
    return " ".join(words) + footnote


def _theme_name(number: int) -> str:
    return f"{_WORDS[number % len(_WORDS)].capitalize()} {number}"


def synthetic_report(themes: int, *, markup: bool | Literal["heavy"] = True, seed: int = 2017) -> str:
    """A narrative report with ``themes`` theme sections, each named in the priorities table once."""
    if not markup:
        return _bare_report(themes)
    rng = random.Random(seed)
    if markup == "heavy":
        lines = _report_lines(themes, rng, random.Random(seed + 1))
    else:
        lines = _report_lines(themes, rng, None)
    return "\n".join(lines)


def _report_lines(themes: int, rng: random.Random, heavy: random.Random | None) -> list[str]:
    """The report's lines; with ``heavy``, every line of text also gets its link, template and footnote
    (drawn from ``heavy``, so that ``rng`` draws the same words as the plain report's)."""

    def text(line: str) -> str:
        return _heavy(heavy, line) if heavy is not None else line

    unit = iter(range(1, 10**9))
    out = [
        "<languages/>", "<translate>", f"<!--T:{next(unit)}-->",
        "As we begin our exploration into a strategic direction, we are getting into conversation with the "
        "[http://example.org/ Movement Strategy Center] and with [[Strategy/Communities|many communities]]. "
        + text(" ".join(_sentence(rng, 0.1) for _ in range(3))),
        "", f"<!--T:{next(unit)}-->", "The keynote described the following key elements:",
    ]
    out += [f"* '''{name}''': {text(_sentence(rng, 0.2) + ' ' + _sentence(rng, 0.1))}" for name in ("Vision", "Practice", "Connection")]
    out += ["", f"<!--T:{next(unit)}-->", "'''Session #1:'''"]
    out += [f"* {text(_sentence(rng, 0.1)[:-1] + '?')}" for _ in range(3)]
    out += ["", f"== Key Themes == <!--T:{next(unit)}-->", "", f"<!--T:{next(unit)}-->", text(_sentence(rng, 0.1)), ""]
    for number in range(1, themes + 1):
        out += [f"=== {_theme_name(number)} === <!--T:{next(unit)}-->", "", f"<!--T:{next(unit)}-->"]
        out.append(text(" ".join(_sentence(rng, 0.25) for _ in range(rng.randint(2, 4)))))
        out += ["", f"<!--T:{next(unit)}-->", "''What we heard:''"]
        out += [f"* {text(' '.join(_sentence(rng, 0.15) for _ in range(rng.randint(1, 2))))}" for _ in range(rng.randint(2, 6))]
        out.append("")
    out += [f"== Key Questions For Further Exploration == <!--T:{next(unit)}-->", "", f"<!--T:{next(unit)}-->",
            "'''How to prioritize the things we care about?'''", "", "</translate>", "",
            "{| class=\"wikitable\"", "! <translate> Competing Priorities</translate>",
            "! <translate> Associated Values/Themes</translate>"]
    for start in range(1, themes + 1, 5):
        out += ["|-", f"| <translate> Priority {start // 5 + 1}: {rng.choice(_VERBS)} {rng.choice(_WORDS)}</translate>", "|",
                "<translate>"]
        for number in range(start, min(start + 5, themes + 1)):
            note = f" ({rng.choice(_WORDS)}, {rng.choice(_WORDS)})" if rng.random() < 0.5 else ""
            out.append(f"* {_theme_name(number)}{note}")
        out[-1] += "</translate>"
    out += ["|}", "", "<translate>", f"<!--T:{next(unit)}-->", "'''Who is our key audience?'''"]
    out += [f"* {rng.choice(_WORDS).capitalize()} versus {rng.choice(_WORDS)}?" for _ in range(3)]
    out += ["", f"<!--T:{next(unit)}-->", "'''What else should we ask?'''", "</translate>", ""]
    return out


def _bare_report(themes: int) -> str:
    sections = "\n".join(
        f"=== Theme {n} ===\nSummary of theme {n}.\n\nWhat we heard:\n* Comment {n}a.\n* Comment {n}b.\n"
        for n in range(1, themes + 1)
    )
    rows = "\n".join(f"|-\n| Priority {n}\n|\n* Theme {n}" for n in range(1, themes + 1))
    return f"== Key Themes ==\n{sections}\n== Key Questions ==\n'''Which?'''\n{{| class=\"wikitable\"\n! Competing Priorities !! Themes\n{rows}\n|}}\n"


CYCLE2_CODES: dict[str, dict[str, str]] = {
    "theme": {"A": "Healthy, inclusive communities", "B": "The augmented age", "C": "A truly global movement",
              "D": "The most trusted source of knowledge", "E": "Engaging in the knowledge ecosystem"},
    "question": {str(n): f"Question {n}" for n in range(1, 6)},
}
"""The codebook (kind -> code -> label) that the corpus's Cycle 2 pages are coded with, named by SyntheticSource.codebook."""
_CODE_CELLS = ("A", "B", "C, E", "A + D", "B/C", "D (possibly)", "E", "none", "C", "A, B")
_FAMILIES = ("cycle 1", "cycle 2", "cycle 2", "cycle 3")
_CYCLE2_CODEBOOK = "cycle2"


def synthetic_statements(statements: int, *, family: str = "cycle 2", seed: int = 0, group: str = "Synthetic group") -> str:
    """One statement page of the given family ("cycle 1", "cycle 2", "cycle 3") with ``statements`` rows."""
    rng = random.Random(seed)
    participants = rng.choice(("12", "30+", "~ 43", "31 (16 women, 15 men)", "8"))
    out = [
        "<languages/>", "<translate>", "== Information == <!--T:1-->", "</translate>",
        "'''name of group'''", f": {group}",
        "'''virtual location (page-link) or physical location (city/state/country)'''", f": [[Meta:{group}|{group}]]",
        "'''Location type (e.g. local wiki, Facebook, in-person discussion, telephone conference)'''", ": local wiki",
        "'''# of participants in this discussion (a rough count)'''", f": {participants}", "",
    ]
    if family == "cycle 2":
        out += ["== Theme key ==", "# Healthy, inclusive communities", "# The augmented age", "# A truly global movement",
                "# The most trusted source of knowledge", "# Engaging in the knowledge ecosystem", ""]
        header = "! Line !! Theme (refer to key) !! Question (refer to key) !! Summary Statement !! Keywords"
    elif family == "cycle 3":
        header = "! Line !! Week # !! Key insight !! Summary Statement !! Overall !! Keyword"
    else:
        header = "! Line !! Statement (summary sentence) !! Keywords"
    out += ["== Summary for the discussion ==", "{| class=\"wikitable\"", header]
    for line in range(1, statements + 1):
        text = _sentence(rng, 0.2)
        if rng.random() < 0.1:
            text += "<ref>Discussion notes</ref>"
        keywords = ", ".join(rng.sample(_WORDS, rng.randint(1, 3)))
        if family == "cycle 2":
            cells = [str(line), rng.choice(_CODE_CELLS), rng.choice(("1", "2", "3, 4", "5", "1?")), text, keywords]
        elif family == "cycle 3":
            cells = [str(line), str(rng.randint(1, 4)), rng.choice("ABCDEFGH"), text,
                     rng.choice(("supportive", "concern", "neutral")), keywords]
        else:
            cells = [str(line), text, keywords]
        out += ["|-", "| " + " || ".join(cells)]
    out += ["|}", ""]
    return "\n".join(out)


def synthetic_corpus(sources: int = 106, statements: int = 1850, *, seed: int = 2017) -> list[SyntheticSource]:
    """``sources`` statement pages holding ``statements`` statements in all, in the families of 2017."""
    rng = random.Random(seed)
    base, extra = divmod(statements, sources)
    corpus = []
    for index in range(sources):
        family = _FAMILIES[index % len(_FAMILIES)]
        code = f"S{index + 1}"
        text = synthetic_statements(base + (index < extra), family=family, seed=rng.randrange(10**9), group=f"Group {index + 1}")
        corpus.append(SyntheticSource(f"Strategy/Wikimedia movement/2017/Sources/Synthetic {index + 1}", code,
                                      _CYCLE2_CODEBOOK if family == "cycle 2" else None, text))
    return corpus
