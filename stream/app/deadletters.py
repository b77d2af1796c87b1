"""Dead letters as records: their Kafka headers, and the letter for a failure of the
shell itself (a bug in the worker must become a dead letter, never a crash loop)."""

from __future__ import annotations

from dataclasses import dataclass

import orjson

from stream.app.delivery import Send
from stream.contract import DeadLetterValue, dead_letter


@dataclass(frozen=True, slots=True)
class SourceRecord:
    """Where an input record came from: what every dead letter must name."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    #: How many times the record was redriven from the dead-letter topic (its header).
    redrives: int = 0


#: Set by ``stream deadletters redrive`` on the raw messages it sends back; copied
#: onto the letter when such a message fails again, so redrives can be counted.
REDRIVE_COUNT_HEADER = "liveblog.redrive.count"


def deadletter_headers(
    source: SourceRecord,
    reason: str,
    detail: str,
    exception: BaseException | None,
    stage: str,
) -> list[tuple[str, bytes]]:
    """Error context in the spirit of Kafka Connect's DLQ context headers."""
    if exception is not None:
        exception_class = f"{type(exception).__module__}.{type(exception).__qualname__}"
        message = str(exception)
    else:
        exception_class = "liveblog." + "".join(part.title() for part in reason.split("_"))
        message = detail
    return [
        ("liveblog.errors.topic", source.topic.encode()),
        ("liveblog.errors.partition", str(source.partition).encode()),
        ("liveblog.errors.offset", str(source.offset).encode()),
        ("liveblog.errors.reason", reason.encode()),
        ("liveblog.errors.stage", stage.encode()),
        ("liveblog.errors.exception.class.name", exception_class.encode()),
        ("liveblog.errors.exception.message", message.encode("utf-8", "replace")[:4000]),
        *([(REDRIVE_COUNT_HEADER, str(source.redrives).encode())] if source.redrives else []),
    ]


def deadletter_send(
    topic: str,
    source: SourceRecord,
    letter: DeadLetterValue,
    exception: BaseException | None,
    stage: str,
) -> Send:
    """The record for ``letter``, keyed like its source record."""
    headers = deadletter_headers(source, letter["reason"], letter["detail"], exception, stage)
    kind = f"deadletter:{letter['reason']}"
    return Send(topic, source.key, orjson.dumps(letter), headers, kind=kind)


def shell_failure_send(
    topic: str, source: SourceRecord, original: object, exception: Exception, stage: str
) -> Send:
    """A ``processing_error`` letter for an exception in the worker's own code."""
    letter = dead_letter(
        "processing_error",
        f"The {stage} stage failed ({type(exception).__name__}: {exception}); this is a bug "
        "in liveblog-stream: report it with this dead letter attached.",
        {
            "topic": source.topic,
            "partition": source.partition,
            "offset": source.offset,
            "scraped_at": None,
        },
        original=original if isinstance(original, bytes) else b"",
    )
    return deadletter_send(topic, source, letter, exception, stage)
