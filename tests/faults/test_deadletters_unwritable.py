"""The dead-letter topic unwritable under load, under both guarantees: the worker
keeps running, commits nothing past a dead letter it could not write, and once the
topic can be written again every entry and every dead letter comes out."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import orjson
import pytest

from stream.core.process import process_message
from stream.ops.topics import ensure_topics
from stream.settings import Settings
from tests.faults.conftest import GUARANTEES, assert_delivered
from tests.faults.test_stop import emitted, expected_entries, load
from tests.integration.conftest import (
    caught_up,
    delete_topic,
    make_worker,
    publish_values,
    read_all,
    wait_until_processed,
)

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

UNWRITABLE_S = 15.0
BAD_PAGES = 10


@pytest.mark.parametrize("guarantee", GUARANTEES)
async def test_an_unwritable_deadletter_topic_loses_nothing_once_it_is_back(
    kafka: Settings, tmp_path: Path, guarantee: str, fault_report
) -> None:
    worker = make_worker(kafka, tmp_path, processing_guarantee=guarantee, delivery_timeout_s=2.0)
    settings = worker.settings
    first, *goods = load(201)
    await publish_values(settings, [first])
    worker.start()
    try:
        await wait_until_processed(worker, timeout_s=120)
        await delete_topic(settings, settings.deadletter_topic)
        messages: list = []
        bad_keys = {f"bad-{number}".encode() for number in range(BAD_PAGES)}
        for number, key in enumerate(sorted(bad_keys)):
            messages += [*goods[number * 20 : number * 20 + 20], (key, b'{"text": 42}')]
        await publish_values(settings, messages)

        await asyncio.sleep(UNWRITABLE_S)  # delivery timeouts and retries meanwhile
        assert worker.process is not None and worker.process.poll() is None, worker.log_tail()
        assert not await caught_up(worker), "committed past a dead letter it could not write"
        assert "could not write" in worker.log_path.read_text(errors="replace")

        await ensure_topics(settings, [settings.deadletter_topic])
        restored = time.monotonic()
        await wait_until_processed(worker, timeout_s=180)
        recovery = time.monotonic() - restored
    finally:
        worker.stop()

    records = await emitted(settings)
    expected = expected_entries([first, *goods])
    # Each message's dead letters, as the core makes them (the bad pages' one each).
    expected_letters = {
        (key, letter["reason"])
        for key, value in [first, *messages]
        for letter in process_message(value, key).dead_letters
    }
    letters = [
        (r.key, orjson.loads(r.value)["reason"])
        for r in await read_all(settings, settings.deadletter_topic)
    ]
    scenario = f"dead-letter topic deleted for {UNWRITABLE_S:.0f} s under load"
    fault_report(f"{scenario}: entries", guarantee, records, expected, f"{recovery:.1f} s")
    fault_report(
        f"{scenario}: dead letters", guarantee, letters, expected_letters, f"{recovery:.1f} s"
    )
    assert_delivered(guarantee, records, expected)
    assert len(expected_letters) == BAD_PAGES
    assert_delivered(guarantee, letters, expected_letters)
