"""What ops watch, on the real broker: /metrics, lag in offsets and seconds with its
status through a stopped worker, and /readyz through a broker outage."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from stream.ops.broker import LocalBroker
from stream.ops.processes import free_port_pair
from stream.settings import Settings
from tests.conftest import ROOT
from tests.faults.test_stop import load
from tests.integration.conftest import make_worker, publish_values, wait_until_processed

pytestmark = pytest.mark.kafka


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()
    except OSError:
        return 0, b""


def lag_json(settings: Settings) -> tuple[int, dict]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    env.update(
        LIVEBLOG_BOOTSTRAP_SERVERS=settings.bootstrap_servers,
        LIVEBLOG_APP_ID=settings.app_id,
        LIVEBLOG_RAW_TOPIC=settings.raw_topic,
    )
    result = subprocess.run(
        [sys.executable, "-m", "stream", "lag", "--json"],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env=env,
    )
    return result.returncode, json.loads(result.stdout)


async def until(check, timeout_s: float, what: str):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        found = await asyncio.to_thread(check)
        if found:
            return found
        await asyncio.sleep(0.5)
    raise AssertionError(f"not within {timeout_s}s: {what}")


async def test_metrics_and_lag_status_through_a_stopped_worker(kafka: Settings, tmp_path: Path):
    worker = make_worker(kafka, tmp_path)
    settings = worker.settings
    base = f"http://127.0.0.1:{settings.web_port}"
    await publish_values(settings, load(20))
    worker.start()
    try:
        await wait_until_processed(worker)
        _, body = await until(
            lambda: (lambda r: r if r[0] == 200 else None)(get(base + "/metrics")), 30, "metrics"
        )
        families = {f.name: f for f in text_string_to_metric_families(body.decode())}
        names = set(families)
        keys = {s.labels["table"]: s.value for s in families["liveblog_table_keys"].samples}
        assert keys["stories"] > 0 and keys["entry_blocks"] > 0, keys
        for name in (
            "kafka_consumergroup_lag",
            "kafka_consumergroup_group_lag_seconds",
            "kafka_consumergroup_group_max_lag_seconds",
            "liveblog_pages",
            "liveblog_entries",
            "liveblog_publish_to_entry_seconds",
        ):
            assert name in names, name
        code, before = lag_json(settings)
        assert code == 0 and before["status"] == "OK" and before["total_lag"] == 0

        worker.process.send_signal(signal.SIGSTOP)
        await publish_values(settings, load(40)[20:])
        await asyncio.sleep(3)
        code, stalled = lag_json(settings)
        assert stalled["total_lag"] > 0 and stalled["max_lag_seconds"] > 0
        # once the session times out the group has no members: STOPPED
        code, _ = await until(
            lambda: (lambda r: r if r[1]["status"] in ("STALLED", "STOPPED") else None)(
                lag_json(settings)
            ),
            40,
            "status STALLED or STOPPED",
        )
        assert code == 3

        worker.process.send_signal(signal.SIGCONT)
        await wait_until_processed(worker, timeout_s=90)
        code, after = lag_json(settings)
        assert code == 0 and after["status"] == "OK", after
    finally:
        with_cont = worker.process
        if with_cont is not None and with_cont.poll() is None:
            with_cont.send_signal(signal.SIGCONT)
        worker.stop()


async def test_readyz_fails_while_the_broker_is_away_and_recovers(tmp_path: Path) -> None:
    port = free_port_pair()
    own = Settings(
        broker_port=port, broker_dir=tmp_path / "kafka", bootstrap_servers=f"127.0.0.1:{port}"
    )
    broker = LocalBroker(own)
    # start() probes with asyncio.run: from a thread, not inside this test's loop
    await asyncio.to_thread(broker.start, lambda *a: None)
    worker = make_worker(own, tmp_path)
    ready = f"http://127.0.0.1:{worker.settings.web_port}/readyz"
    worker.start()
    try:
        await until(lambda: get(ready)[0] == 200, 90, "ready at start")
        await asyncio.to_thread(broker.stop, lambda *a: None)
        went = time.monotonic()
        await until(lambda: get(ready)[0] == 503, 20, "not ready without a broker")
        print(f"/readyz failed {time.monotonic() - went:.1f}s after the broker stopped")
        assert get(f"http://127.0.0.1:{worker.settings.web_port}/livez")[0] == 200
        await asyncio.to_thread(broker.start, lambda *a: None)
        await until(lambda: get(ready)[0] == 200, 90, "ready again")
    finally:
        worker.stop()
        broker.stop(log=lambda *a: None)
