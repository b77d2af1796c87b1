"""Integration fixtures: a real Kafka broker (the project's local broker, started
once per test session on free ports) and real worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiokafka.admin import AIOKafkaAdminClient

from stream.ops.broker import LocalBroker
from stream.ops.processes import free_port_pair, stop_gracefully
from stream.ops.tools import consumer_lag, publish_values, read_to_end
from stream.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.kafka


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings pointing at a fresh single-node broker for this test session."""
    port = free_port_pair()
    settings = Settings(
        broker_port=port,
        broker_dir=tmp_path_factory.mktemp("kafka"),
        bootstrap_servers=f"127.0.0.1:{port}",
    )
    broker = LocalBroker(settings)
    broker.start(log=lambda *a: None)
    yield settings
    broker.stop(log=lambda *a: None)


@dataclass
class Worker:
    """A ``python -m stream worker`` process and the settings it runs with."""

    settings: Settings
    log_path: Path
    process: subprocess.Popen | None = None
    starts: int = 0
    env: dict[str, str] = field(default_factory=dict)

    def start(self) -> None:
        self.starts += 1
        log = open(self.log_path, "ab")  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "stream", "worker"],
            cwd=PROJECT_ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()

    def kill(self, sig: int = signal.SIGKILL) -> None:
        assert self.process is not None
        self.process.send_signal(sig)
        self.process.wait(timeout=60)

    def stop(self) -> None:
        if self.process is not None:
            stop_gracefully(self.process)

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])


def make_worker(kafka: Settings, tmp_path: Path, **overrides: object) -> Worker:
    suffix = uuid.uuid4().hex[:8]
    settings = Settings(
        bootstrap_servers=kafka.bootstrap_servers,
        app_id=f"liveblog-test-{suffix}",
        raw_topic=f"articles.raw.{suffix}",
        entries_topic=f"liveblog.entries.{suffix}",
        deadletter_topic=f"liveblog.deadletter.{suffix}",
        partitions=2,
        data_dir=tmp_path / f"worker-{suffix}",
        web_port=free_port_pair(),
        **overrides,
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    env.update(settings.environment())
    return Worker(settings, tmp_path / f"worker-{suffix}.log", env=env)


@pytest.fixture
def worker(kafka: Settings, tmp_path: Path) -> Iterator[Worker]:
    started = make_worker(kafka, tmp_path)
    started.start()
    yield started
    started.stop()


async def read_all(settings: Settings, topic: str) -> list:
    """Every record of ``topic`` so far, from the beginning."""
    return await read_to_end(settings, topic)


async def wait_until_processed(worker: Worker, timeout_s: float = 90.0) -> None:
    """Until the worker has committed everything on its input topics: the raw topic
    and its internal pages-by-story topic."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if worker.process is not None and worker.process.poll() is not None:
            raise AssertionError(
                f"worker exited ({worker.process.returncode}):\n{worker.log_tail()}"
            )
        try:
            if await _caught_up(worker.settings):
                return
        except Exception:  # the group or its coordinator is still being set up
            pass
        await asyncio.sleep(0.5)
    raise AssertionError(f"worker did not catch up within {timeout_s}s:\n{worker.log_tail()}")


async def caught_up(worker: Worker) -> bool:
    """Has the worker committed everything on its input topics?"""
    return await _caught_up(worker.settings)


async def delete_topic(settings: Settings, topic: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
    await admin.start()
    try:
        await admin.delete_topics([topic])
    finally:
        await admin.close()


async def _caught_up(settings: Settings) -> bool:
    """No lag on any partition of the worker's input topics (``stream lag``'s figures)."""
    rows = await consumer_lag(settings, settings.input_topics)
    internal = settings.pages_by_story_topic
    return any(topic == internal for topic, *_ in rows) and all(lag == 0 for *_, lag in rows)


__all__ = ["publish_values"]  # the tests publish with the project's own tool
