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
- delete: the item and its guards in one transaction;
- every write of a loaded or saved instance is conditioned on the stored item still holding
  the unique values it was loaded with (another instance may have changed them, and moved
  their guards), and a guard is deleted only if this item owns it (``pydynox_owner``) or it
  is not there: a stale instance fails with ``ConditionalCheckFailedException``, nothing
  written.

A guard whose condition fails raises ``UniqueConstraintError`` naming the field; nothing of
the transaction is written. Guard keys are made from the value as stored (a number by its
value, a datetime as the codec stores it). Writes that cannot carry the guards are refused
before sending: ``update_by_key`` of a unique field, ``delete_by_key``, batch writers, a
transaction's put or delete of the model (instance or class and key), a transaction's update
of a unique field, and atomic actions on one; other updates go through as usual.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydynox._protocol._actions import Delete, Put, WriteAction
from pydynox._protocol._items import transact_write_plan
from pydynox._protocol._plan import Plan
from pydynox._values._codec import deserialize_value, serialize_value
from pydynox.exceptions import (
    ConditionalCheckFailedException,
    ModelDefinitionError,
    TransactionCanceledException,
    UniqueConstraintError,
    ValidationException,
)
from pydynox.expressions import Attr, Condition, UpdateAction
from pydynox.models._declarations import Unique

if TYPE_CHECKING:
    from pydynox.models._info import ModelInfo

__all__ = [
    "GUARD_MARK",
    "OWNER",
    "Guards",
    "atomic_targets",
    "held_plan",
    "refuse_unique",
    "unique_info",
    "unique_plan",
]

GUARD_MARK = "pydynox_unique"
"""The attribute every guard item has (and no model item may)."""
OWNER = "pydynox_owner"
"""The guard's attribute holding the key of the item that holds the value."""


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
        try:  # str, number, bytes, date...: a value with one stored form, for the guard key
            info.attribute_type(field, optional_ok=True)
        except ModelDefinitionError:
            raise ModelDefinitionError(
                f"{name}.{field}: Unique() needs a str, int, Decimal, bytes, datetime, date, "
                f"UUID or str Enum field, not {info.fields[field].annotation!r}"
            ) from None
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
        self.fields: list[tuple[str, str, Any]] = []  # (put or delete, field, value)

    def key(self, field: str, text: str) -> dict[str, str]:
        value = f"UNIQUE#{self.label}.{field}#{text}"
        return {name: value for name in self.info.key_names}

    def put(self, field: str, text: str, value: Any) -> None:
        pk = self.info.partition_key
        item = {
            **self.key(field, text),
            GUARD_MARK: f"{self.label}.{field}",
            OWNER: self.owner,
        }
        self.actions.append(Put(self.table, item, Attr(pk).not_exists()))
        self.fields.append(("put", field, value))

    def delete(self, field: str, text: str) -> None:
        """Delete the guard of ``text`` if this item owns it (or there is none): a guard of
        another item's value is never removed (the transaction fails instead)."""
        owned: Condition = Attr(self.info.partition_key).not_exists()
        for name, value in self.owner.items():
            owned = owned | (Attr.of(OWNER, name) == value)
        self.actions.append(Delete(self.table, self.key(field, text), owned))
        self.fields.append(("delete", field, text))

    def swap(self, old: Mapping[str, Any] | None, new: Mapping[str, Any]) -> None:
        """Guards from ``old`` values (None: a new item) to ``new`` ones, changed fields
        only. Values are plain (what a put writes) or attribute values (a stored item's)."""
        for field in self.info.unique:
            before = None if old is None else self.text(field, old.get(field))
            after = self.text(field, new.get(field))
            if before == after:
                continue
            if before is not None:
                self.delete(field, before)
            if after is not None:
                self.put(field, after, new.get(field))

    def unchanged(self, old: Mapping[str, Any] | None) -> Condition | None:
        """For a loaded or saved instance: the condition that the stored item still holds
        the unique values it was loaded with (else another instance changed them, and this
        write would put back a value whose guard is gone)."""
        if old is None:
            return None
        condition: Condition | None = None
        for field in self.info.unique:
            value = old.get(field)
            held = (
                Attr(field).not_exists()
                if value is None or "NULL" in value
                else Attr(field) == deserialize_value(value)
            )
            condition = held if condition is None else condition & held
        return condition

    def text(self, field: str, value: Any) -> str | None:
        """A value's stored form as text: what DynamoDB compares (a number by its value,
        ``1.0`` as ``1``; a datetime as the codec stores it); None for no value."""
        if value is None:
            return None
        stored = (
            value
            if _is_attribute_value(value)
            else serialize_value(self.info.storage_value(field, value), field)
        )
        ((kind, text),) = stored.items()
        if kind == "NULL":
            return None
        if kind == "N":
            number = Decimal(text)
            return format(number.normalize(), "f") if number else "0"
        if kind == "B":
            return base64.b64encode(text).decode() if isinstance(text, bytes) else str(text)
        return str(text)


def _is_attribute_value(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and next(iter(value)) in _KINDS


_KINDS = frozenset({"S", "N", "B", "NULL", "BOOL", "SS", "NS", "BS", "L", "M"})


def atomic_targets(atomic: Sequence[UpdateAction] | None) -> list[str]:
    """The top-level attributes atomic update actions write."""
    return [str(action.path.segments[0]) for action in atomic or ()]


def stored_unique(instance: Any, info: ModelInfo) -> dict[str, Any] | None:
    """The unique fields' values as stored when the instance was loaded or last saved; None
    for an instance that never was."""
    from pydynox.models._changes import remembered
    from pydynox.models._meta import STORED  # here: _meta builds ModelInfo, which uses this module

    if getattr(instance, STORED, None) is None:
        return None
    raw = remembered(instance, type(instance).__name__)
    return {f: raw.get(f) for f in info.unique}


def _changed_message(name: str) -> str:
    return (
        f"the {name} write's condition failed (its condition, its version, or Unique() values "
        "changed since it was loaded: refresh() it): nothing was written"
    )


def held_plan(info: ModelInfo, write: Plan[Any]) -> Plan[None]:
    """A single write of a model with ``Unique()`` fields that changes none of them, still
    conditioned on the values it was loaded with: a failure says so."""
    try:
        yield from write
    except ConditionalCheckFailedException as error:
        if type(error) is not ConditionalCheckFailedException:
            raise
        raise ConditionalCheckFailedException(
            _changed_message(info.cls.__name__), item=error.item, code=error.code
        ) from error


def unique_plan(info: ModelInfo, item: WriteAction, guards: Guards, created: bool) -> Plan[None]:
    """Write the item and its guards in one transaction; a failed guard condition raises
    ``UniqueConstraintError``, a failed item condition ``ConditionalCheckFailedException``."""
    try:
        yield from transact_write_plan([item, *guards.actions])
    except TransactionCanceledException as error:
        reasons = error.reasons
        name = info.cls.__name__
        for reason, (kind, field, value) in zip(reasons[1:], guards.fields, strict=False):
            if reason.code != "ConditionalCheckFailed":
                continue
            if kind == "put":
                raise UniqueConstraintError(
                    f"{name}.{field} {value!r} is already taken: nothing was written",
                    field=field,
                    value=value,
                    code="ConditionalCheckFailedException",
                ) from error
            raise ConditionalCheckFailedException(
                f"{name}.{field} {value!r} is held by another item, not this one: this "
                f"instance's values are not what is stored (load the {name} and write that); "
                "nothing was written",
                code="ConditionalCheckFailedException",
            ) from error
        if reasons and reasons[0].code == "ConditionalCheckFailed":
            message = (
                f"the {name} item already exists: a model with Unique() fields creates its "
                "item with save() once; load it (get) to change it"
                if created
                else _changed_message(name)
            )
            raise ConditionalCheckFailedException(
                message, item=reasons[0].item, code="ConditionalCheckFailedException"
            ) from error
        raise
