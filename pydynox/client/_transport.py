"""Transports: the seam between pydynox and the network.

A transport takes a DynamoDB operation name (``"GetItem"``) and a request in DynamoDB's
shape and returns the response in the same shape, or raises a pydynox error. It makes one
attempt: retries are decided by ``_retry`` and made by the plan driver. Two kinds exist:

- ``"wire"`` (the default, ``_wire``): DynamoDB's JSON protocol over urllib3 / aiohttp with
  pydynox's own SigV4 signing and credentials from the botocore session chain.
- ``"botocore"``: boto3 / aioboto3 low-level clients (their own retries turned off).

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
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any, Literal

from pydynox.client._retry import RetryRules
from pydynox.exceptions import ValidationException

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

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if isinstance(error, Exception):
            from pydynox.client._errors import translate_error

            translated = translate_error(error)
            if translated is not None:
                raise translated from error


_TRANSLATED = _Translated()


class _BotocoreSync:
    """A boto3 low-level client."""

    def __init__(self, settings: Settings) -> None:
        import boto3
        from botocore.config import Config

        with _TRANSLATED:
            session = boto3.Session(**settings.session_kwargs())
            self._client = session.client(
                "dynamodb", config=Config(**settings.config_kwargs()), **settings.client_kwargs()
            )

    def send(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        with _TRANSLATED:
            response: dict[str, Any] = getattr(self._client, _method_name(op))(**params)
        return response

    def close(self) -> None:
        self._client.close()


class _BotocoreAsync:
    """An aioboto3 low-level client: open it on the loop that will use it."""

    def __init__(self, settings: Settings, session: Any) -> None:
        self._settings = settings
        self._session = session
        self._context: Any = None
        self._client: Any = None

    @staticmethod
    def credentials(settings: Settings) -> Any:
        import aioboto3

        return aioboto3.Session(**settings.session_kwargs())

    async def open(self) -> None:
        from aiobotocore.config import AioConfig

        settings = self._settings
        context = self._session.client(
            "dynamodb", config=AioConfig(**settings.config_kwargs()), **settings.client_kwargs()
        )
        with _TRANSLATED:
            self._client = await context.__aenter__()
        self._context = context

    async def send(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        with _TRANSLATED:
            response: dict[str, Any] = await getattr(self._client, _method_name(op))(**params)
        return response

    async def close(self) -> None:
        context, self._context, self._client = self._context, None, None
        if context is not None:
            await context.__aexit__(None, None, None)


class SyncTransport:
    """Sends requests with one sender, opened on first use and shared by threads."""

    def __init__(self, settings: Settings, retry: RetryRules) -> None:
        self._settings = settings
        self.retry = retry
        self._sender: Any = None
        self._lock = threading.Lock()

    def _open(self) -> Any:
        with self._lock:
            if self._sender is None:
                self._sender = self._new_sender()
            return self._sender

    def _new_sender(self) -> Any:
        if self._settings.transport == "wire":
            from pydynox.client._wire import NeedsProxy, SyncWire

            try:
                return SyncWire(self._settings)
            except NeedsProxy:
                pass
        return _BotocoreSync(self._settings)

    def call(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        """One attempt at ``op``."""
        response: dict[str, Any] = (self._sender or self._open()).send(op, params)
        return response

    def close(self) -> None:
        with self._lock:
            sender, self._sender = self._sender, None
        if sender is not None:
            sender.close()


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
        self._shared: Any = None  # credentials (wire) or aioboto3 session, shared by loops
        self._shared_lock = threading.Lock()
        self._loops: dict[asyncio.AbstractEventLoop, _LoopSender] = {}

    async def call(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        """One attempt at ``op`` on the running loop."""
        state = self._loops.get(asyncio.get_running_loop())
        sender = state.sender if state is not None else None
        if sender is None:
            sender = await self._open()
        response: dict[str, Any] = await sender.send(op, params)
        return response

    def _new_sender(self) -> Any:
        kind: Any = _BotocoreAsync
        if self._kind == "wire":
            from pydynox.client._wire import AsyncWire

            kind = AsyncWire
        with self._shared_lock:
            if self._shared is None:
                self._shared = kind.credentials(self._settings)
        return kind(self._settings, self._shared)

    async def _open(self) -> Any:
        from pydynox.client._wire import NeedsProxy

        loop = asyncio.get_running_loop()
        state = self._loops.setdefault(loop, _LoopSender())
        async with state.lock:
            if state.sender is None:
                sender = self._new_sender()
                try:
                    await sender.open()
                except NeedsProxy:  # from now on, through botocore, which speaks to proxies
                    with self._shared_lock:
                        self._kind, self._shared = "botocore", None
                    sender = self._new_sender()
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
        for loop in [loop for loop, state in self._loops.items() if state.sender is None]:
            if loop.is_closed():
                del self._loops[loop]
