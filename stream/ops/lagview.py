"""``stream lag``: the worker group's lag, as Kafka's consumer-groups tool shows it,
plus lag in seconds and a Burrow-style status."""

from __future__ import annotations

import asyncio
import sys
from collections import deque

import orjson
from aiokafka.errors import KafkaConnectionError, KafkaError

from stream.app.lag import GroupLag, PartitionLag, judge, measure, worst
from stream.connection import client_options
from stream.ops.access import denied
from stream.ops.tools import unreachable
from stream.settings import Settings

EXIT_NOT_OK = 3
_HISTORY = 30


async def watch_lag(settings: Settings, as_json: bool, every: float | None) -> int:
    """Print the lag once (or every ``every`` seconds); exit 3 unless the status is OK."""
    history: dict[tuple[str, int], deque[PartitionLag]] = {}
    while True:
        try:
            lag = await measure(client_options(settings), settings.app_id, settings.input_topics)
        except KafkaConnectionError:
            print(f"stream lag: {unreachable(settings)}", file=sys.stderr)
            return 1
        except KafkaError as exc:
            reason = denied(exc, settings) or f"Kafka refused the request ({exc})"
            print(f"stream lag: {reason}", file=sys.stderr)
            return 1
        for row in lag.partitions:
            history.setdefault((row.topic, row.partition), deque(maxlen=_HISTORY)).append(row)
        statuses = {
            key: judge(list(samples), bool(lag.members)) for key, samples in history.items()
        }
        status = worst(list(statuses.values()))
        sys.stdout.write(
            render_json(lag, statuses, status) if as_json else render(lag, statuses, status)
        )
        sys.stdout.flush()
        if every is None:
            return 0 if status == "OK" else EXIT_NOT_OK
        await asyncio.sleep(every)


def render(lag: GroupLag, statuses: dict[tuple[str, int], str], status: str) -> str:
    lines = [
        f"GROUP {lag.group}: {status}, total lag {lag.total}, "
        f"max lag {lag.max_lag_seconds:.1f}s, {len(lag.members)} member(s)"
    ]
    lines += [f"  member {member}" for member in lag.members]
    lines.append(
        f"{'TOPIC':<40} {'PARTITION':>9} {'COMMITTED':>10} {'LOG-END':>10} {'LAG':>8} "
        f"{'LAG-SECONDS':>11}  STATUS"
    )
    for row in lag.partitions:
        seconds = f"{row.lag_seconds:.1f}" if row.lag_seconds is not None else "-"
        committed = str(row.committed) if row.committed >= 0 else "-"
        lines.append(
            f"{row.topic:<40} {row.partition:>9} {committed:>10} {row.end:>10} {row.lag:>8} "
            f"{seconds:>11}  {statuses[(row.topic, row.partition)]}"
        )
    if not lag.partitions:
        lines.append("(the group has committed nothing and its topics do not exist yet)")
    return "\n".join(lines) + "\n"


def render_json(lag: GroupLag, statuses: dict[tuple[str, int], str], status: str) -> str:
    document = {
        "group": lag.group,
        "status": status,
        "total_lag": lag.total,
        "max_lag_seconds": lag.max_lag_seconds,
        "members": lag.members,
        "partitions": [
            {
                "topic": row.topic,
                "partition": row.partition,
                "committed": row.committed,
                "log_end": row.end,
                "lag": row.lag,
                "lag_seconds": row.lag_seconds,
                "status": statuses[(row.topic, row.partition)],
            }
            for row in lag.partitions
        ],
    }
    return orjson.dumps(document).decode() + "\n"
