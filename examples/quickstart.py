"""pydynox quickstart: a model, client CRUD, a query and a batch on an embedded local DynamoDB.

Run it with no AWS account and no Docker:

    python examples/quickstart.py

It starts an in-memory DynamoDB (moto's server on 127.0.0.1, from ``pydynox[local]``),
creates a table, and walks through the async API, then the same calls through ``sync_``.
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from pydynox import (
    Attr,
    BatchWriter,
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    SortKey,
    SyncBatchWriter,
    path,
    set_default_client,
)
from pydynox.testing import local_client, local_dynamodb

TABLE = "quickstart"


class Note(Model):
    """A pydantic model stored in DynamoDB (it is also a valid FastAPI body and response)."""

    model_config = DynamoConfig(table="notes")
    owner: Annotated[str, PartitionKey()]
    slug: Annotated[str, SortKey()]
    text: str
    likes: int = 0


async def models() -> None:
    await Note.create_table()
    note = Note(owner="ada", slug="engines", text="The Analytical Engine weaves patterns")
    await note.save()
    await note.update(atomic=[path(Note.likes).add(1)])  # one UpdateItem, instance refreshed
    print("model:", await Note.get(owner="ada", slug="engines"))
    print("notes of ada:", [n.slug async for n in Note.query(partition_key="ada")])


async def main(client: DynamoDBClient) -> None:
    await models()
    await client.create_table(TABLE, partition_key=("pk", "S"), sort_key=("sk", "S"))

    # Create, read, update, delete.
    await client.put_item(TABLE, {"pk": "USER#1", "sk": "PROFILE", "name": "Ada", "age": 36})
    user = await client.get_item(TABLE, {"pk": "USER#1", "sk": "PROFILE"})
    print("get:", user)

    updated = await client.update_item(
        TABLE,
        {"pk": "USER#1", "sk": "PROFILE"},
        updates={"name": "Ada Lovelace"},
        atomic=[Attr("logins").add(1), Attr("tags").add({"admin"})],
    )
    print("update returned:", updated)

    try:  # a conditional write that fails hands back the stored item
        await client.put_item(
            TABLE, {"pk": "USER#1", "sk": "PROFILE"}, condition=Attr("pk").not_exists()
        )
    except ConditionalCheckFailedException as error:
        print("refused, already stored:", error.item)

    # A batch: 30 orders, sent 25 at a time as the writer fills up.
    async with BatchWriter(client, TABLE) as batch:
        for n in range(30):
            await batch.put({"pk": "USER#1", "sk": f"ORDER#{n:03d}", "total": n * 10})

    # A query: pages are fetched lazily; `limit` caps the total.
    recent = client.query(
        TABLE,
        (Attr("pk") == "USER#1") & Attr("sk").begins_with("ORDER#"),
        scan_index_forward=False,
        limit=3,
    )
    print("newest orders:", [order["sk"] async for order in recent])
    print("resume from:", recent.last_evaluated_key)

    keys = [{"pk": "USER#1", "sk": f"ORDER#{n:03d}"} for n in range(0, 30, 10)]
    print("batch_get:", await client.batch_get(TABLE, keys))

    await client.delete_item(TABLE, {"pk": "USER#1", "sk": "PROFILE"})
    print("after delete:", await client.get_item(TABLE, {"pk": "USER#1", "sk": "PROFILE"}))


def sync_main(client: DynamoDBClient) -> None:
    """The same client from plain scripts: every call has a sync_ twin."""
    with SyncBatchWriter(client, TABLE) as batch:
        batch.delete({"pk": "USER#1", "sk": "ORDER#000"})
    count = client.sync_count(TABLE, Attr("pk") == "USER#1")
    print("sync count after deleting one order:", count)
    client.sync_delete_table(TABLE)


if __name__ == "__main__":
    with local_dynamodb() as endpoint:
        print("local DynamoDB at", endpoint)
        client = local_client(endpoint)
        set_default_client(client)  # what models use when their config names no client
        asyncio.run(main(client))
        sync_main(client)
        client.sync_close()
