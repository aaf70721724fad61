"""batch_get: any number of keys, in key order; missing items are left out."""

import asyncio
from typing import Annotated

from pydynox import BatchWriter, DynamoConfig, DynamoDBClient, Model, PartitionKey


class User(Model):
    model_config = DynamoConfig(table="batch-users")

    id: Annotated[str, PartitionKey()]
    name: str


async def main() -> None:
    await User.create_table()
    async with BatchWriter() as batch:
        for n in range(250):
            await batch.put(User(id=f"u{n}", name=f"user {n}"))

    # 300 keys, 50 of them missing: three requests of at most 100 keys.
    keys = [{"id": f"u{n}"} for n in range(300)]
    users = await User.batch_get(keys)
    print("found:", len(users), "first:", users[0].id, "last:", users[-1].id)
    assert len(users) == 250 and users[0].id == "u0"

    # Duplicate keys are asked for once.
    twice = await User.batch_get([{"id": "u1"}, {"id": "u1"}])
    assert [u.id for u in twice] == ["u1"]

    # The client returns plain dicts.
    client = DynamoDBClient()
    items = await client.batch_get("batch-users", [{"id": "u7"}, {"id": "nobody"}, {"id": "u3"}])
    print("client batch_get:", items)
    assert items == [{"id": "u7", "name": "user 7"}, {"id": "u3", "name": "user 3"}]


if __name__ == "__main__":
    asyncio.run(main())
