"""DynamoMixin and Model: pydantic models that read and write themselves in DynamoDB.

The public methods are written once, async: each hands a model plan (``_plans``) to the
model's client. Their ``sync_`` twins below are generated from them by ``scripts/twins.py``
(``python scripts/twins.py --check`` fails on drift), so the two cannot differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from pydynox._protocol._tables import delete_table_plan, table_exists_plan
from pydynox.client._results import QueryResult, SyncQueryResult
from pydynox.exceptions import ValidationException
from pydynox.expressions import Attr, UpdateAction
from pydynox.models._conditions import ConditionArg
from pydynox.models._index import ScanOptions
from pydynox.models._patch import patch_model_of
from pydynox.models._plans import _Plans

if TYPE_CHECKING:
    from typing_extensions import Unpack


__all__ = ["DynamoMixin", "Model", "path"]

M = TypeVar("M", bound="DynamoMixin")


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


class DynamoMixin(_Plans):
    """DynamoDB persistence for a pydantic model: ``class User(DynamoMixin, MyBase)``."""

    @classmethod
    async def get(cls: type[M], consistent_read: bool = False, **key: Any) -> M | None:
        """The item with this key as a model, or None: ``await User.get(pk=..., sk=...)``."""
        return await cls._client()._run(cls._get_plan(key, consistent_read))

    async def save(self, condition: ConditionArg = None) -> None:
        """Write the whole item (PutItem); attributes the model does not declare are replaced."""
        await self._client()._run(self._save_plan(condition))

    async def delete(self, condition: ConditionArg = None) -> None:
        """Delete this item."""
        await self._client()._run(self._delete_plan(condition))

    async def refresh(self: M) -> M:
        """Reload this instance in place from the table (a consistent GetItem), running its
        after_load hooks; ``ResourceNotFoundException`` if the item is no longer there."""
        return await self._client()._run(self._refresh_plan())

    async def save_changes(self, condition: ConditionArg = None) -> None:
        """Write the fields changed since the instance was loaded or saved (one UpdateItem;
        nothing is sent when none changed). The item must exist; the version is checked."""
        await self._client()._run(self._save_changes_plan(condition))

    async def update(
        self: M,
        atomic: Sequence[UpdateAction] | None = None,
        condition: ConditionArg = None,
        **fields: Any,
    ) -> M:
        """Change fields with one UpdateItem (None removes) and refresh from the stored result."""
        return await self._client()._run(self._update_plan(fields, atomic, condition))

    async def apply_patch(self: M, patch: BaseModel, condition: ConditionArg = None) -> M:
        """Apply a ``patch_model()`` body with one UpdateItem touching only the fields sent."""
        return await self._client()._run(self._patch_plan(patch, condition))

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
        return await cls._client()._run(plan)

    @classmethod
    async def delete_by_key(
        cls, condition: ConditionArg = None, version: int | None = None, **key: Any
    ) -> None:
        """Delete the item with this key without loading it."""
        await cls._client()._run(cls._delete_by_key_plan(key, condition, version))

    @classmethod
    async def batch_get(
        cls: type[M], keys: Iterable[Mapping[str, Any]], consistent_read: bool = False
    ) -> list[M]:
        """The items of any number of keys, in key order; missing ones are left out."""
        return await cls._client()._run(cls._batch_get_plan(keys, consistent_read))

    @classmethod
    def query(
        cls: type[M],
        partition_key: Any = None,
        *,
        sort_key_condition: ConditionArg = None,
        filter_condition: ConditionArg = None,
        limit: int | None = None,
        page_size: int | None = None,
        scan_index_forward: bool = True,
        consistent_read: bool | None = None,
        last_evaluated_key: Mapping[str, Any] | None = None,
        **key_fields: Any,
    ) -> QueryResult[M]:
        """Items of one partition: ``async for user in User.query(partition_key=...)``; an
        entity's partition by its template's fields: ``Order.query(user_id="1")``."""
        reader = cls._query_reader(
            None,
            partition_key,
            key_fields,
            sort_key_condition,
            filter_condition,
            limit,
            page_size,
            scan_index_forward,
            consistent_read,
            last_evaluated_key,
        )
        return cls._client()._results(reader)

    @classmethod
    def scan(cls: type[M], **options: Unpack[ScanOptions]) -> QueryResult[M]:
        """Every item of the table, optionally filtered or in parallel segments."""
        return cls._client()._results(cls._scan_reader(None, **options))

    @classmethod
    async def count(
        cls,
        partition_key: Any = None,
        filter_condition: ConditionArg = None,
        consistent_read: bool | None = None,
        **key_fields: Any,
    ) -> int:
        """How many items match: a Query with a partition key (or an entity's template
        fields), else a Scan (Select=COUNT)."""
        plan = cls._count_plan(partition_key, filter_condition, consistent_read, key_fields)
        return await cls._client()._run(plan)

    @classmethod
    async def create_table(cls, wait: bool = True) -> None:
        """Create the table: keys, both index kinds, TTL on the TTL() field; waits until ACTIVE."""
        await cls._client()._run(cls._create_table_plan(wait))

    @classmethod
    async def table_exists(cls) -> bool:
        """Whether the model's table exists."""
        return await cls._client()._run(table_exists_plan(cls._table_name()))

    @classmethod
    async def delete_table(cls, wait: bool = True) -> None:
        """Delete the model's table."""
        await cls._client()._run(delete_table_plan(cls._table_name(), wait))

    # -- sync twins: generated by scripts/twins.py from the methods above; do not edit ----

    @classmethod
    def sync_get(cls: type[M], consistent_read: bool = False, **key: Any) -> M | None:
        """The item with this key as a model, or None: ``User.sync_get(pk=..., sk=...)``."""
        return cls._client()._sync_run(cls._get_plan(key, consistent_read))

    def sync_save(self, condition: ConditionArg = None) -> None:
        """Write the whole item (PutItem); attributes the model does not declare are replaced."""
        self._client()._sync_run(self._save_plan(condition))

    def sync_delete(self, condition: ConditionArg = None) -> None:
        """Delete this item."""
        self._client()._sync_run(self._delete_plan(condition))

    def sync_refresh(self: M) -> M:
        """Reload this instance in place from the table (a consistent GetItem), running its
        after_load hooks; ``ResourceNotFoundException`` if the item is no longer there."""
        return self._client()._sync_run(self._refresh_plan())

    def sync_save_changes(self, condition: ConditionArg = None) -> None:
        """Write the fields changed since the instance was loaded or saved (one UpdateItem;
        nothing is sent when none changed). The item must exist; the version is checked."""
        self._client()._sync_run(self._save_changes_plan(condition))

    def sync_update(
        self: M,
        atomic: Sequence[UpdateAction] | None = None,
        condition: ConditionArg = None,
        **fields: Any,
    ) -> M:
        """Change fields with one UpdateItem (None removes) and refresh from the stored result."""
        return self._client()._sync_run(self._update_plan(fields, atomic, condition))

    def sync_apply_patch(self: M, patch: BaseModel, condition: ConditionArg = None) -> M:
        """Apply a ``patch_model()`` body with one UpdateItem touching only the fields sent."""
        return self._client()._sync_run(self._patch_plan(patch, condition))

    @classmethod
    def sync_update_by_key(
        cls: type[M],
        atomic: Sequence[UpdateAction] | None = None,
        condition: ConditionArg = None,
        version: int | None = None,
        **values: Any,
    ) -> M:
        """Update the item with the key among ``values`` without loading it; returns it."""
        plan = cls._update_by_key_plan(values, atomic, condition, version)
        return cls._client()._sync_run(plan)

    @classmethod
    def sync_delete_by_key(
        cls, condition: ConditionArg = None, version: int | None = None, **key: Any
    ) -> None:
        """Delete the item with this key without loading it."""
        cls._client()._sync_run(cls._delete_by_key_plan(key, condition, version))

    @classmethod
    def sync_batch_get(
        cls: type[M], keys: Iterable[Mapping[str, Any]], consistent_read: bool = False
    ) -> list[M]:
        """The items of any number of keys, in key order; missing ones are left out."""
        return cls._client()._sync_run(cls._batch_get_plan(keys, consistent_read))

    @classmethod
    def sync_query(
        cls: type[M],
        partition_key: Any = None,
        *,
        sort_key_condition: ConditionArg = None,
        filter_condition: ConditionArg = None,
        limit: int | None = None,
        page_size: int | None = None,
        scan_index_forward: bool = True,
        consistent_read: bool | None = None,
        last_evaluated_key: Mapping[str, Any] | None = None,
        **key_fields: Any,
    ) -> SyncQueryResult[M]:
        """Items of one partition: ``for user in User.sync_query(partition_key=...)``; an
        entity's partition by its template's fields: ``Order.query(user_id="1")``."""
        reader = cls._query_reader(
            None,
            partition_key,
            key_fields,
            sort_key_condition,
            filter_condition,
            limit,
            page_size,
            scan_index_forward,
            consistent_read,
            last_evaluated_key,
        )
        return cls._client()._sync_results(reader)

    @classmethod
    def sync_scan(cls: type[M], **options: Unpack[ScanOptions]) -> SyncQueryResult[M]:
        """Every item of the table, optionally filtered or in parallel segments."""
        return cls._client()._sync_results(cls._scan_reader(None, **options))

    @classmethod
    def sync_count(
        cls,
        partition_key: Any = None,
        filter_condition: ConditionArg = None,
        consistent_read: bool | None = None,
        **key_fields: Any,
    ) -> int:
        """How many items match: a Query with a partition key (or an entity's template
        fields), else a Scan (Select=COUNT)."""
        plan = cls._count_plan(partition_key, filter_condition, consistent_read, key_fields)
        return cls._client()._sync_run(plan)

    @classmethod
    def sync_create_table(cls, wait: bool = True) -> None:
        """Create the table: keys, both index kinds, TTL on the TTL() field; waits until ACTIVE."""
        cls._client()._sync_run(cls._create_table_plan(wait))

    @classmethod
    def sync_table_exists(cls) -> bool:
        """Whether the model's table exists."""
        return cls._client()._sync_run(table_exists_plan(cls._table_name()))

    @classmethod
    def sync_delete_table(cls, wait: bool = True) -> None:
        """Delete the model's table."""
        cls._client()._sync_run(delete_table_plan(cls._table_name(), wait))

    # -- end of sync twins ----------------------------------------------------------------

    @classmethod
    def patch_model(cls, exclude: Iterable[str] = ()) -> type[BaseModel]:
        """A pydantic model of the fields a PATCH may change: every field but the keys, the
        version and ``exclude``, each optional. Fields left out of a body stay unset;
        ``null`` is accepted only where the model's field accepts None (and then removes
        the attribute); unknown fields are refused.

        ``UserPatch = User.patch_model()``, then ``await user.apply_patch(body)``."""
        return patch_model_of(cls, exclude)


class Model(DynamoMixin, BaseModel):
    """A pydantic model stored in DynamoDB: ``class User(Model)`` with a ``DynamoConfig``."""
