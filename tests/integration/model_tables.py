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
from .tables import TablePool, unique

M = TypeVar("M", bound=Model)

__all__ = ["Tables", "bind", "raw_key", "record_requests", "stored", "table_of"]


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


def raw_key(**key: str) -> dict[str, Any]:
    """A key of string attributes as DynamoDB spells it."""
    return {name: {"S": value} for name, value in key.items()}


def stored(boto: Any, model: type[Model], **key: str) -> dict[str, Any] | None:
    """The item of ``model``'s table at ``key`` as DynamoDB holds it, read with plain boto3."""
    response = boto.get_item(TableName=table_of(model), Key=raw_key(**key), ConsistentRead=True)
    item: dict[str, Any] | None = response.get("Item")
    return item


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
    """Binds models to tables; ``drop()`` (at teardown) deletes the tables it made, or gives
    them back to ``pool``.

    ``client`` is the one the models use (the default client), ``server`` the local server
    the test runs on: on one without UpdateTimeToLive the tables are created without TTL, see
    ``answering_update_time_to_live``. With a ``pool`` (tables.py), ``tables(Model)`` binds
    the model to an empty pooled table made for that model by an earlier test, if any."""

    def __init__(
        self,
        client: DynamoDBClient | None = None,
        server: str = "moto",
        pool: TablePool | None = None,
    ) -> None:
        self.bound: list[type[Model]] = []
        self.lent: list[tuple[type[Model], str]] = []
        self.client = client
        self.pool = pool
        self.ttl = "ttl" not in MISSING[server]

    def bind(self, model: type[M], **config: Any) -> type[M]:
        """Bound to a new table name; the table is not created (and deleted by ``drop``)."""
        bound = bind(model, unique(model.__name__.lower()), **config)
        self.bound.append(bound)
        return bound

    async def __call__(self, model: type[M], **config: Any) -> type[M]:
        """Bound to an empty table of its own, made with the model's own ``create_table``
        unless the pool has one (not when ``config`` names another client)."""
        pool = self.pool if "client" not in config else None
        name = pool.take(model) if pool is not None else None
        if name is not None:
            self.lent.append((model, name))
            return bind(model, name, **config)
        bound = bind(model, unique(model.__name__.lower()), **config)
        if pool is not None:
            self.lent.append((model, table_of(bound)))
        else:
            self.bound.append(bound)
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
        if self.pool is not None:
            for kind, name in self.lent:
                self.pool.give_back(kind, name)


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
