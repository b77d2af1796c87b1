"""Entry states kept in blocks: one table record per story and hour of posting.

A page of a new story writes all its entries' states, and each table record is a
RocksDB write and a changelog record: one record per entry made the state the
worker's largest cost after the entries themselves (``bench/e2e.py``).  Entries
posted in the same hour share a record, so a page costs about one record per hour
it touches, while a re-scrape still reads and writes only the blocks of its new
and edited entries: the latest hour, whatever the story's length.  A block holds
what one hour of a live blog posts (tens of entries, about 60 bytes each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

import orjson

from stream.contract import EntryValue
from stream.state.story import EntryState


class Table(Protocol):
    """What the state is kept in: a dict in tests, a worker table in the app
    (``stream.app.tables``)."""

    def get(self, key: bytes, /) -> bytes | None: ...

    def __setitem__(self, key: bytes, value: bytes, /) -> None: ...


def block_key(story_id: str, posted_at: str) -> bytes:
    """The record holding an entry's state: its story and the UTC hour it was posted."""
    return f"{story_id}/{posted_at[:13]}".encode()


def encode_block(states: Mapping[str, EntryState]) -> bytes:
    return orjson.dumps({entry_id: state.to_list() for entry_id, state in states.items()})


def decode_block(raw: bytes) -> dict[str, EntryState]:
    return {
        entry_id: EntryState.from_list(stored) for entry_id, stored in orjson.loads(raw).items()
    }


class EntryBlocks:
    """The entry states of one page's story, read and written a block at a time.

    ``get`` is the look-up ``plan_scrape`` takes; ``write`` stores its ``entry_writes``
    with one table write per block touched.  Each block is read at most once.
    """

    def __init__(self, table: Table, story_id: str, entries: Sequence[EntryValue]) -> None:
        self._table = table
        self._story_id = story_id
        # Indexed from the newest entry back, as far as look-ups need: a re-scrape
        # looks up only its newest entries, and its state work must not grow with
        # the story's length.
        self._posted_at: dict[str, str] = {}
        self._unindexed = reversed(entries)
        # Blocks as stored (entry id -> ``EntryState.to_list()``): only the entries
        # looked up are made states, only those written are stored anew.
        self._loaded: dict[bytes, dict[str, list]] = {}

    def get(self, entry_id: str) -> EntryState | None:
        stored = self._block(self._key(entry_id)).get(entry_id)
        return EntryState.from_list(stored) if stored is not None else None

    def write(self, states: Mapping[str, EntryState]) -> None:
        """Store ``states``, one table write per block they fall in."""
        touched: dict[bytes, dict[str, list]] = {}
        for entry_id, state in states.items():
            key = self._key(entry_id)
            block = touched[key] = self._block(key)
            block[entry_id] = state.to_list()
        for key, block in touched.items():
            self._table[key] = orjson.dumps(block)

    def _key(self, entry_id: str) -> bytes:
        posted_at = self._posted_at.get(entry_id)
        while posted_at is None:
            entry = next(self._unindexed, None)
            if entry is None:
                raise KeyError(f"entry {entry_id} is not on this page")
            self._posted_at[entry["entry_id"]] = entry["posted_at"]
            if entry["entry_id"] == entry_id:
                posted_at = entry["posted_at"]
        return block_key(self._story_id, posted_at)

    def _block(self, key: bytes) -> dict[str, list]:
        block = self._loaded.get(key)
        if block is None:
            raw = self._table.get(key)
            block = self._loaded[key] = orjson.loads(raw) if raw else {}
        return block
