"""Secondary indexes on a model: declare them, create them with the table, query them."""

import asyncio
from typing import Annotated

from pydynox import (
    DynamoConfig,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    Model,
    PartitionKey,
    SortKey,
    path,
)


class Order(Model):
    model_config = DynamoConfig(table="indexes-orders")

    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    status: str
    created: str
    total: int = 0

    # Another partition key (and sort key) over the same items.
    by_status = GlobalSecondaryIndex("status-index", partition_key="status", sort_key="created")
    # The table's partition key with another sort key.
    by_total = LocalSecondaryIndex("total-index", sort_key="total")


async def main() -> None:
    await Order.create_table()  # creates both indexes
    rows = [
        ("ada", "o1", "open", "2025-01-03", 30),
        ("ada", "o2", "shipped", "2025-01-01", 10),
        ("bob", "o3", "open", "2025-01-02", 99),
    ]
    for customer, order_id, status, created, total in rows:
        await Order(
            customer=customer, order_id=order_id, status=status, created=created, total=total
        ).save()

    # All open orders, across customers, oldest first.
    open_orders = [o.order_id async for o in Order.by_status.query(partition_key="open")]
    print("open:", open_orders)
    assert open_orders == ["o3", "o1"]

    # The same query arguments as a table query: sort key conditions, filters, order, limit.
    recent = await Order.by_status.query(
        partition_key="open", sort_key_condition=Order.created >= "2025-01-03"
    ).all()
    assert [o.order_id for o in recent] == ["o1"]

    # Ada's orders by total, largest first.
    by_total = Order.by_total.query(partition_key="ada", scan_index_forward=False)
    print("ada by total:", [(o.order_id, o.total) async for o in by_total])

    cheap = await Order.by_total.query(
        partition_key="ada", sort_key_condition=path(Order.total).between(0, 20)
    ).all()
    assert [o.order_id for o in cheap] == ["o2"]

    everything = await Order.by_status.scan().all()
    assert len(everything) == 3

    # The sync twins.
    assert [o.order_id for o in Order.by_status.sync_query(partition_key="shipped")] == ["o2"]


if __name__ == "__main__":
    asyncio.run(main())
