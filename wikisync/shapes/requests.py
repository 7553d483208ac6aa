"""The request page: ``{{wikisync request|SOURCE|status=…}}`` templates, found and answered.

Templates are found as the wiki parses them (mwparserfromhell), so the syntax shown inside
``<nowiki>``, ``<pre>`` or a comment is no request; answering rewrites one template's parameters
and keeps every other byte of the page.
"""

from __future__ import annotations

import mwparserfromhell
from mwparserfromhell.nodes import Template
from mwparserfromhell.wikicode import Wikicode

from ..model import RebuildRequest
from .wikitext import LineIndex, plain_of

__all__ = ["REQUEST_TEMPLATE", "answer_request", "parse_requests"]

REQUEST_TEMPLATE = "wikisync request"


def parse_requests(text: str) -> list[RebuildRequest]:
    """Every ``{{wikisync request|SOURCE|status=…}}`` on a request page, in page order."""
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
    code = mwparserfromhell.parse(text)
    templates = _request_templates(code)
    if not 0 <= index < len(templates):
        return text
    template = templates[index]
    for name, value in answer.items():
        template.add(name, value, preserve_spacing=False)
    return str(code)


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
