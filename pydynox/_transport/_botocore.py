"""The botocore senders: one attempt at an operation through boto3's or aioboto3's clients.

- ``BotocoreSync``: the client's botocore DynamoDB client (``_aws``), for the sync side, and
  for calls that hooks watch (moto's ``mock_aws``, a ``Stubber``, handlers on botocore's
  events) whatever the transport;
- ``BotocoreInThread``: that same sync client for the async side, each call in a worker thread;
- ``BotocoreAsync``: an aiobotocore client per event loop (``transport="botocore"``, the
  ``pydynox[aioboto3]`` extra).

Every botocore error is raised as the pydynox error ``_botocore_errors`` translates it to,
``from`` the botocore error; an answer botocore's parser cannot read is a
``ConnectionException``. botocore has no deadline per request: the async senders cut a call
short at the call's deadline themselves.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from types import TracebackType
from typing import Any

from pydynox._transport._settings import Settings
from pydynox.exceptions import ConnectionException

__all__ = ["AIOBOTO3_REQUIREMENT", "BotocoreAsync", "BotocoreInThread", "BotocoreSync"]

# The "aioboto3" extra's requirement (pyproject.toml; a test keeps them equal).
AIOBOTO3_REQUIREMENT = "aioboto3>=15.2"

_METHODS: dict[str, str] = {}


def _method_name(op: str) -> str:
    name = _METHODS.get(op)
    if name is None:
        name = _METHODS[op] = "".join("_" + c.lower() if c.isupper() else c for c in op)[1:]
    return name


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


class BotocoreSync:
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


class BotocoreInThread:
    """The async side of botocore's sync client: each call in a worker thread. Used for
    calls that hooks watch (moto cannot mock aiobotocore; a ``Stubber`` or handler is on the
    sync client) and when the wire transport cannot send for a client (no aioboto3 needed)."""

    __slots__ = ("_botocore",)

    def __init__(self, botocore: BotocoreSync) -> None:
        self._botocore = botocore

    async def open(self) -> None:
        return None

    async def send(self, op: str, params: dict[str, Any], deadline: float | None) -> dict[str, Any]:
        return await _by_deadline(
            asyncio.to_thread(self._botocore.send, op, params, deadline), deadline
        )

    async def close(self) -> None:
        self._botocore.close()


class BotocoreAsync:
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
                "transport='botocore' needs aioboto3 for the async API (pydynox's "
                f'"aioboto3" extra): pip install "{AIOBOTO3_REQUIREMENT}" ({error})',
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
