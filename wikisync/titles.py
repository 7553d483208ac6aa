"""Page titles without the wiki: what MediaWiki would reject or rewrite, and safe titles for theme names.

Pure, so that page_map.yaml can be refused before the wiki is contacted and ``check`` can say which
themes will be published under another title than their name.
"""

from __future__ import annotations

import hashlib
import re
import string
import unicodedata

__all__ = ["LANGUAGE_CODE", "MAX_TITLE_BYTES", "part_title", "safe_part", "theme_title", "title_key", "title_problem", "with_source"]

MAX_TITLE_BYTES = 255
"""MediaWiki's limit on a title, in UTF-8 bytes."""

LANGUAGE_CODE = re.compile(r"[a-z]{2,3}(?:-[a-z0-9]+)*")
"""A language code as the Translate extension names a translation's subpage (fr, de, pt-br, zh-hans…)."""

# What a title may not contain to mean what it says: MediaWiki's illegal characters (U+FFFD among
# them), and URL-encoded sequences and character references, which would be decoded into another title.
_ILLEGAL = re.compile(r"[\x00-\x1f\x7f#<>\[\]{|}\ufffd]|%[0-9A-Fa-f]{2}|&[A-Za-z0-9\x80-\xff]+;|&#x?[0-9A-Fa-f]+;|~{3,}")
# Characters a theme's part of a title cannot hold or that would change its meaning (a subpage, a
# section, a signature), the sequences MediaWiki would decode into another character (%41, &amp;),
# and what it strips or rewrites silently (controls, U+FFFD, direction marks).
_UNSAFE_IN_PART = re.compile(
    r"(?:[#<>\[\]|{}/_\x00-\x1f\x7f-\x9f\ufffd\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]|~{3,}|%(?=[0-9A-Fa-f]{2})|&(?=#?\w+;))+"
)
# Spaces that MediaWiki turns into a plain space in titles.
_SPACES = re.compile(r"[\s\u00a0\u1680\u180e\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+")
_SUFFIX_BYTES = 9  # " (" + 6 hex digits + ")"


def title_problem(title: str) -> str | None:
    """Why the wiki would reject ``title`` or store it under another one; None when it can stand."""
    stripped = _SPACES.sub(" ", title).strip(" _")
    if not stripped:
        return "a title cannot be empty"
    found = _ILLEGAL.search(title)
    if found:
        return f"a title cannot contain {found.group(0)!r}"
    if stripped.startswith(":"):
        return "a title cannot start with ':'"
    if len(title.encode("utf-8")) > MAX_TITLE_BYTES:
        return f"a title is at most {MAX_TITLE_BYTES} bytes; this one has {len(title.encode('utf-8'))}"
    if "/./" in f"/{title}/" or "/../" in f"/{title}/":
        return "a title cannot have '.' or '..' as a path segment"
    return None


def title_key(title: str) -> str:
    """One spelling per page, as the wiki would store it (first letter upper case, ``_`` as space)."""
    text = unicodedata.normalize("NFC", _SPACES.sub(" ", title.replace("_", " ")).strip())
    return text[:1].upper() + text[1:]


def safe_part(theme: str) -> str:
    """A theme's name with the characters that cannot or should not stand in a title replaced."""
    part = _SPACES.sub(" ", _UNSAFE_IN_PART.sub("-", unicodedata.normalize("NFC", theme))).strip(" -.")
    return part or "Untitled"


def with_source(pattern: str, source: str) -> str:
    """``pattern`` with ``{source}`` filled in and its other placeholders left for a later ``format``:
    braces in the source (a file's name) stay literal instead of becoming placeholders."""
    def literal(text: str) -> str:
        return text.replace("{", "{{").replace("}", "}}")

    return "".join(literal(text) + ("" if name is None else literal(source) if name == "source" else "{" + name + "}")
                   for text, name, _, _ in string.Formatter().parse(pattern))


def theme_title(pattern: str, source: str, theme: str) -> str:
    """The title of a theme's page: its safe name in ``pattern``, shortened to fit in 255 bytes.

    A shortened name ends in a hash of the whole name, so two long names that differ only at the
    end never share a title; the same name always gets the same title.
    """
    return part_title(pattern, source, "theme", theme)


def part_title(pattern: str, source: str, field: str, value: str) -> str:
    """``pattern`` with ``{field}`` filled by ``value`` made safe, as :func:`theme_title` does for themes."""
    part = safe_part(value)
    title = pattern.format(source=source, **{field: part})
    if len(title.encode("utf-8")) <= MAX_TITLE_BYTES:
        return title
    suffix = f" ({hashlib.sha1(value.encode('utf-8')).hexdigest()[:6]})"
    room = MAX_TITLE_BYTES - len(pattern.format(source=source, **{field: ""}).encode("utf-8")) - _SUFFIX_BYTES
    shortened = part.encode("utf-8")[: max(room, 0)].decode("utf-8", "ignore").rstrip(" -.")
    return pattern.format(source=source, **{field: f"{shortened}{suffix}".strip()})
