"""Which partition a story's state lives on.

A story's pages must meet its state on one partition of the tables.  That
partition is the one Kafka's default partitioner (murmur2, as in the Java clients
and aiokafka) gives the story's key (``stream.core.identity.story_key``: its
canonical URL).  A raw page keyed that way already sits on its story's partition
and is applied where it is read, with no second hop; any other raw page is sent
on to that partition of the pages-by-story topic.  Kafka Streams skips its
repartition topic on the same condition: the input is already keyed as the
state is.
"""

from __future__ import annotations

import random
from functools import lru_cache

from aiokafka.partitioner import murmur2

from stream.core.identity import story_key


@lru_cache(maxsize=8192)  # the same stories are scraped again every minute
def partition_for_key(key: bytes, partitions: int) -> int:
    """Kafka's default partition for ``key`` among ``partitions``."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


def story_partition(url: str | None, story_id: str, partitions: int) -> int:
    """The partition of the tables (and of the pages-by-story topic) a story lives on."""
    return partition_for_key(story_key(url, story_id), partitions)


def default_partitioner(key: bytes | None, all_partitions: list[int], available: list[int]) -> int:
    """aiokafka's ``DefaultPartitioner`` for the worker's producer, with each key's
    partition remembered: a page's entries all share its story's key, and the
    pure-Python murmur2 of every record was 5% of the worker's time."""
    if key is None:
        return random.choice(available or all_partitions)
    return all_partitions[partition_for_key(key, len(all_partitions))]
