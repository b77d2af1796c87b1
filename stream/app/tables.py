"""The worker's tables, read and written beneath Faust's table layer.

Faust makes a table write a dictionary assignment: the store is written, and a
changelog record goes into the producer's buffer, from which a task of the buffer
sends it on its own, and whose delivery callback saves the changelog offset.  That
path cost about 100 µs a write (a py-spy profile of a 10,000-page backlog: 12% of
the worker for 2.4 writes a page), and the record could reach Kafka after the
offset of the page that wrote it was committed.  A read went through three mapping
layers and asked RocksDB twice (``key in`` before ``[key]``).

Here, as in Kafka Streams (whose changelogging stores send through the task's
record collector), a write puts the value in the partition's local store and makes
its changelog record one of the page's own records: delivered before the page is
acknowledged, and under exactly_once in the page's transaction.  Reads ask the
local store once.  The stores, changelog topics, restores and standbys are still
Faust's: a record here is the record Faust would have sent.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from faust import current_event
from faust.stores.base import SerializedStore
from faust.types import TP

from stream.app.delivery import Send

#: What a changelog record is, for ``Send.kind`` (no metric counts it).
CHANGELOG_KIND = "changelog"


class ChangelogRecords:
    """The changelog records of the table writes made since they were last taken."""

    def __init__(self) -> None:
        self._records: list[Send] = []

    def add(self, record: Send) -> None:
        self._records.append(record)

    def take(self) -> list[Send]:
        records, self._records = self._records, []
        return records


class ChangeloggedTable:
    """A Faust table's local store, read and written for the event being handled.

    ``get`` and item assignment are all the diff step uses (``stream.state.blocks``'
    ``Table``).  They must run inside an agent's event, as Faust's own table access
    must: the event's partition is the table partition."""

    def __init__(self, table: Any, records: ChangelogRecords, persist_offsets: bool) -> None:
        self._table = table
        self._records = records
        #: Save the changelog offsets in the store once delivered, as Faust does
        #: outside transactions (restores then read only what came after them).
        #: Under exactly_once Faust 0.15.3 never saves them (see the README), nor here.
        self._persist_offsets = persist_offsets
        self._topic: str | None = None
        self._saved_at: dict[TP, float] = {}

    def get(self, key: bytes) -> bytes | None:
        store = self._table.data
        if isinstance(store, SerializedStore):
            return store._get(key)
        return store.data.get(key)  # the memory store: a dict of raw bytes

    def __setitem__(self, key: bytes, value: bytes) -> None:
        store = self._table.data
        if isinstance(store, SerializedStore):
            store._set(key, value)
        else:
            store.data[key] = value
        partition = current_event().message.partition
        topic = self._topic = self._topic or self._table.changelog_topic.get_topic_name()
        self._records.add(
            Send(
                topic,
                key,
                value,
                kind=CHANGELOG_KIND,
                partition=partition,
                delivered=partial(self._delivered, store, TP(topic, partition))
                if self._persist_offsets
                else None,
            )
        )

    def _delivered(self, store: Any, tp: TP, metadata: Any) -> None:
        now = time.monotonic()
        if now - self._saved_at.get(tp, -SAVE_OFFSET_EVERY_S) >= SAVE_OFFSET_EVERY_S:
            store.set_persisted_offset(tp, metadata.offset)
            self._saved_at[tp] = now


#: A table partition's changelog offset is saved at most this often.  Each save is a
#: RocksDB write, and Faust made one per table write (1.6% of the worker's time in a
#: profile); a restore reads again at most this long's writes that it need not have.
SAVE_OFFSET_EVERY_S = 1.0
