"""The single error hierarchy of wikisync.

Bad markup in a report is not an error: it parses into whatever can be recovered and the checker
reports it. These exceptions are for what stops a run: a missing page, a broken config, a wiki refusing.
"""

from __future__ import annotations

__all__ = [
    "EXIT_ERROR",
    "EXIT_OK",
    "EXIT_PENDING",
    "ConfigError",
    "SourceError",
    "StateError",
    "TemplateError",
    "TitleError",
    "WikiError",
    "WikisyncError",
]


EXIT_OK = 0
"""Done, or nothing pending."""
EXIT_ERROR = 1
"""Something failed or was refused: configuration, the wiki, check errors, a guard, a page not saved."""
EXIT_PENDING = 2
"""A dry run found changes that a real run would save."""


class WikisyncError(Exception):
    """Base of every error wikisync raises on purpose; the CLI prints these without a traceback."""


class ConfigError(WikisyncError):
    """page_map.yaml (or the Pywikibot configuration) is missing or malformed."""


class SourceError(WikisyncError):
    """A source page or file cannot be read."""


class TemplateError(WikisyncError):
    """A template in templates/ is missing or fails to render."""


class WikiError(WikisyncError):
    """The wiki refused a request or could not be reached."""


class StateError(WikisyncError):
    """The state folder (``.wikisync`` beside the page map) cannot be used: something else is in its place."""


class TitleError(WikisyncError):
    """A title the wiki does not accept (``Project:`` alone, ``a|b``); whoever took it from somewhere says where."""

    def __init__(self, title: str, problem: str) -> None:
        super().__init__(f"{title!r}: {problem}")
        self.title = title
        self.problem = problem
