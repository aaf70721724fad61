"""Declaring a model: keys, typed fields, a nested model, a version, a TTL and two indexes."""

import asyncio
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel

from pydynox import (
    TTL,
    DynamoConfig,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    Model,
    PartitionKey,
    SortKey,
    Version,
)


class Address(BaseModel):
    street: str
    city: str


class User(Model):
    model_config = DynamoConfig(table="models-users")  # a pydantic ConfigDict plus table and client

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    email: str | None = None
    age: int = 0
    balance: Decimal = Decimal("0")
    tags: set[str] = set()
    history: list[str] = []
    address: Address | None = None  # stored as a map
    version: Annotated[int, Version()] = 0  # optimistic locking
    expires_at: Annotated[datetime | None, TTL()] = None  # epoch seconds in DynamoDB

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")
    by_age = LocalSecondaryIndex("age-index", sort_key="age")


async def main() -> None:
    await User.create_table()  # keys, both indexes and TTL on expires_at

    user = User(
        pk="USER#1",
        sk="PROFILE",
        name="Ada",
        email="ada@example.com",
        balance=Decimal("10.50"),
        tags={"admin"},
        address=Address(street="1 Main St", city="London"),
        expires_at=datetime.now(timezone.utc) + timedelta(days=30),
    )
    await user.save()
    print("version after the first save:", user.version)
    assert user.version == 1

    loaded = await User.get(pk="USER#1", sk="PROFILE")
    assert loaded is not None and loaded.address is not None
    print("city:", loaded.address.city, "balance:", loaded.balance)
    assert loaded.balance == Decimal("10.5") and loaded.tags == {"admin"}

    # Still a plain pydantic model: the indexes are not fields.
    schema = User.model_json_schema()
    assert "by_email" not in schema["properties"]
    print("fields:", sorted(schema["properties"]))


if __name__ == "__main__":
    asyncio.run(main())
