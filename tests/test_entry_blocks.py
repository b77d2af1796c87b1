"""Entry states by block: a page costs one table record per hour of posting it
touches, a re-scrape reads and writes only its new entries' blocks, and what is
stored reads back the same."""

from __future__ import annotations

from collections import UserDict

from stream.state.blocks import EntryBlocks, block_key, decode_block, encode_block
from stream.state.story import EntryState, Scrape, plan_scrape


class CountingTable(UserDict):
    def __init__(self) -> None:
        super().__init__()
        self.reads = self.writes = 0

    def get(self, key, default=None):
        self.reads += 1
        return super().get(key, default)

    def __setitem__(self, key, value) -> None:
        self.writes += 1
        super().__setitem__(key, value)


def entries(count: int, start_minute: int = 0) -> list[dict]:
    """``count`` entries ten minutes apart, oldest first."""
    out = []
    for n in range(start_minute // 10, start_minute // 10 + count):
        day, (hour, minute) = n * 10 // 1440, divmod(n * 10 % 1440, 60)
        out.append(
            {
                "entry_id": f"e{n}",
                "posted_at": f"2025-03-{day + 1:02d}T{hour:02d}:{minute:02d}:00Z",
                "headline": None,
                "body": f"Entry {n}.",
                "labels": [],
                "captions": [],
                "updated_at": None,
            }
        )
    return out


def scrape(table, story, page, offset):
    blocks = EntryBlocks(table, "s1", page)
    plan = plan_scrape(
        Scrape(
            "s1", "T", None, "en", page, seen_at=f"2025-03-01T{offset:02d}:00:00Z", offset=offset
        ),
        story,
        blocks.get,
    )
    blocks.write(plan.entry_writes)
    return plan


def test_a_new_story_writes_one_record_per_hour_not_per_entry() -> None:
    table = CountingTable()
    plan = scrape(table, None, entries(30), offset=0)  # 30 entries over 5 hours
    assert len(plan.emissions) == 30
    assert table.writes == 5 and set(table) == {
        block_key("s1", f"2025-03-01T0{h}") for h in range(5)
    }


def test_a_rescrape_reads_and_writes_only_the_blocks_of_its_new_entries() -> None:
    table = CountingTable()
    first = scrape(table, None, entries(130), offset=0)  # 130 entries over 22 hours
    table.reads = table.writes = 0
    plan = scrape(table, first.story, entries(131), offset=1)
    assert [e["entry_id"] for e in plan.emissions] == ["e130"]
    # the entries after the story's last unchanged checkpoint (128) lie in one hour
    assert table.writes == 1 and table.reads == 1


def test_each_block_is_read_once_per_page() -> None:
    table = CountingTable()
    scrape(table, None, entries(12), offset=0)
    table.reads = 0
    page = [{**e, "body": e["body"] + " (edited)"} for e in entries(12)]
    plan = scrape(table, None, page, offset=1)  # no story state: every entry looked up
    assert len(plan.emissions) == 12 and all(e["revision"] == 2 for e in plan.emissions)
    assert table.reads == 2  # two hours


def test_block_round_trip() -> None:
    states = {"a": EntryState(3, "f" * 24, ((5, 2), (9, 3))), "b": EntryState(1, "0" * 24)}
    assert decode_block(encode_block(states)) == states
