"""``python -m stream parse``: one JSON record per line, exit 0 even for dead letters."""

from __future__ import annotations

import subprocess
import sys

import orjson

from tests.conftest import ROOT, SAMPLES


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
