"""Getting started: declare a model, create its table, then write, read, query and delete."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="getting-started-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    email: str | None = None
    age: int = 0


async def main() -> None:
    await User.create_table()  # waits until the table is ACTIVE

    user = User(pk="USER#1", sk="PROFILE", name="Ada", age=36)
    await user.save()

    loaded = await User.get(pk="USER#1", sk="PROFILE")
    assert loaded is not None
    print("loaded:", loaded)

    # One UpdateItem; the instance then holds what is stored.
    await loaded.update(email="ada@example.com", atomic=[path(User.age).add(1)])
    print("updated:", loaded.email, loaded.age)
    assert loaded.age == 37

    await User(pk="USER#1", sk="ORDER#001", name="first order").save()
    items = [item.sk async for item in User.query(partition_key="USER#1")]
    print("items of USER#1:", items)
    assert items == ["ORDER#001", "PROFILE"]

    await loaded.delete()
    assert await User.get(pk="USER#1", sk="PROFILE") is None
    print("deleted")


if __name__ == "__main__":
    asyncio.run(main())
