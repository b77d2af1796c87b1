"""Faust's fetcher hands each consumed message to the streams without four tasks.

Faust's ``Consumer._drain_messages`` passes every message on with
``wait_first(on_message(message), suspend_flow.wait())``: should the hand-off block
(a stream's buffer full, flow stopped for a rebalance) it gives way to a rebalance
instead of deadlocking.  ``wait_first`` wraps both in tasks, adds two more for the
consumer's stopped and crashed events, waits, then cancels three: about 4% of the
worker's time on a backlog, paid per message, while the hand-off almost never blocks.

``lean_wait_first`` runs the hand-off itself first.  When it completes without
suspending, as it does unless a buffer is full or the flow stopped, that is the
result, and no task was made.  When it suspends, the coroutine, already under way,
goes on under Faust's own ``wait_first``, so blocking behaves as before.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from typing import Any

from mode.services import WaitResults

WaitFirst = Callable[..., Awaitable[WaitResults]]


def lean_wait_first(original: WaitFirst, suspend_flow: asyncio.Event) -> WaitFirst:
    """A ``wait_first`` for the fetcher's hand-off (the only caller on a consumer)."""

    async def wait_first(*coros: Any, timeout: float | None = None) -> WaitResults:
        handoff = coros[0] if coros else None
        if timeout is not None or not asyncio.iscoroutine(handoff) or suspend_flow.is_set():
            return await original(*coros, timeout=timeout)
        try:
            suspended_at = handoff.send(None)
        except StopIteration as done:
            _close(coros[1:])
            return WaitResults([handoff], [done.value], False)
        except BaseException:
            _close(coros[1:])
            raise
        return await original(_Resumed(handoff, suspended_at), *coros[1:], timeout=timeout)

    return wait_first


def _close(coros: tuple[Any, ...]) -> None:
    """The alternatives not awaited (``suspend_flow.wait()``): closed, not left to warn."""
    for coro in coros:
        if asyncio.iscoroutine(coro):
            coro.close()


class _Resumed:
    """An awaitable that goes on with a coroutine already driven to a suspension."""

    __slots__ = ("coro", "suspended_at")

    def __init__(self, coro: Any, suspended_at: Any) -> None:
        self.coro, self.suspended_at = coro, suspended_at

    def __await__(self) -> Generator[Any, Any, Any]:
        return _resume(self.coro, self.suspended_at)


def _resume(coro: Any, suspended_at: Any) -> Generator[Any, Any, Any]:
    """``yield from`` the rest of ``coro``: what it waits on goes to the task above,
    and what the task sends or throws (a result, a cancellation) goes to ``coro``."""
    waiting_on = suspended_at
    while True:
        try:
            sent = yield waiting_on
        except GeneratorExit:
            coro.close()
            raise
        except BaseException as exc:  # a cancellation, or an exception thrown in
            try:
                waiting_on = coro.throw(exc)
            except StopIteration as done:
                return done.value
            continue
        try:
            waiting_on = coro.send(sent)
        except StopIteration as done:
            return done.value


def use_lean_handoff(consumer: Any) -> None:
    """Give Faust's consumer the lean ``wait_first`` (once; its fetcher looks the
    method up for every message)."""
    if getattr(consumer, "_lean_handoff", False):
        return
    consumer.wait_first = lean_wait_first(consumer.wait_first, consumer.suspend_flow)
    consumer._lean_handoff = True
