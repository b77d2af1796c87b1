"""Throughput of the parsing core, in-process, on one core.

    python bench/parse.py [CORPUS_DIR] [--rounds N]

CORPUS_DIR holds *.msg files (default: the project's samples/; the shared corpus
is ../shared/corpus).  Each round parses every message once; the figures are the
median over rounds.  The corpus is repeated, so the parser's memos of marker lines
and clock times are warm, as in a stream of re-scraped pages; ``--cold`` clears them
before every message.  The last line is ``parse: N MB/s, M pages/s``.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stream.core.process import forget_memos, process_message  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="?", default=str(ROOT / "samples"))
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument(
        "--cold",
        action="store_true",
        help="forget the parser's memos (marker lines, clock times, URLs) before every "
        "message, as if no page had been seen before",
    )
    args = parser.parse_args()
    messages = [p.read_bytes() for p in sorted(Path(args.corpus).glob("*.msg"))]
    if not messages:
        raise SystemExit(f"bench/parse.py: no *.msg files in {args.corpus}")
    total_bytes = sum(len(m) for m in messages)
    # Repeat the corpus so that one round takes long enough to time well.
    repeat = max(1, 2_000_000 // max(total_bytes, 1))
    batch = messages * repeat
    for message in messages:  # warm up caches (regex, zoneinfo)
        process_message(message)
    seconds = []
    for round_number in range(args.rounds):
        start = time.perf_counter()
        if args.cold:
            for message in batch:
                forget_memos()
                process_message(message)
        else:
            for message in batch:
                process_message(message)
        seconds.append(time.perf_counter() - start)
        print(f"round {round_number + 1}/{args.rounds}: {seconds[-1]:.3f}s", file=sys.stderr)
    median = statistics.median(seconds)
    megabytes = total_bytes * repeat / 1e6
    print(
        f"corpus: {len(messages)} messages, {total_bytes / 1e3:.1f} kB, x{repeat} per round, "
        f"{args.rounds} rounds; median round {median:.3f}s "
        f"(min {min(seconds):.3f}s, max {max(seconds):.3f}s)"
    )
    print(f"parse: {megabytes / median:.1f} MB/s, {len(batch) / median:.0f} pages/s")


if __name__ == "__main__":
    main()
