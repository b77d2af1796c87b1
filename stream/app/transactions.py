"""Exactly-once on top of faust-streaming's transactions.

Faust keeps one transactional producer per input partition (``<app>-<group>-<n>``)
and commits a partition's input offsets in that producer's transaction, but the
records that go with them can miss it.  Each gap below once showed as duplicates (or
losses) for a ``read_committed`` reader after kill -9 (``tests/faults``):

1. Records for topics the app does not consume (entries, dead letters) got no
   transaction, and a page forwarded to pages-by-story joined the transaction of the
   partition it went *to*.  Every record is now sent in the transaction of the input
   record it comes from (``transactional_id_of``).
2. Faust commits beside the agents: records sent while a commit is under way join
   the transaction being committed, though their events' offsets are not in it.  The
   commit closes a gate first and so commits a cut between two events (``CommitGate``).
3. Events are acknowledged once their records are delivered, so some records are in
   the transaction before their events are acknowledged: the commit waits for them.
4. Table writes once waited in Faust's buffer and could reach a producer after the
   commit had ended the transaction (a crash after a 60 s SIGSTOP: "Can't send
   messages while not in transaction").  Their changelog records are now records
   of their page (``stream.app.tables``), in the page's transaction like the rest.
5. Under transactions a changelog ends in a commit or abort marker, which is never
   delivered, so Faust's restore only sees it is done after its queue has been idle
   for two 5 s waits: every restart under exactly_once waited 10-12 s here.  Those
   waits are shortened (``shorten_restore_idle_wait``).
6. A table's local RocksDB files hold the writes of transactions that a crash
   aborted.  After a stop that did not end its transactions they are discarded and
   restored from the changelogs, read committed, as Kafka Streams does
   (``discard_unclean_tables``).
"""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from stream.app.delivery import DeliveryTracker

if TYPE_CHECKING:
    import faust

log = logging.getLogger("liveblog.transactions")

#: Written in the table directory when the worker's last transaction was ended.
CLEAN_STOP_MARKER = "liveblog-clean-stop"

#: A wait at the gate longer than this is logged (and again each time it lasts as long
#: again): a commit or an event stuck there holds the worker without an error.
SLOW_WAIT_S = 15.0


class HasPosition(Protocol):
    topic: str
    partition: int


def transactional_id_of(app: faust.App, record: HasPosition) -> str:
    """The transaction Faust commits ``record``'s offset in (its
    ``TransactionManager.transactional_id_format``)."""
    return f"{app.conf.id}-{app.assignor.group_for_topic(record.topic)}-{record.partition}"


@dataclass
class CommitGate:
    """Lets events and commits take turns: a commit waits until no event is being
    processed and keeps new ones out until it is done, so that every transaction
    holds the records of exactly the events whose offsets it commits."""

    trackers: Sequence[DeliveryTracker]
    #: Called once the final commit of a stop (which ends the transactions) succeeded.
    on_clean_end: Callable[[], None] | None = None
    #: Whether the worker is stopping (a commit that ends the transactions is also
    #: made on every rebalance).
    is_stopping: Callable[[], bool] = lambda: False
    #: Bumped by each rebalance: an event read before it is not handled after it.
    generation: int = 0
    slow_wait_s: float = SLOW_WAIT_S
    _open: asyncio.Event = field(default_factory=asyncio.Event)
    _idle: asyncio.Event = field(default_factory=asyncio.Event)
    _commit_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    _active: int = 0
    _closers: int = 0

    def __post_init__(self) -> None:
        self._open.set()
        self._idle.set()

    @asynccontextmanager
    async def event(self) -> AsyncIterator[bool]:
        """Around one event: its step, its table writes and the start of its sends.
        Yields False for an event read before a rebalance that happened meanwhile:
        it was not committed, and is read again from the committed offset."""
        current = await self.enter()
        try:
            yield current
        finally:
            self.leave()

    async def enter(self) -> bool:
        """Wait for the gate; then the event counts as under way until ``leave``.
        Returns whether the event was read since the last rebalance."""
        generation = self.generation
        if not self._open.is_set():
            async with self._warn_if_slow("an event waits for a commit to finish"):
                while not self._open.is_set():
                    await self._open.wait()
        self._active += 1
        self._idle.clear()
        return generation == self.generation

    def leave(self) -> None:
        self._active -= 1
        if not self._active:
            self._idle.set()

    @asynccontextmanager
    async def closed(self) -> AsyncIterator[None]:
        """No event is under way inside, and none starts."""
        self._closers += 1
        self._open.clear()
        try:
            if not self._idle.is_set():
                async with self._warn_if_slow(
                    lambda: f"a commit waits for {self._active} event(s) under way"
                ):
                    await self._idle.wait()
            yield
        finally:
            self._closers -= 1
            if not self._closers:
                self._open.set()

    async def commit(
        self, commit: Callable[..., Awaitable[bool]], *args: Any, **kwargs: Any
    ) -> bool:
        """Run Faust's commit between two events, once what they sent is delivered."""
        async with self.closed(), self._commit_lock:
            for tracker in self.trackers:
                async with self._warn_if_slow(
                    lambda t=tracker: (
                        f"a commit waits for {len(t.pending)} event(s) of {t.name} to be delivered"
                    )
                ):
                    drained = await tracker.drain()
                if not drained:
                    # A record is being retried: its transaction stays open until it is
                    # through, and nothing after it may be committed before it.
                    return False
            async with self._warn_if_slow("a commit waits for Faust's commit"):
                committed = await commit(*args, **kwargs)
            ends = kwargs.get("start_new_transaction") is False
            if ends and self.is_stopping() and self.on_clean_end is not None:
                self.on_clean_end()
            return committed

    async def rebalance(
        self,
        commit: Callable[..., Awaitable[bool]],
        abort_open_transactions: Callable[[], Awaitable[None]],
        revoke: Callable[[], Awaitable[None]],
    ) -> None:
        """Before Faust gives up its partitions: commit and end the transactions of
        everything handled so far, abort what could not be committed, and let no
        event be handled until Faust has stopped reading.  Faust forgets the
        acknowledged offsets of revoked partitions before its own commit, then
        reads kept ones again from their committed offsets: without this, what was
        handled since the last commit went out twice in one transaction."""
        async with self.closed():
            await self.commit(commit, start_new_transaction=False)
            async with self._warn_if_slow("a rebalance waits for the open transactions to abort"):
                await abort_open_transactions()
            async with self._warn_if_slow("a rebalance waits for Faust's revoke"):
                await revoke()
            self.generation += 1

    @asynccontextmanager
    async def _warn_if_slow(self, what: str | Callable[[], str]) -> AsyncIterator[None]:
        """Log ``what`` is waited for while the wait lasts longer than ``slow_wait_s``."""
        started = time.monotonic()

        async def warn() -> None:
            while True:
                await asyncio.sleep(self.slow_wait_s)
                log.warning(
                    "exactly_once: %s (%.0f s so far)",
                    what() if callable(what) else what,
                    time.monotonic() - started,
                )

        warning = asyncio.ensure_future(warn())
        try:
            yield
        finally:
            warning.cancel()


def use_commit_gate(app: faust.App, gate: CommitGate) -> None:
    """Route the consumer's commits (timer, rebalance, stop) and its handling of
    revoked partitions through ``gate``.

    Installed at the first rebalance, before any partition is assigned: Faust makes
    its consumer when the worker starts, and the consumer must not be made earlier
    (it reads then whether the app runs in transactions)."""

    def install(sender: object, *args: object, **kwargs: object) -> None:
        consumer = app.consumer
        if getattr(consumer, "liveblog_commit_gate", None) is gate:
            return
        force_commit = consumer.force_commit
        on_partitions_revoked = consumer.on_partitions_revoked

        async def gated_force_commit(*args: Any, **kwargs: Any) -> bool:
            return await gate.commit(force_commit, *args, **kwargs)

        async def gated_on_partitions_revoked(revoked: set) -> None:
            await gate.rebalance(
                force_commit,
                partial(abort_open_transactions, app),
                partial(on_partitions_revoked, revoked),
            )

        consumer.force_commit = gated_force_commit  # type: ignore[method-assign]
        consumer.on_partitions_revoked = gated_on_partitions_revoked  # type: ignore[method-assign]
        consumer.liveblog_commit_gate = gate  # type: ignore[attr-defined]
        ask_the_broker_for_highwaters(consumer)

    app.on_partitions_revoked.connect(install)
    app.on_partitions_assigned.connect(install)


def ask_the_broker_for_highwaters(consumer: Any) -> None:
    """Under transactions Faust takes a changelog's end for its restore from the last
    fetch response (``last_stable_offset``), which is unknown (-1) for a partition not
    fetched yet since the rebalance; a worker given back a partition it had before
    then crashed (``ConsistencyError``: persisted offset higher than the highwater).
    Those are asked of the broker (a read_committed consumer's end offsets are the
    last stable offsets); the others are taken as Faust does, since a look-up took
    1.3 s here."""
    thread = consumer._thread

    async def highwaters(partitions: Any) -> Any:
        client = thread._ensure_consumer()
        offsets = {tp: client.last_stable_offset(tp) for tp in partitions}
        unknown = [tp for tp, offset in offsets.items() if offset is None]
        if unknown:
            offsets.update(await client.end_offsets(unknown))
        return offsets

    thread._highwaters = highwaters


async def abort_open_transactions(app: faust.App) -> None:
    """Abort every transaction still open: its records belong to events that were
    not committed, which their partitions' owners read again."""
    producer = app.producer
    for transactional_id, transactional in list(producer._transaction_producers.items()):
        manager = transactional._txn_manager
        if manager is not None and manager.is_in_transaction():
            await producer.abort_transaction(transactional_id)


#: How long Faust's restore waits for a changelog record before it checks whether it
#: has read past the end (twice in a row: the end markers).
RESTORE_IDLE_WAIT_S = 0.2


class _ShortWaitAsyncio:
    """``asyncio`` as ``faust.tables.recovery`` sees it: waits capped at
    ``RESTORE_IDLE_WAIT_S``.  Its only ``wait_for`` is the restore's idle wait."""

    def __getattr__(self, name: str) -> Any:
        return getattr(asyncio, name)

    @staticmethod
    async def wait_for(awaitable: Awaitable[Any], timeout: float | None) -> Any:
        capped = RESTORE_IDLE_WAIT_S if timeout is None else min(timeout, RESTORE_IDLE_WAIT_S)
        return await asyncio.wait_for(awaitable, capped)


def shorten_restore_idle_wait() -> None:
    """Make Faust's table restore notice sooner that it has read a changelog to its
    end marker (under exactly_once only: without transactions there is no marker)."""
    import faust.tables.recovery

    faust.tables.recovery.asyncio = _ShortWaitAsyncio()  # type: ignore[assignment]


def discard_unclean_tables(table_dir: Path) -> list[Path]:
    """Remove the local table stores unless the last stop ended its transactions
    (the marker is taken away either way: a crash from now on leaves none).  Returns
    what was removed; Faust restores it from the changelogs."""
    marker = table_dir / CLEAN_STOP_MARKER
    if marker.exists():
        marker.unlink()
        return []
    removed = sorted(table_dir.glob("*.db")) if table_dir.is_dir() else []
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
    if removed:
        log.warning(
            "exactly_once: the last stop did not end its transactions, so the local "
            "tables may hold aborted writes; removed %d store(s) under %s, restoring "
            "them from the changelogs",
            len(removed),
            table_dir,
        )
    return removed


def mark_clean_stop(table_dir: Path) -> None:
    table_dir.mkdir(parents=True, exist_ok=True)
    (table_dir / CLEAN_STOP_MARKER).touch()
