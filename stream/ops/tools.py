"""Tools for the people around the processor: publish pages, tail the output, watch lag."""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

import orjson
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.errors import KafkaConnectionError, TopicAuthorizationFailedError
from tqdm import tqdm

from stream.app.lag import measure
from stream.connection import client_options
from stream.core.identity import canonical_url
from stream.ops.topics import ensure_topics, topic_errors
from stream.settings import Settings


class ToolError(RuntimeError):
    """A tool cannot do its work; the message says what to do."""


def unreachable(settings: Settings) -> ToolError:
    return ToolError(
        f"cannot reach Kafka at {settings.bootstrap_servers}: start the local broker with "
        "`python -m stream broker start`, or set LIVEBLOG_BOOTSTRAP_SERVERS to your cluster"
    )


def page_files(paths: Iterable[str]) -> Iterator[Path]:
    """Files to publish: the files named, and every file under the folders named."""
    for name in paths:
        path = Path(name)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and not p.name.startswith(".")
            )
        elif path.is_file():
            yield path
        else:
            raise ToolError(f"{name}: no such file or folder")


def key_for(value: bytes, path: Path) -> bytes | None:
    """The key a scraper should use: the page's canonical URL from the envelope, if
    any (``stream.core.identity.story_key``), which puts every page of a story on the
    partition where the worker keeps its state."""
    if value[:1] == b"{":
        try:
            envelope = orjson.loads(value)
        except orjson.JSONDecodeError:
            return None
        if isinstance(envelope, dict) and isinstance(envelope.get("url"), str):
            return canonical_url(envelope["url"]).encode()
    return None


async def publish(
    settings: Settings, paths: list[str], repeat: int = 1, progress: bool = True
) -> int:
    """Publish files as raw pages (one file = one message); returns the count."""
    files = list(page_files(paths))
    if not files:
        raise ToolError("nothing to publish: no files under " + ", ".join(paths))

    def messages() -> Iterator[tuple[bytes | None, bytes]]:
        for _ in range(repeat):
            for path in files:
                value = path.read_bytes()
                yield key_for(value, path), value

    return await publish_values(settings, messages(), len(files) * repeat, progress)


async def started_producer(settings: Settings) -> AIOKafkaProducer:
    """An idempotent producer with the project's message size limit, started."""
    producer = AIOKafkaProducer(
        **client_options(settings),
        max_request_size=settings.max_message_bytes,
        linger_ms=5,
        acks="all",
        enable_idempotence=True,
    )
    try:
        await producer.start()
    except KafkaConnectionError:
        await producer.stop()
        raise unreachable(settings) from None
    return producer


async def publish_values(
    settings: Settings,
    messages: Iterable[tuple[bytes | None, bytes]],
    total: int | None = None,
    progress: bool = False,
) -> int:
    """Publish (key, value) pairs to the raw topic, creating it if missing; returns
    the count once the broker has acknowledged every one."""
    try:
        await ensure_topics(settings, [settings.raw_topic])
    except KafkaConnectionError:
        raise unreachable(settings) from None
    producer = await started_producer(settings)
    sent = 0
    try:
        with tqdm(
            total=total,
            unit="page",
            desc=f"publish to {settings.raw_topic}",
            disable=not progress,
            file=sys.stderr,
        ) as bar:
            pending = []
            for key, value in messages:
                pending.append(await producer.send(settings.raw_topic, value, key=key))
                if len(pending) >= 500:
                    await asyncio.gather(*pending)
                    bar.update(len(pending))
                    sent += len(pending)
                    pending.clear()
            await asyncio.gather(*pending)
            bar.update(len(pending))
            sent += len(pending)
    finally:
        await producer.stop()
    return sent


def describe(topic: str, key: bytes | None, value: bytes, headers: list | None) -> str:
    """One record as a person reads it."""
    try:
        record = orjson.loads(value)
    except orjson.JSONDecodeError:
        return f"{topic}  (not JSON, {len(value)} bytes)"
    if "entry_id" in record:
        labels = ",".join(record["labels"])
        headline = f" | {record['headline']}" if record["headline"] else ""
        body = " ".join(record["body"].split())[:100]
        captions = f"  [+{len(record['captions'])} caption(s)]" if record["captions"] else ""
        return (
            f"ENTRY rev {record['revision']}  {record['posted_at']}  "
            f"{record['story']['title'][:50]}{headline}"
            f"{'  {' + labels + '}' if labels else ''}\n      {body}{captions}"
        )
    if "reason" in record:
        source = record["source"]
        where = f"{source['topic']}[{source['partition']}]@{source['offset']}"
        text = " ".join((record["text"] or "").split())[:80]
        original = (
            f"  original: {len(record['original'])} base64 chars" if record["original"] else ""
        )
        return (
            f"DEAD  {record['reason']:<17} from {where}  {record['detail'][:140]}"
            + (f"\n      text: {text}" if text else "")
            + original
        )
    return f"{topic}  {value[:200]!r}"


def _render(record, as_json: bool) -> str:
    if not as_json:
        return describe(record.topic, record.key, record.value, record.headers)
    return orjson.dumps(
        {
            "topic": record.topic,
            "partition": record.partition,
            "offset": record.offset,
            "key": record.key.decode("utf-8", "replace") if record.key else None,
            "headers": {k: v.decode("utf-8", "replace") for k, v in record.headers},
            "value": orjson.loads(record.value),
        }
    ).decode()


async def require_topic(settings: Settings, topic: str) -> None:
    """Fail at once, clearly, for a topic that does not exist (a consumer would wait)."""
    try:
        error = (await topic_errors(settings, [topic]))[topic]
    except KafkaConnectionError:
        raise unreachable(settings) from None
    if error == TopicAuthorizationFailedError.errno:
        # Kafka hides a topic from a user without ACLs on it, existing or not.
        raise TopicAuthorizationFailedError(topic)
    if error:
        raise ToolError(
            f"topic {topic!r} does not exist on {settings.bootstrap_servers}: start the "
            "worker once (it creates its topics), or check LIVEBLOG_ENTRIES_TOPIC and "
            "LIVEBLOG_DEADLETTER_TOPIC"
        )


def _remaining(limit: int | None, count: int) -> int | None:
    return None if limit is None else limit - count


async def tail(
    settings: Settings,
    deadletter: bool,
    from_beginning: bool = True,
    idle_timeout: float | None = None,
    as_json: bool = False,
    limit: int | None = None,
    out=sys.stdout,
) -> int:
    """Print records of the entries (or dead-letter) topic as they arrive."""
    topic = settings.deadletter_topic if deadletter else settings.entries_topic
    await require_topic(settings, topic)
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(settings),
        auto_offset_reset="earliest" if from_beginning else "latest",
        enable_auto_commit=False,
        group_id=None,
        # What downstream consumers should see: records of aborted transactions
        # (exactly_once after a crash) are not entries.
        isolation_level="read_committed",
        max_partition_fetch_bytes=settings.max_message_bytes,
        fetch_max_bytes=max(settings.max_message_bytes, 52428800),
    )
    try:
        await consumer.start()
    except KafkaConnectionError:
        raise unreachable(settings) from None
    count = 0
    last = time.monotonic()
    try:
        while limit is None or count < limit:
            batch = await consumer.getmany(timeout_ms=500, max_records=_remaining(limit, count))
            for records in batch.values():
                for record in records[: _remaining(limit, count)]:
                    out.write(_render(record, as_json) + "\n")
                    count += 1
                    last = time.monotonic()
            out.flush()
            if idle_timeout is not None and time.monotonic() - last > idle_timeout:
                break
    finally:
        await consumer.stop()
    return count


async def read_to_end(settings: Settings, topic: str, timeout_s: float = 30.0) -> list:
    """Every record of ``topic`` up to its end offsets as of the call, oldest first per
    partition (for tests and scripts; ``tail`` is the tool for people)."""
    consumer = AIOKafkaConsumer(
        topic,
        **client_options(settings),
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        # What downstream consumers should see: records of aborted transactions
        # (exactly_once after a crash) are not entries.
        isolation_level="read_committed",
        max_partition_fetch_bytes=settings.max_message_bytes,
    )
    try:
        await consumer.start()
    except KafkaConnectionError:
        raise unreachable(settings) from None
    records: list = []
    try:
        deadline = time.monotonic() + timeout_s
        partitions = consumer.assignment()
        while not partitions and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
            partitions = consumer.assignment()
        ends = await consumer.end_offsets(list(partitions))
        while time.monotonic() < deadline:
            positions = {tp: await consumer.position(tp) for tp in ends}
            if all(positions[tp] >= end for tp, end in ends.items()):
                break
            for part in (await consumer.getmany(timeout_ms=1000)).values():
                records.extend(part)
    finally:
        await consumer.stop()
    return records


async def consumer_lag(
    settings: Settings, topics: list[str] | None = None
) -> list[tuple[str, int, int, int]]:
    """(topic, partition, committed offset, lag) for the worker's consumer group: the
    partitions it has committed, and every partition of ``topics`` (committed -1
    where the group has committed nothing yet, so an unread backlog shows)."""
    try:
        lag = await measure(client_options(settings), settings.app_id, topics or [])
    except KafkaConnectionError:
        raise unreachable(settings) from None
    return [(p.topic, p.partition, p.committed, p.lag) for p in lag.partitions]


__all__ = [
    "ToolError",
    "consumer_lag",
    "describe",
    "publish",
    "publish_values",
    "read_to_end",
    "tail",
]
