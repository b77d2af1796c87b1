"""The broker is killed (kill -9) under load and restarted 5 s later: the worker
rides it out, resumes by itself, and nothing is lost.  The scenario has a broker of
its own, so that the other tests' broker stays up."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stream.ops.broker import LocalBroker
from stream.ops.processes import free_port_pair
from stream.settings import Settings
from tests.faults.conftest import GUARANTEES, assert_delivered
from tests.faults.test_stop import emitted, emitted_more_than, expected_entries, loaded_worker
from tests.integration.conftest import wait_until_processed

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

DOWN_S = 5.0


@pytest.fixture
def own_broker(tmp_path: Path) -> Iterator[LocalBroker]:
    port = free_port_pair()
    settings = Settings(
        broker_port=port, broker_dir=tmp_path / "kafka", bootstrap_servers=f"127.0.0.1:{port}"
    )
    broker = LocalBroker(settings)
    broker.start(log=lambda *a: None)
    yield broker
    broker.stop(log=lambda *a: None)


@pytest.mark.parametrize("guarantee", GUARANTEES)
async def test_the_broker_killed_and_restarted_under_load_loses_nothing(
    own_broker: LocalBroker, tmp_path: Path, guarantee: str, fault_report
) -> None:
    worker, messages = await loaded_worker(own_broker.settings, tmp_path, guarantee, 1500)
    try:
        await emitted_more_than(worker, 0)  # under way
        pid = own_broker.pid()
        assert pid is not None
        os.kill(pid, signal.SIGKILL)
        await asyncio.sleep(DOWN_S)
        before = len(await _emitted_when_up(worker.settings, own_broker))
        back = time.monotonic()
        while len(await emitted(worker.settings)) <= before:
            assert time.monotonic() - back < 180, worker.log_tail()
            assert worker.process is not None and worker.process.poll() is None, (
                "the worker exited while the broker was down:\n" + worker.log_tail()
            )
            await asyncio.sleep(0.5)
        resumed = time.monotonic() - back
        await wait_until_processed(worker, timeout_s=300)
    finally:
        worker.stop()
    records = await emitted(worker.settings)
    expected = expected_entries(messages)
    fault_report(
        f"broker kill -9, restarted {DOWN_S:.0f} s later, under load",
        guarantee,
        records,
        expected,
        f"output again {resumed:.1f} s after the broker restarted",
    )
    assert_delivered(guarantee, records, expected)


async def _emitted_when_up(settings: Settings, broker: LocalBroker) -> list:
    """Restart the broker (same data) and read what the worker had emitted by then."""
    await asyncio.to_thread(broker.start, lambda *a: None)
    return await emitted(settings)
