"""save() writes the whole item; update() changes some fields with one UpdateItem."""

import asyncio
from typing import Annotated

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    path,
)


class User(Model):
    model_config = DynamoConfig(table="models-save-users")

    id: Annotated[str, PartitionKey()]
    name: str
    nick: str | None = None
    logins: int = 0


async def main() -> None:
    await User.create_table()
    client = DynamoDBClient()

    # An attribute the model does not declare, written by some other code.
    await client.put_item("models-save-users", {"id": "u1", "name": "Ada", "legacy": "keep me?"})

    # save() is a PutItem of the model's fields: the undeclared attribute is gone.
    user = User(id="u1", name="Ada Lovelace")
    await user.save()
    stored = await client.get_item("models-save-users", {"id": "u1"})
    print("after save:", stored)
    assert stored == {"id": "u1", "name": "Ada Lovelace", "logins": 0}

    # update() validates, sends one UpdateItem, and refreshes the instance from the result.
    await user.update(nick="ada", atomic=[path(User.logins).add(1)])
    print("after update:", user)
    assert user.nick == "ada" and user.logins == 1

    await user.update(nick=None)  # None removes the attribute
    assert "nick" not in (await client.get_item("models-save-users", {"id": "u1"}) or {})

    # Without loading the item first: returns the stored result as a model.
    fresh = await User.update_by_key(id="u1", name="Countess", atomic=[path(User.logins).add(1)])
    print("update_by_key:", fresh)
    assert fresh.logins == 2

    # update and update_by_key need the item to exist.
    try:
        await User.update_by_key(id="nobody", name="x")
    except ConditionalCheckFailedException:
        print("no item 'nobody': nothing was created")
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    await User.delete_by_key(id="u1")
    assert await User.get(id="u1") is None


if __name__ == "__main__":
    asyncio.run(main())
