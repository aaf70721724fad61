"""BatchWriter / SyncBatchWriter and Transaction / SyncTransaction context managers.

The shared bases hold every rule (validation when an action is added, buffering, what is
sent when, which client); the async and sync classes only choose the driver.

BatchWriter: ``put``/``delete`` serialise and validate at once, then buffer in a
``WriteBook`` that keeps each write until DynamoDB acknowledged it. A full batch of 25 is sent
as you go (the async writer sends it when you ``await`` the ``put``; without the ``await`` it
is sent at exit). At exit everything buffered is sent, also when the block raised an
exception. Unprocessed items are retried with backoff; whatever stops the writer (retries
spent, a failed request, cancellation, ``KeyboardInterrupt``) the ``BatchWriteError`` lists
every write not known to be stored; a stop by cancellation, ``KeyboardInterrupt`` or
``SystemExit`` sends nothing more and carries that error as its ``__cause__``. A writer
collected with writes in its book warns (``ResourceWarning``) and logs an ERROR.

Transaction: actions are validated as they are added (more than 100 actions, or two on one
item, are refused at once); the transaction commits when the block exits normally and sends
nothing when it raises. Both send through one client: a model's own, else the one given, else
the default; a write needing another is refused when it is added.
"""

from __future__ import annotations

import logging
import warnings
import weakref
from collections.abc import Callable, Generator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from pydynox._protocol._actions import (
    ConditionCheck,
    Delete,
    Put,
    Update,
    WriteAction,
    transact_write_from_parts,
)
from pydynox._protocol._batch import (
    MAX_WRITE_ITEMS,
    WriteBook,
    batch_write_plan,
    delete_entry,
    put_entry,
)
from pydynox._protocol._plan import Plan, call
from pydynox._transport._drivers import run_async, run_sync
from pydynox.client._writable import Done, Writable, writable_class
from pydynox.exceptions import TransactionCanceledException, ValidationException
from pydynox.expressions import Condition, UpdateAction

if TYPE_CHECKING:
    from pydynox.client._client import DynamoDBClient

__all__ = ["BatchWriter", "SyncBatchWriter", "SyncTransaction", "Transaction"]

_log = logging.getLogger("pydynox")


def _client_or_default(client: DynamoDBClient | None) -> DynamoDBClient:
    if client is not None:
        return client
    from pydynox.client._client import get_default_client

    return get_default_client()


def _required(value: Mapping[str, Any] | None, what: str) -> Mapping[str, Any]:
    if value is None:
        raise ValidationException(f"a table name needs the {what} as well")
    return value


def _plain(condition: Condition | bool | None) -> Condition | None:
    if condition is None or isinstance(condition, Condition):
        return condition
    raise ValidationException(f"condition must be built from attribute paths, not {condition!r}")


def _needed(condition: Condition | bool | None) -> Condition:
    checked = _plain(condition)
    if checked is None:
        raise ValidationException("condition_check needs a condition")
    return checked


def _writable(value: object) -> Writable:
    if writable_class(value) is None:
        raise ValidationException(
            f"expected a mapping of attributes or a model instance, not {value!r}"
        )
    return value  # type: ignore[return-value]


class _OneClient:
    """The client a writer or transaction sends through: a model's own client
    (``DynamoConfig(client=...)``) for its writes, the one given (or the default) for plain
    writes and models without one. A BatchWriteItem or TransactWriteItems request goes to one
    account and region, so a write needing another client is refused before anything is sent."""

    def __init__(self, given: DynamoDBClient | None) -> None:
        self._given = given
        self._bound: DynamoDBClient | None = None
        self._why = ""

    @property
    def client(self) -> DynamoDBClient:
        """The client the writes go through."""
        if self._bound is None:
            self._bound, self._why = self._fallback()
        return self._bound

    def _fallback(self) -> tuple[DynamoDBClient, str]:
        """The client of plain writes and of models without one, and how to name it."""
        given = self._given
        return _client_or_default(given), (
            "the client given" if given is not None else "the default client"
        )

    def _use(self, model_class: type[Writable] | None) -> None:
        """Check that a write for ``model_class`` (None: a plain write) goes through the same
        client as the writes before it."""
        own = model_class._own_client() if model_class is not None else None
        if own is None:
            own, why = self._fallback()
        else:
            why = f"{model_class.__name__}'s own client"  # type: ignore[union-attr]
        if self._bound is None:
            self._bound, self._why = own, why
        elif own is not self._bound:
            raise ValidationException(
                f"{type(self).__name__} sends through one client (one account and region), "
                f"and its writes so far go through {self._why}; this one would go through "
                f"{why}: use one {type(self).__name__} per client"
            )


def _never_exited(book: WriteBook, name: str) -> None:
    """Called when a writer is collected, or at interpreter exit while it lives."""
    if book:
        message = (
            f"a {name} was never exited with {len(book)} writes buffered: they were not sent "
            "(use it as a context manager, or call flush())"
        )
        _log.error("%s", message)
        warnings.warn(message, ResourceWarning, stacklevel=1)


class _BatchBuffer(_OneClient):
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
        model = _writable(model)
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
        _log.error("%s", report.message)
        if stop.__cause__ is None:
            stop.__cause__ = report

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
        if (plan := self._plan(everything)) is not None:
            await run_async(plan, self.client._async)

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
        if (plan := self._plan(everything)) is not None:
            run_sync(plan, self.client._sync)

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


Target: TypeAlias = "str | type[Writable] | Writable"


class _TransactionBase(_OneClient):
    def __init__(self, client: DynamoDBClient | None = None) -> None:
        super().__init__(client)
        self._requests: list[dict[str, Any]] = []
        self._on_commit: list[Callable[[], None]] = []
        self._pending: dict[str, Any] | None = None

    def add(self, action: WriteAction, on_commit: Callable[[], None] | None = None) -> None:
        """Add a Put, Update, Delete or ConditionCheck (validated now, sent at commit)."""
        self._add(action, on_commit, None)

    def _add(
        self,
        action: WriteAction,
        on_commit: Callable[[], None] | None,
        model_class: type[Writable] | None,
    ) -> None:
        request = action.request()
        transact_write_from_parts([*self._requests, request])  # refuses 101 or a repeat
        self._use(model_class)  # one account and region per transaction
        self._requests.append(request)
        if on_commit is not None:
            self._on_commit.append(on_commit)
        self._pending = None

    def _add_for(
        self,
        target: Target,
        plain: Callable[
            [str, Callable[[Mapping[str, Any] | None], Mapping[str, Any]]], WriteAction
        ],
        model: Callable[[Writable], tuple[WriteAction, Done | None]],
    ) -> None:
        """Dispatch on the three forms: a table name with a plain key, a model class with a
        key of its fields (converted with their types), or a model instance."""
        if isinstance(target, str):
            self._add(plain(target, lambda key: _required(key, "key")), None, None)
        elif isinstance(target, type):
            if not issubclass(target, Writable):
                raise ValidationException(f"{target!r} is not a model with a table")
            model_class: type[Writable] = target
            action = plain(
                model_class._table_name(),
                lambda key: model_class._key_from(_required(key, "key")),
            )
            self._add(action, None, model_class)
        else:
            self._add(*model(_writable(target)), type(target))

    def put(
        self,
        target: Target,
        item: Mapping[str, Any] | None = None,
        condition: Condition | bool | None = None,
    ) -> None:
        """Put an item: ``tx.put(model)`` or ``tx.put("table", {...})``."""
        self._add_for(
            target,
            lambda table, _: Put(table, _required(item, "item"), _plain(condition)),
            lambda m: m._put_action(condition),
        )

    def update(
        self,
        target: Target,
        key: Mapping[str, Any] | None = None,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | bool | None = None,
    ) -> None:
        """Update an item: ``tx.update(model, atomic=[...])``, ``tx.update(User, {"pk": ...},
        atomic=[...])`` (no read needed) or ``tx.update("table", key, ...)``."""

        def for_model(m: Writable) -> tuple[WriteAction, Done]:
            if key is not None:
                raise ValidationException("a model carries its own key: tx.update(model, ...)")
            return m._update_action(updates or {}, atomic, condition)

        def plain(
            table: str, key_of: Callable[[Mapping[str, Any] | None], Mapping[str, Any]]
        ) -> Update:
            values = updates
            if isinstance(target, type) and updates:  # a model class: validate with its fields
                values = target._validated_updates(updates)
            return Update(table, key_of(key), values, atomic, _plain(condition))

        self._add_for(target, plain, for_model)

    def delete(
        self,
        target: Target,
        key: Mapping[str, Any] | None = None,
        condition: Condition | bool | None = None,
    ) -> None:
        """Delete an item: ``tx.delete(model)``, ``tx.delete(User, key)`` or
        ``tx.delete("table", key)``."""
        self._add_for(
            target,
            lambda table, key_of: Delete(table, key_of(key), _plain(condition)),
            lambda m: m._delete_action(condition),
        )

    def condition_check(
        self,
        target: Target,
        key: Mapping[str, Any] | None = None,
        condition: Condition | bool | None = None,
    ) -> None:
        """Require a condition: ``tx.condition_check(model, condition=...)``,
        ``tx.condition_check(User, key, condition)`` or ``("table", key, condition)``."""
        self._add_for(
            target,
            lambda table, key_of: ConditionCheck(table, key_of(key), _needed(condition)),
            lambda m: (m._check_action(condition), None),
        )

    def _request(self) -> dict[str, Any] | None:
        """The request to send; a commit retried after a failure reuses it, token and all,
        so DynamoDB applies the transaction at most once."""
        if self._requests and self._pending is None:
            self._pending = transact_write_from_parts(self._requests)
        return self._pending

    def _attempt(self) -> _Attempt:
        return _Attempt(self)


class _Attempt:
    """Around one commit: success clears the transaction; a definitive refusal (cancelled,
    invalid) drops the token so a retry is a new request; any other failure keeps the
    token, since the first attempt may have been applied."""

    __slots__ = ("_tx",)

    def __init__(self, tx: _TransactionBase) -> None:
        self._tx = tx

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, tb: object) -> None:
        if error is None:
            callbacks = self._tx._on_commit
            self._tx._requests, self._tx._on_commit, self._tx._pending = [], [], None
            for callback in callbacks:  # versions bumped, after_* hooks run
                callback()
        elif isinstance(error, (TransactionCanceledException, ValidationException)):
            self._tx._pending = None


class Transaction(_TransactionBase):
    """Async transaction: commits when the ``async with`` block exits without an error."""

    async def commit(self) -> None:
        """Send the actions added so far as one TransactWriteItems (nothing if none)."""
        if (request := self._request()) is not None:
            with self._attempt():
                await run_async(call("TransactWriteItems", request), self.client._async)

    async def __aenter__(self) -> Transaction:
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            await self.commit()


class SyncTransaction(_TransactionBase):
    """Sync transaction: commits when the ``with`` block exits without an error."""

    def commit(self) -> None:
        """Send the actions added so far as one TransactWriteItems (nothing if none)."""
        if (request := self._request()) is not None:
            with self._attempt():
                run_sync(call("TransactWriteItems", request), self.client._sync)

    def __enter__(self) -> SyncTransaction:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.commit()
