"""End to end, measured honestly: raw pages through a real broker and a real worker.

    python bench/e2e.py [--pages 20000] [--rounds 3] [--paced 2000] [--latency-rounds 10]
    python bench/e2e.py --rounds 0 --rate 150     # latency rounds alone, at 150 pages/s
    python bench/e2e.py --worker-env LIVEBLOG_SESSION_TIMEOUT_S=6   # a worker setting

Runs its own local broker (free ports, a temporary directory, in memory when there
is room: ``MEMORY_DIR``, ``--on-disk``).  Each round, on fresh topics and a fresh
consumer group:

1. pre-loads ``--pages`` raw pages (mixed sizes, many stories, some re-scrapes) with
   nothing running;
2. starts a worker and times it from its first consumed record (the first record it
   writes, to its internal topic or its outputs, by record timestamp) to the moment its group's
   committed offsets reach the end of every input topic (raw and internal); then
   counts what came out (entries, dead letters);
3. runs, over the same pages, a plain aiokafka loop doing the same work (consume,
   parse with the core, produce entries and dead letters, commit) and a loop that
   only copies each message, each timed from its first consumed record to its last
   commit.

Then, ``--latency-rounds`` times, each with a fresh worker once its ``/readyz`` says
it is ready (how long that took is shown), it publishes
``--paced`` pages at half the measured worker capacity (or at ``--rate``), right
after ``WARM_UP_PAGES`` pages of other stories at the same pace (whose figures are
shown apart, as the cold start), and reports
publish -> entry latency (p50, p99, max) from record timestamps, and how many of
those rounds got stuck (a p99 over 1 s: a delay that set in and did not drain) and
which had a p99 over 100 ms; then how many throughput rounds stalled (no committed
progress for 15 s), and the worker's peak RSS.  Each round also shows the machine's
steal (CPU time the hypervisor gave to other machines, from /proc/stat): on a
shared machine a round with a high steal measured the neighbour.  Figures are medians
over rounds with their range; the last line is
``worker W pages/s / same-work loop L pages/s = R`` (and the copy ratio).
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
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stream.core.process import Source, process_message  # noqa: E402
from stream.ops.broker import LocalBroker  # noqa: E402
from stream.ops.processes import free_port_pair, stop_gracefully  # noqa: E402
from stream.ops.tools import publish_values, read_to_end  # noqa: E402
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
STALL_S = 15.0
#: A latency round whose p99 is above this got stuck (the delay did not drain).
STUCK_P99_MS = 1000.0
#: The p99 the issue asks for at half of capacity.
LATENCY_BAR_MS = 100.0
#: Longest a latency round waits for its worker's /readyz before publishing anyway.
READY_TIMEOUT_S = 60.0


def make_pages(count: int, seed: int = 7, story: str = "storm") -> list[tuple[bytes, bytes]]:
    """(key, value) raw pages: new stories, and re-scrapes that add entries.  Stories
    are named ``story``-N: pages made with another name are other stories."""
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
        blocks = [f"{story.title()} live {number}: thousands without power", "UK news"]
        for k in range(size, 0, -1):
            when = base + timedelta(minutes=3 * k)
            blocks.append(f"{when:%H.%M}" + ("am" if when.hour < 12 else "pm") + " BST")
            blocks.append(" ".join(SENTENCES[(k + j) % len(SENTENCES)] for j in range(1 + k % 4)))
        blocks += ["Explore more on these topics", "Storm\nPower", "Share"]
        text = "\n\n".join(blocks) + "\n"
        text = text.replace("13.", "1.").replace("14.", "2.")  # keep it 12-hour style
        url = f"https://bench.example/live/{story}-{number}"
        scraped = (base + timedelta(minutes=3 * size + 5)).strftime("%Y-%m-%dT%H:%M:%SZ")
        pages.append(
            (
                url.encode(),
                orjson.dumps({"url": url, "scraped_at": scraped, "lang": "en", "text": text}),
            )
        )
    return pages


async def baseline(settings: Settings, total: int, parse: bool) -> tuple[float, float]:
    """A plain aiokafka consume-and-produce loop over the raw pages, committing after
    each batch once its records are acknowledged: (seconds, CPU seconds).

    With ``parse``, each page is parsed by the same core and its entries and dead
    letters are produced (the worker's work without Faust, state or repartition);
    without, each message is produced again as it is (the transport's ceiling).
    """
    out_topic = settings.raw_topic + ".out"
    group = settings.app_id
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
    cpu_started = time.process_time()
    try:
        while done < total:
            batch = await consumer.getmany(timeout_ms=1000, max_records=1000)
            if started is None and batch:
                started = time.monotonic()
                cpu_started = time.process_time()
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
        # timed from the first consumed record to the commit of the last
        cpu = time.process_time() - cpu_started
        return time.monotonic() - (started or time.monotonic()), cpu
    finally:
        await producer.stop()
        await consumer.stop()


#: ``--worker-env`` settings for every worker of the run (LIVEBLOG_* variables): the
#: bench otherwise gives its workers only the variables above, not the caller's.
WORKER_ENV: dict[str, str] = {}


#: What the bench sets itself for each round (its broker, topics, group, ports, store).
BENCH_SETTINGS = (
    "LIVEBLOG_BOOTSTRAP_SERVERS",
    "LIVEBLOG_APP_ID",
    "LIVEBLOG_RAW_TOPIC",
    "LIVEBLOG_ENTRIES_TOPIC",
    "LIVEBLOG_DEADLETTER_TOPIC",
    "LIVEBLOG_PARTITIONS",
    "LIVEBLOG_DATA_DIR",
    "LIVEBLOG_WEB_PORT",
)


def worker_env(assignment: str) -> tuple[str, str]:
    """``--worker-env NAME=VALUE``, for a ``LIVEBLOG_`` variable the bench does not set."""
    name, equals, value = assignment.partition("=")
    if not equals or not name.startswith("LIVEBLOG_"):
        raise argparse.ArgumentTypeError(
            f"{assignment!r}: give LIVEBLOG_NAME=VALUE, e.g. LIVEBLOG_SESSION_TIMEOUT_S=6"
        )
    if name in BENCH_SETTINGS:
        raise argparse.ArgumentTypeError(
            f"{name} is set by the bench for each round ({', '.join(BENCH_SETTINGS)})"
        )
    return name, value


def start_worker(settings: Settings, workdir: Path, web_port: int = 0) -> subprocess.Popen:
    """A worker process for ``settings``, with its status pages on ``web_port`` (a
    free port when 0)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEBLOG_")}
    own = dict(
        zip(
            BENCH_SETTINGS,
            (
                settings.bootstrap_servers,
                settings.app_id,
                settings.raw_topic,
                settings.entries_topic,
                settings.deadletter_topic,
                str(settings.partitions),
                str(workdir / "worker"),
                str(web_port or free_port_pair()),
            ),
            strict=True,
        )
    )
    env.update({"LIVEBLOG_LOG_LEVEL": "warning", **WORKER_ENV, **own})
    workdir.mkdir(parents=True, exist_ok=True)
    log = open(workdir / "worker.log", "wb")  # noqa: SIM115
    return subprocess.Popen(
        [sys.executable, "-m", "stream", "worker"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )


@dataclass
class Round:
    pages_per_s: float
    seconds: float
    entries: int
    dead_letters: int
    stalled: bool
    #: CPU seconds over the same span (the worker's process; the loop's own): unlike
    #: pages/s, hardly moved by other work on a shared machine.
    cpu_s: float = 0.0
    #: The machine's steal over the round (``Steal``).
    steal: float = 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        pages = self.pages_per_s * self.seconds
        return 1000 * self.cpu_s / pages if pages else 0.0


def round_settings(base: Settings, name: str) -> Settings:
    return Settings(
        bootstrap_servers=base.bootstrap_servers,
        partitions=base.partitions,
        app_id=f"bench-{name}",
        raw_topic=f"raw.{name}",
        entries_topic=f"entries.{name}",
        deadletter_topic=f"deadletters.{name}",
    )


class Progress:
    """A group's committed offsets against the log ends, with clients kept open so
    that polling every 0.2 s is cheap (no lag-in-seconds fetches here)."""

    def __init__(self, settings: Settings, topics: list[str]) -> None:
        self.settings, self.topics = settings, topics
        self.admin = AIOKafkaAdminClient(bootstrap_servers=settings.bootstrap_servers)
        self.consumer = AIOKafkaConsumer(bootstrap_servers=settings.bootstrap_servers)

    async def __aenter__(self) -> Progress:
        await self.admin.start()
        await self.consumer.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.consumer.stop()
        await self.admin.close()

    async def committed_and_lag(self) -> tuple[int, int | None]:
        """(offsets committed in all, lag in all) or lag None while a topic is missing."""
        described = await self.admin.describe_topics(self.topics)
        partitions = [
            TopicPartition(entry["topic"], part["partition"])
            for entry in described
            if entry.get("error_code") == 0
            for part in entry["partitions"]
        ]
        if {tp.topic for tp in partitions} != set(self.topics):
            return 0, None
        committed = await self.admin.list_consumer_group_offsets(self.settings.app_id)
        ends = await self.consumer.end_offsets(partitions)
        done = {tp: committed[tp].offset if tp in committed else 0 for tp in partitions}
        return sum(done.values()), sum(max(0, ends[tp] - done[tp]) for tp in partitions)


async def worker_round(base: Settings, pages, name: str, workdir: Path) -> tuple[Round, int]:
    settings = round_settings(base, name)
    await ensure_topics(settings)
    await publish_values(settings, pages)
    internal = settings.pages_by_story_topic
    worker, steal = start_worker(settings, workdir / name), Steal()
    stalled, progress, last_progress = False, -1, time.monotonic()
    cpu_samples: list[tuple[float, float]] = []  # (time.time(), worker CPU seconds)
    try:
        async with Progress(settings, [settings.raw_topic, internal]) as watch:
            while True:
                await asyncio.sleep(0.2)
                if worker.poll() is not None:
                    raise SystemExit(f"worker exited: see {workdir / name / 'worker.log'}")
                cpu_samples.append((time.time(), _cpu_seconds(worker.pid)))
                try:
                    done, lag = await watch.committed_and_lag()
                except Exception:  # the group or the internal topic is being set up
                    continue
                if done != progress:
                    progress, last_progress = done, time.monotonic()
                elif done > 0 and time.monotonic() - last_progress > STALL_S:
                    stalled = True
                if lag == 0 and done > 0:
                    finished = time.time()
                    cpu_finished = _cpu_seconds(worker.pid)
                    stolen = steal.share()
                    break
        peak_rss = _peak_rss_kb(worker.pid)
    finally:
        stop_gracefully(worker)
    # The first record the worker wrote: a page it forwarded, or an entry or dead
    # letter of a page it applied where it read it.
    entries = await read_to_end(settings, settings.entries_topic)
    letters = await read_to_end(settings, settings.deadletter_topic)
    forwarded = await read_to_end(settings, internal)
    first = min(r.timestamp for r in [*forwarded, *entries, *letters]) / 1000
    seconds = finished - first
    # the worker's start-up (imports, CLDR data) is not its work on the pages
    cpu_first = max([cpu for at, cpu in cpu_samples if at <= first], default=0.0)
    cpu = cpu_finished - cpu_first
    result = Round(len(pages) / seconds, seconds, len(entries), len(letters), stalled, cpu, stolen)
    return result, peak_rss


def _cpu_seconds(pid: int) -> float:
    """User and system CPU time of process ``pid`` (all its threads)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


async def loop_round(base: Settings, pages, name: str, parse: bool) -> Round:
    settings = round_settings(base, name)
    await ensure_topics(settings, [settings.raw_topic])
    await publish_values(settings, pages)
    steal = Steal()
    seconds, cpu = await baseline(settings, len(pages), parse)
    return Round(len(pages) / seconds, seconds, 0, 0, False, cpu, steal.share())


#: The first pages a worker parses run cold: its memos of marker lines, entries and
#: clock times are empty (``bench/parse.py --cold``: a third of the warm speed), so a
#: worker just started falls behind for a second or two.  A latency round first sends
#: this many pages of other stories at the same pace, then the measured ones, in one
#: stream; the warm-up pages' latencies are shown apart ("cold start").
WARM_UP_PAGES = 300
WARM_UP_STORY = "warmup"


@dataclass
class Paced:
    """A latency round: publish -> entry latencies (ms) of the measured pages and of
    the warm-up pages, the machine's steal while they were sent, and the worker's CPU
    time per page (all pages, warm-up included, and the quiet 10 s after them)."""

    measured: list[float]
    cold: list[float]
    steal: float
    cpu_ms_per_page: float
    #: Seconds from the worker's start until it was ready (None: not within the timeout).
    ready_s: float | None = None


async def latency(
    base: Settings, pages, rate: float, workdir: Path, name: str = "latency"
) -> Paced:
    """Publish -> entry latencies by record timestamps, at ``rate`` pages/s, after
    ``WARM_UP_PAGES`` pages of other stories."""
    settings = round_settings(base, name)
    await ensure_topics(settings)
    web_port = free_port_pair()
    worker = start_worker(settings, workdir / name, web_port)
    warm_up = make_pages(WARM_UP_PAGES, seed=5, story=WARM_UP_STORY)
    try:
        # Publish once the worker says it is ready (partitions assigned, tables
        # recovered): a page sent before then waits for the worker's start, which
        # is not publish -> entry latency.
        ready_s = await wait_ready(web_port, READY_TIMEOUT_S)
        producer = AIOKafkaProducer(bootstrap_servers=settings.bootstrap_servers, linger_ms=0)
        await producer.start()
        try:
            started, steal, cpu_started = time.monotonic(), Steal(), _cpu_seconds(worker.pid)
            for index, (key, value) in enumerate(warm_up + pages):
                delay = started + index / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
                await producer.send(settings.raw_topic, value, key=key)
            await producer.flush()
            stolen = steal.share()
        finally:
            await producer.stop()
        await asyncio.sleep(10)
        cpu = _cpu_seconds(worker.pid) - cpu_started
    finally:
        stop_gracefully(worker)
    raw = {
        (r.partition, r.offset): (r.timestamp, WARM_UP_STORY.encode() in (r.key or b""))
        for r in await read_to_end(settings, settings.raw_topic)
    }
    measured, cold = [], []
    for record in await read_to_end(settings, settings.entries_topic):
        source = orjson.loads(record.value)["source"]
        sent = raw.get((source["partition"], source["offset"]))
        if sent is not None:
            (cold if sent[1] else measured).append(record.timestamp - sent[0])
    return Paced(measured, cold, stolen, 1000 * cpu / (len(warm_up) + len(pages)), ready_s)


async def wait_ready(web_port: int, timeout_s: float) -> float | None:
    """Seconds until the worker's ``/readyz`` answers 200, or None after ``timeout_s``."""
    started = time.monotonic()
    url = f"http://127.0.0.1:{web_port}/readyz"
    while time.monotonic() - started < timeout_s:
        try:
            status = await asyncio.to_thread(_status_of, url)
        except OSError:  # not listening yet, or refused: still starting
            status = None
        if status == 200:
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    return None


def _status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:  # 503: not ready yet
        return error.code


class Steal:
    """The share of CPU time the hypervisor gave to other machines (``steal`` in
    /proc/stat) over a span: a shared machine's neighbour, not the worker."""

    def __init__(self) -> None:
        self.start = _cpu_times()

    def share(self) -> float:
        end = _cpu_times()
        total = sum(end) - sum(self.start)
        return (end[7] - self.start[7]) / total if total > 0 and len(end) > 7 else 0.0


def _cpu_times() -> list[int]:
    try:
        first = Path("/proc/stat").read_text().splitlines()[0]
    except OSError:
        return []
    return [int(field) for field in first.split()[1:9]]


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def spread(values: list[float], digits: int = 0) -> str:
    def show(value: float) -> str:
        return f"{value:.{digits}f}"

    median = show(statistics.median(values))
    return f"median {median} (range {show(min(values))}-{show(max(values))})"


async def run(args: argparse.Namespace, base: Settings, workdir: Path) -> None:
    pages = make_pages(args.pages)
    sizes = [len(v) for _, v in pages]
    print(
        f"pages: {len(pages)} per round, size median {statistics.median(sizes) / 1e3:.1f} kB, "
        f"max {max(sizes) / 1e3:.1f} kB, {sum(sizes) / 1e6:.1f} MB; {args.rounds} rounds"
    )
    workers, same, copies, rss = [], [], [], []
    for number in range(args.rounds):
        result, peak = await worker_round(base, pages, f"w{number}", workdir)
        workers.append(result)
        rss.append(peak)
        same.append(await loop_round(base, pages, f"s{number}", parse=True))
        copies.append(await loop_round(base, pages, f"c{number}", parse=False))
        print(
            f"round {number + 1}: worker {result.pages_per_s:.0f} pages/s in {result.seconds:.1f}s "
            f"({result.entries} entries, {result.dead_letters} dead letters"
            f"{', STALLED' if result.stalled else ''}), same-work loop "
            f"{same[-1].pages_per_s:.0f} pages/s, copy loop {copies[-1].pages_per_s:.0f} msgs/s; "
            f"CPU per page: worker {result.cpu_ms_per_page:.2f} ms, same-work loop "
            f"{same[-1].cpu_ms_per_page:.2f} ms; steal: worker {result.steal:.0%}, "
            f"same-work loop {same[-1].steal:.0%}, copy loop {copies[-1].steal:.0%}"
        )
    w = statistics.median(r.pages_per_s for r in workers) if workers else 0.0
    rate = args.rate or max(1.0, w / 2)
    await latency_rounds(args, base, rate, workdir)
    if not workers:
        return
    print(f"stalled rounds: {sum(r.stalled for r in workers)} of {len(workers)}")
    print(f"worker peak RSS: {max(rss) / 1024:.0f} MB")
    print(f"worker pages/s: {spread([r.pages_per_s for r in workers])}")
    print(f"same-work loop pages/s: {spread([r.pages_per_s for r in same])}")
    print(f"copy loop msgs/s: {spread([r.pages_per_s for r in copies])}")
    print(f"worker CPU ms/page: {spread([r.cpu_ms_per_page for r in workers], 2)}")
    print(f"same-work loop CPU ms/page: {spread([r.cpu_ms_per_page for r in same], 2)}")
    # Each round's worker and loop run minutes apart; a neighbour's load that slows
    # one of them moves the ratio of medians, so each round's own ratio is shown too.
    pairs = list(zip(workers, same, strict=True))
    paired = [worker.pages_per_s / loop.pages_per_s for worker, loop in pairs]
    print(f"worker / same-work loop, round by round: {spread(paired, 2)}")
    cpu_ratio = [
        loop.cpu_ms_per_page / worker.cpu_ms_per_page for worker, loop in pairs if worker.cpu_s
    ]
    if cpu_ratio:
        print(f"same-work loop CPU / worker CPU per page, round by round: {spread(cpu_ratio, 2)}")
    loop = statistics.median(r.pages_per_s for r in same)
    c = statistics.median(r.pages_per_s for r in copies)
    print(f"worker {w:.0f} pages/s / copy loop {c:.0f} msgs/s = {w / c:.2f}")
    print(f"worker {w:.0f} pages/s / same-work loop {loop:.0f} pages/s = {w / loop:.2f}")


async def latency_rounds(args: argparse.Namespace, base: Settings, rate: float, workdir) -> None:
    p50s, p99s, cold_p99s, stuck = [], [], [], 0
    over_bar: list[str] = []  # the rounds with p99 over LATENCY_BAR_MS, and their steal
    for number in range(args.latency_rounds):
        paced = await latency(
            base, make_pages(args.paced, seed=11 + number), rate, workdir, f"latency{number}"
        )
        lat, cold, stolen = paced.measured, paced.cold, paced.steal
        cold_p99 = percentile(cold, 0.99) if cold else float("nan")
        if cold:
            cold_p99s.append(cold_p99)
        if not lat:
            print(f"latency round {number + 1}: no entries came out")
            stuck += 1
            continue
        p50, p99 = percentile(lat, 0.5), percentile(lat, 0.99)
        p50s.append(p50)
        p99s.append(p99)
        stuck += p99 > STUCK_P99_MS
        if p99 > LATENCY_BAR_MS:
            over_bar.append(f"round {number + 1}: {p99:.0f} ms, steal {stolen:.0%}")
        print(
            f"latency round {number + 1} at {rate:.0f} pages/s: p50 {p50:.0f} ms, p99 "
            f"{p99:.0f} ms, max {max(lat):.0f} ms ({len(lat)} entries)"
            f"{', STUCK' if p99 > STUCK_P99_MS else ''}; cold start (the {WARM_UP_PAGES} "
            f"warm-up pages): p99 {cold_p99:.0f} ms; "
            f"worker CPU {paced.cpu_ms_per_page:.2f} ms/page; steal {stolen:.0%}; "
            + (
                f"worker ready {paced.ready_s:.1f} s after its start"
                if paced.ready_s is not None
                else f"worker NOT READY after {READY_TIMEOUT_S:.0f} s (published anyway)"
            )
        )
    if p99s:
        print(
            f"latency publish->entry at {rate:.0f} pages/s: p50 {spread(p50s)} ms, "
            f"p99 {spread(p99s)} ms over {len(p99s)} rounds, after {WARM_UP_PAGES} warm-up "
            f"pages (their own p99: {spread(cold_p99s) if cold_p99s else 'none'} ms)"
        )
        print(
            f"latency rounds with p99 over {LATENCY_BAR_MS:.0f} ms: {len(over_bar)} of "
            f"{len(p99s)}{' (' + '; '.join(over_bar) + ')' if over_bar else ''}"
        )
    print(
        f"stuck latency rounds (p99 over {STUCK_P99_MS:.0f} ms): {stuck} of {args.latency_rounds}"
    )


#: Where the run keeps its broker's logs and its workers' stores: in memory, so that
#: what is measured is the worker and not the machine's disk.  On the 2-core machine
#: of the README's figures, for two or three minutes after the throughput rounds the
#: broker took 0.4-0.9 s to append to the next rounds' new partitions (``localTimeMs``
#: in its request log), for the bench's own producer as for the worker, and 3 of 4
#: latency rounds got stuck on it; with the logs in /dev/shm, 0 of 4.
MEMORY_DIR = "/dev/shm"


def memory_dir(args: argparse.Namespace) -> str | None:
    """``MEMORY_DIR`` when it is there, writable and has room for the run, else None."""
    if not os.path.isdir(MEMORY_DIR) or not os.access(MEMORY_DIR, os.W_OK):
        return None
    # About 40 kB a page and round (raw, copies, entries, changelogs), and 2x to spare.
    needed = 2 * 40_000 * (args.pages * args.rounds + args.paced * args.latency_rounds)
    stats = os.statvfs(MEMORY_DIR)
    return MEMORY_DIR if stats.f_bavail * stats.f_frsize > needed else None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--paced", type=int, default=2000)
    parser.add_argument("--latency-rounds", type=int, default=10)
    parser.add_argument(
        "--rate", type=float, default=0.0, help="latency pace, pages/s (default: half capacity)"
    )
    parser.add_argument(
        "--on-disk",
        action="store_true",
        help="keep the broker's logs and the workers' stores in the temporary directory on "
        f"disk, not in {MEMORY_DIR}",
    )
    parser.add_argument(
        "--worker-env",
        type=worker_env,
        action="append",
        default=[],
        metavar="LIVEBLOG_NAME=VALUE",
        help="a setting for every worker of the run (repeatable), e.g. "
        "LIVEBLOG_SESSION_TIMEOUT_S=6 to compare it with the default",
    )
    args = parser.parse_args()
    WORKER_ENV.update(args.worker_env)
    if args.rounds == 0 and not args.rate:
        parser.error("--rounds 0 needs --rate (the pace of the latency rounds)")
    where = None if args.on_disk else memory_dir(args)
    print(
        f"broker logs and worker stores: {'in memory, ' + where if where else 'on disk'}"
        " (see --on-disk)"
        + (
            f"; workers with {' '.join(f'{k}={v}' for k, v in WORKER_ENV.items())}"
            if WORKER_ENV
            else ""
        )
    )
    with tempfile.TemporaryDirectory(dir=where) as tmp:
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
