"""End to end: raw pages through a real broker and a real worker process.

    python bench/e2e.py [--pages 20000] [--paced 2000] [--rate 250]

Runs its own local broker (free ports, temporary directory) and, in one run:

1. publishes ``--pages`` raw pages of mixed sizes (1 to 60 entries; new stories and
   re-scrapes of earlier ones), then starts a worker and times how fast it drains
   them: pages/s and entries/s;
2. with the worker caught up, publishes ``--paced`` more pages at ``--rate`` pages/s
   and measures the latency from publish to entry (p50, p99);
3. runs two baselines over the same raw messages, plain aiokafka loops committing
   as they go: one does the worker's work without Faust, state or repartition
   (parse with the core, produce the entries and dead letters), the other only
   copies each message (the transport's ceiling).

The last line is the ratio of the worker's pages/s to the same-work baseline's;
the line above it gives the ratio to the copying loop.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stream.core.process import Source, process_message  # noqa: E402
from stream.ops.broker import LocalBroker  # noqa: E402
from stream.ops.processes import free_port_pair, stop_gracefully  # noqa: E402
from stream.ops.topics import ensure_topics  # noqa: E402
from stream.settings import Settings  # noqa: E402

SENTENCES = [
    "Emergency services evacuated several hundred residents overnight, the authority said.",
    "The minister announced a crisis meeting for later this morning.",
    "Rail services across the region remain heavily disrupted.",
    "Forecasters expect conditions to calm gradually by the end of the week.",
    "Unions have called for another day of strikes next Thursday.",
    "Observers believe the agreement could be signed before the end of the month.",
]


def entries_consumer(settings: Settings) -> AIOKafkaConsumer:
    return AIOKafkaConsumer(
        settings.entries_topic,
        bootstrap_servers=settings.bootstrap_servers,
        auto_offset_reset="earliest",
        group_id=None,
        enable_auto_commit=False,
    )


def make_pages(count: int, seed: int = 7) -> list[tuple[bytes, bytes]]:
    """(key, value) raw pages: new stories, and re-scrapes that add entries."""
    rng = random.Random(seed)
    base = datetime(2025, 6, 1, 6, 0, tzinfo=UTC)
    stories: list[tuple[int, int]] = []  # (story number, entries so far)
    pages = []
    for _ in range(count):
        if stories and rng.random() < 0.3:
            index = rng.randrange(len(stories))
            number, size = stories[index]
            size = min(size + rng.randint(1, 3), 60)
            stories[index] = (number, size)
        else:
            number, size = len(stories), rng.randint(1, 40)
            stories.append((number, size))
        blocks = [f"Storm live {number}: thousands without power", "UK news"]
        for k in range(size, 0, -1):
            when = base + timedelta(minutes=3 * k)
            blocks.append(f"{when:%H.%M}" + ("am" if when.hour < 12 else "pm") + " BST")
            blocks.append(" ".join(SENTENCES[(k + j) % len(SENTENCES)] for j in range(1 + k % 4)))
        blocks += ["Explore more on these topics", "Storm\nPower", "Share"]
        text = "\n\n".join(blocks) + "\n"
        text = text.replace("13.", "1.").replace("14.", "2.")  # keep it 12-hour style
        url = f"https://bench.example/live/storm-{number}"
        scraped = (base + timedelta(minutes=3 * size + 5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        pages.append(
            (
                url.encode(),
                orjson.dumps({"url": url, "scraped_at": scraped, "lang": "en", "text": text}),
            )
        )
    return pages


async def publish(settings: Settings, pages, rate: float | None = None) -> dict[tuple, float]:
    """Publish; returns publish time (epoch s) by (partition, offset)."""
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        linger_ms=5,
        max_request_size=settings.max_message_bytes,
    )
    await producer.start()
    sent: dict[tuple, float] = {}
    try:
        started = time.monotonic()
        pending = []
        for index, (key, value) in enumerate(pages):
            if rate is not None:
                due = started + index / rate
                delay = due - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            pending.append((time.time(), await producer.send(settings.raw_topic, value, key=key)))
            if len(pending) >= 1000 or rate is not None:
                for at, future in pending:
                    meta = await future
                    sent[(meta.partition, meta.offset)] = at
                pending.clear()
        for at, future in pending:
            meta = await future
            sent[(meta.partition, meta.offset)] = at
    finally:
        await producer.stop()
    return sent


async def collect(settings: Settings, stop_when, timeout_s: float):
    """Consume the entries topic; returns [(arrival epoch s, source partition, offset)]."""
    consumer = entries_consumer(settings)
    await consumer.start()
    seen = []
    deadline = time.monotonic() + timeout_s
    try:
        while time.monotonic() < deadline and not stop_when(seen):
            batch = await consumer.getmany(timeout_ms=200, max_records=5000)
            now = time.time()
            for records in batch.values():
                for record in records:
                    source = orjson.loads(record.value)["source"]
                    seen.append((now, source["partition"], source["offset"]))
    finally:
        await consumer.stop()
    return seen


async def baseline(settings: Settings, total: int, parse: bool) -> float:
    """A plain aiokafka consume-and-produce loop over the raw pages, committing after
    each batch once its records are acknowledged: messages/s.

    With ``parse``, each page is parsed by the same core and its entries and dead
    letters are produced (the worker's work without Faust, state or repartition);
    without, each message is produced again as it is (the transport's ceiling).
    """
    out_topic = settings.raw_topic + (".baseline-parse" if parse else ".baseline-copy")
    group = "bench-baseline-" + ("parse" if parse else "copy")
    await ensure_topics(settings, [out_topic])
    consumer = AIOKafkaConsumer(
        settings.raw_topic,
        bootstrap_servers=settings.bootstrap_servers,
        group_id=group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        max_partition_fetch_bytes=settings.max_message_bytes,
    )
    producer = AIOKafkaProducer(
        bootstrap_servers=settings.bootstrap_servers,
        linger_ms=5,
        max_request_size=settings.max_message_bytes,
    )
    await consumer.start()
    await producer.start()
    done = 0
    started = None
    try:
        while done < total:
            batch = await consumer.getmany(timeout_ms=1000, max_records=1000)
            if started is None and batch:
                started = time.monotonic()
            futures = []
            for records in batch.values():
                for record in records:
                    done += 1
                    if not parse:
                        futures.append(await producer.send(out_topic, record.value, key=record.key))
                        continue
                    outcome = process_message(
                        record.value,
                        record.key,
                        Source(record.topic, record.partition, record.offset),
                        settings.max_page_bytes,
                    )
                    for entry in outcome.entries:
                        futures.append(
                            await producer.send(
                                out_topic, orjson.dumps(entry), key=entry["story_id"].encode()
                            )
                        )
                    for letter in outcome.dead_letters:
                        futures.append(
                            await producer.send(out_topic, orjson.dumps(letter), key=record.key)
                        )
            await asyncio.gather(*futures)
            await consumer.commit()
        return done / (time.monotonic() - (started or time.monotonic()))
    finally:
        await producer.stop()
        await consumer.stop()


def start_worker(settings: Settings, workdir: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    env.update(
        {
            "LIVEBLOG_BOOTSTRAP_SERVERS": settings.bootstrap_servers,
            "LIVEBLOG_PARTITIONS": str(settings.partitions),
            "LIVEBLOG_DATA_DIR": str(workdir / "worker"),
            "LIVEBLOG_WEB_PORT": str(free_port_pair()),
            "LIVEBLOG_LOG_LEVEL": "warning",
        }
    )
    log = open(workdir / "worker.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "stream", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def run(args: argparse.Namespace, settings: Settings, workdir: Path) -> None:
    await ensure_topics(settings)
    pages = make_pages(args.pages + args.paced)
    bulk, paced = pages[: args.pages], pages[args.pages :]
    sizes = [len(v) for _, v in bulk]
    print(
        f"pages: {len(bulk)} bulk + {len(paced)} paced; size median "
        f"{statistics.median(sizes) / 1e3:.1f} kB, max {max(sizes) / 1e3:.1f} kB, "
        f"{sum(sizes) / 1e6:.1f} MB in all"
    )
    t0 = time.monotonic()
    await publish(settings, bulk)
    print(f"published the bulk in {time.monotonic() - t0:.1f}s")

    worker = start_worker(settings, workdir)
    try:
        first_seen: list = []

        async def watch_bulk():
            idle_since = None
            seen_all = []
            consumer = entries_consumer(settings)
            await consumer.start()
            try:
                while True:
                    batch = await consumer.getmany(timeout_ms=500, max_records=10000)
                    now = time.monotonic()
                    got = [r for records in batch.values() for r in records]
                    if got:
                        if not first_seen:
                            first_seen.append(now)
                        seen_all.extend(got)
                        idle_since = now
                    elif idle_since is not None and now - idle_since > args.idle:
                        return seen_all, idle_since
                    if worker.poll() is not None:
                        raise SystemExit(f"worker exited: see {workdir / 'worker.log'}")
            finally:
                await consumer.stop()

        records, last_at = await watch_bulk()
        sources = {
            (
                orjson.loads(r.value)["source"]["partition"],
                orjson.loads(r.value)["source"]["offset"],
            )
            for r in records
        }
        elapsed = last_at - first_seen[0]
        worker_pages_per_s = len(bulk) / elapsed
        print(
            f"worker: {len(records)} entries from {len(sources)} pages with new content "
            f"({len(bulk)} published), drained in {elapsed:.1f}s (first to last entry)"
        )
        print(
            f"throughput: {worker_pages_per_s:.0f} pages/s, {len(records) / elapsed:.0f} entries/s"
        )

        # Latency at a steady rate, worker caught up.
        sent_task = asyncio.create_task(publish(settings, paced, rate=args.rate))
        before = len(records)
        arrivals = await collect(
            settings,
            lambda seen: sent_task.done() and len(seen) >= before and _settled(seen),
            timeout_s=args.paced / args.rate + 60,
        )
        sent = await sent_task
        latencies = [(at - sent[(p, o)]) * 1e3 for at, p, o in arrivals if (p, o) in sent]
        if latencies:
            p50, p99 = percentile(latencies, 0.5), percentile(latencies, 0.99)
            print(
                f"latency publish->entry at {args.rate:.0f} pages/s over {len(paced)} pages: "
                f"p50 {p50:.0f} ms, p99 {p99:.0f} ms ({len(latencies)} entries)"
            )
    finally:
        stop_gracefully(worker)

    same_work = await baseline(settings, len(bulk), parse=True)
    print(
        f"baseline, same work (plain aiokafka: consume, parse with the core, produce entries "
        f"and dead letters, commit): {same_work:.0f} pages/s"
    )
    copy = await baseline(settings, len(bulk), parse=False)
    print(
        f"baseline, transport only (plain aiokafka: consume, produce the same message, commit): "
        f"{copy:.0f} msgs/s; worker / that = {worker_pages_per_s / copy:.2f}"
    )
    print(
        f"e2e: worker {worker_pages_per_s:.0f} pages/s / same-work baseline {same_work:.0f} "
        f"pages/s = {worker_pages_per_s / same_work:.2f}"
    )


_last_len = [0, 0.0]


def _settled(seen) -> bool:
    """No new entry for 3 seconds."""
    now = time.monotonic()
    if len(seen) != _last_len[0]:
        _last_len[0], _last_len[1] = len(seen), now
        return False
    return now - _last_len[1] > 3.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--paced", type=int, default=2000)
    parser.add_argument("--rate", type=float, default=250.0)
    parser.add_argument("--idle", type=float, default=5.0, help="seconds without output = done")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        port = free_port_pair()
        settings = Settings(
            bootstrap_servers=f"127.0.0.1:{port}",
            broker_port=port,
            broker_dir=workdir / "kafka",
            partitions=4,
        )
        broker = LocalBroker(settings)
        broker.start(log=lambda *a: None)
        try:
            asyncio.run(run(args, settings, workdir))
        finally:
            broker.stop(log=lambda *a: None)


if __name__ == "__main__":
    main()
