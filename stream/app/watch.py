"""The worker watching itself: a heartbeat of its event loop and its state each
second, its group's lag every few seconds, and the gauges ``/metrics`` reads."""

from __future__ import annotations

import logging
import time
from collections import Counter, OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from stream.app.delivery import DeliveryTracker, InFlight
from stream.app.health import WorkerHealth
from stream.app.lag import measure
from stream.app.metrics import WorkerMetrics, WorkerState
from stream.app.statuspage import RecentLetter, RecentStory
from stream.state.story import StoryState

log = logging.getLogger("liveblog.watch")
RECENT = 8  # newest dead letters and stories kept for the status page
RATE_EVERY_BEATS = 5  # a throughput sample every 5 heartbeats (seconds)
RATE_SAMPLES = 120  # ten minutes of them


@dataclass
class Watch:
    app: Any  # the Faust app (its consumer and tables)
    connection: Mapping[str, Any]  # the Kafka clients' keyword arguments
    group: str
    input_topics: list[str]
    trackers: list[DeliveryTracker]
    tables: dict[str, Any]
    metrics: WorkerMetrics
    health: WorkerHealth
    entries_delivered: int = 0
    letters_by_reason: Counter = field(default_factory=Counter)
    recent_letters: deque = field(default_factory=lambda: deque(maxlen=RECENT))
    recent_stories: OrderedDict = field(default_factory=OrderedDict)
    rates: deque = field(default_factory=lambda: deque(maxlen=RATE_SAMPLES))
    _last_sample: tuple[float, int, int] | None = None
    _beats: int = 0

    def delivered(self, item: InFlight) -> None:
        self.metrics.observe_delivered([(s.kind, s.since) for s in item.sends], time.time())
        for send in item.sends:
            if send.kind.startswith("entry:"):
                self.entries_delivered += 1
            elif send.kind.startswith("deadletter:"):
                self._letter_delivered(send.value)

    def _letter_delivered(self, value: bytes) -> None:
        letter = orjson.loads(value)
        source = letter.get("source") or {}
        where = f"{source.get('topic')}[{source.get('partition')}]@{source.get('offset')}"
        self.letters_by_reason[letter["reason"]] += 1
        self.recent_letters.appendleft(RecentLetter(letter["reason"], letter["detail"], where))

    def story_seen(self, story: StoryState) -> None:
        self.recent_stories.pop(story.story_id, None)
        self.recent_stories[story.story_id] = RecentStory(
            story.title, story.entries, story.last_seen
        )
        while len(self.recent_stories) > RECENT:
            self.recent_stories.popitem(last=False)

    def sample_rates(self) -> None:
        now = time.time()
        pages = self.trackers[0].delivered_events  # the parse stage: one event a page
        sample = (now, pages, self.entries_delivered)
        if self._last_sample is not None and now - self._last_sample[0] > 0:
            elapsed = now - self._last_sample[0]
            self.rates.append(
                (
                    now,
                    (pages - self._last_sample[1]) / elapsed,
                    (self.entries_delivered - self._last_sample[2]) / elapsed,
                )
            )
        self._last_sample = sample

    async def heartbeat(self) -> None:
        health = self.health
        health.beat()
        self._beats += 1
        if self._beats % RATE_EVERY_BEATS == 0:
            self.sample_rates()
        health.recovering = bool(getattr(self.app, "in_recovery", False))
        health.rebalancing = bool(getattr(self.app, "rebalancing", False))
        try:
            health.assigned_partitions = len(self.app.consumer.assignment())
        except Exception:  # the consumer is not up yet
            health.assigned_partitions = 0
        health.oldest_in_flight_s = {t.name: t.oldest_age() for t in self.trackers}

    async def watch_lag(self) -> None:
        try:
            lag = await measure(self.connection, self.group, self.input_topics)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            if self.health.lag_error != message:
                log.warning("could not measure the group's lag (%s)", message)
            self.health.record_lag_failure(message)
            return
        self.health.record_lag(lag)

    def state(self) -> WorkerState:
        health = self.health
        if health.recovering:
            consumer_state = "recovering"
        elif health.rebalancing:
            consumer_state = "rebalancing"
        elif health.assigned_partitions:
            consumer_state = "running"
        else:
            consumer_state = "starting"
        return WorkerState(
            in_flight={t.name: len(t.pending) for t in self.trackers},
            table_keys=self.table_keys(),
            assigned_partitions=health.assigned_partitions,
            consumer_state=consumer_state,
            lag=health.lag,
            statuses=health.statuses(),
        )

    def table_keys(self) -> dict[str, int]:
        counted = {}
        for name, table in self.tables.items():
            try:
                counted[name] = estimated_keys(table)
            except Exception:  # not assigned or recovering: 0 until it is
                counted[name] = 0
        return counted


def estimated_keys(table: Any) -> int:
    """About how many keys a Faust table holds on this worker's active partitions.

    ``len()`` of a RocksDB table reads every key, in the event loop: 134 ms for
    300,000 keys here, so a worker with a few million stalled its pages for seconds
    once a minute.  RocksDB keeps an estimate (``rocksdb.estimate-num-keys``, as Kafka
    Streams' ``approximateNumEntries``) that costs microseconds; it counts a key
    written again more than once while the writes are in the memtable.  Other stores
    are counted."""
    store = table.data
    if not hasattr(store, "_dbs_for_actives"):
        return len(table)
    return sum(
        db.property_int_value("rocksdb.estimate-num-keys") or 0 for db in store._dbs_for_actives()
    )
