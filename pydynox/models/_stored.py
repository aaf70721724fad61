"""The stored side of a model: table, client, keys, conversions, version rules and actions.

``_Stored`` implements the client's ``Writable`` protocol, so ``BatchWriter`` and
``Transaction`` write models without looking inside them, and the model plans
(``_plans``) build their single-item requests from the same actions. Rules kept here:

- ``save()`` is a full PutItem of the model's dump: attributes the model does not declare are
  replaced (kept only by ``extra="allow"`` models, which write their extras back).
- A ``Version()`` field conditions every write on the stored version and increments it.
- ``CreatedAt()`` / ``UpdatedAt()`` fields are set by the actions (``_changes``), so batches and
  transactions stamp what they write as single calls do.
- Hooks run in declaration order; a raising ``before_*`` hook stops the write before
  anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, TypeVar

from pydynox._protocol._actions import ConditionCheck, Delete, Put, Update
from pydynox._values._codec import deserialize_item
from pydynox.client import DynamoDBClient, get_default_client
from pydynox.exceptions import ModelDefinitionError, ValidationException
from pydynox.expressions import Attr, Condition, UpdateAction
from pydynox.models._changes import (
    forget,
    put_stamps,
    remember_item,
    remember_read,
    remember_values,
    stamp_updates,
    take_stamps,
)
from pydynox.models._conditions import ConditionArg, all_of, checked_condition
from pydynox.models._entities import (
    checked_keys,
    index_templates,
    key_arguments,
    key_from_fields,
    require_entity,
)
from pydynox.models._info import ModelInfo
from pydynox.models._meta import DynamoMeta
from pydynox.models._shape import nested_nones_dropped, storable, to_epoch
from pydynox.models._unique import atomic_targets, refuse_unique

__all__ = ["_Stored"]

S = TypeVar("S", bound="_Stored")


class _Stored(metaclass=DynamoMeta):
    """A model as DynamoDB stores it: its table, client, key, conversions, version rules and
    the actions writers and transactions send (the ``Writable`` protocol)."""

    __dynamo__: ClassVar[ModelInfo]

    # -- class information ----------------------------------------------------------------

    @classmethod
    def _info(cls) -> ModelInfo:
        info: ModelInfo | None = cls.__dict__.get("__dynamo__")
        if info is None:
            raise ModelDefinitionError(
                f"{cls.__name__} has no PartitionKey() field, so it cannot be stored; "
                "it can only be a base class for models that have one"
            )
        return info

    @classmethod
    def _table_name(cls) -> str:
        table = cls._info().table
        if not table:
            raise ValidationException(
                f"{cls.__name__} has no table: set model_config = DynamoConfig(table=...)"
            )
        return table

    @classmethod
    def _own_client(cls) -> DynamoDBClient | None:
        client: DynamoDBClient | None = getattr(cls, "model_config", {}).get("client")
        return client

    @classmethod
    def _client(cls) -> DynamoDBClient:
        client = cls._own_client()
        return client if client is not None else get_default_client()

    @classmethod
    def _key_attributes(cls) -> tuple[str, ...]:
        return cls._info().key_names

    @classmethod
    def _key_arguments(cls) -> tuple[str, ...]:
        """The names a key is given by: the key attributes, or for templated keys the
        fields of their templates (``User.get(user_id="1")``)."""
        info = cls._info()
        return key_arguments(info) if info.templates else info.key_names

    @classmethod
    def _versioned(cls) -> bool:
        return cls._info().version is not None

    # -- conversion -----------------------------------------------------------------------

    def _data(self) -> dict[str, Any]:
        """The item as plain Python values (pre-codec), TTL as epoch seconds."""
        info = self._info()
        dumped = self.model_dump(mode="python", exclude=info.computed)  # type: ignore[attr-defined]
        data: dict[str, Any] = storable(nested_nones_dropped(self, dumped))  # type: ignore[arg-type]
        if info.ttl is not None and data.get(info.ttl) is not None:
            data[info.ttl] = to_epoch(data[info.ttl])
        if info.templates or info.discriminator:
            require_entity(info)
            checked_keys(info, self.__dict__, data)
            if info.entity is not None:
                data[info.discriminator or ""] = info.entity
        info.check_key_values(data)
        return data

    def _key(self) -> dict[str, Any]:
        info = self._info()
        key = {name: getattr(self, name) for name in info.key_names}
        if info.templates or info.discriminator:
            require_entity(info)
            checked_keys(info, self.__dict__, {})
        return key

    @classmethod
    def _key_from(cls, values: Mapping[str, Any], what: str = "key") -> dict[str, Any]:
        info = cls._info()
        names = info.key_names
        if info.templates or info.discriminator:
            require_entity(info)
            names = cls._key_arguments()
        if len(values) != len(names) or not all(name in values for name in names):
            unknown = sorted(set(values) - set(names))
            missing = [name for name in names if name not in values]
            raise ValidationException(
                f"{cls.__name__} {what} takes {', '.join(names)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        if info.templates:
            return key_from_fields(info, values)
        # Every request builder serializes the key with check_key: not done twice here.
        return {name: info.storage_value(name, values[name]) for name in info.key_names}

    @classmethod
    def _from_data(cls: type[S], data: dict[str, Any]) -> S:
        """A model from stored attributes (plain values), then its after_load hooks."""
        instance = cls._validate(data)
        remember_read(instance, data)  # type: ignore[arg-type]
        instance._hooks("after_load")
        return instance

    @classmethod
    def _loaded(cls: type[S], raw: dict[str, Any]) -> S:
        """A model from an item as DynamoDB sent it, remembering it (``save_changes``)."""
        instance = cls._validate(deserialize_item(raw))
        remember_item(instance, raw)
        return instance

    @classmethod
    def _validate(cls: type[S], data: dict[str, Any]) -> S:
        """A model from stored attributes, which are named by field (never by alias):
        pydantic's validation, once per item (what ``model_validate`` runs, without its
        wrapper)."""
        info = cls.__dict__.get("__dynamo__")
        if info is not None and info.discriminator is not None:
            found = data.pop(info.discriminator, None)
            if found != info.entity:
                raise ValidationException(
                    f"the item is {'no entity' if found is None else f'a {found!r}'}, "
                    f"not a {info.entity!r}: it is not read as {cls.__name__}"
                )
        instance: S = cls.__pydantic_validator__.validate_python(data, by_alias=False, by_name=True)
        return instance

    @classmethod
    def _owns(cls, raw: Mapping[str, Any]) -> bool:
        """Whether an item as DynamoDB sent it is of this model's entity (any item is, for
        a model without a discriminator)."""
        info = cls._info()
        if info.discriminator is None:
            return True
        found = raw.get(info.discriminator)
        return isinstance(found, dict) and found.get("S") == info.entity

    @classmethod
    def _from_item(cls: type[S], raw: dict[str, Any]) -> S:
        """A model from an item of a read, remembered, then its after_load hooks."""
        instance = cls._loaded(raw)
        instance._hooks("after_load")
        return instance

    def _adopt(self, raw: dict[str, Any]) -> None:
        """Take, in place, the state of the item ``raw`` (the stored result), remembered."""
        fresh = type(self)._validate(deserialize_item(raw))
        object.__setattr__(self, "__dict__", fresh.__dict__)
        object.__setattr__(self, "__pydantic_extra__", fresh.__pydantic_extra__)  # type: ignore[attr-defined]
        object.__setattr__(self, "__pydantic_fields_set__", fresh.__pydantic_fields_set__)  # type: ignore[attr-defined]
        remember_item(self, raw)

    def _hooks(self, kind: str) -> None:
        hooks = self._info().hooks[kind]
        if hooks:
            for hook in hooks:
                hook(self)

    # -- version rules --------------------------------------------------------------------

    def _version_guard(self, first_write: Condition | None) -> tuple[Condition | None, int | None]:
        """The condition on the stored version and the version to write (None: unversioned).
        ``first_write`` is the condition for an instance at version 0."""
        info = self._info()
        if info.version is None:
            return None, None
        current = getattr(self, info.version) or 0
        if current == 0:
            return first_write, 1
        return info.path(info.version) == current, current + 1

    def _set_version(self, version: int | None) -> None:
        if version is not None:
            self.__dict__[self._info().version or ""] = version

    # -- actions (shared by the single operations, transactions and batches) --------------

    def _put_action(self, condition: ConditionArg) -> tuple[Put, Callable[[], None]]:
        refuse_unique(self._info(), "a batch writer or transaction")
        return self._put(condition)

    def _delete_action(self, condition: ConditionArg) -> tuple[Delete, Callable[[], None]]:
        refuse_unique(self._info(), "a batch writer or transaction")
        return self._delete(condition)

    def _update_action(
        self,
        fields: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
    ) -> tuple[Update, Callable[[], None]]:
        info = self._info()
        refuse_unique(info, "a transaction", [*fields, *atomic_targets(atomic)])
        return self._update(fields, atomic, condition)

    @classmethod
    def _plain_write(cls, what: str) -> None:
        refuse_unique(cls._info(), what)

    def _put(self, condition: ConditionArg) -> tuple[Put, Callable[[], None]]:
        info = self._info()
        self._hooks("before_save")
        guard, version = (
            self._version_guard(info.path(info.partition_key).not_exists())
            if info.version is not None
            else (None, None)
        )
        data = self._data()
        if version is not None:
            data[info.version or ""] = version
        stamps, created = put_stamps(self, info, data)
        when = all_of(checked_condition(condition), guard, created)
        action = Put(self._table_name(), data, when)

        def done() -> None:
            self._set_version(version)
            take_stamps(self, stamps)
            remember_values(self, data)
            self._hooks("after_save")

        return action, done

    def _delete(self, condition: ConditionArg) -> tuple[Delete, Callable[[], None]]:
        info = self._info()
        self._hooks("before_delete")
        version_path = info.path(info.version) if info.version else None
        guard, _ = self._version_guard(version_path.not_exists() if version_path else None)
        action = Delete(
            self._table_name(), self._key(), all_of(checked_condition(condition), guard)
        )

        def done() -> None:
            if info.version is not None:
                self._set_version(0)  # no longer stored: a later save creates it anew
            forget(self)
            self._hooks("after_delete")

        return action, done

    def _update(
        self,
        fields: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
    ) -> tuple[Update, Callable[[], None]]:
        info = self._info()
        self._hooks("before_update")
        updates = self._validated_updates(fields, instance=self, atomic=atomic)
        action, version = self._existing_update(updates, atomic, condition)

        def done() -> None:
            self._set_version(version)
            if info.updated_at is not None and info.updated_at in updates:
                take_stamps(self, {info.updated_at: updates[info.updated_at]})
            self._hooks("after_update")

        return action, done

    def _existing_update(
        self,
        updates: dict[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
    ) -> tuple[Update, int | None]:
        """The UpdateItem of this stored item: ``condition``, the item must exist, and the
        version checked and incremented (``updates`` gets it); the version to keep after."""
        info = self._info()
        version_path = info.path(info.version) if info.version else None
        guard, version = self._version_guard(version_path.not_exists() if version_path else None)
        if version is not None:
            updates[info.version or ""] = version
        when = all_of(checked_condition(condition), self._stored_check(), guard)
        return Update(self._table_name(), self._key(), updates, atomic, when), version

    @classmethod
    def _stored_check(cls) -> Condition:
        """The condition that the item is stored (and, for an entity, is one of this
        entity's): an update never creates an item, nor changes another entity's."""
        info = cls._info()
        if info.entity is not None and info.discriminator is not None:
            return Attr.of(info.discriminator) == info.entity
        return info.path(info.partition_key).exists()

    def _check_action(self, condition: ConditionArg) -> ConditionCheck:
        checked = checked_condition(condition)
        if checked is None:
            raise ValidationException("condition_check needs a condition")
        return ConditionCheck(self._table_name(), self._key(), checked)

    @classmethod
    def _validated_updates(
        cls,
        fields: Mapping[str, Any],
        instance: _Stored | None = None,
        *,
        atomic: Sequence[UpdateAction] | None = None,
    ) -> dict[str, Any]:
        """Field values validated like pydantic assignment, in their stored form, with the
        ``UpdatedAt()`` field set to now (unless ``fields`` or ``atomic`` write it)."""
        info = cls._info()
        for name in fields:
            if name not in info.fields:
                raise ValidationException(f"{cls.__name__} has no field {name!r} to update")
            if name in info.key_names:
                raise ValidationException(
                    f"{cls.__name__}.{name} is a key: it cannot be updated (delete and save)"
                )
            if name == info.version:
                raise ValidationException(
                    f"{cls.__name__}.{name} is the version: pydynox sets it on every write"
                )
            if name in info.templates or name in cls._key_arguments():
                raise ValidationException(
                    f"{cls.__name__}.{name} makes the key (or is computed from a template): "
                    "it cannot be updated (delete and save)"
                )
        if instance is not None:
            draft = instance.model_copy()  # type: ignore[attr-defined]
            for name, value in fields.items():
                cls.__pydantic_validator__.validate_assignment(draft, name, value)
            dumped: dict[str, Any] = draft.model_dump(mode="python", include=set(fields))
            nested_nones_dropped(draft, dumped)
            if info.ttl in dumped and dumped[info.ttl] is not None:
                dumped[info.ttl] = to_epoch(dumped[info.ttl])
            updates = {name: storable(dumped[name]) for name in fields}
            recomputed = index_templates(info, fields, draft.__dict__)
        else:
            updates = {name: info.storage_value(name, value) for name, value in fields.items()}
            recomputed = index_templates(info, fields, None, updates)
        updates.update(recomputed)
        info.check_key_values(updates)
        stamp_updates(info, updates, atomic)
        return updates
