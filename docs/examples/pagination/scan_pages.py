"""Pages of a scan: every item of the table, page by page, in no particular order."""

from __future__ import annotations

import asyncio
from typing import Annotated

from pydynox import (
    DynamoConfig,
    DynamoDBClient,
    InvalidCursorException,
    Model,
    PartitionKey,
    default_client_set_to,
)


class Product(Model):
    model_config = DynamoConfig(table="pagination-products")
    sku: Annotated[str, PartitionKey()]
    name: str


async def main() -> None:
    async with DynamoDBClient(cursor_secret="change-me-to-a-long-random-secret") as client:
        with default_client_set_to(client):
            await walk_the_table()


async def walk_the_table() -> None:
    await Product.create_table()
    for sku in ("tea", "cup", "pot", "jar", "mug"):
        await Product(sku=sku, name=sku.title()).save()

    cursor: str | None = None
    pages = []
    while True:
        page = await Product.scan().page(2, cursor)
        pages.append([product.sku for product in page.items])
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    print(pages)
    # Two, two, one; which item is on which page is DynamoDB's order, not yours to rely on.
    assert [len(skus) for skus in pages] == [2, 2, 1]
    assert sorted(sku for skus in pages for sku in skus) == ["cup", "jar", "mug", "pot", "tea"]

    first = await Product.scan().page(2)
    assert first.next_cursor is not None
    try:  # a scan's cursor is bound to the scan: not a query's, not another segment's
        await Product.scan(segment=0, total_segments=2).page(2, first.next_cursor)
    except InvalidCursorException as error:
        print("refused:", error)
    else:
        raise AssertionError("a cursor of another scan was accepted")


if __name__ == "__main__":
    asyncio.run(main())
