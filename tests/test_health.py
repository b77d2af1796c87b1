"""The worker's judgements about itself, without a broker: lag status (Burrow-style),
liveness and readiness."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator

from stream.app import lag
from stream.app.health import LOOP_STALE_S, WorkerHealth
from stream.app.lag import GroupLag, PartitionLag, judge, worst


def sample(at: float, committed: int, end: int, age: float | None = None) -> PartitionLag:
    return PartitionLag("raw", 0, committed, end, age, at)


def test_no_lag_is_ok_whatever_else() -> None:
    assert judge([sample(0, 10, 10)], has_members=False) == "OK"


def test_lag_without_members_is_stopped() -> None:
    assert judge([sample(0, 10, 20, 5.0)], has_members=False) == "STOPPED"


def test_a_committed_offset_that_does_not_move_over_the_window_is_stalled() -> None:
    history = [sample(t, 10, 20 + t, 1.0) for t in range(0, 25, 5)]
    assert judge(history, has_members=True, window_s=20) == "STALLED"


def test_moving_through_lag_is_ok_and_old_lag_is_a_warning() -> None:
    moving = [sample(t, 10 + t, 30 + t, 2.0) for t in range(0, 25, 5)]
    assert judge(moving, has_members=True) == "OK"
    assert judge([sample(0, 10, 20, 45.0)], has_members=True, warn_s=30) == "WARNING"
    assert judge([sample(0, 10, 20, 200.0)], has_members=True, stall_s=120) == "STALLED"


def test_the_worst_status_wins() -> None:
    assert worst(["OK", "STALLED", "WARNING"]) == "STALLED" and worst([]) == "OK"


def test_liveness_fails_when_the_loop_is_silent_or_a_stage_holds_an_event() -> None:
    health = WorkerHealth()
    assert health.liveness(30.0) == (True, "ok")
    health.oldest_in_flight_s = {"diff_stories": 200.0}
    assert health.liveness(30.0)[0] is False
    health.oldest_in_flight_s = {}
    health.loop_beat = time.monotonic() - LOOP_STALE_S - 1
    assert health.liveness(30.0)[0] is False


def test_readiness_needs_kafka_partitions_and_no_recovery() -> None:
    health = WorkerHealth()
    assert health.readiness()[0] is False  # Kafka not reached yet
    health.record_lag(GroupLag("g", ["m"], [sample(time.time(), 1, 1)]))
    assert health.readiness() == (False, "no partitions assigned")
    health.assigned_partitions = 4
    assert health.readiness() == (True, "ok")
    health.recovering = True
    assert "recovering" in health.readiness()[1]
    health.recovering = False
    health.record_lag_failure("KafkaConnectionError: refused")
    assert health.readiness() == (False, "cannot reach Kafka: KafkaConnectionError: refused")


def test_delivered_records_are_counted_by_kind_and_each_page_times_its_latency() -> None:
    from stream.app.metrics import WorkerMetrics

    metrics = WorkerMetrics()
    page = [("entry:new", 100.0)] * 14 + [("entry:edited", 100.0), ("deadletter:spillover", 100.0)]
    metrics.observe_delivered(page, now=100.25)
    metrics.observe_delivered([("entry:new", 101.0), ("page", None)], now=101.5)
    sample = metrics.registry.get_sample_value
    assert sample("liveblog_entries_total", {"revision": "new"}) == 15
    assert sample("liveblog_entries_total", {"revision": "edited"}) == 1
    assert sample("liveblog_dead_letters_total", {"reason": "spillover"}) == 1
    assert sample("liveblog_publish_to_entry_seconds_count") == 2  # one per page
    assert sample("liveblog_publish_to_entry_seconds_sum") == 0.75


async def test_the_lag_measures_own_assignments_stay_out_of_the_worker_log(
    caplog, monkeypatch
) -> None:
    subscriptions = logging.getLogger("aiokafka.consumer.subscription_state")

    async def assigning(*args: object) -> GroupLag:
        subscriptions.info("Updating subscribed topics to: %s", frozenset({"raw"}))
        return GroupLag("group", [], [])

    monkeypatch.setattr(lag, "_measure", assigning)
    with caplog.at_level(logging.INFO, logger=subscriptions.name):
        await lag.measure({}, "group", ["raw"])
        subscriptions.info("Updating subscribed topics to: %s", frozenset({"worker"}))
    assert [r.args for r in caplog.records] == [(frozenset({"worker"}),)]


def test_table_keys_are_rocksdbs_estimate_not_a_read_of_every_key(tmp_path) -> None:
    import rocksdict

    from stream.app.watch import estimated_keys

    dbs = [rocksdict.Rdict(str(tmp_path / f"p{n}")) for n in range(2)]
    for n, db in enumerate(dbs):
        for key in range(1000 * (n + 1)):
            db[b"k%d" % key] = b"state"

    class Store:
        def _dbs_for_actives(self) -> Iterator[rocksdict.Rdict]:
            return iter(dbs)

    class Table:
        data = Store()

        def __len__(self) -> int:
            raise AssertionError("len() reads every key, in the event loop")

    try:
        assert estimated_keys(Table()) == 3000
        memory = type("Table", (dict,), {"data": {}})(a=b"1")
        assert estimated_keys(memory) == 1  # the memory store is counted
    finally:
        for db in dbs:
            db.close()
