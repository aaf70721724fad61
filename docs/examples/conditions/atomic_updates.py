"""Atomic updates: change attributes in place, in one UpdateItem, without reading them first."""

import asyncio
from typing import Annotated

from pydantic import BaseModel

from pydynox import DynamoConfig, Model, PartitionKey, path


class Address(BaseModel):
    city: str
    zip: str | None = None


class User(Model):
    model_config = DynamoConfig(table="conditions-atomic-users")

    id: Annotated[str, PartitionKey()]
    name: str
    logins: int = 0
    credits: int | None = None
    tags: set[str] = set()
    history: list[str] = []
    nick: str | None = None
    address: Address | None = None


async def main() -> None:
    await User.create_table()
    user = User(
        id="u1",
        name="Ada",
        tags={"new"},
        history=["signup"],
        nick="ada",
        address=Address(city="London"),
    )
    await user.save()

    await user.update(
        atomic=[
            path(User.logins).add(1),  # numbers: ADD, starting from 0 when missing
            path(User.credits).set_if_not_exists(100),  # only if the attribute is missing
            path(User.tags).add({"admin"}),  # sets: add members
            path(User.history).append(["login"]),  # lists: at the end
            path(User.nick).remove(),  # drop the attribute
            path(User.address)["city"].set("Paris"),  # a nested path
        ]
    )
    # One action per path in a request: DynamoDB refuses two on the same attribute.
    await user.update(
        atomic=[
            path(User.tags).delete({"new"}),  # sets: remove members
            path(User.history).prepend(["invited"]),  # lists: at the front
        ]
    )
    print("after update:", user)
    assert user.logins == 1 and user.credits == 100
    assert user.tags == {"admin"}
    assert user.history == ["invited", "signup", "login"]
    assert user.nick is None
    assert user.address is not None and user.address.city == "Paris"

    # An empty set cannot be stored: setting one removes the attribute, like update(tags=set()).
    await user.update(atomic=[path(User.tags).set(set())])
    assert user.tags == set()

    # Field values and atomic actions mix in one call; set_if_not_exists keeps what is there.
    await user.update(name="Ada L.", atomic=[path(User.credits).set_if_not_exists(5)])
    assert user.credits == 100

    # Counters from many tasks at once: every increment counts.
    await asyncio.gather(
        *(User.update_by_key(id="u1", atomic=[path(User.logins).add(1)]) for _ in range(10))
    )
    fresh = await User.get(id="u1")
    print("logins:", fresh and fresh.logins)
    assert fresh is not None and fresh.logins == 11


if __name__ == "__main__":
    asyncio.run(main())
