"""State cost of a re-scrape: does it grow with the story's length?

    python bench/rescrape.py [--sizes 20,200,2000] [--repeats 30]

For each size N, a story of N entries is parsed and recorded in a RocksDB store
(rocksdict, the store behind the worker's Faust tables); then a re-scrape with
one new entry is diffed against it, many times.  It prints, per size, the median
time of the state step (look-ups, diff, writes) and of parsing the page, and the
number of entry-table look-ups.  Parsing reads the whole page and grows with it;
the state step should not.  The last line is the ratio of the state step's median
at the largest size to that at the smallest.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from rocksdict import Rdict

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stream.core.process import process_message  # noqa: E402
from stream.state.blocks import EntryBlocks  # noqa: E402
from stream.state.story import (  # noqa: E402
    Scrape,
    StoryState,
    chain_checkpoints,
    fingerprints_of,
    plan_scrape,
)

FIRST_ENTRY = datetime(2025, 5, 8, 12, 0, tzinfo=UTC)


def page(entries: int) -> bytes:
    """A German ticker whose entry k (1..entries) is posted k minutes after the first,
    newest first; a page with one more entry repeats all older ones unchanged."""
    scraped = FIRST_ENTRY + timedelta(minutes=entries + 1)
    blocks = ["Sturm im Norden: der Liveticker"]
    for k in range(entries, 0, -1):
        local = FIRST_ENTRY + timedelta(minutes=k, hours=2)  # CEST
        blocks.append(f"{local:%d.%m.%y} | {local:%H:%M}")
        blocks.append(f"Meldung Nummer {k}: Die Feuerwehr meldet neue Einsätze im Norden.")
    blocks += ["Mehr zum Thema", "Sturm\nNorden", "Teilen"]
    text = "\n\n".join(blocks) + "\n"
    return orjson.dumps(
        {
            "text": text,
            "url": "https://ticker.example.de/sturm",
            "scraped_at": scraped.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "lang": "de",
        }
    )


class Unrecorded(dict):
    """The store as the state step sees it, its writes encoded but not kept, so that
    each repeat diffs against the same state."""

    def __init__(self, db: Rdict) -> None:
        super().__init__()
        self.db = db

    def get(self, key, default=None):
        return self.db.get(key, default)

    def __setitem__(self, key, value) -> None:
        pass


def measure(size: int, repeats: int, workdir: Path) -> tuple[float, float, int]:
    db = Rdict(str(workdir / f"store-{size}"))
    try:
        first = process_message(page(size))
        assert len(first.entries) == size, (size, len(first.entries), first.dead_letters)

        def stored_story() -> StoryState | None:
            raw = db.get(b"story:" + first.story_id.encode())
            return StoryState.from_bytes(raw) if raw is not None else None

        blocks = EntryBlocks(db, first.story_id, first.entries)
        scrape = Scrape(first.story_id, "t", None, "de", first.entries)
        plan = plan_scrape(scrape, None, blocks.get)
        blocks.write(plan.entry_writes)
        db[b"story:" + plan.story.story_id.encode()] = plan.story.to_bytes()
        rescrape_value = page(size + 1)
        state_times, parse_times, lookups = [], [], 0
        for _ in range(repeats):
            start = time.perf_counter()
            outcome = process_message(rescrape_value)
            # the parsing stage's share
            fingerprints = fingerprints_of(outcome.entries)
            checkpoints = chain_checkpoints(outcome.entries, fingerprints)
            parse_times.append(time.perf_counter() - start)
            # Collect the parse's garbage now, so that its collection is not timed
            # as part of the state step.
            gc.collect()
            parsed = time.perf_counter()
            scrape = Scrape(
                outcome.story_id,
                "t",
                None,
                "de",
                outcome.entries,
                checkpoints=checkpoints,
                fingerprints=fingerprints,
            )
            blocks = EntryBlocks(Unrecorded(db), outcome.story_id, outcome.entries)
            plan = plan_scrape(scrape, stored_story(), blocks.get)
            # what the worker would send and record (encoded, not kept)
            _ = [orjson.dumps(e) for e in plan.emissions]
            blocks.write(plan.entry_writes)
            _ = plan.story.to_bytes()
            done = time.perf_counter()
            state_times.append(done - parsed)
            lookups = plan.lookups
            assert len(plan.emissions) == 1, len(plan.emissions)
            # Freed here, untimed: rebinding them in the next repeat's timed part freed
            # this page's entries there, a cost that grew with the story's length.
            del outcome, scrape, blocks, plan
        return statistics.median(state_times), statistics.median(parse_times), lookups
    finally:
        db.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="20,200,2000")
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for size in sizes:
            state, parse, lookups = measure(size, args.repeats, Path(tmp))
            results[size] = state
            print(
                f"story of {size:>5} entries + 1 new: state step {state * 1e6:8.1f} µs "
                f"({lookups} look-up(s)), parse and digest {parse * 1e3:7.2f} ms  "
                f"(medians of {args.repeats})"
            )
    smallest, largest = min(sizes), max(sizes)
    print(
        f"rescrape: state step at {largest} entries / at {smallest} entries = "
        f"{results[largest] / results[smallest]:.2f}x"
    )


if __name__ == "__main__":
    main()
