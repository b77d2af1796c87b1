"""The state diff: new entries are revision 1, edits raise the revision, repeats
emit nothing, and an unchanged history costs no look-ups."""

from __future__ import annotations

from stream.core.process import process_message
from stream.state.story import CHECKPOINT_EVERY, EntryState, StoryState, plan_scrape
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

    def scrape_entries(self, entries, story_id="s1"):
        plan = plan_scrape(
            story_id, "Title", None, "en", entries, 0, "2025-02-06T10:00:00Z", self.story, self.get
        )
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
    first = plan_scrape(
        outcome.story_id, "T", None, "en", outcome.entries, 0, "t", store.story, store.get
    )
    again = plan_scrape(
        outcome.story_id, "T", None, "en", outcome.entries, 0, "t", store.story, store.get
    )
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
    # only the entries after the last checkpoint (1984 = 31 x 64) are looked up
    assert plan.lookups == store.reads == 2001 - 1984
    assert plan.lookups <= CHECKPOINT_EVERY


def test_an_edit_deep_in_history_is_still_found() -> None:
    store = Store()
    store.scrape_entries(entries(50))
    plan = store.scrape_entries(entries(51, edited=3))
    assert [(e["entry_id"], e["revision"]) for e in plan.emissions] == [("e3", 2), ("e50", 1)]
    assert plan.lookups == 51  # the digest no longer matches: every entry is checked
