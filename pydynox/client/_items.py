"""The client's item operations: single items, batches and transactions, plain dicts in and out.

Each async method hands a plan of ``pydynox._protocol`` to the client; its ``sync_`` twin is
generated below it by ``scripts/twins.py``. The single-item plans are the ones the models run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, overload

from pydynox._protocol._actions import Delete, Get, Put, Update, WriteAction
from pydynox._protocol._batch import batch_get_plan, batch_write_plan, delete_entry, put_entry
from pydynox._protocol._items import (
    delete_plan,
    get_plan,
    put_plan,
    transact_get_plan,
    transact_write_plan,
    update_plan,
)
from pydynox._protocol._requests import ReturnValues, ReturnValuesOnWrite
from pydynox._values._codec import deserialize_item
from pydynox.client._base import Item, Key, _ClientBase
from pydynox.expressions import Attr, Condition, UpdateAction

__all__ = ["_ItemOperations"]


class _ItemOperations(_ClientBase):
    async def get_item(
        self,
        table: str,
        key: Key,
        consistent_read: bool = False,
        projection: Sequence[str | Attr] | None = None,
    ) -> Item | None:
        """The item with this key, or None. ``projection``: the attribute paths to read
        (``["name", "address.city"]``); the item then holds only those."""
        get = Get(table, key, projection)
        return await self._run(get_plan(get, consistent_read, deserialize_item))

    @overload
    async def put_item(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: Condition | None = None,
        *,
        return_values: Literal["NONE"] = "NONE",
    ) -> None: ...
    @overload
    async def put_item(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite,
    ) -> Item | None: ...
    async def put_item(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite = "NONE",
    ) -> Item | None:
        """Write a whole item (None attributes and empty sets are left out).

        ``return_values="ALL_OLD"`` returns the item it replaced (None when there was none).
        """
        return await self._run(put_plan(Put(table, item, condition), return_values))

    @overload
    async def update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: Literal["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"] = "ALL_NEW",
    ) -> Item: ...
    @overload
    async def update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: Literal["ALL_OLD"],
    ) -> Item | None: ...
    @overload
    async def update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: Literal["NONE"],
    ) -> None: ...
    async def update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: ReturnValues = "ALL_NEW",
    ) -> Item | None:
        """Set ``updates`` (None removes) and apply ``atomic`` actions; returns the new item.

        ``return_values``: ``"ALL_OLD"`` the item before (None when there was none),
        ``"UPDATED_NEW"`` / ``"UPDATED_OLD"`` only the attributes the update changed, after /
        before (``{}`` when there are none), ``"NONE"`` None.
        """
        update = Update(table, key, updates, atomic, condition)
        return await self._run(update_plan(update, deserialize_item, return_values))

    @overload
    async def delete_item(
        self,
        table: str,
        key: Key,
        condition: Condition | None = None,
        *,
        return_values: Literal["NONE"] = "NONE",
    ) -> None: ...
    @overload
    async def delete_item(
        self,
        table: str,
        key: Key,
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite,
    ) -> Item | None: ...
    async def delete_item(
        self,
        table: str,
        key: Key,
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite = "NONE",
    ) -> Item | None:
        """Delete the item with this key (deleting a missing item is not an error).

        ``return_values="ALL_OLD"`` returns the item it deleted (None when there was none).
        """
        return await self._run(delete_plan(Delete(table, key, condition), return_values))

    async def batch_get(
        self, table: str, keys: Iterable[Key], consistent_read: bool = False
    ) -> list[Item]:
        """The items of any number of keys, in key order; missing items are left out."""
        return await self._run(batch_get_plan(table, keys, self.batch_retry, consistent_read))

    async def batch_write(
        self,
        table: str,
        put_items: Iterable[Mapping[str, Any]] = (),
        delete_keys: Iterable[Key] = (),
    ) -> None:
        """Put and delete any number of items, 25 per request, retrying unprocessed ones.

        Two writes to one key in one request collapse into the last (deletes come after
        puts). On giving up, or when cancelled or interrupted (then as the stop's
        ``__cause__``), ``BatchWriteError.unprocessed`` lists every write not known to be
        stored.
        """
        entries = [put_entry(table, item) for item in put_items]
        entries += [delete_entry(table, key) for key in delete_keys]
        await self._run(batch_write_plan(entries, self.batch_retry, self._key_names))

    async def transact_write(self, actions: Iterable[WriteAction]) -> None:
        """Apply Put/Update/Delete/ConditionCheck actions all together, or none of them."""
        await self._run(transact_write_plan(actions))

    async def transact_get(self, gets: Iterable[Get]) -> list[Item | None]:
        """Read up to 100 items as one snapshot; None stands for a missing item."""
        return await self._run(transact_get_plan(gets))

    # -- sync twins: generated by scripts/twins.py from the methods above; do not edit ----

    def sync_get_item(
        self,
        table: str,
        key: Key,
        consistent_read: bool = False,
        projection: Sequence[str | Attr] | None = None,
    ) -> Item | None:
        """The item with this key, or None. ``projection``: the attribute paths to read
        (``["name", "address.city"]``); the item then holds only those."""
        get = Get(table, key, projection)
        return self._sync_run(get_plan(get, consistent_read, deserialize_item))

    @overload
    def sync_put_item(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: Condition | None = None,
        *,
        return_values: Literal["NONE"] = "NONE",
    ) -> None: ...

    @overload
    def sync_put_item(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite,
    ) -> Item | None: ...

    def sync_put_item(
        self,
        table: str,
        item: Mapping[str, Any],
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite = "NONE",
    ) -> Item | None:
        """Write a whole item (None attributes and empty sets are left out).

        ``return_values="ALL_OLD"`` returns the item it replaced (None when there was none).
        """
        return self._sync_run(put_plan(Put(table, item, condition), return_values))

    @overload
    def sync_update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: Literal["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"] = "ALL_NEW",
    ) -> Item: ...

    @overload
    def sync_update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: Literal["ALL_OLD"],
    ) -> Item | None: ...

    @overload
    def sync_update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: Literal["NONE"],
    ) -> None: ...

    def sync_update_item(
        self,
        table: str,
        key: Key,
        updates: Mapping[str, Any] | None = None,
        atomic: Sequence[UpdateAction] | None = None,
        condition: Condition | None = None,
        *,
        return_values: ReturnValues = "ALL_NEW",
    ) -> Item | None:
        """Set ``updates`` (None removes) and apply ``atomic`` actions; returns the new item.

        ``return_values``: ``"ALL_OLD"`` the item before (None when there was none),
        ``"UPDATED_NEW"`` / ``"UPDATED_OLD"`` only the attributes the update changed, after /
        before (``{}`` when there are none), ``"NONE"`` None.
        """
        update = Update(table, key, updates, atomic, condition)
        return self._sync_run(update_plan(update, deserialize_item, return_values))

    @overload
    def sync_delete_item(
        self,
        table: str,
        key: Key,
        condition: Condition | None = None,
        *,
        return_values: Literal["NONE"] = "NONE",
    ) -> None: ...

    @overload
    def sync_delete_item(
        self,
        table: str,
        key: Key,
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite,
    ) -> Item | None: ...

    def sync_delete_item(
        self,
        table: str,
        key: Key,
        condition: Condition | None = None,
        *,
        return_values: ReturnValuesOnWrite = "NONE",
    ) -> Item | None:
        """Delete the item with this key (deleting a missing item is not an error).

        ``return_values="ALL_OLD"`` returns the item it deleted (None when there was none).
        """
        return self._sync_run(delete_plan(Delete(table, key, condition), return_values))

    def sync_batch_get(
        self, table: str, keys: Iterable[Key], consistent_read: bool = False
    ) -> list[Item]:
        """The items of any number of keys, in key order; missing items are left out."""
        return self._sync_run(batch_get_plan(table, keys, self.batch_retry, consistent_read))

    def sync_batch_write(
        self,
        table: str,
        put_items: Iterable[Mapping[str, Any]] = (),
        delete_keys: Iterable[Key] = (),
    ) -> None:
        """Put and delete any number of items, 25 per request, retrying unprocessed ones.

        Two writes to one key in one request collapse into the last (deletes come after
        puts). On giving up, or when cancelled or interrupted (then as the stop's
        ``__cause__``), ``BatchWriteError.unprocessed`` lists every write not known to be
        stored.
        """
        entries = [put_entry(table, item) for item in put_items]
        entries += [delete_entry(table, key) for key in delete_keys]
        self._sync_run(batch_write_plan(entries, self.batch_retry, self._key_names))

    def sync_transact_write(self, actions: Iterable[WriteAction]) -> None:
        """Apply Put/Update/Delete/ConditionCheck actions all together, or none of them."""
        self._sync_run(transact_write_plan(actions))

    def sync_transact_get(self, gets: Iterable[Get]) -> list[Item | None]:
        """Read up to 100 items as one snapshot; None stands for a missing item."""
        return self._sync_run(transact_get_plan(gets))

    # -- end of sync twins ----------------------------------------------------------------
