"""Transports: the seam between pydynox and the network.

A transport takes a DynamoDB operation name (``"GetItem"``) and a request in DynamoDB's
shape and returns the response in the same shape, or raises a pydynox error. It makes one
attempt: retries are decided by ``_retry`` and made by the plan driver. Two kinds exist:

- ``"wire"`` (the default, ``_wire``): DynamoDB's JSON protocol over urllib3 / aiohttp with
  pydynox's own SigV4 signing and credentials from the botocore session chain.
- ``"botocore"``: boto3 / aioboto3 low-level clients (their own retries turned off).

Both take their configuration from one botocore client per pydynox client (``_aws``). A wire
client sends through that botocore client the calls that hooks watch (moto's ``mock_aws``,
a ``Stubber``, handlers on botocore's events), and every call when the wire transport cannot
send as botocore would; on the async side those calls run in a worker thread.

``SyncTransport`` holds one sender, created once and shared by every thread.
``AsyncTransport`` keeps one open sender per running event loop, because an aiohttp session
belongs to the loop that opened it. A loop's sender is closed when that loop shuts down its
async generators (``asyncio.run``, pytest-asyncio, anyio and uvicorn all do) or by
``close()``.
"""

from __future__ import annotations

import asyncio
import os
import threading
import time
import weakref
from collections.abc import AsyncGenerator, Awaitable
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any, Literal

from pydynox._protocol._retry import RetryRules
from pydynox._transport._aws import Hooks, Resolved, config_for
from pydynox._transport._response import DEFAULT_MAX_ANSWER
from pydynox.exceptions import ConnectionException, ValidationException

__all__ = ["AsyncTransport", "Settings", "SyncTransport", "TransportKind"]

TransportKind = Literal["wire", "botocore"]

_METHODS: dict[str, str] = {}


def _method_name(op: str) -> str:
    name = _METHODS.get(op)
    if name is None:
        name = _METHODS[op] = "".join("_" + c.lower() if c.isupper() else c for c in op)[1:]
    return name


@dataclass(frozen=True)
class Settings:
    """How to reach DynamoDB. Secrets are kept out of ``repr``."""

    region: str | None = None
    endpoint_url: str | None = None
    profile: str | None = None
    access_key: str | None = field(default=None, repr=False)
    secret_key: str | None = field(default=None, repr=False)
    session_token: str | None = field(default=None, repr=False)
    max_pool_connections: int = 64
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    max_attempts: int = 10
    verify: bool | str | None = None
    transport: TransportKind = "wire"
    call_timeout: float | None = None
    max_answer_bytes: int = DEFAULT_MAX_ANSWER

    def __post_init__(self) -> None:
        if self.transport not in ("wire", "botocore"):
            raise ValidationException(
                f"transport must be 'wire' or 'botocore', not {self.transport!r}"
            )
        if bool(self.access_key) != bool(self.secret_key):
            raise ValidationException(
                "access_key and secret_key must be given together (or neither, to use the "
                "AWS credential chain)"
            )
        if not isinstance(self.max_attempts, int) or self.max_attempts < 1:
            raise ValidationException(f"max_attempts must be 1 or more, not {self.max_attempts!r}")
        if self.max_pool_connections < 1:
            raise ValidationException(
                f"max_pool_connections must be 1 or more, not {self.max_pool_connections!r}"
            )
        for name in ("connect_timeout", "read_timeout", "call_timeout"):
            value = getattr(self, name)
            if value is None and name == "call_timeout":
                continue
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
                raise ValidationException(
                    f"{name} must be a positive number of seconds, not {value!r}"
                )
        limit = self.max_answer_bytes
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1024:
            raise ValidationException(
                f"max_answer_bytes must be a whole number of at least 1024, not {limit!r}"
            )

    def session_kwargs(self) -> dict[str, Any]:
        # botocore reads AWS_DEFAULT_REGION itself; AWS_REGION is the name AWS SDKs share.
        return {
            "region_name": self.region or os.environ.get("AWS_REGION") or None,
            "profile_name": self.profile,
            "aws_access_key_id": self.access_key,
            "aws_secret_access_key": self.secret_key,
            "aws_session_token": self.session_token,
        }

    def client_kwargs(self) -> dict[str, Any]:
        kwargs: dict[str, Any] = {}
        if self.endpoint_url is not None:
            kwargs["endpoint_url"] = self.endpoint_url
        if self.verify is not None:
            kwargs["verify"] = self.verify
        return kwargs

    def config_kwargs(self) -> dict[str, Any]:
        # One attempt per request: pydynox's retry rules (_retry) decide about the others.
        return {
            "max_pool_connections": self.max_pool_connections,
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "retries": {"total_max_attempts": 1, "mode": "standard"},
        }


class _Translated:
    """``with _TRANSLATED:`` raises the pydynox error for a botocore error, ``from`` it."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: TracebackType | None) -> None:
        if isinstance(error, Exception):
            from pydynox._transport._botocore_errors import translate_error

            translated = translate_error(error)
            if translated is not None:
                raise translated from error
            if isinstance(error, _PARSER_FAILURES) and _raised_by_botocore_parser(tb):
                raise ConnectionException(
                    f"botocore could not read DynamoDB's answer (not in DynamoDB's shape): "
                    f"{error!r:.200}"
                ) from error


# botocore reads an answer of the wrong shape (``{"Items": "x"}``) with raw errors.
_PARSER_FAILURES = (AttributeError, TypeError, KeyError, ValueError, IndexError)


def _raised_by_botocore_parser(tb: TracebackType | None) -> bool:
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    filename = last.tb_frame.f_code.co_filename if last is not None else ""
    return filename.replace("\\", "/").endswith("/botocore/parsers.py")


_TRANSLATED = _Translated()


async def _by_deadline(
    request: Awaitable[dict[str, Any]], deadline: float | None
) -> dict[str, Any]:
    """Await a botocore call, cut short at the call's deadline (botocore has none)."""
    if deadline is None:
        return await request
    try:
        return await asyncio.wait_for(request, deadline - time.monotonic())
    except asyncio.TimeoutError:
        raise ConnectionException("DynamoDB did not answer in time (call_timeout)") from None


class _BotocoreSync:
    """The client's botocore DynamoDB client (``_aws``: from the session boto3 would use).
    botocore cannot be given a deadline per request: a call's attempts are bounded by
    ``read_timeout`` and its retries by ``call_timeout``."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        with _TRANSLATED:
            response: dict[str, Any] = getattr(self._client, _method_name(op))(**params)
        return response

    def close(self) -> None:
        # A closed botocore client opens new connections if it is used again.
        self._client.close()


class _Watched:
    """The wire sender, except for calls that hooks watch (``Hooks.watching``: moto's
    ``mock_aws``, a ``Stubber``, handlers on botocore's events): those go through botocore.
    The wire sender is made on the first call it sends (a stubbed call needs no credentials,
    as with boto3)."""

    __slots__ = ("_botocore", "_hooks", "_lock", "_settings", "_wire")

    def __init__(self, settings: Settings, hooks: Hooks, botocore: _BotocoreSync) -> None:
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


class _BotocoreInThread:
    """The async side of botocore's sync client: each call in a worker thread. Used for
    calls that hooks watch (moto cannot mock aiobotocore; a ``Stubber`` or handler is on the
    sync client) and when the wire transport cannot send for a client (no aioboto3 needed)."""

    __slots__ = ("_botocore",)

    def __init__(self, botocore: _BotocoreSync) -> None:
        self._botocore = botocore

    async def open(self) -> None:
        return None

    async def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        return await _by_deadline(
            asyncio.to_thread(self._botocore.send, op, params, deadline), deadline
        )

    async def close(self) -> None:
        self._botocore.close()


class _AsyncWatched:
    """``_Watched`` for one event loop: watched calls go to ``_BotocoreInThread``; the other
    sender is opened on the first call it sends."""

    __slots__ = ("_hooks", "_lock", "_opened", "_sender", "_threaded")

    def __init__(self, sender: Any, hooks: Hooks, threaded: _BotocoreInThread) -> None:
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


class _BotocoreAsync:
    """An aiobotocore low-level client (the ``pydynox[aioboto3]`` extra): open it on the loop
    that will use it. Each loop has a session of its own: aiobotocore's refreshing credentials
    wait on an asyncio lock, which belongs to the first loop that waits on it, so credentials
    shared by loops fail on the others ("bound to a different event loop")."""

    def __init__(self, settings: Settings, loader: Any) -> None:
        self._settings = settings
        self._loader = loader
        self._context: Any = None
        self._client: Any = None

    @staticmethod
    def credentials(settings: Settings) -> Any:
        """What the sessions of every loop share: botocore's data loader (reading DynamoDB's
        service model and endpoint rules is most of the cost of a session). Fails before
        anything is sent when aioboto3 is not installed."""
        try:
            from aiobotocore.session import AioSession
        except ImportError as error:
            raise ConnectionException(
                "transport='botocore' needs aioboto3 for the async API: "
                f"pip install 'pydynox[aioboto3]' ({error})",
                sent=False,
                permanent=True,
            ) from error
        with _TRANSLATED:
            return AioSession(profile=settings.profile).get_component("data_loader")

    async def open(self) -> None:
        from aiobotocore.config import AioConfig
        from aiobotocore.session import AioSession

        settings = self._settings
        kwargs = settings.session_kwargs()
        with _TRANSLATED:
            session = AioSession(profile=kwargs.pop("profile_name"))
            session.register_component("data_loader", self._loader)
            context = session.create_client(
                "dynamodb",
                config=AioConfig(**settings.config_kwargs()),
                **kwargs,
                **settings.client_kwargs(),
            )
            self._client = await context.__aenter__()
        self._context = context

    async def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        request = getattr(self._client, _method_name(op))(**params)
        with _TRANSLATED:
            return await _by_deadline(request, deadline)

    async def close(self) -> None:
        context, self._context, self._client = self._context, None, None
        if context is not None:
            await context.__aexit__(None, None, None)


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
        botocore = _BotocoreSync(resolved.client)
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
        threaded = _BotocoreInThread(_BotocoreSync(resolved.client))
        kind: Any = _BotocoreAsync
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
