"""Pages for HTTP APIs: page(page_size, cursor) and a signed, opaque next_cursor."""

from __future__ import annotations

import asyncio
from typing import Annotated

from pydynox import (
    DynamoConfig,
    DynamoDBClient,
    InvalidCursorException,
    Model,
    PartitionKey,
    SortKey,
    set_default_client,
)


class Order(Model):
    model_config = DynamoConfig(table="pagination-orders")
    user_id: Annotated[str, PartitionKey()]
    number: Annotated[int, SortKey()]


async def main() -> None:
    # The secret signs cursors; every server of one API must share it (or set
    # PYDYNOX_CURSOR_SECRET). Rotating it invalidates the cursors already handed out.
    set_default_client(DynamoDBClient(cursor_secret="change-me-to-a-long-random-secret"))
    await Order.create_table()
    for number in range(7):
        await Order(user_id="ada", number=number).save()

    cursor: str | None = None
    pages = []
    while True:
        page = await Order.query(partition_key="ada").page(3, cursor)
        pages.append([order.number for order in page.items])
        if page.next_cursor is None:  # None exactly when nothing follows
            break
        cursor = page.next_cursor  # hand this to the HTTP client; it sends it back
    print(pages)
    assert pages == [[0, 1, 2], [3, 4, 5], [6]]

    first = await Order.query(partition_key="ada").page(3)
    assert first.next_cursor is not None
    try:  # a cursor only works for the query it came from
        await Order.query(partition_key="bob").page(3, first.next_cursor)
    except InvalidCursorException as error:
        print("refused:", error)
    else:
        raise AssertionError("a foreign cursor was accepted")


if __name__ == "__main__":
    asyncio.run(main())
