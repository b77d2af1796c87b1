"""The state diff: new entries are revision 1, edits raise the revision, repeats
emit nothing, and an unchanged history costs no look-ups."""

from __future__ import annotations

from dataclasses import replace

import orjson

from stream.core.process import process_message
from stream.state.story import (
    CHECKPOINT_EVERY,
    EntryState,
    Scrape,
    StoryState,
    chain_checkpoints,
    fingerprints_of,
    plan_scrape,
)
from tests.conftest import SAMPLES


class Store:
    """The entries table as a dict, counting reads."""

    def __init__(self) -> None:
        self.data: dict[str, EntryState] = {}
        self.story: StoryState | None = None
        self.reads = 0

    def get(self, key: str) -> EntryState | None:
        self.reads += 1
        return self.data.get(key)

    def scrape(self, name: str):
        outcome = process_message((SAMPLES / name).read_bytes())
        return self.scrape_entries(outcome.entries, outcome.story_id)

    def scrape_entries(self, entries, story_id="s1", offset=-1, raw=-1, from_raw=False):
        scrape = Scrape(story_id, "Title", None, "en", entries, 0, "2025-02-06T10:00:00Z")
        scrape = replace(scrape, offset=offset, raw_position=raw, from_raw=from_raw)
        plan = plan_scrape(scrape, self.story, self.get)
        self.data.update(plan.entry_writes)
        self.story = plan.story
        return plan


def test_first_scrape_emits_every_entry_as_revision_one() -> None:
    store = Store()
    plan = store.scrape("rescrape-1.msg")
    assert [e["revision"] for e in plan.emissions] == [1, 1]
    assert store.story.scrapes == 1 and store.story.entries == 2 and store.story.revisions == 2


def test_rescrape_with_two_new_and_one_edited_entry_emits_three() -> None:
    store = Store()
    store.scrape("rescrape-1.msg")
    plan = store.scrape("rescrape-2.msg")
    assert [(e["posted_at"], e["revision"]) for e in plan.emissions] == [
        ("2025-02-06T09:40:00Z", 2),
        ("2025-02-06T10:15:00Z", 1),
        ("2025-02-06T10:52:00Z", 1),
    ]
    assert store.story.entries == 4 and store.story.revisions == 5


def test_the_same_page_again_emits_nothing() -> None:
    store = Store()
    store.scrape("rescrape-2.msg")
    assert store.scrape("rescrape-3.msg").emissions == []
    assert store.scrape("rescrape-2.msg").emissions == []
    assert store.story.scrapes == 3


def test_redelivery_before_the_state_was_recorded_repeats_the_same_revisions() -> None:
    store = Store()
    store.scrape("rescrape-1.msg")
    outcome = process_message((SAMPLES / "rescrape-2.msg").read_bytes())
    # processed once, outputs sent, then the worker died before recording the state
    scrape = Scrape(outcome.story_id, "T", None, "en", outcome.entries)
    first = plan_scrape(scrape, store.story, store.get)
    again = plan_scrape(scrape, store.story, store.get)
    assert [(e["entry_id"], e["revision"]) for e in first.emissions] == [
        (e["entry_id"], e["revision"]) for e in again.emissions
    ]


def entries(n: int, edited: int | None = None):
    made = []
    for i in range(n):
        minute = f"{i // 60:02d}:{i % 60:02d}"
        made.append(
            {
                "entry_id": f"e{i}",
                "posted_at": f"2025-01-01T{minute}:00Z",
                "updated_at": None,
                "headline": None,
                "labels": [],
                "captions": [],
                "revision": 1,
                "body": f"Entry {i}" + (" (edited)" if i == edited else ""),
            }
        )
    return made


def test_unchanged_history_needs_no_lookups() -> None:
    store = Store()
    store.scrape_entries(entries(2000))
    store.reads = 0
    plan = store.scrape_entries(entries(2001))
    assert [e["entry_id"] for e in plan.emissions] == ["e2000"]
    # only the entries after the last checkpoint are looked up
    last_checkpoint = 2000 // CHECKPOINT_EVERY * CHECKPOINT_EVERY
    assert plan.lookups == store.reads == 2001 - last_checkpoint
    assert plan.lookups <= CHECKPOINT_EVERY


def test_an_edit_deep_in_history_is_still_found() -> None:
    store = Store()
    store.scrape_entries(entries(50))
    plan = store.scrape_entries(entries(51, edited=3))
    assert [(e["entry_id"], e["revision"]) for e in plan.emissions] == [("e3", 2), ("e50", 1)]
    assert plan.lookups == 51  # the digest no longer matches: every entry is checked


def test_fingerprints_from_the_parse_stage_plan_what_the_diff_would_compute() -> None:
    first, second = entries(40), entries(42, edited=35)
    given, computed = Store(), Store()
    given.scrape_entries(first)
    computed.scrape_entries(first)
    scrape = Scrape("s1", "Title", None, "en", second, 0, "2025-02-06T10:00:00Z")
    with_fingerprints = replace(
        scrape,
        fingerprints=fingerprints_of(second),
        checkpoints=chain_checkpoints(second, fingerprints_of(second)),
    )
    planned = plan_scrape(with_fingerprints, given.story, given.get)
    assert planned == plan_scrape(scrape, computed.story, computed.get)
    assert emitted(planned) == [("e35", 2), ("e40", 1), ("e41", 1)]


def emitted(plan) -> list[tuple[str, int]]:
    return [(e["entry_id"], e["revision"]) for e in plan.emissions]


def test_a_page_redelivered_after_its_state_was_written_emits_the_same_records() -> None:
    # The worker writes state inside the page's iteration, then dies before the
    # entries are delivered: the page comes again at the same offset.
    store = Store()
    first = store.scrape_entries(entries(3), offset=10)
    edited = store.scrape_entries(entries(4, edited=1), offset=11)
    assert emitted(edited) == [("e1", 2), ("e3", 1)]
    state_after = (dict(store.data), store.story)

    assert emitted(store.scrape_entries(entries(3), offset=10)) == emitted(first)
    assert emitted(store.scrape_entries(entries(4, edited=1), offset=11)) == emitted(edited)
    assert (dict(store.data), store.story) == state_after  # a replay changes nothing


def test_a_replayed_page_whose_entry_write_was_lost_emits_it_as_new() -> None:
    store = Store()
    store.scrape_entries(entries(2), offset=5)
    del store.data["e1"]  # the story's changelog record arrived, this entry's did not
    assert emitted(store.scrape_entries(entries(2), offset=5)) == [("e0", 1), ("e1", 1)]
    assert store.data["e1"].revision == 1


def test_a_replayed_page_whose_story_write_was_lost_emits_the_same_records() -> None:
    # The entries' changelog records arrived, the story's did not (kill -9 between
    # two producer batches): the story is missing, or still at its previous scrape.
    store = Store()
    first = store.scrape_entries(entries(2), offset=5)
    store.story = None
    assert emitted(store.scrape_entries(entries(2), offset=5)) == emitted(first)

    store = Store()
    store.scrape_entries(entries(2), offset=5)
    story_before = store.story
    second = store.scrape_entries(entries(3, edited=0), offset=6)
    assert emitted(second) == [("e0", 2), ("e2", 1)]
    store.story = story_before
    data_before = dict(store.data)
    assert emitted(store.scrape_entries(entries(3, edited=0), offset=6)) == emitted(second)
    assert dict(store.data) == data_before  # no revision bumped by the replay


def test_a_raw_page_sent_again_at_a_new_offset_emits_what_its_first_pass_emitted() -> None:
    # exactly_once: the first pass's transaction was aborted, but the local store kept
    # its writes; the raw page is parsed again and comes at a new internal offset.
    store = Store()
    store.scrape_entries(entries(2), offset=5, raw=40)
    first = store.scrape_entries(entries(3, edited=0), offset=6, raw=41)
    data_after, story_after = dict(store.data), store.story
    again = store.scrape_entries(entries(3, edited=0), offset=9, raw=41)
    assert emitted(again) == emitted(first) == [("e0", 2), ("e2", 1)]
    assert dict(store.data) == data_after and store.story.entries == story_after.entries
    # a later scrape (another raw page) with the same text emits nothing
    assert emitted(store.scrape_entries(entries(3, edited=0), offset=10, raw=52)) == []


def test_pages_applied_from_the_raw_topic_and_via_the_hop_keep_apart_offsets() -> None:
    # A story whose scrapers key some pages by its canonical URL (applied where read,
    # at raw offsets) and some otherwise (sent on, at pages-by-story offsets): the
    # two offset sequences say nothing about each other, and neither hides an edit.
    store = Store()
    assert emitted(store.scrape_entries(entries(2), offset=500, from_raw=True)) == [
        ("e0", 1),
        ("e1", 1),
    ]
    hop = store.scrape_entries(entries(3, edited=0), offset=3)
    assert emitted(hop) == [("e0", 2), ("e2", 1)]  # offset 3 < 500 is not a redelivery
    raw = store.scrape_entries(entries(4, edited=1), offset=501, from_raw=True)
    assert emitted(raw) == [("e0", 3), ("e1", 2), ("e3", 1)]  # e0's edit undone, e1 edited
    # each read again after a crash re-emits what it emitted, and only that
    assert emitted(store.scrape_entries(entries(3, edited=0), offset=3)) == emitted(hop)
    assert emitted(store.scrape_entries(entries(4, edited=1), offset=501, from_raw=True)) == (
        emitted(raw)
    )
    assert (store.story.last_offset, store.story.last_raw_offset) == (3, 501)


def test_a_new_page_after_replays_is_diffed_as_usual() -> None:
    store = Store()
    store.scrape_entries(entries(2), offset=5)
    store.scrape_entries(entries(2), offset=5)
    assert emitted(store.scrape_entries(entries(3, edited=0), offset=6)) == [("e0", 2), ("e2", 1)]


def test_entry_state_round_trips_and_reads_the_old_two_field_form() -> None:
    state = EntryState(3, "abc", ((7, 2), (9, 3)))
    assert EntryState.from_list(orjson.loads(orjson.dumps(state.to_list()))) == state
    assert EntryState.from_list(orjson.loads(b'[2,"f"]')) == EntryState(2, "f", ())


def scrape_sample(store: Store, name: str, offset: int) -> list[tuple[str, int, str]]:
    outcome = process_message((SAMPLES / name).read_bytes())
    seen = outcome.entries[0]["source"]["scraped_at"]
    scrape = Scrape(outcome.story_id, "T", None, "en", outcome.entries, 0, seen, offset=offset)
    plan = plan_scrape(scrape, store.story, store.get)
    store.data.update(plan.entry_writes)
    store.story = plan.story
    return [(e["entry_id"], e["revision"], e["body"]) for e in plan.emissions]


def test_out_of_order_scrapes_never_bring_back_older_text() -> None:
    # newest, oldest, middle, newest again: as a replayed or retried topic delivers them
    store = Store()
    emitted = []
    for offset, name in enumerate(
        ["rescrape-3.msg", "rescrape-1.msg", "rescrape-2.msg", "rescrape-3.msg"]
    ):
        emitted += scrape_sample(store, name, offset)
    final = {
        e["entry_id"]: e["body"]
        for e in process_message((SAMPLES / "rescrape-3.msg").read_bytes()).entries
    }
    # each entry once, with its final text, at revision 1: nothing older came after
    assert sorted((entry_id, body) for entry_id, _, body in emitted) == sorted(final.items())
    assert {revision for _, revision, _ in emitted} == {1}
    assert store.story.last_seen == "2025-02-06T10:56:00Z"


def test_an_older_scrape_still_adds_an_entry_the_story_never_had() -> None:
    store = Store()
    newest = entries(3)
    store.scrape_entries(newest[1:], offset=0)  # e0 was gone by the newest scrape
    store.story = replace(store.story, last_seen="2025-02-06T12:00:00Z")
    older = Scrape("s1", "T", None, "en", entries(3, edited=2), 0, "2025-02-06T09:00:00Z", offset=1)
    plan = plan_scrape(older, store.story, store.get)
    assert emitted(plan) == [("e0", 1)]  # e2's older text is not a new revision
    assert plan.story.last_seen == "2025-02-06T12:00:00Z"
