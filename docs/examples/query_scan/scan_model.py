"""Scan a whole table, with a filter, and in parallel segments."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, path


class User(Model):
    model_config = DynamoConfig(table="query-users")

    id: Annotated[str, PartitionKey()]
    name: str
    age: int = 0
    tags: set[str] = set()


async def main() -> None:
    await User.create_table()
    for n in range(40):
        tags = {"admin"} if n % 10 == 0 else set()
        await User(id=f"u{n:02d}", name=f"user {n}", age=n, tags=tags).save()

    admins = await User.scan(filter_condition=path(User.tags).contains("admin")).all()
    print("admins:", sorted(u.id for u in admins))
    assert len(admins) == 4

    # At most five items, whatever the table holds.
    assert len(await User.scan(limit=5).all()) == 5

    # A parallel scan: four segments read at the same time; together they cover the table.
    async def segment(n: int) -> list[User]:
        return await User.scan(segment=n, total_segments=4, filter_condition=User.age >= 18).all()

    parts = await asyncio.gather(*(segment(n) for n in range(4)))
    adults = [u for part in parts for u in part]
    print("adults:", len(adults), "from segments of", [len(p) for p in parts])
    assert len(adults) == 22


if __name__ == "__main__":
    asyncio.run(main())
