from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from stream.core.process import Outcome, Source, process_message

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SHARED_CORPUS = ROOT.parent / "shared" / "corpus"
SHARED_REAL_CORPUS = ROOT.parent / "shared" / "corpus-real"


def envelope(text: str, **fields: object) -> bytes:
    """A raw-topic message value: the JSON envelope scrapers publish."""
    return orjson.dumps({"text": text, **fields})


def parse_page(text: str, **fields: object) -> Outcome:
    fields.setdefault("scraped_at", "2025-01-15T23:00:00Z")
    return process_message(envelope(text, **fields), source=Source(topic="articles.raw"))


def page(*blocks: str) -> str:
    """Page text from blocks separated by blank lines, as scrapers render pages."""
    return "\n\n".join(blocks) + "\n"


@pytest.fixture
def shared_corpus() -> Path:
    if not SHARED_CORPUS.is_dir():
        pytest.skip("../shared/corpus is not beside this checkout")
    return SHARED_CORPUS


@pytest.fixture
def shared_real_corpus() -> Path:
    if not SHARED_REAL_CORPUS.is_dir():
        pytest.skip("../shared/corpus-real is not beside this checkout")
    return SHARED_REAL_CORPUS


def run_stream(*args: str, **env: str):
    """``python -m stream ARGS`` in a subprocess, with only the LIVEBLOG_ variables given."""
    import os
    import subprocess
    import sys

    base = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    return subprocess.run(
        [sys.executable, "-m", "stream", *args],
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        env={**base, **env},
    )
