"""The words of the templates themselves, in every language: message files as translatewiki.net keeps them.

A folder (``i18n/`` beside the templates) holds one JSON file per language, ``en.json``, ``fr.json``,
``de-formal.json``…, each ``{"@metadata": {"authors": [...]}, "wikisync-some-key": "text with $1"}``, and
``qqq.json``, which documents every message for translators. A message missing in a language is taken
from the next language of its fallback chain, as MediaWiki does (``de-formal`` → ``de`` → ``en``);
``en.json`` is the last of every chain.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from .errors import ConfigError, TemplateError
from .wiki_records import LanguageInfo

__all__ = ["BUILT_IN", "DOCUMENTATION", "FOLDER", "LAST_FALLBACK", "TABLES", "Catalog", "LanguageFacts", "direction", "fallbacks",
           "is_language_code", "load_catalog", "messages_folder", "normalised"]

LAST_FALLBACK = "en"
"""The language every chain ends in: its file must hold every message."""
DOCUMENTATION = "qqq"
"""The pseudo-language of the messages' documentation (translatewiki.net's convention)."""
FOLDER = "i18n"
"""The message files' folder, beside the templates' folder, unless the page map says ``messages:``."""
BUILT_IN = Path(__file__).resolve().parent.parent / FOLDER
"""wikisync's own message files, for a templates folder that has none beside it."""

# Fallbacks MediaWiki declares (languages/messages/Messages*.php) that dropping the last part of the code
# would not find; a code's chain is itself, these, its shorter forms (de-formal -> de), then English.
_DECLARED_FALLBACKS: Mapping[str, tuple[str, ...]] = {
    "pt": ("pt-br",),
    "zh": ("zh-hans",),
    "zh-hant": ("zh-hans",),
    "zh-tw": ("zh-hant", "zh-hans"),
    "zh-hk": ("zh-hant", "zh-hans"),
    "zh-mo": ("zh-hk", "zh-hant", "zh-hans"),
    "zh-cn": ("zh-hans",),
    "zh-sg": ("zh-hans",),
    "zh-my": ("zh-sg", "zh-hans"),
    "arz": ("ar",),
    "ary": ("ar",),
    "br": ("fr",),
    "frp": ("fr",),
    "wa": ("fr",),
    "oc": ("fr",),
    "co": ("it",),
    "lb": ("de",),
    "gsw": ("de",),
    "bar": ("de",),
    "ksh": ("de",),
    "nds": ("de",),
    "pfl": ("de",),
    "gl": ("pt",),
    "an": ("es",),
    "ast": ("es",),
    "ext": ("es",),
    "mzn": ("fa",),
    "glk": ("fa",),
    "prs": ("fa",),
    "sgs": ("lt",),
}

# Languages written right to left (MediaWiki's $rtl), by their code or its first part; a script part
# decides for the languages written in more than one (ku-arab, but ku and ku-latn).
_RTL = frozenset({
    "ar", "arc", "arz", "ary", "aeb", "azb", "bcc", "bgn", "bqi", "ckb", "dv", "fa", "glk", "he", "khw", "ks",
    "lki", "lrc", "luz", "mzn", "nqo", "pnb", "prs", "ps", "sd", "sdh", "skr", "syc", "ug", "ur", "yi", "hno",
})
_RTL_SCRIPTS = frozenset({"arab", "hebr", "syrc", "thaa", "nkoo", "adlm", "rohg"})
_LTR_SCRIPTS = frozenset({"latn", "cyrl", "grek", "deva", "beng"})

_CODE = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{1,8})*$")
_PARAMETER = re.compile(r"\$(\d+)")


def messages_folder(templates: Path, configured: Path | None = None) -> Path:
    """Where the templates of ``templates`` take their words from: the page map's ``messages:`` folder,
    else ``i18n/`` beside the templates, else wikisync's own."""
    if configured is not None:
        return configured
    beside = templates.parent / FOLDER
    return beside if beside.is_dir() else BUILT_IN


def is_language_code(code: str) -> bool:
    """Whether ``code`` is written as a language code (``fr``, ``pt-br``, ``zh-hans``), once :func:`normalised`."""
    return bool(_CODE.match(code))


def normalised(language: str) -> str:
    """A language code as wikis and file names spell it: lower case, ``-`` between parts (``pt_BR`` → ``pt-br``)."""
    return language.strip().lower().replace("_", "-")


@functools.lru_cache(maxsize=256)
def fallbacks(language: str) -> tuple[str, ...]:
    """The languages a message is looked up in, in order: ``language`` itself, the fallbacks MediaWiki
    declares for it, its shorter forms, and English last (``de-formal`` → ``de-formal, de, en``)."""
    chain: list[str] = []
    pending = [normalised(language)]
    while pending:
        code = pending.pop(0)
        if not code or code in chain or code == LAST_FALLBACK:
            continue
        chain.append(code)
        pending.extend(_DECLARED_FALLBACKS.get(code, ()))
        if "-" in code:
            pending.append(code.rsplit("-", 1)[0])
    return (*chain, LAST_FALLBACK)


def direction(language: str) -> Literal["ltr", "rtl"]:
    """Which way ``language`` is written: ``rtl`` for Arabic, Hebrew, Persian, Urdu…, else ``ltr``."""
    parts = normalised(language).split("-")
    scripts = [part for part in parts[1:] if part in _RTL_SCRIPTS or part in _LTR_SCRIPTS]
    if scripts:
        return "rtl" if scripts[0] in _RTL_SCRIPTS else "ltr"
    for length in range(len(parts), 0, -1):
        if "-".join(parts[:length]) in _RTL:
            return "rtl"
    return "ltr"


@dataclass(frozen=True)
class LanguageFacts:
    """Each language's name in itself, direction and message fallback chain: as the wiki describes it
    (``meta=languageinfo``, asked by a run that renders a page in another language), else from wikisync's
    own tables (:func:`direction`, :func:`fallbacks`, :data:`wikisync.languages.AUTONYMS`)."""

    told: Mapping[str, LanguageInfo] = field(default_factory=dict)
    """Language code -> what the wiki told of it."""

    def direction(self, language: str) -> Literal["ltr", "rtl"]:
        info = self.told.get(normalised(language))
        return info.direction if info is not None else direction(language)

    def fallbacks(self, language: str) -> tuple[str, ...]:
        """MediaWiki's own chain when the wiki told it: the language, its declared fallbacks, then English."""
        code = normalised(language)
        info = self.told.get(code)
        if info is None:
            return fallbacks(code)
        return tuple(dict.fromkeys((code, *(normalised(each) for each in info.fallbacks), LAST_FALLBACK)))

    def autonym(self, language: str) -> str | None:
        """The language's name in itself, if the wiki told one."""
        info = self.told.get(normalised(language))
        return info.autonym if info is not None and info.autonym else None


TABLES = LanguageFacts()
"""What wikisync knows of languages without the wiki: its own tables."""


@dataclass(frozen=True)
class Catalog:
    """The messages of every language in a folder, and the documentation of each (``qqq.json``)."""

    folder: Path
    messages: Mapping[str, Mapping[str, str]]
    """Language -> message key -> text, as the files give them (``@metadata`` left out)."""
    documentation: Mapping[str, str] = field(default_factory=dict)
    missing: set[tuple[str, str]] = field(default_factory=set, compare=False)
    """The (language, key) pairs asked for that fell back to another language: what a run reports, once."""

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages with a file of their own, English first."""
        return tuple(sorted(self.messages, key=lambda code: (code != LAST_FALLBACK, code)))

    def fallbacks(self, language: str) -> tuple[str, ...]:
        return fallbacks(language)

    def has(self, key: str) -> bool:
        """Whether English, the last of every chain, has the message."""
        return key in self.messages.get(LAST_FALLBACK, {})

    def message(self, language: str, key: str, *params: object, facts: LanguageFacts = TABLES) -> str:
        """The text of message ``key`` in ``language`` or the first of its fallbacks (as ``facts`` tell them)
        that has it, with ``$1``…``$n`` replaced by ``params`` (a ``$n`` without its parameter stays as written)."""
        chain = facts.fallbacks(language)
        for code in chain:
            text = self.messages.get(code, {}).get(key)
            if text is not None:
                if code != chain[0]:
                    self.missing.add((chain[0], key))
                return _with_parameters(text, params)
        raise TemplateError(f"{self.folder / (LAST_FALLBACK + '.json')}: no message {key!r}")

    def missing_note(self) -> str | None:
        """One line naming every message that fell back since the catalog was loaded, by language; None if none."""
        if not self.missing:
            return None
        by_language: dict[str, list[str]] = {}
        for language, key in sorted(self.missing):
            by_language.setdefault(language, []).append(key)
        parts = [f"{language} ({len(keys)}: {', '.join(keys)})" for language, keys in by_language.items()]
        return f"{self.folder}: messages shown in a fallback language, missing in " + "; ".join(parts)


def _with_parameters(text: str, params: tuple[object, ...]) -> str:
    if not params or "$" not in text:
        return text

    def parameter(found: re.Match[str]) -> str:
        number = int(found.group(1))
        return str(params[number - 1]) if 1 <= number <= len(params) else found.group(0)

    return _PARAMETER.sub(parameter, text)


def load_catalog(folder: Path) -> Catalog:
    """Every ``LANG.json`` of ``folder`` and its ``qqq.json``. A missing folder or English file, a file
    that is not JSON, not an object of strings, or named after no language code is a :class:`ConfigError`
    of one line naming the file and, where there is one, the line."""
    if not folder.is_dir():
        raise ConfigError(f"{folder}: no such folder of message files (i18n/en.json, fr.json, ...)")
    messages: dict[str, dict[str, str]] = {}
    documentation: dict[str, str] = {}
    for path in sorted(folder.glob("*.json")):
        code = path.stem
        if code != normalised(code) or not _CODE.match(code):
            raise ConfigError(f"{path}: not named after a language code (en.json, pt-br.json, zh-hans.json…)")
        texts = _read_messages(path)
        if code == DOCUMENTATION:
            documentation = texts
        else:
            messages[code] = texts
    if LAST_FALLBACK not in messages:
        raise ConfigError(f"{folder / (LAST_FALLBACK + '.json')}: missing; English is the last fallback of every language")
    return Catalog(folder, messages, documentation)


def _read_messages(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: not valid JSON: {exc.msg}") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}:1: expected an object of messages, not {_json_type(data)}")
    texts: dict[str, str] = {}
    for key, value in data.items():
        if key == "@metadata":
            if not isinstance(value, dict):
                raise ConfigError(f"{path}:{_line_of(text, key)}: @metadata: expected an object, not {_json_type(value)}")
            continue
        if not isinstance(value, str):
            raise ConfigError(f"{path}:{_line_of(text, key)}: message {key!r}: expected a string, not {_json_type(value)}")
        texts[key] = value
    return texts


def _line_of(text: str, key: str) -> int:
    """The line where ``key`` is written as a key (its last occurrence: JSON keeps the last of a repeated key)."""
    written = re.compile(r'"' + re.escape(json.dumps(key)[1:-1]) + r'"\s*:')
    found = [number for number, line in enumerate(text.splitlines(), 1) if written.search(line)]
    return found[-1] if found else 1


def _json_type(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true or false", int: "a number",
             float: "a number", type(None): "null"}
    return names.get(type(value), type(value).__name__)
