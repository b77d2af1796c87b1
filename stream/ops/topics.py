"""Creating the topics the pipeline reads and writes, with consistent size limits."""

from __future__ import annotations

import contextlib

from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError

from stream.connection import client_options
from stream.settings import Settings


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
