"""The item operations as plans: GetItem, PutItem, UpdateItem, DeleteItem, and the
transactions TransactWriteItems and TransactGetItems.

Built once and shared: the client runs them with ``deserialize_item`` (plain dicts out), the
models with their own converters (validated model instances out). Each takes the action it
sends (``Get``, ``Put``, ``Update``, ``Delete``), so a transaction, a batch and a single
call describe one write the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Literal, TypeVar, overload

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
    ReturnValues,
    ReturnValuesOnWrite,
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
Changed = Literal["ALL_NEW", "UPDATED_OLD", "UPDATED_NEW"]  # always an answer, maybe {}


def get_plan(get: Get, consistent_read: bool, convert: Convert[T]) -> Plan[T | None]:
    """The item, converted, or None when there is none; only the attributes of
    ``get.projection`` when it has one."""
    request = get_item_request(get.table, get.key, consistent_read, get.projection)
    response = yield Call("GetItem", request)
    raw = response.get("Item")
    return convert(raw) if raw else None


@overload
def put_plan(put: Put, return_values: Literal["NONE"] = "NONE") -> Plan[None]: ...
@overload
def put_plan(put: Put, return_values: ReturnValuesOnWrite) -> Plan[dict[str, Any] | None]: ...
def put_plan(put: Put, return_values: ReturnValuesOnWrite = "NONE") -> Plan[dict[str, Any] | None]:
    """Write a whole item. With ``return_values="ALL_OLD"``, the item it replaced (None when
    there was none); None otherwise."""
    request = put_item_request(put.table, put.item, put.condition, return_values)
    response = yield Call("PutItem", request)
    return _old_item(response, return_values)


@overload
def update_plan(
    update: Update, convert: Convert[T], return_values: Changed = "ALL_NEW"
) -> Plan[T]: ...
@overload
def update_plan(
    update: Update, convert: Convert[T], return_values: ReturnValues
) -> Plan[T | None]: ...
def update_plan(
    update: Update, convert: Convert[T], return_values: ReturnValues = "ALL_NEW"
) -> Plan[T | None]:
    """Apply the update and hand back, converted, what ``return_values`` asks for: the item
    as stored afterwards (ALL_NEW, the default) or before (ALL_OLD: None when there was no
    item), or only the attributes it changed, as they are afterwards (UPDATED_NEW) or were
    before (UPDATED_OLD): ``{}`` converted when there are none. NONE: None."""
    actions = update_actions(update.key, update.updates, update.atomic)
    request = update_item_request(
        update.table, update.key, actions, update.condition, return_values
    )
    response = yield Call("UpdateItem", request)
    raw = response.get("Attributes")
    if return_values == "NONE" or (return_values == "ALL_OLD" and not raw):
        return None
    return convert(raw or {})


@overload
def delete_plan(delete: Delete, return_values: Literal["NONE"] = "NONE") -> Plan[None]: ...
@overload
def delete_plan(
    delete: Delete, return_values: ReturnValuesOnWrite
) -> Plan[dict[str, Any] | None]: ...
def delete_plan(
    delete: Delete, return_values: ReturnValuesOnWrite = "NONE"
) -> Plan[dict[str, Any] | None]:
    """Delete an item (a missing item is not an error). With ``return_values="ALL_OLD"``,
    the item it deleted (None when there was none); None otherwise."""
    request = delete_item_request(delete.table, delete.key, delete.condition, return_values)
    response = yield Call("DeleteItem", request)
    return _old_item(response, return_values)


def _old_item(
    response: dict[str, Any], return_values: ReturnValuesOnWrite
) -> dict[str, Any] | None:
    return parse_item(response.get("Attributes")) if return_values == "ALL_OLD" else None


def transact_write_plan(actions: Iterable[WriteAction]) -> Plan[None]:
    """Apply every action, or none of them."""
    yield Call("TransactWriteItems", transact_write_request(actions))


def transact_get_plan(gets: Iterable[Get]) -> Plan[list[dict[str, Any] | None]]:
    """The items as one snapshot, in order; None for a missing one."""
    response = yield Call("TransactGetItems", transact_get_request(gets))
    return [parse_item(answer.get("Item")) for answer in response.get("Responses", [])]
