"""Helpers for model tests: a model bound to a fresh table per test, and a request log.

``DynamoConfig(table=...)`` is fixed when a class is defined, so tests declare their models
once at module level and bind a subclass to a uniquely named table in each test.
"""

from __future__ import annotations

import contextlib
import types
from typing import Any, TypeVar

import pytest

from pydynox import DynamoConfig, DynamoDBClient, Model, ResourceNotFoundException

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


class Tables:
    """Binds models to unique tables; ``drop()`` deletes every table made (at teardown)."""

    def __init__(self) -> None:
        self.bound: list[type[Model]] = []

    def bind(self, model: type[M], **config: Any) -> type[M]:
        """Bound to a new table name; the table is not created."""
        bound = bind(model, unique(model.__name__.lower()), **config)
        self.bound.append(bound)
        return bound

    async def __call__(self, model: type[M], **config: Any) -> type[M]:
        """Bound to a new table, created with the model's own ``create_table``."""
        bound = self.bind(model, **config)
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

    async def async_call(op: str, params: dict[str, Any]) -> dict[str, Any]:
        ops.append(op)
        return await real_async(op, params)

    def sync_call(op: str, params: dict[str, Any]) -> dict[str, Any]:
        ops.append(op)
        return real_sync(op, params)

    monkeypatch.setattr(client._async, "call", async_call)
    monkeypatch.setattr(client._sync, "call", sync_call)
    return ops
