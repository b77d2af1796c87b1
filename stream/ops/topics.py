"""Creating the topics the pipeline reads and writes, with consistent size limits."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.client import AIOKafkaClient
from aiokafka.errors import TopicAlreadyExistsError
from aiokafka.protocol.metadata import MetadataRequest

from stream.connection import client_options
from stream.settings import Settings


@contextlib.asynccontextmanager
async def connected_client(settings: Settings) -> AsyncIterator[AIOKafkaClient]:
    """aiokafka's low-level client, for the requests its admin client does not make
    the way we need (ACLs; metadata that must not create topics)."""
    client = AIOKafkaClient(**client_options(settings), request_timeout_ms=15000)
    await client.bootstrap()
    try:
        yield client
    finally:
        await client.close()


async def topic_metadata(settings: Settings, names: Sequence[str]) -> list[dict]:
    """Each topic's metadata (``topic``, ``error_code``: 0 it exists, 3 no such topic,
    29 not authorised; ``partitions``).  Asked without auto-creation: the admin
    client's ``describe_topics`` lets a broker with ``auto.create.topics.enable``
    (Kafka's default) create a missing topic with the broker's defaults."""
    async with connected_client(settings) as client:
        request = MetadataRequest(list(names), allow_auto_topic_creation=False)
        response = await client.send(client.get_random_node(), request)
    return response.to_object()["topics"]


async def topic_errors(settings: Settings, names: Sequence[str]) -> dict[str, int]:
    """Kafka's error code for each topic (see ``topic_metadata``)."""
    return {topic["topic"]: topic["error_code"] for topic in await topic_metadata(settings, names)}


async def partition_count(settings: Settings, topic: str) -> int | None:
    """How many partitions ``topic`` has (None when it does not exist)."""
    for entry in await topic_metadata(settings, [topic]):
        if entry["topic"] == topic and entry["error_code"] == 0:
            return len(entry["partitions"])
    return None


def topic_config(settings: Settings) -> dict[str, str]:
    return {"max.message.bytes": str(settings.max_message_bytes)}


async def ensure_topics(settings: Settings, names: list[str] | None = None) -> list[str]:
    """Create the raw, entries and dead-letter topics (or ``names``) if missing.

    Returns the names created.  Existing topics are left as they are: on a shared
    cluster their owners decide partitions and retention.
    """
    wanted = names or [settings.raw_topic, settings.entries_topic, settings.deadletter_topic]
    admin = AIOKafkaAdminClient(**client_options(settings), request_timeout_ms=30000)
    await admin.start()
    try:
        existing = set(await admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if missing:
            with contextlib.suppress(TopicAlreadyExistsError):  # made meanwhile elsewhere
                await admin.create_topics(
                    [
                        NewTopic(
                            name,
                            settings.partitions,
                            settings.replication_factor,
                            topic_configs=topic_config(settings),
                        )
                        for name in missing
                    ]
                )
        return missing
    finally:
        await admin.close()
