"""What changed since an instance was loaded or saved, and the timestamps pydynox sets.

Dirty tracking: every instance read from the table (get, query, scan, batch_get, refresh, the
result of an update) or written whole (save, a transaction's put) remembers, in a slot
(``STORED``), the stored form it had then: the item's attribute values as DynamoDB answered
them (kept as they are: no copy, no dump) or the plain values a put was built from. Nothing
is compared on a load or a save; ``save_changes()`` compares the stored form of each field
now with the remembered one, so an in-place change to a list, dict, set or nested model
counts, and sends only what differs.

Timestamps: ``CreatedAt()`` is filled (UTC now) by a put of an instance whose field is None
or was never set (it holds its default), and that put is conditioned on the stored item having
no such attribute; ``UpdatedAt()`` is set to UTC now by every write that goes through the
model's actions.
"""

from __future__ import annotations

import datetime as dt
import typing
import weakref
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from pydynox._values._codec import AttributeValue, serialize_item
from pydynox.exceptions import ValidationException
from pydynox.expressions import Condition, UpdateAction
from pydynox.models._meta import STORED

if TYPE_CHECKING:
    from pydynox.models._info import ModelInfo

__all__ = [
    "changed_fields",
    "forget",
    "put_stamps",
    "remember_item",
    "remember_read",
    "remember_values",
    "remembered",
    "stamp_updates",
    "take_stamps",
    "utc_now",
]

_set = object.__setattr__


class _Values:
    """Plain values (what a put was built from, or a batch read gave), serialized only if
    ``save_changes()`` needs them."""

    __slots__ = ("values",)

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values


def remember_item(instance: object, raw: dict[str, AttributeValue]) -> None:
    """``instance`` was read as the item ``raw`` (attribute values as DynamoDB sent them)."""
    _set(instance, STORED, raw)


def remember_values(instance: object, values: Mapping[str, Any]) -> None:
    """``instance`` is stored as the plain values ``values`` (what a put wrote)."""
    _set(instance, STORED, _Values(values))


def remember_read(instance: BaseModel, values: dict[str, Any]) -> None:
    """``instance`` was validated from the plain values ``values`` of a read. pydantic keeps
    the very objects it was given where a field takes anything (``Any``, a bare ``list``,
    extras): then the stored form is taken now, or changing them in place would change the
    remembered values too."""
    if _shares_values(type(instance)):
        _set(instance, STORED, serialize_item(values))
    else:
        _set(instance, STORED, _Values(values))


_sharing: weakref.WeakKeyDictionary[type, bool] = weakref.WeakKeyDictionary()


def _shares_values(cls: type[BaseModel]) -> bool:
    shares = _sharing.get(cls)
    if shares is None:
        shares = _sharing[cls] = _passes_through(cls, set())
    return shares


def _passes_through(annotation: Any, seen: set[type]) -> bool:
    """Whether validating a value of this type may keep a container it was given."""
    if annotation is Any or annotation is object or isinstance(annotation, typing.TypeVar):
        return True
    origin = typing.get_origin(annotation)
    if origin is None:
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            if annotation in seen:
                return False
            seen.add(annotation)
            extra = annotation.model_config.get("extra") == "allow"
            fields = annotation.__pydantic_fields__.values()
            return extra or any(_passes_through(f.annotation, seen) for f in fields)
        # A bare container takes anything as its members.
        return annotation in (list, dict, set, frozenset, tuple)
    if origin is typing.Literal:
        return False
    return any(_passes_through(arg, seen) for arg in typing.get_args(annotation))


def forget(instance: object) -> None:
    """``instance`` is no longer stored (deleted)."""
    _set(instance, STORED, None)


def remembered(instance: object, name: str) -> dict[str, AttributeValue]:
    """The stored form ``instance`` was loaded or last saved with; a new instance has none."""
    stored: dict[str, AttributeValue] | _Values | None = getattr(instance, STORED, None)
    if stored is None:
        raise ValidationException(
            f"this {name} was never loaded from its table or saved, so it has no changes to "
            "save: write it whole with save()"
        )
    if isinstance(stored, _Values):
        stored = serialize_item(stored.values)
        _set(instance, STORED, stored)
    return stored


def _number(text: str) -> Decimal | str:
    try:
        return Decimal(text)
    except InvalidOperation:
        return text


def same(a: Any, b: Any) -> bool:
    """Whether two attribute values store the same thing: sets in any order, numbers by value
    (``1.50`` is ``1.5``), lists and maps member by member."""
    if a == b:
        return True
    if type(a) is not dict or type(b) is not dict or len(a) != 1 or a.keys() != b.keys():
        return False
    ((kind, x),) = a.items()
    y = b[kind]
    if kind == "N":
        return _number(x) == _number(y)
    if kind in ("SS", "BS"):
        return set(x) == set(y)
    if kind == "NS":
        return {_number(n) for n in x} == {_number(n) for n in y}
    if kind == "L":
        return len(x) == len(y) and all(map(same, x, y))
    if kind == "M":
        return x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    return False


def _reads_as_default(instance: Any, info: ModelInfo, name: str) -> bool:
    """Whether the field holds what a missing attribute reads back as (its default)."""
    field = info.fields.get(name)
    if field is None or field.is_required():
        return False
    try:
        default = field.get_default(call_default_factory=True, validated_data=instance.__dict__)
    except Exception:  # a default factory that needs more than the data: not comparable
        return False
    return bool(getattr(instance, name) == default)


def changed_fields(instance: Any, info: ModelInfo, data: dict[str, Any]) -> dict[str, Any]:
    """The updates that bring the stored item to ``data`` (the instance's stored form now,
    from ``_data()``): each changed attribute's new value, None for one to remove. The version
    and ``UpdatedAt()`` fields are not compared (every write sets them); a changed key is
    refused (it names another item)."""
    before = remembered(instance, type(instance).__name__)
    now = serialize_item(data)
    names: dict[str, None] = dict.fromkeys(info.fields)
    if instance.__pydantic_extra__ is not None:  # extras are stored too (extra="allow")
        names.update(dict.fromkeys(now))
        names.update((n, None) for n in before if n not in info.fields)
    names.pop(info.version or "", None)  # both set by pydynox on every write
    names.pop(info.updated_at or "", None)
    updates: dict[str, Any] = {}
    for name in names:
        new, old = now.get(name), before.get(name)
        if new is None and old is None:
            continue
        if new is not None and old is not None and same(new, old):
            continue
        if old is None and _reads_as_default(instance, info, name):
            continue  # the item has no such attribute, which reads back as this same value
        if name in info.key_names:
            raise ValidationException(
                f"{type(instance).__name__}.{name} is a key and changed since the item was "
                "loaded: save_changes() updates the item it was loaded as; to store it under "
                "a new key, save() it (and delete the old item)"
            )
        updates[name] = None if new is None else data[name]
    return updates


# -- timestamps --------------------------------------------------------------------------


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


def put_stamps(
    instance: Any, info: ModelInfo, data: dict[str, Any]
) -> tuple[dict[str, dt.datetime], Condition | None]:
    """Set the timestamps of a put in ``data``: ``UpdatedAt()`` always, ``CreatedAt()`` when
    the instance has none of its own (None, or never set), then guarded by the condition
    returned (the stored item has no such attribute), so a stored one is never replaced.
    Returns the values to give the instance once the put is applied, and that condition."""
    stamps: dict[str, dt.datetime] = {}
    guard: Condition | None = None
    if info.updated_at is None and info.created_at is None:
        return stamps, guard
    now = utc_now()
    if info.updated_at is not None:
        stamps[info.updated_at] = now
    created = info.created_at
    if created is not None and (
        getattr(instance, created) is None or created not in instance.__pydantic_fields_set__
    ):
        stamps[created] = now
        guard = info.path(created).not_exists()
    data.update(stamps)
    return stamps, guard


def stamp_updates(
    info: ModelInfo, updates: dict[str, Any], atomic: Sequence[UpdateAction] | None
) -> None:
    """Set ``UpdatedAt()`` to UTC now in ``updates``, unless the caller writes it itself."""
    name = info.updated_at
    if name is None or name in updates:
        return
    if atomic and any(action.path.segments[0] == name for action in atomic):
        return
    updates[name] = utc_now()


def take_stamps(instance: Any, stamps: Mapping[str, Any]) -> None:
    """Give the instance the timestamps its write stored."""
    if stamps:
        instance.__dict__.update(stamps)
        instance.__pydantic_fields_set__.update(stamps)
