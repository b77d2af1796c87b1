"""The two processing steps and the loop that drives an agent with them.

    articles.raw ──> [parse_pages] ─────────────────────────────────> liveblog.entries
                       │   │                                               ▲
                       │   └──> <app>-pages-by-story ──> [diff_stories] ───┘
                       └──────> liveblog.deadletter      (by story)    tables: stories,
                                                                       entry_blocks

``ParsePages`` parses each raw message with the core and turns its dead letters
into records.  A page whose raw record already sits on its story's partition
(``stream.app.routing``: keyed by the story's canonical URL) is diffed right there;
any other is sent on to its story's partition of the pages-by-story topic, so that
one story always meets its state on one partition of the tables.  ``DiffStories``
compares a page with the story's state, writes the new state, and emits new and
edited entries.  Both take a record and return the records to send; they know
nothing of Faust, so unit tests drive them with plain values and dicts for tables.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from stream.app.deadletters import (
    REDRIVE_COUNT_HEADER,
    SourceRecord,
    deadletter_send,
    shell_failure_send,
)
from stream.app.delivery import DeliveryTracker, InFlight, Send
from stream.app.routing import story_partition
from stream.app.transactions import CommitGate
from stream.core.process import Source, process_message
from stream.core.timeline import format_utc
from stream.state.blocks import EntryBlocks, Table
from stream.state.story import (
    Scrape,
    StoryState,
    chain_checkpoints,
    fingerprints_of,
    plan_scrape,
    raw_position,
)

log = logging.getLogger("liveblog.worker")


class Record(Protocol):
    """The parts of a consumed Kafka record the steps read (a Faust ``Message``)."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None
    timestamp: float | None


def source_of(record: Record) -> SourceRecord:
    return SourceRecord(
        record.topic, record.partition, record.offset, record.key, _redrives(record)
    )


def _redrives(record: Record) -> int:
    headers = getattr(record, "headers", None) or ()
    items = headers.items() if isinstance(headers, dict) else headers
    for name, value in items:
        if name == REDRIVE_COUNT_HEADER:
            try:
                return int(value)
            except (TypeError, ValueError):
                return 0
    return 0


@dataclass(frozen=True, slots=True)
class OutputTopics:
    entries: str
    deadletters: str
    pages_by_story: str


@dataclass(frozen=True, slots=True)
class ParsePages:
    """One raw page in: its dead letters, and either its new and edited entries
    (when the record sits on its story's partition) or the parsed page, sent on to
    its story's partition of the pages-by-story topic."""

    topics: OutputTopics
    max_page_bytes: int
    #: Applies a page read on its story's partition; None: every page takes the hop.
    diff: DiffStories | None = None
    #: Partitions of the tables and the pages-by-story topic.  Pages are applied where
    #: they are read only when the raw topic has as many (Faust then assigns partition
    #: N of every topic to one worker).
    partitions: int = 1

    def __call__(self, record: Record) -> list[Send]:
        timestamp = datetime.fromtimestamp(record.timestamp, UTC) if record.timestamp else None
        outcome = process_message(
            record.value,
            record.key,
            Source(record.topic, record.partition, record.offset, timestamp),
            self.max_page_bytes,
        )
        source = source_of(record)
        sends = [
            deadletter_send(
                self.topics.deadletters, source, letter, outcome.exception, "parse_pages"
            )
            for letter in outcome.dead_letters
        ]
        if outcome.story_id is not None and outcome.story is not None:
            seen = outcome.entries[0]["source"]["scraped_at"] if outcome.entries else None
            fingerprints = fingerprints_of(outcome.entries)
            page = {
                "story_id": outcome.story_id,
                "story": outcome.story,
                "lang": outcome.lang,
                "entries": outcome.entries,
                "dead_letters": len(outcome.dead_letters),
                # hashed here, where the whole page is read anyway (see stream.state.story)
                "fingerprints": fingerprints,
                "checkpoints": chain_checkpoints(outcome.entries, fingerprints),
                "seen_at": seen or (format_utc(timestamp) if timestamp else None),
                "raw_timestamp": record.timestamp,
                "raw_position": raw_position(record.partition, record.offset),
            }
            home = story_partition(outcome.story["url"], outcome.story_id, self.partitions)
            if self.diff is not None and record.partition == home:
                sends += self.diff.apply(page, record.offset, from_raw=True)
            else:
                key = outcome.story_id.encode()
                page_bytes = orjson.dumps(page)
                sends.append(
                    Send(self.topics.pages_by_story, key, page_bytes, kind="page", partition=home)
                )
        return sends


@dataclass(frozen=True, slots=True)
class DiffStories:
    """One parsed page in: its new and edited entries out, the story state written.

    The tables are written here, inside the page's own stream iteration: a write
    goes to the table partition of the record being processed, and in the worker its
    changelog record is one of the page's records (``stream.app.tables``).  The
    writes may reach the changelog before the entries reach their topic;
    ``plan_scrape`` makes the page's redelivery after a crash re-emit them.
    """

    topics: OutputTopics
    stories: Table
    #: Entry states by block (``stream.state.blocks``).
    entry_blocks: Table
    #: Told of each story's new state (the status page's latest stories).
    on_story: Callable[[StoryState], None] | None = None
    #: Identify pages by their raw record, not their pages-by-story offset: under
    #: exactly_once an aborted page is never read again at its offset, only parsed
    #: again and sent at a new one.  Under at-least-once the page is read again at
    #: its offset, and a copy sent again must not repeat its entries.
    by_raw_position: bool = False
    #: Takes the changelog records of the table writes made so far
    #: (``stream.app.tables``): they are sent with the page's entries.  None: the
    #: tables keep their own changelog (plain dicts in tests).
    changelog: Callable[[], list[Send]] | None = None

    def __call__(self, record: Record) -> list[Send]:
        return self.apply(orjson.loads(record.value or b""), record.offset, from_raw=False)

    def apply(self, page: dict[str, Any], offset: int, from_raw: bool) -> list[Send]:
        """Diff one parsed page (``ParsePages``' form) read at ``offset`` of the
        pages-by-story topic, or of the raw topic when ``from_raw``."""
        story_id: str = page["story_id"]
        key = story_id.encode()
        raw_story = self.stories.get(key)
        blocks = EntryBlocks(self.entry_blocks, story_id, page["entries"])
        plan = plan_scrape(
            Scrape(
                story_id=story_id,
                title=page["story"]["title"],
                url=page["story"]["url"],
                lang=page["lang"],
                entries=page["entries"],
                dead_letters=page["dead_letters"],
                seen_at=page["seen_at"] or "",
                checkpoints=[tuple(c) for c in page["checkpoints"]],
                # absent from pages a worker before this field sent: computed then
                fingerprints=page.get("fingerprints"),
                offset=offset,
                from_raw=from_raw,
                raw_position=page.get("raw_position", -1) if self.by_raw_position else -1,
            ),
            StoryState.from_bytes(raw_story) if raw_story else None,
            blocks.get,
        )
        blocks.write(plan.entry_writes)
        self.stories[key] = plan.story.to_bytes()
        if self.on_story is not None:
            self.on_story(plan.story)
        since = page.get("raw_timestamp")
        # Taken after the writes.  A page whose step fails half-way leaves its writes'
        # records untaken: the shell sends them with its dead letter (``drive``).
        sends = self.changelog() if self.changelog is not None else []
        return sends + [
            Send(
                self.topics.entries,
                key,
                orjson.dumps(entry),
                kind="entry:new" if entry["revision"] == 1 else "entry:edited",
                since=since,
            )
            for entry in plan.emissions
        ]


Step = Callable[[Record], list[Send]]


#: Told of each step: (stage, record, seconds it took, whether it failed).
StepObserver = Callable[[str, Record, float, bool], None]


@dataclass(frozen=True, slots=True)
class Transactions:
    """Under exactly_once: the gate events and commits take turns at, and the
    transaction each input record's outputs belong to (``stream.app.transactions``)."""

    gate: CommitGate
    transactional_id_of: Callable[[Record], str]


async def drive(
    events: Any,
    step: Step,
    tracker: DeliveryTracker,
    deadletter_topic: str,
    stage: str,
    observe: StepObserver | None = None,
    transactions: Transactions | None = None,
    unsent: Callable[[], list[Send]] | None = None,
) -> None:
    """Run ``step`` on each event of a Faust stream; hand its records to ``tracker``,
    which acknowledges the event once they are delivered.  An exception in the step
    is a bug in the worker: it becomes a dead letter, never a crash loop.  ``unsent``
    takes the records a step that failed half-way had already made (the changelog
    records of its table writes): they go out with the dead letter."""
    handling = _Handling(step, tracker, deadletter_topic, stage, observe, unsent)
    async for event in events:
        if transactions is None:
            await _handle(event, handling, None)
        else:
            await _handle_in_transaction(event, transactions, handling)


@dataclass(frozen=True, slots=True)
class _Handling:
    """What handling one event takes, fixed for a stream."""

    step: Step
    tracker: DeliveryTracker
    deadletter_topic: str
    stage: str
    observe: StepObserver | None
    unsent: Callable[[], list[Send]] | None


async def _handle_in_transaction(
    event: Any, transactions: Transactions, handling: _Handling
) -> None:
    gate = transactions.gate
    if not await gate.enter():
        gate.leave()
        return  # read before a rebalance: read again from the committed offset
    transactional_id = transactions.transactional_id_of(event.message)
    handled = asyncio.ensure_future(_handle(event, handling, transactional_id))
    handled.add_done_callback(lambda _: gate.leave())
    _UNFINISHED.add(handled)
    handled.add_done_callback(_UNFINISHED.discard)
    # On stop Faust cancels the agents before its final commit: an event cut off
    # halfway through its sends would leave part of its records in a transaction
    # that commits without its offset.  Once begun, an event is seen through.
    await asyncio.shield(handled)


#: Events being seen through after their agent was cancelled (the loop keeps weak refs).
_UNFINISHED: set[asyncio.Future] = set()


async def _handle(event: Any, handling: _Handling, transactional_id: str | None) -> None:
    record, stage = event.message, handling.stage
    started, failed = time.perf_counter(), False
    try:
        sends = handling.step(record)
    except Exception as exc:
        failed = True
        log.exception(
            "%s failed on %s[%d]@%d", stage, record.topic, record.partition, record.offset
        )
        letter = shell_failure_send(
            handling.deadletter_topic, source_of(record), event.value, exc, stage
        )
        # The local tables keep what the step wrote before it failed; the changelog
        # must too, or a restore elsewhere would not have it.
        sends = [*(handling.unsent() if handling.unsent else []), letter]
    if handling.observe is not None:
        handling.observe(stage, record, time.perf_counter() - started, failed)
    if transactional_id is not None:
        for send in sends:
            send.transactional_id = transactional_id
    await handling.tracker.add(InFlight(event, sends))


@dataclass(slots=True)
class Agents:
    """The worker's agents and rebalance handler, as methods so that Faust
    names them ``stream.app.agents.Agents.parse_pages`` and so on."""

    parse_step: Step
    diff_step: Step
    parse_tracker: DeliveryTracker
    diff_tracker: DeliveryTracker
    deadletter_topic: str
    observe: StepObserver | None = None
    #: Set under exactly_once.
    transactions: Transactions | None = None
    #: Takes the changelog records of table writes not yet sent (``stream.app.tables``).
    unsent: Callable[[], list[Send]] | None = None

    async def parse_pages(self, stream: Any) -> None:
        await self._drive(stream, self.parse_step, self.parse_tracker, "parse_pages")

    async def diff_stories(self, stream: Any) -> None:
        await self._drive(stream, self.diff_step, self.diff_tracker, "diff_stories")

    async def _drive(self, stream: Any, step: Step, tracker: DeliveryTracker, stage: str) -> None:
        events = stream.noack().events()
        topic = self.deadletter_topic
        await drive(
            events, step, tracker, topic, stage, self.observe, self.transactions, self.unsent
        )

    def forget_in_flight(self, sender: object, revoked: set, **kwargs: object) -> None:
        """On rebalance: what was in flight is read again by the partitions' new owner."""
        self.parse_tracker.drop_all()
        self.diff_tracker.drop_all()
