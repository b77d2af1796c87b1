"""Per-story state: what was already emitted, and what a new scrape adds or edits.

Pure functions over plain values; the stream shell (``stream.app.app``) keeps the
values in Faust tables.  Two tables:

- stories: story_id -> ``StoryState`` (counts, first and last seen, and a digest
  of the entries seen so far);
- entries: entry_id -> ``EntryState`` (last revision and a fingerprint of content).

A live blog grows at the top: a re-scrape usually repeats every older entry
unchanged.  ``chain_checkpoints`` hashes a page's entries oldest first and keeps
the digest every ``CHECKPOINT_EVERY`` entries; it runs in the parsing stage, which
reads the whole page anyway.  The story remembers one checkpoint, and when the new
scrape has the same digest there, the entries up to it need no look-up and no
work at all: the state work for one new entry on a 2,000-entry story is that of
at most ``CHECKPOINT_EVERY`` entries, whatever the story's length.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import orjson

from stream.contract import EntryValue

#: How many recent (page, revision) writes an entry remembers, for replays.
WRITES_KEPT = 8


@dataclass(frozen=True, slots=True)
class EntryState:
    revision: int
    fingerprint: str
    #: (``Scrape.write_id`` of the page, revision) of the entry's latest writes, newest
    #: last: a page read again after a crash re-emits the revisions it made (see
    #: ``plan_scrape``).
    writes: tuple[tuple[int, int], ...] = ()

    def to_list(self) -> list:
        """Its stored form, as a JSON array (``stream.state.blocks`` keeps these)."""
        return [self.revision, self.fingerprint, self.writes]

    @classmethod
    def from_list(cls, stored: list) -> EntryState:
        revision, fingerprint, *rest = stored
        writes = tuple((offset, rev) for offset, rev in rest[0]) if rest else ()
        return cls(revision, fingerprint, writes)

    def revision_written_at(self, offset: int) -> int | None:
        for written_offset, revision in self.writes:
            if written_offset == offset:
                return revision
        return None


@dataclass(frozen=True, slots=True)
class StoryState:
    story_id: str
    title: str
    url: str | None
    lang: str | None
    first_seen: str
    last_seen: str  # the newest scrape time applied (pages may arrive out of order)
    scrapes: int
    entries: int  # distinct entries emitted
    revisions: int  # entry messages emitted, first revisions included
    dead_letters: int
    newest_posted_at: str | None
    chain_count: int = 0
    chain_digest: str = ""
    #: Offset (in the story's partition of the pages-by-story topic) of the last page
    #: applied; -1 when unknown.  A page at or below it is a redelivery.
    last_offset: int = -1
    #: The same for pages applied straight from the raw topic (``Scrape.from_raw``),
    #: whose offsets are those of the story's raw partition.
    last_raw_offset: int = -1

    def to_bytes(self) -> bytes:
        return orjson.dumps(self)  # a dataclass: the same JSON as ``asdict``, 10x faster

    @classmethod
    def from_bytes(cls, raw: bytes) -> StoryState:
        return cls(**orjson.loads(raw))


@dataclass(slots=True)
class ScrapePlan:
    """What to do for one scrape: record the ``entry_writes`` and ``story``, and send
    ``emissions`` (in order).  ``lookups`` counts entry-table reads."""

    emissions: list[EntryValue]
    entry_writes: dict[str, EntryState]
    story: StoryState
    lookups: int


def fingerprint(entry: EntryValue) -> str:
    """What makes an entry "changed": headline, body, labels, captions, update time."""
    return hashlib.blake2b(_content(entry), digest_size=12).hexdigest()


#: A digest costs one ``hexdigest`` of the running hash; a short interval keeps a
#: re-scrape's look-ups to its new entries and at most this many before them.
CHECKPOINT_EVERY = 16


def fingerprints_of(entries: Sequence[EntryValue]) -> list[str]:
    """Each entry's ``fingerprint``, in order: the parsing stage computes them once,
    for the checkpoints and for the diff."""
    return [fingerprint(entry) for entry in entries]


def chain_checkpoints(
    entries: Sequence[EntryValue], fingerprints: Sequence[str] | None = None
) -> list[tuple[int, str]]:
    """(count, digest of the oldest ``count`` entries) every ``CHECKPOINT_EVERY`` entries.

    The chain hashes each entry's id and fingerprint (``fingerprints_of(entries)``,
    computed here when not given)."""
    if fingerprints is None:
        fingerprints = fingerprints_of(entries)
    running = hashlib.blake2b(digest_size=16)
    checkpoints = []
    for count, (entry, entry_fingerprint) in enumerate(
        zip(entries, fingerprints, strict=True), start=1
    ):
        running.update(entry["entry_id"].encode())
        running.update(entry_fingerprint.encode())
        if count % CHECKPOINT_EVERY == 0:
            checkpoints.append((count, running.hexdigest()))
    return checkpoints


def _content(entry: EntryValue) -> bytes:
    return orjson.dumps(
        [entry["headline"], entry["body"], entry["labels"], entry["captions"], entry["updated_at"]]
    )


@dataclass(frozen=True, slots=True)
class Scrape:
    """One parsed page of a story, as the diff step receives it."""

    story_id: str
    title: str
    url: str | None
    lang: str | None
    entries: Sequence[EntryValue]  # oldest first, revision 1
    dead_letters: int = 0
    seen_at: str = ""
    #: ``chain_checkpoints(entries)``, computed by ``plan_scrape`` when None.
    checkpoints: Sequence[tuple[int, str]] | None = None
    #: ``fingerprints_of(entries)``, computed by ``plan_scrape`` when None.
    fingerprints: Sequence[str] | None = None
    #: The page's offset in the partition it was read from (of the pages-by-story
    #: topic, or of the raw topic when ``from_raw``); -1 when it has none.
    offset: int = -1
    #: Read straight from the raw topic: the raw record already sat on the story's
    #: partition, so the parse step applied it without the pages-by-story hop.
    from_raw: bool = False
    #: Where the raw page itself sits (``raw_position``), the same however often it is
    #: sent to the pages-by-story topic: after an aborted transaction (exactly_once),
    #: it comes again only at a new offset.  -1: pages are identified by ``offset``
    #: (at-least-once, where the page itself is read again).
    raw_position: int = -1

    def fingerprint_at(self, index: int) -> str:
        """The fingerprint of ``entries[index]``: given, or computed now."""
        if self.fingerprints is None:
            return fingerprint(self.entries[index])
        return self.fingerprints[index]

    @property
    def write_id(self) -> int:
        """What an entry state remembers of the page that wrote it."""
        if self.raw_position >= 0:
            return self.raw_position
        if self.from_raw and self.offset >= 0:
            return RAW_OFFSET_IDS + self.offset  # apart from pages-by-story offsets
        return self.offset

    def is_redelivery(self, stored: StoryState | None) -> bool:
        """Was this page applied already (read again after a crash)?"""
        if stored is None or self.offset < 0:
            return False
        return self.offset <= (stored.last_raw_offset if self.from_raw else stored.last_offset)


#: Write ids of pages applied straight from the raw topic start here (see ``write_id``).
RAW_OFFSET_IDS = 2**62


def raw_position(partition: int, offset: int) -> int:
    """One number for a raw page's partition and offset."""
    return partition * 2**40 + offset


Lookup = Callable[[str], EntryState | None]


def plan_scrape(scrape: Scrape, stored_story: StoryState | None, lookup: Lookup) -> ScrapePlan:
    """Diff one scrape's entries against the story state.

    The app writes the plan's state inside the page's own stream iteration, before
    its entries are delivered.  If the worker dies in between, the page is read
    again at the same offset while the state already holds it: that replay re-emits
    exactly the revisions the first pass made (same entry ids and revisions, so a
    consumer sees at most a duplicate) and changes no state.
    """
    if scrape.is_redelivery(stored_story):
        return _plan_replay(scrape, stored_story, lookup)
    if scrape.checkpoints is None:
        fingerprints = scrape.fingerprints or fingerprints_of(scrape.entries)
        checkpoints = chain_checkpoints(scrape.entries, fingerprints)
        scrape = replace(scrape, checkpoints=checkpoints, fingerprints=fingerprints)
    checkpoints = scrape.checkpoints
    by_count = dict(checkpoints)
    # The oldest entries that hash as they did last time need no look-up.
    unchanged_prefix = 0
    if (
        stored_story is not None
        and stored_story.chain_count > 0
        and by_count.get(stored_story.chain_count) == stored_story.chain_digest
    ):
        unchanged_prefix = stored_story.chain_count

    # A scrape older than one the story has already seen (scrapers retry, topics are
    # replayed) may add entries the story never had, but never edits one: its text
    # is older than what consumers already have.
    older = is_older_scrape(scrape, stored_story)
    emissions: list[EntryValue] = []
    writes: dict[str, EntryState] = {}
    lookups = 0
    new_entries = 0
    entries = scrape.entries
    for index in range(unchanged_prefix, len(entries)):
        entry = entries[index]
        # Not given: only the entries after the unchanged prefix are hashed.
        entry_fingerprint = scrape.fingerprint_at(index)
        lookups += 1
        stored = writes.get(entry["entry_id"]) or lookup(entry["entry_id"])
        if stored is not None and scrape.write_id >= 0 and entry["entry_id"] not in writes:
            # This very page wrote the entry before a crash, and the story's own write
            # was lost (changelog records are flushed in batches, in any order): emit
            # what it emitted then, as a replay would.
            replayed = stored.revision_written_at(scrape.write_id)
            if replayed is not None:
                emissions.append({**entry, "revision": replayed})
                continue
        if stored is not None and (stored.fingerprint == entry_fingerprint or older):
            continue
        revision = 1 if stored is None else stored.revision + 1
        new_entries += stored is None
        history = stored.writes if stored is not None else ()
        writes[entry["entry_id"]] = EntryState(
            revision, entry_fingerprint, (*history, (scrape.write_id, revision))[-WRITES_KEPT:]
        )
        emissions.append({**entry, "revision": revision})
    if older and stored_story is not None:
        # The story's checkpoint and identity stay those of its newest scrape.
        checkpoints = [(stored_story.chain_count, stored_story.chain_digest)]
        scrape = replace(scrape, title=stored_story.title, url=stored_story.url)
    story = _next_story_state(scrape, stored_story, checkpoints, new_entries, len(emissions))
    return ScrapePlan(emissions, writes, story, lookups)


def is_older_scrape(scrape: Scrape, stored: StoryState | None) -> bool:
    """Was this page scraped before the newest scrape the story has applied?"""
    return bool(
        stored is not None
        and scrape.seen_at
        and stored.last_seen
        and scrape.seen_at < stored.last_seen
    )


def _plan_replay(scrape: Scrape, stored_story: StoryState, lookup: Lookup) -> ScrapePlan:
    """A page read again after its state was written: emit what it emitted then.

    An entry with no state at all lost its write (the story's was kept): it is new.
    """
    emissions: list[EntryValue] = []
    writes: dict[str, EntryState] = {}
    for index, entry in enumerate(scrape.entries):
        stored = lookup(entry["entry_id"])
        if stored is None:
            revision = 1
            made = scrape.fingerprint_at(index)
            writes[entry["entry_id"]] = EntryState(1, made, ((scrape.write_id, 1),))
        else:
            revision = stored.revision_written_at(scrape.write_id)
        if revision is not None:
            emissions.append({**entry, "revision": revision})
    return ScrapePlan(emissions, writes, stored_story, len(scrape.entries))


def _next_story_state(
    scrape: Scrape,
    stored: StoryState | None,
    checkpoints: Sequence[tuple[int, str]],
    new_entries: int,
    emitted: int,
) -> StoryState:
    newest = scrape.entries[-1]["posted_at"] if scrape.entries else None  # oldest first
    if stored is not None and stored.newest_posted_at:
        newest = max(newest or "", stored.newest_posted_at)
    last_offset = stored.last_offset if stored else -1
    last_raw_offset = stored.last_raw_offset if stored else -1
    if scrape.from_raw:
        last_raw_offset = max(last_raw_offset, scrape.offset)
    else:
        last_offset = max(last_offset, scrape.offset)
    return StoryState(
        story_id=scrape.story_id,
        title=scrape.title,
        url=scrape.url,
        lang=scrape.lang,
        first_seen=min(stored.first_seen or scrape.seen_at, scrape.seen_at or stored.first_seen)
        if stored
        else scrape.seen_at,
        last_seen=max(stored.last_seen, scrape.seen_at) if stored else scrape.seen_at,
        scrapes=(stored.scrapes if stored else 0) + 1,
        entries=(stored.entries if stored else 0) + new_entries,
        revisions=(stored.revisions if stored else 0) + emitted,
        dead_letters=(stored.dead_letters if stored else 0) + scrape.dead_letters,
        newest_posted_at=newest,
        chain_count=checkpoints[-1][0] if checkpoints else 0,
        chain_digest=checkpoints[-1][1] if checkpoints else "",
        last_offset=last_offset,
        last_raw_offset=last_raw_offset,
    )
