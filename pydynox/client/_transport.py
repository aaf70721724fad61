"""Transports: the seam between pydynox and the network.

A transport takes a DynamoDB operation name (``"GetItem"``) and a request in botocore's
low-level shape and returns the response in the same shape, or raises a pydynox error.
Nothing above this module sees a botocore type.

- ``SyncTransport`` wraps one boto3 low-level client, created once and shared by every
  thread (botocore clients are thread safe; sessions are not, so creation is locked).
- ``AsyncTransport`` keeps one open aioboto3 client per running event loop, because an
  aiohttp session belongs to the loop that opened it. A loop's client is closed when that
  loop shuts down its async generators (``asyncio.run``, pytest-asyncio, anyio and uvicorn
  all do) or by ``close()``.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import AsyncGenerator
from dataclasses import dataclass, field
from typing import Any

from pydynox.client._errors import translate_error

__all__ = ["AsyncTransport", "Settings", "SyncTransport"]

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
        return {
            "max_pool_connections": self.max_pool_connections,
            "connect_timeout": self.connect_timeout,
            "read_timeout": self.read_timeout,
            "retries": {"total_max_attempts": self.max_attempts, "mode": "standard"},
        }


class _Translated:
    """``with _TRANSLATED:`` raises the pydynox error for a botocore error, ``from`` it."""

    __slots__ = ()

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if isinstance(error, Exception):
            translated = translate_error(error)
            if translated is not None:
                raise translated from error


_TRANSLATED = _Translated()


class SyncTransport:
    """Runs operations on one boto3 low-level client, opened on first use."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Any = None
        self._lock = threading.Lock()

    def _open(self) -> Any:
        with self._lock:
            if self._client is None:
                import boto3
                from botocore.config import Config

                with _TRANSLATED:
                    session = boto3.Session(**self._settings.session_kwargs())
                    self._client = session.client(
                        "dynamodb",
                        config=Config(**self._settings.config_kwargs()),
                        **self._settings.client_kwargs(),
                    )
            return self._client

    def call(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        client = self._client or self._open()
        with _TRANSLATED:
            response: dict[str, Any] = getattr(client, _method_name(op))(**params)
        return response

    def close(self) -> None:
        with self._lock:
            client, self._client = self._client, None
        if client is not None:
            client.close()


class _LoopClient:
    """The aioboto3 client of one event loop, and the generator that closes it."""

    __slots__ = ("client", "closer", "context", "lock")

    def __init__(self) -> None:
        self.lock = asyncio.Lock()
        self.client: Any = None
        self.context: Any = None
        self.closer: AsyncGenerator[None, None] | None = None


class AsyncTransport:
    """Runs operations on an aioboto3 client of the running event loop."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._session: Any = None
        self._session_lock = threading.Lock()
        self._loops: dict[asyncio.AbstractEventLoop, _LoopClient] = {}

    async def call(self, op: str, params: dict[str, Any]) -> dict[str, Any]:
        state = self._loops.get(asyncio.get_running_loop())
        client = state.client if state is not None else None
        if client is None:
            client = await self._open()
        with _TRANSLATED:
            response: dict[str, Any] = await getattr(client, _method_name(op))(**params)
        return response

    def _aioboto3_session(self) -> Any:
        with self._session_lock:
            if self._session is None:
                import aioboto3

                self._session = aioboto3.Session(**self._settings.session_kwargs())
            return self._session

    async def _open(self) -> Any:
        loop = asyncio.get_running_loop()
        state = self._loops.setdefault(loop, _LoopClient())
        async with state.lock:
            if state.client is None:
                from aiobotocore.config import AioConfig

                context = self._aioboto3_session().client(
                    "dynamodb",
                    config=AioConfig(**self._settings.config_kwargs()),
                    **self._settings.client_kwargs(),
                )
                with _TRANSLATED:
                    state.client = await context.__aenter__()
                state.context = context
                # Started on this loop, the generator is tracked by it: loop shutdown
                # (shutdown_asyncgens) runs its finally block, which closes the client.
                state.closer = self._close_at_shutdown(loop)
                await state.closer.__anext__()
        return state.client

    async def _close_at_shutdown(
        self, loop: asyncio.AbstractEventLoop
    ) -> AsyncGenerator[None, None]:
        try:
            yield
        finally:
            state = self._loops.pop(loop, None)
            if state is not None and state.context is not None:
                context, state.context, state.client = state.context, None, None
                await context.__aexit__(None, None, None)

    async def close(self) -> None:
        """Close the client of the running loop (other loops close theirs at shutdown)."""
        state = self._loops.get(asyncio.get_running_loop())
        if state is not None and state.closer is not None:
            await state.closer.aclose()
        self._forget_closed_loops()

    def _forget_closed_loops(self) -> None:
        for loop in [loop for loop, state in self._loops.items() if state.client is None]:
            if loop.is_closed():
                del self._loops[loop]
