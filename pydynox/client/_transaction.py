"""Transaction / SyncTransaction: write actions committed together, or not at all.

Transaction: actions are validated as they are added (more than 100 actions, or two on one
item, are refused at once); the transaction commits when the block exits normally and sends
nothing when it raises. Both send through one client: a model's own, else the one given, else
the default; a write needing another is refused when it is added.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeAlias

from pydynox._protocol._actions import (
    ConditionCheck,
    Delete,
    Put,
    Update,
    WriteAction,
    transact_write_from_parts,
)
from pydynox._protocol._plan import call
from pydynox.client._writable import Done, OneClient, Writable, writable
from pydynox.exceptions import TransactionCanceledException, ValidationException
from pydynox.expressions import Condition, UpdateAction

if TYPE_CHECKING:
    from pydynox.client._client import DynamoDBClient

_log = logging.getLogger("pydynox")

__all__ = ["SyncTransaction", "Transaction"]


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


Target: TypeAlias = "str | type[Writable] | Writable"


class _TransactionBase(OneClient):
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
        write: str | None = None,
    ) -> None:
        """Dispatch on the three forms: a table name with a plain key, a model class with a
        key of its fields (converted with their types), or a model instance."""
        if isinstance(target, str):
            self._add(plain(target, lambda key: _required(key, "key")), None, None)
        elif isinstance(target, type):
            if not issubclass(target, Writable):
                raise ValidationException(f"{target!r} is not a model with a table")
            model_class: type[Writable] = target
            if write is not None:
                model_class._plain_write(f"tx.{write}({model_class.__name__}, ...)")
            action = plain(
                model_class._table_name(),
                lambda key: model_class._key_from(_required(key, "key")),
            )
            self._add(action, None, model_class)
        else:
            self._add(*model(writable(target)), type(target))

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
            "put",
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
            if isinstance(target, type):  # a model class: its fields' types, its timestamps
                values = target._validated_updates(updates or {}, atomic=atomic)
            return Update(table, key_of(key), values, atomic, _plain(condition))

        self._add_for(target, plain, for_model, "update")

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
            "delete",
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
                await self.client._run(call("TransactWriteItems", request))

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
                self.client._sync_run(call("TransactWriteItems", request))

    def __enter__(self) -> SyncTransaction:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *rest: object) -> None:
        if exc_type is None:
            self.commit()
