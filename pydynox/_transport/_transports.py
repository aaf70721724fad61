"""Transports: the seam between pydynox and the network (``call(op, request) -> response``).

A transport takes a DynamoDB operation name (``"GetItem"``) and a request in DynamoDB's
shape and returns the response in the same shape, or raises a pydynox error. It makes one
attempt: retries are decided by ``_retry`` and made by the plan driver. Two kinds exist
(``Settings.transport``, in ``_settings``):

- ``"wire"`` (the default, ``_wire``): DynamoDB's JSON protocol over pydynox's own HTTP/1.1
  connections (``_http``) with its own SigV4 signing and credentials from the botocore
  session chain.
- ``"botocore"``: boto3 / aioboto3 low-level clients, their own retries turned off
  (``_botocore``).

Both take their configuration from one botocore client per pydynox client (``_aws``). A wire
client sends through that botocore client the calls that hooks watch (moto's ``mock_aws``,
a ``Stubber``, handlers on botocore's events), and every call when the wire transport cannot
send as botocore would; on the async side those calls run in a worker thread.

``SyncTransport`` holds one sender, created once and shared by every thread.
``AsyncTransport`` keeps one open sender per running event loop, because asyncio connections
(and an aiobotocore session) belong to the loop that opened them. A loop's sender is closed
when that loop shuts down its async generators (``asyncio.run``, pytest-asyncio, anyio and
uvicorn all do) or by ``close()``. After ``os.fork()`` a child forgets its parent's senders.
"""

from __future__ import annotations

import asyncio
import os
import threading
import weakref
from collections.abc import AsyncGenerator
from typing import Any

from pydynox._protocol._capacity import CapacityMode
from pydynox._protocol._events import CallListener
from pydynox._protocol._retry import RetryRules
from pydynox._transport._aws import Hooks, Resolved, config_for
from pydynox._transport._botocore import BotocoreAsync, BotocoreInThread, BotocoreSync
from pydynox._transport._settings import Settings, TransportKind
from pydynox.exceptions import ConnectionException

__all__ = ["AsyncTransport", "Settings", "SyncTransport", "TransportKind"]


class _Watched:
    """The wire sender, except for calls that hooks watch (``Hooks.watching``: moto's
    ``mock_aws``, a ``Stubber``, handlers on botocore's events): those go through botocore.
    The wire sender is made on the first call it sends (a stubbed call needs no credentials,
    as with boto3)."""

    __slots__ = ("_botocore", "_hooks", "_lock", "_settings", "_wire")

    def __init__(self, settings: Settings, hooks: Hooks, botocore: BotocoreSync) -> None:
        self._settings = settings
        self._hooks = hooks
        self._botocore = botocore
        self._wire: Any = None
        self._lock = threading.Lock()

    def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        if self._hooks.watching(op):
            return self._botocore.send(op, params, deadline)
        response: dict[str, Any] = (self._wire or self._open()).send(op, params, deadline)
        return response

    def _open(self) -> Any:
        from pydynox._transport._wire import SyncWire

        with self._lock:
            if self._wire is None:
                self._wire = SyncWire(self._settings)
            return self._wire

    def close(self) -> None:
        with self._lock:
            wire, self._wire = self._wire, None
        if wire is not None:
            wire.close()
        self._botocore.close()


class _AsyncWatched:
    """``_Watched`` for one event loop: watched calls go to ``BotocoreInThread``; the other
    sender is opened on the first call it sends."""

    __slots__ = ("_hooks", "_lock", "_opened", "_sender", "_threaded")

    def __init__(self, sender: Any, hooks: Hooks, threaded: BotocoreInThread) -> None:
        self._sender = sender
        self._hooks = hooks
        self._threaded = threaded
        self._opened = False
        self._lock = asyncio.Lock()

    async def open(self) -> None:
        return None

    async def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        if self._hooks.watching(op):
            return await self._threaded.send(op, params, deadline)
        if not self._opened:
            async with self._lock:
                if not self._opened:
                    await self._sender.open()
                    self._opened = True
        response: dict[str, Any] = await self._sender.send(op, params, deadline)
        return response

    async def close(self) -> None:
        await self._threaded.close()
        if self._opened:
            self._opened = False
            await self._sender.close()


# Transports to reset in a child process after os.fork(): a child must never use its parent's
# sockets (both would read each other's answers) nor locks (another thread of the parent may
# have held one at the fork, and nobody would ever release it in the child).
_FORK_AWARE: weakref.WeakSet[SyncTransport | AsyncTransport] = weakref.WeakSet()


def _reset_after_fork() -> None:
    for transport in list(_FORK_AWARE):
        transport.after_fork()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_reset_after_fork)


class SyncTransport:
    """Sends requests with one sender, opened on first use and shared by threads."""

    def __init__(self, settings: Settings, retry: RetryRules) -> None:
        self._settings = settings
        self.retry = retry
        self.observe: tuple[CallListener, ...] | None = None  # the client's call listeners
        self.capacity: CapacityMode | None = None  # ReturnConsumedCapacity for every call
        self.prefix = ""  # the client's table prefix (meters name tables without it)
        self._config = config_for(settings)
        self._sender: Any = None
        self._lock = threading.Lock()
        _FORK_AWARE.add(self)

    def _open(self) -> Any:
        with self._lock:
            if self._sender is None:
                self._sender = self._new_sender()
            return self._sender

    def _new_sender(self) -> Any:
        resolved = self._config.resolve()
        botocore = BotocoreSync(resolved.client)
        if self._settings.transport == "wire" and resolved.botocore_only is None:
            return _Watched(self._settings, resolved.hooks, botocore)
        return botocore

    def call(
        self, op: str, params: dict[str, Any], deadline: float | None = None
    ) -> dict[str, Any]:
        """One attempt at ``op``, over by ``deadline`` (``time.monotonic()``) if one is given."""
        response: dict[str, Any] = (self._sender or self._open()).send(op, params, deadline)
        return response

    def close(self) -> None:
        with self._lock:
            sender, self._sender = self._sender, None
        if sender is not None:
            sender.close()

    def after_fork(self) -> None:
        """In a forked child: forget the parent's sender (its sockets) and lock; the first
        call opens a sender of the child's own. The parent's sockets are left to it."""
        self._lock = threading.Lock()
        self._sender = None


class _LoopSender:
    """The sender of one event loop, and the generator that closes it."""

    __slots__ = ("closer", "lock", "sender")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.sender: Any = None
        self.closer: AsyncGenerator[None, None] | None = None


class AsyncTransport:
    """Sends requests with the sender of the running event loop."""

    def __init__(self, settings: Settings, retry: RetryRules) -> None:
        self._settings = settings
        self.retry = retry
        self.observe: tuple[CallListener, ...] | None = None  # the client's call listeners
        self.capacity: CapacityMode | None = None  # ReturnConsumedCapacity for every call
        self.prefix = ""  # the client's table prefix (meters name tables without it)
        self._kind: TransportKind = settings.transport
        self._config = config_for(settings)
        self._shared: Any = None  # shared by loops: credentials (wire), data loader (botocore)
        self._shared_lock = threading.Lock()
        self._loops: dict[asyncio.AbstractEventLoop, _LoopSender] = {}
        _FORK_AWARE.add(self)

    async def call(
        self, op: str, params: dict[str, Any], deadline: float | None = None
    ) -> dict[str, Any]:
        """One attempt at ``op`` on the running loop, over by ``deadline`` if one is given."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError as error:  # trio, or a coroutine driven by hand
            raise ConnectionException(
                "pydynox's async API runs on an asyncio event loop (asyncio.run, uvloop, "
                "FastAPI...) and none is running here; trio is not supported: use the sync_ "
                "methods (in a worker thread) or run the call under asyncio",
                sent=False,
                permanent=True,
            ) from error
        state = self._loops.get(loop)
        sender = state.sender if state is not None else None
        if sender is None:
            sender = await self._open()
        response: dict[str, Any] = await sender.send(op, params, deadline)
        return response

    def _new_sender(self, resolved: Resolved) -> Any:
        threaded = BotocoreInThread(BotocoreSync(resolved.client))
        kind: Any = BotocoreAsync
        if self._kind == "wire":
            if resolved.botocore_only is not None:
                return threaded
            from pydynox._transport._wire import AsyncWire

            kind = AsyncWire
        with self._shared_lock:
            if self._shared is None:
                self._shared = kind.credentials(self._settings)
        return _AsyncWatched(kind(self._settings, self._shared), resolved.hooks, threaded)

    async def _open(self) -> Any:
        self._forget_closed_loops()
        loop = asyncio.get_running_loop()
        state = self._loops.setdefault(loop, _LoopSender())
        async with state.lock:
            if state.sender is None:
                # The first resolution reads files and may fetch credentials: off the loop.
                resolved = self._config.resolved
                if resolved is None:
                    resolved = await asyncio.to_thread(self._config.resolve)
                sender = self._new_sender(resolved)
                await sender.open()
                state.sender = sender
                # Started on this loop, the generator is tracked by it: loop shutdown
                # (shutdown_asyncgens) runs its finally block, which closes the sender.
                state.closer = self._close_at_shutdown(loop)
                await state.closer.__anext__()
        return state.sender

    async def _close_at_shutdown(
        self, loop: asyncio.AbstractEventLoop
    ) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            state = self._loops.pop(loop, None)
            if state is not None and state.sender is not None:
                sender, state.sender = state.sender, None
                await sender.close()

    async def close(self) -> None:
        """Close the sender of the running loop (other loops close theirs at shutdown)."""
        state = self._loops.get(asyncio.get_running_loop())
        if state is not None and state.closer is not None:
            await state.closer.aclose()
        self._forget_closed_loops()

    def _forget_closed_loops(self) -> None:
        """Drop what belongs to loops that were closed without shutting down their async
        generators (``loop.close()`` without ``shutdown_asyncgens()``): their connections can
        never be used again, and holding them would keep their sockets open for the life of
        the client. Without references, they are closed when collected."""
        for loop in [loop for loop in self._loops if loop.is_closed()]:
            del self._loops[loop]

    def after_fork(self) -> None:
        """In a forked child: forget every loop's sender (the parent's sockets, perhaps
        registered with a selector the parent shares) and the locks; nothing is closed, as
        closing could unregister the parent's sockets."""
        self._shared_lock = threading.Lock()
        self._loops = {}
