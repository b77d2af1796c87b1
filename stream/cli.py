"""The command line: ``python -m stream <command>``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import orjson

from stream.core import Source, process_message
from stream.settings import Settings, SettingsError
from stream.timeline import parse_iso8601


def _parse(args: argparse.Namespace, settings: Settings) -> int:
    path = Path(args.file)
    try:
        value = path.read_bytes()
    except OSError as exc:
        print(f"stream parse: cannot read {path}: {exc.strerror}", file=sys.stderr)
        return 2
    timestamp = None
    if args.scraped_at:
        timestamp = parse_iso8601(args.scraped_at)
        if timestamp is None:
            print(
                f"stream parse: --scraped-at {args.scraped_at!r} is not ISO 8601", file=sys.stderr
            )
            return 2
    key = args.key.encode("utf-8") if args.key is not None else None
    outcome = process_message(
        value, key, Source(topic=args.topic, timestamp=timestamp), settings.max_page_bytes
    )
    out = sys.stdout.buffer
    for entry in outcome.entries:
        out.write(
            orjson.dumps(
                {"topic": settings.entries_topic, "key": entry["story_id"], "value": entry}
            )
            + b"\n"
        )
    for letter in outcome.dead_letters:
        out.write(
            orjson.dumps({"topic": settings.deadletter_topic, "key": args.key, "value": letter})
            + b"\n"
        )
    out.flush()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m stream", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    parse = commands.add_parser(
        "parse", help="parse one raw message from a file and print the records it yields"
    )
    parse.add_argument("file", help="file holding one raw message value (envelope or page)")
    parse.add_argument("--key", help="the message key (a URL is used as the story URL)")
    parse.add_argument("--topic", default=None, help="source topic to record in 'source'")
    parse.add_argument(
        "--scraped-at",
        help="ISO 8601 time to date entries by when the page and envelope show none",
    )
    parse.set_defaults(run=_parse)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"stream: configuration error: {exc}", file=sys.stderr)
        return 2
    return args.run(args, settings)
