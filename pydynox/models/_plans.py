"""The model plans: what each model method sends, as a plan the client runs (async or sync).

Single items go through the shared plans of ``pydynox._protocol._items`` (the client's
``get_item`` and ``User.get`` send the same GetItem); what is model-specific is here: keys from
field values, version guards, the item-must-exist condition of updates, conversion into
validated instances, cursors bound to a partition, and table creation from the declaration.

``update(**fields)`` validates the values as pydantic assignment would, sends one UpdateItem
(None removes an attribute) and refreshes the instance from the stored result
(ReturnValues=ALL_NEW), never with a second read. It requires the item to exist.

``refresh()`` reloads an instance in place with a consistent GetItem. ``save_changes()`` sends
one UpdateItem of the fields whose stored form changed since the instance was loaded or last
saved (``_changes``), with the rules of ``update()`` (the item must exist; version checked and
incremented) and the save hooks; when nothing changed it sends nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import BaseModel

from pydynox._protocol._actions import Delete, Get, Put, Update
from pydynox._protocol._batch import batch_get_plan
from pydynox._protocol._dry_run import dry_run_state
from pydynox._protocol._items import delete_plan, get_plan, put_plan, update_plan
from pydynox._protocol._plan import Plan
from pydynox._protocol._tables import IndexSpec, create_table_plan, create_table_request
from pydynox._values._codec import deserialize_item
from pydynox.client._results import validate_into
from pydynox.exceptions import (
    ModelDefinitionError,
    ResourceNotFoundException,
    ValidationException,
)
from pydynox.expressions import Condition, UpdateAction
from pydynox.models._changes import changed_fields, remembered, stamp_updates
from pydynox.models._conditions import ConditionArg, all_of, checked_condition
from pydynox.models._declarations import _Index
from pydynox.models._info import ModelInfo
from pydynox.models._queries import _Queries
from pydynox.models._unique import (
    Guards,
    atomic_targets,
    held_plan,
    refuse_unique,
    stored_unique,
    unique_plan,
)

__all__ = ["_Plans"]

M = TypeVar("M", bound="_Plans")
P = TypeVar("P", bound=BaseModel)


def _raw(item: dict[str, Any]) -> dict[str, Any]:
    """An item as DynamoDB sent it (the model converts it itself)."""
    return item


class _Plans(_Queries):
    # -- single items ---------------------------------------------------------------------

    @classmethod
    def _get_plan(cls: type[M], key: Mapping[str, Any], consistent_read: bool) -> Plan[M | None]:
        get = Get(cls._table_name(), cls._key_from(key))
        if cls._info().discriminator is None:
            return get_plan(get, consistent_read, cls._from_item)
        # An item of another entity at this key is not one of this entity's: None.
        return get_plan(get, consistent_read, cls._from_own_item)

    @classmethod
    def _get_projected_plan(
        cls, key: Mapping[str, Any], consistent_read: bool, model: type[P]
    ) -> Plan[P | None]:
        """The item with this key, reading only the fields of ``model``, as a ``model``."""
        get = Get(cls._table_name(), cls._key_from(key), projection=cls._projection(model))
        convert = validate_into(model)

        def own(raw: dict[str, Any]) -> P | None:
            return convert(raw) if cls._owns(raw) else None

        return get_plan(get, consistent_read, own)

    @classmethod
    def _from_own_item(cls: type[M], raw: dict[str, Any]) -> M | None:
        return cls._from_item(raw) if cls._owns(raw) else None

    def _save_plan(self, condition: ConditionArg) -> Plan[None]:
        action, done = self._put(condition)
        info = self._info()
        old = stored_unique(self, info) if info.unique else None
        guards = Guards(info, action.table, self._key())
        if info.unique:
            guards.swap(old, action.item)
        if info.unique:
            # A create: no item there (it would keep its guards); else: its unique values
            # are still the ones loaded (another instance may have changed them).
            held = guards.unchanged(old)
            if held is None:
                held = info.path(info.partition_key).not_exists()
            action = Put(action.table, action.item, all_of(action.condition, held))
        if not guards.actions:
            yield from held_plan(info, put_plan(action)) if info.unique else put_plan(action)
        else:
            yield from unique_plan(info, action, guards, old is None)
        done()

    def _delete_plan(self, condition: ConditionArg) -> Plan[None]:
        action, done = self._delete(condition)
        info = self._info()
        guards = Guards(info, action.table, action.key)
        if info.unique:
            stored = stored_unique(self, info)
            guards.swap(stored or {f: getattr(self, f) for f in info.unique}, {})
            held = guards.unchanged(stored)
            action = Delete(action.table, action.key, all_of(action.condition, held))
        if guards.actions:
            yield from unique_plan(info, action, guards, False)
        else:
            yield from delete_plan(action)
        done()

    def _write_update(self, action: Update) -> Plan[None]:
        """Send an update of this instance and take the stored result; one that changes a
        ``Unique()`` field swaps its guards in one transaction, then reads the item back
        (consistently: a transaction returns no item)."""
        info = self._info()
        updates = action.updates or {}
        changed = [f for f in info.unique if f in updates]
        refuse_unique(info, "an atomic action", atomic_targets(action.atomic))
        if not changed:
            answered = yield from update_plan(action, _raw)
            if dry_run_state() is None:  # a dry run's answer holds no item to take
                self._adopt(answered)
            return
        stored = stored_unique(self, info)
        old = stored or {f: getattr(self, f) for f in info.unique}
        guards = Guards(info, action.table, action.key)
        guards.swap({f: old.get(f) for f in changed}, {f: updates[f] for f in changed})
        held = all_of(action.condition, guards.unchanged(stored))
        action = Update(action.table, action.key, action.updates, action.atomic, held)
        yield from unique_plan(info, action, guards, False)
        if dry_run_state() is not None:
            return  # nothing was stored: nothing to read back
        raw = yield from get_plan(Get(action.table, action.key), True, _raw)
        if raw is None:
            raise ResourceNotFoundException(
                f"{type(self).__name__} item {action.key} was deleted right after its update"
            )
        self._adopt(raw)

    def _update_plan(
        self: M,
        fields: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
    ) -> Plan[M]:
        action, _ = self._update(fields, atomic, condition)
        yield from self._write_update(action)
        self._hooks("after_update")
        return self

    def _refresh_plan(self: M) -> Plan[M]:
        key = self._key()
        raw = yield from get_plan(Get(self._table_name(), key), True, _raw)
        if raw is None or not self._owns(raw):
            raise ResourceNotFoundException(
                f"{type(self).__name__} item {key} is not in table {self._table_name()!r} "
                "(deleted since it was loaded, or never saved)"
            )
        self._adopt(raw)
        self._hooks("after_load")
        return self

    def _save_changes_plan(self, condition: ConditionArg) -> Plan[None]:
        info = self._info()
        when = checked_condition(condition)
        remembered(self, type(self).__name__)  # a new instance is refused before any hook
        self._hooks("before_save")
        updates = changed_fields(self, info, self._data())
        if not updates:
            return  # nothing differs from the stored item: nothing to send
        stamp_updates(info, updates, None)
        action, _ = self._existing_update(updates, None, when)
        yield from self._write_update(action)
        self._hooks("after_save")

    def _patch_plan(self: M, patch: BaseModel, condition: ConditionArg) -> Plan[M]:
        if not isinstance(patch, BaseModel):
            raise ValidationException(
                f"apply_patch takes a model from patch_model(), not {patch!r}"
            )
        fields = patch.model_dump(exclude_unset=True)
        if not fields:
            return self  # nothing was sent: nothing to change, nothing to send
        return (yield from self._update_plan(fields, None, condition))

    @classmethod
    def _update_by_key_plan(
        cls: type[M],
        values: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
        version: int | None,
    ) -> Plan[M]:
        info = cls._info()
        names = cls._key_arguments()
        key = cls._key_from({k: v for k, v in values.items() if k in names})
        fields = {k: v for k, v in values.items() if k not in names}
        refuse_unique(info, "update_by_key", list(fields))
        refuse_unique(info, "an atomic action", atomic_targets(atomic))
        updates = cls._validated_updates(fields, atomic=atomic)
        guard = cls._given_version(version)
        if guard is not None and info.version is not None:
            updates[info.version] = (version or 0) + 1
        when = all_of(checked_condition(condition), cls._stored_check(), guard)
        action = Update(cls._table_name(), key, updates, atomic, when)
        if dry_run_state() is not None:  # the answer holds only the key: a sketch of it
            answered = yield from update_plan(action, _raw)
            sketch: M = cls.model_construct(**deserialize_item(answered))
            return sketch
        return (yield from update_plan(action, cls._loaded))

    @classmethod
    def _given_version(cls, version: int | None) -> Condition | None:
        """The condition a ``version=`` argument of the by-key methods puts on the write."""
        if version is None:
            return None
        info = cls._info()
        if info.version is None:
            raise ValidationException(f"{cls.__name__} has no Version() field")
        return info.path(info.version) == version

    @classmethod
    def _delete_by_key_plan(
        cls, key: Mapping[str, Any], condition: ConditionArg, version: int | None
    ) -> Plan[None]:
        when = all_of(checked_condition(condition), cls._given_version(version))
        refuse_unique(cls._info(), "delete_by_key")
        return delete_plan(Delete(cls._table_name(), cls._key_from(key), when))

    @classmethod
    def _batch_get_plan(
        cls: type[M], keys: Iterable[Mapping[str, Any]], consistent_read: bool
    ) -> Plan[list[M]]:
        wanted = [cls._key_from(key) for key in keys]
        retry = cls._client().batch_retry
        items = yield from batch_get_plan(cls._table_name(), wanted, retry, consistent_read)
        info = cls._info()
        if info.discriminator is not None:  # an item of another entity is not one of these
            items = [item for item in items if item.get(info.discriminator) == info.entity]
        return [cls._from_data(item) for item in items]

    # -- tables ---------------------------------------------------------------------------

    @classmethod
    def _create_table_plan(cls, wait: bool) -> Plan[None]:
        info = cls._info()

        def spec(of: ModelInfo, name: str | None) -> tuple[str, Any] | None:
            return (name, of.attribute_type(name, optional_ok=True)) if name else None

        def specs_of(of: ModelInfo, names: tuple[str, ...]) -> Any:
            pairs = [spec(of, name) for name in names]
            return pairs[0] if len(pairs) == 1 else (tuple(pairs) or None)

        specs: dict[str, list[IndexSpec]] = {"global": [], "local": []}
        for of, index in cls._table_indexes():
            specs[index.kind].append(
                IndexSpec(
                    index.index_name,
                    partition_key=specs_of(of, index.partition_keys),
                    sort_key=specs_of(of, index.sort_keys),
                    projection=index.projection,
                )
            )
        request = create_table_request(
            cls._table_name(),
            (info.partition_key, info.attribute_type(info.partition_key, optional_ok=False)),
            (info.sort_key, info.attribute_type(info.sort_key, optional_ok=False))
            if info.sort_key
            else None,
            specs["global"],
            specs["local"],
            "PAY_PER_REQUEST",
            None,
            None,
        )
        cls._client()._forget_keys(cls._table_name())
        return create_table_plan(request, info.ttl, wait, 300.0)

    @classmethod
    def _table_indexes(cls) -> list[tuple[ModelInfo, _Index]]:
        """The indexes of the table: the model's own and inherited ones, and those its
        subclasses in the same table declare (the entities of a base), once each; one name
        declared twice with other keys is refused."""
        table = cls._info().table
        found: dict[str, tuple[ModelInfo, _Index]] = {}
        klasses: list[type] = [cls]
        while klasses:
            klass = klasses.pop(0)
            klasses.extend(klass.__subclasses__())
            info: ModelInfo | None = klass.__dict__.get("__dynamo__")
            if info is None or info.table != table:
                continue
            for index in info.indexes.values():
                shape = (index.kind, index.partition_keys, index.sort_keys, index.projection)
                prior = found.setdefault(index.index_name, (info, index))[1]
                if (prior.kind, prior.partition_keys, prior.sort_keys, prior.projection) != shape:
                    raise ModelDefinitionError(
                        f"index {index.index_name!r} of table {table!r} is declared twice with "
                        f"other keys ({prior!r}, {index!r})"
                    )
        return list(found.values())
