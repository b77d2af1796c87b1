"""SIGSTOP for 60 s under load, then SIGCONT: the group drops the frozen worker after
the session timeout; when it thaws it rejoins, and nothing is lost.

Under exactly_once the thawed worker once exited with code 1 (a table write reached
its transactional producer after the revoke's commit had ended the transactions:
"Can't send messages while not in transaction"); it must stay up under both
guarantees (table writes are now records of their page: ``stream.app.tables``).
"""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from stream.settings import Settings
from tests.faults.conftest import GUARANTEES, assert_delivered
from tests.faults.test_stop import (
    emitted,
    emitted_more_than,
    expected_entries,
    loaded_worker,
    publish_more,
)
from tests.integration.conftest import wait_until_processed

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

PAUSE_S = 60.0


@pytest.mark.parametrize("guarantee", GUARANTEES)
async def test_a_worker_frozen_for_a_minute_rejoins_and_loses_nothing(
    kafka: Settings, tmp_path: Path, guarantee: str, fault_report
) -> None:
    worker, messages = await loaded_worker(kafka, tmp_path, guarantee, 1500)
    try:
        await emitted_more_than(worker, 0)  # under way
        assert worker.process is not None
        worker.process.send_signal(signal.SIGSTOP)
        frozen = time.monotonic()
        # Work for the thawed worker whatever the machine's speed: a fast one can be
        # through the first 1,500 pages before it is frozen.
        await publish_more(worker, messages)
        await asyncio.sleep(PAUSE_S - (time.monotonic() - frozen))
        before = len(await emitted(worker.settings))
        worker.process.send_signal(signal.SIGCONT)
        thawed = time.monotonic()
        while len(await emitted(worker.settings)) <= before:
            assert time.monotonic() - thawed < 120, worker.log_tail()
            assert worker.process.poll() is None, "exited after the pause:\n" + worker.log_tail()
            await asyncio.sleep(0.3)
        resumed = time.monotonic() - thawed
        await wait_until_processed(worker, timeout_s=240)
    finally:
        worker.stop()
    records = await emitted(worker.settings)
    expected = expected_entries(messages)
    fault_report(
        "SIGSTOP 60 s under load, then SIGCONT",
        guarantee,
        records,
        expected,
        f"output again {resumed:.1f} s after SIGCONT",
    )
    assert_delivered(guarantee, records, expected)
