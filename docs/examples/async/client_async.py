"""DynamoDBClient methods are async by default: plain Python values in and out."""

import asyncio

from pydynox import Attr, DynamoDBClient


async def main() -> None:
    async with DynamoDBClient() as client:  # reads the usual AWS environment
        await client.create_table(
            "async-client-users", partition_key=("pk", "S"), sort_key=("sk", "S")
        )
        key = {"pk": "USER#1", "sk": "PROFILE"}

        await client.put_item("async-client-users", {**key, "name": "John", "age": 30})
        item = await client.get_item("async-client-users", key)
        print("get_item:", item)
        assert item == {"pk": "USER#1", "sk": "PROFILE", "name": "John", "age": 30}

        new = await client.update_item(
            "async-client-users", key, updates={"name": "Jane"}, atomic=[Attr("age").add(1)]
        )
        print("update_item returned:", new)
        assert new["age"] == 31

        await client.batch_write(
            "async-client-users", put_items=[{"pk": "USER#2", "sk": "PROFILE", "name": "Bob"}]
        )
        items = await client.batch_get(
            "async-client-users", [key, {"pk": "USER#2", "sk": "PROFILE"}]
        )
        print("batch_get:", [i["name"] for i in items])

        await client.delete_item("async-client-users", key)
        assert await client.get_item("async-client-users", key) is None


if __name__ == "__main__":
    asyncio.run(main())
