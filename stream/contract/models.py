"""The public message contract: the two values this project writes.

``schemas/`` holds the same contract as JSON Schema files for consumers in any
language; ``tests/test_contract.py`` checks that the two agree.  Renaming a field
here is a breaking change for every consumer.
"""

from __future__ import annotations

import base64
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
        "reason": reason,
        "detail": detail,
        "story_id": story_id,
        "text": text,
        "original": base64.b64encode(original).decode("ascii") if original is not None else None,
        "source": source,
    }
