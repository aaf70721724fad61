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

A budget (``max_read_units``, a positive number of read units) guards against runaway reads;
it is not an exact cap. A budgeted read asks DynamoDB for its consumed capacity
(``ReturnConsumedCapacity``: ``TOTAL``, unless the request already asks for it) and sums the
read units of its answers. Its first request is always sent; after each page, a next page is
asked for only while the units consumed are below the budget. When they have reached it and
data remains, the page that reached it is handed out whole (its items are the caller's) and
asking for the next page raises ``CapacityBudgetExceeded`` instead of sending it: its
``last_evaluated_key`` is that page's, so a read resumed from it reads every item left exactly
once. A read that ends (no more data, or its ``limit`` reached) on the page that reaches the
budget ends normally. So a read spends at most its budget plus one page (up to 1 MB of items:
128 read units, 256 consistent). An answer that reports no capacity counts none (DynamoDB always
reports what is asked; a server that does not leaves budgeted reads unbounded). ``count_plan``
keeps a budget the same way.

``read_plan`` and ``cursor_page_plan`` run ``pages_plan`` for a ``PagedRead`` (a client's
``Reader``): its items, or one page of them and the signed cursor of the next.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from pydynox._protocol._batch import key_names_plan
from pydynox._protocol._capacity import CapacityMode, ConsumedCapacity
from pydynox._protocol._cursor import decode_cursor, encode_cursor, require_secret
from pydynox._protocol._plan import Call, Emit, Plan
from pydynox._protocol._requests import with_projection
from pydynox._values._codec import deserialize_item, serialize_item
from pydynox.exceptions import CapacityBudgetExceeded, ConnectionException, ValidationException
from pydynox.expressions import Attr

__all__ = [
    "PageState",
    "PagedRead",
    "budget_params",
    "check_budget",
    "check_positive",
    "count_plan",
    "cursor_page_plan",
    "pages_plan",
    "read_plan",
]


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


def check_budget(max_read_units: float | None) -> None:
    """Refuse, before sending, a budget that is not a positive number of read units."""
    value: Any = max_read_units
    if value is None:
        return
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value <= 0
    ):
        raise ValidationException(
            f"max_read_units must be a positive number of read units, not {value!r}"
        )


def budget_params(
    params: dict[str, Any], max_read_units: float | None, capacity: CapacityMode | None
) -> dict[str, Any]:
    """``params`` of a read with a budget of ``max_read_units`` (refused unless a positive
    number; None: no budget), asking for the capacity it consumes as ``capacity`` says (the
    client's ``return_consumed_capacity``: ``INDEXES`` stays ``INDEXES``); without one, the
    plans ask for ``TOTAL``."""
    check_budget(max_read_units)
    if max_read_units is None or capacity is None or "ReturnConsumedCapacity" in params:
        return params
    return dict(params, ReturnConsumedCapacity=capacity)


def _budgeted(request: dict[str, Any], max_read_units: float | None) -> dict[str, Any]:
    """``request``, asking for the capacity it consumes when it has a budget to keep."""
    if max_read_units is None or "ReturnConsumedCapacity" in request:
        return request
    return dict(request, ReturnConsumedCapacity="TOTAL")


def _spend(state: PageState, op: str, response: Mapping[str, Any]) -> None:
    capacity = ConsumedCapacity.of(op, response)
    if capacity is not None:
        spent = state.consumed_capacity
        state.consumed_capacity = capacity if spent is None else spent + capacity


def _check_spent(op: str, state: PageState, max_read_units: float | None, count: int) -> None:
    """Raise ``CapacityBudgetExceeded`` if the read has spent its budget (see above)."""
    if max_read_units is None:
        return
    consumed = state.consumed_capacity or ConsumedCapacity()
    if consumed.read_units < max_read_units:
        return
    raise CapacityBudgetExceeded(
        f"the {op} stopped at its budget of {max_read_units:g} read units ("
        f"{consumed.read_units:g} consumed); resume it from its last_evaluated_key",
        count=count,
        consumed=consumed,
        last_evaluated_key=state.last_evaluated_key,
        max_read_units=max_read_units,
    )


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
    max_read_units: float | None = None,
    into: list[dict[str, Any]] | None = None,
) -> Plan[None]:
    """Emit each page's raw items (a list of DynamoDB items) for a Query or Scan, or, given
    ``into``, add them to it instead.

    ``filtered``: the request has a ``FilterExpression`` (see the module docstring for the
    ``Limit`` it gets). ``key_names`` are the key attributes of the table and index read, if
    known; otherwise ``known_keys`` is the client's cache for ``key_names_plan``. They are
    needed only when ``limit`` ends a read in the middle of a page.
    ``start_key`` is a key in plain Python values (a ``last_evaluated_key``);
    ``raw_start_key`` one already in DynamoDB's shape (from a page cursor).
    ``max_read_units``: the read's budget (see the module docstring)."""
    check_positive("limit", limit)
    check_positive("page_size", page_size, _MAX_LIMIT)
    check_budget(max_read_units)
    remaining = limit
    exclusive_start = raw_start_key or (serialize_item(start_key) if start_key else None)
    names = key_names
    read = 0  # items handed out
    while True:
        request = _budgeted(dict(params), max_read_units)
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
        _spend(state, op, response)
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
        if items and into is not None:
            into.extend(items)
        elif items:
            yield Emit(items)
        if done:
            return
        if remaining is not None:
            remaining -= len(items)
        read += len(items)
        _check_spent(op, state, max_read_units, read)


class PagedRead(Protocol):
    """What a paged read is, as the plans below read it (``client._results.Reader`` is one):
    its request (``op``, ``params``), its ``limit``-free paging options, what its cursors
    are bound to (``scope``) and signed with (``secret``), the key attributes of its table
    and index (``key_names``; None: asked of DynamoDB once per client, in ``known_keys``),
    its ``projection`` (None: whole items) and its budget."""

    @property
    def op(self) -> str: ...
    @property
    def params(self) -> dict[str, Any]: ...
    @property
    def scope(self) -> str: ...
    @property
    def secret(self) -> bytes | None: ...
    @property
    def page_size(self) -> int | None: ...
    @property
    def filtered(self) -> bool: ...
    @property
    def start_key(self) -> Mapping[str, Any] | None: ...
    @property
    def key_names(self) -> tuple[str, ...] | None: ...
    @property
    def known_keys(self) -> dict[str, tuple[str, ...]]: ...
    @property
    def projection(self) -> tuple[Attr, ...] | None: ...
    @property
    def max_read_units(self) -> float | None: ...


def _key_names(read: PagedRead) -> Plan[tuple[str, ...]]:
    params = read.params
    return key_names_plan(params["TableName"], read.known_keys, params.get("IndexName"))


def _keyed(read: PagedRead, names: tuple[str, ...]) -> dict[str, Any]:
    """The read's params, with the key attributes ``names`` projected too when its
    projection lacks them: the last item's key is where a read resumes."""
    if read.projection is None:
        return read.params
    tops = {path.segments[0] for path in read.projection}
    missing = [Attr.of(name) for name in names if name not in tops]
    if not missing:
        return read.params
    return with_projection(read.params, (*read.projection, *missing))


def read_plan(read: PagedRead, state: PageState, limit: int | None) -> Plan[None]:
    """``pages_plan`` for ``read``, returning at most ``limit`` items."""
    op, params, names = read.op, read.params, read.key_names
    # Only a filtered read can be cut inside a page (an unfiltered one never asks for
    # more than it still wants): there the last item's key is where it resumes.
    if read.projection is not None and limit is not None and read.filtered:
        if names is None:
            names = yield from _key_names(read)
        params = _keyed(read, names)
    yield from pages_plan(
        op,
        params,
        state,
        limit=limit,
        page_size=read.page_size,
        filtered=read.filtered,
        key_names=names,
        known_keys=read.known_keys,
        start_key=read.start_key,
        max_read_units=read.max_read_units,
    )


def cursor_page_plan(
    read: PagedRead, page_size: int, cursor: str | None
) -> Plan[tuple[list[dict[str, Any]], str | None]]:
    """One page of ``page_size`` raw items of ``read`` after ``cursor``, and the cursor of
    the next. Asking for one item more than the page shows whether anything follows, so the
    last page has no cursor and no page is ever empty but the first. A budget stop carries
    the page's items so far and, as ``next_cursor``, where it stopped."""
    check_positive("page_size", page_size)
    secret = require_secret(read.secret)
    start = decode_cursor(cursor, secret, read.scope) if cursor is not None else None
    names = read.key_names
    if names is None:
        names = yield from _key_names(read)
    op = read.op
    raw: list[dict[str, Any]] = []
    try:
        yield from pages_plan(
            op,
            _keyed(read, names),
            PageState(),
            limit=page_size + 1,
            page_size=read.page_size,
            filtered=read.filtered,
            key_names=names,
            start_key=read.start_key,
            raw_start_key=start,
            max_read_units=read.max_read_units,
            into=raw,
        )
    except CapacityBudgetExceeded as stop:
        stop.items = raw
        resume = stop.last_evaluated_key
        next_key = serialize_item(resume) if resume else None
        stop.next_cursor = encode_cursor(next_key, secret, read.scope) if next_key else None
        raise
    if len(raw) <= page_size:
        return raw, None
    last = raw[page_size - 1]
    next_key = {name: last[name] for name in names if name in last}
    return raw[:page_size], encode_cursor(next_key, secret, read.scope)


def count_plan(
    op: str,
    params: dict[str, Any],
    *,
    start_key: Mapping[str, Any] | None = None,
    max_read_units: float | None = None,
) -> Plan[int]:
    """Count matching items over every page (``Select=COUNT``), from ``start_key`` (a
    ``last_evaluated_key``) if given; ``max_read_units`` as for ``pages_plan``, the error
    carrying the matches counted so far as ``count``."""
    check_budget(max_read_units)
    total = 0
    state = PageState()
    request = _budgeted(dict(params, Select="COUNT"), max_read_units)
    if start_key:
        request["ExclusiveStartKey"] = serialize_item(start_key)
    while True:
        response: dict[str, Any] = yield Call(op, request)
        total += int(response.get("Count", 0))
        _spend(state, op, response)
        start = response.get("LastEvaluatedKey")
        if not start:
            return total
        if start == request.get("ExclusiveStartKey"):
            raise _same_key(op)
        state.last_evaluated_key = deserialize_item(start)
        _check_spent(op, state, max_read_units, total)
        request = dict(request, ExclusiveStartKey=start)
