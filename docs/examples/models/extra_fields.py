"""A model with extra="allow" keeps attributes it does not declare, and writes them back."""

import asyncio
from typing import Annotated, Any

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey


class Flexible(Model):
    model_config = DynamoConfig(table="models-flexible", extra="allow")

    id: Annotated[str, PartitionKey()]
    name: str


async def main() -> None:
    await Flexible.create_table()
    client = DynamoDBClient()
    await client.put_item("models-flexible", {"id": "f1", "name": "a", "legacy": "kept"})

    item = await Flexible.get(id="f1")
    assert item is not None
    item.name = "b"
    await item.save()

    stored: dict[str, Any] | None = await client.get_item("models-flexible", {"id": "f1"})
    print("stored:", stored)
    assert stored == {"id": "f1", "name": "b", "legacy": "kept"}


if __name__ == "__main__":
    asyncio.run(main())
