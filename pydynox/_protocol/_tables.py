"""Table management plans: create (with indexes and TTL), delete, exists, wait."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeGuard, cast

from pydynox._protocol._plan import Call, Plan, Sleep
from pydynox._protocol._requests import check_table
from pydynox.exceptions import (
    ResourceNotFoundException,
    ValidationException,
    WaitTimeoutException,
)

__all__ = [
    "MAX_KEY_ATTRIBUTES",
    "IndexKey",
    "IndexSpec",
    "KeySpec",
    "create_table_plan",
    "delete_table_plan",
    "key_attributes",
    "table_exists_plan",
    "wait_for_table_plan",
]

KeyType = Literal["S", "N", "B"]
KeySpec = tuple[str, KeyType]
# An index key: one (name, type) pair, or (a global index's multi-attribute key) a sequence of
# one to four pairs, in key order.
IndexKey = KeySpec | Sequence[KeySpec]
Projection = Literal["ALL", "KEYS_ONLY"] | Sequence[str]

MAX_KEY_ATTRIBUTES = 4  # per partition key and per sort key of a global index

_POLL_FIRST = 0.05
_POLL_MAX = 1.0


@dataclass(frozen=True)
class IndexSpec:
    """A secondary index for ``create_table``.

    A global index needs a ``partition_key``; its partition key and its sort key may each be
    one ``(name, type)`` pair or a sequence of up to four pairs, in order (DynamoDB's
    multi-attribute keys: a query gives every partition attribute, then sort attributes from
    the left, a range condition only on the last one given). A local index has the table's
    partition key and one sort attribute of its own. The spec is checked by ``create_table``
    before anything is sent.
    """

    name: str
    partition_key: IndexKey | None = None
    sort_key: IndexKey | None = None
    projection: Projection = "ALL"

    @property
    def partition_keys(self) -> tuple[KeySpec, ...]:
        """The partition key attributes, in order (empty when none is given)."""
        return key_attributes(f"partition_key of index {self.name!r}", self.partition_key)

    @property
    def sort_keys(self) -> tuple[KeySpec, ...]:
        """The sort key attributes, in order (empty when none is given)."""
        return key_attributes(f"sort_key of index {self.name!r}", self.sort_key)

    def schema(self, table_partition_key: KeySpec) -> list[dict[str, str]]:
        """The KeySchema: the HASH attributes in order, then the RANGE ones."""
        parts = [(name, "HASH") for name, _ in self.partition_keys or (table_partition_key,)]
        parts += [(name, "RANGE") for name, _ in self.sort_keys]
        return [{"AttributeName": name, "KeyType": role} for name, role in parts]

    def projection_request(self) -> dict[str, Any]:
        if isinstance(self.projection, str):
            if self.projection not in ("ALL", "KEYS_ONLY"):
                raise ValidationException(f"unknown projection {self.projection!r}")
            return {"ProjectionType": self.projection}
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.projection)}


def _is_pair(spec: object) -> TypeGuard[tuple[str, object]]:
    return isinstance(spec, tuple) and len(spec) == 2 and isinstance(spec[0], str)


def _check_key_spec(what: str, spec: object) -> KeySpec:
    if _is_pair(spec) and spec[1] in ("S", "N", "B"):
        return cast(KeySpec, spec)
    hint = ""
    if isinstance(spec, Sequence) and not isinstance(spec, str) and all(map(_is_pair, spec)):
        hint = " (a key of several attributes is for a global secondary index only)"
    raise ValidationException(f"{what} must be (name, 'S' | 'N' | 'B'), not {spec!r}{hint}")


def key_attributes(what: str, spec: IndexKey | None) -> tuple[KeySpec, ...]:
    """The attributes of an index key, in order: ``()`` for None, one for a ``(name, type)``
    pair, else each pair of the sequence, 1 to ``MAX_KEY_ATTRIBUTES`` of them and no name
    twice. Raises ``ValidationException`` naming ``what`` for anything else."""
    if spec is None:
        return ()
    if _is_pair(spec) or isinstance(spec, str) or not isinstance(spec, Sequence):
        return (_check_key_spec(what, spec),)
    parts = tuple(_check_key_spec(f"each attribute of {what}", part) for part in spec)
    if not 1 <= len(parts) <= MAX_KEY_ATTRIBUTES:
        raise ValidationException(
            f"{what} takes 1 to {MAX_KEY_ATTRIBUTES} attributes, not {len(parts)}: {spec!r}"
        )
    _check_distinct(what, parts)
    return parts


def _check_distinct(what: str, parts: Sequence[KeySpec]) -> None:
    seen: set[str] = set()
    for name, _ in parts:
        if name in seen:
            raise ValidationException(f"{what} names the attribute {name!r} twice")
        seen.add(name)


def create_table_request(
    table: str,
    partition_key: KeySpec,
    sort_key: KeySpec | None,
    global_indexes: Sequence[IndexSpec],
    local_indexes: Sequence[IndexSpec],
    billing_mode: Literal["PAY_PER_REQUEST", "PROVISIONED"],
    read_capacity: int | None,
    write_capacity: int | None,
) -> dict[str, Any]:
    check_table(table)
    attributes: dict[str, str] = {}

    def declare(what: str, spec: KeySpec) -> None:
        _check_key_spec(what, spec)
        if attributes.setdefault(spec[0], spec[1]) != spec[1]:
            raise ValidationException(f"attribute {spec[0]!r} is declared with two key types")

    declare("partition_key", partition_key)
    schema = [{"AttributeName": partition_key[0], "KeyType": "HASH"}]
    if sort_key is not None:
        declare("sort_key", sort_key)
        schema.append({"AttributeName": sort_key[0], "KeyType": "RANGE"})
    provisioned = billing_mode == "PROVISIONED"
    if provisioned and not (read_capacity and write_capacity):
        raise ValidationException("PROVISIONED billing needs read_capacity and write_capacity")
    throughput = {"ReadCapacityUnits": read_capacity, "WriteCapacityUnits": write_capacity}
    params: dict[str, Any] = {
        "TableName": table,
        "KeySchema": schema,
        "BillingMode": billing_mode,
    }
    if provisioned:
        params["ProvisionedThroughput"] = throughput
    gsis = []
    for index in global_indexes:
        check_table(index.name)
        partition, sort = index.partition_keys, index.sort_keys
        if not partition:
            raise ValidationException(f"global index {index.name!r} needs a partition_key")
        _check_distinct(f"the key of index {index.name!r}", partition + sort)
        for part in partition:
            declare(f"partition key of index {index.name!r}", part)
        for part in sort:
            declare(f"sort key of index {index.name!r}", part)
        gsi: dict[str, Any] = {
            "IndexName": index.name,
            "KeySchema": index.schema(partition_key),
            "Projection": index.projection_request(),
        }
        if provisioned:
            gsi["ProvisionedThroughput"] = throughput
        gsis.append(gsi)
    lsis = []
    for index in local_indexes:
        check_table(index.name)
        sorts = index.sort_keys
        if not sorts or sort_key is None:
            raise ValidationException(
                f"local index {index.name!r} needs a sort_key, on a table with a sort key"
            )
        if len(sorts) > 1:
            raise ValidationException(
                f"local index {index.name!r} takes one sort key attribute, not {len(sorts)} "
                "(keys of several attributes are for global secondary indexes only)"
            )
        if index.partition_keys not in ((), (partition_key,)):
            raise ValidationException(
                f"local index {index.name!r} shares the table's partition key"
            )
        declare(f"sort key of index {index.name!r}", sorts[0])
        lsis.append(
            {
                "IndexName": index.name,
                "KeySchema": index.schema(partition_key),
                "Projection": index.projection_request(),
            }
        )
    if gsis:
        params["GlobalSecondaryIndexes"] = gsis
    if lsis:
        params["LocalSecondaryIndexes"] = lsis
    params["AttributeDefinitions"] = [
        {"AttributeName": name, "AttributeType": kind} for name, kind in attributes.items()
    ]
    return params


def create_table_plan(
    request: dict[str, Any], ttl_attribute: str | None, wait: bool, timeout: float
) -> Plan[None]:
    yield Call("CreateTable", request)
    if wait or ttl_attribute:
        yield from wait_for_table_plan(request["TableName"], timeout)
    if ttl_attribute:
        yield Call(
            "UpdateTimeToLive",
            {
                "TableName": request["TableName"],
                "TimeToLiveSpecification": {"Enabled": True, "AttributeName": ttl_attribute},
            },
        )


def _is_active(table: dict[str, Any]) -> bool:
    indexes = table.get("GlobalSecondaryIndexes", [])
    return table.get("TableStatus") == "ACTIVE" and all(
        index.get("IndexStatus", "ACTIVE") == "ACTIVE" for index in indexes
    )


def _poll(table: str, timeout: float, gone: bool) -> Plan[None]:
    """Ask DescribeTable, with growing pauses, until the table is ACTIVE (or, with ``gone``,
    no longer there); raise ``WaitTimeoutException`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = _POLL_FIRST
    seen = "not found"
    while True:
        try:
            response = yield Call("DescribeTable", {"TableName": table})
            described = response["Table"]
            if not gone and _is_active(described):
                return
            seen = _status(described)
        except ResourceNotFoundException:
            if gone:
                return
            seen = "not found"  # (waiting for creation: DynamoDB may not list it for a moment)
        if time.monotonic() > deadline:
            wanted = "gone" if gone else "ACTIVE"
            raise WaitTimeoutException(
                f"table {table!r} was not {wanted} after {timeout} s (last seen: {seen})"
            )
        yield Sleep(delay)
        delay = min(delay * 2, _POLL_MAX)


def _status(table: dict[str, Any]) -> str:
    """``CREATING``, or ``ACTIVE, index by-email CREATING``: what kept a wait going."""
    status = str(table.get("TableStatus", "no status"))
    for index in table.get("GlobalSecondaryIndexes", []):
        if index.get("IndexStatus", "ACTIVE") != "ACTIVE":
            status += f", index {index.get('IndexName')} {index.get('IndexStatus')}"
    return status


def wait_for_table_plan(table: str, timeout: float = 300.0) -> Plan[None]:
    """Poll DescribeTable until the table and its global indexes are ACTIVE; raise
    ``WaitTimeoutException`` if they are not after ``timeout`` seconds (whether the table is
    still being created or does not exist at all)."""
    yield from _poll(check_table(table), timeout, False)


def delete_table_plan(table: str, wait: bool, timeout: float = 300.0) -> Plan[None]:
    """DeleteTable; with ``wait``, poll until DescribeTable no longer finds it, raising
    ``WaitTimeoutException`` after ``timeout`` seconds."""
    yield Call("DeleteTable", {"TableName": check_table(table)})
    if wait:
        yield from _poll(table, timeout, True)


def table_exists_plan(table: str) -> Plan[bool]:
    try:
        yield Call("DescribeTable", {"TableName": check_table(table)})
    except ResourceNotFoundException:
        return False
    return True
