"""``Unique()`` fields: one guard item per value, written in one transaction with the item.

A guard is an item of the model's own table whose key is made from the model (its entity
name, else its class name), the field and the value: ``UNIQUE#User.email#ann@example.com``
(in the partition key, and in the sort key too when the table has one). It holds
``pydynox_unique`` (``"User.email"``) and ``pydynox_owner`` (the key of the item holding the
value). Scans and counts of a model with ``Unique()`` fields leave guards out (an entity's
reads do anyway: guards have no discriminator). The rules:

- create (``save()`` of an instance never loaded nor saved): one TransactWriteItems of the
  item, conditioned on no item having its key (else a guard it holds would be left behind),
  and a guard per non-None value, each conditioned on not existing;
- change (``save()``, ``save_changes()``, ``update()`` of a loaded or saved instance): the item
  write, the old value's guard deleted and the new value's guard put (conditioned), for the
  fields whose value changed; none changed: the plain single write;
- delete: the item and its guards in one transaction.

A guard whose condition fails raises ``UniqueConstraintError`` naming the field; nothing of
the transaction is written. Writes that cannot carry the guards are refused before sending:
``update_by_key`` of a unique field, ``delete_by_key``, batch writers and transactions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydynox._protocol._actions import Delete, Put, WriteAction
from pydynox._protocol._items import transact_write_plan
from pydynox._protocol._plan import Plan
from pydynox._values._codec import deserialize_value
from pydynox.exceptions import (
    ConditionalCheckFailedException,
    ModelDefinitionError,
    TransactionCanceledException,
    UniqueConstraintError,
    ValidationException,
)
from pydynox.expressions import Attr
from pydynox.models._declarations import Unique
from pydynox.models._entities import formatted

if TYPE_CHECKING:
    from pydynox.models._info import ModelInfo

__all__ = ["GUARD_MARK", "Guards", "refuse_unique", "unique_info", "unique_plan"]

GUARD_MARK = "pydynox_unique"
"""The attribute every guard item has (and no model item may)."""


def unique_info(info: ModelInfo) -> None:
    """The ``Unique()`` fields of a model, checked: str or number fields, not keys, and a
    table whose keys are strings (the guards' keys are)."""
    name = info.cls.__name__
    info.unique = tuple(
        field
        for field, spec in info.fields.items()
        if any(isinstance(m, Unique) for m in spec.metadata)
    )
    for field in info.unique:
        taken = {
            *info.key_names,
            *info.templates,
            info.version,
            info.ttl,
            info.created_at,
            info.updated_at,
        }
        if field in taken:
            raise ModelDefinitionError(
                f"{name}.{field}: Unique() marks a field of its own (not a key, version, TTL "
                "or timestamp field)"
            )
        info.attribute_type(field, optional_ok=True)  # str, number, date...: one text form
    if info.unique and GUARD_MARK in info.fields:
        raise ModelDefinitionError(f"{name}.{GUARD_MARK} is the attribute of Unique() guards")
    if info.unique:
        for key in info.key_names:
            if info.attribute_type(key, optional_ok=False) != "S":
                raise ModelDefinitionError(
                    f"{name}: Unique() keeps guard items in the table, whose keys are "
                    f"strings; {key} is not a str key"
                )


def refuse_unique(info: ModelInfo, what: str, fields: Sequence[str] | None = None) -> None:
    """Refuse, before sending, a write that cannot keep the guards of ``Unique()`` fields."""
    hit = [f for f in info.unique if fields is None or f in fields]
    if hit:
        raise ValidationException(
            f"{info.cls.__name__}.{hit[0]} is Unique(): {what} cannot keep its guard items; "
            "write a loaded instance (save(), update(), delete()), which sends one transaction"
        )


class Guards:
    """The guard writes of one instance's write, and which field each stands for."""

    def __init__(self, info: ModelInfo, table: str, owner: Mapping[str, Any]) -> None:
        self.info = info
        self.table = table
        self.owner = dict(owner)
        self.label = info.entity or info.cls.__name__
        self.actions: list[WriteAction] = []
        self.fields: list[tuple[str, Any] | None] = []

    def key(self, field: str, value: Any) -> dict[str, str]:
        text = f"UNIQUE#{self.label}.{field}#{formatted(value, '')}"
        return {name: text for name in self.info.key_names}

    def put(self, field: str, value: Any) -> None:
        pk = self.info.partition_key
        item = {
            **self.key(field, value),
            GUARD_MARK: f"{self.label}.{field}",
            "pydynox_owner": self.owner,
        }
        self.actions.append(Put(self.table, item, Attr(pk).not_exists()))
        self.fields.append((field, value))

    def delete(self, field: str, value: Any) -> None:
        self.actions.append(Delete(self.table, self.key(field, value), None))
        self.fields.append(None)

    def swap(self, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
        """Guards from ``old`` values (None: a new item) to ``new`` ones, changed fields only."""
        for field in self.info.unique:
            before = None if old is None else old.get(field)
            after = new.get(field)
            if before is not None and after is not None and _same(before, after):
                continue
            if before is not None:
                self.delete(field, before)
            if after is not None:
                self.put(field, after)


def _same(a: Any, b: Any) -> bool:
    return formatted(a, "") == formatted(b, "")


def stored_unique(instance: Any, info: ModelInfo) -> dict[str, Any] | None:
    """The unique fields' values as stored when the instance was loaded or last saved; None
    for an instance that never was."""
    from pydynox.models._changes import remembered
    from pydynox.models._meta import STORED  # here: _meta builds ModelInfo, which uses this module

    if getattr(instance, STORED, None) is None:
        return None
    raw = remembered(instance, type(instance).__name__)
    return {f: deserialize_value(raw[f]) if f in raw else None for f in info.unique}


def unique_plan(info: ModelInfo, item: WriteAction, guards: Guards, created: bool) -> Plan[None]:
    """Write the item and its guards in one transaction; a failed guard condition raises
    ``UniqueConstraintError``, a failed item condition ``ConditionalCheckFailedException``."""
    try:
        yield from transact_write_plan([item, *guards.actions])
    except TransactionCanceledException as error:
        reasons = error.reasons
        for reason, field in zip(reasons[1:], guards.fields, strict=False):
            if field is not None and reason.code == "ConditionalCheckFailed":
                name, value = field
                raise UniqueConstraintError(
                    f"{info.cls.__name__}.{name} {value!r} is already taken: nothing was written",
                    field=name,
                    value=value,
                    code="ConditionalCheckFailedException",
                ) from error
        if reasons and reasons[0].code == "ConditionalCheckFailed":
            message = (
                f"the {info.cls.__name__} item already exists: a model with Unique() fields "
                "creates its item with save() once; load it (get) to change it"
                if created
                else f"the {info.cls.__name__} write's condition failed: nothing was written"
            )
            raise ConditionalCheckFailedException(
                message, item=reasons[0].item, code="ConditionalCheckFailedException"
            ) from error
        raise
