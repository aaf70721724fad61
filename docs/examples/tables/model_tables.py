"""A model manages its own table: create, check, delete."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey


class User(Model):
    model_config = DynamoConfig(table="tables-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str


async def main() -> None:
    if not await User.table_exists():
        await User.create_table()  # waits until the table (and its indexes) is ACTIVE
    print("exists:", await User.table_exists())

    # Key types come from the field types: str -> S, int/Decimal -> N, bytes -> B.
    client = DynamoDBClient()
    await client.put_item("tables-users", {"pk": "a", "sk": "b", "name": "c"})

    await User.delete_table()  # waits until it is gone
    assert not await User.table_exists()

    # Create without waiting, then wait when you need the table.
    await User.create_table(wait=False)
    await client.wait_for_table("tables-users")
    assert await User.table_exists()


if __name__ == "__main__":
    asyncio.run(main())
