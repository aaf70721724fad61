"""SyncBatchWriter: the same writer for sync code; each full batch of 25 is sent at once."""

from typing import Annotated

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, SortKey, SyncBatchWriter


class Order(Model):
    model_config = DynamoConfig(table="batch-sync-orders")

    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    total: int = 0


def main() -> None:
    Order.sync_create_table()

    # Model instances go to their own table; the default client is used.
    with SyncBatchWriter() as batch:
        for n in range(60):
            # put() sends each full batch of 25 as soon as it is full.
            batch.put(Order(customer="ada", order_id=f"o{n:03d}", total=n))
        print("still buffered before exit:", batch.pending)  # sent when the block exits
        assert batch.pending == 10

    assert Order.sync_count(partition_key="ada") == 60

    # Plain dicts need a table: the writer's, or one given to put()/delete().
    client = DynamoDBClient()
    with SyncBatchWriter(client, "batch-sync-orders") as batch:
        for n in range(50):
            batch.delete({"customer": "ada", "order_id": f"o{n:03d}"})
        batch.put({"customer": "bob", "order_id": "o001", "total": 5})
        batch.flush()  # send the rest now (the end of the block would too)
        assert batch.pending == 0

    print(
        "ada:",
        Order.sync_count(partition_key="ada"),
        "bob:",
        Order.sync_count(partition_key="bob"),
    )
    assert Order.sync_count(partition_key="ada") == 10


if __name__ == "__main__":
    main()
