"""The worker's parts without a broker: the delivery rule, dead-letter records, and
the two steps run on plain records with dicts for tables."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import dataclass

import orjson
import pytest
from aiokafka.partitioner import DefaultPartitioner

from stream.app.agents import DiffStories, OutputTopics, ParsePages, drive
from stream.app.deadletters import SourceRecord, deadletter_headers, shell_failure_send
from stream.app.delivery import DeliveryTracker, InFlight, Send
from stream.app.routing import default_partitioner, story_partition
from stream.core.process import process_message
from stream.ops.tools import key_for
from stream.state.blocks import decode_block
from tests.conftest import SAMPLES

TOPICS = OutputTopics("entries", "deadletters", "pages")


@dataclass
class Record:
    value: bytes | None
    offset: int = 0
    topic: str = "raw"
    partition: int = 0
    key: bytes | None = None
    timestamp: float | None = 1_738_836_000.0


class Event:
    def __init__(self, name: str, acked: list[str], value: bytes | None = b"") -> None:
        self.name, self.acked = name, acked
        self.message = Record(value)
        self.value = value

    def ack(self) -> bool:
        self.acked.append(self.name)
        return True


class Broker:
    """A sender whose deliveries the test completes (or fails) by hand."""

    def __init__(self) -> None:
        self.futures: list[tuple[Send, asyncio.Future]] = []
        self.refuse_next = 0

    async def send(self, record: Send) -> asyncio.Future:
        if self.refuse_next:
            self.refuse_next -= 1
            raise RuntimeError("unknown topic")
        future = asyncio.get_running_loop().create_future()
        self.futures.append((record, future))
        return future

    def deliver_all(self) -> None:
        for _, future in self.futures:
            if not future.done():
                future.set_result(None)


def tracker(broker: Broker, max_in_flight: int = 100) -> DeliveryTracker:
    return DeliveryTracker("test", broker.send, max_in_flight, first_retry_delay_s=0.001)


async def test_events_are_acked_in_order_and_only_after_delivery() -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker)
    for name in ("a", "b"):
        await deliveries.add(InFlight(Event(name, acked), [Send("t", None, name.encode())]))
    broker.futures[1][1].set_result(None)  # b is delivered first
    await deliveries.settle()
    assert acked == []  # a still in flight: b must wait
    broker.futures[0][1].set_result(None)
    await deliveries.settle()
    assert acked == ["a", "b"]


async def test_a_failed_send_is_retried_and_holds_the_offset() -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker)
    await deliveries.add(InFlight(Event("a", acked), [Send("t", None, b"x")]))
    broker.futures[0][1].set_exception(RuntimeError("broker said no"))
    settling = asyncio.create_task(deliveries.settle(block=True))
    while len(broker.futures) < 2:  # the retry
        await asyncio.sleep(0.001)
    assert acked == []
    broker.futures[1][1].set_result(None)
    await settling
    assert acked == ["a"]


async def test_a_send_refused_before_queueing_is_retried() -> None:
    broker, acked = Broker(), []
    broker.refuse_next = 1
    deliveries = tracker(broker)
    await deliveries.add(InFlight(Event("a", acked), [Send("t", None, b"x")]))
    settling = asyncio.create_task(deliveries.settle(block=True))
    while not broker.futures:
        await asyncio.sleep(0.001)
    broker.deliver_all()
    await settling
    assert acked == ["a"]


async def test_a_full_window_waits_for_the_oldest_delivery() -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker, max_in_flight=1)
    adding = asyncio.create_task(
        deliveries.add(InFlight(Event("a", acked), [Send("t", None, b"x")]))
    )
    await asyncio.sleep(0.01)
    assert not adding.done()  # back-pressure: the stream stops reading
    broker.deliver_all()
    await adding
    assert acked == ["a"]


async def test_a_rebalance_drops_what_is_in_flight_unacked() -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker)
    await deliveries.add(InFlight(Event("a", acked), [Send("t", None, b"x")]))
    deliveries.drop_all()
    broker.deliver_all()
    await deliveries.settle()
    assert acked == [] and not deliveries.pending


def test_deadletter_headers_name_the_source_and_the_cause() -> None:
    source = SourceRecord("articles.raw", 3, 42, b"k")
    headers = dict(deadletter_headers(source, "not_a_liveblog", "no markers", None, "parse_pages"))
    assert headers["liveblog.errors.offset"] == b"42"
    assert headers["liveblog.errors.partition"] == b"3"
    assert headers["liveblog.errors.exception.class.name"] == b"liveblog.NotALiveblog"
    assert headers["liveblog.errors.exception.message"] == b"no markers"


def test_a_shell_failure_becomes_a_processing_error_letter_with_the_original() -> None:
    source = SourceRecord("articles.raw", 0, 7, b"k")
    send = shell_failure_send("dl", source, b"raw bytes", KeyError("x"), "diff_stories")
    letter = orjson.loads(send.value)
    assert send.topic == "dl" and send.key == b"k"
    assert letter["reason"] == "processing_error" and letter["source"]["offset"] == 7
    assert dict(send.headers)["liveblog.errors.exception.class.name"] == b"builtins.KeyError"


def test_parse_step_sends_dead_letters_and_the_page_keyed_by_story() -> None:
    sends = ParsePages(TOPICS, 1 << 20)(Record((SAMPLES / "spillover.msg").read_bytes()))
    assert [s.topic for s in sends] == ["deadletters", "pages"]
    page = orjson.loads(sends[1].value)
    assert sends[1].key == page["story_id"].encode() and page["entries"]
    assert orjson.loads(sends[0].value)["reason"] == "spillover"


_RAW_OFFSETS = itertools.count()


def pages(name: str) -> bytes:
    """The pages-by-story record of a sample page published once more (a raw record
    of its own, at the next raw offset)."""
    raw = Record((SAMPLES / name).read_bytes(), offset=next(_RAW_OFFSETS))
    return ParsePages(TOPICS, 1 << 20)(raw)[-1].value


def test_diff_step_emits_new_and_edited_entries_and_writes_the_tables() -> None:
    stories, entries = {}, {}
    diff = DiffStories(TOPICS, stories, entries)
    first = diff(Record(pages("rescrape-1.msg"), offset=0))
    second = diff(Record(pages("rescrape-2.msg"), offset=1))
    again = diff(Record(pages("rescrape-2.msg"), offset=2))
    revisions = [orjson.loads(s.value)["revision"] for s in second]
    assert len(first) == 2 and sorted(revisions) == [1, 1, 2] and again == []
    states = {k: v for block in entries.values() for k, v in decode_block(block).items()}
    assert len(stories) == 1 and len(states) == 4
    hours = {
        e["posted_at"][:13]
        for p in ("rescrape-1.msg", "rescrape-2.msg")
        for e in orjson.loads(pages(p))["entries"]
    }
    assert len(entries) == len(hours)  # one record per story and hour, not per entry


def _on(partition: int, name: str, offset: int = 0) -> Record:
    return Record((SAMPLES / name).read_bytes(), offset=offset, partition=partition)


def _home(name: str, partitions: int = 4) -> int:
    outcome = process_message((SAMPLES / name).read_bytes())
    return story_partition(outcome.story["url"], outcome.story_id, partitions)


def test_a_page_on_its_storys_partition_is_applied_where_it_is_read() -> None:
    stories, blocks = {}, {}
    diff = DiffStories(TOPICS, stories, blocks)
    parse = ParsePages(TOPICS, 1 << 20, diff=diff, partitions=4)
    home = _home("rescrape-1.msg")
    first = parse(_on(home, "rescrape-1.msg", offset=0))
    second = parse(_on(home, "rescrape-2.msg", offset=1))
    assert {s.topic for s in first + second} == {"entries"}  # no hop
    assert sorted(orjson.loads(s.value)["revision"] for s in second) == [1, 1, 2]
    assert len(stories) == 1 and blocks
    # read again after a crash: the same records, as from the hop
    assert [s.value for s in parse(_on(home, "rescrape-2.msg", offset=1))] == [
        s.value for s in second
    ]


def test_a_page_elsewhere_is_sent_on_to_its_storys_partition() -> None:
    diff = DiffStories(TOPICS, {}, {})
    parse = ParsePages(TOPICS, 1 << 20, diff=diff, partitions=4)
    home = _home("rescrape-1.msg")
    [forwarded] = parse(_on((home + 1) % 4, "rescrape-1.msg"))
    assert (forwarded.topic, forwarded.partition) == ("pages", home)
    # and every page takes the hop when the raw topic is partitioned otherwise
    [hop] = ParsePages(TOPICS, 1 << 20, diff=None, partitions=4)(_on(home, "rescrape-1.msg"))
    assert (hop.topic, hop.partition) == ("pages", home)


def test_the_publish_tool_keys_a_page_onto_its_storys_partition() -> None:
    # Kafka's default partitioner (aiokafka's, the Java client's) puts a page keyed as
    # `stream publish` keys it on the partition where its story's state is.
    for path in sorted(SAMPLES.glob("*.msg")):
        value = path.read_bytes()
        outcome = process_message(value)
        if outcome.story_id is None or not outcome.story["url"]:
            continue
        key = key_for(value, path)
        for partitions in (1, 4, 12):
            kafka = DefaultPartitioner()(key, list(range(partitions)), list(range(partitions)))
            assert kafka == story_partition(outcome.story["url"], outcome.story_id, partitions)


def test_the_workers_partitioner_puts_records_where_kafkas_default_would() -> None:
    # Consumers of the entries topic rely on the key's partition (all of a story's
    # entries in order on one partition), as Kafka's default partitioner gives it.
    keys = [f"story-{n}".encode() for n in range(300)] + [b"", "é".encode()]
    for partitions in (1, 3, 4, 12):
        every = list(range(partitions))
        for key in keys * 2:  # the second time from the remembered partition
            expected = DefaultPartitioner()(key, every, every)
            assert default_partitioner(key, every, every) == expected
    assert default_partitioner(None, [0, 1, 2], [2]) == 2  # no key: an available one


def test_diff_step_replays_a_redelivered_page() -> None:
    page = pages("rescrape-1.msg")
    for by_raw_position in (False, True):
        diff = DiffStories(TOPICS, {}, {}, by_raw_position=by_raw_position)
        first = diff(Record(page, offset=0))
        assert [s.value for s in diff(Record(page, offset=0))] == [s.value for s in first]
        # The parse stage sent the same raw page again, at a new offset.  Under
        # exactly_once (by raw position) the first copy may have been aborted: repeat
        # its entries.  Under at-least-once the first copy is read again itself.
        again = [s.value for s in diff(Record(page, offset=7))]
        assert again == ([s.value for s in first] if by_raw_position else [])


async def test_a_step_that_raises_becomes_a_dead_letter_and_the_stream_goes_on() -> None:
    broker, acked = Broker(), []

    async def events():
        yield Event("bad", acked, value=b"{not json")
        yield Event("good", acked, value=pages("rescrape-1.msg"))

    deliveries = tracker(broker)
    await drive(events(), DiffStories(TOPICS, {}, {}), deliveries, "dl", "diff_stories")
    broker.deliver_all()
    await deliveries.settle()
    assert [s.topic for s, _ in broker.futures] == ["dl", "entries", "entries"]
    assert acked == ["bad", "good"]


@pytest.mark.parametrize("name", ["parse_pages", "diff_stories"])
def test_faust_names_the_agents_after_their_module(name: str) -> None:
    from stream.app.app import create_app
    from stream.settings import Settings

    app = create_app(Settings(store="memory"))
    assert "create_app" not in app.agents[name].label
