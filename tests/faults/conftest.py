"""Fault scenarios run against the same local broker as the integration tests.

Each scenario reports a row (scenario, guarantee, lost, duplicates, recovery) with the
``fault_report`` fixture; the rows are printed as one table at the end of the run,
ready to be copied into the README's Reliability section."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pytest

from tests.integration.conftest import kafka  # noqa: F401  (the session's broker)

#: Every scenario runs under both guarantees; the exactly_once runs are marked ``eos``.
GUARANTEES = ["at_least_once", pytest.param("exactly_once", marks=pytest.mark.eos)]

_ROWS = pytest.StashKey[list[tuple[str, str, str, str, str]]]()
Report = Callable[..., None]


@pytest.fixture
def fault_report(request: pytest.FixtureRequest) -> Report:
    """``fault_report(scenario, guarantee, got, expected, recovery)``: counts what was
    lost (expected but never emitted) and duplicated (emitted more than once)."""
    rows = request.config.stash.setdefault(_ROWS, [])

    def report(scenario: str, guarantee: str, got: Sequence, expected: set, recovery: str) -> None:
        lost = len(expected - set(got))
        duplicates = len(got) - len(set(got))
        rows.append((scenario, guarantee, str(lost), f"{duplicates:,} of {len(got):,}", recovery))

    return report


def assert_delivered(guarantee: str, got: Sequence, expected: set) -> None:
    """Nothing lost and nothing invented; under exactly_once, nothing twice either
    (what a read_committed reader sees)."""
    assert set(got) == expected, (
        f"lost {len(expected - set(got))}, invented {len(set(got) - expected)}"
    )
    if guarantee == "exactly_once":
        assert len(got) == len(set(got)), f"{len(got) - len(set(got))} duplicates"


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    rows = config.stash.get(_ROWS, [])
    if not rows:
        return
    terminalreporter.section("fault scenarios")
    terminalreporter.write_line(
        "| scenario | guarantee | lost | duplicates | recovery |\n| --- | --- | --- | --- | --- |"
    )
    for row in rows:
        terminalreporter.write_line("| " + " | ".join(row) + " |")
