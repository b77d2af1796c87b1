"""Stopping a worker under load: SIGTERM finishes within seconds, and a restarted
worker loses nothing of what the stopped one had not committed."""

from __future__ import annotations

import asyncio
import signal
import time
from pathlib import Path

import orjson
import pytest

from stream.core.process import process_message
from stream.settings import Settings
from tests.conftest import SAMPLES
from tests.faults.conftest import GUARANTEES, assert_delivered
from tests.integration.conftest import make_worker, publish_values, read_all, wait_until_processed

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

SIGTERM_EXIT_S = 10.0


def load(pages: int, first: int = 0) -> list[tuple[bytes, bytes]]:
    """``pages`` raw messages, each a sample page under its own story URL, numbered
    from ``first``."""
    names = ["it-maltempo.msg", "pt-greve.msg", "nl-verkiezingen.msg", "en-us-storm.msg"]
    bases = [orjson.loads((SAMPLES / name).read_bytes()) for name in names]
    messages = []
    for number in range(first, first + pages):
        envelope = dict(bases[number % len(bases)])
        envelope["url"] = f"https://faults.example/live/{number}"
        messages.append((envelope["url"].encode(), orjson.dumps(envelope)))
    return messages


def expected_entries(messages: list[tuple[bytes, bytes]]) -> set[tuple[str, int]]:
    found = set()
    for key, value in messages:
        found.update((e["entry_id"], 1) for e in process_message(value, key).entries)
    return found


async def loaded_worker(settings: Settings, tmp_path: Path, guarantee: str, pages: int):
    """A worker started on ``pages`` pages published before it: (worker, messages)."""
    worker = make_worker(settings, tmp_path, processing_guarantee=guarantee)
    messages = load(pages)
    await publish_values(worker.settings, messages)
    worker.start()
    return worker, messages


async def publish_more(worker, messages: list[tuple[bytes, bytes]], pages: int = 500) -> None:
    """Publish ``pages`` more pages of new stories and add them to ``messages``: work
    left for a worker after a fault however fast the machine got through the first."""
    more = load(pages, first=len(messages))
    await publish_values(worker.settings, more)
    messages += more


async def emitted_more_than(worker, count: int, timeout_s: float = 120.0) -> None:
    """Until the worker has emitted more than ``count`` entry records."""
    deadline = time.monotonic() + timeout_s
    while len(await emitted(worker.settings)) <= count:
        assert time.monotonic() < deadline, worker.log_tail()
        await asyncio.sleep(0.3)


async def emitted(settings: Settings) -> list[tuple[str, int]]:
    records = await read_all(settings, settings.entries_topic)
    return [(e["entry_id"], e["revision"]) for e in (orjson.loads(r.value) for r in records)]


@pytest.mark.parametrize("guarantee", GUARANTEES)
async def test_sigterm_under_load_exits_quickly_and_a_restart_loses_nothing(
    kafka: Settings, tmp_path: Path, guarantee: str, fault_report
) -> None:
    worker, messages = await loaded_worker(kafka, tmp_path, guarantee, 1500)
    try:
        records, took = await stop_under_load_then_restart(worker)
    finally:
        worker.stop()
    expected = expected_entries(messages)
    recovery = f"exits in {took:.1f} s"
    fault_report("SIGTERM under load, then restart", guarantee, records, expected, recovery)
    assert_delivered(guarantee, records, expected)


async def stop_under_load_then_restart(worker) -> tuple[list, float]:
    """SIGTERM once entries flow; then restart and wait: (entry records, seconds to exit)."""
    await emitted_more_than(worker, 0)  # under way
    stopping = time.monotonic()
    worker.process.send_signal(signal.SIGTERM)
    await asyncio.to_thread(worker.process.wait, 60)
    took = time.monotonic() - stopping
    print(f"SIGTERM after {len(await emitted(worker.settings))} entries: exit in {took:.1f}s")
    assert took <= SIGTERM_EXIT_S, f"SIGTERM took {took:.1f}s:\n{worker.log_tail()}"

    worker.start()
    await wait_until_processed(worker, timeout_s=180)
    return await emitted(worker.settings), took
