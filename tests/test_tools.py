"""How the tools show records to people, and what they publish."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from stream.core.process import process_message
from stream.ops.tools import ToolError, describe, key_for, page_files
from tests.conftest import SAMPLES


def test_an_entry_reads_as_one_headline_line_and_its_body() -> None:
    entry = process_message((SAMPLES / "pt-greve.msg").read_bytes()).entries[1]
    shown = describe("liveblog.entries", b"k", orjson.dumps(entry), [])
    assert shown.startswith("ENTRY rev 1  2025-03-12T08:55:00Z  Greve nos transportes")
    assert "| Governo convoca reunião de urgência  {breaking}" in shown
    assert "[+1 caption(s)]" in shown


def test_a_dead_letter_reads_with_its_reason_source_and_text() -> None:
    [letter] = process_message((SAMPLES / "spillover.msg").read_bytes()).dead_letters
    shown = describe("liveblog.deadletter", None, orjson.dumps(letter), [])
    assert shown.startswith("DEAD  spillover")
    assert "text: How to make the perfect sourdough" in shown


def test_publish_takes_files_and_folders_and_keys_pages_by_canonical_url() -> None:
    files = list(page_files([str(SAMPLES)]))
    assert SAMPLES / "it-maltempo.msg" in files
    value = (SAMPLES / "it-maltempo.msg").read_bytes()
    assert orjson.loads(value)["url"].endswith("?utm_source=feed")
    assert key_for(value, SAMPLES / "it-maltempo.msg") == (
        b"https://notizie.example.it/cronaca/maltempo-liguria-diretta"
    )
    tracked = orjson.dumps({"url": "http://WWW.Example.com/live/?utm_source=x#top", "text": "t"})
    assert key_for(tracked, SAMPLES / "x") == b"https://example.com/live"
    assert key_for(b"plain text page", SAMPLES / "x") is None
    with pytest.raises(ToolError, match="no such file"):
        list(page_files(["no/such/place"]))


def test_broker_stop_never_signals_a_process_that_is_not_its_broker(tmp_path) -> None:
    import os

    from stream.ops.broker import LocalBroker
    from stream.settings import Settings

    broker = LocalBroker(Settings(broker_dir=tmp_path, broker_port=1))
    broker.pid_file.write_text(f"{os.getpid()}\n")  # a stale pid file naming this test
    assert broker.pid() is None
    broker.stop(log=lambda *_: None)  # must not SIGTERM us
    assert not broker.pid_file.exists()


def test_two_brokers_starting_at_once_resolve_the_jar_cache_once(tmp_path, monkeypatch) -> None:
    import threading

    from stream.ops import broker
    from stream.settings import Settings

    # A stand-in for Maven that is slow and counts its runs: two clones starting their
    # brokers at once must not both write the shared cache, nor read it half-filled.
    runs = tmp_path / "runs"
    fake = tmp_path / "bin" / "mvn"
    fake.parent.mkdir()
    fake.write_text(
        "#!/bin/sh\n"
        f"echo run >> {runs}\n"
        "sleep 1\n"
        'for a in "$@"; do case "$a" in -DoutputDirectory=*) d="${a#*=}";; esac; done\n'
        'mkdir -p "$d" && touch "$d/kafka_2.13.jar"\n'
    )
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{fake.parent}:/usr/bin:/bin")
    monkeypatch.setattr(broker, "CACHE_ROOT", tmp_path / "cache")
    results: list[str] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(broker.resolve_classpath(Settings(), log=lambda *_: None))
        )
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(results) == 2 and results[0] == results[1]
    assert runs.read_text().count("run") == 1
    lib = Path(results[0].removesuffix("/*"))
    assert (lib / "kafka_2.13.jar").exists() and (lib / ".complete").exists()
