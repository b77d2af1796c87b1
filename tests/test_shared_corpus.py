"""The shared scorer over the shared corpus: every case passes."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_score_reports_every_case_passing(shared_corpus: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            str(shared_corpus.parent / "score.py"),
            str(shared_corpus),
            "-v",
            "--project",
            str(ROOT),
            "--python",
            sys.executable,
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    summary = result.stdout.strip().splitlines()[-1]
    cases = summary.rsplit("cases ", 1)[1]
    passed, total = cases.split("/")
    assert passed == total, result.stdout
    assert "extra entries 0" in summary, result.stdout


def test_detected_language_matches_the_ground_truth(shared_corpus: Path) -> None:
    import json

    from stream.core.process import process_message

    for expected_file in sorted(shared_corpus.glob("*.expected.json")):
        expected = json.loads(expected_file.read_text())
        if "story" not in expected:
            continue
        message = expected_file.with_name(expected_file.name.replace(".expected.json", ".msg"))
        outcome = process_message(message.read_bytes())
        assert outcome.lang == expected["story"]["lang"], expected_file.name
        assert outcome.story["title"] == expected["story"]["title"], expected_file.name
