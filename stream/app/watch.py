"""The worker watching itself: a heartbeat of its event loop and its state each
second, its group's lag every few seconds, and the gauges ``/metrics`` reads."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Any

from stream.app.delivery import DeliveryTracker, InFlight
from stream.app.health import WorkerHealth
from stream.app.lag import measure
from stream.app.metrics import WorkerMetrics, WorkerState

log = logging.getLogger("liveblog.watch")
TABLE_COUNT_EVERY_S = 60.0  # counting a RocksDB table's keys reads all of them


@dataclass
class Watch:
    app: Any  # the Faust app (its consumer and tables)
    bootstrap: str
    group: str
    input_topics: list[str]
    trackers: list[DeliveryTracker]
    tables: dict[str, Any]
    metrics: WorkerMetrics
    health: WorkerHealth
    _table_keys: dict[str, int] | None = None
    _tables_counted: float = 0.0

    def delivered(self, item: InFlight) -> None:
        self.metrics.observe_delivered([(s.kind, s.since) for s in item.sends], time.time())

    async def heartbeat(self) -> None:
        health = self.health
        health.beat()
        health.recovering = bool(getattr(self.app, "in_recovery", False))
        health.rebalancing = bool(getattr(self.app, "rebalancing", False))
        try:
            health.assigned_partitions = len(self.app.consumer.assignment())
        except Exception:  # the consumer is not up yet
            health.assigned_partitions = 0
        health.oldest_in_flight_s = {t.name: t.oldest_age() for t in self.trackers}

    async def watch_lag(self) -> None:
        try:
            lag = await measure(self.bootstrap, self.group, self.input_topics)
        except Exception as exc:
            message = f"{type(exc).__name__}: {exc}"
            if self.health.lag_error != message:
                log.warning("could not measure the group's lag (%s)", message)
            self.health.record_lag_failure(message)
            return
        self.health.record_lag(lag)

    def state(self) -> WorkerState:
        health = self.health
        if health.recovering:
            consumer_state = "recovering"
        elif health.rebalancing:
            consumer_state = "rebalancing"
        elif health.assigned_partitions:
            consumer_state = "running"
        else:
            consumer_state = "starting"
        return WorkerState(
            in_flight={t.name: len(t.pending) for t in self.trackers},
            table_keys=self.table_keys(),
            assigned_partitions=health.assigned_partitions,
            consumer_state=consumer_state,
            lag=health.lag,
            statuses=health.statuses(),
        )

    def table_keys(self) -> dict[str, int]:
        now = time.monotonic()
        if self._table_keys is None or now - self._tables_counted > TABLE_COUNT_EVERY_S:
            counted = {}
            for name, table in self.tables.items():
                try:
                    counted[name] = len(table)
                except Exception:  # not assigned or recovering: count later
                    counted[name] = 0
            self._table_keys, self._tables_counted = counted, now
        return self._table_keys
