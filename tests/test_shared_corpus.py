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
