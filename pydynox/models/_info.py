"""What pydynox knows about a model class, worked out once when the class is defined.

``DynamoMeta`` (a pydantic model metaclass) takes index declarations out of the class
namespace before pydantic sees them, checks the keys, collects hooks, and stores a
``ModelInfo`` on the class. Class-level field access (``User.age``) returns an ``Attr`` path
whose values are converted with the field's type.
"""

from __future__ import annotations

import datetime as dt
import enum
import threading
import types
import typing
import uuid
import warnings
import weakref
from collections.abc import Callable
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, PrivateAttr, TypeAdapter
from pydantic._internal._model_construction import ModelMetaclass
from pydantic.fields import FieldInfo
from pydantic_core import PydanticSerializationError, to_jsonable_python

from pydynox._protocol._tables import KeyType
from pydynox.exceptions import ModelDefinitionError, ValidationException

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**kwargs: Any) -> Any:
        """Type checkers only: at run time pydantic's metaclass already does the work."""
        return lambda cls: cls


from pydynox.expressions import Attr
from pydynox.hooks import HOOK_KINDS
from pydynox.models._declarations import TTL, PartitionKey, SortKey, Version, _Index

__all__ = ["DynamoMeta", "ModelInfo", "key_type", "model_form", "nested_nones_dropped", "storable"]


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def key_type(annotation: Any) -> KeyType | None:
    """The DynamoDB key type (S, N, B) of a Python type, or None if it cannot be a key."""
    while hasattr(annotation, "__supertype__"):  # typing.NewType
        annotation = annotation.__supertype__
    if typing.get_origin(annotation) is typing.Literal:
        values = typing.get_args(annotation)
        return "S" if values and all(isinstance(v, str) for v in values) else None
    if typing.get_origin(annotation) is not None or not isinstance(annotation, type):
        return None  # list[str] and other generic aliases (a type on Python 3.10)
    if not issubclass(annotation, (str, bytes, int, Decimal, dt.date, uuid.UUID, enum.Enum)):
        return _string_like(annotation)
    if issubclass(annotation, bool):
        return None
    if issubclass(annotation, enum.Enum):
        return "S" if issubclass(annotation, str) else None
    if issubclass(annotation, (str, dt.datetime, dt.date, uuid.UUID)):
        return "S"
    if issubclass(annotation, (int, Decimal)):
        return "N"
    if issubclass(annotation, bytes):
        return "B"
    return None


def _string_like(annotation: type) -> KeyType | None:
    """ "S" for a pydantic type whose values are strings (EmailStr, a constrained str...)."""
    try:
        schema = TypeAdapter(annotation).json_schema()
    except Exception:  # not a type pydantic can describe: not a key type either
        return None
    if schema.get("type") == "string" and schema.get("format") != "binary":
        return "S"
    return None


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


def _to_epoch(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.timezone.utc)
        return int(value.timestamp())
    return value


class ModelInfo:
    """Keys, version/TTL fields, indexes and hooks of one model class."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.table: str | None = getattr(cls, "model_config", {}).get("table")
        self.partition_key = ""
        self.sort_key: str | None = None
        self.version: str | None = None
        self.ttl: str | None = None
        self.indexes: dict[str, _Index] = {}
        self.hooks: dict[str, list[Callable[[Any], Any]]] = {kind: [] for kind in HOOK_KINDS}
        self.computed: set[str] = set(getattr(cls, "__pydantic_computed_fields__", {}))
        self.index_keys: set[str] = set()
        self._adapters: dict[str, TypeAdapter[Any]] = {}
        self._paths: dict[str, Attr] = {}

    @property
    def fields(self) -> dict[str, FieldInfo]:
        """The model's fields, read live: pydantic completes forward references later."""
        fields: dict[str, FieldInfo] = self.cls.__pydantic_fields__  # type: ignore[attr-defined]
        return fields

    @property
    def key_names(self) -> tuple[str, ...]:
        return (
            (self.partition_key,) if self.sort_key is None else (self.partition_key, self.sort_key)
        )

    def check_key_values(self, values: dict[str, Any]) -> None:
        """Refuse an empty string or bytes in a table or index key, before sending."""
        for name in (*self.key_names, *self.index_keys):
            value = values.get(name)
            if isinstance(value, (str, bytes)) and not value:
                kind = "a table" if name in self.key_names else "an index"
                raise ValidationException(
                    f"{self.cls.__name__}.{name} is {kind} key and cannot be empty"
                )

    def adapter(self, name: str) -> TypeAdapter[Any]:
        adapter = self._adapters.get(name)
        if adapter is None:
            if not getattr(self.cls, "__pydantic_complete__", True):
                self.cls.model_rebuild()  # type: ignore[attr-defined]
            annotation = self.fields[name].annotation
            adapter = self._adapters[name] = TypeAdapter(annotation)  # type: ignore[arg-type]
        return adapter

    def storage_value(self, name: str, value: Any) -> Any:
        """A value for field ``name`` as it is stored: validated with the field's type
        (so a str compares with a datetime field as a datetime), TTL as epoch seconds."""
        kind = type(value)
        if (kind is str or kind is int) and self.fields[name].annotation is kind:
            return value  # what validating it with its own type would give back
        value = self.adapter(name).validate_python(value)
        return _to_epoch(value) if name == self.ttl else storable(value)

    def path(self, name: str) -> Attr:
        attr = self._paths.get(name)
        if attr is None:
            attr = self._paths[name] = Attr.of(
                name, convert=lambda value: self.storage_value(name, value)
            )
        return attr

    def attribute_type(self, name: str, *, optional_ok: bool) -> KeyType:
        annotation = self.fields[name].annotation
        inner, optional = _unwrap_optional(annotation)
        kind = key_type(inner)
        if kind is None or (optional and not optional_ok):
            raise ModelDefinitionError(
                f"{self.cls.__name__}.{name}: a key must be str, int, Decimal, bytes, datetime, "
                f"date, UUID or a str Enum{'' if optional_ok else ' (not optional)'}, "
                f"not {annotation!r}"
            )
        return kind


def _marked(fields: dict[str, FieldInfo], marker: type) -> list[str]:
    return [name for name, f in fields.items() if any(isinstance(m, marker) for m in f.metadata)]


def _one(cls: type, fields: dict[str, FieldInfo], marker: type, required: bool) -> str | None:
    names = _marked(fields, marker)
    label = marker.__name__
    if len(names) > 1:
        raise ModelDefinitionError(
            f"{cls.__name__} declares {label}() on {len(names)} fields ({', '.join(names)}); "
            "a model has exactly one"
        )
    if required and not names:
        raise ModelDefinitionError(
            f"{cls.__name__} has no {label}(): mark one field, e.g. `pk: Annotated[str, {label}()]`"
        )
    return names[0] if names else None


def build_info(cls: type, indexes: dict[str, _Index]) -> ModelInfo:
    info = ModelInfo(cls)
    fields = info.fields
    info.partition_key = _one(cls, fields, PartitionKey, required=True) or ""
    info.sort_key = _one(cls, fields, SortKey, required=False)
    if info.sort_key == info.partition_key:
        raise ModelDefinitionError(f"{cls.__name__}.{info.sort_key} cannot be both keys")
    for name in info.key_names:
        info.attribute_type(name, optional_ok=False)
    info.version = _one(cls, fields, Version, required=False)
    if info.version is not None:
        inner, _ = _unwrap_optional(fields[info.version].annotation)
        if inner is not int:
            raise ModelDefinitionError(
                f"{cls.__name__}.{info.version}: Version() needs an int field"
            )
    info.ttl = _one(cls, fields, TTL, required=False)
    if info.ttl is not None:
        inner, _ = _unwrap_optional(fields[info.ttl].annotation)
        if inner not in (dt.datetime, int):
            raise ModelDefinitionError(
                f"{cls.__name__}.{info.ttl}: TTL() needs a datetime (or int epoch) field"
            )
    inherited = {
        k: v
        for base in reversed(cls.__mro__[1:])
        for k, v in getattr(base, "__dynamo_indexes__", {}).items()
    }
    for attribute, index in {**inherited, **indexes}.items():
        for role, name in (("partition_key", index.partition_key), ("sort_key", index.sort_key)):
            if name is None:
                continue
            if name not in fields:
                raise ModelDefinitionError(
                    f"{cls.__name__}.{attribute}: {role} {name!r} is not a field of the model"
                )
            info.attribute_type(name, optional_ok=True)
            info.index_keys.add(name)
        if index.kind == "local" and info.sort_key is None:
            raise ModelDefinitionError(
                f"{cls.__name__}.{attribute}: a local index needs a table with a sort key"
            )
        info.indexes[attribute] = index
    hooks: dict[str, Any] = {}  # by method name: an override replaces (or drops) the parent's
    for klass in reversed(cls.__mro__):
        # Over a copy: while a forward reference is undefined, reading an attribute of the
        # model's placeholder validator makes pydantic (2.11 to 2.13) try to rebuild the
        # model, which sets attributes on the class.
        for name, member in list(vars(klass).items()):
            if getattr(member, "__pydynox_hooks__", ()):
                hooks[name] = member
            else:
                hooks.pop(name, None)
    for member in hooks.values():
        for kind in member.__pydynox_hooks__:
            info.hooks[kind].append(member)
    return info


_building = threading.local()
_MIXIN_METHODS = (
    "get|save|delete|update|update_by_key|delete_by_key|batch_get|query|scan|count|"
    "create_table|table_exists|delete_table|apply_patch|patch_model"
)
_SHADOWED_METHOD = rf'Field name "(sync_)?({_MIXIN_METHODS})" in ".*" shadows an attribute'


@dataclass_transform(kw_only_default=True, field_specifiers=(Field, PrivateAttr))
class DynamoMeta(ModelMetaclass):
    """The metaclass of DynamoDB models: pydantic's, plus keys, indexes and field paths."""

    def __new__(
        mcs,
        name: str,
        bases: tuple[type[Any], ...],
        namespace: dict[str, Any],
        **kwargs: Any,
    ) -> type:
        # Index declarations are not fields: keep them out of pydantic's sight.
        indexes = {k: v for k, v in namespace.items() if isinstance(v, _Index)}
        for key in indexes:
            del namespace[key]
        # While pydantic builds a class it probes its bases' attributes (hasattr): field
        # paths must not answer then, or a redeclared field looks like a shadowed attribute.
        _building.depth = getattr(_building, "depth", 0) + 1
        try:
            with warnings.catch_warnings():
                # A field may share a method's name (``count``): class access then gives the
                # method, instances the value, and ``Attr("count")`` the path, as documented.
                warnings.filterwarnings("ignore", message=_SHADOWED_METHOD, category=UserWarning)
                cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        finally:
            _building.depth -= 1
        for attribute, index in indexes.items():
            index.attribute = attribute
            type.__setattr__(cls, attribute, index)
        type.__setattr__(cls, "__dynamo_indexes__", indexes)
        if _is_concrete(cls):
            type.__setattr__(cls, "__dynamo__", build_info(cls, indexes))
        return cls

    def __getattr__(cls, name: str) -> Any:
        # Only once the class is complete (pydantic probes attributes while building it).
        info = cls.__dict__.get("__dynamo__")
        if info is not None and not getattr(_building, "depth", 0) and name in info.fields:
            return info.path(name)
        try:
            return super().__getattr__(name)  # type: ignore[misc]
        except AttributeError:
            if info is None or name.startswith("_"):
                raise
            # ``User.nmae > 3``: say it is not a field (pydantic's message is the bare name).
            raise AttributeError(
                f"type object {cls.__name__!r} has no attribute {name!r}: {name!r} is not a "
                f"field of {cls.__name__} (for an attribute the model does not declare, use "
                f"Attr({name!r}))",
                name=name,
                obj=cls,
            ) from None


def _is_concrete(cls: type) -> bool:
    """A model with a table or any key marker must be complete; a class with neither (such
    as ``Model`` itself, or a base that only shares fields) is an abstract base."""
    from pydantic import BaseModel

    if not issubclass(cls, BaseModel):
        return False
    fields: dict[str, FieldInfo] = cls.__pydantic_fields__
    markers = (PartitionKey, SortKey, Version, TTL)
    marked = any(isinstance(m, markers) for f in fields.values() for m in f.metadata)
    return marked or bool(cls.model_config.get("table"))
