"""The stored form of model values: what pydantic dumps, made storable, None fields pruned.

``storable`` turns values pydantic writes as JSON (URLs, IP addresses, EmailStr...) into that
JSON form; ``nested_nones_dropped`` / ``model_form`` leave out, at every depth, the None
fields of nested models whose default is None (stored back they read the same).
"""

from __future__ import annotations

import datetime as dt
import enum
import typing
import uuid
import weakref
from decimal import Decimal
from typing import Any

from pydantic import BaseModel
from pydantic_core import PydanticSerializationError, to_jsonable_python

__all__ = ["model_form", "nested_nones_dropped", "storable", "to_epoch"]


_NATIVE = (str, int, float, Decimal, bytes, bytearray, type(None), dt.date, uuid.UUID, enum.Enum)
_PLAIN = frozenset({str, int, float, bool, Decimal, bytes, type(None)})


def storable(value: Any) -> Any:
    """Values the codec stores as they are pass through; values pydantic writes as JSON
    (a URL, an IP address, a path, EmailStr...) become that JSON form, which validates back
    into the field's type on load. Anything else is left for the codec to refuse."""
    kind = type(value)
    if kind in _PLAIN or isinstance(value, _NATIVE):
        return value
    if isinstance(value, dict):
        return {
            key: item if type(item) in _PLAIN else storable(item) for key, item in value.items()
        }
    if kind is list:
        # A list of plain values (the common case) is stored as it is.
        for item in value:
            if type(item) not in _PLAIN:
                return [storable(item) for item in value]
        return value
    if isinstance(value, (list, tuple)):
        return [storable(item) for item in value]
    if isinstance(value, (set, frozenset)):
        return {storable(item) for item in value}
    if isinstance(value, BaseModel):
        # Python values (so datetimes and numbers are stored as everywhere else), without
        # the None fields a missing attribute gives back.
        return storable(model_form(value))
    try:
        return to_jsonable_python(value)
    except PydanticSerializationError:
        return value


# -- None in nested models ---------------------------------------------------------------
#
# pydantic's dump turns a nested model into a dict, after which it looks like any plain dict
# (whose None values are stored as NULL). So the dump is walked beside the instance it came
# from, and a None field of a model is left out where a missing attribute reads back as that
# same None: the field's default is None. boto3 users store such a model without the
# attribute, and ``attribute_not_exists(address.zip)`` then holds. A None field that is
# required, or whose default is something else, stays NULL: left out, it would read back as
# a validation error or as the other default.

_SCALARS = (str, bytes, int, float, Decimal, dt.date, dt.time, dt.timedelta, uuid.UUID, enum.Enum)
_NOTHING: Any = object()


def _may_hold_model(annotation: Any) -> bool:
    """Whether a value of this type can contain a pydantic model (Any and unknown types can)."""
    if annotation is None or annotation is type(None):
        return False
    if isinstance(annotation, type) and typing.get_origin(annotation) is None:
        try:
            return issubclass(annotation, BaseModel) or not issubclass(annotation, _SCALARS)
        except TypeError:  # a TypedDict refuses class checks
            return True
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    if origin is typing.Annotated:
        return _may_hold_model(typing.get_args(annotation)[0])
    args = typing.get_args(annotation)
    if origin is not None and args:
        return any(_may_hold_model(arg) for arg in args if arg is not Ellipsis)
    return True  # Any, a TypeVar, a forward reference, a bare generic


class _Shape:
    """For one model class: the fields whose None is left out (default None) and the fields
    whose values can hold models (the only ones the walk descends into)."""

    __slots__ = ("holders", "omitted", "serialized_whole")

    def __init__(self, cls: type[BaseModel]) -> None:
        fields = cls.__pydantic_fields__
        self.omitted = frozenset(
            name
            for name, field in fields.items()
            if not field.is_required() and field.default is None and field.default_factory is None
        )
        self.holders = tuple(
            name for name, field in fields.items() if _may_hold_model(field.annotation)
        )
        # A model_serializer decides the whole form itself: its output is left as it is.
        self.serialized_whole = bool(cls.__pydantic_decorators__.model_serializers)


_shapes: weakref.WeakKeyDictionary[type, _Shape] = weakref.WeakKeyDictionary()


def _shape(cls: type[BaseModel]) -> _Shape:
    shape = _shapes.get(cls)
    if shape is None:
        shape = _shapes[cls] = _Shape(cls)
    return shape


def _pruned(value: Any, dumped: Any) -> Any:
    """``dumped`` (pydantic's python dump of ``value``) without the None fields whose
    default is None, in every model inside it at any depth (in lists and dicts too)."""
    kind = type(value)
    if kind in _PLAIN or dumped is None:
        return dumped
    if isinstance(value, BaseModel):
        if type(dumped) is not dict:
            return dumped
        shape = _shape(kind)
        if shape.serialized_whole:
            return dumped
        out: dict[str, Any] = {}
        for key, item in dumped.items():
            if item is None:
                if key not in shape.omitted:
                    out[key] = None
                continue
            out[key] = item
        _descend(value, shape, out)
        return out
    if isinstance(value, (list, tuple)):
        if not isinstance(dumped, (list, tuple)) or len(dumped) != len(value):
            return dumped
        if all(type(member) in _PLAIN for member in value):
            return dumped
        return [_pruned(member, item) for member, item in zip(value, dumped, strict=True)]
    if isinstance(value, dict):
        if type(dumped) is not dict or len(dumped) != len(value):
            return dumped
        # A dump keeps the order of the keys (and may convert them): pair by position.
        return {
            key: item if item is None or type(member) in _PLAIN else _pruned(member, item)
            for (key, item), member in zip(dumped.items(), value.values(), strict=True)
        }
    return dumped


def _descend(model: BaseModel, shape: _Shape, dumped: dict[str, Any]) -> None:
    """Prune, in place, the values of ``dumped`` (the dump of ``model``) that can hold models."""
    values = model.__dict__
    for name in shape.holders:
        item = dumped.get(name)
        if item is not None:
            dumped[name] = _pruned(values.get(name, _NOTHING), item)
    extra = model.__pydantic_extra__
    if extra:
        for name, member in extra.items():
            item = dumped.get(name)
            if item is not None and type(member) not in _PLAIN:
                dumped[name] = _pruned(member, item)


def nested_nones_dropped(model: BaseModel, dumped: dict[str, Any]) -> dict[str, Any]:
    """``dumped``, the python dump of ``model`` (or of some of its fields), with the None
    fields of the models nested in it left out where their default is None; modified in
    place and returned. Its own top-level None values stay: the codec leaves them out of an
    item, and an update turns them into REMOVE."""
    shape = _shape(type(model))
    if shape.holders or model.__pydantic_extra__:
        _descend(model, shape, dumped)
    return dumped


def model_form(model: BaseModel) -> dict[str, Any]:
    """A model as a map attribute stores it: its python dump, with every None field whose
    default is None left out, at every depth."""
    dumped = model.model_dump(mode="python")
    pruned: dict[str, Any] = _pruned(model, dumped)
    return pruned


def to_epoch(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return int(value.timestamp())
    return value
