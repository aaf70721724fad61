"""The item operations as plans: GetItem, PutItem, UpdateItem, DeleteItem, and the
transactions TransactWriteItems and TransactGetItems.

Built once and shared: the client runs them with ``deserialize_item`` (plain dicts out), the
models with their own converters (validated model instances out). Each takes the action it
sends (``Get``, ``Put``, ``Update``, ``Delete``), so a transaction, a batch and a single
call describe one write the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from pydynox._protocol._actions import (
    Delete,
    Get,
    Put,
    Update,
    WriteAction,
    transact_get_request,
    transact_write_request,
)
from pydynox._protocol._plan import Call, Plan
from pydynox._protocol._requests import (
    delete_item_request,
    get_item_request,
    parse_item,
    put_item_request,
    update_actions,
    update_item_request,
)

__all__ = [
    "delete_plan",
    "get_plan",
    "put_plan",
    "transact_get_plan",
    "transact_write_plan",
    "update_plan",
]

T = TypeVar("T")
Convert = Callable[[dict[str, Any]], T]


def get_plan(get: Get, consistent_read: bool, convert: Convert[T]) -> Plan[T | None]:
    """The item, converted, or None when there is none."""
    response = yield Call("GetItem", get_item_request(get.table, get.key, consistent_read))
    raw = response.get("Item")
    return convert(raw) if raw else None


def put_plan(put: Put) -> Plan[None]:
    """Write a whole item."""
    yield Call("PutItem", put_item_request(put.table, put.item, put.condition))


def update_plan(update: Update, convert: Convert[T]) -> Plan[T]:
    """Apply the update; the item as stored afterwards (ReturnValues=ALL_NEW), converted."""
    actions = update_actions(update.key, update.updates, update.atomic)
    request = update_item_request(update.table, update.key, actions, update.condition)
    response = yield Call("UpdateItem", request)
    return convert(response.get("Attributes") or {})


def delete_plan(delete: Delete) -> Plan[None]:
    """Delete an item (a missing item is not an error)."""
    yield Call("DeleteItem", delete_item_request(delete.table, delete.key, delete.condition))


def transact_write_plan(actions: Iterable[WriteAction]) -> Plan[None]:
    """Apply every action, or none of them."""
    yield Call("TransactWriteItems", transact_write_request(actions))


def transact_get_plan(gets: Iterable[Get]) -> Plan[list[dict[str, Any] | None]]:
    """The items as one snapshot, in order; None for a missing one."""
    response = yield Call("TransactGetItems", transact_get_request(gets))
    return [parse_item(answer.get("Item")) for answer in response.get("Responses", [])]
