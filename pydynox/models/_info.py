"""``ModelInfo``: what pydynox knows about a model class, worked out once when it is defined:
its keys and their DynamoDB types, version, TTL and timestamp fields, indexes, hooks, and the typed
``Attr`` path and converter of each field.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import typing
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter
from pydantic.fields import FieldInfo

from pydynox._protocol._tables import KeyType
from pydynox.exceptions import ModelDefinitionError, ValidationException
from pydynox.expressions import Attr
from pydynox.hooks import HOOK_KINDS
from pydynox.models._declarations import (
    TTL,
    CreatedAt,
    PartitionKey,
    SortKey,
    UpdatedAt,
    Version,
    _Index,
)
from pydynox.models._entities import Template, entity_info
from pydynox.models._shape import storable, to_epoch
from pydynox.models._unique import unique_info

__all__ = ["ModelInfo", "build_info", "key_type"]


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


class ModelInfo:
    """Keys, version/TTL fields, indexes and hooks of one model class."""

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.table: str | None = getattr(cls, "model_config", {}).get("table")
        self.partition_key = ""
        self.sort_key: str | None = None
        self.version: str | None = None
        self.ttl: str | None = None
        self.created_at: str | None = None
        self.updated_at: str | None = None
        self.indexes: dict[str, _Index] = {}
        self.hooks: dict[str, list[Callable[[Any], Any]]] = {kind: [] for kind in HOOK_KINDS}
        self.computed: set[str] = set(getattr(cls, "__pydantic_computed_fields__", {}))
        self.index_keys: set[str] = set()
        self.discriminator: str | None = None
        self.entity: str | None = None
        self.templates: dict[str, Template] = {}
        self.template_fields: set[str] = set()
        self.unique: tuple[str, ...] = ()
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
        return to_epoch(value) if name == self.ttl else storable(value)

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


def _timestamps(cls: type, info: ModelInfo) -> None:
    """The ``CreatedAt()`` and ``UpdatedAt()`` fields: at most one each, a ``datetime`` (or
    optional ``datetime``) field that no other marker claims."""
    fields = info.fields
    info.created_at = _one(cls, fields, CreatedAt, required=False)
    info.updated_at = _one(cls, fields, UpdatedAt, required=False)
    for name, marker in ((info.created_at, "CreatedAt"), (info.updated_at, "UpdatedAt")):
        if name is None:
            continue
        inner, _ = _unwrap_optional(fields[name].annotation)
        if not (isinstance(inner, type) and issubclass(inner, dt.datetime)):
            raise ModelDefinitionError(
                f"{cls.__name__}.{name}: {marker}() needs a datetime field, "
                f"not {fields[name].annotation!r}"
            )
        others = {
            info.partition_key: "the partition key",
            info.sort_key: "the sort key",
            info.ttl: "the TTL() field",
            info.version: "the Version() field",
        }
        if info.created_at == info.updated_at:
            others[name] = "the UpdatedAt() field"
        if name in others:
            what = others[name]
            raise ModelDefinitionError(
                f"{cls.__name__}.{name}: {marker}() cannot mark {what}; pydynox sets a "
                "timestamp field on writes, so it needs a field of its own"
            )


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
    _timestamps(cls, info)
    inherited = {
        k: v
        for base in reversed(cls.__mro__[1:])
        for k, v in getattr(base, "__dynamo_indexes__", {}).items()
    }
    for attribute, index in {**inherited, **indexes}.items():
        if (
            (index.kind == "global" and not index.partition_keys)
            or len(index.partition_keys) > 4
            or len(index.sort_keys) > 4
        ):
            raise ModelDefinitionError(
                f"{cls.__name__}.{attribute}: an index key is one to four fields"
            )
        if index.kind == "local" and len(index.sort_keys) > 1:
            raise ModelDefinitionError(
                f"{cls.__name__}.{attribute}: only global indexes have multi-attribute keys"
            )
        named = [*index.partition_keys, *index.sort_keys]
        if len(set(named)) != len(named):
            raise ModelDefinitionError(
                f"{cls.__name__}.{attribute}: an index key names each field once ({named})"
            )
        roles = [("partition_key", n) for n in index.partition_keys]
        for role, name in [*roles, *(("sort_key", n) for n in index.sort_keys)]:
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
    entity_info(info)
    unique_info(info)
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
