"""JSON text as MediaWiki stores a JSON page: read it, and write it byte for byte as the wiki would.

A data page written exactly as the wiki stores it (tab indents, Unicode as is, ``<>&`` escaped) diffs
against the stored page with only its real changes.
"""

from __future__ import annotations

import json
import re
from json.encoder import encode_basestring  # json's own string writer, in C

__all__ = ["dump_data", "load_data"]

# What MediaWiki's JSON pages escape when they store a document (FormatJson without XMLMETA_OK)
_JSON_ESCAPES = {"<": "\\u003C", ">": "\\u003E", "&": "\\u0026"}


def load_data(text: str) -> dict | None:
    """A JSON data page's document, or None when the text is not a JSON object."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None


def dump_data(data: dict) -> str:
    """JSON text as MediaWiki stores a JSON page (tab indents, Unicode as is, ``<>&`` escaped), so that
    a diff against the stored page shows only real changes. The text of :func:`_dump_plain`: json.dumps
    with an indent runs its encoder in Python, so documents made of JSON's own types are written here at
    several times its speed."""
    parts: list[str] = []
    try:
        _json(data, "\n", parts)
    except _NotPlainJSON:
        return _dump_plain(data)
    return _escape_xml_meta("".join(parts))


def _dump_plain(data: dict) -> str:
    return _escape_xml_meta(json.dumps(data, ensure_ascii=False, indent="\t"))


def _escape_xml_meta(text: str) -> str:
    return re.sub(r"[<>&]", lambda m: _JSON_ESCAPES[m.group(0)], text)


class _NotPlainJSON(Exception):
    pass


def _json(value: object, newline: str, parts: list[str]) -> None:
    """``value`` as json.dumps(value, ensure_ascii=False, indent="\\t") writes it, at the indent ``newline``
    ends in; types are tested in json's own order (a str or int subclass is written as its value)."""
    if isinstance(value, str):
        parts.append(encode_basestring(value))
    elif value is None:
        parts.append("null")
    elif value is True:
        parts.append("true")
    elif value is False:
        parts.append("false")
    elif isinstance(value, int):
        parts.append(int.__repr__(value))
    elif isinstance(value, float):
        parts.append(_float(value))
    elif isinstance(value, (list, tuple)):
        if not value:
            parts.append("[]")
            return
        inner = newline + "\t"
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            _json(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "]")
    elif isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        inner = newline + "\t"
        separator = "{" + inner
        for key, item in value.items():
            if isinstance(key, str):
                parts.append(separator + encode_basestring(key) + ": ")
            else:
                raise _NotPlainJSON  # json's own conversion of other keys
            _json(item, inner, parts)
            separator = "," + inner
        parts.append(newline + "}")
    else:
        raise _NotPlainJSON


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "Infinity" if value > 0 else "-Infinity"
    return float.__repr__(value)
