"""The two thin shells that run a plan: one awaits, one blocks. No rule lives here.

In a dry run (``_protocol._dry_run``: ``with client.dry_run():``) a call is not sent: the
dry run records it and answers it, and the plan goes on as if DynamoDB had.

Both run the plan inside ``with feed:``: whatever stops a driver while the plan waits
(cancellation, ``KeyboardInterrupt``) is thrown into the plan by ``Feed.abort`` before it
goes on, so a plan accounts for unfinished work.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncGenerator, Generator
from typing import Any, TypeVar

from pydynox._protocol._dry_run import dry_run_state
from pydynox._protocol._plan import Call, Feed, Plan, Sleep
from pydynox._transport._transports import AsyncTransport, SyncTransport
from pydynox.exceptions import PydynoxException

__all__ = ["drive_async", "drive_sync", "run_async", "run_sync"]

T = TypeVar("T")


def drive_sync(feed: Feed[Any], transport: SyncTransport) -> Generator[Any, None, None]:
    """Run a plan, blocking; yield what it emits. ``feed.result`` holds its return value."""
    feed.retry = transport.retry
    feed.observe = transport.observe
    feed.capacity = transport.capacity
    feed.prefix = transport.prefix
    with feed:  # KeyboardInterrupt, a plan's own error: the plan hears it
        for step in feed:
            if isinstance(step, Call):
                dry = dry_run_state()
                if dry is not None:
                    dry.answer(feed, step)
                    continue
                try:
                    feed.answer(transport.call(step.op, step.params, feed.deadline))
                except PydynoxException as error:
                    feed.fail(error)
            elif isinstance(step, Sleep):
                time.sleep(step.seconds)
            else:
                yield step.value


async def drive_async(feed: Feed[Any], transport: AsyncTransport) -> AsyncGenerator[Any, None]:
    """Run a plan on the running loop; yield what it emits."""
    feed.retry = transport.retry
    feed.observe = transport.observe
    feed.capacity = transport.capacity
    feed.prefix = transport.prefix
    with feed:  # cancellation, a plan's own error: the plan hears it
        for step in feed:
            if isinstance(step, Call):
                dry = dry_run_state()
                if dry is not None:
                    dry.answer(feed, step)
                    continue
                try:
                    feed.answer(await transport.call(step.op, step.params, feed.deadline))
                except PydynoxException as error:
                    feed.fail(error)
            elif isinstance(step, Sleep):
                await asyncio.sleep(step.seconds)
            else:
                yield step.value


def run_sync(plan: Plan[T], transport: SyncTransport) -> T:
    """Run a plan that emits nothing and return its result."""
    feed = Feed(plan)
    for value in drive_sync(feed, transport):
        raise TypeError(f"unexpected value from a plan: {value!r}")
    return feed.result


async def run_async(plan: Plan[T], transport: AsyncTransport) -> T:
    """Run a plan that emits nothing on the running loop and return its result."""
    feed = Feed(plan)
    steps = drive_async(feed, transport)
    try:
        async for value in steps:
            raise TypeError(f"unexpected value from a plan: {value!r}")
    finally:
        await steps.aclose()
    return feed.result
