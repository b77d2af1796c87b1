"""The public message contract: the models the code builds and the source of truth for
the JSON Schemas in ``schemas/``.  A field renamed here breaks every consumer."""

from stream.contract.models import (
    DEADLETTER_SCHEMA,
    ENTRY_SCHEMA,
    LABELS,
    REASONS,
    CaptionValue,
    DeadLetterValue,
    EntryValue,
    SourceRef,
    StoryValue,
    dead_letter,
)

__all__ = [
    "DEADLETTER_SCHEMA",
    "ENTRY_SCHEMA",
    "LABELS",
    "REASONS",
    "CaptionValue",
    "DeadLetterValue",
    "EntryValue",
    "SourceRef",
    "StoryValue",
    "dead_letter",
]
