"""The command line: ``python -m stream <command>``."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

import orjson

from stream.core.explain import explain
from stream.core.process import Source, process_message
from stream.core.timeline import parse_iso8601
from stream.settings import Settings, SettingsError


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
    if args.explain:
        sys.stdout.write(explain(value, settings.max_page_bytes))
        return 0
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


def _broker(args: argparse.Namespace, settings: Settings) -> int:
    from stream.ops.broker import main as broker_main

    return broker_main(args.action, settings, secure=args.secure)


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio
    import logging

    from faust.worker import Worker

    from stream.app.app import create_app
    from stream.app.heap import freeze_startup_heap
    from stream.app.transactions import discard_unclean_tables
    from stream.connection import describe
    from stream.core.process import warm_up
    from stream.ops.access import check_worker_access
    from stream.ops.topics import ensure_topics, partition_count

    asyncio.run(check_worker_access(settings))
    print(
        f"stream worker: Kafka at {describe(settings)}; app {settings.app_id}: "
        f"{settings.raw_topic} -> {settings.entries_topic}, {settings.deadletter_topic} "
        f"({settings.processing_guarantee})",
        file=sys.stderr,
    )
    created = asyncio.run(ensure_topics(settings))
    if created:
        print(f"stream worker: created topics {', '.join(created)}", file=sys.stderr)
    raw_partitions = asyncio.run(partition_count(settings, settings.raw_topic))
    if raw_partitions != settings.partitions:
        print(
            f"stream worker: {settings.raw_topic} has {raw_partitions} partitions and "
            f"LIVEBLOG_PARTITIONS is {settings.partitions}: every page takes the "
            f"pages-by-story hop (set LIVEBLOG_PARTITIONS={raw_partitions} for a new app "
            "id to apply pages where they are read)",
            file=sys.stderr,
        )
    warm_up()  # the first pages must not pay for loading CLDR data and patterns
    app = create_app(settings, raw_partitions=raw_partitions)
    if settings.processing_guarantee == "exactly_once":
        discard_unclean_tables(app.conf.tabledir)
    worker = Worker(app, loglevel=settings.log_level.upper(), quiet=True)
    # Faust's terminal spinner hangs a DEBUG handler on the root logger, which makes
    # every debug call in aiokafka and Faust build a log record: 13% of the worker's
    # time under load.  No spinner.
    worker.spinner = None
    logging.getLogger("liveblog").setLevel(settings.log_level.upper())
    freeze_startup_heap()
    worker.execute_from_commandline()
    return 0


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from stream.ops.tools import ToolError, publish

    try:
        count = asyncio.run(publish(settings, args.paths, repeat=args.repeat))
    except ToolError as exc:
        print(f"stream publish: {exc}", file=sys.stderr)
        return EXIT_FAILED
    print(f"published {count} page(s) to {settings.raw_topic}", file=sys.stderr)
    return 0


def _tail(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from stream.ops.tools import ToolError, tail

    try:
        asyncio.run(
            tail(
                settings,
                args.deadletter,
                from_beginning=not args.latest,
                idle_timeout=args.idle_timeout,
                as_json=args.json,
                limit=args.max,
            )
        )
    except ToolError as exc:
        print(f"stream tail: {exc}", file=sys.stderr)
        return EXIT_FAILED
    return 0


def _lag(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from stream.ops.lagview import watch_lag

    return asyncio.run(watch_lag(settings, as_json=args.json, every=args.watch))


def _deadletters(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from stream.core.timeline import parse_iso8601
    from stream.ops import deadletters
    from stream.ops.tools import ToolError

    since = None
    if getattr(args, "since", None):
        since = parse_iso8601(args.since)
        if since is None:
            print(f"stream deadletters: --since {args.since!r} is not ISO 8601", file=sys.stderr)
            return EXIT_USAGE
    try:
        if args.action == "redrive":
            asyncio.run(
                deadletters.redrive(
                    settings, args.reason, since, args.dry_run, max_redrives=args.max_redrives
                )
            )
            return 0
        letters = asyncio.run(deadletters.read_letters(settings))
    except ToolError as exc:
        print(f"stream deadletters: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.action == "show":
        found = [
            letter
            for letter in letters
            if args.letter in (letter.where, letter.value.get("letter_id"))
        ]
        if not found:
            print(
                f"stream deadletters: no letter {args.letter!r} (PARTITION@OFFSET or letter_id)",
                file=sys.stderr,
            )
            return EXIT_FAILED
        sys.stdout.write(deadletters.show(found[0]))
        return 0
    chosen = deadletters.choose(letters, args.reason, since)
    if args.json:
        for letter in chosen:
            sys.stdout.write(
                orjson.dumps(
                    {"partition": letter.partition, "offset": letter.offset, **letter.value}
                ).decode()
                + "\n"
            )
    else:
        sys.stdout.write(deadletters.summary(chosen))
    return 0


def _acls(args: argparse.Namespace, settings: Settings) -> int:
    import asyncio

    from stream.ops import acls

    chosen = {"worker": acls.worker_acls(settings), **acls.tool_acls(settings)}
    if args.only:
        chosen = {args.only: chosen[args.only]}
    if args.apply:
        wanted = [acl for group in chosen.values() for acl in group]
        count = asyncio.run(acls.create_acls(settings, args.principal, wanted))
        print(f"created {count} ACL(s) for {args.principal}: {', '.join(chosen)}")
        return 0
    for name, group in chosen.items():
        print(f"# {name}")
        for acl in group:
            print(f"#   {acl.describe()}")
        for line in acls.kafka_acls_commands(args.principal, group, settings.bootstrap_servers):
            print(line)
    return 0


def _run(args: argparse.Namespace, settings: Settings) -> int:
    from stream.ops.demo import run

    return run(settings, args.seconds, feed_samples=not args.no_samples)


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
    parse.add_argument(
        "--explain",
        action="store_true",
        help="print how the page was read (marker shape chosen and the ones it beat, top "
        "matter, entries, trailer) instead of the records",
    )
    parse.set_defaults(run=_parse)

    broker = commands.add_parser(
        "broker", help="start, stop or query the local development Kafka broker"
    )
    broker.add_argument("action", choices=["start", "stop", "status"])
    broker.add_argument(
        "--secure",
        action="store_true",
        help="start it as a managed cluster runs: SASL_SSL with SCRAM users, mutual TLS "
        "(port + 2), a throwaway CA, ACLs enforced (use another LIVEBLOG_BROKER_DIR than "
        "a plaintext broker's)",
    )
    broker.set_defaults(run=_broker)

    run = commands.add_parser(
        "run",
        help="the main job: local broker (if none answers), worker, sample pages, and "
        "the entries and dead letters they yield",
    )
    run.add_argument("--seconds", type=float, help="stop after this many seconds")
    run.add_argument("--no-samples", action="store_true", help="do not publish sample pages")
    run.set_defaults(run=_run)

    worker = commands.add_parser("worker", help="run the stream processor (a Faust worker)")
    worker.set_defaults(run=_worker, kafka=True)

    _add_tool_commands(commands)
    return parser


def _add_tool_commands(commands: Any) -> None:  # argparse subparsers
    """The tools around the worker: publish, tail, lag."""
    publish = commands.add_parser(
        "publish", help="publish files or folders of raw pages to the raw topic"
    )
    publish.add_argument("paths", nargs="+", metavar="PATH")
    publish.add_argument("--repeat", type=int, default=1, help="publish everything N times")
    publish.set_defaults(kafka=True, run=_publish)

    tail = commands.add_parser("tail", help="follow the entries (or dead-letter) topic")
    tail.add_argument("--deadletter", action="store_true", help="follow the dead letters")
    tail.add_argument("--latest", action="store_true", help="only records from now on")
    tail.add_argument("--json", action="store_true", help="print records as JSON lines")
    tail.add_argument("--max", type=int, help="stop after this many records")
    tail.add_argument("--idle-timeout", type=float, help="stop after this many idle seconds")
    tail.set_defaults(kafka=True, run=_tail)

    lag = commands.add_parser(
        "lag",
        help="the worker group's lag per partition (offsets and seconds), its status and "
        "members; exit 3 when the status is not OK",
    )
    lag.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    lag.add_argument(
        "--watch",
        type=float,
        metavar="SECONDS",
        help="refresh every SECONDS, judging the status over the samples seen",
    )
    lag.set_defaults(kafka=True, run=_lag)

    letters = commands.add_parser(
        "deadletters", help="list, show or redrive the letters of the dead-letter topic"
    )
    actions = letters.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="letters grouped by reason, with counts")
    show = actions.add_parser("show", help="one letter whole: detail, headers, original")
    show.add_argument("letter", help="PARTITION@OFFSET in the dead-letter topic, or a letter_id")
    again = actions.add_parser(
        "redrive", help="publish the original bytes of letters back to the raw topic, once each"
    )
    for action in (listing, again):
        action.add_argument("--reason", help="only letters of this reason")
        action.add_argument("--since", help="only letters written at or after this ISO 8601 time")
    listing.add_argument("--json", action="store_true", help="one JSON letter per line")
    again.add_argument("--dry-run", action="store_true", help="say what would be redriven")
    again.add_argument(
        "--max-redrives", type=int, default=3, help="leave letters redriven this often (3)"
    )
    letters.set_defaults(kafka=True, run=_deadletters)

    acl = commands.add_parser(
        "acls",
        help="the ACLs the worker and each tool need on a secured cluster, as kafka-acls.sh "
        "commands; --apply creates them (connect as an administrator)",
    )
    acl.add_argument("principal", help="who gets them, e.g. User:liveblog")
    acl.add_argument(
        "--only",
        choices=["worker", "publish", "tail", "lag", "deadletters"],
        help="only the ACLs of the worker or of one tool",
    )
    acl.add_argument("--apply", action="store_true", help="create them on the cluster")
    # Printing the ACLs needs no cluster; applying them does.
    acl.set_defaults(run=_acls, kafka=lambda parsed: parsed.apply)


#: Exit codes, the same for the same kind of failure in every command.
EXIT_FAILED = 1  # the command could not do its work (Kafka unreachable, no such topic)
EXIT_USAGE = 2  # a mistake in the command line or the configuration (argparse uses 2 too)
EXIT_INTERRUPTED = 130  # Ctrl-C


def _with_kafka(args: argparse.Namespace, settings: Settings) -> int:
    """Run a command that talks to Kafka: one connection first, so that a refused
    password or an untrusted certificate gives one clear message (aiokafka would
    only say "Unable to bootstrap" and retry), and a missing ACL names itself."""
    import asyncio

    from aiokafka.errors import KafkaError

    from stream.ops.access import AccessError, check_connection, denied

    name = f"stream {args.command}"
    try:
        asyncio.run(check_connection(settings))
        return args.run(args, settings)
    except SettingsError as exc:
        print(f"{name}: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except AccessError as exc:
        print(f"{name}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KafkaError as exc:
        refusal = denied(exc, settings)
        if refusal is None:
            raise
        print(f"{name}: {refusal}", file=sys.stderr)
        return EXIT_FAILED


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        settings = Settings.from_env()
    except SettingsError as exc:
        print(f"stream: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    try:
        needs_kafka = getattr(args, "kafka", False)  # True, or a test of the arguments
        if callable(needs_kafka):
            needs_kafka = needs_kafka(args)
        if needs_kafka:
            return _with_kafka(args, settings)
        return args.run(args, settings)
    except BrokenPipeError:
        # The reader went away (`stream tail | head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
