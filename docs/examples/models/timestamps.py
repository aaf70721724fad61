"""CreatedAt() and UpdatedAt(): timestamps pydynox keeps for you (UTC)."""

import asyncio
from datetime import datetime
from typing import Annotated

from pydynox import (
    BatchWriter,
    ConditionalCheckFailedException,
    CreatedAt,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    UpdatedAt,
)


class Post(Model):
    model_config = DynamoConfig(table="models-posts")

    id: Annotated[str, PartitionKey()]
    title: str
    created_at: Annotated[datetime | None, CreatedAt()] = None
    updated_at: Annotated[datetime | None, UpdatedAt()] = None


async def main() -> None:
    await Post.create_table()
    client = DynamoDBClient()

    post = Post(id="p1", title="Hello")
    await post.save()  # first save: both set to the same UTC now
    print("saved:", post.created_at, post.updated_at)
    assert post.created_at is not None and post.created_at == post.updated_at
    created = post.created_at

    # Stored as plain ISO 8601 strings, as any datetime field.
    print("stored:", await client.get_item("models-posts", {"id": "p1"}))

    # Every later write sets updated_at; created_at stays.
    await post.update(title="Hello, world")
    loaded = await Post.get(id="p1")
    assert loaded is not None
    loaded.title = "Hello again"
    await loaded.save_changes()
    assert loaded.created_at == created and loaded.updated_at is not None
    assert loaded.updated_at > created

    # A new instance saved over a stored item would replace its created_at: refused.
    try:
        await Post(id="p1", title="Impostor").save()
    except ConditionalCheckFailedException:
        print("p1 exists: load it (or update it) instead of saving a new instance over it")
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    # Batches stamp what they write too (they take no conditions, so nothing is guarded).
    async with BatchWriter() as batch:
        batch.put(Post(id="p2", title="Batch"))
    stored = await client.get_item("models-posts", {"id": "p2"})
    assert stored is not None and "created_at" in stored and "updated_at" in stored


if __name__ == "__main__":
    asyncio.run(main())
