"""refresh() reloads an instance; save_changes() writes only the fields that changed."""

import asyncio
from typing import Annotated

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    ValidationException,
    Version,
)


class User(Model):
    model_config = DynamoConfig(table="models-refresh-users")

    id: Annotated[str, PartitionKey()]
    name: str
    logins: int = 0
    tags: list[str] = []
    version: Annotated[int, Version()] = 0


async def main() -> None:
    await User.create_table()
    client = DynamoDBClient()
    await User(id="u1", name="Ada").save()

    user = await User.get(id="u1")
    assert user is not None

    # Someone else changes the item; refresh() reloads this instance in place.
    await client.update_item(
        "models-refresh-users", {"id": "u1"}, updates={"logins": 7, "version": 2}
    )
    await user.refresh()
    print("refreshed:", user)
    assert user.logins == 7 and user.version == 2

    # Change a field and a list in place: save_changes() sends one UpdateItem of just those
    # two attributes (checking and incrementing the version), not the whole item.
    user.name = "Ada Lovelace"
    user.tags.append("math")
    await user.save_changes()
    print("saved changes:", await client.get_item("models-refresh-users", {"id": "u1"}))
    assert user.version == 3

    # Nothing changed since: nothing is sent.
    await user.save_changes()

    # A stale copy cannot overwrite newer changes.
    stale = await User.get(id="u1")
    assert stale is not None
    user.logins += 1
    await user.save_changes()
    stale.name = "Countess"
    try:
        await stale.save_changes()
    except ConditionalCheckFailedException:
        print("stale copy refused; refresh() and try again")
        await stale.refresh()
        stale.name = "Countess"
        await stale.save_changes()

    # A new instance has nothing to compare with: save() writes it whole.
    try:
        await User(id="u2", name="Grace").save_changes()
    except ValidationException as error:
        print("refused:", error)
    else:
        raise AssertionError("expected ValidationException")


if __name__ == "__main__":
    asyncio.run(main())
