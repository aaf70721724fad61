"""Table management plans: create (with indexes and TTL), delete, exists, wait."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydynox._protocol._plan import Call, Plan, Sleep
from pydynox._protocol._requests import check_table
from pydynox.exceptions import (
    ResourceNotFoundException,
    ValidationException,
    WaitTimeoutException,
)

__all__ = [
    "IndexSpec",
    "KeySpec",
    "create_table_plan",
    "delete_table_plan",
    "table_exists_plan",
    "wait_for_table_plan",
]

KeyType = Literal["S", "N", "B"]
KeySpec = tuple[str, KeyType]
Projection = Literal["ALL", "KEYS_ONLY"] | Sequence[str]

_POLL_FIRST = 0.05
_POLL_MAX = 1.0


@dataclass(frozen=True)
class IndexSpec:
    """A secondary index for ``create_table``. A local index has no partition key of its own."""

    name: str
    partition_key: KeySpec | None = None
    sort_key: KeySpec | None = None
    projection: Projection = "ALL"

    def schema(self, table_partition_key: KeySpec) -> list[dict[str, str]]:
        partition = self.partition_key or table_partition_key
        parts = [{"AttributeName": partition[0], "KeyType": "HASH"}]
        if self.sort_key is not None:
            parts.append({"AttributeName": self.sort_key[0], "KeyType": "RANGE"})
        return parts

    def projection_request(self) -> dict[str, Any]:
        if isinstance(self.projection, str):
            if self.projection not in ("ALL", "KEYS_ONLY"):
                raise ValidationException(f"unknown projection {self.projection!r}")
            return {"ProjectionType": self.projection}
        return {"ProjectionType": "INCLUDE", "NonKeyAttributes": list(self.projection)}


def _check_key_spec(what: str, spec: KeySpec) -> None:
    if not (isinstance(spec, tuple) and len(spec) == 2 and spec[1] in ("S", "N", "B")):
        raise ValidationException(f"{what} must be (name, 'S' | 'N' | 'B'), not {spec!r}")


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
        if index.partition_key is None:
            raise ValidationException(f"global index {index.name!r} needs a partition_key")
        declare(f"partition key of index {index.name!r}", index.partition_key)
        if index.sort_key is not None:
            declare(f"sort key of index {index.name!r}", index.sort_key)
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
        if index.sort_key is None or sort_key is None:
            raise ValidationException(
                f"local index {index.name!r} needs a sort_key, on a table with a sort key"
            )
        if index.partition_key is not None and index.partition_key != partition_key:
            raise ValidationException(
                f"local index {index.name!r} shares the table's partition key"
            )
        declare(f"sort key of index {index.name!r}", index.sort_key)
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
