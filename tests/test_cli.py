"""``python -m stream parse``: one JSON record per line, exit 0 even for dead letters."""

from __future__ import annotations

import subprocess
import sys

import orjson

from tests.conftest import ROOT, SAMPLES, run_stream


def run(*args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [sys.executable, "-m", "stream", *args], cwd=ROOT, capture_output=True, timeout=60
    )


def test_parse_prints_topic_key_value_lines() -> None:
    result = run("parse", str(SAMPLES / "spillover.msg"), "--key", "https://news.example.en/x")
    assert result.returncode == 0, result.stderr
    records = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert [r["topic"] for r in records] == ["liveblog.entries"] * 2 + ["liveblog.deadletter"]
    assert records[0]["key"] == records[0]["value"]["story_id"]
    assert records[-1]["key"] == "https://news.example.en/x"
    assert records[-1]["value"]["reason"] == "spillover"


def test_parse_exits_zero_when_everything_is_dead_lettered() -> None:
    result = run("parse", str(SAMPLES / "bad-binary.msg"))
    assert result.returncode == 0
    [record] = [orjson.loads(line) for line in result.stdout.splitlines()]
    assert record["value"]["reason"] == "invalid_encoding"


def test_parse_of_a_missing_file_says_so() -> None:
    result = run("parse", "no/such/file.msg")
    assert result.returncode == 2
    assert b"cannot read" in result.stderr


def test_parse_explain_describes_the_page_instead_of_records() -> None:
    result = run("parse", "--explain", str(SAMPLES / "spillover.msg"))
    assert result.returncode == 0, result.stderr
    text = result.stdout.decode()
    assert "Chosen marker shape:" in text and "Spillover (dead letter):" in text


def test_a_bad_log_level_is_a_configuration_error_in_every_command() -> None:
    for command in (["lag"], ["tail"], ["publish", "samples"], ["worker"], ["parse", "x"]):
        result = run_stream(*command, LIVEBLOG_LOG_LEVEL="loud")
        assert result.returncode == 2, (command, result.stderr)
        assert b"LIVEBLOG_LOG_LEVEL='loud'" in result.stderr
        assert b"Traceback" not in result.stderr


def test_an_unreachable_broker_fails_the_same_way_in_every_tool() -> None:
    for command in (["lag"], ["tail", "--max", "1"], ["publish", "samples/pt-greve.msg"]):
        result = run_stream(*command, LIVEBLOG_BOOTSTRAP_SERVERS="127.0.0.1:9")
        assert result.returncode == 1, (command, result.stderr)
        assert b"cannot reach Kafka at 127.0.0.1:9" in result.stderr
        assert b"Traceback" not in result.stderr


def test_free_ports_are_below_the_range_the_kernel_gives_outgoing_connections() -> None:
    """A port from the ephemeral range can be taken by a client connection before the
    worker binds it; a worker then failed to start in a fault scenario."""
    from stream.ops.processes import _ephemeral_low, _is_free, free_ports

    for _ in range(20):
        port = free_ports(3)
        assert port + 2 < _ephemeral_low()
        assert all(_is_free(port + offset) for offset in range(3))
