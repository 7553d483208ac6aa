"""Secrets kept out of every log record the process makes: passwords, tokens and cookies.

Pywikibot's ``-debug`` logs the body of every API request: the login's password and login token,
each edit's token; on some errors it logs a response's headers, cookies among them. Records are
redacted as they are made, by a log record factory installed once: so every handler (Pywikibot's
log file, its terminal, any other) gets the redacted text, whichever logger the record came from
and whenever a handler was added. Pywikibot hands the logging module a message and its arguments
and leaves the formatting to it, so what is redacted is the message formatted with its arguments,
and the text of an attached traceback.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

__all__ = ["MASK", "install", "redact"]

MASK = "<redacted>"

_SECRET_NAME = r"(?:\w*password|passwd|\w*token|\w*secret|cookie|set-cookie|authorization)"

_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    # a request's parameters: lgpassword=…&lgtoken=…&token=…
    (re.compile(rf"(?<![\w-])({_SECRET_NAME})=[^&\s'\"]+", re.IGNORECASE), rf"\1={MASK}"),
    # a mapping's item, as Python or JSON write it: 'lgpassword': '…', "csrftoken": "…"
    (re.compile(rf"""(['"])({_SECRET_NAME})\1(\s*:\s*)(['"])(?:\\.|(?!\4).)*\4""", re.IGNORECASE), rf"\1\2\1\3\4{MASK}\4"),
    # a header line: Cookie: …, Set-Cookie: …
    (re.compile(r"^(\s*(?:cookie|set-cookie|authorization)\s*:\s*)\S.*$", re.IGNORECASE | re.MULTILINE), rf"\1{MASK}"),
    # a cookie as the cookie jar writes it: <Cookie name=value for host/>
    (re.compile(r"(<Cookie [^\s=]+=)[^\s>]*"), rf"\1{MASK}"),
    # any MediaWiki token, wherever it stands: hex digits and "+\", raw, escaped or URL-encoded
    (re.compile(r"[0-9a-f]{32,}(?:\+|%2B)(?:\\\\|\\|%5C)", re.IGNORECASE), MASK),
)


def redact(text: str) -> str:
    """``text`` with every password, token and cookie value replaced by :data:`MASK`."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_record(record: logging.LogRecord) -> None:
    try:
        text, fits = record.getMessage(), True
    except Exception:  # arguments that do not fit the message: both kept, as plain text (logging would print them as they are)
        text, fits = " ".join(str(part) for part in (record.msg, *(record.args or ()))), False
    clean = redact(text)
    if clean != text or not fits:
        # one argument for a bare "%s": the form Python's captured warnings take, which Pywikibot's formatter expects
        record.msg, record.args = ("%s", (clean,)) if record.msg == "%s" else (clean, ())
    if record.exc_info and record.exc_info[1] is not None:
        shown = "".join(traceback.format_exception(*record.exc_info)).rstrip("\n")
        if redact(shown) != shown:
            record.exc_text = redact(shown)  # formatters print exc_text as it is, instead of formatting the traceback again
    if record.stack_info:
        record.stack_info = redact(record.stack_info)


_installed = False


def install() -> None:
    """Redact every log record made from now on in this process (once, however often it is called)."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def make_redacted(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make(*args, **kwargs)
        _redact_record(record)
        return record

    logging.setLogRecordFactory(make_redacted)
    _installed = True
