"""Read budgets (``max_read_units``) on a real local server: a 2,000-item table.

One table per server and module holds 2,000 items of about 1.2 KB in one partition
(``USER#1``): a ``User`` profile and 1,999 ``Order``\\ s of tests/entity_models.py, so the
client, the entity models and a ``Collection`` all read it. Both servers report consumed
capacity (moto one unit per Query or Scan, whatever it reads; dynalite by the size of the
items evaluated, as DynamoDB does), so every budget here is set from what one page costs on
the server at hand.

Each read walks the table under a budget: a read stops with ``CapacityBudgetExceeded``, the
next starts from its ``last_evaluated_key`` (or ``next_cursor`` for ``page()``), until one
ends. The walk must give exactly the unbudgeted read, in order, nothing lost or repeated, and
each stop must come where the rule says (pydynox/_protocol/_paging.py): the read units of
its calls, as the call records report them, reached the budget only with the last call, and
the error's ``consumed`` is their sum.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from pydynox import Attr, CallRecord, CapacityBudgetExceeded, Collection, DynamoDBClient

from ..entity_models import Order, User
from .api import Api
from .model_tables import bind
from .tables import unique

ITEMS = 2000
PAD = "x" * 1100
PAGE = 250  # the page_size of the item reads: 8 pages


def user_item() -> dict[str, Any]:
    return {
        "pk": "USER#1",
        "sk": "PROFILE",
        "entity": "User",
        "user_id": "1",
        "name": "Ann",
        "email": "ann@x.io",
        "pad": PAD,
    }


def order_item(n: int) -> dict[str, Any]:
    return {
        "pk": "USER#1",
        "sk": f"ORDER#{n:>08}",
        "entity": "Order",
        "user_id": "1",
        "order_id": n,
        "total": Decimal(n) / 4,
        "pad": PAD,
    }


@dataclass
class Loaded:
    table: str
    users: type[User]
    orders: type[Order]
    scan_keys: list[tuple[str, str]]  # the unbudgeted scan's items, in its order
    page_units: float  # the read units of the first page of PAGE items
    calls: list[CallRecord]  # the client's calls on this table since the test began


def keys(items: list[Any]) -> list[tuple[str, str]]:
    return [(i["pk"], i["sk"]) if isinstance(i, dict) else (i.pk, i.sk) for i in items]


@pytest.fixture(scope="module")
def loaded(client: DynamoDBClient, endpoint: str) -> Iterator[Loaded]:
    table = unique("budget")
    client.sync_create_table(table, partition_key=("pk", "S"), sort_key=("sk", "S"))
    items = [user_item(), *(order_item(n) for n in range(1, ITEMS))]
    client.sync_batch_write(table, put_items=items)
    calls: list[CallRecord] = []

    def record(call: CallRecord) -> None:
        if table in call.tables:
            calls.append(call)

    remove = client.on_call(record)
    try:
        everything = client.sync_scan(table, page_size=PAGE)
        scan_keys = keys(everything.all())
        assert len(scan_keys) == ITEMS == len(set(scan_keys))
        first = client.sync_scan(table, limit=PAGE, max_read_units=10**6)
        assert len(first.all()) == PAGE
        assert first.consumed_capacity is not None
        units = first.consumed_capacity.read_units
        assert units > 0
        users = bind(User, table, client=client)
        orders = bind(Order, table, client=client)
        yield Loaded(table, users, orders, scan_keys, units, calls)
    finally:
        remove()
        client.sync_delete_table(table, wait=False)


@pytest.fixture
def calls(loaded: Loaded) -> list[CallRecord]:
    loaded.calls.clear()
    return loaded.calls


def check_stop(stop: CapacityBudgetExceeded, calls: list[CallRecord], budget: float) -> None:
    """The stop came after the first call whose read units reached the budget."""
    units = [c.consumed_capacity.read_units if c.consumed_capacity else 0.0 for c in calls]
    assert sum(units[:-1]) < budget <= sum(units), units
    assert stop.consumed.read_units == pytest.approx(sum(units))
    assert stop.max_read_units == budget
    assert stop.last_evaluated_key is not None


Read = Callable[[dict[str, Any] | None], Any]  # a result starting from a key (None: the start)


async def walk_all(read: Read, calls: list[CallRecord], budget: float) -> tuple[list[Any], int]:
    """Every item, read with ``all()`` by budgeted reads each resuming where one stopped;
    and how many stopped."""
    got: list[Any] = []
    start: dict[str, Any] | None = None
    stops = 0
    for _ in range(ITEMS):
        calls.clear()
        try:
            got += await read(start).all()
            return got, stops
        except CapacityBudgetExceeded as stop:
            stops += 1
            check_stop(stop, calls, budget)
            assert stop.count == len(stop.items)
            got += stop.items
            start = stop.last_evaluated_key
    raise AssertionError("the budgeted reads do not end")


async def test_a_budgeted_scan_over_2000_items_stops_at_the_budget_and_resumes_to_the_end(
    api: Api, loaded: Loaded, calls: list[CallRecord]
) -> None:
    budget = 2.5 * loaded.page_units  # three pages a read

    def read(start: dict[str, Any] | None) -> Any:
        return api.scan(
            loaded.table, page_size=PAGE, last_evaluated_key=start, max_read_units=budget
        )

    got, stops = await walk_all(read, calls, budget)
    assert keys(got) == loaded.scan_keys  # in order: nothing lost, nothing repeated
    assert all(isinstance(item["pad"], str) for item in got)
    assert stops >= 2


async def test_a_budgeted_query_iterated_item_by_item_resumes_to_the_end(
    api: Api, loaded: Loaded, calls: list[CallRecord]
) -> None:
    budget = 1.5 * loaded.page_units  # two pages a read
    seen: list[Any] = []
    start: dict[str, Any] | None = None
    stops = 0
    for _ in range(ITEMS):
        calls.clear()
        result = api.query(
            loaded.table,
            Attr("pk") == "USER#1",
            page_size=PAGE,
            last_evaluated_key=start,
            max_read_units=budget,
        )
        before = len(seen)
        try:
            async for item in result:
                seen.append(item)
            break
        except CapacityBudgetExceeded as stop:
            stops += 1
            check_stop(stop, calls, budget)
            assert stop.items == []  # every item read was handed out
            assert stop.count == len(seen) - before
            assert stop.last_evaluated_key == result.last_evaluated_key
            start = stop.last_evaluated_key
    assert keys(seen) == sorted(loaded.scan_keys)  # a query reads in sort key order
    assert stops >= 3


async def test_a_budgeted_count_resumes_to_the_total(
    api: Api, loaded: Loaded, calls: list[CallRecord]
) -> None:
    """A count reads pages of 1 MB (2,000 items of 1.2 KB take several): with a budget
    below what one costs, each count stops after one page."""
    budget = loaded.page_units / 2
    total, stops = 0, 0
    start: dict[str, Any] | None = None
    for _ in range(ITEMS):
        calls.clear()
        try:
            total += await api.count(
                loaded.table,
                Attr("pk") == "USER#1",
                last_evaluated_key=start,
                max_read_units=budget,
            )
            break
        except CapacityBudgetExceeded as stop:
            stops += 1
            check_stop(stop, calls, budget)
            assert len(calls) == 1 and stop.items == []
            total += stop.count
            start = stop.last_evaluated_key
    assert total == ITEMS
    assert stops >= 2


async def test_a_budgeted_model_query_resumes_to_the_end(
    api: Api, loaded: Loaded, calls: list[CallRecord]
) -> None:
    budget = 2.5 * loaded.page_units
    orders = api.on(loaded.orders)

    def read(start: dict[str, Any] | None) -> Any:
        return orders.query(
            user_id="1", page_size=PAGE, last_evaluated_key=start, max_read_units=budget
        )

    got, stops = await walk_all(read, calls, budget)
    assert all(type(order) is loaded.orders for order in got)  # converted as the read does
    assert [order.order_id for order in got] == list(range(1, ITEMS))
    assert stops >= 2


async def test_a_budgeted_collection_query_resumes_to_the_end(
    api: Api, loaded: Loaded, calls: list[CallRecord]
) -> None:
    budget = 2.5 * loaded.page_units
    both = api.on(Collection(loaded.users, loaded.orders))

    def read(start: dict[str, Any] | None) -> Any:
        return both.query(
            user_id="1", page_size=PAGE, last_evaluated_key=start, max_read_units=budget
        )

    got, stops = await walk_all(read, calls, budget)
    assert [type(item) for item in got] == [loaded.orders] * (ITEMS - 1) + [loaded.users]
    assert keys(got) == sorted(loaded.scan_keys)
    assert stops >= 2


async def test_budgeted_collection_pages_resume_from_the_stop_s_cursor(
    api: Api, loaded: Loaded, calls: list[CallRecord]
) -> None:
    """``page()`` under a budget: a page the budget cuts short comes as the error's items
    and ``next_cursor``; following the cursors gives every item once."""
    budget = 1.5 * loaded.page_units
    both = api.on(Collection(loaded.users, loaded.orders))
    got: list[Any] = []
    cursor: str | None = None
    stops = 0
    for _ in range(ITEMS):
        calls.clear()
        result = both.query(user_id="1", page_size=PAGE, max_read_units=budget)
        try:
            page = await result.page(700, cursor)
        except CapacityBudgetExceeded as stop:
            stops += 1
            check_stop(stop, calls, budget)
            assert 0 < len(stop.items) < 700 and stop.next_cursor is not None
            got += stop.items
            cursor = stop.next_cursor
            continue
        got += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert keys(got) == sorted(loaded.scan_keys)
    assert stops >= 2
