"""Write and read actions on one item: the parts of transactions and batches.

``Put``, ``Update``, ``Delete``, ``ConditionCheck`` and ``Get`` are plain values. A
transaction is a list of them; a failed batch write hands back the ``Put``/``Delete`` actions
it could not make, and a failed batch read the ``Get`` actions, so they can be resubmitted.
``transact_write_request`` and ``transact_get_request`` validate a list of actions and build
the request, refusing more than 100 actions or two actions on one item before sending.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydynox._protocol._requests import (
    Projection,
    delete_item_request,
    get_item_request,
    key_id,
    put_item_request,
    update_actions,
    update_item_request,
)
from pydynox._values._codec import AttributeValue, deserialize_item
from pydynox.exceptions import ValidationException
from pydynox.expressions import Condition, UpdateAction

__all__ = [
    "ConditionCheck",
    "Delete",
    "Get",
    "Put",
    "Update",
    "WriteAction",
    "transact_get_request",
    "transact_write_request",
]

MAX_TRANSACTION_ACTIONS = 100


@dataclass(frozen=True)
class Put:
    """Write a whole item."""

    table: str
    item: Mapping[str, Any]
    condition: Condition | None = None

    def request(self) -> dict[str, Any]:
        return {"Put": put_item_request(self.table, self.item, self.condition)}


@dataclass(frozen=True)
class Update:
    """Change some attributes of an item (``updates``: name -> value; None removes)."""

    table: str
    key: Mapping[str, Any]
    updates: Mapping[str, Any] | None = None
    atomic: Sequence[UpdateAction] | None = field(default=None)
    condition: Condition | None = None

    def request(self) -> dict[str, Any]:
        actions = update_actions(self.key, self.updates, self.atomic)
        params = update_item_request(self.table, self.key, actions, self.condition)
        del params["ReturnValues"]  # a transaction returns no attributes
        return {"Update": params}


@dataclass(frozen=True)
class Delete:
    """Delete an item."""

    table: str
    key: Mapping[str, Any]
    condition: Condition | None = None

    def request(self) -> dict[str, Any]:
        return {"Delete": delete_item_request(self.table, self.key, self.condition)}


@dataclass(frozen=True)
class ConditionCheck:
    """Require a condition on an item without changing it."""

    table: str
    key: Mapping[str, Any]
    condition: Condition

    def request(self) -> dict[str, Any]:
        if not isinstance(self.condition, Condition):
            raise ValidationException("ConditionCheck needs a condition")
        params = delete_item_request(self.table, self.key, self.condition)
        return {"ConditionCheck": params}


@dataclass(frozen=True)
class Get:
    """Read an item (in ``transact_get``); also what a failed batch read hands back.

    ``projection``: the attribute paths to read (``["name", "address.city"]``), None for the
    whole item."""

    table: str
    key: Mapping[str, Any]
    projection: Projection | None = None

    def request(self) -> dict[str, Any]:
        params = get_item_request(self.table, self.key, False, self.projection)
        del params["ConsistentRead"]
        return {"Get": params}


WriteAction = Put | Update | Delete | ConditionCheck


def _check_count(n: int) -> None:
    if n == 0:
        raise ValidationException("a transaction needs at least one action")
    if n > MAX_TRANSACTION_ACTIONS:
        raise ValidationException(
            f"a transaction takes at most {MAX_TRANSACTION_ACTIONS} actions, got {n}"
        )


def _check_distinct(requests: Sequence[dict[str, Any]]) -> None:
    """Two actions on one item are refused; a Put is known by its table's key names."""
    keys: list[tuple[str, dict[str, AttributeValue] | None, dict[str, AttributeValue] | None]] = []
    key_names: dict[str, set[tuple[str, ...]]] = {}
    for request in requests:
        ((_kind, params),) = request.items()
        table = params["TableName"]
        key = params.get("Key")
        keys.append((table, key, params.get("Item")))
        if key is not None:
            key_names.setdefault(table, set()).add(tuple(sorted(key)))
    seen: dict[tuple[str, Any], int] = {}
    for index, (table, key, item) in enumerate(keys):
        candidates = (
            [key]
            if key is not None
            else [
                {name: item[name] for name in names}
                for names in key_names.get(table, ())
                if item is not None and all(name in item for name in names)
            ]
        )
        for candidate in candidates:
            identity = (table, key_id(candidate))
            if identity in seen:
                raise ValidationException(
                    f"actions {seen[identity]} and {index} of the transaction touch the same "
                    f"item {deserialize_item(candidate)} of table {table!r}; DynamoDB allows "
                    "one action per item"
                )
            seen[identity] = index


def transact_write_request(
    actions: Iterable[WriteAction], token: str | None = None
) -> dict[str, Any]:
    requests = [action.request() for action in actions]
    return transact_write_from_parts(requests, token)


def transact_write_from_parts(
    requests: Sequence[dict[str, Any]], token: str | None = None
) -> dict[str, Any]:
    """The TransactWriteItems request; the token makes a retried call idempotent."""
    _check_count(len(requests))
    _check_distinct(requests)
    return {"TransactItems": list(requests), "ClientRequestToken": token or str(uuid.uuid4())}


def transact_get_request(gets: Iterable[Get]) -> dict[str, Any]:
    requests = []
    for get in gets:
        if not isinstance(get, Get):
            raise ValidationException(f"transact_get takes Get actions, not {get!r}")
        requests.append(get.request())
    _check_count(len(requests))
    _check_distinct(requests)
    return {"TransactItems": requests}
