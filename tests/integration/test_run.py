"""`python -m stream run` (the README's first command) cleans up after itself when it
is stopped with SIGTERM (`kill`, a supervisor, `timeout`), as with Ctrl-C: before, it
died at once and left its broker and worker running."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stream.ops.broker import LocalBroker
from stream.ops.processes import free_port_pair
from stream.settings import PROJECT_ROOT, Settings

pytestmark = pytest.mark.kafka


def test_sigterm_stops_the_broker_and_the_worker_that_run_started(tmp_path: Path) -> None:
    port = free_port_pair()
    settings = Settings(
        broker_port=port,
        bootstrap_servers=f"127.0.0.1:{port}",
        broker_dir=tmp_path / "kafka",
        data_dir=tmp_path / "worker",
        web_port=free_port_pair(),
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    env.update(settings.environment())
    log_path = tmp_path / "run.log"
    with open(log_path, "wb") as log:
        run = subprocess.Popen(
            [sys.executable, "-m", "stream", "run", "--seconds", "300"],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 120
        while "Published" not in log_path.read_text(errors="replace"):
            assert run.poll() is None and time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.5)
        run.send_signal(signal.SIGTERM)
        assert run.wait(timeout=60) == 0, log_path.read_text()
        output = log_path.read_text()
        assert "Worker stopped" in output and "Broker stopped" in output, output
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "the broker still answers"
    finally:
        if run.poll() is None:
            run.kill()
        LocalBroker(settings).stop(log=lambda *a: None)  # if it was left running
