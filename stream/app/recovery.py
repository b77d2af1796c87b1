"""Input partitions resumed only once they are seeked to their committed offsets.

When a table restore ends, Faust (0.15.3, ``Recovery._resume_streams`` and
``Recovery.on_recovery_completed``) resumes the input partitions and *then* seeks
them to their committed offsets.  Records fetched in between reach the agents, the
seek moves the position back under them, and Faust's bookkeeping of read offsets
goes wrong: records after the seek are dropped as already read, or a gap is
recorded that covers records never handled, and Faust counts a gap as acknowledged.
Seen in the kill -9 fault scenario: pages acknowledged and committed with no
output (lost entries), and an offset never acknowledged that held a partition's
commits back for good (the worker looked stalled).  faust-streaming#216 describes
the same race; its fix (#217) put the seek first, and the code has the old order
again.  Here the input partitions stay paused until the seek is done.

Holding them paused made a second gap matter: Faust hands aiokafka its live set of
active partitions, and an empty set there means *every* partition.  When the end of
a restore paused the changelogs while a fetch was waiting, the set became empty,
aiokafka handed over the held input records, and Faust dropped them as coming from
inactive partitions; with no committed offset to seek back to, a worker's first
start then skipped its whole backlog.  Each fetch now gets a copy of the set.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import faust

log = logging.getLogger("liveblog.recovery")

#: Input partitions held this long outside a rebalance are seeked and resumed by a
#: timer: Faust seeks right after it resumes, so a hold that lasts means that seek
#: was lost (cancelled or timed out), and the partitions would never be read again.
HELD_TOO_LONG_S = 10.0
CHECK_HELD_EVERY_S = 5.0


def seek_before_resuming(app: faust.App) -> None:
    """Hold back the resume of the app's input partitions until Faust has seeked
    them to their committed offsets (installed at the first rebalance, once the
    consumer exists), with a timer that seeks partitions held too long."""
    installed: list[HeldPartitions] = []

    def install(sender: object, *args: object, **kwargs: object) -> None:
        consumer = app.consumer
        if getattr(consumer, "liveblog_seek_before_resuming", False):
            return
        installed.append(
            hold_resume_until_seeked(
                consumer, consumer._is_changelog_tp, is_rebalancing=lambda: app.rebalancing
            )
        )
        fetch_what_is_active_when_asked(consumer)
        consumer.liveblog_seek_before_resuming = True  # type: ignore[attr-defined]

    async def seek_partitions_held_too_long() -> None:
        for held in installed:
            await held.seek_if_held_too_long()

    app.on_partitions_revoked.connect(install)
    app.on_partitions_assigned.connect(install)
    app.timer(CHECK_HELD_EVERY_S, name="seek_held_partitions")(seek_partitions_held_too_long)


@dataclass
class HeldPartitions:
    """Input partitions Faust resumed that wait for a seek (``hold_resume_until_seeked``)."""

    resume_partitions: Callable[[Iterable[Any]], None]
    perform_seek: Callable[[], Any]
    assignment: Callable[[], Iterable[Any]]
    is_changelog: Callable[[Any], bool]
    is_rebalancing: Callable[[], bool]
    held_too_long_s: float = HELD_TOO_LONG_S
    partitions: set = field(default_factory=set)
    since: float | None = None

    def resume_once_seeked(self, partitions: Iterable[Any]) -> None:
        changelog, inputs = set(), set()
        for tp in partitions:
            (changelog if self.is_changelog(tp) else inputs).add(tp)
        if inputs:
            self.partitions.update(inputs)
            self.since = self.since or time.monotonic()
            log.debug("holding %s until they are seeked", sorted(inputs))
        if changelog:
            self.resume_partitions(changelog)

    async def seek_then_resume(self) -> None:
        waiting = set(self.partitions)
        # Raised or cancelled (Faust also seeks from its fetch loop, which it may
        # cancel), the partitions stay held for the next seek: resumed unseeked is
        # the bug, and forgotten they would never be fetched again.
        await self.perform_seek()
        resuming = waiting & self.partitions
        self.partitions.difference_update(resuming)
        # Any still held were resumed while this seek ran: the next one is theirs.
        self.since = time.monotonic() if self.partitions else None
        # A partition revoked meanwhile is not resumed: it is not this worker's.
        resuming &= set(self.assignment())
        log.debug("seeked to committed offsets; resuming %s", sorted(resuming))
        if resuming:
            self.resume_partitions(resuming)

    async def seek_if_held_too_long(self) -> bool:
        """Seek and resume partitions held longer than ``held_too_long_s`` outside a
        rebalance; returns whether it did."""
        if self.since is None or self.is_rebalancing():
            return False
        held_s = time.monotonic() - self.since
        if held_s < self.held_too_long_s:
            return False
        log.warning(
            "input partitions %s were held for %.0f s waiting for a seek to their "
            "committed offsets that did not come; seeking them now",
            sorted(self.partitions),
            held_s,
        )
        await self.seek_then_resume()
        return True


def hold_resume_until_seeked(
    consumer: Any,
    is_changelog: Callable[[Any], bool],
    is_rebalancing: Callable[[], bool] = lambda: False,
) -> HeldPartitions:
    """Make ``consumer.resume_partitions`` resume changelog partitions at once (the
    restore reads them) and hold the others until the next ``perform_seek`` has
    succeeded."""
    held = HeldPartitions(
        resume_partitions=consumer.resume_partitions,
        perform_seek=consumer.perform_seek,
        assignment=consumer.assignment,
        is_changelog=is_changelog,
        is_rebalancing=is_rebalancing,
    )
    consumer.resume_partitions = held.resume_once_seeked
    consumer.perform_seek = held.seek_then_resume
    return held


def fetch_what_is_active_when_asked(consumer: Any) -> None:
    """Give each fetch a copy of the active partitions, and none when there are none:
    aiokafka reads an empty set as all partitions, and Faust drops what comes back
    for partitions it does not count as active."""
    getmany = consumer._getmany

    async def getmany_of_a_copy(active_partitions: Any, timeout: float) -> Any:
        if active_partitions is None:  # a client-only app: every partition, as Faust means
            return await getmany(None, timeout)
        partitions = set(active_partitions)
        if not partitions:
            await asyncio.sleep(min(timeout, 1.0))
            return {}
        return await getmany(partitions, timeout)

    consumer._getmany = getmany_of_a_copy
