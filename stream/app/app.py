"""The stream shell: a Faust application around the pure core.

Topology (names as in Kafka Streams: every source, processor and sink named):

    articles.raw ──> [parse_pages] ──> <app>-pages-by-story ──> [diff_stories] ──> liveblog.entries
                          │                (keyed by story)           │
                          └──────────> liveblog.deadletter            └── tables: stories, entries

``parse_pages`` is stateless: it decodes and parses each raw message with the core,
sends dead letters, and forwards the parsed page keyed by story, so that one story
always lands on one partition of the tables.  ``diff_stories`` compares each page
with the story's state and emits new and edited entries.

Delivery before commit: events are acknowledged by hand, and only once every
record they produced has been acknowledged by the broker (``DeliveryTracker``);
a failed send is retried and the worker does not move past it.  Table updates
are recorded only after the entries they describe were delivered, so a crash
can repeat an entry (same entry_id and revision) but never lose one.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime

import faust
import orjson
from faust.streams import _current_event  # private; faust-streaming is pinned <0.16

from stream.contract import REASONS, dead_letter
from stream.core.process import Source, process_message
from stream.core.timeline import format_utc
from stream.settings import Settings
from stream.state.story import EntryState, StoryState, chain_checkpoints, plan_scrape

log = logging.getLogger("liveblog.worker")

RETRY_FIRST_DELAY_S = 0.5
RETRY_MAX_DELAY_S = 30.0
SETTLE_INTERVAL_S = 0.02


@dataclass(slots=True)
class Send:
    topic: faust.types.TopicT
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] | None = None
    future: asyncio.Future | None = None


@dataclass(slots=True)
class InFlight:
    event: faust.types.EventT
    sends: list[Send]
    on_delivered: Callable[[], None] | None = None
    attempts: int = 0


@contextmanager
def event_context(event: faust.types.EventT) -> Iterator[None]:
    """Make ``event`` the current event, as inside its own stream iteration: Faust
    tables write to the changelog partition (and RocksDB partition) of the current
    event, and ours write after delivery, when the stream has moved on."""
    token = _current_event.set(weakref.ref(event))
    try:
        yield
    finally:
        _current_event.reset(token)


@dataclass
class DeliveryTracker:
    """Events whose outputs are in flight, acknowledged in order once delivered."""

    name: str
    max_in_flight: int
    pending: deque[InFlight] = field(default_factory=deque)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    delivered_events: int = 0

    async def add(self, item: InFlight) -> None:
        for send in item.sends:
            await _start(send)
        self.pending.append(item)
        await self.settle(block=len(self.pending) >= self.max_in_flight)

    async def settle(self, block: bool = False) -> None:
        """Ack every delivered event at the head of the queue; retry failed sends.
        With ``block``, wait until at least the head is through."""
        async with self.lock:
            while self.pending:
                head = self.pending[0]
                futures = [s.future for s in head.sends if s.future is not None]
                if not all(f.done() for f in futures):
                    if not block:
                        return
                    await asyncio.wait(futures)
                    if not self.pending or self.pending[0] is not head:
                        continue  # dropped by a rebalance meanwhile
                failed = [s for s in head.sends if s.future is not None and s.future.exception()]
                if failed:
                    await self._retry(head, failed)
                    continue
                self.pending.popleft()
                if head.on_delivered is not None:
                    with event_context(head.event):
                        head.on_delivered()
                head.event.ack()
                self.delivered_events += 1
                block = False

    async def _retry(self, item: InFlight, failed: list[Send]) -> None:
        item.attempts += 1
        delay = min(RETRY_MAX_DELAY_S, RETRY_FIRST_DELAY_S * 2 ** (item.attempts - 1))
        error = failed[0].future.exception() if failed[0].future else None
        log.error(
            "[%s] could not write %d record(s) to %s (%s: %s); retrying in %.1fs. The "
            "worker does not commit past this message until the broker accepts them: "
            "check that the topic exists and accepts writes.",
            self.name,
            len(failed),
            failed[0].topic.get_topic_name(),
            type(error).__name__,
            error,
            delay,
        )
        await asyncio.sleep(delay)
        for send in failed:
            await _start(send)

    def drop_all(self) -> None:
        """On rebalance: forget what is in flight; unacknowledged events are read
        again from the committed offsets by whichever worker owns them now."""
        self.pending.clear()


async def _start(send: Send) -> None:
    """Hand the record to the producer.  The values are bytes already, so under
    at-least-once the producer takes them directly; Faust's Topic.send wraps each
    record in several futures and was a sixth of the worker's time.  Under
    exactly-once, Topic.send attaches the record to the current transaction."""
    topic = send.topic
    try:
        if topic.app.in_transaction:
            send.future = await topic.send(key=send.key, value=send.value, headers=send.headers)
        else:
            send.future = await topic.app.producer.send(
                topic.get_topic_name(), send.key, send.value, None, None, send.headers
            )
    except Exception as exc:  # refused before it was queued (e.g. unknown topic): retry it
        failed: asyncio.Future = asyncio.get_running_loop().create_future()
        failed.set_exception(exc)
        send.future = failed


def deadletter_headers(
    source_topic: str,
    partition: int,
    offset: int,
    reason: str,
    detail: str,
    exception: BaseException | None,
    stage: str,
) -> list[tuple[str, bytes]]:
    """Error context in the spirit of Kafka Connect's DLQ context headers."""
    if exception is not None:
        exception_class = f"{type(exception).__module__}.{type(exception).__qualname__}"
        message = str(exception)
    else:
        exception_class = "liveblog." + "".join(part.title() for part in reason.split("_"))
        message = detail
    return [
        ("liveblog.errors.topic", source_topic.encode()),
        ("liveblog.errors.partition", str(partition).encode()),
        ("liveblog.errors.offset", str(offset).encode()),
        ("liveblog.errors.reason", reason.encode()),
        ("liveblog.errors.stage", stage.encode()),
        ("liveblog.errors.exception.class.name", exception_class.encode()),
        ("liveblog.errors.exception.message", message.encode("utf-8", "replace")[:4000]),
    ]


def create_app(settings: Settings) -> faust.App:
    """The Faust application, configured from ``settings``."""
    app = faust.App(
        settings.app_id,
        broker=[f"kafka://{server.strip()}" for server in settings.bootstrap_servers.split(",")],
        store="rocksdb://" if settings.store == "rocksdb" else "memory://",
        datadir=str(settings.data_dir),
        processing_guarantee=settings.processing_guarantee,
        topic_partitions=settings.partitions,
        topic_replication_factor=settings.replication_factor,
        web_port=settings.web_port,
        web_bind=settings.web_host,
        web_host=settings.web_host,
        key_serializer="raw",
        value_serializer="raw",
        consumer_auto_offset_reset="earliest",
        # The same size limit as the broker: the largest page, and its dead letter.
        producer_max_request_size=settings.max_message_bytes,
        consumer_max_fetch_size=settings.max_message_bytes,
        producer_max_batch_size=256 * 1024,
        producer_linger=0.005,
        producer_request_timeout=settings.delivery_timeout_s,
        # A failing event must never be acknowledged by accident.
        stream_ack_exceptions=False,
        stream_ack_cancelled_tasks=False,
        broker_commit_interval=1.0,
    )
    raw_pages = app.topic(settings.raw_topic, key_type=bytes, value_type=bytes)
    pages_by_story = app.topic(
        f"{settings.app_id}-pages-by-story",
        key_type=bytes,
        value_type=bytes,
        partitions=settings.partitions,
        internal=True,
        config={"max.message.bytes": str(settings.max_message_bytes)},
    )
    entries_out = app.topic(settings.entries_topic, key_type=bytes, value_type=bytes)
    deadletters_out = app.topic(settings.deadletter_topic, key_type=bytes, value_type=bytes)

    stories = app.Table("stories", partitions=settings.partitions, key_type=bytes, value_type=bytes)
    entry_states = app.Table(
        "entries", partitions=settings.partitions, key_type=bytes, value_type=bytes
    )

    parse_tracker = DeliveryTracker("parse_pages", settings.max_pages_in_flight)
    diff_tracker = DeliveryTracker("diff_stories", settings.max_pages_in_flight)
    # Writes waiting for delivery, read before the tables so that a page following
    # one still in flight is compared with it.
    story_overlay: dict[str, StoryState] = {}
    entry_overlay: dict[str, EntryState] = {}

    @app.agent(raw_pages, name="parse_pages")
    async def parse_pages(stream: faust.StreamT) -> None:
        async for event in stream.noack().events():
            message = event.message
            try:
                sends = _parse_one(event)
            except Exception as exc:  # a bug in the shell: dead-letter, never crash-loop
                log.exception(
                    "parse_pages failed on %s[%d]@%d",
                    message.topic,
                    message.partition,
                    message.offset,
                )
                sends = [_shell_failure(event, exc, "parse_pages")]
            await parse_tracker.add(InFlight(event, sends))

    def _parse_one(event: faust.types.EventT) -> list[Send]:
        message = event.message
        timestamp = datetime.fromtimestamp(message.timestamp, UTC) if message.timestamp else None
        outcome = process_message(
            event.value,
            message.key,
            Source(message.topic, message.partition, message.offset, timestamp),
            settings.max_page_bytes,
        )
        sends = [
            _deadletter_send(event, letter, outcome.exception, "parse_pages")
            for letter in outcome.dead_letters
        ]
        if outcome.story_id is not None and outcome.story is not None:
            seen = outcome.entries[0]["source"]["scraped_at"] if outcome.entries else None
            page = {
                "story_id": outcome.story_id,
                "story": outcome.story,
                "lang": outcome.lang,
                "entries": outcome.entries,
                "dead_letters": len(outcome.dead_letters),
                # hashed here, where the whole page is read anyway (see story_state)
                "checkpoints": chain_checkpoints(outcome.entries),
                "seen_at": seen or (format_utc(timestamp) if timestamp else None),
            }
            sends.append(Send(pages_by_story, outcome.story_id.encode(), orjson.dumps(page)))
        return sends

    def _shell_failure(event: faust.types.EventT, exc: Exception, stage: str) -> Send:
        message = event.message
        letter = dead_letter(
            "processing_error",
            f"The {stage} stage failed ({type(exc).__name__}: {exc}); this is a bug in "
            "liveblog-stream: report it with this dead letter attached.",
            {
                "topic": message.topic,
                "partition": message.partition,
                "offset": message.offset,
                "scraped_at": None,
            },
            original=event.value if isinstance(event.value, bytes) else b"",
        )
        return _deadletter_send(event, letter, exc, stage)

    def _deadletter_send(
        event: faust.types.EventT, letter: dict, exception: BaseException | None, stage: str
    ) -> Send:
        message = event.message
        headers = deadletter_headers(
            message.topic,
            message.partition,
            message.offset,
            letter["reason"],
            letter["detail"],
            exception,
            stage,
        )
        return Send(deadletters_out, message.key, orjson.dumps(letter), headers)

    @app.agent(pages_by_story, name="diff_stories")
    async def diff_stories(stream: faust.StreamT) -> None:
        async for event in stream.noack().events():
            try:
                item = _diff_one(event)
            except Exception as exc:
                log.exception("diff_stories failed on %s", event.message.offset)
                item = InFlight(event, [_shell_failure(event, exc, "diff_stories")])
            await diff_tracker.add(item)

    def _stored_entry(entry_id: str) -> EntryState | None:
        overlaid = entry_overlay.get(entry_id)
        if overlaid is not None:
            return overlaid
        raw = entry_states.get(entry_id.encode())
        return EntryState.from_bytes(raw) if raw else None

    def _diff_one(event: faust.types.EventT) -> InFlight:
        page = orjson.loads(event.value)
        story_id: str = page["story_id"]
        stored_story = story_overlay.get(story_id)
        if stored_story is None:
            raw = stories.get(story_id.encode())
            stored_story = StoryState.from_bytes(raw) if raw else None
        plan = plan_scrape(
            story_id,
            page["story"]["title"],
            page["story"]["url"],
            page["lang"],
            page["entries"],
            page["dead_letters"],
            page["seen_at"] or "",
            stored_story,
            _stored_entry,
            [tuple(c) for c in page["checkpoints"]],
        )
        key = story_id.encode()
        sends = [Send(entries_out, key, orjson.dumps(entry)) for entry in plan.emissions]
        story_overlay[story_id] = plan.story
        entry_overlay.update(plan.entry_writes)

        def record() -> None:
            for entry_id, state in plan.entry_writes.items():
                entry_states[entry_id.encode()] = state.to_bytes()
                if entry_overlay.get(entry_id) is state:
                    del entry_overlay[entry_id]
            stories[key] = plan.story.to_bytes()
            if story_overlay.get(story_id) is plan.story:
                del story_overlay[story_id]

        return InFlight(event, sends, record)

    @app.timer(SETTLE_INTERVAL_S)
    async def settle_deliveries() -> None:
        """Acknowledge the tail of the stream when no new event comes to do it."""
        await parse_tracker.settle()
        await diff_tracker.settle()

    @app.on_partitions_revoked.connect
    def on_revoked(sender: faust.App, revoked: set, **kwargs: object) -> None:
        parse_tracker.drop_all()
        diff_tracker.drop_all()
        story_overlay.clear()
        entry_overlay.clear()

    @app.page("/liveblog/stats/")
    async def stats(web: faust.web.View, request: faust.web.Request) -> faust.web.Response:
        return web.json(
            {
                "pages_delivered": parse_tracker.delivered_events,
                "stories_delivered": diff_tracker.delivered_events,
                "pages_in_flight": len(parse_tracker.pending),
                "stories_in_flight": len(diff_tracker.pending),
                "reasons": list(REASONS),
            }
        )

    return app
