"""Delivery before commit: an event is acknowledged only once every record it produced
has been accepted by the broker.

``DeliveryTracker`` keeps the events whose outputs are in flight, in the order they
were read, and acknowledges them in that order as their sends complete (each
completed send schedules the acknowledgement of what it finished).  A failed
send is retried with exponential back-off, and the tracker does not move past it:
the worker stalls (and says why in the log) rather than commit an offset whose
outputs were lost.  On a rebalance everything in flight is dropped; the new owner
reads it again from the committed offsets.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

log = logging.getLogger("liveblog.delivery")


class Acknowledgeable(Protocol):
    def ack(self) -> bool: ...


@dataclass(slots=True)
class Send:
    """One record to write: topic name, key, value and headers, and its delivery."""

    topic: str
    key: bytes | None
    value: bytes
    headers: list[tuple[str, bytes]] | None = None
    future: asyncio.Future | None = None
    #: What it is, for metrics: "entry:new", "entry:edited", "deadletter:<reason>", "page".
    kind: str = ""
    #: The raw record's timestamp (seconds) it comes from, for publish-to-entry latency.
    since: float | None = None
    #: The partition to write to; None: the producer's partitioner picks by key.
    partition: int | None = None
    #: Under exactly_once: the transaction of the input record it comes from
    #: (``stream.app.transactions``); None: no transaction.
    transactional_id: str | None = None
    #: Called with the record's metadata once delivered, in order, before its event is
    #: acknowledged (a table write saves its changelog offset: ``stream.app.tables``).
    delivered: Callable[[Any], None] | None = None


#: Hands a record to the producer and returns the future of its delivery.
Sender = Callable[[Send], Awaitable[asyncio.Future]]


@dataclass(slots=True)
class InFlight:
    event: Acknowledgeable
    sends: list[Send]
    attempts: int = 0
    added: float = field(default_factory=time.monotonic)


@dataclass
class DeliveryTracker:
    """Events whose outputs are in flight, acknowledged in order once delivered."""

    name: str
    sender: Sender
    max_in_flight: int
    first_retry_delay_s: float = 0.5
    max_retry_delay_s: float = 30.0
    #: Called with each event's records once they are delivered (metrics).
    on_delivered: Callable[[InFlight], None] | None = None
    pending: deque[InFlight] = field(default_factory=deque)
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    delivered_events: int = 0
    _settle_scheduled: bool = False
    _tasks: set[asyncio.Task] = field(default_factory=set)  # held: the loop keeps weak refs

    async def add(self, item: InFlight) -> None:
        """Start the item's sends; wait for the oldest item when too many are in flight."""
        for send in item.sends:
            await self._start(send)
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
                for send in head.sends:
                    if send.delivered is not None and send.future is not None:
                        send.delivered(send.future.result())
                if self.on_delivered is not None:
                    self.on_delivered(head)
                head.event.ack()
                self.delivered_events += 1
                block = False

    async def _retry(self, item: InFlight, failed: list[Send]) -> None:
        item.attempts += 1
        delay = min(self.max_retry_delay_s, self.first_retry_delay_s * 2 ** (item.attempts - 1))
        error = failed[0].future.exception() if failed[0].future else None
        log.error(
            "[%s] could not write %d record(s) to %s (%s: %s); retrying in %.1fs. The "
            "worker does not commit past this message until the broker accepts them: "
            "check that the topic exists and accepts writes.",
            self.name,
            len(failed),
            failed[0].topic,
            type(error).__name__,
            error,
            delay,
        )
        await asyncio.sleep(delay)
        for send in failed:
            await self._start(send)

    async def _start(self, send: Send) -> None:
        try:
            send.future = await self.sender(send)
        except Exception as exc:  # refused before it was queued (e.g. unknown topic): retry it
            failed: asyncio.Future = asyncio.get_running_loop().create_future()
            failed.set_exception(exc)
            send.future = failed
        # Each delivery acknowledges what it completes: no timer, so acks keep coming
        # while Faust stops its services and waits for in-flight events (SIGTERM).
        send.future.add_done_callback(self._settle_soon)

    def _settle_soon(self, _: asyncio.Future) -> None:
        if self._settle_scheduled:
            return
        self._settle_scheduled = True
        task = asyncio.get_running_loop().create_task(self._settle_scheduled_run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _settle_scheduled_run(self) -> None:
        self._settle_scheduled = False
        await self.settle()

    async def drain(self) -> bool:
        """Wait until every record in flight is delivered and every event acknowledged.
        False when a record failed: it is being retried and its event is not done."""
        futures = [s.future for item in self.pending for s in item.sends if s.future is not None]
        if futures:
            await asyncio.wait(futures)
        if any(f.cancelled() or f.exception() is not None for f in futures):
            return False
        await self.settle()
        return not self.pending

    def oldest_age(self) -> float:
        """Seconds the oldest event in flight has waited (0 when none waits)."""
        return time.monotonic() - self.pending[0].added if self.pending else 0.0

    def drop_all(self) -> None:
        """On rebalance: forget what is in flight; unacknowledged events are read
        again from the committed offsets by whichever worker owns them now."""
        self.pending.clear()
