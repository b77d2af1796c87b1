"""Input partitions are resumed only once seeked to their committed offsets
(``stream.app.recovery``): resumed first, Faust handed the agents records fetched
before the seek, then acknowledged records never handled (lost entries) or held a
partition's commits back for good (a stalled worker)."""

from __future__ import annotations

import asyncio
import inspect
from collections import namedtuple

import pytest

from stream.app.recovery import fetch_what_is_active_when_asked, hold_resume_until_seeked

TP = namedtuple("TP", "topic partition")
RAW, CHANGELOG = TP("articles.raw", 0), TP("app-stories-changelog", 0)


class Consumer:
    """The two methods of Faust's consumer the fix wraps, recording their calls."""

    def __init__(self, seek_fails: bool = False, seek_blocks: bool = False) -> None:
        self.calls: list[tuple[str, set]] = []
        self.seek_fails, self.seek_blocks = seek_fails, seek_blocks
        self.seeking = asyncio.Event()
        self.assigned = {RAW, CHANGELOG}

    def assignment(self) -> set:
        return set(self.assigned)

    def resume_partitions(self, partitions: set) -> None:
        self.calls.append(("resume", set(partitions)))

    async def perform_seek(self) -> None:
        self.calls.append(("seek", set()))
        self.seeking.set()
        if self.seek_blocks:
            await asyncio.Event().wait()
        if self.seek_fails:
            raise TimeoutError("seek timed out")


def wrapped(consumer: Consumer, **options: object) -> Consumer:
    consumer.held = hold_resume_until_seeked(
        consumer, lambda tp: tp.topic.endswith("-changelog"), **options
    )
    return consumer


async def test_input_partitions_resume_only_after_the_seek() -> None:
    consumer = wrapped(Consumer())
    consumer.resume_partitions({RAW})  # what Faust does first at the end of a restore
    assert consumer.calls == []  # held: nothing may be fetched before the seek
    await consumer.perform_seek()
    assert consumer.calls == [("seek", set()), ("resume", {RAW})]


async def test_changelog_partitions_resume_at_once_for_the_restore() -> None:
    consumer = wrapped(Consumer())
    consumer.resume_partitions({CHANGELOG, RAW})
    assert consumer.calls == [("resume", {CHANGELOG})]


async def test_a_failed_seek_leaves_the_input_partitions_paused() -> None:
    consumer = wrapped(Consumer(seek_fails=True))
    consumer.resume_partitions({RAW})
    with pytest.raises(TimeoutError):
        await consumer.perform_seek()
    assert ("resume", {RAW}) not in consumer.calls  # resumed unseeked is the bug
    consumer.seek_fails = False
    consumer.resume_partitions({RAW})  # the next restore's end
    await consumer.perform_seek()
    assert consumer.calls[-1] == ("resume", {RAW})


async def test_a_seek_cancelled_midway_leaves_them_for_the_next_seek() -> None:
    """Faust also seeks from its fetch loop when the flow is stopped, and may cancel
    that loop: the partitions must not be forgotten, or they are never fetched."""
    consumer = wrapped(Consumer(seek_blocks=True))
    consumer.resume_partitions({RAW})
    seeking = asyncio.create_task(consumer.perform_seek())
    await consumer.seeking.wait()
    seeking.cancel()
    with pytest.raises(asyncio.CancelledError):
        await seeking
    assert ("resume", {RAW}) not in consumer.calls
    consumer.seek_blocks = False
    await consumer.perform_seek()
    assert consumer.calls[-1] == ("resume", {RAW})


async def test_a_partition_revoked_while_held_is_not_resumed() -> None:
    consumer = wrapped(Consumer())
    consumer.resume_partitions({RAW})
    consumer.assigned = {CHANGELOG}  # a rebalance gave RAW to another worker
    await consumer.perform_seek()
    assert consumer.calls == [("seek", set())]


async def test_partitions_held_too_long_are_seeked_and_resumed(caplog) -> None:
    """A seek Faust lost (cancelled by a rebalance that then found nothing to
    restore, or timed out) would leave its partitions unread for good."""
    rebalancing = [False]
    consumer = wrapped(Consumer(seek_blocks=True), is_rebalancing=lambda: rebalancing[0])
    consumer.held.held_too_long_s = 0.05
    consumer.resume_partitions({RAW})
    seeking = asyncio.create_task(consumer.perform_seek())
    await consumer.seeking.wait()
    seeking.cancel()  # the seek that was to resume them
    assert not await consumer.held.seek_if_held_too_long()  # not yet too long
    await asyncio.sleep(0.06)
    rebalancing[0] = True
    assert not await consumer.held.seek_if_held_too_long()  # a rebalance will seek
    rebalancing[0] = False
    consumer.seek_blocks = False
    assert await consumer.held.seek_if_held_too_long()
    assert consumer.calls[-1] == ("resume", {RAW})
    assert "held for" in caplog.text
    assert not await consumer.held.seek_if_held_too_long()  # nothing held any more


class Fetcher:
    """Faust's consumer as ``fetch_what_is_active_when_asked`` sees it: ``_getmany``
    hands the set on to aiokafka, which reads an empty one as every partition."""

    def __init__(self) -> None:
        self.asked: list[set] = []

    async def _getmany(self, active_partitions: set, timeout: float) -> dict:
        self.asked.append(active_partitions)
        await asyncio.sleep(0)  # the fetch waits; meanwhile Faust pauses partitions
        return {tp: ["record"] for tp in (active_partitions or {RAW, CHANGELOG})}


async def test_a_fetch_asks_for_the_partitions_active_when_it_started() -> None:
    fetcher = Fetcher()
    fetch_what_is_active_when_asked(fetcher)
    active = {CHANGELOG}
    fetching = asyncio.create_task(fetcher._getmany(active, 1.0))
    await asyncio.sleep(0)
    active.discard(CHANGELOG)  # the restore ends while the fetch waits
    assert await fetching == {CHANGELOG: ["record"]}  # not the held input records


async def test_no_fetch_while_no_partition_is_active() -> None:
    fetcher = Fetcher()
    fetch_what_is_active_when_asked(fetcher)
    assert await fetcher._getmany(set(), 0.01) == {}
    assert fetcher.asked == []


def test_faust_still_resumes_before_it_seeks_where_the_fix_expects_it() -> None:
    """The fix wraps ``Consumer.resume_partitions`` and ``Consumer.perform_seek`` for
    the two places a restore ends.  If Faust changes them, look again."""
    from faust.tables.recovery import Recovery
    from faust.transport.consumer import Consumer as FaustConsumer

    assert callable(FaustConsumer.resume_partitions) and callable(FaustConsumer.perform_seek)
    assert "active_partitions=active_partitions" in inspect.getsource(FaustConsumer)
    for method in (Recovery._resume_streams, Recovery.on_recovery_completed):
        source = inspect.getsource(method)
        assert source.index("consumer.resume_partitions(") < source.index(
            "consumer.perform_seek()"
        ), method.__name__
