"""A second worker joins under load, then the first is stopped: the partitions move
twice, and in the end every entry is there and nothing was invented."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from stream.settings import Settings
from tests.faults.conftest import GUARANTEES, assert_delivered
from tests.faults.test_stop import emitted, emitted_more_than, expected_entries, load
from tests.integration.conftest import make_worker, publish_values, wait_until_processed

pytestmark = [pytest.mark.kafka, pytest.mark.faults]


@pytest.mark.parametrize("guarantee", GUARANTEES)
async def test_a_second_worker_joins_then_the_first_stops_and_nothing_is_lost(
    kafka: Settings, tmp_path: Path, guarantee: str, fault_report
) -> None:
    first = make_worker(kafka, tmp_path, processing_guarantee=guarantee)
    messages = load(2000)
    await publish_values(first.settings, messages)
    first.start()
    second = make_worker(kafka, tmp_path)
    second.settings = first.settings
    second.env = {
        **first.env,
        "LIVEBLOG_DATA_DIR": str(tmp_path / "second"),
        "LIVEBLOG_WEB_PORT": str(first.settings.web_port + 7),
    }
    second.log_path = tmp_path / "second.log"
    try:
        await emitted_more_than(first, 0)  # under way
        second.start()  # joins mid-stream: a rebalance
        await asyncio.sleep(8)
        first.stop()  # leaves: another rebalance, the second takes everything
        await wait_until_processed(second, timeout_s=240)
    finally:
        first.stop()
        second.stop()
    got = await emitted(first.settings)
    expected = expected_entries(messages)
    fault_report(
        "a second worker joins under load, then the first stops",
        guarantee,
        got,
        expected,
        "no stall",
    )
    assert_delivered(guarantee, got, expected)
