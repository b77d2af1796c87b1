"""``python -m stream run``: the whole pipeline on one machine, fed with sample pages.

Starts the local broker (unless Kafka already answers at the bootstrap address),
starts a worker process, publishes the project's sample pages, and prints the
entries and dead letters that come out, until interrupted (or ``--seconds``).
"""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
import time

from aiokafka.errors import KafkaConnectionError

from stream.ops.broker import BrokerError, LocalBroker
from stream.ops.processes import stop_gracefully
from stream.ops.tools import publish, tail
from stream.ops.topics import ensure_topics
from stream.settings import PROJECT_ROOT, Settings

SAMPLES = PROJECT_ROOT / "samples"


def _reachable(bootstrap: str) -> bool:
    host, _, port = bootstrap.split(",")[0].strip().rpartition(":")
    try:
        with socket.create_connection((host or "127.0.0.1", int(port)), timeout=1.0):
            return True
    except (OSError, ValueError):
        return False


def run(settings: Settings, seconds: float | None, feed_samples: bool) -> int:
    # SIGTERM (`kill`, a supervisor, `timeout`) stops like Ctrl-C: by default Python
    # dies at once and leaves the broker and worker it started running.
    signal.signal(signal.SIGTERM, _interrupt)
    broker = LocalBroker(settings)
    started_broker = False
    if not _reachable(settings.bootstrap_servers):
        if settings.bootstrap_servers != broker.bootstrap:
            print(
                f"stream run: Kafka does not answer at {settings.bootstrap_servers}; check "
                "LIVEBLOG_BOOTSTRAP_SERVERS",
                file=sys.stderr,
            )
            return 1
        try:
            broker.start()
        except BrokerError as exc:
            print(f"stream run: cannot start the local broker: {exc}", file=sys.stderr)
            return 1
        started_broker = True
    try:
        asyncio.run(ensure_topics(settings))
    except KafkaConnectionError:
        print(f"stream run: Kafka does not answer at {settings.bootstrap_servers}", file=sys.stderr)
        return 1
    log_path = settings.data_dir.parent / "worker.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log:
        worker = subprocess.Popen(
            [sys.executable, "-m", "stream", "worker"],
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    print(
        f"Worker started (pid {worker.pid}); its log is {log_path}, its status page "
        f"http://{settings.web_host}:{settings.web_port}/status",
        flush=True,
    )
    try:
        return asyncio.run(_feed_and_show(settings, worker, seconds, feed_samples))
    except KeyboardInterrupt:
        return 0
    finally:
        stop_gracefully(worker)
        print("Worker stopped", flush=True)
        if started_broker:
            broker.stop()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


async def _feed_and_show(
    settings: Settings, worker: subprocess.Popen, seconds: float | None, feed_samples: bool
) -> int:
    if feed_samples:
        count = await publish(settings, [str(SAMPLES)], progress=sys.stderr.isatty())
        print(
            f"Published {count} sample pages from {SAMPLES} to {settings.raw_topic}; "
            "entries and dead letters follow (Ctrl-C to stop).",
            flush=True,
        )
    deadline = None if seconds is None else time.monotonic() + seconds
    tails = [
        asyncio.create_task(tail(settings, deadletter=False)),
        asyncio.create_task(tail(settings, deadletter=True)),
    ]
    try:
        while deadline is None or time.monotonic() < deadline:
            if worker.poll() is not None:
                print(
                    f"stream run: the worker exited with code {worker.returncode}", file=sys.stderr
                )
                return 1
            await asyncio.sleep(0.5)
    finally:
        for task in tails:
            task.cancel()
        await asyncio.gather(*tails, return_exceptions=True)
    return 0
