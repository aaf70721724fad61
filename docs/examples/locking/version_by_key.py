"""Without an instance: update_by_key and delete_by_key check a version only when given one."""

import asyncio
from typing import Annotated

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    Model,
    PartitionKey,
    Transaction,
    Version,
)


class Setting(Model):
    model_config = DynamoConfig(table="locking-settings")

    name: Annotated[str, PartitionKey()]
    value: str
    version: Annotated[int, Version()] = 0


async def main() -> None:
    await Setting.create_table()
    await Setting(name="theme", value="light").save()  # version 1

    updated = await Setting.update_by_key(name="theme", value="dark", version=1)  # -> version 2
    print("updated:", updated)
    assert updated.version == 2

    try:
        await Setting.update_by_key(name="theme", value="blue", version=1)
    except ConditionalCheckFailedException:
        print("version 1 is gone: refused")
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    unchecked = await Setting.update_by_key(name="theme", value="green")  # no version= : no check
    assert unchecked.version == 2  # and the version is left as it is

    # Transactions apply the same version conditions as save/update/delete.
    setting = await Setting.get(name="theme")
    assert setting is not None
    async with Transaction() as tx:
        tx.update(setting, updates={"value": "purple"})
    assert setting.version == 3

    await Setting.delete_by_key(name="theme", version=3)
    assert await Setting.get(name="theme") is None


if __name__ == "__main__":
    asyncio.run(main())
