"""Report + page_map.yaml + templates/ -> the text every generated page should have.

Templates are Jinja2 files producing wikitext. Every page starts with a notice naming the source
revision; :func:`split_notice` lets the planner ignore it, so an edit to the source does not
rewrite pages whose content did not change.
"""

from __future__ import annotations

import functools
import hashlib
import re
import traceback
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from . import __version__
from .aggregate import Corpus, StaleSource, corpus_data
from .collection import collection_paused
from .config import AggregateSpec, SourceSpec
from .errors import TemplateError
from .jsontext import dump_data
from .messages import LAST_FALLBACK, TABLES, Catalog, LanguageFacts, load_catalog, messages_folder
from .pages import NOTICE_BEGIN, NOTICE_END, DesiredPage
from .shapes import shape
from .shapes.base import Instances, ShapeReport

__all__ = [
    "catalog",
    "escape_wikitext",
    "excerpt",
    "render",
    "render_aggregates",
    "render_key",
    "render_page",
    "source_data",
    "stale_notice",
]

NOTICE_TEMPLATE = "notice.wiki.j2"
# What the wiki would rewrite on saving (a signature, a substitution): the saved text would then
# differ from the text whose fingerprint was sent, and the page would look edited by hand.
_REWRITTEN_ON_SAVE = re.compile(r"~~~|\{\{\s*(?:safe)?subst:", re.I)
# What would turn plain text into markup; replaced by numeric character references, which the
# wiki displays as the same characters.
_MARKUP = re.compile(r"''+|~~~+|__+|&(?=#?\w+;)|[<>\[\]{}|]")
# The characters that any of _MARKUP starts with, and a line break: text with none of them is its own escape.
_MARKUP_START = re.compile(r"[\n'~_&<>\[\]{}|]")
_LINE_START = tuple("*#:;= !{") + ("----",)


_IN_LANGUAGE = re.compile(r'<(span|div)( lang="[A-Za-z0-9-]+" dir="(?:ltr|rtl)"| class="mw-translate-fuzzy")>(.*)</\1>', re.S)
"""Text a translation keeps in the source language, wrapped with its language and direction, or whose
translation is outdated, marked so (as :mod:`wikisync.translation` hands them over): the wrapper stays,
its text is escaped."""


def escape_wikitext(text: str) -> str:
    """Plain text -> wikitext that displays exactly that text and can form no markup (but the wrapper of
    a piece a translation keeps in the source language, which stays so that it shows in its language)."""
    text = str(text)
    wrapped = _IN_LANGUAGE.fullmatch(text) if text.startswith("<") else None
    if wrapped is not None:
        tag, attributes, inner = wrapped.groups()
        return f"<{tag}{attributes}>{escape_wikitext(inner)}</{tag}>"
    if _MARKUP_START.search(text) is None and not text.startswith(_LINE_START):
        return text
    lines = _MARKUP.sub(lambda m: _references(m.group(0)), str(text)).split("\n")
    return "\n".join(_references(line[0]) + line[1:] if line.startswith(_LINE_START) else line for line in lines)


def _references(chars: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in chars)


def excerpt(text: str, limit: int = 160) -> str:
    """The first sentence, or the first ``limit`` characters cut at a word, ending in an ellipsis (of a
    piece kept in the source language, inside its wrapper)."""
    wrapped = _IN_LANGUAGE.fullmatch(str(text)) if str(text).startswith("<") else None
    if wrapped is not None:
        tag, attributes, inner = wrapped.groups()
        return f"<{tag}{attributes}>{excerpt(inner, limit)}</{tag}>"
    text = " ".join(str(text).split())
    # the first sentence: up to the first . ! or ? after at least one character that a space or the end
    # follows (the only space left is " "), as the pattern ^(.+?[.!?])(\s|$) finds it
    ends = [found for found in (text.find(". ", 1), text.find("! ", 1), text.find("? ", 1)) if found > 0]
    if len(text) > 1 and text[-1] in ".!?":
        ends.append(len(text) - 1)
    if ends and min(ends) + 1 <= limit:
        return text[:min(ends) + 1]
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def render(report: ShapeReport, spec: SourceSpec, templates: Path, language: str = LAST_FALLBACK,
           messages: Path | None = None, facts: LanguageFacts = TABLES) -> list[DesiredPage]:
    """Every target's page of a source, as its shape lays them out, in ``language``: the templates'
    own words from the message files of ``messages`` (default: :func:`messages.messages_folder`), the
    codebook's labels in that language; ``report`` may be a translation's, read against its source (its
    items keep the source's names, which the titles use); ``facts`` tell the language's direction and
    fallbacks (the wiki's, when the run asked it). A template that fails makes an error for its
    page (``DesiredPage.error``); the other pages are still rendered."""
    found = shape(spec.shape)
    shown = found.in_language(report, facts.fallbacks(language))
    context = found.context(shown, spec)
    values = {"source": spec.page, "revision": report.revision, "report": shown, **context.values,
              "pages": _single_pages(spec), **_words(templates, messages, language, facts)}
    with collection_paused():
        return _render_each(spec, templates, values, context.instances, source_data(report, spec))


def source_data(report: ShapeReport, spec: SourceSpec) -> dict[str, Any]:
    """What a source's JSON data page holds: its parse output, its shape, its settings' code and track,
    and its shape's counts per code of every coded role (a narrative: comments per theme)."""
    found = shape(spec.shape)
    data = report.to_dict()
    data["shape"] = found.name
    return {**data, "code": getattr(report, "code", None) if spec.code else None, "track": spec.track,
            "counts": found.code_counts(report)}


def render_aggregates(corpora: Mapping[str, Corpus], aggregates: Sequence[AggregateSpec], templates: Path,
                      language: str = LAST_FALLBACK, messages: Path | None = None) -> list[DesiredPage]:
    """The pages made from every source together (``corpora``: the corpus counted by each aggregate's
    role): wikitext pages from their templates, and JSON data pages."""
    words = _words(templates, messages, language)
    env = _environment(templates)
    titles = {aggregate.name: aggregate.title for aggregate in aggregates}
    pages: list[DesiredPage] = []
    for number, aggregate in enumerate(aggregates):
        corpus = corpora[aggregate.role]
        if aggregate.format == "json":
            pages.append(DesiredPage(aggregate.title, dump_data(corpus_data(corpus, aggregate.top_keywords)), "",
                                     content_model="json", target=number))
            continue
        assert aggregate.template is not None
        context = {"corpus": corpus, "role": corpus.role, "codes": corpus.codes, "sources": corpus.sources,
                   "keywords": corpus.keywords[: aggregate.top_keywords], "pages": titles, "title": aggregate.title,
                   "source": None, "revision": None, "stale": corpus.stale, **words}
        try:
            text = _page_text(env, _render(env, NOTICE_TEMPLATE, context).strip(), aggregate.template, context,
                              lead=stale_notice(corpus.stale))
        except TemplateError as exc:
            pages.append(DesiredPage(aggregate.title, "", aggregate.template, error=str(exc), target=number))
            continue
        pages.append(DesiredPage(aggregate.title, text, aggregate.template, target=number))
    return pages


def stale_notice(stale: Sequence[StaleSource]) -> str:
    """What an aggregate page says first when sources failed: which are counted from their last published
    data (since which revision, and why) and which are left out. In the page's text, not its notice, so
    that the page changes when it no longer applies."""
    if not stale:
        return ""
    lines = [f"'''Not every source is up to date here:''' {len(stale)} source page{'s' if len(stale) > 1 else ''} "
             "failed in the last run."]
    for source in stale:
        why = escape_wikitext(source.reason)
        if source.left_out:
            lines.append(f"* [[{source.title}]]: '''left out''', with no data published before ({why})")
        else:
            lines.append(f"* [[{source.title}]]: counted as of its revision [[Special:PermanentLink/{source.revision}|"
                         f"{source.revision}]], its last published data ({why})")
    return ('<div class="wikisync-stale" style="border:1px solid #fc3; background:#fef6e7; padding:0.5em 1em; margin-bottom:1em;">\n'
            + "\n".join(lines) + "\n</div>\n")


def _page_text(env: jinja2.Environment, notice: str, name: str, context: dict, template: jinja2.Template | None = None,
               lead: str = "") -> str:
    """A generated page: the notice, then ``lead`` and the template's text; refused if the wiki would rewrite it."""
    text = f"{NOTICE_BEGIN}{notice}{NOTICE_END}\n{lead}{_render(env, name, context, template).strip()}\n"
    _refuse_rewritten(text, name)
    return text


def _refuse_rewritten(text: str, template: str) -> None:
    if "~~~" not in text and "{{" not in text:  # what the pattern needs, found at once (it ignores case)
        return
    rewritten = _REWRITTEN_ON_SAVE.search(text)
    if rewritten:
        raise TemplateError(f"{template}: the page would contain {rewritten.group(0)!r}, which the wiki "
                            "rewrites on saving; escape it (the wikitext filter does)")


def _single_pages(spec: SourceSpec) -> dict[str, str]:
    return {t.name: t.title.format(source=spec.page) for t in spec.targets if t.each is None}


def _render_each(spec: SourceSpec, templates: Path, context: dict[str, Any], instances: Instances,
                 data: dict[str, Any]) -> list[DesiredPage]:
    env = _environment(templates)
    notice_error = ""
    try:
        notice = _render(env, NOTICE_TEMPLATE, context).strip()
    except TemplateError as exc:
        notice, notice_error = "", str(exc)
    pages: list[DesiredPage] = []
    for number, target in enumerate(spec.targets):
        if target.format == "json":
            pages.append(DesiredPage(target.title.format(source=spec.page), dump_data(data), "", content_model="json", target=number))
            continue
        assert target.template is not None
        template: jinja2.Template | None = None
        for title, extra in instances(target):
            try:
                if notice_error:
                    raise TemplateError(notice_error)
                if template is None:  # once per target, not per page: get_template checks the file each time
                    template = _template(env, target.template)
                text = _page_text(env, notice, target.template, {**context, **extra, "title": title}, template)
            except TemplateError as exc:
                pages.append(DesiredPage(title, "", target.template, target.region, error=str(exc), target=number))
                continue
            pages.append(DesiredPage(title, text, target.template, target.region, target=number))
    return pages


def render_page(templates: Path, name: str, context: dict, language: str = LAST_FALLBACK,
                messages: Path | None = None, facts: LanguageFacts = TABLES) -> str:
    """One template rendered on its own (for pages that are not generated from a report)."""
    return _render(_environment(templates), name, {**_words(templates, messages, language, facts), **context}).strip() + "\n"


def render_key(spec: SourceSpec, templates: Path, messages: Path | None = None) -> str:
    """What the generated pages depend on besides the source: wikisync's version, the source's
    settings, every template file and every message file. A run whose key changed renders again."""
    digest = hashlib.sha1(f"{__version__}\n{spec.model_dump_json()}".encode())
    for folder, label in ((templates, ""), (messages_folder(templates, messages), "messages:")):
        for path in sorted(folder.rglob("*")) if folder.is_dir() else ():
            if path.is_file():
                digest.update(f"\n{label}{path.relative_to(folder)}\n".encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def catalog(templates: Path, messages: Path | None = None) -> Catalog | None:
    """The message files the templates of ``templates`` use (:func:`messages.messages_folder`), loaded
    again only when one of them changed; None when there is no such folder. What was asked
    of it and fell back to another language is its :attr:`Catalog.missing`, for the run to report."""
    folder = messages_folder(templates, messages)
    if not folder.is_dir():
        return None
    files = tuple((path.name, path.stat().st_mtime_ns, path.stat().st_size) for path in sorted(folder.glob("*.json")))
    return _loaded_catalog(folder, files)


@functools.lru_cache(maxsize=8)
def _loaded_catalog(folder: Path, files: tuple[tuple[str, int, int], ...]) -> Catalog:
    return load_catalog(folder)


def _words(templates: Path, messages: Path | None, language: str, facts: LanguageFacts = TABLES) -> dict[str, Any]:
    """What every template sees of the page's language: ``msg(key, *params)`` (a message in that
    language, or its fallback), ``language`` and ``direction`` (``ltr`` or ``rtl``)."""
    found = catalog(templates, messages)

    def msg(key: str, *params: object) -> str:
        if found is None:
            raise TemplateError(f"{messages_folder(templates, messages)}: no such folder of message files, "
                                f"and the template asks for message {key!r}")
        return found.message(language, key, *params, facts=facts)

    return {"msg": msg, "language": language, "direction": facts.direction(language)}


@functools.lru_cache(maxsize=8)
def _environment(templates: Path) -> jinja2.Environment:
    """One environment per folder and process: templates compile once (Jinja reloads a changed file)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wikitext"] = escape_wikitext
    env.filters["excerpt"] = excerpt
    return env


def _template(env: jinja2.Environment, name: str) -> jinja2.Template:
    """The compiled template (fetched once for all the pages of a target), or the error of its pages."""
    try:
        return env.get_template(name)
    except Exception as exc:
        raise _template_error(env, name, exc) from None


def _render(env: jinja2.Environment, name: str, context: dict, template: jinja2.Template | None = None) -> str:
    try:
        return (template or env.get_template(name)).render(**context)
    except Exception as exc:
        raise _template_error(env, name, exc) from None


def _template_error(env: jinja2.Environment, name: str, exc: Exception) -> TemplateError:
    """What a page says when its template ``name`` failed with ``exc``."""
    if isinstance(exc, jinja2.TemplateNotFound):
        folder = _folder(env)
        missing = exc.name or name
        where = "" if missing == name else f"{_template_line(exc, folder) or name}: "
        return TemplateError(f"{where}{folder / str(missing)}: template not found")
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateError(f"{exc.filename or _folder(env) / name}:{exc.lineno}: {exc.message}")
    if isinstance(exc, UnicodeDecodeError):
        return TemplateError(f"{_folder(env) / name}: not UTF-8 text (byte {exc.start})")
    if isinstance(exc, RecursionError):
        return TemplateError(f"{_folder(env) / name}: the template recurses without end")
    # a template is a program: any of its runtime errors is that page's error
    folder = _folder(env)
    message = exc.message if isinstance(exc, jinja2.UndefinedError) else f"{type(exc).__name__}: {exc}"
    return TemplateError(f"{_template_line(exc, folder) or folder / name}: {message}")


def _folder(env: jinja2.Environment) -> Path:
    loader = env.loader
    assert isinstance(loader, jinja2.FileSystemLoader)  # every environment here is made by _environment
    return Path(loader.searchpath[0])


def _template_line(exc: BaseException, folder: Path) -> str:
    """``FILE:LINE`` of the innermost template frame of an error (Jinja maps its frames to template lines)."""
    found = ""
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith(str(folder)) or frame.filename.endswith(".j2"):
            found = f"{frame.filename}:{frame.lineno}"
    return found
