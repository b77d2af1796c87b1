"""The people-facing tools on the real broker fail clearly: no hangs, no tracebacks."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid

import orjson
import pytest

from stream.settings import Settings
from tests.conftest import ROOT, SAMPLES, run_stream
from tests.integration.conftest import publish_values

pytestmark = pytest.mark.kafka


def stream(kafka: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return run_stream(*args, LIVEBLOG_BOOTSTRAP_SERVERS=kafka.bootstrap_servers, **env)


def test_tail_on_a_topic_that_does_not_exist_says_so_at_once(kafka: Settings) -> None:
    started = time.monotonic()
    result = stream(kafka, "tail", LIVEBLOG_ENTRIES_TOPIC=f"no.such.topic.{uuid.uuid4().hex}")
    assert result.returncode == 1
    assert b"does not exist" in result.stderr and b"Traceback" not in result.stderr
    assert time.monotonic() - started < 20


def entry_values(count: int) -> list[tuple[bytes | None, bytes]]:
    value = orjson.loads((SAMPLES / "pt-greve.msg").read_bytes())
    return [(None, orjson.dumps({**value, "n": n})) for n in range(count)]


async def test_tail_max_prints_exactly_that_many_and_a_closed_pipe_is_quiet(
    kafka: Settings,
) -> None:
    topic = f"tail.test.{uuid.uuid4().hex}"
    settings = Settings(bootstrap_servers=kafka.bootstrap_servers, raw_topic=topic)
    await publish_values(settings, entry_values(30))
    result = stream(kafka, "tail", "--json", "--max", "7", LIVEBLOG_ENTRIES_TOPIC=topic)
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 7

    piped = subprocess.run(
        f"{sys.executable} -m stream tail --json --idle-timeout 3 | head -n 2",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")},
            "LIVEBLOG_BOOTSTRAP_SERVERS": kafka.bootstrap_servers,
            "LIVEBLOG_ENTRIES_TOPIC": topic,
        },
    )
    assert len(piped.stdout.splitlines()) == 2
    assert b"Traceback" not in piped.stderr and b"BrokenPipe" not in piped.stderr


def test_lag_of_a_group_with_no_offsets_shows_the_backlog_without_a_traceback(
    kafka: Settings,
) -> None:
    app_id = f"nobody-{uuid.uuid4().hex[:8]}"
    result = stream(kafka, "lag", LIVEBLOG_APP_ID=app_id)
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
