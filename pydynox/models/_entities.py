"""Entities of one table (single-table design): key templates and the discriminator.

A base model declares the table, its key fields and ``discriminator`` (the attribute naming
each item's entity); each subclass with ``entity=`` is an entity whose ``keys`` map key
attributes (table or index keys) to ``str.format`` templates over its fields::

    model_config = DynamoConfig(entity="Order", keys={"sk": "ORDER#{order_id:>08}"})

Rules kept here:

- A templated key attribute is computed from the fields (at validation, and again whenever a
  field it uses is assigned), never set by hand: a different value given at construction is a
  validation error, assigning it raises, and a write whose keys no longer match is refused
  before anything is sent.
- Formatting: ``format(value, spec)``; with no spec a datetime or date is written in ISO form
  and an Enum as its value. A table key needs every field of its template; an index key whose
  fields are None is None (the item is left out of that sparse index).
- The discriminator is not a field: puts write it, reads check it (``matches``) and drop it.
"""

from __future__ import annotations

import datetime as dt
import enum
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import ValidationInfo, model_validator
from pydantic.fields import FieldInfo

from pydynox.exceptions import ModelDefinitionError, ValidationException

if TYPE_CHECKING:
    from pydynox.models._info import ModelInfo

__all__ = ["Template", "entity_info", "entity_namespace", "formatted", "render_key", "typed_fields"]


def formatted(value: Any, spec: str) -> str:
    if not spec:
        if isinstance(value, (dt.date, dt.time)):
            return value.isoformat()
        if isinstance(value, enum.Enum):
            value = value.value
        return str(value)
    return format(value.value if isinstance(value, enum.Enum) else value, spec)


@dataclass(frozen=True)
class Template:
    """A key template: literal text and ``{field:spec}`` parts, in order."""

    source: str
    parts: tuple[tuple[str, str | None, str], ...]  # (literal, field or None, spec)

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(field for _, field, _ in self.parts if field is not None)

    @classmethod
    def parse(cls, owner: str, attribute: str, source: object) -> Template:
        where = f"{owner}: keys[{attribute!r}]"
        if not isinstance(source, str):
            raise ModelDefinitionError(f"{where} must be a template string, not {source!r}")
        try:
            parsed = list(string.Formatter().parse(source))
        except ValueError as exc:
            raise ModelDefinitionError(f"{where} = {source!r} is not a template: {exc}") from None
        parts: list[tuple[str, str | None, str]] = []
        for literal, field, spec, conversion in parsed:
            if field is not None and (
                not field.isidentifier() or conversion or (spec and "{" in spec)
            ):
                raise ModelDefinitionError(
                    f"{where} = {source!r}: {{{field}}} must name a field, as in "
                    "'USER#{user_id}' or 'ORDER#{order_id:>08}'"
                )
            parts.append((literal, field, spec or ""))
        return cls(source, tuple(parts))

    def render(self, values: Mapping[str, Any]) -> str | None:
        """The attribute's value from ``values``; None if a field it uses is None/absent."""
        out: list[str] = []
        for literal, field, spec in self.parts:
            out.append(literal)
            if field is not None:
                value = values.get(field)
                if value is None:
                    return None
                out.append(formatted(value, spec))
        return "".join(out)

    def prefix(self, values: Mapping[str, Any]) -> tuple[str, bool]:
        """The value rendered up to the first field missing from ``values``, and whether
        the whole template was rendered (every field given)."""
        out: list[str] = []
        for literal, field, spec in self.parts:
            out.append(literal)
            if field is not None:
                if values.get(field) is None:
                    return "".join(out), False
                out.append(formatted(values[field], spec))
        return "".join(out), True


def render_key(info: ModelInfo, attribute: str, values: Mapping[str, Any]) -> str:
    """A table key attribute from its template, or a clear error naming what is missing."""
    template = info.templates[attribute]
    value = template.render(values)
    if value is None:
        missing = [field for field in template.fields if values.get(field) is None]
        raise ValidationException(
            f"{info.cls.__name__}.{attribute} is {template.source!r}: it needs {', '.join(missing)}"
        )
    return value


def _computed_keys(self: Any, validation: ValidationInfo) -> Any:
    """After validation: every templated attribute from the fields; a different value given
    for one is refused (the message names the template). After a validated assignment
    (``validate_assignment=True``) only what uses the assigned field is recomputed."""
    info: ModelInfo | None = type(self).__dict__.get("__dynamo__")
    if info is None or not info.templates:
        return self
    values = self.__dict__
    given = self.__pydantic_fields_set__
    assigned = validation.field_name
    for attribute, template in info.templates.items():
        if assigned is not None:
            if assigned == attribute:
                raise ValueError(f"{attribute} is computed from {template.source!r}")
            if assigned in template.fields:
                values[attribute] = template.render(values)
            continue
        computed = template.render(values)
        if computed is None and attribute in info.key_names:
            missing = [field for field in template.fields if values.get(field) is None]
            raise ValueError(
                f"{attribute} is computed from {template.source!r} and needs {', '.join(missing)}"
            )
        if attribute in given and values.get(attribute) != computed:
            raise ValueError(
                f"{attribute} is computed from {template.source!r} (here {computed!r}), "
                f"never set by hand: leave it out (it was given {values.get(attribute)!r})"
            )
        values[attribute] = computed
        given.add(attribute)
    return self


def _entity_setattr(self: Any, name: str, value: Any) -> None:
    """Assigning a template's field recomputes the attributes that use it; assigning a
    templated attribute raises."""
    from pydantic import BaseModel

    info: ModelInfo | None = type(self).__dict__.get("__dynamo__")
    if info is not None and name in info.templates:
        template = info.templates[name]
        raise ValidationException(
            f"{type(self).__name__}.{name} is computed from {template.source!r}: set "
            f"{', '.join(template.fields) or 'nothing (it is constant)'} instead"
        )
    BaseModel.__setattr__(self, name, value)
    if info is not None and name in info.template_fields:
        for attribute, template in info.templates.items():
            if name in template.fields:
                self.__dict__[attribute] = template.render(self.__dict__)


def _inherited_field(bases: Iterable[type], name: str) -> FieldInfo | None:
    for base in bases:
        field: FieldInfo | None = getattr(base, "__pydantic_fields__", {}).get(name)
        if field is not None:
            return field
    return None


def entity_namespace(bases: tuple[type, ...], namespace: dict[str, Any]) -> None:
    """Before pydantic builds a class whose config has ``keys``: the templated attributes
    inherited from a base are redeclared not required, read-only (an API client never sends
    them) and left out of dumps (``model_dump()``, JSON responses: they are how the item is
    stored, not what it is; ``user.pk`` still reads one), the validator that computes them is
    added, and assignment keeps them in step with their fields."""
    config: dict[str, Any] = {}
    for base in reversed(bases):
        config.update(getattr(base, "model_config", {}))
    config.update(namespace.get("model_config", {}))
    keys = config.get("keys")
    if not keys or not isinstance(keys, Mapping):
        return
    annotations = namespace.setdefault("__annotations__", {})
    for attribute in keys:
        if attribute in annotations:
            continue  # declared by the entity itself
        field = _inherited_field(bases, attribute)
        if field is None:
            continue  # not a field: build_info says so
        default = field.default if not field.is_required() else ""
        annotations[attribute] = field.annotation
        namespace[attribute] = FieldInfo.merge_field_infos(
            field, default=default, exclude=True, json_schema_extra={"readOnly": True}
        )
    namespace["__pydynox_keys__"] = model_validator(mode="after")(_computed_keys)
    namespace.setdefault("__setattr__", _entity_setattr)


def entity_info(info: ModelInfo) -> None:
    """The discriminator, entity name and key templates of a model class, checked."""
    cls = info.cls
    name = cls.__name__
    config: Mapping[str, Any] = getattr(cls, "model_config", {})
    info.discriminator = config.get("discriminator")
    info.entity = config.get("entity")
    keys: Mapping[str, Any] = config.get("keys") or {}
    fields = info.fields
    if info.discriminator is not None:
        if not isinstance(info.discriminator, str) or not info.discriminator:
            raise ModelDefinitionError(f"{name}: discriminator must be an attribute name")
        if info.discriminator in fields:
            raise ModelDefinitionError(
                f"{name}.{info.discriminator} is the discriminator, which pydynox writes on "
                "every put: it cannot also be a field"
            )
    if info.entity is not None:
        if info.discriminator is None:
            raise ModelDefinitionError(
                f"{name}: entity={info.entity!r} needs a base with "
                "DynamoConfig(discriminator=...) naming the attribute that holds it"
            )
        if not isinstance(info.entity, str) or not info.entity:
            raise ModelDefinitionError(f"{name}: entity must be a non-empty string")
    if not isinstance(keys, Mapping):
        raise ModelDefinitionError(f"{name}: keys must map key attributes to templates")
    key_attributes = {*info.key_names, *info.index_keys}
    for attribute, source in keys.items():
        if attribute not in key_attributes:
            raise ModelDefinitionError(
                f"{name}: keys[{attribute!r}] names no key of the table or of an index "
                f"(keys: {', '.join(sorted(key_attributes))})"
            )
        if info.attribute_type(attribute, optional_ok=True) != "S":
            raise ModelDefinitionError(
                f"{name}.{attribute} has a template, so it must be a str field"
            )
        template = Template.parse(name, attribute, source)
        for field in template.fields:
            if field not in fields:
                raise ModelDefinitionError(
                    f"{name}: keys[{attribute!r}] = {source!r} uses {field!r}, which is not "
                    "a field of the model"
                )
            if field in info.key_names or field in keys or field == info.discriminator:
                raise ModelDefinitionError(
                    f"{name}: keys[{attribute!r}] = {source!r} uses {field!r}, a table key or "
                    "computed attribute: a template uses the fields keys are made of"
                )
        info.templates[attribute] = template
        info.template_fields.update(template.fields)


def require_entity(info: ModelInfo) -> None:
    """Item operations need an entity: a base that only declares the table has none."""
    if info.discriminator is not None and info.entity is None:
        raise ModelDefinitionError(
            f"{info.cls.__name__} declares the table of its entities "
            f"(discriminator {info.discriminator!r}): read and write an entity "
            "(a subclass with DynamoConfig(entity=...)), or several with Collection(...)"
        )


def checked_keys(info: ModelInfo, values: Mapping[str, Any], data: dict[str, Any]) -> None:
    """Before a write: every templated attribute of the instance (its ``values``) must be
    what its template gives, else nothing is sent; ``data``, the item to send, gets them."""
    for attribute, template in info.templates.items():
        computed = template.render(values)
        if values.get(attribute) != computed:
            raise ValidationException(
                f"{info.cls.__name__}.{attribute} is {values.get(attribute)!r}, but it is "
                f"computed from {template.source!r}, which gives {computed!r}: key "
                "attributes of an entity are never set by hand"
            )
        data[attribute] = computed


def key_arguments(info: ModelInfo) -> tuple[str, ...]:
    """The names a key is given by: a templated key attribute by its template's fields."""
    names: list[str] = []
    for attribute in info.key_names:
        template = info.templates.get(attribute)
        names.extend(template.fields if template is not None else (attribute,))
    return tuple(dict.fromkeys(names))


def typed_fields(info: ModelInfo, values: Mapping[str, Any]) -> dict[str, Any]:
    """Template fields given as arguments, each validated with its field's type (so
    ``order_id="7"`` formats as the int 7 would)."""
    return {name: info.adapter(name).validate_python(value) for name, value in values.items()}


def key_from_fields(info: ModelInfo, values: Mapping[str, Any]) -> dict[str, Any]:
    """The table key from key arguments (``key_arguments``), validated (``typed_fields``)."""
    typed = typed_fields(info, values)
    key: dict[str, Any] = {}
    for attribute in info.key_names:
        if attribute in info.templates:
            key[attribute] = render_key(info, attribute, typed)
        else:
            key[attribute] = info.storage_value(attribute, values[attribute])
    return key


def index_templates(
    info: ModelInfo,
    fields: Iterable[str],
    values: Mapping[str, Any] | None,
    updates: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """The index key attributes an update of ``fields`` changes, recomputed: from the
    instance's ``values`` after the update, or (by key, no instance) from ``updates`` alone,
    which must then hold every field of the template."""
    changed = set(fields)
    out: dict[str, Any] = {}
    for attribute, template in info.templates.items():
        if not changed.intersection(template.fields):
            continue
        if values is None:
            missing = [f for f in template.fields if f not in (updates or {})]
            if missing:
                raise ValidationException(
                    f"{info.cls.__name__}.{attribute} is computed from {template.source!r}: "
                    f"an update by key must also set {', '.join(missing)} (or load the item "
                    "and update it)"
                )
            values = updates or {}
        out[attribute] = template.render(values)
    return out
