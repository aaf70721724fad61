"""Run one scenario through either the async API or the sync_ API of a DynamoDBClient.

``Api(client, "async")`` hands out the client's async methods unchanged. ``Api(client,
"sync")`` hands out its ``sync_`` twins wrapped so the test can ``await`` them: the call
itself is the blocking sync call. Query/scan results, batch writers and transactions get the
same treatment, so each test body is written once and proves both paths.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from types import TracebackType
from typing import Any

from pydynox import (
    BatchWriter,
    DynamoDBClient,
    SyncBatchWriter,
    SyncQueryResult,
    SyncTransaction,
    Transaction,
)


class _Done:
    """An awaitable that is already finished (what a sync call looks like from a test)."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __await__(self) -> Any:
        yield from ()
        return self.value


class SyncResultAsAsync:
    def __init__(self, result: SyncQueryResult[Any]) -> None:
        self.result = result

    async def __aiter__(self) -> AsyncIterator[Any]:
        for item in self.result:
            yield item

    async def all(self) -> list[Any]:
        return self.result.all()

    async def first(self) -> Any:
        return self.result.first()

    async def page(self, page_size: int, cursor: str | None = None) -> Any:
        return self.result.page(page_size, cursor)

    @property
    def last_evaluated_key(self) -> Any:
        return self.result.last_evaluated_key

    @property
    def scanned_count(self) -> int:
        return self.result.scanned_count


class SyncWriterAsAsync:
    def __init__(self, writer: SyncBatchWriter) -> None:
        self.writer = writer

    def put(self, item: Any, table: str | None = None) -> _Done:
        return _Done(self.writer.put(item, table))

    def delete(self, key: Any, table: str | None = None) -> _Done:
        return _Done(self.writer.delete(key, table))

    @property
    def pending(self) -> int:
        return self.writer.pending

    async def flush(self) -> None:
        self.writer.flush()

    async def __aenter__(self) -> SyncWriterAsAsync:
        self.writer.__enter__()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.writer.__exit__(t, e, tb)


class SyncTransactionAsAsync:
    def __init__(self, tx: SyncTransaction) -> None:
        self.tx = tx

    def __getattr__(self, name: str) -> Any:
        return getattr(self.tx, name)

    async def commit(self) -> None:
        self.tx.commit()

    async def __aenter__(self) -> SyncTransactionAsAsync:
        self.tx.__enter__()
        return self

    async def __aexit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.tx.__exit__(t, e, tb)


class Api:
    """``api.get_item(...)`` calls the client; ``api.on(User).get(...)`` a model class,
    ``api.on(user).save()`` an instance, ``api.on(User.by_email).query(...)`` an index.

    ``Api(None, mode)`` has no client: its writers and transactions are made without one, so
    they use the default client (or their models' own)."""

    def __init__(self, client: DynamoDBClient | None, mode: str, target: Any = None) -> None:
        self.client = client
        self.mode = mode
        self.target = client if target is None else target

    def __repr__(self) -> str:
        return f"Api({self.mode})"

    def on(self, target: Any) -> Api:
        return Api(self.client, self.mode, target)

    def __getattr__(self, name: str) -> Callable[..., Any]:
        if self.mode == "async":
            method: Callable[..., Any] = getattr(self.target, name)
            return method
        sync = getattr(self.target, "sync_" + name)
        if name in ("query", "scan"):
            return lambda *a, **k: SyncResultAsAsync(sync(*a, **k))
        return lambda *a, **k: _Done(sync(*a, **k))

    def batch_writer(self, table: str | None = None, client: DynamoDBClient | None = None) -> Any:
        client = client or self.client
        if self.mode == "async":
            return BatchWriter(client, table)
        return SyncWriterAsAsync(SyncBatchWriter(client, table))

    def transaction(self, client: DynamoDBClient | None = None) -> Any:
        client = client or self.client
        if self.mode == "async":
            return Transaction(client)
        return SyncTransactionAsAsync(SyncTransaction(client))
