"""Lifecycle hooks: plain methods that run around saves, updates, deletes and loads."""

import asyncio
from datetime import datetime, timezone
from typing import Annotated

from pydynox import (
    DynamoConfig,
    Model,
    PartitionKey,
    after_delete,
    after_load,
    after_save,
    after_update,
    before_delete,
    before_save,
    before_update,
)

events: list[str] = []


class User(Model):
    model_config = DynamoConfig(table="hooks-users")

    id: Annotated[str, PartitionKey()]
    email: str
    updated_at: datetime | None = None

    @before_save
    def normalise(self) -> None:
        self.email = self.email.strip().lower()
        self.updated_at = datetime.now(timezone.utc)
        events.append("before_save")

    @after_save
    def saved(self) -> None:
        events.append("after_save")

    @before_update
    def updating(self) -> None:
        events.append("before_update")

    @after_update
    def updated(self) -> None:
        events.append("after_update")

    @after_load
    def loaded(self) -> None:
        events.append(f"after_load {self.id}")

    @before_delete
    def deleting(self) -> None:
        events.append("before_delete")

    @after_delete
    def deleted(self) -> None:
        events.append("after_delete")


async def main() -> None:
    await User.create_table()

    user = User(id="u1", email="  Ada@Example.COM ")
    await user.save()
    assert user.email == "ada@example.com" and user.updated_at is not None

    loaded = await User.get(id="u1")  # also after query, scan and batch_get
    assert loaded is not None and loaded.email == "ada@example.com"

    await loaded.update(email="ada@lovelace.org")
    await loaded.delete()

    print(events)
    assert events == [
        "before_save",
        "after_save",
        "after_load u1",
        "before_update",
        "after_update",
        "before_delete",
        "after_delete",
    ]


if __name__ == "__main__":
    asyncio.run(main())
