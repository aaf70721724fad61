"""BatchWriter: many puts and deletes, sent 25 per request, unprocessed items retried."""

import asyncio
from typing import Annotated

from pydynox import BatchWriter, DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey


class Order(Model):
    model_config = DynamoConfig(table="batch-orders")

    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    total: int = 0


async def main() -> None:
    await Order.create_table()

    # Model instances go to their own table; the default client is used.
    async with BatchWriter() as batch:
        for n in range(60):
            # Awaiting put() sends each full batch of 25 as you go, so memory stays bounded.
            await batch.put(Order(customer="ada", order_id=f"o{n:03d}", total=n))
        print("still buffered before exit:", batch.pending)  # sent when the block exits
        assert batch.pending == 10

    assert await Order.count(partition_key="ada") == 60

    # Plain dicts need a table: the writer's, or one given to put()/delete().
    client = DynamoDBClient()
    async with BatchWriter(client, "batch-orders") as batch:
        for n in range(50):
            batch.delete({"customer": "ada", "order_id": f"o{n:03d}"})  # not awaited: sent at exit
        batch.put({"customer": "bob", "order_id": "o001", "total": 5})

    print(
        "ada:",
        await Order.count(partition_key="ada"),
        "bob:",
        await Order.count(partition_key="bob"),
    )
    assert await Order.count(partition_key="ada") == 10


if __name__ == "__main__":
    asyncio.run(main())
