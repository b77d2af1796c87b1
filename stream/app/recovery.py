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
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import faust

log = logging.getLogger("liveblog.recovery")


def seek_before_resuming(app: faust.App) -> None:
    """Hold back the resume of the app's input partitions until Faust has seeked
    them to their committed offsets (installed at the first rebalance, once the
    consumer exists)."""

    def install(sender: object, *args: object, **kwargs: object) -> None:
        consumer = app.consumer
        if getattr(consumer, "liveblog_seek_before_resuming", False):
            return
        changelogs = app.tables.changelog_topics
        hold_resume_until_seeked(consumer, lambda tp: tp.topic in changelogs)
        fetch_what_is_active_when_asked(consumer)
        consumer.liveblog_seek_before_resuming = True  # type: ignore[attr-defined]

    app.on_partitions_revoked.connect(install)
    app.on_partitions_assigned.connect(install)


def hold_resume_until_seeked(consumer: Any, is_changelog: Callable[[Any], bool]) -> None:
    """Make ``consumer.resume_partitions`` resume changelog partitions at once (the
    restore reads them) and hold the others until the next ``perform_seek`` has
    succeeded."""
    resume_partitions = consumer.resume_partitions
    perform_seek = consumer.perform_seek
    held: set = set()

    def resume_once_seeked(partitions: Iterable[Any]) -> None:
        partitions = set(partitions)
        changelog = {tp for tp in partitions if is_changelog(tp)}
        held.update(partitions - changelog)
        log.debug("holding %s until they are seeked", sorted(partitions - changelog))
        if changelog:
            resume_partitions(changelog)

    async def seek_then_resume() -> None:
        waiting = set(held)
        # Raised or cancelled (Faust also seeks from its fetch loop, which it may
        # cancel), the partitions stay held for the next seek: resumed unseeked is
        # the bug, and forgotten they would never be fetched again.
        await perform_seek()
        resuming = waiting & held
        held.difference_update(resuming)
        log.debug("seeked to committed offsets; resuming %s", sorted(resuming))
        if resuming:
            resume_partitions(resuming)

    consumer.resume_partitions = resume_once_seeked
    consumer.perform_seek = seek_then_resume


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
