"""``stream deadletters``: what is in the dead-letter topic, one letter whole, and
redrive: the original bytes of chosen letters published back to the raw topic once
the cause is fixed (a parser fix, a raised size limit).

Redriven letters are remembered by id in a topic of the redrive's own
(``<app>-redriven``), so running redrive twice, with any filters, does not send a
letter twice.  Each
redriven message carries headers saying where it came from and how many times it
was redriven; a letter redriven ``max_redrives`` times is not redriven again.
"""

from __future__ import annotations

import asyncio
import base64
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

import orjson
from tqdm import tqdm

from stream.app.deadletters import REDRIVE_COUNT_HEADER
from stream.ops.tools import publish_values, read_to_end, require_topic, started_producer
from stream.ops.topics import ensure_topics
from stream.settings import Settings

REDRIVE_FROM_HEADER = "liveblog.redrive.from"
REDRIVE_LETTER_HEADER = "liveblog.redrive.letter_id"


@dataclass(frozen=True, slots=True)
class Letter:
    partition: int
    offset: int
    timestamp: float  # seconds
    key: bytes | None
    headers: dict[str, str]
    value: dict

    @property
    def reason(self) -> str:
        return self.value.get("reason", "?")

    @property
    def where(self) -> str:
        return f"{self.partition}@{self.offset}"

    @property
    def holds_message(self) -> bool:
        """Does it carry the whole original message (not only a piece of text)?"""
        return bool(self.value.get("original"))

    @property
    def original(self) -> bytes | None:
        encoded = self.value.get("original")
        return base64.b64decode(encoded) if encoded else None

    @property
    def identity(self) -> bytes:
        """The letter's id (its source record and reason), or where it sits."""
        return str(self.value.get("letter_id") or self.where).encode()

    @property
    def redrives(self) -> int:
        return int(self.headers.get(REDRIVE_COUNT_HEADER, "0") or 0)


def choose(letters: Sequence[Letter], reason: str | None, since: datetime | None) -> list[Letter]:
    """The letters of ``reason`` (any when None) written at or after ``since``."""
    cutoff = since.timestamp() if since else None
    return [
        letter
        for letter in letters
        if (reason is None or letter.reason == reason)
        and (cutoff is None or letter.timestamp >= cutoff)
    ]


async def read_letters(settings: Settings) -> list[Letter]:
    await require_topic(settings, settings.deadletter_topic)  # else the consumer waits
    records = await read_to_end(settings, settings.deadletter_topic)
    letters = []
    for record in records:
        try:
            value = orjson.loads(record.value)
        except orjson.JSONDecodeError:
            value = {"reason": "?", "detail": "(not a dead letter: not JSON)"}
        headers = {k: v.decode("utf-8", "replace") for k, v in record.headers or ()}
        letters.append(
            Letter(
                record.partition, record.offset, record.timestamp / 1000, record.key, headers, value
            )
        )
    return sorted(letters, key=lambda letter: (letter.timestamp, letter.partition, letter.offset))


def summary(letters: Sequence[Letter]) -> str:
    counts = Counter(letter.reason for letter in letters)
    lines = [f"{len(letters)} dead letter(s)"]
    lines += [f"  {reason:<18} {count:>7}" for reason, count in counts.most_common()]
    for letter in letters[-20:]:
        source = letter.value.get("source") or {}
        lines.append(
            f"{letter.where:>10}  {letter.reason:<17} from {source.get('topic')}"
            f"[{source.get('partition')}]@{source.get('offset')}  "
            f"{(letter.value.get('detail') or '')[:90]}"
        )
    return "\n".join(lines) + "\n"


def show(letter: Letter) -> str:
    value = dict(letter.value)
    original = letter.original
    value.pop("original", None)
    lines = [
        f"dead letter {letter.where} (partition@offset)",
        orjson.dumps(value, option=orjson.OPT_INDENT_2).decode(),
    ]
    lines.append("headers:")
    lines += [f"  {k}: {v}" for k, v in letter.headers.items()]
    if original is not None:
        lines.append(f"original ({len(original)} bytes):")
        lines.append(original.decode("utf-8", "replace"))
    return "\n".join(lines) + "\n"


async def redrive(
    settings: Settings,
    reason: str | None,
    since: datetime | None,
    dry_run: bool,
    max_redrives: int = 3,
    progress: bool = True,
    say: Callable[[str], None] = lambda line: print(line, file=sys.stderr),
) -> int:
    """Publish the original bytes of the chosen, not yet redriven letters back to the
    raw topic; returns how many were sent."""
    memory = replace(settings, raw_topic=f"{settings.app_id}-redriven")
    await ensure_topics(memory, [memory.raw_topic])
    done = {record.key for record in await read_to_end(memory, memory.raw_topic)}
    letters = [
        letter
        for letter in choose(await read_letters(settings), reason, since)
        if letter.identity not in done
    ]
    sendable = [letter for letter in letters if letter.holds_message]
    worn = [letter for letter in sendable if letter.redrives >= max_redrives]
    sendable = [letter for letter in sendable if letter.redrives < max_redrives]
    if len(letters) > len(sendable) + len(worn):
        say(
            f"{len(letters) - len(sendable) - len(worn)} letter(s) hold text, not a whole "
            "message (truncated, spillover): nothing to redrive for those"
        )
    if worn:
        say(f"{len(worn)} letter(s) were redriven {max_redrives} times already: left alone")
    if dry_run:
        say(f"would redrive {len(sendable)} letter(s) to {settings.raw_topic} (dry run)")
        return 0
    sent = await _publish_originals(settings, sendable, progress)
    await publish_values(memory, [(letter.identity, b"redriven") for letter in sendable])
    say(f"redrove {sent} letter(s) to {settings.raw_topic}")
    return sent


async def _publish_originals(settings: Settings, letters: list[Letter], progress: bool) -> int:
    producer = await started_producer(settings)
    try:
        pending = []
        bar = not progress or len(letters) < 2
        for letter in tqdm(letters, unit="letter", disable=bar, file=sys.stderr):
            headers = [
                (REDRIVE_COUNT_HEADER, str(letter.redrives + 1).encode()),
                (REDRIVE_FROM_HEADER, f"{settings.deadletter_topic}[{letter.where}]".encode()),
                (REDRIVE_LETTER_HEADER, str(letter.value.get("letter_id", "")).encode()),
            ]
            pending.append(
                await producer.send(
                    settings.raw_topic, letter.original, key=letter.key, headers=headers
                )
            )
        await asyncio.gather(*pending)
    finally:
        await producer.stop()
    return len(letters)
