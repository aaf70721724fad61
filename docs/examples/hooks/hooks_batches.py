"""Hooks in transactions and batch writers, and in an inherited model."""

import asyncio
from typing import Annotated

from pydynox import (
    BatchWriter,
    DynamoConfig,
    Model,
    PartitionKey,
    Transaction,
    after_save,
    before_save,
)

events: list[str] = []


class Audited(Model):
    """A base with no table: shares its fields and hooks with its subclasses."""

    @before_save
    def stamp(self) -> None:
        events.append(f"base before_save {self.key_text()}")

    def key_text(self) -> str:
        return "?"


class Item(Audited):
    model_config = DynamoConfig(table="hooks-items")

    id: Annotated[str, PartitionKey()]

    def key_text(self) -> str:
        return self.id

    @after_save
    def saved(self) -> None:
        events.append(f"after_save {self.id}")


async def main() -> None:
    await Item.create_table()

    async with Transaction() as tx:
        tx.put(Item(id="t1"))  # before_* hooks run here, when the action is added
        events.append("added to the transaction")
    # after_* hooks run once the transaction has committed
    assert events == ["base before_save t1", "added to the transaction", "after_save t1"]

    events.clear()
    async with BatchWriter() as batch:
        await batch.put(Item(id="b1"))  # batch writers run the before_* hooks only
    assert events == ["base before_save b1"]
    print("ok")


if __name__ == "__main__":
    asyncio.run(main())
