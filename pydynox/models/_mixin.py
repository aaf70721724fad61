"""DynamoMixin and Model: pydantic models that read and write themselves in DynamoDB.

Every operation is one plan (see ``pydynox._protocol._plan``) built by a ``_*_plan`` method;
the async method runs it on the aioboto3 transport and its ``sync_`` twin on the boto3
transport, so the two cannot drift. Rules the plans keep:

- ``save()`` is a full PutItem: attributes the model does not declare are replaced (kept only
  by ``extra="allow"`` models, which write their extras back).
- ``update(**fields)`` validates the values as pydantic assignment would, sends one
  UpdateItem (None removes an attribute) and refreshes the instance from the stored result
  (ReturnValues=ALL_NEW), never with a second read. It requires the item to exist.
- A ``Version()`` field conditions every write on the stored version and increments it.
- Hooks run in declaration order; a raising ``before_*`` hook stops the operation before
  anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Generic, TypedDict, TypeVar

from pydantic import BaseModel, ConfigDict, Field, create_model

from pydynox._protocol._actions import ConditionCheck, Delete, Put, Update
from pydynox._protocol._batch import batch_get_plan
from pydynox._protocol._paging import count_plan
from pydynox._protocol._plan import Call, Plan
from pydynox._protocol._requests import (
    delete_item_request,
    get_item_request,
    put_item_request,
    read_request,
    update_actions,
    update_item_request,
)
from pydynox._protocol._tables import (
    IndexSpec,
    create_table_plan,
    create_table_request,
    delete_table_plan,
    table_exists_plan,
)
from pydynox._transport._drivers import run_async, run_sync
from pydynox._values._codec import deserialize_item, serialize_value
from pydynox.client._client import DynamoDBClient, get_default_client
from pydynox.client._results import QueryResult, Reader, SyncQueryResult
from pydynox.exceptions import ModelDefinitionError, ValidationException
from pydynox.expressions import Attr, Condition, UpdateAction
from pydynox.models._info import (
    DynamoMeta,
    ModelInfo,
    _to_epoch,
    nested_nones_dropped,
    storable,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from pydynox.models._declarations import _Index

__all__ = ["BoundIndex", "DynamoMixin", "Model", "path"]

M = TypeVar("M", bound="DynamoMixin")
T = TypeVar("T")

ConditionArg = Condition | bool | None
"""``condition=`` takes a Condition. ``bool`` is admitted for type checkers only, which see
``User.age > 3`` as a bool; a real bool is refused at run time."""


class ScanOptions(TypedDict, total=False):
    """Keyword options of ``scan`` (all optional)."""

    filter_condition: ConditionArg
    limit: int | None
    page_size: int | None
    consistent_read: bool | None
    last_evaluated_key: Mapping[str, Any] | None
    segment: int | None
    total_segments: int | None


class QueryOptions(TypedDict, total=False):
    """Keyword options of ``query`` (all optional): ``limit`` caps the items returned,
    ``page_size`` is DynamoDB's per-request Limit."""

    sort_key_condition: ConditionArg
    filter_condition: ConditionArg
    limit: int | None
    page_size: int | None
    scan_index_forward: bool
    consistent_read: bool | None
    last_evaluated_key: Mapping[str, Any] | None


def path(field: Any) -> Attr:
    """``User.age`` typed as the attribute path it is: ``path(User.age).add(1)``.

    At run time class-level field access already gives an ``Attr``; type checkers see the
    field's type instead, so wrap it in ``path()`` to call ``.add``, ``.begins_with``...
    """
    if not isinstance(field, Attr):
        raise ValidationException(
            f"path() takes a model field accessed on the class (User.age), not {field!r}"
        )
    return field


def _condition(condition: ConditionArg) -> Condition | None:
    if condition is None or isinstance(condition, Condition):
        return condition
    raise ValidationException(
        f"condition must be built from attribute paths (User.age > 3), not {condition!r}"
    )


def _and(*conditions: Condition | None) -> Condition | None:
    result: Condition | None = None
    for condition in conditions:
        if condition is not None:
            result = condition if result is None else result & condition
    return result


class DynamoMixin(metaclass=DynamoMeta):
    """DynamoDB persistence for a pydantic model: ``class User(DynamoMixin, MyBase)``."""

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
    def _versioned(cls) -> bool:
        return cls._info().version is not None

    # -- conversion -----------------------------------------------------------------------

    def _data(self) -> dict[str, Any]:
        """The item as plain Python values (pre-codec), TTL as epoch seconds."""
        info = self._info()
        dumped = self.model_dump(mode="python", exclude=info.computed)  # type: ignore[attr-defined]
        data: dict[str, Any] = storable(nested_nones_dropped(self, dumped))  # type: ignore[arg-type]
        if info.ttl is not None and data.get(info.ttl) is not None:
            data[info.ttl] = _to_epoch(data[info.ttl])
        info.check_key_values(data)
        return data

    def _key(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in self._info().key_names}

    @classmethod
    def _key_from(cls, values: Mapping[str, Any], what: str = "key") -> dict[str, Any]:
        info = cls._info()
        names = info.key_names
        if len(values) != len(names) or not all(name in values for name in names):
            unknown = sorted(set(values) - set(names))
            missing = [name for name in names if name not in values]
            raise ValidationException(
                f"{cls.__name__} {what} takes {', '.join(info.key_names)}"
                + (f"; unknown: {', '.join(unknown)}" if unknown else "")
                + (f"; missing: {', '.join(missing)}" if missing else "")
            )
        # Every request builder serializes the key with check_key: not done twice here.
        return {name: info.storage_value(name, values[name]) for name in info.key_names}

    @classmethod
    def _from_data(cls: type[M], data: dict[str, Any]) -> M:
        """A model from stored attributes, then its after_load hooks."""
        instance = cls._validate(data)
        instance._hooks("after_load")
        return instance

    @classmethod
    def _validate(cls: type[M], data: dict[str, Any]) -> M:
        """A model from stored attributes, which are named by field (never by alias):
        pydantic's validation, once per item (what ``model_validate`` runs, without its
        wrapper)."""
        instance: M = cls.__pydantic_validator__.validate_python(data, by_alias=False, by_name=True)
        return instance

    @classmethod
    def _from_item(cls: type[M], raw: dict[str, Any]) -> M:
        return cls._from_data(deserialize_item(raw))

    def _adopt(self, fresh: DynamoMixin) -> None:
        """Take the state of ``fresh`` (the stored result) in place."""
        object.__setattr__(self, "__dict__", fresh.__dict__)
        object.__setattr__(self, "__pydantic_extra__", fresh.__pydantic_extra__)  # type: ignore[attr-defined]
        object.__setattr__(self, "__pydantic_fields_set__", fresh.__pydantic_fields_set__)  # type: ignore[attr-defined]

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
        action = Put(self._table_name(), data, _and(_condition(condition), guard))

        def done() -> None:
            self._set_version(version)
            self._hooks("after_save")

        return action, done

    def _delete_action(self, condition: ConditionArg) -> tuple[Delete, Callable[[], None]]:
        info = self._info()
        self._hooks("before_delete")
        version_path = info.path(info.version) if info.version else None
        guard, _ = self._version_guard(version_path.not_exists() if version_path else None)
        action = Delete(self._table_name(), self._key(), _and(_condition(condition), guard))

        def done() -> None:
            if info.version is not None:
                self._set_version(0)  # no longer stored: a later save creates it anew
            self._hooks("after_delete")

        return action, done

    def _update_action(
        self,
        fields: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
    ) -> tuple[Update, Callable[[], None]]:
        info = self._info()
        self._hooks("before_update")
        updates = self._validated_updates(fields, instance=self)
        version_path = info.path(info.version) if info.version else None
        guard, version = self._version_guard(version_path.not_exists() if version_path else None)
        if version is not None:
            updates[info.version or ""] = version
        exists = info.path(info.partition_key).exists()
        action = Update(
            self._table_name(),
            self._key(),
            updates,
            atomic,
            _and(_condition(condition), exists, guard),
        )

        def done() -> None:
            self._set_version(version)
            self._hooks("after_update")

        return action, done

    def _check_action(self, condition: ConditionArg) -> ConditionCheck:
        checked = _condition(condition)
        if checked is None:
            raise ValidationException("condition_check needs a condition")
        return ConditionCheck(self._table_name(), self._key(), checked)

    @classmethod
    def _validated_updates(
        cls, fields: Mapping[str, Any], instance: DynamoMixin | None = None
    ) -> dict[str, Any]:
        """Field values validated like pydantic assignment, in their stored form."""
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
        if instance is not None:
            draft = instance.model_copy()  # type: ignore[attr-defined]
            for name, value in fields.items():
                cls.__pydantic_validator__.validate_assignment(draft, name, value)
            dumped: dict[str, Any] = draft.model_dump(mode="python", include=set(fields))
            nested_nones_dropped(draft, dumped)
            if info.ttl in dumped and dumped[info.ttl] is not None:
                dumped[info.ttl] = _to_epoch(dumped[info.ttl])
            updates = {name: storable(dumped[name]) for name in fields}
        else:
            updates = {name: info.storage_value(name, value) for name, value in fields.items()}
        info.check_key_values(updates)
        return updates

    # -- plans ----------------------------------------------------------------------------

    @classmethod
    def _get_plan(cls: type[M], key: Mapping[str, Any], consistent_read: bool) -> Plan[M | None]:
        request = get_item_request(cls._table_name(), cls._key_from(key), consistent_read)
        response = yield Call("GetItem", request)
        raw = response.get("Item")
        return cls._from_item(raw) if raw else None

    def _save_plan(self, condition: ConditionArg) -> Plan[None]:
        action, done = self._put_action(condition)
        yield Call("PutItem", put_item_request(action.table, action.item, action.condition))
        done()

    def _delete_plan(self, condition: ConditionArg) -> Plan[None]:
        action, done = self._delete_action(condition)
        yield Call("DeleteItem", delete_item_request(action.table, action.key, action.condition))
        done()

    def _update_plan(
        self: M,
        fields: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
    ) -> Plan[M]:
        action, _ = self._update_action(fields, atomic, condition)
        actions = update_actions(action.key, action.updates, action.atomic)
        request = update_item_request(action.table, action.key, actions, action.condition)
        response = yield Call("UpdateItem", request)
        self._adopt(type(self)._validate(deserialize_item(response["Attributes"])))
        self._hooks("after_update")
        return self

    @classmethod
    def _update_by_key_plan(
        cls: type[M],
        values: Mapping[str, Any],
        atomic: Sequence[UpdateAction] | None,
        condition: ConditionArg,
        version: int | None,
    ) -> Plan[M]:
        info = cls._info()
        key = cls._key_from({k: v for k, v in values.items() if k in info.key_names})
        fields = {k: v for k, v in values.items() if k not in info.key_names}
        updates = cls._validated_updates(fields)
        guard = cls._given_version(version)
        if guard is not None and info.version is not None:
            updates[info.version] = (version or 0) + 1
        exists = info.path(info.partition_key).exists()
        actions = update_actions(key, updates, atomic)
        request = update_item_request(
            cls._table_name(), key, actions, _and(_condition(condition), exists, guard)
        )
        response = yield Call("UpdateItem", request)
        return cls._validate(deserialize_item(response["Attributes"]))

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
        request = delete_item_request(
            cls._table_name(),
            cls._key_from(key),
            _and(_condition(condition), cls._given_version(version)),
        )
        yield Call("DeleteItem", request)

    @classmethod
    def _batch_get_plan(
        cls: type[M], keys: Iterable[Mapping[str, Any]], consistent_read: bool
    ) -> Plan[list[M]]:
        client = cls._client()
        wanted = [cls._key_from(key) for key in keys]
        items = yield from batch_get_plan(
            cls._table_name(), wanted, client.batch_retry, consistent_read
        )
        return [cls._from_data(item) for item in items]

    @classmethod
    def _reader(
        cls: type[M],
        op: str,
        params: dict[str, Any],
        index: _Index | None,
        scope: object,
        filtered: bool,
        limit: int | None,
        page_size: int | None,
        start_key: Mapping[str, Any] | None,
    ) -> Reader[M]:
        info = cls._info()
        names = info.key_names
        if index is not None:
            extra = (index.partition_key or info.partition_key, index.sort_key)
            names = tuple(dict.fromkeys([*names, *(n for n in extra if n)]))
        client = cls._client()
        return Reader(
            op,
            params,
            cls._from_item,
            repr((op, params["TableName"], params.get("IndexName"), scope)),
            limit=limit,
            page_size=page_size,
            start_key=start_key,
            filtered=filtered,
            key_names=names,
            secret=client._cursor_secret,
            known_keys=client._key_names,
        )

    @classmethod
    def _partition_value(cls, key_name: str, value: Any) -> Any:
        """A query's partition key value as stored; an empty one is refused before sending
        (DynamoDB refuses empty strings and bytes in table and index keys)."""
        info = cls._info()
        stored = info.storage_value(key_name, value)
        info.check_key_values({key_name: stored})
        return stored

    @classmethod
    def _check_consistent_read(cls, index: _Index | None, consistent_read: bool | None) -> None:
        if consistent_read and index is not None and index.kind == "global":
            raise ValidationException(
                f"{cls.__name__}.{index.attribute} is a global secondary index: DynamoDB offers "
                "no consistent reads on global secondary indexes"
            )

    @classmethod
    def _query_reader(
        cls: type[M],
        index: _Index | None,
        partition_key: Any,
        sort_key_condition: ConditionArg = None,
        filter_condition: ConditionArg = None,
        limit: int | None = None,
        page_size: int | None = None,
        scan_index_forward: bool = True,
        consistent_read: bool | None = None,
        last_evaluated_key: Mapping[str, Any] | None = None,
    ) -> Reader[M]:
        info = cls._info()
        key_name = index.partition_key if index and index.partition_key else info.partition_key
        cls._check_consistent_read(index, consistent_read)
        stored = cls._partition_value(key_name, partition_key)
        key_condition = info.path(key_name) == partition_key
        sort = _condition(sort_key_condition)
        filter_expression = _condition(filter_condition)
        params = read_request(
            cls._table_name(),
            key_condition=key_condition if sort is None else key_condition & sort,
            filter_expression=filter_expression,
            index_name=index.index_name if index else None,
            consistent_read=bool(consistent_read),
            scan_index_forward=scan_index_forward,
        )
        # A cursor is bound to the partition: the key value as stored.
        scope = serialize_value(stored, key_name)
        return cls._reader(
            "Query",
            params,
            index,
            scope,
            filter_expression is not None,
            limit,
            page_size,
            last_evaluated_key,
        )

    @classmethod
    def _scan_reader(
        cls: type[M],
        index: _Index | None,
        filter_condition: ConditionArg = None,
        limit: int | None = None,
        page_size: int | None = None,
        consistent_read: bool | None = None,
        last_evaluated_key: Mapping[str, Any] | None = None,
        segment: int | None = None,
        total_segments: int | None = None,
    ) -> Reader[M]:
        cls._check_consistent_read(index, consistent_read)
        filter_expression = _condition(filter_condition)
        params = read_request(
            cls._table_name(),
            filter_expression=filter_expression,
            index_name=index.index_name if index else None,
            consistent_read=bool(consistent_read),
            segment=segment,
            total_segments=total_segments,
        )
        return cls._reader(
            "Scan",
            params,
            index,
            (segment, total_segments),
            filter_expression is not None,
            limit,
            page_size,
            last_evaluated_key,
        )

    @classmethod
    def _count_plan(
        cls, partition_key: Any, filter_condition: ConditionArg, consistent_read: bool | None
    ) -> Plan[int]:
        info = cls._info()
        if partition_key is not None:
            cls._partition_value(info.partition_key, partition_key)
        key_condition = (
            None if partition_key is None else info.path(info.partition_key) == partition_key
        )
        params = read_request(
            cls._table_name(),
            key_condition=key_condition,
            filter_expression=_condition(filter_condition),
            consistent_read=bool(consistent_read),
        )
        return count_plan("Scan" if key_condition is None else "Query", params)

    @classmethod
    def _create_table_plan(cls, wait: bool) -> Plan[None]:
        info = cls._info()
        partition = (info.partition_key, info.attribute_type(info.partition_key, optional_ok=False))
        sort = None
        if info.sort_key is not None:
            sort = (info.sort_key, info.attribute_type(info.sort_key, optional_ok=False))
        specs: dict[str, list[IndexSpec]] = {"global": [], "local": []}
        for index in info.indexes.values():
            specs[index.kind].append(
                IndexSpec(
                    index.index_name,
                    partition_key=(
                        (
                            index.partition_key,
                            info.attribute_type(index.partition_key, optional_ok=True),
                        )
                        if index.partition_key
                        else None
                    ),
                    sort_key=(
                        (index.sort_key, info.attribute_type(index.sort_key, optional_ok=True))
                        if index.sort_key
                        else None
                    ),
                    projection=index.projection,
                )
            )
        request = create_table_request(
            cls._table_name(),
            partition,
            sort,
            specs["global"],
            specs["local"],
            "PAY_PER_REQUEST",
            None,
            None,
        )
        cls._client()._key_names.pop(cls._table_name(), None)
        return create_table_plan(request, info.ttl, wait, 300.0)

    # -- the public API: async methods and their sync_ twins ------------------------------

    @classmethod
    async def get(cls: type[M], consistent_read: bool = False, **key: Any) -> M | None:
        """The item with this key as a model, or None: ``await User.get(pk=..., sk=...)``."""
        return await run_async(cls._get_plan(key, consistent_read), cls._client()._async)

    @classmethod
    def sync_get(cls: type[M], consistent_read: bool = False, **key: Any) -> M | None:
        return run_sync(cls._get_plan(key, consistent_read), cls._client()._sync)

    async def save(self, condition: ConditionArg = None) -> None:
        """Write the whole item (PutItem); attributes the model does not declare are replaced."""
        await run_async(self._save_plan(condition), self._client()._async)

    def sync_save(self, condition: ConditionArg = None) -> None:
        run_sync(self._save_plan(condition), self._client()._sync)

    async def delete(self, condition: ConditionArg = None) -> None:
        """Delete this item."""
        await run_async(self._delete_plan(condition), self._client()._async)

    def sync_delete(self, condition: ConditionArg = None) -> None:
        run_sync(self._delete_plan(condition), self._client()._sync)

    async def update(
        self: M,
        atomic: Sequence[UpdateAction] | None = None,
        condition: ConditionArg = None,
        **fields: Any,
    ) -> M:
        """Change fields with one UpdateItem (None removes) and refresh from the stored result."""
        return await run_async(self._update_plan(fields, atomic, condition), self._client()._async)

    def sync_update(
        self: M,
        atomic: Sequence[UpdateAction] | None = None,
        condition: ConditionArg = None,
        **fields: Any,
    ) -> M:
        return run_sync(self._update_plan(fields, atomic, condition), self._client()._sync)

    @classmethod
    def patch_model(cls, exclude: Iterable[str] = ()) -> type[BaseModel]:
        """A pydantic model of the fields a PATCH may change: every field but the keys, the
        version and ``exclude``, each optional. Fields left out of a body stay unset;
        ``null`` is accepted only where the model's field accepts None (and then removes
        the attribute); unknown fields are refused.

        ``UserPatch = User.patch_model()``, then ``await user.apply_patch(body)``."""
        info = cls._info()
        skipped = frozenset(exclude)
        unknown = skipped - set(info.fields)
        if unknown:
            raise ValidationException(f"{cls.__name__} has no field(s) {sorted(unknown)}")
        cache: dict[frozenset[str], type[BaseModel]] = cls.__dict__.get("__dynamo_patch__", {})
        if skipped in cache:
            return cache[skipped]
        fields: dict[str, Any] = {}
        for name, field in info.fields.items():
            if name in info.key_names or name == info.version or name in skipped:
                continue
            annotation: Any = field.annotation
            for constraint in field.metadata:  # nested Annotated flattens: keep constraints
                annotation = Annotated[annotation, constraint]
            fields[name] = (
                annotation,
                Field(None, alias=field.alias, description=field.description),
            )
        patch: type[BaseModel] = create_model(
            f"{cls.__name__}Patch", __config__=ConfigDict(extra="forbid"), **fields
        )
        type.__setattr__(cls, "__dynamo_patch__", {**cache, skipped: patch})
        return patch

    def _patch_plan(self: M, patch: BaseModel, condition: ConditionArg) -> Plan[M]:
        if not isinstance(patch, BaseModel):
            raise ValidationException(
                f"apply_patch takes a model from patch_model(), not {patch!r}"
            )
        fields = patch.model_dump(exclude_unset=True)
        if not fields:
            return self  # nothing was sent: nothing to change, nothing to send
        return (yield from self._update_plan(fields, None, condition))

    async def apply_patch(self: M, patch: BaseModel, condition: ConditionArg = None) -> M:
        """Apply a ``patch_model()`` body with one UpdateItem touching only the fields sent."""
        return await run_async(self._patch_plan(patch, condition), self._client()._async)

    def sync_apply_patch(self: M, patch: BaseModel, condition: ConditionArg = None) -> M:
        return run_sync(self._patch_plan(patch, condition), self._client()._sync)

    @classmethod
    async def update_by_key(
        cls: type[M],
        atomic: Sequence[UpdateAction] | None = None,
        condition: ConditionArg = None,
        version: int | None = None,
        **values: Any,
    ) -> M:
        """Update the item with the key among ``values`` without loading it; returns it."""
        plan = cls._update_by_key_plan(values, atomic, condition, version)
        return await run_async(plan, cls._client()._async)

    @classmethod
    def sync_update_by_key(
        cls: type[M],
        atomic: Sequence[UpdateAction] | None = None,
        condition: ConditionArg = None,
        version: int | None = None,
        **values: Any,
    ) -> M:
        return run_sync(
            cls._update_by_key_plan(values, atomic, condition, version), cls._client()._sync
        )

    @classmethod
    async def delete_by_key(
        cls, condition: ConditionArg = None, version: int | None = None, **key: Any
    ) -> None:
        """Delete the item with this key without loading it."""
        await run_async(cls._delete_by_key_plan(key, condition, version), cls._client()._async)

    @classmethod
    def sync_delete_by_key(
        cls, condition: ConditionArg = None, version: int | None = None, **key: Any
    ) -> None:
        run_sync(cls._delete_by_key_plan(key, condition, version), cls._client()._sync)

    @classmethod
    async def batch_get(
        cls: type[M], keys: Iterable[Mapping[str, Any]], consistent_read: bool = False
    ) -> list[M]:
        """The items of any number of keys, in key order; missing ones are left out."""
        return await run_async(cls._batch_get_plan(keys, consistent_read), cls._client()._async)

    @classmethod
    def sync_batch_get(
        cls: type[M], keys: Iterable[Mapping[str, Any]], consistent_read: bool = False
    ) -> list[M]:
        return run_sync(cls._batch_get_plan(keys, consistent_read), cls._client()._sync)

    @classmethod
    def query(cls: type[M], partition_key: Any, **options: Unpack[QueryOptions]) -> QueryResult[M]:
        """Items of one partition: ``async for user in User.query(partition_key=...)``."""
        return QueryResult(cls._client()._async, cls._query_reader(None, partition_key, **options))

    @classmethod
    def sync_query(
        cls: type[M], partition_key: Any, **options: Unpack[QueryOptions]
    ) -> SyncQueryResult[M]:
        return SyncQueryResult(
            cls._client()._sync, cls._query_reader(None, partition_key, **options)
        )

    @classmethod
    def scan(cls: type[M], **options: Unpack[ScanOptions]) -> QueryResult[M]:
        """Every item of the table, optionally filtered or in parallel segments."""
        return QueryResult(cls._client()._async, cls._scan_reader(None, **options))

    @classmethod
    def sync_scan(cls: type[M], **options: Unpack[ScanOptions]) -> SyncQueryResult[M]:
        return SyncQueryResult(cls._client()._sync, cls._scan_reader(None, **options))

    @classmethod
    async def count(
        cls,
        partition_key: Any = None,
        filter_condition: ConditionArg = None,
        consistent_read: bool | None = None,
    ) -> int:
        """How many items match: a Query with a partition key, else a Scan (Select=COUNT)."""
        plan = cls._count_plan(partition_key, filter_condition, consistent_read)
        return await run_async(plan, cls._client()._async)

    @classmethod
    def sync_count(
        cls,
        partition_key: Any = None,
        filter_condition: ConditionArg = None,
        consistent_read: bool | None = None,
    ) -> int:
        return run_sync(
            cls._count_plan(partition_key, filter_condition, consistent_read), cls._client()._sync
        )

    @classmethod
    async def create_table(cls, wait: bool = True) -> None:
        """Create the table: keys, both index kinds, TTL on the TTL() field; waits until ACTIVE."""
        await run_async(cls._create_table_plan(wait), cls._client()._async)

    @classmethod
    def sync_create_table(cls, wait: bool = True) -> None:
        run_sync(cls._create_table_plan(wait), cls._client()._sync)

    @classmethod
    async def table_exists(cls) -> bool:
        """Whether the model's table exists."""
        return await run_async(table_exists_plan(cls._table_name()), cls._client()._async)

    @classmethod
    def sync_table_exists(cls) -> bool:
        return run_sync(table_exists_plan(cls._table_name()), cls._client()._sync)

    @classmethod
    async def delete_table(cls, wait: bool = True) -> None:
        """Delete the model's table."""
        await run_async(delete_table_plan(cls._table_name(), wait), cls._client()._async)

    @classmethod
    def sync_delete_table(cls, wait: bool = True) -> None:
        run_sync(delete_table_plan(cls._table_name(), wait), cls._client()._sync)


class BoundIndex(Generic[M]):
    """A model's secondary index: ``User.by_email.query(partition_key=...)``."""

    def __init__(self, model: type[M], index: _Index) -> None:
        self.model = model
        self.index = index

    def __repr__(self) -> str:
        return f"{self.model.__name__}.{self.index.attribute} -> {self.index!r}"

    def query(self, partition_key: Any, **options: Unpack[QueryOptions]) -> QueryResult[M]:
        """Items whose index partition key equals ``partition_key``."""
        reader = self.model._query_reader(self.index, partition_key, **options)
        return QueryResult(self.model._client()._async, reader)

    def sync_query(self, partition_key: Any, **options: Unpack[QueryOptions]) -> SyncQueryResult[M]:
        reader = self.model._query_reader(self.index, partition_key, **options)
        return SyncQueryResult(self.model._client()._sync, reader)

    def scan(self, **options: Unpack[ScanOptions]) -> QueryResult[M]:
        """Every item in the index."""
        return QueryResult(
            self.model._client()._async, self.model._scan_reader(self.index, **options)
        )

    def sync_scan(self, **options: Unpack[ScanOptions]) -> SyncQueryResult[M]:
        return SyncQueryResult(
            self.model._client()._sync, self.model._scan_reader(self.index, **options)
        )


class Model(DynamoMixin, BaseModel):
    """A pydantic model stored in DynamoDB: ``class User(Model)`` with a ``DynamoConfig``."""
