"""The buffer of table writes (``stream.app.tablewrites``), without a broker: a
commit's flush returns once every changelog record queued before it is in the
producer, however slow a send is, and does not wait for records queued later."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from types import SimpleNamespace

import pytest
from faust.transport.producer import ProducerBuffer

from stream.app.tablewrites import CommitFlushBuffer


class SlowProducer:
    """What the buffer hands records to: each send takes ``delay`` seconds (a send
    waiting for metadata after a long pause takes about a second)."""

    def __init__(self, delay: float) -> None:
        self.delay, self.sent = delay, []

    def record(self, name: str) -> SimpleNamespace:
        async def publish_message(fut: object, wait: bool = False) -> None:
            await asyncio.sleep(self.delay)
            self.sent.append(name)

        channel = SimpleNamespace(publish_message=publish_message)
        return SimpleNamespace(message=SimpleNamespace(channel=channel))


@asynccontextmanager
async def running(buffer: ProducerBuffer) -> AsyncIterator[ProducerBuffer]:
    buffer.app = SimpleNamespace(conf=SimpleNamespace(producer_threaded=False))
    await buffer.start()
    try:
        yield buffer
    finally:
        await buffer.stop()


@pytest.mark.parametrize("delay", [0.0, 0.3])
async def test_a_flush_returns_once_every_record_queued_before_it_is_sent(delay: float) -> None:
    producer = SlowProducer(delay)
    async with running(CommitFlushBuffer()) as buffer:
        for name in ("a", "b", "c"):
            buffer.put(producer.record(name))
        await asyncio.wait_for(buffer.flush(), 5)
        assert producer.sent == ["a", "b", "c"]


async def test_a_flush_waits_for_the_record_being_sent() -> None:
    producer = SlowProducer(0.3)
    async with running(CommitFlushBuffer()) as buffer:
        buffer.put(producer.record("a"))
        await asyncio.sleep(0.05)  # the buffer's task has taken it: the queue is empty
        assert buffer.size == 0 and producer.sent == []
        await buffer.flush()
        assert producer.sent == ["a"]


async def test_a_flush_does_not_wait_for_records_queued_after_it_began() -> None:
    producer = SlowProducer(0.05)
    async with running(CommitFlushBuffer()) as buffer:
        buffer.put(producer.record("before"))
        flush = asyncio.ensure_future(buffer.flush())
        await asyncio.sleep(0)  # the flush begins
        for n in range(20):  # steady load: the queue is never empty while it flushes
            buffer.put(producer.record(f"after {n}"))
        await asyncio.wait_for(flush, 0.5)
        assert producer.sent[0] == "before" and len(producer.sent) < 21
        await buffer.flush()
        assert len(producer.sent) == 21


async def test_fausts_own_flush_gives_up_on_a_slow_send() -> None:
    """Why the buffer is replaced: if this fails, Faust's flush has become safe."""
    producer = SlowProducer(0.3)
    async with running(ProducerBuffer()) as buffer:
        buffer.put(producer.record("a"))
        await buffer.flush()
        assert producer.sent == []
