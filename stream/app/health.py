"""What the worker knows about itself: its lag over time (for the status and
``/metrics``), whether it is alive (``/livez``) and ready (``/readyz``).

``WorkerHealth`` is plain state updated by the app; the judgements are pure.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field

from stream.app.lag import GroupLag, PartitionLag, judge, worst

#: Samples of lag kept per partition (one every LAG_INTERVAL_S).
LAG_HISTORY = 24
LAG_INTERVAL_S = 5.0
#: Longest the event loop may go without its heartbeat before /livez fails.
LOOP_STALE_S = 5.0
#: Longest the lag may go unmeasured (Kafka unreachable) before /readyz fails.
KAFKA_STALE_S = 3 * LAG_INTERVAL_S


@dataclass
class WorkerHealth:
    started: float = field(default_factory=time.monotonic)
    loop_beat: float = field(default_factory=time.monotonic)
    lag: GroupLag | None = None
    lag_measured: float | None = None  # monotonic time of the last good measurement
    lag_error: str | None = None
    history: dict[tuple[str, int], deque[PartitionLag]] = field(default_factory=dict)
    assigned_partitions: int = 0
    recovering: bool = False
    rebalancing: bool = False
    #: Oldest in-flight event's age per stage, seconds (0 when nothing waits).
    oldest_in_flight_s: dict[str, float] = field(default_factory=dict)

    def beat(self) -> None:
        self.loop_beat = time.monotonic()

    def record_lag(self, lag: GroupLag) -> None:
        self.lag, self.lag_measured, self.lag_error = lag, time.monotonic(), None
        for row in lag.partitions:
            key = (row.topic, row.partition)
            self.history.setdefault(key, deque(maxlen=LAG_HISTORY)).append(row)

    def record_lag_failure(self, error: str) -> None:
        self.lag_error = error

    def statuses(self) -> dict[tuple[str, int], str]:
        has_members = bool(self.lag and self.lag.members)
        return {key: judge(list(samples), has_members) for key, samples in self.history.items()}

    def status(self) -> str:
        return worst(list(self.statuses().values()))

    def liveness(self, delivery_timeout_s: float) -> tuple[bool, str]:
        """Alive: the event loop runs, and no stage holds an event far longer than a
        delivery may take (an agent that is stuck)."""
        now = time.monotonic()
        if now - self.loop_beat > LOOP_STALE_S:
            return False, f"event loop silent for {now - self.loop_beat:.0f}s"
        for stage, age in self.oldest_in_flight_s.items():
            if age > 3 * delivery_timeout_s:
                return False, f"{stage} has held an event for {age:.0f}s"
        return True, "ok"

    def readiness(self) -> tuple[bool, str]:
        """Ready: Kafka answers, partitions are assigned, tables are not recovering."""
        now = time.monotonic()
        if self.lag_error is not None:
            return False, f"cannot reach Kafka: {self.lag_error}"
        if self.lag_measured is None or now - self.lag_measured > KAFKA_STALE_S:
            return False, "cannot reach Kafka: no answer yet"
        if self.recovering:
            return False, "recovering tables from their changelogs"
        if self.rebalancing:
            return False, "rebalancing"
        if self.assigned_partitions == 0:
            return False, "no partitions assigned"
        return True, "ok"
