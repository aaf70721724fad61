"""For scripts, CLI tools and frameworks without asyncio: the sync_ twins."""

from typing import Annotated

from pydynox import (
    Attr,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    SortKey,
    SyncBatchWriter,
)


class User(Model):
    model_config = DynamoConfig(table="async-sync-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str


def main() -> None:
    User.sync_create_table()

    # Sync versions have the sync_ prefix.
    User(pk="USER#1", sk="PROFILE", name="John").sync_save()
    user = User.sync_get(pk="USER#1", sk="PROFILE")
    assert user is not None
    user.sync_update(name="Jane")
    for found in User.sync_query(partition_key="USER#1"):
        print("query:", found)

    # Client sync methods.
    client = DynamoDBClient()
    item = {"pk": "USER#2", "sk": "PROFILE", "name": "Bob"}
    client.sync_put_item("async-sync-users", item)
    key = {"pk": "USER#2", "sk": "PROFILE"}
    print("sync_get_item:", client.sync_get_item("async-sync-users", key))
    items = client.sync_batch_get("async-sync-users", [key, {"pk": "USER#1", "sk": "PROFILE"}])
    assert [i["name"] for i in items] == ["Bob", "Jane"]
    print("scan:", client.sync_scan("async-sync-users", Attr("name").begins_with("J")).all())

    with SyncBatchWriter(client, "async-sync-users") as batch:
        batch.delete(key)

    user.sync_delete()
    assert client.sync_count("async-sync-users") == 0
    client.sync_close()


if __name__ == "__main__":
    main()
