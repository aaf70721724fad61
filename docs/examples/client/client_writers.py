"""BatchWriter and Transaction with an explicit client and plain dicts."""

import asyncio

from pydynox import Attr, BatchWriter, DynamoDBClient, SyncBatchWriter, Transaction


async def main() -> None:
    client = DynamoDBClient()
    await client.create_table(
        "client-writers-users", partition_key=("pk", "S"), sort_key=("sk", "S")
    )
    await client.create_table(
        "client-writers-orders", partition_key=("pk", "S"), sort_key=("sk", "S")
    )

    async with BatchWriter(client, "client-writers-users") as batch:
        await batch.put(
            {"pk": "USER#1", "sk": "PROFILE", "active": True, "orders": 0}
        )  # awaited: sends each full batch of 25 as you go
        batch.put({"pk": "USER#2", "sk": "PROFILE", "active": False})  # not awaited: sent at exit
        batch.delete({"pk": "USER#3", "sk": "PROFILE"})

    with SyncBatchWriter(client, "client-writers-users") as sync_batch:
        sync_batch.put({"pk": "USER#4", "sk": "PROFILE"})  # the 25th put sends the batch

    async with Transaction(client) as tx:  # commits on exit; nothing is sent on an exception
        tx.put("client-writers-orders", {"pk": "USER#1", "sk": "ORDER#1", "total": 10})
        tx.update(
            "client-writers-users",
            {"pk": "USER#1", "sk": "PROFILE"},
            atomic=[Attr("orders").add(1)],
            condition=Attr("active") == True,  # noqa: E712
        )

    user = await client.get_item("client-writers-users", {"pk": "USER#1", "sk": "PROFILE"})
    print("user:", user)
    assert user is not None and user["orders"] == 1
    assert await client.count("client-writers-users") == 3


if __name__ == "__main__":
    asyncio.run(main())
