"""The status page as a person sees it: a real worker on the real broker, the page
opened in headless Chromium, and what it shows checked in the rendered page."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from stream.settings import Settings
from tests.integration.conftest import make_worker, publish_values, wait_until_processed
from tests.integration.test_pipeline import sample

pytestmark = pytest.mark.kafka

BROWSER = shutil.which("chromium") or shutil.which("chromium-browser")


def browse(url: str, screenshot: Path) -> str:
    """The page's DOM after rendering, and a screenshot of it."""
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"]
    subprocess.run(
        [BROWSER, *flags, "--window-size=1000,1400", f"--screenshot={screenshot}", url],
        capture_output=True,
        timeout=90,
        check=True,
    )
    dom = subprocess.run(
        [BROWSER, *flags, "--dump-dom", url], capture_output=True, timeout=90, check=True
    )
    return dom.stdout.decode()


@pytest.mark.skipif(BROWSER is None, reason="no Chromium: apt-get install chromium (.ci/run does)")
async def test_the_status_page_shows_lag_dead_letters_and_stories(
    kafka: Settings, tmp_path: Path
) -> None:
    worker = make_worker(kafka, tmp_path)
    settings = worker.settings
    worker.start()
    try:
        await publish_values(
            settings, [sample("spillover.msg"), sample("pt-greve.msg"), (None, b"{broken")]
        )
        await wait_until_processed(worker)
        url = f"http://127.0.0.1:{settings.web_port}/status"
        deadline = time.monotonic() + 30
        while True:  # until the lag has been measured once the pages are through
            page = await asyncio.to_thread(browse, url, tmp_path / "status.png")
            if 'id="lag"' in page or time.monotonic() > deadline:
                break
            await asyncio.sleep(2)
    finally:
        worker.stop()
    assert (tmp_path / "status.png").stat().st_size > 10_000
    assert 'id="status" class="OK">OK<' in page
    assert settings.raw_topic in page and f"{settings.app_id}-pages-by-story" in page
    assert "spillover" in page and "invalid_json" in page  # dead letters by reason
    assert "Storm live: ferries cancelled" in page  # a latest story
    assert "LIVEBLOG_BOOTSTRAP_SERVERS" in page  # settings
    assert '<meta http-equiv="refresh"' in page
