"""Per-story state: what was already emitted, and what a new scrape adds or edits.

Pure functions over plain values; the stream shell (``stream.worker``) keeps the
values in Faust tables.  Two tables:

- stories: story_id -> ``StoryState`` (counts, first and last seen, and a digest
  of the entries seen so far);
- entries: entry_id -> ``EntryState`` (last revision and a fingerprint of content).

A live blog grows at the top: a re-scrape usually repeats every older entry
unchanged.  ``StoryState.chain_digest`` hashes the story's entries oldest first,
so a scrape whose oldest ``chain_count`` entries hash to the same digest needs no
look-ups for them: the state work for one new entry on a 2,000-entry story is
the work for one entry.
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
    content = orjson.dumps(
        [entry["headline"], entry["body"], entry["labels"], entry["captions"], entry["updated_at"]]
    )
    return hashlib.blake2b(content, digest_size=12).hexdigest()


def _chain(previous: bytes, entry_id: str, entry_fingerprint: str) -> bytes:
    return hashlib.blake2b(
        previous + entry_id.encode() + entry_fingerprint.encode(), digest_size=16
    ).digest()


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
) -> ScrapePlan:
    """Diff one scrape's entries (oldest first, revision 1) against the story state."""
    fingerprints = [fingerprint(entry) for entry in entries]
    digests: list[bytes] = []
    running = b""
    for entry, entry_fingerprint in zip(entries, fingerprints, strict=True):
        running = _chain(running, entry["entry_id"], entry_fingerprint)
        digests.append(running)

    # The oldest entries that hash as they did last time need no look-up.
    unchanged_prefix = 0
    if (
        stored_story is not None
        and 0 < stored_story.chain_count <= len(entries)
        and digests[stored_story.chain_count - 1].hex() == stored_story.chain_digest
    ):
        unchanged_prefix = stored_story.chain_count

    emissions: list[EntryValue] = []
    writes: dict[str, EntryState] = {}
    lookups = 0
    new_entries = 0
    for index in range(unchanged_prefix, len(entries)):
        entry, entry_fingerprint = entries[index], fingerprints[index]
        lookups += 1
        stored = writes.get(entry["entry_id"]) or lookup(entry["entry_id"])
        if stored is not None and stored.fingerprint == entry_fingerprint:
            continue
        revision = 1 if stored is None else stored.revision + 1
        new_entries += stored is None
        writes[entry["entry_id"]] = EntryState(revision, entry_fingerprint)
        emissions.append({**entry, "revision": revision})

    newest = max((e["posted_at"] for e in entries), default=None)
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
        chain_count=len(entries),
        chain_digest=digests[-1].hex() if digests else "",
    )
    return ScrapePlan(emissions, writes, story, lookups)
