"""Report + page_map.yaml + templates/ -> the text every generated page should have.

Templates are Jinja2 files producing wikitext. Every page starts with a notice naming the source
revision; :func:`split_notice` lets the planner ignore it, so an edit to the source does not
rewrite pages whose content did not change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .config import SourceSpec, TargetSpec
from .errors import TemplateError
from .model import Report
from .names import match_theme

__all__ = [
    "DesiredPage",
    "NOTICE_BEGIN",
    "NOTICE_END",
    "ThemeView",
    "escape_wikitext",
    "excerpt",
    "render",
    "render_page",
    "split_notice",
    "theme_title",
]

NOTICE_BEGIN = "<!-- wikisync:notice -->"
NOTICE_END = "<!-- /wikisync:notice -->"
NOTICE_TEMPLATE = "notice.wiki.j2"
_NOTICE = re.compile(re.escape(NOTICE_BEGIN) + r".*?" + re.escape(NOTICE_END) + r"\n?", re.S)
# Characters a title cannot hold or that would change its meaning (a subpage, a section, a
# signature), and the sequences MediaWiki would decode into another character (%41, &amp;).
_UNSAFE_IN_TITLE = re.compile(r"(?:[#<>\[\]|{}/_\x00-\x1f\x7f]|~{3,}|%(?=[0-9A-Fa-f]{2})|&(?=#?\w+;))+")
_MAX_TITLE_BYTES = 255  # MediaWiki's limit, in UTF-8 bytes
# What would turn plain text into markup; replaced by numeric character references, which the
# wiki displays as the same characters.
_MARKUP = re.compile(r"''+|~~~+|__+|&(?=#?\w+;)|[<>\[\]{}|]")
_LINE_START = tuple("*#:;= !{") + ("----",)


@dataclass(frozen=True)
class DesiredPage:
    title: str
    text: str
    template: str
    region: str | None = None
    """Set when only a marked region of an existing page is generated."""


@dataclass(frozen=True)
class ThemeView:
    """What a template sees of one theme."""

    name: str
    summary: str
    comments: tuple[str, ...]
    priority: str | None
    title: str | None
    line: int

    @property
    def comment_count(self) -> int:
        return len(self.comments)


def split_notice(text: str) -> tuple[str, str]:
    """(notice, rest) of a generated page's text; notice is "" when the page has none."""
    match = _NOTICE.search(text)
    if match is None:
        return "", text
    return match.group(0), text[: match.start()] + text[match.end():]


def escape_wikitext(text: str) -> str:
    """Plain text -> wikitext that displays exactly that text and can form no markup."""
    lines = _MARKUP.sub(lambda m: _references(m.group(0)), str(text)).split("\n")
    return "\n".join(_references(line[0]) + line[1:] if line.startswith(_LINE_START) else line for line in lines)


def _references(chars: str) -> str:
    return "".join(f"&#{ord(ch)};" for ch in chars)


def excerpt(text: str, limit: int = 160) -> str:
    """The first sentence, or the first ``limit`` characters cut at a word, ending in an ellipsis."""
    text = " ".join(str(text).split())
    sentence = re.match(r"^(.+?[.!?])(\s|$)", text)
    if sentence and len(sentence.group(1)) <= limit:
        return sentence.group(1)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def theme_title(pattern: str, source: str, theme: str) -> str:
    """A target title for a theme, with the characters that cannot or should not stand in a title replaced."""
    part = " ".join(_UNSAFE_IN_TITLE.sub("-", theme).split()).strip(" -.") or "Untitled"
    title = pattern.format(source=source, theme=part)
    while len(title.encode("utf-8")) > _MAX_TITLE_BYTES and part:
        part = part[:-1].rstrip(" -.")
        title = pattern.format(source=source, theme=part)
    return title


def render(report: Report, spec: SourceSpec, templates: Path) -> list[DesiredPage]:
    env = _environment(templates)
    views = _theme_views(report, spec)
    context = {
        "source": spec.page,
        "revision": report.revision,
        "report": report,
        "themes": views,
        "pages": {t.name: t.title.format(source=spec.page) for t in spec.targets if t.each is None},
    }
    notice = _render(env, NOTICE_TEMPLATE, context).strip()
    pages: list[DesiredPage] = []
    for target in spec.targets:
        for title, extra in _instances(target, spec, views):
            body = _render(env, target.template, {**context, **extra, "title": title})
            text = f"{NOTICE_BEGIN}{notice}{NOTICE_END}\n{body.strip()}\n"
            pages.append(DesiredPage(title, text, target.template, target.region))
    return pages


def render_page(templates: Path, name: str, context: dict) -> str:
    """One template rendered on its own (for pages that are not generated from a report)."""
    return _render(_environment(templates), name, context).strip() + "\n"


def _instances(target: TargetSpec, spec: SourceSpec, views: list[ThemeView]):
    if target.each == "theme":
        for view in views:
            yield view.title, {"theme": view}
    else:
        yield target.title.format(source=spec.page), {}


def _theme_views(report: Report, spec: SourceSpec) -> list[ThemeView]:
    names = [t.name for t in report.themes]
    priority_of: dict[str, str] = {}
    for row in report.priorities:
        for value in row.values:
            found = match_theme(value.name, names, spec.aliases)
            if found is not None:
                priority_of.setdefault(found.theme, row.priority)
    per_theme = next((t for t in spec.targets if t.each == "theme"), None)
    return [
        ThemeView(
            name=theme.name,
            summary=theme.summary,
            comments=tuple(c.text for c in theme.comments),
            priority=priority_of.get(theme.name),
            title=theme_title(per_theme.title, spec.page, theme.name) if per_theme else None,
            line=theme.line,
        )
        for theme in report.themes
    ]


def _environment(templates: Path) -> jinja2.Environment:
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


def _render(env: jinja2.Environment, name: str, context: dict) -> str:
    try:
        return env.get_template(name).render(**context)
    except jinja2.TemplateNotFound:
        raise TemplateError(f"{env.loader.searchpath[0]}/{name}: template not found") from None  # type: ignore[union-attr]
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(f"{exc.filename or name}:{exc.lineno}: {exc.message}") from None
    except jinja2.UndefinedError as exc:
        raise TemplateError(f"{name}: {exc.message}") from None
