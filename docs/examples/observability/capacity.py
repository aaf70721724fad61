"""What calls cost: return_consumed_capacity, client.capacity(), QueryResult.consumed_capacity."""

import asyncio

from pydynox import Attr, DynamoDBClient


async def main() -> None:
    # Every call asks DynamoDB for its consumed capacity: TOTAL, or INDEXES for the table and
    # each index apart.
    async with DynamoDBClient(return_consumed_capacity="TOTAL") as client:
        await client.create_table("obs-orders", partition_key=("pk", "S"), sort_key=("sk", "S"))
        for i in range(3):
            await client.put_item("obs-orders", {"pk": "USER#1", "sk": f"ORDER#{i}", "total": i})

        # A query's capacity, summed over its requests, once it has been iterated.
        result = client.query("obs-orders", key_condition_expression=Attr("pk") == "USER#1")
        orders = await result.all()
        spent = result.consumed_capacity
        assert spent is not None
        print(f"query of {len(orders)} orders: {spent.read_units} read units")
        assert len(orders) == 3 and spent.read_units > 0

    # Any block of calls, single items, models, batches and transactions alike: the meter
    # makes them ask for their capacity even on a client that does not.
    async with DynamoDBClient() as client:
        with client.capacity() as used:
            await client.get_item("obs-orders", {"pk": "USER#1", "sk": "ORDER#0"})
            await client.put_item("obs-orders", {"pk": "USER#1", "sk": "ORDER#9", "total": 9})
        consumed = used.consumed
        print(f"{used.calls} calls: read {consumed.read_units}, write {consumed.write_units}")
        print("by table:", dict(consumed.tables))
        assert used.calls == 2
        assert consumed.read_units > 0 and consumed.write_units > 0
        assert set(consumed.tables) == {"obs-orders"}


asyncio.run(main())
