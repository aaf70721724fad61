"""Pages and signed cursors for HTTP APIs: ``result.page(page_size, cursor)``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    DynamoConfig,
    DynamoDBClient,
    GlobalSecondaryIndex,
    InvalidCursorException,
    Model,
    PartitionKey,
    SortKey,
    ValidationException,
)
from pydynox.testing import local_client

from .api import Api
from .model_tables import bind, table_of
from .tables import unique

pytestmark = pytest.mark.both_transports

URL_SAFE = re.compile(r"^[A-Za-z0-9_\-.]+$")


class Order(Model):
    owner: Annotated[str, PartitionKey()]
    number: Annotated[int, SortKey()]
    status: str = "open"
    by_status = GlobalSecondaryIndex("by-status", partition_key="status", sort_key="number")


@pytest.fixture(scope="module")
def orders(client: DynamoDBClient) -> Iterator[type[Order]]:
    """Order bound to a table that every test of the module reads and none writes."""
    bound = bind(Order, unique("pages"), client=client)
    bound.sync_create_table()
    for n in range(10):
        bound(owner="ada", number=n, status="done" if n % 3 == 0 else "open").sync_save()
    bound(owner="bob", number=1).sync_save()
    yield bound
    client.sync_delete_table(table_of(bound), wait=False)


async def walk(result_of: Any, page_size: int) -> list[Any]:
    pages, cursor = [], None
    while True:
        page = await result_of().page(page_size, cursor)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        assert URL_SAFE.match(page.next_cursor)
        cursor = page.next_cursor


async def test_pages_cover_every_item_once_and_end_without_a_cursor(
    api: Api, orders: type[Order]
) -> None:
    pages = await walk(lambda: api.on(orders).query(partition_key="ada"), 3)
    assert [[o.number for o in p.items] for p in pages] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9]]
    assert [p.next_cursor is None for p in pages] == [False, False, False, True]


async def test_no_empty_last_page_when_the_items_fill_the_pages_exactly(
    api: Api, orders: type[Order]
) -> None:
    pages = await walk(lambda: api.on(orders).query(partition_key="ada"), 5)
    assert [len(p.items) for p in pages] == [5, 5]
    pages = await walk(lambda: api.on(orders).query(partition_key="ada"), 10)
    assert [len(p.items) for p in pages] == [10]
    empty = await api.on(orders).query(partition_key="nobody").page(5)
    assert empty.items == [] and empty.next_cursor is None


async def test_filtered_pages_are_full_and_index_pages_work(api: Api, orders: type[Order]) -> None:
    pages = await walk(
        lambda: api.on(orders).query(partition_key="ada", filter_condition=Order.status == "open"),
        4,
    )
    assert [[o.number for o in p.items] for p in pages] == [[1, 2, 4, 5], [7, 8]]
    pages = await walk(lambda: api.on(orders.by_status).query(partition_key="done"), 2)
    assert [[o.number for o in p.items] for p in pages] == [[0, 3], [6, 9]]


async def test_a_tampered_cursor_is_refused_before_anything_is_sent(
    api: Api, orders: type[Order], dead_client: DynamoDBClient
) -> None:
    first = await api.on(orders).query(partition_key="ada").page(3)
    assert first.next_cursor is not None
    version, payload, signature = first.next_cursor.split(".")
    flipped = payload[:-1] + ("A" if payload[-1] != "A" else "B")
    dead = type(
        "DeadOrder",
        (orders,),
        {"model_config": DynamoConfig(table="x-dead", client=dead_client), "__module__": __name__},
    )
    for bad in (
        f"{version}.{flipped}.{signature}",
        "v1.e30.abc",
        "garbage",
        "",
        "v2.a.b",
        "x" * 5000,
    ):
        with pytest.raises(InvalidCursorException):
            await api.on(dead).query(partition_key="ada").page(3, bad)


async def test_a_cursor_from_another_partition_table_or_secret_is_refused(
    api: Api, orders: type[Order], endpoint: str
) -> None:
    cursor = (await api.on(orders).query(partition_key="ada").page(3)).next_cursor
    assert cursor is not None
    with pytest.raises(InvalidCursorException, match="another table, index or partition"):
        await api.on(orders).query(partition_key="bob").page(3, cursor)
    with pytest.raises(InvalidCursorException, match="another table, index or partition"):
        await api.on(orders.by_status).query(partition_key="ada").page(3, cursor)
    rotated = local_client(endpoint, cursor_secret="a-rotated-cursor-secret")
    other = type(
        "RotatedOrder",
        (orders,),
        {"model_config": DynamoConfig(client=rotated), "__module__": __name__},
    )
    with pytest.raises(InvalidCursorException, match="another cursor secret"):
        await api.on(other).query(partition_key="ada").page(3, cursor)
    rotated.sync_close()


async def test_page_needs_a_cursor_secret_and_a_positive_size(
    api: Api, orders: type[Order], endpoint: str
) -> None:
    secretless = local_client(endpoint)
    other = type(
        "NoSecretOrder",
        (orders,),
        {"model_config": DynamoConfig(client=secretless), "__module__": __name__},
    )
    with pytest.raises(ValidationException, match="cursor_secret"):
        await api.on(other).query(partition_key="ada").page(3)
    for bad in (0, -1, "3"):
        with pytest.raises(ValidationException):
            await api.on(orders).query(partition_key="ada").page(bad)  # type: ignore[arg-type]
    secretless.sync_close()


async def test_client_query_and_scan_pages(api: Api, table: str) -> None:
    for n in range(7):
        await api.put_item(table, {"pk": "p", "sk": f"{n:02d}"})
    pages = await walk(lambda: api.query(table, Attr("pk") == "p"), 3)
    assert [[i["sk"] for i in p.items] for p in pages] == [
        ["00", "01", "02"],
        ["03", "04", "05"],
        ["06"],
    ]
    scanned = await walk(lambda: api.scan(table), 4)
    assert sorted(i["sk"] for p in scanned for i in p.items) == [f"{n:02d}" for n in range(7)]
    with pytest.raises(InvalidCursorException):
        await api.query(table, Attr("pk") == "q").page(3, pages[0].next_cursor)
