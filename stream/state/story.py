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
from dataclasses import asdict, dataclass

import orjson

from stream.contract import EntryValue


@dataclass(frozen=True, slots=True)
class EntryState:
    revision: int
    fingerprint: str

    def to_bytes(self) -> bytes:
        return orjson.dumps([self.revision, self.fingerprint])

    @classmethod
    def from_bytes(cls, raw: bytes) -> EntryState:
        revision, fingerprint = orjson.loads(raw)
        return cls(revision, fingerprint)


@dataclass(frozen=True, slots=True)
class StoryState:
    story_id: str
    title: str
    url: str | None
    lang: str | None
    first_seen: str
    last_seen: str
    scrapes: int
    entries: int  # distinct entries emitted
    revisions: int  # entry messages emitted, first revisions included
    dead_letters: int
    newest_posted_at: str | None
    chain_count: int = 0
    chain_digest: str = ""

    def to_bytes(self) -> bytes:
        return orjson.dumps(asdict(self))

    @classmethod
    def from_bytes(cls, raw: bytes) -> StoryState:
        return cls(**orjson.loads(raw))


@dataclass(slots=True)
class ScrapePlan:
    """What to do for one scrape: send ``emissions`` (in order), then record the
    ``entry_writes`` and ``story``.  ``lookups`` counts entry-table reads."""

    emissions: list[EntryValue]
    entry_writes: dict[str, EntryState]
    story: StoryState
    lookups: int


def fingerprint(entry: EntryValue) -> str:
    """What makes an entry "changed": headline, body, labels, captions, update time."""
    return hashlib.blake2b(_content(entry), digest_size=12).hexdigest()


CHECKPOINT_EVERY = 64


def chain_checkpoints(entries: Sequence[EntryValue]) -> list[tuple[int, str]]:
    """(count, digest of the oldest ``count`` entries) every ``CHECKPOINT_EVERY`` entries."""
    running = hashlib.blake2b(digest_size=16)
    checkpoints = []
    for count, entry in enumerate(entries, start=1):
        running.update(entry["entry_id"].encode())
        running.update(_content(entry))
        if count % CHECKPOINT_EVERY == 0:
            checkpoints.append((count, running.hexdigest()))
    return checkpoints


def _content(entry: EntryValue) -> bytes:
    return orjson.dumps(
        [entry["headline"], entry["body"], entry["labels"], entry["captions"], entry["updated_at"]]
    )


def plan_scrape(
    story_id: str,
    title: str,
    url: str | None,
    lang: str | None,
    entries: Sequence[EntryValue],
    dead_letters: int,
    seen_at: str,
    stored_story: StoryState | None,
    lookup: Callable[[str], EntryState | None],
    checkpoints: Sequence[tuple[int, str]] | None = None,
) -> ScrapePlan:
    """Diff one scrape's entries (oldest first, revision 1) against the story state.

    ``checkpoints`` are ``chain_checkpoints(entries)``, computed here when not given.
    """
    if checkpoints is None:
        checkpoints = chain_checkpoints(entries)
    by_count = dict(checkpoints)
    # The oldest entries that hash as they did last time need no look-up.
    unchanged_prefix = 0
    if (
        stored_story is not None
        and stored_story.chain_count > 0
        and by_count.get(stored_story.chain_count) == stored_story.chain_digest
    ):
        unchanged_prefix = stored_story.chain_count

    emissions: list[EntryValue] = []
    writes: dict[str, EntryState] = {}
    lookups = 0
    new_entries = 0
    for index in range(unchanged_prefix, len(entries)):
        entry = entries[index]
        entry_fingerprint = fingerprint(entry)
        lookups += 1
        stored = writes.get(entry["entry_id"]) or lookup(entry["entry_id"])
        if stored is not None and stored.fingerprint == entry_fingerprint:
            continue
        revision = 1 if stored is None else stored.revision + 1
        new_entries += stored is None
        writes[entry["entry_id"]] = EntryState(revision, entry_fingerprint)
        emissions.append({**entry, "revision": revision})

    newest = entries[-1]["posted_at"] if entries else None  # entries run oldest first
    if stored_story is not None and stored_story.newest_posted_at:
        newest = max(newest or "", stored_story.newest_posted_at)
    story = StoryState(
        story_id=story_id,
        title=title,
        url=url,
        lang=lang,
        first_seen=stored_story.first_seen if stored_story else seen_at,
        last_seen=seen_at,
        scrapes=(stored_story.scrapes if stored_story else 0) + 1,
        entries=(stored_story.entries if stored_story else 0) + new_entries,
        revisions=(stored_story.revisions if stored_story else 0) + len(emissions),
        dead_letters=(stored_story.dead_letters if stored_story else 0) + dead_letters,
        newest_posted_at=newest,
        chain_count=checkpoints[-1][0] if checkpoints else 0,
        chain_digest=checkpoints[-1][1] if checkpoints else "",
    )
    return ScrapePlan(emissions, writes, story, lookups)
