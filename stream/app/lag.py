"""Consumer lag of the worker's group, in offsets and in seconds, with a status.

Lag in seconds is the age of the oldest message not yet committed (read from its
record timestamp), not a guess from rates.  The status follows Burrow's idea of
judging a consumer by its lag over a window:

- OK: no lag, or the group is moving through it;
- WARNING: the oldest uncommitted message is older than ``warn_s``, or the lag only
  grew over the window;
- STALLED: the group has members but its committed offset has not moved over the
  window while there is lag (or the lag is older than ``stall_s``);
- STOPPED: there is lag and the group has no members at all.

Used by the worker (``/metrics``, ``/readyz``, the status page) and by ``stream lag``.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient
from aiokafka.errors import CoordinatorNotAvailableError, NotCoordinatorError

STATUSES = ("OK", "WARNING", "STALLED", "STOPPED")

_measuring: ContextVar[bool] = ContextVar("liveblog_lag_measuring", default=False)


class _NotWhileMeasuring(logging.Filter):
    """aiokafka logs each assignment at INFO: the worker measures its lag every
    5 s, partition by partition, and its log filled with those lines whenever it
    lagged (they hid the worker's own lines in a failing test's log tail)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _measuring.get()


logging.getLogger("aiokafka.consumer.subscription_state").addFilter(_NotWhileMeasuring())


@dataclass(frozen=True, slots=True)
class PartitionLag:
    """One partition at one moment."""

    topic: str
    partition: int
    committed: int  # -1 when the group has committed nothing
    end: int
    lag_seconds: float | None  # age of the oldest uncommitted message; None with no lag
    at: float  # when measured (time.time())
    #: False when the offsets between the committed one and the end hold no record a
    #: consumer reads: only transaction markers (exactly_once) or aborted records.
    readable: bool = True

    @property
    def lag(self) -> int:
        if not self.readable:
            return 0
        return max(0, self.end - max(self.committed, 0))


@dataclass(frozen=True, slots=True)
class GroupLag:
    group: str
    members: list[str]  # "client_id@host" of each member
    partitions: list[PartitionLag]

    @property
    def total(self) -> int:
        return sum(p.lag for p in self.partitions)

    @property
    def max_lag_seconds(self) -> float:
        return max((p.lag_seconds or 0.0 for p in self.partitions), default=0.0)


def judge(
    history: Sequence[PartitionLag],
    has_members: bool,
    warn_s: float = 30.0,
    stall_s: float = 120.0,
    window_s: float = 20.0,
) -> str:
    """The status of one partition from its samples, oldest first (Burrow's rules,
    simplified)."""
    last = history[-1]
    if last.lag == 0:
        return "OK"
    if not has_members:
        return "STOPPED"
    window = [s for s in history if last.at - s.at <= window_s]
    spans_window = last.at - window[0].at >= window_s * 0.75
    if spans_window and all(s.committed == last.committed for s in window):
        return "STALLED"
    if last.lag_seconds is not None and last.lag_seconds >= stall_s:
        return "STALLED"
    if last.lag_seconds is not None and last.lag_seconds >= warn_s:
        return "WARNING"
    lags = [s.lag for s in window]
    if len(lags) >= 3 and all(b >= a for a, b in itertools.pairwise(lags)):
        return "WARNING" if lags[-1] > lags[0] else "OK"
    return "OK"


def worst(statuses: Sequence[str]) -> str:
    return max(statuses, key=STATUSES.index, default="OK")


async def measure(connection: Mapping[str, Any], group: str, topics: Sequence[str]) -> GroupLag:
    """Committed offsets, log ends, oldest uncommitted message ages and members.
    ``connection``: the clients' keyword arguments (``stream.connection``)."""
    token = _measuring.set(True)
    try:
        return await _measure(connection, group, topics)
    finally:
        _measuring.reset(token)


async def _measure(connection: Mapping[str, Any], group: str, topics: Sequence[str]) -> GroupLag:
    admin = AIOKafkaAdminClient(**connection, request_timeout_ms=10000)
    # read_committed, as the worker under exactly_once: markers and aborted records
    # occupy offsets but are nothing to read.
    consumer = AIOKafkaConsumer(
        **connection,
        enable_auto_commit=False,
        group_id=None,
        isolation_level="read_committed",
        fetch_max_wait_ms=100,
    )
    await admin.start()
    try:
        await consumer.start()
        try:
            committed = await _group_offsets(admin, group)
            members = await _members(admin, group)
            partitions = {tp for tp in committed if not tp.topic.endswith("__assignor-__leader")}
            partitions.update(await _partitions_of(admin, topics))
            ends = await consumer.end_offsets(list(partitions)) if partitions else {}
            now = time.time()
            rows = []
            for tp in sorted(partitions, key=lambda t: (t.topic, t.partition)):
                offset = committed[tp].offset if tp in committed else -1
                end = ends.get(tp, 0)
                age, readable = None, True
                if end > max(offset, 0):
                    age, readable = await _oldest_unread(consumer, tp, max(offset, 0), end, now)
                rows.append(PartitionLag(tp.topic, tp.partition, offset, end, age, now, readable))
        finally:
            await consumer.stop()
    finally:
        await admin.close()
    return GroupLag(group, members, rows)


async def _partitions_of(admin: AIOKafkaAdminClient, topics: Sequence[str]) -> set:
    """Every partition of the topics that exist (a topic not created yet has none)."""
    if not topics:
        return set()
    existing = set(await admin.list_topics())
    wanted = [topic for topic in topics if topic in existing]
    if not wanted:
        return set()
    described = await admin.describe_topics(wanted)
    return {
        TopicPartition(entry["topic"], part["partition"])
        for entry in described
        if entry.get("error_code") == 0
        for part in entry.get("partitions", [])
    }


async def _oldest_unread(
    consumer: AIOKafkaConsumer, tp: TopicPartition, offset: int, end: int, now: float
) -> tuple[float | None, bool]:
    """(seconds since the first record at or after ``offset`` was written, whether
    there is any such record before ``end`` at all)."""
    consumer.assign([tp])
    consumer.seek(tp, offset)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        batch = await consumer.getmany(tp, timeout_ms=100, max_records=1)
        records = batch.get(tp) or []
        if records:
            stamp = records[0].timestamp
            return (None if stamp is None else max(0.0, now - stamp / 1000)), True
        if await consumer.position(tp) >= end:
            return None, False  # the fetch skipped markers or aborted records to the end
    return None, True


async def _group_offsets(admin: AIOKafkaAdminClient, group: str) -> dict:
    """A new cluster creates its offsets topic on first use and answers "coordinator
    not available" meanwhile: ask again for a while."""
    for attempt in range(20):
        try:
            return await admin.list_consumer_group_offsets(group)
        except (CoordinatorNotAvailableError, NotCoordinatorError):
            await asyncio.sleep(min(0.25 * 2**attempt, 2.0))
    return await admin.list_consumer_group_offsets(group)


async def _members(admin: AIOKafkaAdminClient, group: str) -> list[str]:
    try:
        described = await admin.describe_consumer_groups([group])
    except Exception:  # a group being formed, or no coordinator yet: members unknown
        return []
    members = []
    for response in described:
        for entry in response.to_object().get("groups", []):
            for member in entry.get("members", []):
                members.append(f"{member['client_id']}@{member['client_host'].lstrip('/')}")
    return members
