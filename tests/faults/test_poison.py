"""Poison messages between good pages, under both guarantees: each becomes a dead
letter with its reason and original bytes, the good pages all come through, and the
worker never stops."""

from __future__ import annotations

import base64
from pathlib import Path

import orjson
import pytest

from stream.settings import Settings
from tests.faults.conftest import GUARANTEES, assert_delivered
from tests.faults.test_stop import emitted, expected_entries, load
from tests.integration.conftest import (
    make_worker,
    publish_values,
    read_all,
    wait_until_processed,
)

pytestmark = [pytest.mark.kafka, pytest.mark.faults]

PAGE = orjson.loads(load(1)[0][1])


def poison(max_page_bytes: int) -> dict[bytes, tuple[bytes | None, str]]:
    """key -> (value, the dead letter's reason)."""
    deep = b'{"text": "x", "deep": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    return {
        b"oversized": (b"{" + b" " * (max_page_bytes + 1) + b"}", "oversized"),
        b"invalid-utf8": (b'{"text": "caf\xe9 \xff\xfe au lait"}', "invalid_encoding"),
        b"lone-surrogate": (b'{"text": "21:10 \\ud800 alone"}', "invalid_json"),
        b"deep-nesting": (deep, "invalid_json"),
        b"json-array": (b'[{"text": "21:10 Body"}]', "invalid_envelope"),
        b"null-text": (b'{"text": null}', "invalid_envelope"),
        b"empty": (b"", "empty"),
        b"tombstone": (None, "empty"),
    }


@pytest.mark.parametrize("guarantee", GUARANTEES)
async def test_poison_messages_become_dead_letters_and_the_good_pages_go_through(
    kafka: Settings, tmp_path: Path, guarantee: str, fault_report
) -> None:
    worker = make_worker(kafka, tmp_path, processing_guarantee=guarantee)
    settings = worker.settings
    bad = poison(settings.max_page_bytes)
    goods = load(200)
    # A good page under a key that is not UTF-8: the key is only a hint, not a reason.
    odd_key = (b"\xff\xfe\x00key", orjson.dumps({**PAGE, "url": "https://faults.example/k"}))
    messages: list = []
    for number, (key, (value, _)) in enumerate(bad.items()):
        messages += [*goods[number * 20 : number * 20 + 20], (key, value)]
    messages += [*goods[len(bad) * 20 :], odd_key]
    await publish_values(settings, messages)
    worker.start()
    try:
        await wait_until_processed(worker, timeout_s=180)
        assert worker.process is not None and worker.process.poll() is None
    finally:
        worker.stop()

    letters = {r.key: r for r in await read_all(settings, settings.deadletter_topic)}
    for key, (value, reason) in bad.items():
        assert key in letters, f"{key!r} was not dead-lettered"
        letter = orjson.loads(letters[key].value)
        assert letter["reason"] == reason, (key, letter["reason"], letter["detail"])
        assert letter["source"]["offset"] >= 0 and letter["letter_id"]
        if value and reason != "oversized":
            assert base64.b64decode(letter["original"]) == value
    records = await emitted(settings)
    expected = expected_entries([*goods, odd_key])
    fault_report(
        "poison messages (8 kinds) between 200 pages", guarantee, records, expected, "no stop"
    )
    assert_delivered(guarantee, records, expected)
