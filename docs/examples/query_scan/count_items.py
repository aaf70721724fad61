"""Count matching items without reading them (Select=COUNT, every page)."""

import asyncio
from typing import Annotated

from pydynox import Attr, DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey


class Order(Model):
    model_config = DynamoConfig(table="query-count-orders")

    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    total: int = 0


async def main() -> None:
    await Order.create_table()
    for customer, n in (("ada", 5), ("bob", 3)):
        for i in range(n):
            await Order(customer=customer, order_id=f"o{i}", total=i * 100).save()

    everything = await Order.count()  # a Scan
    of_ada = await Order.count(partition_key="ada")  # a Query
    big = await Order.count(partition_key="ada", filter_condition=Order.total >= 200)
    print("all:", everything, "ada:", of_ada, "ada >= 200:", big)
    assert (everything, of_ada, big) == (8, 5, 3)

    client = DynamoDBClient()
    assert await client.count("query-count-orders", Attr("customer") == "bob") == 3


if __name__ == "__main__":
    asyncio.run(main())
