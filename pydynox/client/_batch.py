"""Batch plans: chunking, duplicate collapsing and unprocessed-item retries, written once.

- Reads go in requests of at most 100 keys; duplicate keys are asked for once; the items come
  back in the order of the requested keys; missing items are absent.
- Writes go in requests of at most 25; two writes to one key collapse into the last one (the
  outcome a sequence of single writes would have had).
- Unprocessed keys and items are sent again after an exponential backoff with full jitter.
  A response that makes progress resets the give-up count, so a slowly draining table is
  never abandoned; ``RetryPolicy.attempts`` responses in a row with no progress at all, or a
  request that fails outright, end the plan with ``BatchGetError`` / ``BatchWriteError``
  listing exactly what was not done. Nothing already done is repeated.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from pydynox.client._actions import Delete, Get, Put
from pydynox.client._codec import AttributeValue, deserialize_item, serialize_item
from pydynox.client._plan import Call, Plan, Sleep
from pydynox.client._requests import check_key, check_table, key_id
from pydynox.client._retry import RetryPolicy
from pydynox.client._size import check_item_size
from pydynox.exceptions import (
    BatchGetError,
    BatchWriteError,
    PydynoxException,
    ValidationException,
)

__all__ = [
    "MAX_GET_KEYS",
    "MAX_WRITE_ITEMS",
    "RetryPolicy",
    "WriteEntry",
    "batch_get_plan",
    "batch_write_plan",
    "delete_entry",
    "key_names_plan",
    "put_entry",
]

MAX_WRITE_ITEMS = 25
MAX_GET_KEYS = 100


@dataclass(frozen=True)
class WriteEntry:
    """One buffered batch write: its table, its WriteRequest and the key it touches."""

    table: str
    request: dict[str, Any]

    def action(self) -> Put | Delete:
        if "PutRequest" in self.request:
            return Put(self.table, deserialize_item(self.request["PutRequest"]["Item"]))
        return Delete(self.table, deserialize_item(self.request["DeleteRequest"]["Key"]))


def put_entry(table: str, item: Mapping[str, Any]) -> WriteEntry:
    if not isinstance(item, Mapping):
        raise ValidationException(f"an item must be a mapping of attributes, not {item!r}")
    av = serialize_item(item)
    check_item_size(av, what=f"item for table {table!r}")
    return WriteEntry(check_table(table), {"PutRequest": {"Item": av}})


def delete_entry(table: str, key: Mapping[str, Any]) -> WriteEntry:
    return WriteEntry(check_table(table), {"DeleteRequest": {"Key": check_key(key)}})


def key_names_plan(
    table: str, known: dict[str, tuple[str, ...]], index: str | None = None
) -> Plan[tuple[str, ...]]:
    """The key attribute names of a table (with ``index``: the table's and the index's, as a
    LastEvaluatedKey of that index holds them), asked of DynamoDB once and remembered."""
    entry = table if index is None else f"{table}/{index}"
    names = known.get(entry)
    if names is None:
        response: dict[str, Any] = yield Call("DescribeTable", {"TableName": table})
        description = response["Table"]
        names = tuple(part["AttributeName"] for part in description["KeySchema"])
        known[table] = names
        if index is not None:
            indexes = description.get("GlobalSecondaryIndexes", []) + description.get(
                "LocalSecondaryIndexes", []
            )
            schema: list[dict[str, str]] = next(
                (i["KeySchema"] for i in indexes if i["IndexName"] == index), []
            )
            extra = [part["AttributeName"] for part in schema]
            names = known[entry] = tuple(dict.fromkeys([*names, *extra]))
    return names


def _entry_key(entry: WriteEntry, names: tuple[str, ...]) -> dict[str, AttributeValue]:
    if "DeleteRequest" in entry.request:
        key: dict[str, AttributeValue] = entry.request["DeleteRequest"]["Key"]
        return key
    item = entry.request["PutRequest"]["Item"]
    missing = [name for name in names if name not in item]
    if missing:
        raise ValidationException(
            f"an item for table {entry.table!r} lacks its key attribute(s) {missing}"
        )
    return {name: item[name] for name in names}


def _describe_keys(entries: list[WriteEntry], names: dict[str, tuple[str, ...]]) -> str:
    parts = []
    for entry in entries[:5]:
        kind = "put" if "PutRequest" in entry.request else "delete"
        if kind == "delete" or entry.table in names:
            shown = deserialize_item(_entry_key(entry, names.get(entry.table, ())))
        else:  # key names unknown (the table could not be described): show the whole item
            shown = deserialize_item(entry.request["PutRequest"]["Item"])
        parts.append(f"{kind} {entry.table}{shown}")
    more = f" and {len(entries) - 5} more" if len(entries) > 5 else ""
    return ", ".join(parts) + more


def _drain(
    pending: Iterable[Any],
    size: int,
    send: Callable[[list[Any]], Call],
    leftovers: Callable[[dict[str, Any]], list[Any]],
    fail: Callable[[list[Any], PydynoxException | None], PydynoxException],
    retry: RetryPolicy,
) -> Plan[None]:
    """Send ``pending`` in chunks of ``size``, re-queueing what DynamoDB leaves unprocessed.

    ``fail(left, error)`` builds the error that ends the plan: ``error`` is the failure of a
    request, or None when ``retry.attempts`` responses in a row made no progress.
    """
    queue = deque(pending)
    stalled = backoff = 0
    while queue:
        chunk = [queue.popleft() for _ in range(min(size, len(queue)))]
        try:
            response = yield send(chunk)
        except PydynoxException as error:
            raise fail(chunk + list(queue), error) from error
        unprocessed = leftovers(response)
        if not unprocessed:
            backoff = stalled = 0
            continue
        stalled = stalled + 1 if len(unprocessed) == len(chunk) else 0
        if stalled >= retry.attempts:
            raise fail(unprocessed + list(queue), None)
        queue.extendleft(reversed(unprocessed))
        yield Sleep(retry.delay(backoff))
        backoff += 1


def _reason(error: PydynoxException | None, retry: RetryPolicy) -> str:
    if error is None:
        return f"DynamoDB left them unprocessed {retry.attempts} times in a row"
    return f"{type(error).__name__}: {error.message}"


def batch_write_plan(
    entries: Iterable[WriteEntry],
    retry: RetryPolicy,
    known_keys: dict[str, tuple[str, ...]],
) -> Plan[None]:
    """Send the writes in requests of 25, collapsing duplicates and retrying leftovers."""

    def send(chunk: list[WriteEntry]) -> Call:
        request_items: dict[str, list[dict[str, Any]]] = {}
        for entry in chunk:
            request_items.setdefault(entry.table, []).append(entry.request)
        return Call("BatchWriteItem", {"RequestItems": request_items})

    def leftovers(response: dict[str, Any]) -> list[WriteEntry]:
        unprocessed = response.get("UnprocessedItems") or {}
        return [
            WriteEntry(t, request) for t, requests in unprocessed.items() for request in requests
        ]

    def fail(left: list[WriteEntry], error: PydynoxException | None) -> PydynoxException:
        return BatchWriteError(
            f"batch write gave up ({_reason(error, retry)}); {len(left)} writes were not "
            f"made: {_describe_keys(left, known_keys)}",
            unprocessed=[entry.action() for entry in left],
        )

    pending = list(entries)
    collapsed: dict[tuple[str, Any], WriteEntry] = {}
    for entry in pending:
        try:
            names = yield from key_names_plan(entry.table, known_keys)
        except PydynoxException as error:  # e.g. the table does not exist: nothing was sent
            raise fail(pending, error) from error
        identity = (entry.table, key_id(_entry_key(entry, names)))
        collapsed.pop(identity, None)
        collapsed[identity] = entry

    yield from _drain(collapsed.values(), MAX_WRITE_ITEMS, send, leftovers, fail, retry)


def batch_get_plan(
    table: str,
    keys: Iterable[Mapping[str, Any]],
    retry: RetryPolicy,
    consistent_read: bool = False,
) -> Plan[list[dict[str, Any]]]:
    """Read the items of ``keys`` (any number), in key order, missing ones left out."""
    check_table(table)
    wanted: dict[Any, dict[str, AttributeValue]] = {}
    for key in keys:
        av = check_key(key)
        wanted.setdefault(key_id(av), av)
    if not wanted:
        return []
    names = tuple(next(iter(wanted.values())))
    found: dict[Any, dict[str, Any]] = {}

    def send(chunk: list[dict[str, AttributeValue]]) -> Call:
        request: dict[str, Any] = {"Keys": chunk}
        if consistent_read:
            request["ConsistentRead"] = True
        return Call("BatchGetItem", {"RequestItems": {table: request}})

    def leftovers(response: dict[str, Any]) -> list[dict[str, AttributeValue]]:
        for raw in response.get("Responses", {}).get(table, []):
            found[key_id({name: raw[name] for name in names if name in raw})] = raw
        unprocessed: list[dict[str, AttributeValue]] = (
            (response.get("UnprocessedKeys") or {}).get(table, {}).get("Keys", [])
        )
        return unprocessed

    def fail(
        left: list[dict[str, AttributeValue]], error: PydynoxException | None
    ) -> PydynoxException:
        return BatchGetError(
            f"batch read of table {table!r} gave up ({_reason(error, retry)}); "
            f"{len(left)} keys were not read",
            unprocessed=[Get(table, deserialize_item(key)) for key in left],
            items=[deserialize_item(item) for item in found.values()],
        )

    yield from _drain(wanted.values(), MAX_GET_KEYS, send, leftovers, fail, retry)
    return [deserialize_item(found[k]) for k in wanted if k in found]
