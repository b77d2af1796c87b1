"""The worker's Prometheus metrics (``/metrics``), with prometheus_client.

Lag series carry the names and labels of kafka_exporter
(``kafka_consumergroup_lag{consumergroup,topic,partition}``,
``kafka_consumergroup_current_offset``, ``kafka_topic_partition_current_offset``) and
of kafka-lag-exporter (``kafka_consumergroup_group_lag_seconds{group,topic,partition}``,
``kafka_consumergroup_group_max_lag_seconds{group}``), so that existing dashboards and
alerts work unchanged.  The rest is the worker's own, prefixed ``liveblog_``.
"""

from __future__ import annotations

import collections
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from stream.app.lag import STATUSES, GroupLag

_PAGE_BYTES_BUCKETS = (1e3, 4e3, 16e3, 64e3, 256e3, 1e6, 4e6, 16e6)
_SECONDS_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


class WorkerMetrics:
    """Every metric of one worker, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.pages = Counter("liveblog_pages", "Raw pages read", registry=r)
        self.entries = Counter(
            "liveblog_entries",
            "Entry records delivered, by revision kind: new (revision 1) or edited",
            ["revision"],
            registry=r,
        )
        self.dead_letters = Counter(
            "liveblog_dead_letters", "Dead letters delivered, by reason", ["reason"], registry=r
        )
        self.errors = Counter(
            "liveblog_processing_errors",
            "Failures of the worker's own code (each also a processing_error dead letter)",
            ["stage"],
            registry=r,
        )
        self.parse_seconds = Histogram(
            "liveblog_parse_seconds",
            "Time of the parse step for one page (its diff included when the page is applied"
            " where it is read)",
            buckets=_SECONDS_BUCKETS,
            registry=r,
        )
        self.latency = Histogram(
            "liveblog_publish_to_entry_seconds",
            "From the raw record's timestamp to the delivery of its entries (one observation"
            " per raw page with entries)",
            buckets=_SECONDS_BUCKETS,
            registry=r,
        )
        self.page_bytes = Histogram(
            "liveblog_page_bytes", "Size of raw pages", buckets=_PAGE_BYTES_BUCKETS, registry=r
        )

    def observe_step(self, stage: str, record: object, seconds: float, failed: bool) -> None:
        """After each step: pages, their size and parse time, the shell's failures."""
        if failed:
            self.errors.labels(stage).inc()
        if stage == "parse_pages":
            self.pages.inc()
            self.parse_seconds.observe(seconds)
            self.page_bytes.observe(len(getattr(record, "value", None) or b""))

    def observe_delivered(self, kinds: list[tuple[str, float | None]], now: float) -> None:
        """After an event's records were delivered: entries, dead letters, latency.

        Counted once per kind and event (each ``inc`` takes a lock; a page has tens of
        entries), and the latency observed once per raw record the entries came from."""
        counts = collections.Counter(kind for kind, _ in kinds)
        for kind, count in counts.items():
            family, _, label = kind.partition(":")
            if family == "entry":
                self.entries.labels(label).inc(count)
            elif family == "deadletter":
                self.dead_letters.labels(label).inc(count)
        for since in {
            since for kind, since in kinds if since is not None and kind.startswith("entry:")
        }:
            self.latency.observe(max(0.0, now - since))

    def watch(self, state: Callable[[], WorkerState]) -> None:
        """Gauges read from the worker at each scrape."""
        self.registry.register(_StateCollector(state))

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


@dataclass(frozen=True, slots=True)
class WorkerState:
    """What the gauges show, as the app sees it now."""

    in_flight: dict[str, int]
    table_keys: dict[str, int]
    assigned_partitions: int
    consumer_state: str
    lag: GroupLag | None
    statuses: dict[tuple[str, int], str]


CONSUMER_STATES = ("starting", "recovering", "running", "rebalancing", "stopping")


class _StateCollector(Collector):
    def __init__(self, state: Callable[[], WorkerState]) -> None:
        self._state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        state = self._state()
        yield _family(
            "liveblog_in_flight",
            "Events whose outputs are being delivered, by stage",
            ["stage"],
            [((stage,), count) for stage, count in state.in_flight.items()],
        )
        yield _family(
            "liveblog_table_keys",
            "Keys held by each state table (RocksDB's estimate)",
            ["table"],
            [((table,), count) for table, count in state.table_keys.items()],
        )
        yield _family(
            "liveblog_assigned_partitions",
            "Partitions assigned to this worker",
            [],
            [((), state.assigned_partitions)],
        )
        yield _family(
            "liveblog_consumer_state",
            "1 for the worker's current consumer state",
            ["state"],
            [((name,), float(name == state.consumer_state)) for name in CONSUMER_STATES],
        )
        yield from _lag_families(state.lag, state.statuses)


def _lag_families(
    lag: GroupLag | None, statuses: dict[tuple[str, int], str]
) -> Iterator[GaugeMetricFamily]:
    rows = lag.partitions if lag else []
    group = lag.group if lag else ""
    yield _family(
        "kafka_consumergroup_lag",
        "Lag of the consumer group in messages (kafka_exporter)",
        ["consumergroup", "topic", "partition"],
        [((group, p.topic, str(p.partition)), p.lag) for p in rows],
    )
    yield _family(
        "kafka_consumergroup_current_offset",
        "Committed offset of the consumer group (kafka_exporter)",
        ["consumergroup", "topic", "partition"],
        [((group, p.topic, str(p.partition)), p.committed) for p in rows],
    )
    yield _family(
        "kafka_topic_partition_current_offset",
        "Log end offset of the partition (kafka_exporter)",
        ["topic", "partition"],
        [((p.topic, str(p.partition)), p.end) for p in rows],
    )
    yield _family(
        "kafka_consumergroup_group_lag_seconds",
        "Age of the oldest message not yet committed, in seconds (kafka-lag-exporter)",
        ["group", "topic", "partition"],
        [((group, p.topic, str(p.partition)), p.lag_seconds or 0.0) for p in rows],
    )
    yield _family(
        "kafka_consumergroup_group_max_lag_seconds",
        "Largest lag in seconds over the group's partitions (kafka-lag-exporter)",
        ["group"],
        [((group,), lag.max_lag_seconds)] if lag else [],
    )
    yield _family(
        "liveblog_lag_status",
        "1 for each partition's Burrow-style status (OK, WARNING, STALLED, STOPPED)",
        ["topic", "partition", "status"],
        [
            ((topic, str(partition), name), float(status == name))
            for (topic, partition), status in statuses.items()
            for name in STATUSES
        ],
    )


def _family(name: str, documentation: str, labels: list[str], samples) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, documentation, labels=labels)
    for label_values, value in samples:
        family.add_metric(list(label_values), float(value))
    return family
