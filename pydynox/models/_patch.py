"""Patch models: the pydantic model of the fields a PATCH request may change."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from pydynox.exceptions import ValidationException
from pydynox.models._stored import _Stored

__all__ = ["patch_model_of"]


def patch_model_of(cls: type[_Stored], exclude: Iterable[str]) -> type[BaseModel]:
    """Every field of ``cls`` but the keys (and the fields an entity's key is made of, and
    computed key attributes), the version and ``exclude``, each optional;
    unknown fields refused. Made once per class and ``exclude``."""
    info = cls._info()
    skipped = frozenset(exclude)
    unknown = skipped - set(info.fields)
    if unknown:
        raise ValidationException(f"{cls.__name__} has no field(s) {sorted(unknown)}")
    cache: dict[frozenset[str], type[BaseModel]] = cls.__dict__.get("__dynamo_patch__", {})
    if skipped in cache:
        return cache[skipped]
    fields: dict[str, Any] = {}
    # What makes the key (the keys, an entity's template fields) and what is computed.
    fixed = {*info.key_names, *cls._key_arguments(), *info.templates}
    for name, field in info.fields.items():
        if name in fixed or name == info.version or name in skipped:
            continue
        annotation: Any = field.annotation
        for constraint in field.metadata:  # nested Annotated flattens: keep constraints
            annotation = Annotated[annotation, constraint]
        fields[name] = (annotation, Field(None, alias=field.alias, description=field.description))
    patch: type[BaseModel] = create_model(
        f"{cls.__name__}Patch", __config__=ConfigDict(extra="forbid"), **fields
    )
    type.__setattr__(cls, "__dynamo_patch__", {**cache, skipped: patch})
    return patch
