"""The fetcher's lean hand-off (stream.app.handoff): the same outcome as Faust's
``wait_first``, without tasks when the hand-off does not block."""

from __future__ import annotations

import asyncio
import warnings

import pytest
from mode import Service

from stream.app.handoff import lean_wait_first, use_lean_handoff


class Consumer(Service):
    """What the hand-off needs of Faust's consumer: ``wait_first`` and ``suspend_flow``."""

    def __init__(self) -> None:
        super().__init__()
        self.suspend_flow = asyncio.Event()
        self.original_calls = 0

    async def wait_first(self, *coros, timeout=None):
        self.original_calls += 1
        return await super().wait_first(*coros, timeout=timeout)


def run(coroutine):
    return asyncio.run(coroutine)


def test_a_handoff_that_does_not_block_completes_without_faust_wait_first():
    async def scenario():
        consumer = Consumer()
        use_lean_handoff(consumer)
        delivered = []

        async def on_message(message):
            delivered.append(message)
            return "queued"

        tasks_before = len(asyncio.all_tasks())
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # an alternative left unawaited would warn
            result = await consumer.wait_first(on_message("page"), consumer.suspend_flow.wait())
        return consumer, delivered, result, tasks_before, len(asyncio.all_tasks())

    consumer, delivered, result, tasks_before, tasks_after = run(scenario())
    assert delivered == ["page"]
    assert result.results == ["queued"] and not result.stopped
    assert consumer.original_calls == 0
    assert tasks_after == tasks_before


def test_a_handoff_that_blocks_goes_on_under_faust_wait_first():
    async def scenario():
        consumer = Consumer()
        use_lean_handoff(consumer)
        room = asyncio.Event()
        steps = []

        async def on_message(message):
            steps.append("started")
            await room.wait()  # the stream's buffer is full
            steps.append("queued")
            return message

        asyncio.get_running_loop().call_later(0.05, room.set)
        result = await consumer.wait_first(on_message("page"), consumer.suspend_flow.wait())
        return consumer, steps, result

    consumer, steps, result = run(scenario())
    assert steps == ["started", "queued"]  # started once, not run twice
    assert result.results == ["page"]
    assert consumer.original_calls == 1


def test_a_blocked_handoff_gives_way_when_the_flow_is_suspended():
    async def scenario():
        consumer = Consumer()
        use_lean_handoff(consumer)
        cleaned_up = []

        async def on_message(message):
            try:
                await asyncio.Event().wait()  # never room
            finally:
                cleaned_up.append(message)

        asyncio.get_running_loop().call_later(0.05, consumer.suspend_flow.set)
        result = await consumer.wait_first(on_message("page"), consumer.suspend_flow.wait())
        await asyncio.sleep(0)  # Faust cancels the loser; let it run its finally
        return result, cleaned_up

    result, cleaned_up = run(scenario())
    assert result.results == [True]  # the suspend_flow wait won
    assert cleaned_up == ["page"]  # the hand-off was cancelled, not left hanging


def test_an_exception_in_the_handoff_reaches_the_fetcher():
    async def scenario():
        consumer = Consumer()
        use_lean_handoff(consumer)

        async def on_message(message):
            raise ValueError("cannot decode")

        await consumer.wait_first(on_message("page"), consumer.suspend_flow.wait())

    with pytest.raises(ValueError, match="cannot decode"):
        run(scenario())


def test_while_the_flow_is_suspended_faust_wait_first_decides():
    async def scenario():
        consumer = Consumer()
        consumer.suspend_flow.set()
        wait_first = lean_wait_first(consumer.wait_first, consumer.suspend_flow)

        async def on_message(message):
            return message

        result = await wait_first(on_message("page"), consumer.suspend_flow.wait())
        return consumer, result

    consumer, result = run(scenario())
    assert consumer.original_calls == 1
    assert not result.stopped
