"""client.batch_write: put and delete any number of items in one call."""

import asyncio

from pydynox import DynamoDBClient


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table("batch-events", partition_key=("id", "S"))

        await client.batch_write(
            "batch-events", put_items=[{"id": f"e{n}", "n": n} for n in range(40)]
        )
        await client.batch_write(
            "batch-events",
            put_items=[{"id": "e0", "n": 100}],  # replaces e0
            delete_keys=[{"id": f"e{n}"} for n in range(30, 40)],
        )

        count = await client.count("batch-events")
        first = await client.get_item("batch-events", {"id": "e0"})
        print("events:", count, "e0:", first)
        assert count == 30 and first == {"id": "e0", "n": 100}

        client.sync_batch_write("batch-events", delete_keys=[{"id": f"e{n}"} for n in range(30)])
        assert client.sync_count("batch-events") == 0


if __name__ == "__main__":
    asyncio.run(main())
