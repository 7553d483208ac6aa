"""The request page: ``{{wikisync request|SOURCE|status=…}}`` templates, found and answered.

Templates are found as the wiki parses them (mwparserfromhell), so the syntax shown inside
``<nowiki>``, ``<pre>`` or a comment is no request; answering rewrites one template's parameters
and keeps every other byte of the page. A comment (or ``<includeonly>``) left open hides the rest of
the page from the wiki's parser, where mwparserfromhell reads it as text: that rest is cut off first
(:func:`shown_part`).
"""

from __future__ import annotations

import re

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.wikicode import Wikicode

from ..model import RebuildRequest
from .wikitext import LineIndex, plain_of

__all__ = ["REQUEST_TEMPLATE", "answer_request", "answer_requests", "parse_requests", "shown_part"]

REQUEST_TEMPLATE = "wikisync request"

_RAW_TAGS = ("nowiki", "pre", "gallery", "indicator", "langconvert")
"""Core's tags whose body MediaWiki's preprocessor takes as it is, unscanned, when they are closed
(``<noinclude>`` and ``<onlyinclude>`` are dropped on the page itself, their body scanned)."""
_OPENINGS = re.compile(r"<!--|<(includeonly|" + "|".join(_RAW_TAGS) + r")(?=\s|/>|>)[^>]*?(/?)>", re.IGNORECASE)


def shown_part(text: str) -> str:
    """``text`` up to a comment or an ``<includeonly>`` left open, which MediaWiki's preprocessor runs
    to the end of the page; a ``<nowiki>`` or ``<pre>`` left open is shown as text and ends nothing.
    Scanned as the preprocessor scans: a ``<!--`` inside a closed comment or a closed raw tag opens nothing."""
    position = 0
    while found := _OPENINGS.search(text, position):
        name = (found.group(1) or "").lower()
        if not name:
            end = text.find("-->", found.end())
            if end < 0:
                return text[:found.start()]
            position = end + 3
            continue
        close = None if found.group(2) else re.compile(rf"</{name}\s*>", re.IGNORECASE).search(text, found.end())
        if close is None and name == "includeonly" and not found.group(2):
            return text[:found.start()]
        position = close.end() if close else found.end()
    return text


def parse_requests(text: str) -> list[RebuildRequest]:
    """Every ``{{wikisync request|SOURCE|status=…}}`` on a request page, in page order."""
    text = shown_part(text)
    code = mwparserfromhell.parse(text)
    lines = LineIndex(text)
    requests: list[RebuildRequest] = []
    cursor = 0
    for index, template in enumerate(_request_templates(code)):
        raw = str(template)
        offset = text.find(raw, cursor)
        cursor = offset + len(raw) if offset >= 0 else cursor
        source = _parameter_text(template, 1)
        status = _parameter_text(template, "status")
        line = lines.position(max(offset, 0))[0]
        requests.append(RebuildRequest(index, source, status, line, raw))
    return requests


def answer_request(text: str, index: int, answer: dict[str, str]) -> str:
    """The request page with the ``index``-th request's parameters set to ``answer``; every other byte kept."""
    return answer_requests(text, {index: answer})


def answer_requests(text: str, answers: dict[int, dict[str, str]]) -> str:
    """The request page with each ``index``-th request's parameters set to ``answers[index]``, in one
    parse of the page; every other byte kept."""
    shown = shown_part(text)
    code = mwparserfromhell.parse(shown)
    templates = _request_templates(code)
    for index, answer in answers.items():
        if 0 <= index < len(templates):
            for name, value in answer.items():
                templates[index].add(name, value, preserve_spacing=False)
    return str(code) + text[len(shown):]


def _request_templates(code: Wikicode) -> list[Template]:
    wanted = _template_key(REQUEST_TEMPLATE)
    return [t for t in code.filter_templates(recursive=False) if _template_key(str(t.name)) == wanted]


def _parameter_text(template: Template, name: int | str) -> str:
    if not template.has(name):
        return ""
    return " ".join(plain_of(mwparserfromhell.parse(str(template.get(name).value))).split())


def _template_key(name: str) -> str:
    name = " ".join(name.replace("_", " ").split())
    if name.lower().startswith("template:"):
        name = name[len("template:"):].strip()
    return name[:1].upper() + name[1:]
