"""The worker's tables beneath Faust's table layer: a write stores the value in the
event's table partition and becomes a changelog record sent with the page's own
records; its delivery saves the changelog offset outside transactions only."""

from __future__ import annotations

import asyncio
import weakref
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import faust
import pytest
from faust.streams import _current_event
from faust.types import TP

from stream.app.agents import DiffStories, OutputTopics, drive
from stream.app.delivery import DeliveryTracker, InFlight
from stream.app.tables import CHANGELOG_KIND, ChangeloggedTable, ChangelogRecords
from tests.test_app_parts import pages

Metadata = namedtuple("Metadata", "offset")


class Event:
    def __init__(self, partition: int) -> None:
        self.message = SimpleNamespace(partition=partition)


def handling(partition: int) -> Event:
    """Make an event on ``partition`` the one being handled (as a Faust stream does);
    the caller keeps it alive (Faust holds it by weak reference)."""
    event = Event(partition)
    _current_event.set(weakref.ref(event))
    return event


def stories_table(store: str, tmp_path: Path):
    app = faust.App(
        "tables-test",
        store=f"{store}://",
        datadir=str(tmp_path),
        key_serializer="raw",
        value_serializer="raw",
    )
    return app.Table("stories", partitions=4, key_type=bytes, value_type=bytes)


@pytest.fixture(params=["memory", "rocksdb"])
def table(request: pytest.FixtureRequest, tmp_path: Path):
    return stories_table(request.param, tmp_path)


def test_a_write_is_stored_in_the_events_partition_and_yields_its_changelog_record(table):
    records = ChangelogRecords()
    stories = ChangeloggedTable(table, records, persist_offsets=True)
    event = handling(2)
    assert stories.get(b"story-1") is None
    stories[b"story-1"] = b'{"scrapes":1}'
    assert stories.get(b"story-1") == b'{"scrapes":1}'
    [record] = records.take()
    assert (record.topic, record.partition) == ("tables-test-stories-changelog", 2)
    assert (record.key, record.value, record.kind) == (b"story-1", b'{"scrapes":1}', CHANGELOG_KIND)
    assert records.take() == []  # taken once
    if not isinstance(table.data, faust.stores.memory.Store):  # one dict for all partitions
        other = handling(3)
        assert stories.get(b"story-1") is None  # partition 3's database does not hold it
        del other
    del event


@pytest.mark.parametrize("persist", [True, False])
async def test_the_changelog_offset_is_saved_once_delivered_only_outside_transactions(
    table, persist: bool
) -> None:
    records = ChangelogRecords()
    stories = ChangeloggedTable(table, records, persist_offsets=persist)
    event = handling(1)
    stories[b"story-1"] = b"v1"
    delivery: asyncio.Future = asyncio.get_running_loop().create_future()

    async def send(_record) -> asyncio.Future:
        return delivery

    acked: list[bool] = []
    tracker = DeliveryTracker("test", send, 10)
    await tracker.add(InFlight(SimpleNamespace(ack=lambda: acked.append(True)), records.take()))
    tp = TP("tables-test-stories-changelog", 1)
    assert table.data.persisted_offset(tp) is None  # not delivered yet
    delivery.set_result(Metadata(offset=41))
    await tracker.settle()
    assert acked == [True]
    saved = table.data.persisted_offset(tp)
    if isinstance(table.data, faust.stores.memory.Store):
        assert saved is None  # the memory store never keeps offsets
    else:
        assert saved == (41 if persist else None)
    del event


async def test_the_changelog_offset_is_saved_at_most_once_a_second_per_partition(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    table = stories_table("rocksdb", tmp_path)  # the memory store never keeps offsets
    clock = [100.0]
    monkeypatch.setattr("stream.app.tables.time.monotonic", lambda: clock[0])
    records = ChangelogRecords()
    stories = ChangeloggedTable(table, records, persist_offsets=True)
    event = handling(1)
    tp = TP("tables-test-stories-changelog", 1)
    for offset, now in ((10, 100.0), (11, 100.5), (12, 101.0), (13, 101.2)):
        clock[0] = now
        stories[b"story-1"] = b"v"
        [record] = records.take()
        record.delivered(Metadata(offset=offset))
    assert table.data.persisted_offset(tp) == 12  # 11 and 13 came within a second
    del event


class AckedEvent:
    def __init__(self, value: bytes, acked: list[bytes]) -> None:
        self.message = SimpleNamespace(
            topic="pages", partition=0, offset=0, key=None, value=value, timestamp=None
        )
        self.value, self.acked = value, acked

    def ack(self) -> bool:
        self.acked.append(self.value)
        return True


async def test_a_page_that_fails_after_its_writes_sends_their_changelog_with_its_letter(
    tmp_path: Path,
):
    records = ChangelogRecords()
    stories = ChangeloggedTable(stories_table("memory", tmp_path), records, True)
    blocks = ChangeloggedTable(stories_table("memory", tmp_path / "b"), records, True)

    def fail_after_the_writes(story: object) -> None:
        raise RuntimeError("a bug after the tables were written")

    diff = DiffStories(
        OutputTopics("entries", "deadletters", "pages"),
        stories,
        blocks,
        on_story=fail_after_the_writes,
        changelog=records.take,
    )
    sent, acked = [], []

    async def send(record):
        sent.append(record)
        future = asyncio.get_running_loop().create_future()
        future.set_result(Metadata(len(sent)))
        return future

    async def events():
        yield AckedEvent(pages("rescrape-1.msg"), acked)

    event = handling(0)
    tracker = DeliveryTracker("diff_stories", send, 10)
    await drive(events(), diff, tracker, "deadletters", "diff_stories", unsent=records.take)
    await tracker.settle()
    del event
    kinds = [record.kind for record in sent]
    # the story and its entry block, then the page's letter: nothing left behind
    assert kinds[:-1] == [CHANGELOG_KIND] * (len(kinds) - 1) and len(kinds) >= 3
    assert sent[-1].topic == "deadletters" and sent[-1].kind.startswith("deadletter:")
    assert records.take() == []
    assert len(acked) == 1
