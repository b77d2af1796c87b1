"""kill -9 under load, three times: after each restart processing resumes within
15 s, and in the end nothing is lost (nor repeated, under exactly_once)."""

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

# After the session timeout (10 s) the group rebalances; under exactly_once the new
# worker also restores its tables from the changelogs (``stream.app.transactions``).
RESUME_WITHIN_S = 15.0


@pytest.mark.parametrize("guarantee", GUARANTEES)
async def test_kill_9_three_times_under_load_resumes_quickly_and_loses_nothing(
    kafka: Settings, tmp_path: Path, guarantee: str, fault_report
) -> None:
    worker, messages = await loaded_worker(kafka, tmp_path, guarantee, 5000)
    resumed_after = []
    try:
        for _ in range(3):
            seen = len(await emitted(worker.settings))
            await emitted_more_than(worker, seen)  # under way
            worker.kill(signal.SIGKILL)
            before = len(await emitted(worker.settings))
            # Pages published while it is down, so that the restarted worker has work
            # to resume (a fast machine once finished the first 5,000 before the third
            # kill, and the restart had nothing to emit).
            await publish_more(worker, messages)
            worker.start()
            restarted = time.monotonic()
            while len(await emitted(worker.settings)) <= before:
                assert time.monotonic() - restarted < 120, worker.log_tail()
                await asyncio.sleep(0.3)
            resumed_after.append(time.monotonic() - restarted)
        await wait_until_processed(worker, timeout_s=300)
    finally:
        worker.stop()
    expected = expected_entries(messages)
    print(f"kill -9 x3: resumed after {', '.join(f'{s:.1f}s' for s in resumed_after)}")
    records = await emitted(worker.settings)
    recovery = f"resumes {min(resumed_after):.1f}-{max(resumed_after):.1f} s after each restart"
    fault_report("kill -9 three times under load", guarantee, records, expected, recovery)
    assert max(resumed_after) <= RESUME_WITHIN_S, resumed_after
    assert_delivered(guarantee, records, expected)
