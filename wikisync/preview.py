"""``sync --dry-run --preview DIR``: what a run would change, as readers will see it.

Pure: the wiki's rendering of the current and the new text of each page comes in as HTML (through a
``render`` function, :meth:`wikisync.wiki.Wiki.render_html`); this module sanitises it, sets the two
side by side with the changed blocks marked, and writes one self-contained file per page plus
``index.html``. Self-contained means the browser asks nothing of the wiki: the CSS is inline, scripts,
style sheets, frames and images are dropped (an image becomes its caption), and a Content Security
Policy forbids every fetch; links to wiki pages stay links (to absolute addresses), to follow by hand.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin

from .errors import ConfigError

__all__ = ["MANIFEST", "Preview", "PreviewPage", "blocks", "prepare_dir", "sanitise"]

MANIFEST = "wikisync-preview.json"
"""The list of files a preview wrote, in its folder: what the next preview into that folder replaces."""

_DROPPED = {"script", "style", "link", "meta", "iframe", "frame", "frameset", "object", "embed", "applet",
            "base", "form", "audio", "video", "source", "track", "picture", "noscript", "template"}
_VOID = {"area", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr"}
_URL_ATTRIBUTES = {"src", "srcset", "data", "poster", "background", "action", "formaction", "longdesc", "usemap"}
_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"

_CSS = """
body { font-family: sans-serif; margin: 1.5em; color: #202122; background: #fff; }
h1 { font-size: 1.4em; font-weight: normal; border-bottom: 1px solid #a2a9b1; }
.ws-meta { color: #54595d; margin-bottom: 1em; }
.ws-sides { display: grid; grid-template-columns: 1fr 1fr; gap: 1.5em; }
.ws-side { min-width: 0; border: 1px solid #c8ccd1; padding: 0 1em 1em; }
.ws-side > h2 { font-size: 1em; color: #54595d; background: #f8f9fa; margin: 0 -1em 1em; padding: .4em 1em; }
.ws-none { color: #72777d; font-style: italic; }
.ws-block { border-left: 4px solid transparent; padding-left: .5em; margin-left: -.75em; }
.ws-removed { border-left-color: #d33; background: #fee7e6; }
.ws-added { border-left-color: #14866d; background: #d5fdf4; }
.ws-img { color: #72777d; font-style: italic; }
a { color: #36c; text-decoration: none; }
a.new { color: #d33; }
table.wikitable, table.ws-index { border-collapse: collapse; background: #f8f9fa; margin: 1em 0; }
table.wikitable > * > tr > th, table.wikitable > * > tr > td, table.ws-index th, table.ws-index td { border: 1px solid #a2a9b1; padding: .2em .4em; }
table.wikitable > * > tr > th, table.ws-index th { background: #eaecf0; text-align: center; }
.ws-plus { color: #14866d; } .ws-minus { color: #d33; }
.mw-parser-output h2 { font-size: 1.3em; border-bottom: 1px solid #a2a9b1; font-weight: normal; }
.mw-parser-output h3 { font-size: 1.1em; }
"""


@dataclass(frozen=True)
class PreviewPage:
    title: str
    action: str
    """"create" or "update"."""
    old_html: str | None
    """The wiki's rendering of the page as it is (None: the page does not exist yet)."""
    new_html: str
    diff: str
    """The unified diff of the wikitext, for the counts of lines added and removed."""
    url: str

    @property
    def added(self) -> int:
        return sum(1 for line in self.diff.splitlines() if line.startswith("+") and not line.startswith("+++"))

    @property
    def removed(self) -> int:
        return sum(1 for line in self.diff.splitlines() if line.startswith("-") and not line.startswith("---"))

    @property
    def file_name(self) -> str:
        slug = re.sub(r"[^A-Za-z0-9]+", "-", self.title).strip("-")[-60:].strip("-") or "page"
        return f"{slug}-{hashlib.sha1(self.title.encode('utf-8')).hexdigest()[:8]}.html"


def prepare_dir(path: Path) -> None:
    """Make ``path`` ready for a preview: created if missing; the files of an earlier preview there are
    removed. Refuses a file, and a folder with other things in it (it is no wikisync preview)."""
    if path.exists() and not path.is_dir():
        raise ConfigError(f"--preview {path}: not a directory")
    manifest = path / MANIFEST
    try:
        if path.is_dir() and any(path.iterdir()):
            if not manifest.is_file():
                raise ConfigError(f"--preview {path}: the folder is not empty and holds no earlier preview; name a new or empty one")
            for name in json.loads(manifest.read_text(encoding="utf-8")).get("files", []):
                if "/" not in name and name != MANIFEST:
                    (path / name).unlink(missing_ok=True)
            manifest.unlink()
        path.mkdir(parents=True, exist_ok=True)
        probe = path / ".wikisync-write-test"
        probe.write_text("")
        probe.unlink()
    except ValueError:
        raise ConfigError(f"--preview {path}: {MANIFEST} there is damaged; remove the folder's contents") from None
    except OSError as exc:
        raise ConfigError(f"--preview {path}: cannot write there: {exc.strerror or exc}") from None


@dataclass
class Preview:
    """One run's preview in ``folder``: the pages of each source as the run shows them, and ``index.html``
    listing them all with every source the run looked at, those with nothing to change among them."""

    folder: Path
    rows: list[dict] = field(default_factory=list)
    looked_at: dict[str, int] = field(default_factory=dict)
    """Source (or "aggregates") -> how many of its pages would change."""

    @property
    def index(self) -> Path:
        return self.folder / "index.html"

    def look_at(self, source: str) -> None:
        self.looked_at.setdefault(source, 0)

    def add(self, source: str, changes: Sequence, render: Callable[[Sequence[tuple[str, str, str]]], list[str]],
            url: Callable[[str], str]) -> list[PreviewPage]:
        """Render ``changes`` (the pending :class:`wikisync.plan.Change` of one source), one file each."""
        texts: list[tuple[str, str, str]] = []
        for change in changes:
            model = getattr(change, "content_model", "wikitext")
            if change.old is not None:
                texts.append((change.title, change.old, model))
            texts.append((change.title, change.new, model))
        rendered = iter(render(texts))
        pages = []
        for change in changes:
            address = url(change.title)  # the page's own address: the base for the wiki's site-relative links
            old = sanitise(next(rendered), address) if change.old is not None else None
            new = sanitise(next(rendered), address)
            page = PreviewPage(change.title, change.action.value, old, new, change.diff(), address)
            (self.folder / page.file_name).write_text(_page_html(page, source), encoding="utf-8")
            pages.append(page)
        self.rows += [{"source": source, "title": p.title, "action": p.action, "added": p.added,
                       "removed": p.removed, "file": p.file_name, "url": p.url} for p in pages]
        self.looked_at[source] = self.looked_at.get(source, 0) + len(pages)
        self.write_index()  # after each source: a run stopped half-way leaves an index of what it showed
        return pages

    def write_index(self) -> Path:
        files = sorted({row["file"] for row in self.rows} | {"index.html"})
        self.index.write_text(_index_html(self.rows, self.looked_at), encoding="utf-8")
        listed = {"files": files, "pages": self.rows, "sources": self.looked_at}
        (self.folder / MANIFEST).write_text(json.dumps(listed, ensure_ascii=False, indent=1), encoding="utf-8")
        return self.index

    def summary(self) -> str:
        sources = [name for name in self.looked_at if name != "aggregates"]
        what = f"{len(sources)} source{'' if len(sources) == 1 else 's'}" + (" and the aggregates" if "aggregates" in self.looked_at else "")
        if not self.rows:
            return f"nothing would change in the {what} looked at"
        changing = sum(1 for count in self.looked_at.values() if count)
        return f"{len(self.rows)} pages from {changing} of the {what} looked at"


class _Sanitiser(HTMLParser):
    """Re-serialises HTML without what would make the browser fetch anything."""

    def __init__(self, base_url: str) -> None:
        super().__init__(convert_charrefs=False)
        self.base_url = base_url
        self.out: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, closed=True)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        if self.skipping:
            if tag == self.skipping[-1] and not closed and tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag in _DROPPED:
            if not closed and tag not in _VOID:
                self.skipping.append(tag)
            return
        if tag == "img":
            alt = dict(attrs).get("alt") or "image"
            self.out.append(f'<span class="ws-img">[{html.escape(alt)}]</span>')
            return
        kept = []
        for name, value in attrs:
            value = value or ""
            if name.startswith("on") or name in _URL_ATTRIBUTES:
                continue
            if name == "style" and re.search(r"url\s*\(|@import|expression\s*\(", value, re.I):
                continue
            if name == "href":
                if re.match(r"\s*(javascript|vbscript|data):", value, re.I):
                    continue
                value = urljoin(self.base_url, value) if self.base_url and not value.startswith("#") else value
            kept.append(f' {name}="{html.escape(value, quote=True)}"')
        if tag == "a" and any(k.startswith(" href=") and not k.startswith(' href="#') for k in kept):
            kept.append(' rel="noreferrer noopener"')
        self.out.append(f"<{tag}{''.join(kept)}{' /' if closed else ''}>")

    def handle_endtag(self, tag: str) -> None:
        if self.skipping:
            if tag == self.skipping[-1]:
                self.skipping.pop()
            return
        if tag not in _DROPPED and tag != "img" and tag not in _VOID:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.out.append(data.replace("<", "&lt;").replace(">", "&gt;"))

    def handle_entityref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.skipping:
            self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        pass


def sanitise(fragment: str, base_url: str = "") -> str:
    """``fragment`` without scripts, style sheets, frames, images or anything else the browser would
    fetch; relative links made absolute against ``base_url``."""
    parser = _Sanitiser(base_url)
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)


class _Blocks(HTMLParser):
    """The offsets of the top-level elements inside the parser output's root element."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.starts = [0]
        for line in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(line))
        self.depth = 0
        self.spans: list[tuple[int, int]] = []
        self.open_at: int | None = None
        self.root = 0

    def _offset(self) -> int:
        line, column = self.getpos()
        return self.starts[line - 1] + column

    def handle_starttag(self, tag: str, attrs) -> None:
        if tag in _VOID:
            if self.depth == self.root and self.root:
                at = self._offset()
                self.spans.append((at, at + len(self.get_starttag_text() or "")))
            return
        # MediaWiki 1.43 writes class="mw-content-ltr mw-parser-output" (with the page's lang and dir): the root either way
        if self.depth == 0 and not self.spans and any(k == "class" and "mw-parser-output" in (v or "").split() for k, v in attrs):
            self.root = 1
        elif self.depth == self.root and self.open_at is None:
            self.open_at = self._offset()
        self.depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID or self.depth == 0:
            return
        self.depth -= 1
        if self.depth == self.root and self.open_at is not None:
            end = self._offset() + len(f"</{tag}>")
            self.spans.append((self.open_at, end))
            self.open_at = None


_LANGUAGE_WRAPPER = re.compile(r'<div lang="([A-Za-z0-9-]+)" dir="(ltr|rtl)"[^>]*>(.*)</div>', re.S)
"""A page published in another language than the source's holds its whole text in one such ``div``."""


def blocks(fragment: str) -> list[str]:
    """The top-level blocks (paragraphs, headings, lists, tables…) of a rendered page, in order; those of a
    page in another language (inside its ``lang``/``dir`` wrapper) each in that language and direction."""
    parser = _Blocks(fragment)
    parser.feed(fragment)
    parser.close()
    found: list[str] = []
    for start, end in parser.spans:
        block = fragment[start:end]
        wrapper = _LANGUAGE_WRAPPER.fullmatch(block)
        if wrapper is None:
            found.append(block)
            continue
        language, direction, inner = wrapper.groups()
        found += [f'<div lang="{language}" dir="{direction}">{part}</div>' for part in blocks(inner)]
    return found or ([fragment] if fragment.strip() else [])


def _marked(old: list[str], new: list[str]) -> tuple[str, str]:
    """Both sides as HTML, each block that differs from the other side marked."""
    def key(block: str) -> str:
        return " ".join(re.sub(r'\s(id|href)="[^"]*"', "", block).split())

    matcher = difflib.SequenceMatcher(a=[key(b) for b in old], b=[key(b) for b in new], autojunk=False)
    left, right = [], []
    for op, a1, a2, b1, b2 in matcher.get_opcodes():
        for block in old[a1:a2]:
            left.append(block if op == "equal" else f'<div class="ws-block ws-removed">{block}</div>')
        for block in new[b1:b2]:
            right.append(block if op == "equal" else f'<div class="ws-block ws-added">{block}</div>')
    return "\n".join(left), "\n".join(right)


def _document(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
            f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">\n'
            f"<title>{html.escape(title)}</title>\n<style>{_CSS}</style></head>\n<body>\n{body}\n</body></html>\n")


def _page_html(page: PreviewPage, source: str) -> str:
    new_blocks = blocks(page.new_html)
    if page.old_html is None:
        left = '<p class="ws-none">The page does not exist yet: a real run creates it.</p>'
        right = "\n".join(f'<div class="ws-block ws-added">{b}</div>' for b in new_blocks)
    else:
        left, right = _marked(blocks(page.old_html), new_blocks)
    verb = "created" if page.action == "create" else "changed"
    body = (f"<h1>{html.escape(page.title)}</h1>\n"
            f'<p class="ws-meta">Would be {verb} by a real run, from [[{html.escape(source)}]]: '
            f'<span class="ws-plus">+{page.added}</span> / <span class="ws-minus">&minus;{page.removed}</span> lines of wikitext. '
            f'<a href="index.html">All pages</a> &middot; <a href="{html.escape(page.url, quote=True)}" rel="noreferrer noopener">on the wiki</a></p>\n'
            f'<div class="ws-sides">\n<section class="ws-side ws-old"><h2>Now on the wiki</h2>\n{left}\n</section>\n'
            f'<section class="ws-side ws-new"><h2>After the run</h2>\n{right}\n</section>\n</div>')
    return _document(f"Preview: {page.title}", body)


def _index_html(pages: list[dict], looked_at: dict[str, int]) -> str:
    rows = "\n".join(
        f'<tr class="ws-page"><td>{html.escape(p["source"])}</td><td><a href="{html.escape(p["file"], quote=True)}">{html.escape(p["title"])}</a></td>'
        f'<td class="ws-action">{"create" if p["action"] == "create" else "change"}</td>'
        f'<td class="ws-plus">+{p["added"]}</td><td class="ws-minus">&minus;{p["removed"]}</td>'
        f'<td><a href="{html.escape(p["url"], quote=True)}" rel="noreferrer noopener">on the wiki</a></td></tr>'
        for p in pages)
    sources = "\n".join(f'<tr class="ws-source"><td>{html.escape(name)}</td><td class="ws-count">{count}</td></tr>'
                         for name, count in looked_at.items())
    looked = ("<h2>Sources looked at</h2>\n"
              '<table class="ws-index ws-sources"><thead><tr><th>Source</th><th>Pages that would change</th></tr></thead>\n'
              f"<tbody>\n{sources}\n</tbody></table>")
    if not pages:
        body = ("<h1>Nothing would change</h1>\n"
                f'<p class="ws-meta">A real run would save nothing: every page generated from the '
                f"{len(looked_at)} source(s) below is as the wiki has it, or the source is unchanged since the last run.</p>\n{looked}")
        return _document("wikisync preview: nothing would change", body)
    creates = sum(1 for p in pages if p["action"] == "create")
    body = (f"<h1>What a real run would change</h1>\n"
            f'<p class="ws-meta">{len(pages)} pages: {creates} to create, {len(pages) - creates} to change. '
            "Each page's preview shows it as the wiki renders it now and after the run, side by side, the changed blocks marked.</p>\n"
            '<table class="ws-index"><thead><tr><th>Source</th><th>Page</th><th>Action</th><th>Lines added</th>'
            f"<th>Lines removed</th><th>Wiki</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table>\n{looked}")
    return _document("wikisync preview", body)
