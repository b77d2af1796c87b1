"""Throughput of the parsing core, in-process, on one core, against a floor.

    python bench/parse.py [CORPUS_DIR ...] [--rounds N] [--cold]

Each CORPUS_DIR holds *.msg files (default: the project's samples/; the shared
corpora are ../shared/corpus and ../shared/corpus-real).  Each round times the
parser over the messages and, in the same process, a *floor*: what any parser of
these messages must at least do (orjson decode of the envelope, ``splitlines()``,
one regex scan for time-like tokens), the two taken in turns, one pass over the
corpus each.  The ratio parse / floor is what to watch: the machine's speed cancels
out of it.  Figures are the median of the rounds, with
the range.  The corpus is repeated, so the parser's memo of marker lines is warm, as
in a stream of re-scraped pages; ``--cold`` clears the memos before every message.
The last line is ``parse: N MB/s, floor: M MB/s, parse/floor R``.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stream.core.process import forget_memos, process_message  # noqa: E402

TIME_LIKE = re.compile(r"\b\d{1,2}[:.h]\d{2}\b")


def floor(message: bytes) -> int:
    """The least work of parsing one message: decode, split lines, find times."""
    try:
        envelope = orjson.loads(message)
        text = envelope["text"] if isinstance(envelope, dict) else ""
    except (orjson.JSONDecodeError, KeyError):
        text = message.decode("utf-8", "replace")
    if not isinstance(text, str):
        return 0
    return len(text.splitlines()) + len(TIME_LIKE.findall(text))


def timed(function, batch: list[bytes], cold: bool = False) -> float:
    start = time.perf_counter()
    for message in batch:
        if cold:
            forget_memos()
        function(message)
    return time.perf_counter() - start


def timed_round(batch: list[bytes], chunk: int, cold: bool = False) -> tuple[float, float]:
    """(parse seconds, floor seconds) over the batch, taken in turns chunk by chunk:
    on a shared machine a neighbour's burst then slows both alike, instead of
    whichever of the two it happened to fall on."""
    parse_s = floor_s = 0.0
    for start in range(0, len(batch), chunk):
        part = batch[start : start + chunk]
        parse_s += timed(process_message, part, cold)
        floor_s += timed(floor, part)
    return parse_s, floor_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", default=[str(ROOT / "samples")])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="forget the parser's memos (marker lines, clock times, URLs) before every "
        "message, as if no page had been seen before",
    )
    args = parser.parse_args()
    messages = [
        p.read_bytes() for corpus in args.corpus for p in sorted(Path(corpus).glob("*.msg"))
    ]
    if not messages:
        raise SystemExit(f"bench/parse.py: no *.msg files in {', '.join(args.corpus)}")
    total_bytes = sum(len(m) for m in messages)
    # Repeat the corpus so that one round takes long enough to time well.
    repeat = max(1, 2_000_000 // max(total_bytes, 1))
    batch = messages * repeat
    for message in messages:  # warm up caches (regex, zoneinfo, CLDR tables)
        process_message(message)
        floor(message)
    parse_s, floor_s = [], []
    for round_number in range(args.rounds):
        round_parse_s, round_floor_s = timed_round(batch, len(messages), args.cold)
        parse_s.append(round_parse_s)
        floor_s.append(round_floor_s)
        print(
            f"round {round_number + 1}/{args.rounds}: parse {parse_s[-1]:.3f}s, "
            f"floor {floor_s[-1]:.3f}s",
            file=sys.stderr,
        )
    megabytes = total_bytes * repeat / 1e6
    ratios = [f / p for p, f in zip(parse_s, floor_s, strict=True)]
    print(
        f"corpus: {len(messages)} messages, {total_bytes / 1e3:.1f} kB, x{repeat} per round, "
        f"{args.rounds} rounds{' (cold)' if args.cold else ''}"
    )
    print(
        f"parse: median {megabytes / statistics.median(parse_s):.1f} MB/s "
        f"(range {megabytes / max(parse_s):.1f}-{megabytes / min(parse_s):.1f}); "
        f"floor: median {megabytes / statistics.median(floor_s):.1f} MB/s; "
        f"parse/floor per round: median {statistics.median(ratios):.3f} "
        f"(range {min(ratios):.3f}-{max(ratios):.3f})"
    )
    print(
        f"parse: {megabytes / statistics.median(parse_s):.1f} MB/s, "
        f"floor: {megabytes / statistics.median(floor_s):.1f} MB/s, "
        f"parse/floor {statistics.median(ratios):.3f}"
    )


if __name__ == "__main__":
    main()
