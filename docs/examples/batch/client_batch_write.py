"""client.batch_write: put and delete any number of items in one call."""

import asyncio

from pydynox import DynamoDBClient


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table("events", partition_key=("id", "S"))

        await client.batch_write("events", put_items=[{"id": f"e{n}", "n": n} for n in range(40)])
        await client.batch_write(
            "events",
            put_items=[{"id": "e0", "n": 100}],  # replaces e0
            delete_keys=[{"id": f"e{n}"} for n in range(30, 40)],
        )

        count = await client.count("events")
        first = await client.get_item("events", {"id": "e0"})
        print("events:", count, "e0:", first)
        assert count == 30 and first == {"id": "e0", "n": 100}

        client.sync_batch_write("events", delete_keys=[{"id": f"e{n}"} for n in range(30)])
        assert client.sync_count("events") == 0


if __name__ == "__main__":
    asyncio.run(main())
