"""The pagination plan for Query and Scan, written once for both drivers.

``limit`` caps the number of items returned in total; ``page_size`` is DynamoDB's per-request
``Limit``. Pages are fetched lazily until ``limit`` items have been returned or the data ends:
a page that a filter empties never stops the iteration. When a limit is set, no request asks
for more items than are still wanted, so ``last_evaluated_key`` is exactly where the returned
items end and a later query can resume from it. An answer whose ``LastEvaluatedKey`` is the
``ExclusiveStartKey`` it was sent would restart the same page forever: it raises
``ConnectionException`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydynox.client._codec import deserialize_item, serialize_item
from pydynox.client._plan import Call, Emit, Plan
from pydynox.exceptions import ConnectionException, ValidationException

__all__ = ["PageState", "check_positive", "count_plan", "pages_plan"]


@dataclass
class PageState:
    """Where a paginated read stands: the key to resume from, or None at the end."""

    last_evaluated_key: dict[str, Any] | None = None
    scanned_count: int = 0


_MAX_LIMIT = 2**31 - 1  # DynamoDB's Limit is a 32-bit integer


def check_positive(name: str, value: int | None, most: int | None = None) -> None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
        raise ValidationException(f"{name} must be a positive whole number, not {value!r}")
    if value is not None and most is not None and value > most:
        raise ValidationException(f"{name} must be at most {most}, not {value!r}")


def _same_key(op: str) -> ConnectionException:
    return ConnectionException(
        f"DynamoDB answered the same LastEvaluatedKey again to a {op} (the ExclusiveStartKey it "
        "was sent); paging would never end",
        sent=True,
    )


def pages_plan(
    op: str,
    params: dict[str, Any],
    state: PageState,
    *,
    limit: int | None = None,
    page_size: int | None = None,
    start_key: Mapping[str, Any] | None = None,
    raw_start_key: dict[str, Any] | None = None,
) -> Plan[None]:
    """Emit each page's raw items (a list of DynamoDB items) for a Query or Scan.

    ``start_key`` is a key in plain Python values (a ``last_evaluated_key``);
    ``raw_start_key`` one already in DynamoDB's shape (from a page cursor)."""
    check_positive("limit", limit)
    check_positive("page_size", page_size, _MAX_LIMIT)
    remaining = limit
    exclusive_start = raw_start_key or (serialize_item(start_key) if start_key else None)
    while True:
        request = dict(params)
        request_limit = page_size if remaining is None else min(page_size or remaining, remaining)
        if request_limit is not None:  # a larger total limit is reached over several pages
            request["Limit"] = min(request_limit, _MAX_LIMIT)
        if exclusive_start:
            request["ExclusiveStartKey"] = exclusive_start
        response: dict[str, Any] = yield Call(op, request)
        items: list[dict[str, Any]] = response.get("Items", [])
        exclusive_start = response.get("LastEvaluatedKey")
        if exclusive_start and exclusive_start == request.get("ExclusiveStartKey"):
            raise _same_key(op)
        state.last_evaluated_key = deserialize_item(exclusive_start) if exclusive_start else None
        state.scanned_count += int(response.get("ScannedCount", len(items)))
        if items:
            yield Emit(items)
        if remaining is not None:
            remaining -= len(items)
            if remaining <= 0:
                return
        if not exclusive_start:
            return


def count_plan(op: str, params: dict[str, Any]) -> Plan[int]:
    """Count matching items over every page (``Select=COUNT``)."""
    total = 0
    request = dict(params, Select="COUNT")
    while True:
        response: dict[str, Any] = yield Call(op, request)
        total += int(response.get("Count", 0))
        start = response.get("LastEvaluatedKey")
        if not start:
            return total
        if start == request.get("ExclusiveStartKey"):
            raise _same_key(op)
        request = dict(request, ExclusiveStartKey=start)
