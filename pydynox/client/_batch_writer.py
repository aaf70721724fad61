"""BatchWriter / SyncBatchWriter: buffer puts and deletes, send them 25 per BatchWriteItem.

The shared base holds every rule (validation when a write is added, buffering, what is
sent when, which client); the async and sync classes only choose how the plan runs.

BatchWriter: ``put``/``delete`` serialise and validate at once, then buffer in a
``WriteBook`` that keeps each write until DynamoDB acknowledged it. A full batch of 25 is sent
as you go (the async writer sends it when you ``await`` the ``put``; without the ``await`` it
is sent at exit). At exit everything buffered is sent, also when the block raised an
exception. Unprocessed items are retried with backoff; whatever stops the writer (retries
spent, a failed request, cancellation, ``KeyboardInterrupt``) the ``BatchWriteError`` lists
every write not known to be stored; a stop by cancellation, ``KeyboardInterrupt`` or
``SystemExit`` sends nothing more and carries that error as its ``__cause__``. A writer
collected with writes in its book warns (``ResourceWarning``) and logs an ERROR.
"""

from __future__ import annotations

import logging
import warnings
import weakref
from collections.abc import Generator, Mapping
from typing import TYPE_CHECKING, Any

from pydynox._protocol._batch import (
    MAX_WRITE_ITEMS,
    WriteBook,
    batch_write_plan,
    delete_entry,
    put_entry,
    stopped_summary,
)
from pydynox._protocol._plan import Plan
from pydynox.client._writable import OneClient, Writable, writable
from pydynox.exceptions import BatchWriteError, ValidationException

if TYPE_CHECKING:
    from pydynox.client._client import DynamoDBClient

_log = logging.getLogger("pydynox")

__all__ = ["BatchWriter", "SyncBatchWriter"]


def _never_exited(book: WriteBook, name: str) -> None:
    """Called when a writer is collected, or at interpreter exit while it lives."""
    if book:
        message = (
            f"a {name} was never exited with {len(book)} writes buffered: they were not sent "
            "(use it as a context manager, or call flush())"
        )
        _log.error("%s", message)
        warnings.warn(message, ResourceWarning, stacklevel=1)


class _BatchBuffer(OneClient):
    def __init__(self, client: DynamoDBClient | None = None, table: str | None = None) -> None:
        super().__init__(client)
        self.table = table
        self._book = WriteBook()
        weakref.finalize(self, _never_exited, self._book, type(self).__name__)

    def _table(self, table: str | None) -> str:
        name = table or self.table
        if name is None:
            raise ValidationException("no table: pass table= to the writer or to put/delete")
        return name

    def _buffer_put(self, item: Mapping[str, Any] | Writable, table: str | None) -> None:
        if isinstance(item, Mapping):
            entry = put_entry(self._table(table), item)
            self._use(None)
        else:
            action, _ = self._unversioned(item, "save")._put_action(None)
            entry = put_entry(action.table, action.item)
        self._book.queued.append(entry)

    def _buffer_delete(self, key: Mapping[str, Any] | Writable, table: str | None) -> None:
        if isinstance(key, Mapping):
            entry = delete_entry(self._table(table), key)
            self._use(None)
        else:
            action, _ = self._unversioned(key, "delete")._delete_action(None)
            entry = delete_entry(action.table, action.key)
        self._book.queued.append(entry)

    def _unversioned(self, model: Writable, verb: str) -> Writable:
        """A model instance a batch may write: batches take no conditions, so no version."""
        model = writable(model)
        if model._versioned():
            raise ValidationException(
                f"{type(model).__name__} has a Version() field, and batch writes take no "
                f"conditions: {verb} it, or use a Transaction"
            )
        self._use(type(model))
        # The model knows its key names: no DescribeTable is needed to collapse duplicates.
        self.client._key_names.setdefault(model._table_name(), model._key_attributes())
        return model

    def _plan(self, everything: bool) -> Plan[None] | None:
        """The plan sending full batches (or everything), or None when there is nothing to."""
        book = self._book
        if not book.queued or (not everything and len(book.queued) < MAX_WRITE_ITEMS):
            return None
        client = self.client
        return batch_write_plan(book, client.batch_retry, client._key_names, everything=everything)

    @staticmethod
    def _stopping(error: type[BaseException] | None) -> bool:
        """Whether the block ended by cancellation, KeyboardInterrupt or SystemExit: then
        nothing more is sent."""
        return error is not None and not issubclass(error, Exception)

    def _abandon(self, stop: BaseException | None) -> None:
        """The block was stopped (cancelled, interrupted) with writes still buffered: they
        are not sent; ``stop`` goes on with the BatchWriteError listing them as its cause."""
        if stop is None or not self._book:
            return
        client = self.client
        report = self._book.hand_over(type(stop).__name__, client._key_names, in_flight=False)
        _log.error("%s", stopped_summary(report))
        cause = stop.__cause__
        if isinstance(cause, BatchWriteError):  # a plan's report already: one list of all
            cause.unprocessed.extend(report.unprocessed)
        else:
            report.__context__ = cause
            stop.__cause__ = report

    def _stopped(self, stop: BaseException) -> None:
        """Sending was stopped (cancelled, interrupted) before its plan took the writes (a
        plan that had them reports them itself): the writes still buffered are listed."""
        if not isinstance(stop, Exception):
            self._abandon(stop)

    @property
    def pending(self) -> int:
        """How many writes are not yet acknowledged by DynamoDB (buffered or in flight)."""
        return len(self._book)


class _Send:
    """What the async ``put``/``delete`` return: awaiting it sends full batches."""

    __slots__ = ("_writer",)

    def __init__(self, writer: BatchWriter) -> None:
        self._writer = writer

    def __await__(self) -> Generator[Any, None, None]:
        return self._writer._send(everything=False).__await__()


class BatchWriter(_BatchBuffer):
    """Async batch writer: ``async with BatchWriter(client, "users") as batch:``."""

    def put(self, item: Mapping[str, Any] | Writable, table: str | None = None) -> _Send:
        """Buffer a put; ``await`` the result to send each full batch of 25 as you go."""
        self._buffer_put(item, table)
        return _Send(self)

    def delete(self, key: Mapping[str, Any] | Writable, table: str | None = None) -> _Send:
        """Buffer a delete; ``await`` the result to send each full batch of 25 as you go."""
        self._buffer_delete(key, table)
        return _Send(self)

    async def _send(self, everything: bool) -> None:
        try:
            if (plan := self._plan(everything)) is not None:
                await self.client._run(plan)
        except BaseException as stop:
            self._stopped(stop)
            raise

    async def flush(self) -> None:
        """Send everything buffered now."""
        await self._send(everything=True)

    async def __aenter__(self) -> BatchWriter:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: object
    ) -> None:
        if self._stopping(kind):
            self._abandon(error)
        else:  # also when the block raised: nothing buffered is dropped
            await self.flush()


class SyncBatchWriter(_BatchBuffer):
    """Sync batch writer: ``with SyncBatchWriter(client, "users") as batch:``."""

    def put(self, item: Mapping[str, Any] | Writable, table: str | None = None) -> None:
        """Buffer a put; each full batch of 25 is sent at once."""
        self._buffer_put(item, table)
        self._send(everything=False)

    def delete(self, key: Mapping[str, Any] | Writable, table: str | None = None) -> None:
        """Buffer a delete; each full batch of 25 is sent at once."""
        self._buffer_delete(key, table)
        self._send(everything=False)

    def _send(self, everything: bool) -> None:
        try:
            if (plan := self._plan(everything)) is not None:
                self.client._sync_run(plan)
        except BaseException as stop:
            self._stopped(stop)
            raise

    def flush(self) -> None:
        """Send everything buffered now."""
        self._send(everything=True)

    def __enter__(self) -> SyncBatchWriter:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: object
    ) -> None:
        if self._stopping(kind):
            self._abandon(error)
        else:  # also when the block raised: nothing buffered is dropped
            self.flush()
