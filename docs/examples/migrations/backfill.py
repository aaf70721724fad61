"""The shape of a data migration: scan a page, transform, write back, remember where you are."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

from pydynox import DynamoConfig, Model, PartitionKey, SyncBatchWriter


class Product(Model):
    model_config = DynamoConfig(table="migration-products", extra="allow")
    sku: Annotated[str, PartitionKey()]
    price_cents: int = 0
    schema_version: int = 1


def migrate(checkpoint: Path, page_size: int = 4) -> int:
    """Version 2 stores prices in cents as ``price_cents``; version 1 had ``price`` (euros).
    Idempotent (version-2 items are skipped) and resumable (the checkpoint holds the last key
    of the last page fully written)."""
    start: dict[str, Any] | None = None
    if checkpoint.exists():
        start = json.loads(checkpoint.read_text())
    migrated = 0
    while True:
        page = Product.sync_scan(page_size=page_size, limit=page_size, last_evaluated_key=start)
        items = page.all()
        with SyncBatchWriter() as batch:
            for product in items:
                if product.schema_version >= 2:
                    continue  # already migrated: a second run changes nothing
                extra = product.model_extra or {}
                product.price_cents = round(float(extra.pop("price", 0)) * 100)
                product.schema_version = 2
                batch.put(product)
                migrated += 1
        start = page.last_evaluated_key
        if start is None:
            checkpoint.unlink(missing_ok=True)
            return migrated
        checkpoint.write_text(json.dumps(start))  # written only after the page is stored
        print(f"migrated {migrated} so far", file=sys.stderr)


if __name__ == "__main__":
    from pydynox import DynamoDBClient, set_default_client

    set_default_client(DynamoDBClient())
    Product.sync_create_table()
    client = DynamoDBClient()
    client.sync_batch_write(
        "migration-products", put_items=[{"sku": f"p{n}", "price": n + 0.5} for n in range(10)]
    )
    with tempfile.TemporaryDirectory() as folder:
        checkpoint = Path(folder) / "checkpoint.json"
        first, second = migrate(checkpoint), migrate(checkpoint)
    print("first run:", first, "second run:", second)
    assert (first, second) == (10, 0)
    product = Product.sync_get(sku="p3")
    assert product is not None and product.price_cents == 350 and product.schema_version == 2
    assert "price" not in (product.model_extra or {})
