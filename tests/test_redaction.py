"""Log records keep no password, token or cookie, however the message reaches the logging module."""

from __future__ import annotations

import io
import logging

from wikisync import redaction

PASSWORD = "bll8ltdgn88g0tlg7qk1a7tpu4ftbhu6"
TOKEN = "6d295e7e1297456136049191962aa2ee6b105bc2+\\"


def _logged(emit) -> str:
    redaction.install()
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    logger = logging.getLogger("pywiki.redaction-test")
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    logger.propagate = False  # Pywikibot's own handlers, once another test has set them up, want fields of their own
    try:
        emit(logger)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


def test_a_secret_in_the_arguments_of_a_lazily_formatted_message_is_redacted():
    text = _logged(lambda log: log.debug("API request: %s / %r", f"lgpassword={PASSWORD}&lgtoken={TOKEN}",
                                         {"csrftoken": TOKEN, "Set-Cookie": "session=0123456789abcdef0123"}))
    assert PASSWORD not in text and "6d295e7e" not in text and "0123456789abcdef0123" not in text
    assert "lgpassword=<redacted>" in text and "'csrftoken': '<redacted>'" in text


def test_a_secret_in_an_exception_s_text_is_redacted():
    def emit(log: logging.Logger) -> None:
        try:
            raise ValueError(f"bad request: token={TOKEN}")
        except ValueError:
            log.exception("failed")

    text = _logged(emit)
    assert "ValueError: bad request: token=<redacted>" in text and "6d295e7e" not in text


def test_a_captured_warning_keeps_the_form_pywikibot_s_formatter_expects():
    redaction.install()
    record = logging.getLogger("py.warnings").makeRecord("py.warnings", logging.WARNING, __file__, 1, "%s",
                                                          (f"UserWarning: lgpassword={PASSWORD}",), None)
    assert record.msg == "%s" and record.args == ("UserWarning: lgpassword=<redacted>",)


def test_ordinary_text_is_left_as_it_is():
    for text in ("action=query&meta=tokens&type=csrf", "Logging in to devwiki:devwiki as WikisyncBot", "50% done"):
        assert redaction.redact(text) == text
