"""SyncBatchWriter: the same writer for sync code; the 25th put sends the batch."""

from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SyncBatchWriter


class Product(Model):
    model_config = DynamoConfig(table="batch-products")

    sku: Annotated[str, PartitionKey()]
    name: str


def main() -> None:
    Product.sync_create_table()
    with SyncBatchWriter() as batch:
        for n in range(30):
            batch.put(Product(sku=f"SKU-{n}", name=f"product {n}"))
        assert batch.pending == 5  # 25 already sent
        batch.flush()  # send the rest now (the end of the block would too)
        assert batch.pending == 0

    print("products:", Product.sync_count())
    assert Product.sync_count() == 30


if __name__ == "__main__":
    main()
