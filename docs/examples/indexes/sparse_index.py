"""A sparse index: items whose index key is None are not stored in the index."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, GlobalSecondaryIndex, Model, PartitionKey


class User(Model):
    model_config = DynamoConfig(table="indexes-users")

    id: Annotated[str, PartitionKey()]
    name: str
    email: str | None = None  # None: the attribute is left out, so the item is not indexed

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")


async def main() -> None:
    await User.create_table()
    await User(id="u1", name="Ada", email="ada@example.com").save()
    await User(id="u2", name="Bob").save()

    indexed = await User.by_email.scan().all()
    print("in the index:", [u.id for u in indexed])
    assert [u.id for u in indexed] == ["u1"]

    found = await User.by_email.query(partition_key="ada@example.com").first()
    print("by email:", found)
    assert found is not None and found.name == "Ada"
    assert await User.by_email.query(partition_key="bob@example.com").first() is None


if __name__ == "__main__":
    asyncio.run(main())
