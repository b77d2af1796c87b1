"""Exactly-once's own parts (``stream.app.transactions``), without a broker: the
commit gate that makes every transaction hold exactly the records of the events
whose offsets it commits, and the local tables discarded after an unclean stop."""

from __future__ import annotations

import asyncio
import inspect
from pathlib import Path

from stream.app.agents import DiffStories, Transactions, drive
from stream.app.delivery import DeliveryTracker, InFlight, Send
from stream.app.transactions import (
    CommitGate,
    discard_unclean_tables,
    mark_clean_stop,
)
from tests.test_app_parts import TOPICS, Broker, Event, pages, tracker


class Commits:
    """Faust's commit as the gate sees it: records what was acked when it ran."""

    def __init__(self, acked: list[str]) -> None:
        self.acked, self.seen = acked, []

    async def __call__(self, *args: object, **kwargs: object) -> bool:
        self.seen.append(list(self.acked))
        return True


async def test_a_commit_waits_for_the_event_under_way_and_for_its_deliveries() -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker)
    gate = CommitGate([deliveries])
    commits = Commits(acked)

    async with gate.event():
        await deliveries.add(InFlight(Event("a", acked), [Send("t", None, b"a")]))
        committing = asyncio.create_task(gate.commit(commits))
        await asyncio.sleep(0.01)
        assert not committing.done()  # "a" is still being handled
    await asyncio.sleep(0.01)
    assert not committing.done()  # handled, but its record is not delivered yet
    broker.deliver_all()
    assert await committing
    assert commits.seen == [["a"]]  # the commit holds "a" and its record


async def test_no_event_starts_while_a_commit_runs() -> None:
    broker = Broker()
    deliveries = tracker(broker)
    gate = CommitGate([deliveries])
    release = asyncio.Event()
    started = []

    async def slow_commit(*args: object, **kwargs: object) -> bool:
        await release.wait()
        return True

    committing = asyncio.create_task(gate.commit(slow_commit))
    await asyncio.sleep(0)

    async def event() -> None:
        async with gate.event():
            started.append("b")

    handling = asyncio.create_task(event())
    await asyncio.sleep(0.01)
    assert started == []  # its records would have joined the transaction being committed
    release.set()
    await asyncio.gather(committing, handling)
    assert started == ["b"]


async def test_a_commit_stuck_behind_an_undelivered_record_says_so_in_the_log(caplog) -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker)
    gate = CommitGate([deliveries], slow_wait_s=0.02)
    async with gate.event():
        await deliveries.add(InFlight(Event("a", acked), [Send("t", None, b"a")]))
    committing = asyncio.create_task(gate.commit(Commits(acked)))
    await asyncio.sleep(0.07)
    warnings = [r.getMessage() for r in caplog.records if r.name == "liveblog.transactions"]
    assert warnings and all("waits for 1 event(s) of" in w for w in warnings), warnings
    broker.deliver_all()
    assert await committing
    caplog.clear()
    await asyncio.sleep(0.05)
    assert not caplog.records  # the watch ends with the wait


async def test_a_record_being_retried_holds_the_commit_back() -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker)
    gate = CommitGate([deliveries])
    commits = Commits(acked)
    await deliveries.add(InFlight(Event("a", acked), [Send("t", None, b"a")]))
    broker.futures[0][1].set_exception(RuntimeError("broker said no"))
    assert not await gate.commit(commits)
    assert commits.seen == []  # nothing committed past the record that failed


async def test_only_the_final_commit_of_a_stop_marks_a_clean_end() -> None:
    ends, stopping = [], []
    gate = CommitGate([], on_clean_end=lambda: ends.append(1), is_stopping=lambda: bool(stopping))
    commits = Commits([])
    await gate.commit(commits, start_new_transaction=True)
    await gate.commit(commits, start_new_transaction=False)  # a rebalance ends them too
    assert ends == []
    stopping.append(True)
    await gate.commit(commits, start_new_transaction=False)
    assert ends == [1]


async def test_a_rebalance_commits_then_aborts_the_rest_then_lets_faust_revoke() -> None:
    order = []

    async def commit(*args: object, **kwargs: object) -> bool:
        order.append(("commit", kwargs.get("start_new_transaction")))
        return True

    async def abort() -> None:
        order.append(("abort", None))

    async def revoke() -> None:
        order.append(("revoke", None))

    await CommitGate([]).rebalance(commit, abort, revoke)
    assert order == [("commit", False), ("abort", None), ("revoke", None)]


async def test_an_event_read_before_a_rebalance_is_not_handled_after_it() -> None:
    gate = CommitGate([])
    revoking = asyncio.Event()

    async def revoke() -> None:
        await revoking.wait()

    async def commit(*args: object, **kwargs: object) -> bool:
        return True

    async def no_abort() -> None:
        return None

    rebalancing = asyncio.create_task(gate.rebalance(commit, no_abort, revoke))
    await asyncio.sleep(0)
    outcomes = []

    async def event() -> None:  # read from the stream while Faust is revoking
        async with gate.event() as current:
            outcomes.append(current)

    handling = asyncio.create_task(event())
    await asyncio.sleep(0.01)
    assert outcomes == []  # held at the gate
    revoking.set()
    await asyncio.gather(rebalancing, handling)
    assert outcomes == [False]  # dropped: Faust reads it again from the committed offset
    async with gate.event() as current:
        assert current  # events read after the rebalance are handled


async def test_every_record_of_an_event_goes_in_its_input_partitions_transaction() -> None:
    broker, acked = Broker(), []
    deliveries = tracker(broker)
    transactions = Transactions(
        CommitGate([deliveries]),
        lambda record: f"app-0-{record.partition}",
    )

    async def events():
        event = Event("page", acked, value=pages("rescrape-1.msg"))
        event.message.partition = 1
        yield event

    await drive(events(), DiffStories(TOPICS, {}, {}), deliveries, "dl", "diff", None, transactions)
    assert broker.futures
    assert {send.transactional_id for send, _ in broker.futures} == {"app-0-1"}


def test_tables_are_discarded_after_a_stop_that_did_not_end_its_transactions(
    tmp_path: Path,
) -> None:
    store = tmp_path / "stories-0.db"
    store.mkdir()
    (store / "CURRENT").write_text("x")
    assert discard_unclean_tables(tmp_path) == [store]
    assert not store.exists()


def test_tables_are_kept_after_a_clean_stop_and_only_once(tmp_path: Path) -> None:
    store = tmp_path / "stories-0.db"
    store.mkdir()
    mark_clean_stop(tmp_path)
    assert discard_unclean_tables(tmp_path) == []
    assert store.exists()
    # the marker is used up: a crash from now on must not leave the tables trusted
    assert discard_unclean_tables(tmp_path) == [store]


def test_the_faust_internals_exactly_once_patches_are_still_there() -> None:
    """stream.app.transactions replaces or reads these; a Faust release without them
    must fail here, not quietly bring the duplicates back."""
    import faust.tables.recovery
    from faust.transport.consumer import Consumer
    from faust.transport.drivers.aiokafka import AIOKafkaConsumerThread, Producer

    assert callable(Consumer.force_commit) and callable(Consumer.on_partitions_revoked)
    assert callable(AIOKafkaConsumerThread._highwaters)
    assert "_consumer" in AIOKafkaConsumerThread.__annotations__ or hasattr(
        AIOKafkaConsumerThread, "_consumer"
    )
    assert isinstance(Producer._transaction_producers, dict)
    assert callable(Producer.abort_transaction)
    assert faust.tables.recovery.asyncio.wait_for is not None
    source = Path(faust.tables.recovery.__file__).read_text()
    assert source.count("asyncio.wait_for(") == 1  # the restore's idle wait, and only it
    from aiokafka.consumer.fetcher import Fetcher

    assert "self._fetch_max_wait_ms" in Path(inspect.getsourcefile(Fetcher)).read_text()


async def test_an_event_begun_is_seen_through_when_its_agent_is_cancelled() -> None:
    """Faust cancels the agents on stop before its final commit: an event cut off
    between two sends would commit part of its records without its offset."""
    broker, acked = Broker(), []
    release = asyncio.Event()
    deliveries = DeliveryTracker("test", broker.send, 100)
    real_send = broker.send

    async def slow_send(record: Send) -> asyncio.Future:
        if broker.futures:  # the second record waits
            await release.wait()
        return await real_send(record)

    deliveries.sender = slow_send
    gate = CommitGate([deliveries])
    transactions = Transactions(gate, lambda record: "app-0-0")

    async def events():
        yield Event("page", acked, value=pages("rescrape-1.msg"))
        await asyncio.Event().wait()  # no more events

    agent = asyncio.create_task(
        drive(events(), DiffStories(TOPICS, {}, {}), deliveries, "dl", "diff", None, transactions)
    )
    while len(broker.futures) < 1:
        await asyncio.sleep(0.001)
    agent.cancel()
    release.set()
    committing = asyncio.create_task(gate.commit(Commits(acked)))
    while not committing.done():
        broker.deliver_all()
        await asyncio.sleep(0.001)
    assert len(broker.futures) == 2  # both of the page's entries were sent
    assert acked == ["page"]  # and the page is in the final commit
