"""Dead-letter redrive round trip: a page that failed, redriven once its cause is
removed, yields its entries once; a second redrive sends nothing."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from stream.ops import deadletters
from stream.settings import Settings
from tests.integration.conftest import make_worker, publish_values, read_all, wait_until_processed
from tests.integration.test_pipeline import sample

pytestmark = pytest.mark.kafka


async def test_a_redriven_page_yields_its_entries_once(kafka: Settings, tmp_path: Path) -> None:
    # The cause: a page size limit set too low.
    strict = make_worker(kafka, tmp_path, max_page_bytes=500)
    settings = strict.settings
    strict.start()
    try:
        await publish_values(settings, [sample("pt-greve.msg")])
        await wait_until_processed(strict)
    finally:
        strict.stop()
    letters = await deadletters.read_letters(settings)
    assert [letter.reason for letter in letters] == ["oversized"]
    assert not await read_all(settings, settings.entries_topic)

    # The cause removed: the default limit.  Redrive, twice.
    fixed = make_worker(kafka, tmp_path)
    fixed.settings = settings
    fixed.env = {**strict.env, "LIVEBLOG_MAX_PAGE_BYTES": str(Settings().max_page_bytes)}
    fixed.start()
    try:
        assert await deadletters.redrive(settings, None, None, False, progress=False) == 1
        await wait_until_processed(fixed)
        assert await deadletters.redrive(settings, None, None, False, progress=False) == 0
        await wait_until_processed(fixed)
    finally:
        fixed.stop()
    entries = [orjson.loads(r.value) for r in await read_all(settings, settings.entries_topic)]
    assert len(entries) == 3 and len({e["entry_id"] for e in entries}) == 3
    raw = await read_all(settings, settings.raw_topic)
    assert dict(raw[-1].headers)["liveblog.redrive.count"] == b"1"


async def test_a_letter_that_fails_again_counts_its_redrives(kafka: Settings, tmp_path: Path):
    worker = make_worker(kafka, tmp_path)
    settings = worker.settings
    worker.start()
    try:
        await publish_values(settings, [(b"k", b"{broken json")])
        await wait_until_processed(worker)
        for _ in range(3):
            await deadletters.redrive(settings, None, None, False, progress=False)
            await wait_until_processed(worker)
        # the third letter has been redriven twice; a limit of 2 leaves it alone
        assert await deadletters.redrive(settings, None, None, False, 2, progress=False) == 0
    finally:
        worker.stop()
    counts = [letter.redrives for letter in await deadletters.read_letters(settings)]
    assert counts == [0, 1, 2, 3]
