"""SIGSTOP for 60 s under load, then SIGCONT: the group drops the frozen worker after
the session timeout; when it thaws it rejoins, and nothing is lost."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import pytest

from stream.settings import Settings
from tests.faults.test_stop import emitted, expected_entries, load
from tests.integration.conftest import make_worker, publish_values, wait_until_processed

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

PAUSE_S = 60.0


async def test_a_worker_frozen_for_a_minute_rejoins_and_loses_nothing(
    kafka: Settings, tmp_path: Path, fault_report
) -> None:
    worker = make_worker(kafka, tmp_path)
    messages = load(1500)
    await publish_values(worker.settings, messages)
    worker.start()
    try:
        deadline = time.monotonic() + 120
        while not await emitted(worker.settings):  # under way
            assert time.monotonic() < deadline, worker.log_tail()
            await asyncio.sleep(0.3)
        assert worker.process is not None
        worker.process.send_signal(signal.SIGSTOP)
        await asyncio.sleep(PAUSE_S)
        before = len(await emitted(worker.settings))
        worker.process.send_signal(signal.SIGCONT)
        thawed = time.monotonic()
        while len(await emitted(worker.settings)) <= before:
            assert time.monotonic() - thawed < 120, worker.log_tail()
            await asyncio.sleep(0.3)
        resumed = time.monotonic() - thawed
        await wait_until_processed(worker, timeout_s=240)
        assert worker.process.poll() is None, "the worker died after the pause"
    finally:
        worker.stop()
    records = await emitted(worker.settings)
    expected = expected_entries(messages)
    fault_report(
        "SIGSTOP 60 s under load, then SIGCONT",
        "at_least_once",
        records,
        expected,
        f"output again {resumed:.1f} s after SIGCONT",
    )
    assert set(records) == expected
