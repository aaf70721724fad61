"""``DynamoMeta``: the metaclass of DynamoDB models (pydantic's, plus keys, indexes, paths).

It takes index declarations out of the class namespace before pydantic sees them, builds the
class's ``ModelInfo`` once it is complete, and answers class-level field access
(``User.age``) with an ``Attr`` path whose values are converted with the field's type.
"""

from __future__ import annotations

import abc
import re
import threading
import warnings
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, PrivateAttr
from pydantic._internal._model_construction import ModelMetaclass
from pydantic.fields import FieldInfo

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:

    def dataclass_transform(**kwargs: Any) -> Any:
        """Type checkers only: at run time pydantic's metaclass already does the work."""
        return lambda cls: cls


from pydynox.models._declarations import TTL, PartitionKey, SortKey, Version, _Index
from pydynox.models._entities import entity_namespace
from pydynox.models._info import build_info

__all__ = ["STORED", "DynamoMeta"]

STORED = "__pydynox_stored__"
"""The slot where a model instance keeps the stored form it was loaded or last saved with
(``_changes``). A slot, not an attribute in ``__dict__``: pydantic's validated assignment
rebuilds ``__dict__`` from the fields, and equality, dumps and copies never see a slot."""


_building = threading.local()


def _shadow_warning(bases: tuple[type[Any], ...]) -> str:
    """The message of pydantic's warning that a field shares a name with one of pydynox's
    model methods (``count``, ``sync_get``...), which are read off the bases themselves."""
    names = {
        name
        for base in bases
        for klass in base.__mro__
        if klass.__module__.split(".")[0] == "pydynox"
        for name in vars(klass)
        if not name.startswith("_")
    }
    methods = "|".join(sorted(map(re.escape, names))) or "(?!)"
    return rf'Field name "({methods})" in ".*" shadows an attribute'


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
        if not any(issubclass(base, BaseModel) for base in bases):
            # pydynox's own layers of DynamoMixin, or a user's mixin: not a model yet (an
            # ABC as pydantic's metaclass expects: issubclass() asks it for _abc_impl).
            return abc.ABCMeta.__new__(mcs, name, bases, namespace, **kwargs)
        # Index declarations are not fields: keep them out of pydantic's sight.
        indexes = {k: v for k, v in namespace.items() if isinstance(v, _Index)}
        for key in indexes:
            del namespace[key]
        entity_namespace(bases, namespace)
        if not any(hasattr(base, STORED) for base in bases):
            # The first model class of a hierarchy gets the slot (its subclasses inherit it).
            slots = namespace.get("__slots__", ())
            slots = (slots,) if isinstance(slots, str) else tuple(slots)
            namespace["__slots__"] = (*slots, STORED)
        # While pydantic builds a class it probes its bases' attributes (hasattr): field
        # paths must not answer then, or a redeclared field looks like a shadowed attribute.
        _building.depth = getattr(_building, "depth", 0) + 1
        try:
            with warnings.catch_warnings():
                # A field may share a method's name (``count``): class access then gives the
                # method, instances the value, and ``Attr("count")`` the path, as documented.
                warnings.filterwarnings(
                    "ignore", message=_shadow_warning(bases), category=UserWarning
                )
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
