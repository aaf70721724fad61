"""Serialize: Python values -> DynamoDB attribute values, in botocore's Python shape.

The wire shape is ``{"S": "x"}``, ``{"N": "1.5"}``, ``{"B": b"..."}`` (raw bytes), with numbers
as exact text (``_numbers``). ``None`` becomes ``NULL``; whole items leave out ``None`` and
empty sets.

This runs on every write, so dispatch is a dict lookup on the exact type, with ``isinstance``
checks only as the fallback for subclasses. Error paths are not built while serializing: a
refusal (``_numbers.Refusal``) collects its path segments as it unwinds, and the public
functions turn it into a :class:`~pydynox.exceptions.SerializationException` naming the
attribute.
"""

from __future__ import annotations

import datetime as _dt
import enum
import uuid
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from pydynox._values._numbers import (
    Refusal,
    decimal_text,
    float_text,
    int_text,
    number_text,
    to_exception,
)
from pydynox.exceptions import SerializationException

__all__ = ["AttributeValue", "serialize_item", "serialize_value"]

AttributeValue = dict[str, Any]

_UTC = _dt.timezone.utc
_EMPTY_SET_MESSAGE = "an empty set cannot be stored"


def _ser_str(value: Any) -> AttributeValue:
    return {"S": value}


def _ser_bool(value: Any) -> AttributeValue:
    return {"BOOL": value}


def _ser_int(value: Any) -> AttributeValue:
    return {"N": int_text(value)}


def _ser_float(value: Any) -> AttributeValue:
    return {"N": float_text(value)}


def _ser_decimal(value: Any) -> AttributeValue:
    return {"N": decimal_text(value)}


def _ser_none(value: Any) -> AttributeValue:
    return {"NULL": True}


def _ser_bytes(value: Any) -> AttributeValue:
    return {"B": value}


def _ser_bytes_copy(value: Any) -> AttributeValue:
    return {"B": bytes(value)}


def _ser_datetime(value: Any) -> AttributeValue:
    try:
        value = value.replace(tzinfo=_UTC) if value.tzinfo is None else value.astimezone(_UTC)
    except OverflowError:
        raise Refusal("this datetime cannot be converted to UTC") from None
    return {"S": value.isoformat(timespec="microseconds")}


def _ser_date(value: Any) -> AttributeValue:
    return {"S": value.isoformat()}


def _ser_uuid(value: Any) -> AttributeValue:
    return {"S": str(value)}


def _ser_list(value: Any) -> AttributeValue:
    try:
        return {"L": [_serialize(member) for member in value]}
    except Refusal:
        pass
    # Error path only: serialize again one by one to learn which member was refused.
    for index, member in enumerate(value):
        try:
            _serialize(member)
        except Refusal as refusal:
            refusal.parts.append(f"[{index}]")
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _ser_map(value: Any) -> AttributeValue:
    out: dict[str, AttributeValue] = {}
    for key, member in value.items():
        if type(key) is not str and not isinstance(key, str):
            raise Refusal(f"map keys must be strings, not {type(key).__name__} ({key!r:.50})")
        if not key:
            raise Refusal("map keys cannot be empty: DynamoDB attribute names are 1 or more long")
        if isinstance(member, (set, frozenset)) and not member:
            continue  # DynamoDB has no empty set: leave the key out
        try:
            out[key] = _serialize(member)
        except Refusal as refusal:
            refusal.parts.append(f".{key}")
            raise
    return {"M": out}


def _ser_model(value: Any) -> AttributeValue:
    return _ser_map(value.model_dump(mode="python"))


def _ser_enum(value: Any) -> AttributeValue:
    return _serialize(value.value)


def _ser_set(value: Any) -> AttributeValue:
    if not value:
        raise Refusal(_EMPTY_SET_MESSAGE)
    kinds = {type(member) for member in value}
    if kinds == {str}:
        return {"SS": sorted(value)}
    if kinds <= _NUMBER_TYPES:
        return {"NS": sorted({number_text(member) for member in value})}
    if kinds <= _BYTES_TYPES:
        return {"BS": sorted({bytes(member) for member in value})}
    # Subclasses (enum members, str or int subclasses) take the slower look at each member.
    members = [member.value if isinstance(member, enum.Enum) else member for member in value]
    if all(isinstance(member, str) for member in members):
        return {"SS": sorted({str.__str__(member) for member in members})}
    if all(_is_number(member) for member in members):
        return {"NS": sorted({number_text(member) for member in members})}
    if all(isinstance(member, (bytes, bytearray, memoryview)) for member in members):
        return {"BS": sorted({bytes(member) for member in members})}
    names = ", ".join(sorted({kind.__name__ for kind in kinds}))
    raise Refusal(
        f"a set must hold only strings, only numbers or only bytes; this one holds {names}"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


_NUMBER_TYPES = frozenset({int, float, Decimal})
_BYTES_TYPES = frozenset({bytes, bytearray, memoryview})

_SERIALIZERS: dict[type, Callable[[Any], AttributeValue]] = {
    str: _ser_str,
    bool: _ser_bool,
    int: _ser_int,
    float: _ser_float,
    Decimal: _ser_decimal,
    type(None): _ser_none,
    dict: _ser_map,
    list: _ser_list,
    tuple: _ser_list,
    set: _ser_set,
    frozenset: _ser_set,
    bytes: _ser_bytes,
    bytearray: _ser_bytes_copy,
    memoryview: _ser_bytes_copy,
    _dt.datetime: _ser_datetime,
    _dt.date: _ser_date,
    uuid.UUID: _ser_uuid,
}


def _serialize_subclass(value: Any) -> AttributeValue:
    # Order matters: enums before the str/int they may derive from, datetime before date.
    if isinstance(value, enum.Enum):
        return _ser_enum(value)
    if hasattr(type(value), "__pydantic_fields__"):  # a pydantic model: its dump
        return _ser_model(value)
    if isinstance(value, str):
        return {"S": str.__str__(value)}
    if isinstance(value, int):
        return {"N": int_text(int(value))}
    if isinstance(value, float):
        return {"N": float_text(float(value))}
    if isinstance(value, Decimal):
        return _ser_decimal(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return _ser_bytes_copy(value)
    if isinstance(value, _dt.datetime):
        return _ser_datetime(value)
    if isinstance(value, _dt.date):
        return _ser_date(value)
    if isinstance(value, uuid.UUID):
        return _ser_uuid(value)
    if isinstance(value, Mapping):
        return _ser_map(value)
    if isinstance(value, (list, tuple)):
        return _ser_list(value)
    if isinstance(value, (set, frozenset)):
        return _ser_set(value)
    raise Refusal(f"cannot store a value of type {type(value).__name__}")


def _serialize(value: Any) -> AttributeValue:
    serializer = _SERIALIZERS.get(type(value))
    if serializer is not None:
        return serializer(value)
    return _serialize_subclass(value)


def serialize_value(value: Any, path: str = "") -> AttributeValue:
    """One Python value as a DynamoDB attribute value (``None`` becomes ``NULL``).

    ``path`` is the attribute path of ``value``, used to name the bad value in a
    :class:`SerializationException`.
    """
    try:
        return _serialize(value)
    except Refusal as refusal:
        raise to_exception(refusal, path) from None


def serialize_item(item: Mapping[str, Any], path: str = "") -> dict[str, AttributeValue]:
    """A whole item as DynamoDB attributes.

    Attributes that are ``None`` or an empty set are left out, so the item stays out of
    sparse indexes and no empty set (which DynamoDB refuses) is sent.
    """
    out: dict[str, AttributeValue] = {}
    for name, value in item.items():
        if value is None:
            continue
        if type(name) is not str and not isinstance(name, str):
            raise SerializationException(
                f"attribute names must be strings, not {type(name).__name__} ({name!r:.50})",
                path=path,
            )
        if isinstance(value, (set, frozenset)) and not value:
            continue  # DynamoDB has no empty set: leave the attribute out
        try:
            out[name] = _serialize(value)
        except Refusal as refusal:
            refusal.parts.append(f".{name}")
            raise to_exception(refusal, path) from None
    return out
