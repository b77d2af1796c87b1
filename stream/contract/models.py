"""The public message contract: the two values this project writes.

``schemas/`` holds the same contract as JSON Schema files for consumers in any
language; ``tests/test_contract.py`` checks that the two agree.  Renaming a field
here is a breaking change for every consumer.
"""

from __future__ import annotations

import base64
import hashlib
from typing import Literal, TypedDict

ENTRY_SCHEMA = "liveblog.entry/1"
DEADLETTER_SCHEMA = "liveblog.deadletter/1"

Label = Literal["analysis", "key_event", "pinned", "breaking", "summary"]
Reason = Literal[
    "empty",
    "invalid_encoding",
    "invalid_json",
    "invalid_envelope",
    "oversized",
    "not_a_liveblog",
    "truncated",
    "spillover",
    "processing_error",
]
REASONS: tuple[str, ...] = Reason.__args__  # type: ignore[attr-defined]
LABELS: tuple[str, ...] = Label.__args__  # type: ignore[attr-defined]


class SourceRef(TypedDict):
    topic: str | None
    partition: int | None
    offset: int | None
    scraped_at: str | None


class CaptionValue(TypedDict):
    text: str
    credit: str


class StoryValue(TypedDict):
    title: str
    section: str | None
    url: str | None
    tags: list[str]


class EntryValue(TypedDict):
    schema: str
    story_id: str
    entry_id: str
    revision: int
    posted_at: str
    updated_at: str | None
    headline: str | None
    labels: list[str]
    body: str
    captions: list[CaptionValue]
    lang: str
    story: StoryValue
    source: SourceRef


class DeadLetterValue(TypedDict):
    schema: str
    letter_id: str
    reason: str
    detail: str
    story_id: str | None
    text: str | None
    original: str | None
    source: SourceRef


def dead_letter(
    reason: str,
    detail: str,
    source: SourceRef,
    *,
    story_id: str | None = None,
    text: str | None = None,
    original: bytes | None = None,
) -> DeadLetterValue:
    return {
        "schema": DEADLETTER_SCHEMA,
        "letter_id": letter_id_for(source, reason, text),
        "reason": reason,
        "detail": detail,
        "story_id": story_id,
        "text": text,
        "original": base64.b64encode(original).decode("ascii") if original is not None else None,
        "source": source,
    }


def letter_id_for(source: SourceRef, reason: str, text: str | None) -> str:
    """The same id every time the same source record fails the same way: consumers
    drop a letter whose id they have seen (a redelivery after a crash or restart)."""
    where = f"{source['topic']}\x1f{source['partition']}\x1f{source['offset']}\x1f{reason}"
    if source["offset"] is None:  # no Kafka record (``stream parse``): the text decides
        where += "\x1f" + (text or "")
    return hashlib.blake2b(where.encode("utf-8", "replace"), digest_size=10).hexdigest()
