"""The worker on a real broker: entries, dead letters, state across scrapes and restarts."""

from __future__ import annotations

import base64
import io
import signal
from dataclasses import dataclass
from pathlib import Path

import orjson
import pytest
from aiokafka.partitioner import DefaultPartitioner

from stream.app.agents import DiffStories, OutputTopics, ParsePages
from stream.ops.tools import consumer_lag, publish, tail
from stream.settings import Settings
from tests.conftest import SAMPLES, SHARED_CORPUS
from tests.integration.conftest import (
    Worker,
    make_worker,
    publish_values,
    read_all,
    wait_until_processed,
)

pytestmark = pytest.mark.kafka


def sample(name: str) -> tuple[bytes, bytes]:
    value = (SAMPLES / name).read_bytes()
    return orjson.loads(value)["url"].encode(), value


async def entries_of(settings: Settings) -> list[dict]:
    return [orjson.loads(r.value) for r in await read_all(settings, settings.entries_topic)]


async def entries_by_position(settings: Settings) -> dict[tuple[int, int], dict]:
    """Entries by (partition, offset): the order of a read across partitions varies."""
    records = await read_all(settings, settings.entries_topic)
    return {(r.partition, r.offset): orjson.loads(r.value) for r in records}


async def dead_letters_of(settings: Settings) -> list:
    return await read_all(settings, settings.deadletter_topic)


async def test_a_page_yields_its_entries_and_spillover_and_nothing_when_repeated(
    worker: Worker,
) -> None:
    settings = worker.settings
    await publish_values(settings, [sample("spillover.msg")])
    await wait_until_processed(worker)
    entries = await entries_of(settings)
    assert [(e["posted_at"], e["revision"]) for e in entries] == [
        ("2025-03-08T13:30:00Z", 1),
        ("2025-03-08T14:05:00Z", 1),
    ]
    [letter] = await dead_letters_of(settings)
    value = orjson.loads(letter.value)
    assert value["reason"] == "spillover"
    assert value["text"].startswith("How to make the perfect sourdough")
    headers = dict(letter.headers)
    assert headers["liveblog.errors.reason"] == b"spillover"
    assert headers["liveblog.errors.topic"] == settings.raw_topic.encode()
    assert int(headers["liveblog.errors.offset"]) == value["source"]["offset"]

    await publish_values(settings, [sample("spillover.msg")])
    await wait_until_processed(worker)
    assert len(await entries_of(settings)) == 2  # nothing new
    assert len(await dead_letters_of(settings)) == 2  # the spillover is reported again


async def test_a_later_scrape_yields_only_new_and_edited_entries(worker: Worker) -> None:
    settings = worker.settings
    # published as a scraper would, with the publish tool
    assert await publish(settings, [str(SAMPLES / "rescrape-1.msg")], progress=False) == 1
    await wait_until_processed(worker)
    first_by_position = await entries_by_position(settings)
    first = list(first_by_position.values())
    assert [e["revision"] for e in first] == [1, 1]

    await publish(settings, [str(SAMPLES / "rescrape-2.msg")], progress=False)
    await wait_until_processed(worker)
    later = [
        entry
        for position, entry in (await entries_by_position(settings)).items()
        if position not in first_by_position
    ]
    assert sorted((e["posted_at"], e["revision"]) for e in later) == [
        ("2025-02-06T09:40:00Z", 2),
        ("2025-02-06T10:15:00Z", 1),
        ("2025-02-06T10:52:00Z", 1),
    ]
    edited = next(e for e in later if e["revision"] == 2)
    assert edited["entry_id"] == next(
        e["entry_id"] for e in first if e["posted_at"] == "2025-02-06T09:40:00Z"
    )
    assert all(e["story_id"] == first[0]["story_id"] for e in later)

    # what a downstream consumer and an operator see
    shown = io.StringIO()
    assert await tail(settings, deadletter=False, idle_timeout=2.0, out=shown) == 5
    assert shown.getvalue().count("ENTRY rev 1") == 4
    assert "ENTRY rev 2  2025-02-06T09:40:00Z" in shown.getvalue()
    rows = await consumer_lag(settings)
    assert rows and sum(lag for *_, lag in rows) == 0


async def test_a_story_keyed_both_ways_is_applied_on_one_partition_either_way(
    worker: Worker,
) -> None:
    # One scraper keys by the canonical URL (the page is applied where it is read),
    # another by a URL with a tracking parameter that Kafka puts on another partition
    # (the page takes the pages-by-story hop): the story's state is one all the same.
    settings = worker.settings
    names = ["rescrape-1.msg", "rescrape-2.msg", "rescrape-3.msg"]
    canonical = orjson.loads(sample(names[0])[1])["url"].encode()
    partitions = list(range(settings.partitions))
    home = DefaultPartitioner()(canonical, partitions, partitions)
    elsewhere = next(
        key
        for n in range(100)
        if DefaultPartitioner()(key := b"%s?utm_source=%d" % (canonical, n), partitions, partitions)
        != home
    )
    for key, name in zip((elsewhere, canonical, elsewhere), names, strict=True):
        await publish_values(settings, [(key, sample(name)[1])])
        await wait_until_processed(worker)

    records = await read_all(settings, settings.entries_topic)
    assert len({r.partition for r in records}) == 1  # keyed by story id, as ever
    forwarded = await read_all(settings, settings.pages_by_story_topic)
    assert [r.partition for r in forwarded] == [home, home]  # the two keyed elsewhere
    # the same records as the pure steps make of the three scrapes in order
    steps = ParsePages(OUTPUTS, settings.max_page_bytes, DiffStories(OUTPUTS, {}, {}))
    expected = [
        send.value
        for offset, name in enumerate(names)
        for send in steps(RawRecord(sample(name)[1], offset))
    ]
    assert sorted(strip_source(r.value) for r in records) == sorted(map(strip_source, expected))
    assert 2 in {orjson.loads(v)["revision"] for v in expected}  # an edit among them


@dataclass
class RawRecord:
    value: bytes
    offset: int
    topic: str = "raw"
    partition: int = 0
    key: bytes | None = None
    timestamp: float | None = None


OUTPUTS = OutputTopics("entries", "deadletters", "pages")


def strip_source(value: bytes) -> tuple:
    """An entry without where its raw page sat (the steps above read other offsets)."""
    entry = orjson.loads(value)
    return entry["entry_id"], entry["revision"], entry["body"], entry["headline"]


def bad_messages() -> list[Path]:
    paths = sorted(SAMPLES.glob("bad-*.msg"))
    if SHARED_CORPUS.is_dir():
        paths += sorted(SHARED_CORPUS.glob("bad-*.msg"))
    return paths


async def test_bad_messages_are_dead_lettered_with_original_bytes_and_the_worker_goes_on(
    worker: Worker,
) -> None:
    settings = worker.settings
    bad = [
        (f"{path.parent.name}/{path.name}".encode(), path.read_bytes()) for path in bad_messages()
    ]
    oversized = (b"oversized", b"{" + b" " * (settings.max_page_bytes + 1) + b"}")
    await publish_values(settings, [*bad, oversized, sample("pt-greve.msg")])
    await wait_until_processed(worker)

    letters = {r.key: r for r in await dead_letters_of(settings)}
    for key, value in [*bad, oversized]:
        assert key in letters, f"{key!r} was not dead-lettered"
        letter = orjson.loads(letters[key].value)
        if letter["reason"] != "not_a_liveblog" or letter["original"] is not None:
            assert base64.b64decode(letter["original"]) == value, key
        assert dict(letters[key].headers)["liveblog.errors.reason"] == letter["reason"].encode()
    assert orjson.loads(letters[b"oversized"].value)["reason"] == "oversized"
    # and the good page after them went through
    assert len(await entries_of(settings)) == 3


async def test_after_sigkill_the_tables_are_recovered_and_nothing_is_emitted_again(
    kafka: Settings,
    tmp_path: Path,
) -> None:
    worker = make_worker(kafka, tmp_path)
    worker.start()
    try:
        settings = worker.settings
        await publish_values(settings, [sample("rescrape-1.msg"), sample("it-maltempo.msg")])
        await wait_until_processed(worker)
        before_by_position = await entries_by_position(settings)
        before = list(before_by_position.values())
        assert len(before) == 5
        worker.kill(signal.SIGKILL)

        # A new data directory: the tables can only come back from their changelogs.
        restarted = make_worker(kafka, tmp_path)
        restarted.settings = settings
        restarted.env = {**worker.env, "LIVEBLOG_DATA_DIR": str(tmp_path / "fresh-state")}
        restarted.log_path = worker.log_path
        worker = restarted
        worker.start()
        await publish_values(settings, [sample("it-maltempo.msg"), sample("rescrape-3.msg")])
        await wait_until_processed(worker)
        after = [
            entry
            for position, entry in (await entries_by_position(settings)).items()
            if position not in before_by_position
        ]
        # the Italian page repeats unchanged: nothing; the rail story: 2 new, 1 edited
        # (a page read twice, as the killed member's partitions move over, repeats
        # the same records: at-least-once)
        assert sorted({(e["posted_at"], e["revision"]) for e in after}) == [
            ("2025-02-06T09:40:00Z", 2),
            ("2025-02-06T10:15:00Z", 1),
            ("2025-02-06T10:52:00Z", 1),
        ]
        emitted = {(e["entry_id"], e["revision"]) for e in before}
        assert not emitted & {(e["entry_id"], e["revision"]) for e in after}
    finally:
        worker.stop()
