"""The tables' changelog records on their way to the producer.

A table write is a dictionary assignment, which cannot await a send: Faust puts its
changelog record in the producer's buffer, and a task of the buffer hands the
records to the producer one by one.  Before a commit those handed over so far must
all be in the producer (under exactly_once, in the transaction being committed).
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING, Any

from faust.transport.producer import ProducerBuffer

if TYPE_CHECKING:
    import faust

#: How often a flush that waits checks that the buffer's task still runs.
FLUSH_CHECK_S = 0.1


class CommitFlushBuffer(ProducerBuffer):
    """Faust's buffer, whose flush (before each commit) returns once every record
    queued before it began has been handed to the producer.

    Faust's own flush drains until the buffer is empty, which under steady load it
    never is: each commit waited until the input ran dry, so committed offsets stood
    still for 10-18 s at a time (``bench/e2e.py`` saw every round stall) while the
    agents kept writing.  Records queued later belong to events after those being
    committed.  Faust's flush also gives up when no record goes out for 0.1 s (a send
    waiting for metadata, as after a long pause), and does not wait for the record
    being sent: under exactly_once such a record reached its producer after the
    commit had ended the transactions, and the worker crashed (``IllegalOperation:
    Can't send messages while not in transaction``, the SIGSTOP fault scenario).
    On stop the buffer is still drained whole.
    """

    #: Faust stops handing records to the streams while more than this many changelog
    #: records wait, and logs "producer buffer full" each time.  The buffer's task
    #: sends only when the agents yield, and an agent handles many pages between
    #: yields (2 to 4 table writes each), so Faust's 100 was passed about seven times
    #: a second in normal work.  1,000 records are a few MB at most.
    max_messages = 1000

    #: Records put in the buffer, and records handed to the producer, since it began.
    #: The buffer is a queue with one reader, so the first ``sent`` records put are
    #: exactly the ones handed over.
    queued: int = 0
    sent: int = 0

    def put(self, fut: Any) -> None:
        self.queued += 1
        super().put(fut)

    async def _send_pending(self, fut: Any) -> None:
        await super()._send_pending(fut)
        self.sent += 1

    async def flush(self) -> None:
        """Until every record queued so far is in the producer."""
        target = self.queued
        while self.sent < target:
            if self.state != "running":
                raise RuntimeError(
                    f"Cannot flush: Producer not Running ({target - self.sent} table "
                    "write(s) not handed over)"
                )
            self.message_sent.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.message_sent.wait(), FLUSH_CHECK_S)

    async def on_stop(self) -> None:
        await self.flush_atmost(None)


def use_commit_flush_buffer(app: faust.App) -> None:
    """Give the app's producer a ``CommitFlushBuffer`` (before the app starts)."""
    producer = app.producer
    buffer = CommitFlushBuffer(loop=producer.loop, beacon=producer.beacon)
    buffer.app = app
    producer.buffer = buffer
