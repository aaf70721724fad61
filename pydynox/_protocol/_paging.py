"""The pagination plan for Query and Scan, written once for both drivers.

``limit`` caps the number of items returned in total, counted after the filter;
``page_size`` is DynamoDB's per-request ``Limit``, which counts the items DynamoDB
*evaluates* (before the filter). The ``Limit`` each request carries:

- a filtered read sends ``page_size`` unchanged, or no ``Limit`` at all without one (DynamoDB
  then fills its 1 MB page): a filter never shrinks it, whatever ``limit`` still wants, so a
  selective filter costs one request per page, never one per item;
- an unfiltered read sends ``min(page_size, items still wanted)``: there every evaluated item
  is returned, so asking for more would read items only to drop them.

``limit`` is enforced here, client-side: the page that reaches it is cut after the last item
wanted. ``last_evaluated_key`` is then exactly where the returned items end, so a later read
resumes with the next item: the page's own ``LastEvaluatedKey`` when the limit falls on the
end of a page (None: the data has ended), otherwise the key attributes of the last item
returned (table and index keys; their names come from the caller, else from a
``LastEvaluatedKey`` of this read, else one ``DescribeTable`` remembered per client).
``PageState.scanned_count`` adds up DynamoDB's ``ScannedCount``: the items evaluated.

Pages are fetched lazily until ``limit`` items have been returned or the data ends: a page
that a filter empties never stops the iteration. An answer whose ``LastEvaluatedKey`` is the
``ExclusiveStartKey`` it was sent would restart the same page forever: it raises
``ConnectionException`` instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydynox._protocol._batch import key_names_plan
from pydynox._protocol._capacity import ConsumedCapacity
from pydynox._protocol._plan import Call, Emit, Plan
from pydynox._values._codec import deserialize_item, serialize_item
from pydynox.exceptions import ConnectionException, ValidationException

__all__ = ["PageState", "check_positive", "count_plan", "pages_plan"]


@dataclass
class PageState:
    """Where a paginated read stands: the key to resume from (None at the end), how many
    items DynamoDB has evaluated so far (its ``ScannedCount``, summed over the requests), and
    the capacity it reported for them (summed; None when the requests did not ask)."""

    last_evaluated_key: dict[str, Any] | None = None
    scanned_count: int = 0
    consumed_capacity: ConsumedCapacity | None = None


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
    filtered: bool = False,
    key_names: tuple[str, ...] | None = None,
    known_keys: dict[str, tuple[str, ...]] | None = None,
    start_key: Mapping[str, Any] | None = None,
    raw_start_key: dict[str, Any] | None = None,
) -> Plan[None]:
    """Emit each page's raw items (a list of DynamoDB items) for a Query or Scan.

    ``filtered``: the request has a ``FilterExpression`` (see the module docstring for the
    ``Limit`` it gets). ``key_names`` are the key attributes of the table and index read, if
    known; otherwise ``known_keys`` is the client's cache for ``key_names_plan``. They are
    needed only when ``limit`` ends a read in the middle of a page.
    ``start_key`` is a key in plain Python values (a ``last_evaluated_key``);
    ``raw_start_key`` one already in DynamoDB's shape (from a page cursor)."""
    check_positive("limit", limit)
    check_positive("page_size", page_size, _MAX_LIMIT)
    remaining = limit
    exclusive_start = raw_start_key or (serialize_item(start_key) if start_key else None)
    names = key_names
    while True:
        request = dict(params)
        request_limit = page_size
        if remaining is not None and not filtered:  # evaluated items are returned items
            request_limit = min(page_size or remaining, remaining)
        if request_limit is not None:
            request["Limit"] = min(request_limit, _MAX_LIMIT)
        if exclusive_start:
            request["ExclusiveStartKey"] = exclusive_start
        response: dict[str, Any] = yield Call(op, request)
        items: list[dict[str, Any]] = response.get("Items", [])
        exclusive_start = response.get("LastEvaluatedKey")
        if exclusive_start and exclusive_start == request.get("ExclusiveStartKey"):
            raise _same_key(op)
        state.scanned_count += int(response.get("ScannedCount", len(items)))
        capacity = ConsumedCapacity.of(op, response)
        if capacity is not None:
            spent = state.consumed_capacity
            state.consumed_capacity = capacity if spent is None else spent + capacity
        if names is None and exclusive_start:  # a LastEvaluatedKey holds exactly the key names
            names = tuple(exclusive_start)
        resume = exclusive_start
        done = not exclusive_start
        if remaining is not None and len(items) >= remaining:
            done = True
            if len(items) > remaining:  # the limit ends the read inside this page
                items = items[:remaining]
                if names is None:
                    names = yield from key_names_plan(
                        params["TableName"],
                        {} if known_keys is None else known_keys,
                        params.get("IndexName"),
                    )
                last = items[-1]
                resume = {name: last[name] for name in names if name in last}
        state.last_evaluated_key = deserialize_item(resume) if resume else None
        if items:
            yield Emit(items)
        if done:
            return
        if remaining is not None:
            remaining -= len(items)


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
