"""Model operations are async by default."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="async-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    age: int = 0


async def main() -> None:
    await User.create_table()

    user = User(pk="USER#1", sk="PROFILE", name="John", age=30)
    await user.save()

    loaded = await User.get(pk="USER#1", sk="PROFILE")
    assert loaded is not None
    print("get:", loaded)

    await loaded.update(name="Jane", atomic=[path(User.age).add(1)])
    print("update:", loaded)
    assert (loaded.name, loaded.age) == ("Jane", 31)

    await User(pk="USER#2", sk="PROFILE", name="Bob").save()
    users = await User.batch_get(
        [{"pk": "USER#1", "sk": "PROFILE"}, {"pk": "USER#2", "sk": "PROFILE"}]
    )
    print("batch_get:", [u.name for u in users])
    assert [u.name for u in users] == ["Jane", "Bob"]

    await loaded.delete()
    assert await User.get(pk="USER#1", sk="PROFILE") is None


if __name__ == "__main__":
    asyncio.run(main())
