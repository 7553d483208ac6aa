"""The ``wikisync`` command: a thin layer over parse, render, plan and sync.

Exit codes: 0 done or nothing pending; 1 error; 2 a dry run found changes pending.
Each command imports what it needs when it runs: ``parse`` and ``check`` of a file never load
Jinja2, Pywikibot or requests, and pydantic only when there is a page map to read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from . import __version__
from .errors import EXIT_ERROR, EXIT_OK, ConfigError, SourceError, WikiError, WikisyncError
from .shapes import DEFAULT_SHAPE, SHAPES

if TYPE_CHECKING:
    from .config import PageMap, SourceSpec
    from .reading import CountHistory, HistoryReader, SourceText
    from .shapes import Shape
    from .shapes.base import ShapeReport
    from .translation import TranslationReading

__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    """Usage errors exit 1, like every other error: 2 means "a dry run found changes"."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_ERROR, f"{self.prog}: error: {message}\n")


_GLOBAL_HELP = """\
Pywikibot's global options, anywhere on the line (Pywikibot's own handle_args applies them):
  -simulate             save nothing: the same as --dry-run
  -user:NAME            log in as NAME (its password from user-config.py's password_file)
  -site:FAMILY:CODE     the wiki, e.g. -site:meta:meta (or -family:NAME and -lang:CODE)
  -dir:PATH             the directory with user-config.py (instead of PYWIKIBOT_DIR)
  -putthrottle:N        wait at least N seconds between saves (also -pt:N)
  -maxlag:N             wait while the wiki's replication lag exceeds N seconds
  -log[:FILE]           write Pywikibot's log file (under the config directory's logs/); -nolog: none
  -debug[:LAYER], -verbose and Pywikibot's other global options work as in every Pywikibot script.
They apply to the commands that use the wiki: sync, rebuild, watch, setup-wiki, export, parse/check --page."""

_SEE_GLOBAL = "Pywikibot's global options (-simulate, -user:NAME, -site:FAMILY:CODE, -dir:PATH, …) work too; see wikisync --help."

# Written like Pywikibot's global options, but wikisync's own short options.
_OWN_SHORT = {"-v", "-q", "-h"}


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    pywikibot_args = [arg for arg in argv if arg not in _OWN_SHORT and _looks_global(arg)]
    args = _parser().parse_args([arg for arg in argv if arg not in pywikibot_args])
    try:
        try:
            if pywikibot_args:
                return _run_with_pywikibot_options(args, pywikibot_args)
            return args.run(args)
        except WikisyncError as exc:
            for line in str(exc).splitlines() or [type(exc).__name__]:
                print(f"wikisync: error: {line}", file=sys.stderr)
            return EXIT_ERROR
        except KeyboardInterrupt:
            print("wikisync: interrupted", file=sys.stderr)
            return 130
        finally:
            # flushed here, not at shutdown, where a closed pipe could only be reported as "Exception ignored"
            sys.stdout.flush()
    except BrokenPipeError:  # output piped into head and the like, which stopped reading
        _drop_output()
        return EXIT_ERROR


def _drop_output() -> None:
    """Python's advice for a closed pipe (the signal module's note on SIGPIPE): point stdout at devnull,
    so that what is left in its buffer goes nowhere at shutdown instead of failing a second time there."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a stream without a file descriptor (output captured)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)


def _looks_global(arg: str) -> bool:
    """A Pywikibot global option by its form (``-name`` or ``-name:value``): Pywikibot decides which are real."""
    return len(arg) > 2 and arg[0] == "-" and arg[1].isalpha()


def _uses_wiki(args: argparse.Namespace) -> bool:
    return args.command in ("sync", "rebuild", "watch", "setup-wiki", "export") or bool(getattr(args, "page", None))


def _run_with_pywikibot_options(args: argparse.Namespace, pywikibot_args: list[str]) -> int:
    if not _uses_wiki(args):
        raise ConfigError(f"{pywikibot_args[0]}: Pywikibot's global options apply only to commands that use the wiki "
                          "(sync, rebuild, watch, setup-wiki, export, parse/check --page)")
    if "-simulate" in pywikibot_args and args.command == "watch":
        raise ConfigError("-simulate: watch has no dry run; try: wikisync sync -simulate")
    from .wiki import pywikibot_options

    with pywikibot_options(pywikibot_args) as simulate:
        if simulate and hasattr(args, "dry_run"):
            args.dry_run = True  # -simulate means --dry-run: the run shows what it would save and saves nothing
        return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="wikisync",
        description="Parse MediaWiki report pages and publish the pages generated from them.",
        epilog=f"{_GLOBAL_HELP}\n\nExit codes: 0 done or nothing pending, 1 error, 2 dry run found changes pending.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"wikisync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse_cmd = commands.add_parser("parse", help="print a report's structure as JSON or YAML")
    _add_source_arguments(parse_cmd)
    parse_cmd.add_argument("--format", choices=("json", "yaml"), default="json")
    parse_cmd.set_defaults(run=_run_parse)

    check_cmd = commands.add_parser("check", help="check a report's themes, table and comments for consistency")
    _add_source_arguments(check_cmd)
    check_cmd.add_argument("--format", choices=("text", "json"), default="text")
    check_cmd.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    check_cmd.set_defaults(run=_run_check)

    sync_cmd = commands.add_parser("sync", help="publish the generated pages (only those that changed)", epilog=_SEE_GLOBAL)
    _add_sync_arguments(sync_cmd)
    sync_cmd.add_argument("--dry-run", action="store_true", help="print the diffs and save nothing")
    sync_cmd.add_argument("--preview", metavar="DIR",
                          help="with --dry-run: also render every page that would change, now and after, through the "
                               "wiki's parser, side by side, into DIR/index.html and one HTML file per page")
    sync_cmd.set_defaults(run=_run_sync, rebuild=False)

    rebuild_cmd = commands.add_parser(
        "rebuild", help="like sync, but re-render and compare even when the source is unchanged (after a template change)",
        epilog=_SEE_GLOBAL,
    )
    _add_sync_arguments(rebuild_cmd)
    rebuild_cmd.add_argument("--dry-run", action="store_true", help="print every page's diff and save nothing")
    rebuild_cmd.add_argument("--preview", metavar="DIR", help="with --dry-run: render the pages that would change into DIR (see sync --help)")
    rebuild_cmd.set_defaults(run=_run_sync, rebuild=True)

    setup_cmd = commands.add_parser(
        "setup-wiki", epilog=_SEE_GLOBAL,
        help="create the request template (with its documentation) and the request and status pages' headers on the wiki",
    )
    setup_cmd.add_argument("--map", default="page_map.yaml", metavar="PATH", help="page map (default: ./page_map.yaml)")
    setup_cmd.add_argument("--dry-run", action="store_true", help="print the diffs and save nothing")
    setup_cmd.add_argument("--force", action="append", default=[], metavar="PAGE",
                           help="overwrite that page although a person edited it (repeatable)")
    setup_cmd.add_argument("--force-all", action="store_true", help="overwrite every set-up page a person edited")
    setup_cmd.add_argument("--colour", "--color", choices=("auto", "always", "never"), default="auto")
    loudness = setup_cmd.add_mutually_exclusive_group()
    loudness.add_argument("--verbose", "-v", action="store_true", help="every page, unchanged ones too (the default)")
    loudness.add_argument("--quiet", "-q", action="store_true", help="only what was written, and problems")
    setup_cmd.set_defaults(run=_run_setup)

    export_cmd = commands.add_parser("export", epilog=_SEE_GLOBAL,
                                     help="write every source's statements, read from the wiki, as CSV, JSON Lines or SQLite")
    export_cmd.add_argument("--format", choices=("csv", "jsonl", "sqlite"),
                            help="default: told by the output's name (.csv, .jsonl, .sqlite or .db)")
    export_cmd.add_argument("--output", "-o", required=True, metavar="PATH", help="the file to write (replaced once complete)")
    export_cmd.add_argument("--map", default="page_map.yaml", metavar="PATH", help="page map (default: ./page_map.yaml)")
    export_cmd.set_defaults(run=_run_export)

    watch_cmd = commands.add_parser("watch", help="follow recent changes and rebuild soon after a source is edited",
                                    epilog=_SEE_GLOBAL)
    watch_cmd.add_argument("--map", default="page_map.yaml", metavar="PATH", help="page map (default: ./page_map.yaml)")
    watch_cmd.add_argument("--interval", type=float, default=2.0, metavar="SECONDS",
                           help="seconds between polls, also while an event stream is down (default 2)")
    following = watch_cmd.add_mutually_exclusive_group()
    following.add_argument("--events", metavar="URL", help="follow the Server-Sent Events stream of recent changes at URL "
                           "(default: the wiki's EventStreams, on Wikimedia wikis)")
    following.add_argument("--poll", action="store_true", help="poll recent changes, even where there is an event stream")
    watch_cmd.add_argument("--colour", "--color", choices=("auto", "always", "never"), default="auto")
    watch_cmd.add_argument("--verbose", "-v", action="store_true", help="list every page saved")
    watch_cmd.set_defaults(run=_run_watch)
    return parser


def _add_sync_arguments(command: argparse.ArgumentParser) -> None:
    command.add_argument("--map", default="page_map.yaml", metavar="PATH", help="page map (default: ./page_map.yaml)")
    command.add_argument("--source", "--page", action="append", default=[], metavar="TITLE",
                         help="only this source page (repeatable)")
    command.add_argument("--force", nargs="?", action="append", const="", default=[], metavar="PAGE",
                         help="without PAGE: publish despite check errors or the destructive-change guard; "
                              "with PAGE: overwrite that page although a person edited it (repeatable)")
    command.add_argument("--force-all", action="store_true", help="all of --force, for every page")
    command.add_argument("--colour", "--color", choices=("auto", "always", "never"), default="auto")
    verbosity = command.add_mutually_exclusive_group()
    verbosity.add_argument("--verbose", "-v", action="store_true", help="list every page (default on a terminal)")
    verbosity.add_argument("--quiet", "-q", action="store_true",
                           help="one summary line per source, and problems (default when not on a terminal)")


def _add_source_arguments(command: argparse.ArgumentParser) -> None:
    where = command.add_mutually_exclusive_group(required=True)
    where.add_argument("path", nargs="?", help="a file of wikitext")
    where.add_argument("--page", metavar="TITLE", help="a page on the configured wiki")
    command.add_argument("--title", help="title to report for a file (default: the file's name)")
    command.add_argument("--shape", choices=tuple(SHAPES),
                         help="the page's shape (default: the page map's for this title, else themes)")
    command.add_argument("--map", default="page_map.yaml", metavar="PATH",
                         help="take the shape, sections, codebook, code, columns, aliases and rules for the page from this map, if it exists")


def _load_source(args: argparse.Namespace) -> tuple[str, str, int | None, Callable[[list[str]], dict[str, SourceText]],
                                                   HistoryReader | None]:
    """(text, title, revision) of the page or file the command names, and how to read other sources:
    from the same wiki for a page (their histories too, as a run reads them, but all of them: there is no
    state to remember them); for a file, from the files beside the page map named after the last part of
    their titles (``Strategy/Sources/Arabic`` -> ``Arabic.wiki``), and no history."""
    if args.page:
        from .errors import TitleError
        from .wiki import connect

        wiki = connect(login=False)
        try:
            source = wiki.read_source(args.page)
        except TitleError as exc:
            raise ConfigError(f"--page {exc}") from None

        def from_wiki(titles: list[str]) -> dict[str, SourceText]:
            pages = wiki.read_sources(titles)
            found = {title: pages.get(wiki.canonical_title(title) or title) for title in titles}
            return {title: (page.text, page.revision) for title, page in found.items() if page is not None and not page.redirect}

        def history(spec: SourceSpec, revision: int, statements: Callable[[str], int]) -> CountHistory | None:
            from .reading import count_history

            try:
                revisions = wiki.revisions_after(wiki.canonical_title(spec.page) or spec.page)
            except WikiError as exc:
                print(f"wikisync: note: {exc}; the counts citing {spec.page} are not checked", file=sys.stderr)
                return None
            return count_history(((found.revid, found.text) for found in revisions), revision, statements)[1]

        return source.text, source.title, source.revision, from_wiki, history
    path = Path(args.path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror if isinstance(exc, OSError) else exc}") from None

    def from_files(titles: list[str]) -> dict[str, SourceText]:
        found: dict[str, SourceText] = {}
        for title in titles:
            beside = Path(args.map).parent / f"{title.rsplit('/', 1)[-1]}.wiki"
            try:
                found[title] = (beside.read_text(encoding="utf-8"), None)
            except (OSError, UnicodeDecodeError):
                print(f"wikisync: note: {title}: no readable {beside}; its lines are not checked", file=sys.stderr)
        return found

    return text, args.title or path.stem, None, from_files, None


def _settings(args: argparse.Namespace, title: str) -> tuple[PageMap | None, SourceSpec | None]:
    """The page map (if there is one) and its entry for ``title`` (if it has one)."""
    if not Path(args.map).exists():
        return None, None
    from .config import load_page_map
    from .titles import title_key

    page_map = load_page_map(args.map)
    # a source that only a sources_from prefix names takes that prefix's settings
    page_map = page_map.with_listed({rule.prefix: [title] for rule in page_map.sources_from})
    spec = next((s for s in page_map.sources if title_key(s.page) == title_key(title)), None)
    return page_map, spec


def _parsed(args: argparse.Namespace) -> tuple[ShapeReport, Shape, SourceSpec | None, TranslationReading | None]:
    """The report, the shape it was read as, its page-map entry when that is of the same shape, and, for
    a translation ``SOURCE/LANG`` of a source of the page map, its reading against that source."""
    text, title, revision, read_others, read_history = _load_source(args)
    page_map, spec = _settings(args, title)
    if spec is None and page_map is not None and args.shape is None:
        reading = _translation(text, title, revision, page_map, read_others)
        if reading is not None:
            return reading.report, SHAPES[page_map.source(reading.title.rsplit("/", 1)[0]).shape], None, reading
    shape = SHAPES[args.shape or (spec.shape if spec else DEFAULT_SHAPE)]
    settings = spec if spec is not None and spec.shape == shape.name else None
    report = shape.parse(text, title, revision, settings, page_map.codebooks if page_map else {})
    if shape.cross_source and page_map is not None:
        from .reading import Across

        def note(line: str) -> None:
            print(f"wikisync: note: {line}", file=sys.stderr)

        report = Across(page_map, read_others, read_history, note).report(shape, report, settings)
    return report, shape, settings, None


def _translation(text: str, title: str, revision: int | None, page_map: PageMap,
                 read_others: Callable[[list[str]], dict[str, SourceText]]) -> TranslationReading | None:
    """``title`` read as the translation of its source, when it is ``SOURCE/LANG`` for a source of the page map."""
    from .titles import title_key
    from .translation import read_translation, translation_of

    found = translation_of(title, [spec.page for spec in page_map.sources], title_key)
    if found is None:
        return None
    source_title, language = found
    spec = page_map.source(source_title)
    source = read_others([source_title]).get(source_title)
    if source is None:
        raise SourceError(f"{title}: a translation of the source {source_title}, whose text cannot be read to align it with")
    shape = SHAPES[spec.shape]
    report = shape.parse(source[0], source_title, source[1], spec, page_map.codebooks)
    return read_translation(text, f"{source_title}/{language}", language, revision, report, spec, page_map.codebooks)


def _run_parse(args: argparse.Namespace) -> int:
    report, _, _, translation = _parsed(args)
    data = report.to_dict()
    if translation is not None:
        data.update(language=translation.language, untranslated=sorted(translation.untranslated),
                    fuzzy=sorted(translation.fuzzy), missing=list(translation.missing))
    if args.format == "yaml":
        import yaml

        sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    return EXIT_OK


def _run_check(args: argparse.Namespace) -> int:
    from .diagnostics import has_errors, summary_line

    report, shape, settings, translation = _parsed(args)
    diagnostics = list(translation.diagnostics) if translation is not None else shape.check(report, settings)
    if args.format == "json":
        print(json.dumps([d.to_dict() for d in diagnostics], ensure_ascii=False, indent=2))
    else:
        name = args.page or args.path
        for diagnostic in diagnostics:
            print(diagnostic.format(name))
        print(f"{name}: {summary_line(diagnostics)}")
    if has_errors(diagnostics) or (args.strict and diagnostics):
        return EXIT_ERROR
    return EXIT_OK


def _run_watch(args: argparse.Namespace) -> int:
    from .config import load_page_map
    from .sync import Output
    from .watch import watch
    from .wiki import connect

    if args.interval <= 0:
        raise ConfigError("--interval must be a positive number of seconds")
    if args.events is not None and not re.match(r"https?://[^/\s]+", args.events):
        raise ConfigError(f"--events {args.events}: not an http:// or https:// URL of an event stream")
    page_map = load_page_map(args.map)
    return watch(page_map, lambda: connect(timestamps=True), Output(sys.stdout, _colour(args), args.verbose),
                 interval=args.interval, events=args.events, poll=args.poll)


def _run_setup(args: argparse.Namespace) -> int:
    from .config import load_page_map
    from .setup_wiki import setup_wiki
    from .sync import Output
    from .wiki import connect

    page_map = load_page_map(args.map)
    out = Output(sys.stdout, _colour(args), not args.quiet)
    return setup_wiki(page_map, connect(quiet=args.quiet), out, dry_run=args.dry_run,
                      force_pages=frozenset(args.force), force_all=args.force_all)


def _run_export(args: argparse.Namespace) -> int:
    from .config import load_page_map
    from .export import export, export_format
    from .wiki import connect

    output = Path(args.output)
    fmt = export_format(output, args.format)
    if output.is_dir():
        raise ConfigError(f"--output {output}: a folder; name the file to write")
    if not output.absolute().parent.is_dir():
        raise ConfigError(f"--output {output}: no such folder {output.absolute().parent}")
    page_map = load_page_map(args.map)
    exported = export(page_map, connect(quiet=True), fmt, output, sys.stderr)
    for title in exported.missing:
        print(f"wikisync: error: {title}: the source page does not exist (or is a redirect); not exported", file=sys.stderr)
    sources = f"{exported.sources} source{'' if exported.sources == 1 else 's'}"
    statements = f"{exported.statements} statement{'' if exported.statements == 1 else 's'}"
    print(f"export: {sources}, {statements} -> {output} ({fmt})")
    return EXIT_ERROR if exported.missing else EXIT_OK


def _run_sync(args: argparse.Namespace) -> int:
    from .config import load_page_map
    from .sync import Options, Output, sync
    from .wiki import connect

    page_map = load_page_map(args.map)
    for title in args.source:
        page_map.source(title)
    preview = getattr(args, "preview", None)
    if preview is not None:
        if not args.dry_run:
            raise ConfigError("--preview goes with --dry-run (or -simulate): a real run saves instead")
        from .preview import prepare_dir

        preview = Path(preview).resolve()
        prepare_dir(preview)
    verbose = args.verbose or (sys.stdout.isatty() and not args.quiet) or args.dry_run
    options = Options(
        dry_run=args.dry_run,
        rebuild=args.rebuild,
        force="" in args.force,
        force_pages=frozenset(title for title in args.force if title),
        force_all=args.force_all,
        sources=tuple(args.source),
        preview=preview,
    )
    return sync(page_map, connect(quiet=not verbose), options, Output(sys.stdout, _colour(args), verbose))


def _colour(args: argparse.Namespace) -> bool:
    return args.colour == "always" or (args.colour == "auto" and sys.stdout.isatty())


if __name__ == "__main__":
    sys.exit(main())
