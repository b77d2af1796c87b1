"""The shared scorer over the shared corpora: every synthetic case passes, and at
least 95% of the real pages' entries come out exactly as labelled by hand."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def score(corpus: Path) -> tuple[str, str]:
    """(the summary line, the whole report) of ../shared/score.py over ``corpus``."""
    result = subprocess.run(
        [
            sys.executable,
            str(corpus.parent / "score.py"),
            str(corpus),
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
    return result.stdout.strip().splitlines()[-1], result.stdout


def figure(summary: str, label: str) -> tuple[int, int]:
    """'entries 149/151 exact' -> (149, 151) for label 'entries'."""
    done, total = summary.split(label + " ", 1)[1].split()[0].rstrip(",").split("/")
    return int(done), int(total)


def test_score_reports_every_synthetic_case_passing(shared_corpus: Path) -> None:
    summary, report = score(shared_corpus)
    passed, total = figure(summary, "cases")
    assert passed == total, report
    assert "extra entries 0" in summary, report


def test_real_pages_at_least_95_percent_of_entries_exact(shared_real_corpus: Path) -> None:
    summary, report = score(shared_real_corpus)
    exact, total = figure(summary, "entries")
    letters, expected_letters = figure(summary, "dead letters")
    assert exact >= 0.95 * total, report
    assert letters >= expected_letters - 1, report


def test_explain_reads_every_corpus_page(shared_corpus: Path, shared_real_corpus: Path) -> None:
    from stream.core.explain import explain

    for message in [
        *sorted(shared_corpus.glob("*.msg")),
        *sorted(shared_real_corpus.glob("*.msg")),
    ]:
        report = explain(message.read_bytes(), 8 << 20)
        assert report.startswith(("Page:", "Rejected before parsing:")), message.name
        if "bad-" not in message.name:
            assert "Chosen marker shape:" in report, (message.name, report)


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
