"""The single error hierarchy of wikisync.

Bad markup in a report is not an error: it parses into whatever can be recovered and the checker
reports it. These exceptions are for what stops a run: a missing page, a broken config, a wiki refusing.
"""

from __future__ import annotations

__all__ = [
    "WikisyncError",
    "ConfigError",
    "SourceError",
    "TemplateError",
    "WikiError",
]


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
