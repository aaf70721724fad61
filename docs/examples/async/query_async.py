"""Query returns a lazy result: iterate it with async for, or await all() / first()."""

import asyncio
from typing import Annotated

from pydynox import Attr, DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey, path


class Order(Model):
    model_config = DynamoConfig(table="async-orders")

    user_id: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    total: int


async def main() -> None:
    await Order.create_table()
    for n in range(5):
        await Order(user_id="USER#1", order_id=f"ORDER#{n}", total=n * 10).save()

    # Pages are fetched as you iterate.
    async for order in Order.query(partition_key="USER#1"):
        print(order.order_id, order.total)

    big = await Order.query(partition_key="USER#1", filter_condition=Order.total >= 30).all()
    print("total >= 30:", [o.order_id for o in big])
    assert [o.order_id for o in big] == ["ORDER#3", "ORDER#4"]

    latest = await Order.query(
        partition_key="USER#1",
        sort_key_condition=path(Order.order_id).begins_with("ORDER#"),
        scan_index_forward=False,
    ).first()
    assert latest is not None and latest.order_id == "ORDER#4"

    # The client has the same kind of result, with plain dicts.
    client = DynamoDBClient()
    rows = [row async for row in client.query("async-orders", Attr("user_id") == "USER#1", limit=2)]
    print("client query:", rows)
    assert len(rows) == 2


if __name__ == "__main__":
    asyncio.run(main())
