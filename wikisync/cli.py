"""The ``wikisync`` command: a thin layer over parse, render, plan and sync.

Exit codes: 0 done or nothing pending; 1 error; 2 a dry run found changes pending.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from . import __version__
from .config import load_page_map
from .errors import SourceError, WikisyncError
from .parse import parse
from .sync import EXIT_ERROR, EXIT_OK, Output, sync

__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return args.run(args)
    except WikisyncError as exc:
        print(f"wikisync: error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("wikisync: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into head and the like
        sys.stderr.close()
        return EXIT_OK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="wikisync",
        description="Parse MediaWiki report pages and publish the pages generated from them.",
        epilog="Exit codes: 0 done or nothing pending, 1 error, 2 dry run found changes pending.",
    )
    parser.add_argument("--version", action="version", version=f"wikisync {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse_cmd = commands.add_parser("parse", help="print a report's structure as JSON or YAML")
    _add_source_arguments(parse_cmd)
    parse_cmd.add_argument("--format", choices=("json", "yaml"), default="json")
    parse_cmd.set_defaults(run=_run_parse)

    sync_cmd = commands.add_parser("sync", help="publish the generated pages (only those that changed)")
    sync_cmd.add_argument("--dry-run", action="store_true", help="print the diffs and save nothing")
    sync_cmd.add_argument("--map", default="page_map.yaml", metavar="PATH", help="page map (default: ./page_map.yaml)")
    sync_cmd.add_argument("--source", action="append", default=[], metavar="TITLE", help="only this source page (repeatable)")
    sync_cmd.add_argument("--colour", "--color", choices=("auto", "always", "never"), default="auto")
    sync_cmd.set_defaults(run=_run_sync)
    return parser


def _add_source_arguments(command: argparse.ArgumentParser) -> None:
    where = command.add_mutually_exclusive_group(required=True)
    where.add_argument("path", nargs="?", help="a file of wikitext")
    where.add_argument("--page", metavar="TITLE", help="a page on the configured wiki")
    command.add_argument("--title", help="title to report for a file (default: the file's name)")


def _load_report(args: argparse.Namespace):
    if args.page:
        from .wiki import connect

        source = connect(login=False).read_source(args.page)
        return parse(source.text, source.title, source.revision)
    path = Path(args.path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SourceError(f"{path}: cannot read: {exc.strerror if isinstance(exc, OSError) else exc}") from None
    return parse(text, args.title or path.stem, None)


def _run_parse(args: argparse.Namespace) -> int:
    data = _load_report(args).to_dict()
    if args.format == "yaml":
        sys.stdout.write(yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100))
    else:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    return EXIT_OK


def _run_sync(args: argparse.Namespace) -> int:
    from .wiki import connect

    page_map = load_page_map(args.map)
    colour = args.colour == "always" or (args.colour == "auto" and sys.stdout.isatty())
    return sync(page_map, connect(), dry_run=args.dry_run, sources=args.source, out=Output(sys.stdout, colour))


if __name__ == "__main__":
    sys.exit(main())
