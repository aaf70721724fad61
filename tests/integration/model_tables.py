"""Helpers for model tests: a model bound to a fresh table per test, and a request log.

``DynamoConfig(table=...)`` is fixed when a class is defined, so tests declare their models
once at module level and bind a subclass to a uniquely named table in each test.
"""

from __future__ import annotations

import contextlib
import types
from collections.abc import Iterator
from typing import Any, TypeVar

import pytest

from pydynox import DynamoConfig, DynamoDBClient, Model, ResourceNotFoundException

from ..local_servers import MISSING
from .conftest import unique

M = TypeVar("M", bound=Model)

__all__ = ["Tables", "bind", "record_requests", "table_of"]


def bind(model: type[M], table: str, **config: Any) -> type[M]:
    """A subclass of ``model`` bound to ``table`` (plus any other config: ``client=``...)."""
    settings = DynamoConfig(table=table, **config)  # type: ignore[typeddict-item]

    def body(namespace: dict[str, Any]) -> None:
        namespace["model_config"] = settings
        namespace["__module__"] = model.__module__

    bound: type[M] = types.new_class(model.__name__, (model,), exec_body=body)
    return bound


def table_of(model: type[Model]) -> str:
    table = model.model_config.get("table")
    assert isinstance(table, str)
    return table


@contextlib.contextmanager
def answering_update_time_to_live(client: DynamoDBClient) -> Iterator[None]:
    """While the block runs, ``client``'s async requests UpdateTimeToLive are answered as
    DynamoDB answers them, without being sent: to set up a model's table on a server that
    lacks the operation (dynalite) for tests that do not check TTL. Tests of TTL itself are
    marked ``needs("ttl")`` and run on the servers that have it."""
    transport = client._async
    patched = "call" in vars(transport)  # e.g. by record_requests
    send = transport.call

    async def call(
        op: str, params: dict[str, Any], deadline: float | None = None
    ) -> dict[str, Any]:
        if op == "UpdateTimeToLive":
            return {"TimeToLiveSpecification": params["TimeToLiveSpecification"]}
        return await send(op, params, deadline)

    transport.call = call  # type: ignore[method-assign]
    try:
        yield
    finally:
        if patched:
            transport.call = send  # type: ignore[method-assign]
        else:
            del transport.call


class Tables:
    """Binds models to unique tables; ``drop()`` deletes every table made (at teardown).

    ``client`` is the one the models use (the default client), ``server`` the local server
    the test runs on: on one without UpdateTimeToLive the tables are created without TTL, see
    ``answering_update_time_to_live``."""

    def __init__(self, client: DynamoDBClient | None = None, server: str = "moto") -> None:
        self.bound: list[type[Model]] = []
        self.client = client
        self.ttl = "ttl" not in MISSING[server]

    def bind(self, model: type[M], **config: Any) -> type[M]:
        """Bound to a new table name; the table is not created."""
        bound = bind(model, unique(model.__name__.lower()), **config)
        self.bound.append(bound)
        return bound

    async def __call__(self, model: type[M], **config: Any) -> type[M]:
        """Bound to a new table, created with the model's own ``create_table``."""
        bound = self.bind(model, **config)
        if self.ttl:
            await bound.create_table()
            return bound
        client = config.get("client", self.client)
        assert client is not None, "Tables(client, server) needs the models' client"
        with answering_update_time_to_live(client):
            await bound.create_table()
        return bound

    async def drop(self) -> None:
        for model in self.bound:
            with contextlib.suppress(ResourceNotFoundException):
                await model.delete_table(wait=False)


def record_requests(client: DynamoDBClient, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Log the name of every operation ``client`` sends, async and sync, in order."""
    ops: list[str] = []
    real_async, real_sync = client._async.call, client._sync.call

    async def async_call(
        op: str, params: dict[str, Any], deadline: float | None = None
    ) -> dict[str, Any]:
        ops.append(op)
        return await real_async(op, params, deadline)

    def sync_call(op: str, params: dict[str, Any], deadline: float | None = None) -> dict[str, Any]:
        ops.append(op)
        return real_sync(op, params, deadline)

    monkeypatch.setattr(client._async, "call", async_call)
    monkeypatch.setattr(client._sync, "call", sync_call)
    return ops
