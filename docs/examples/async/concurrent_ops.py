"""Run independent operations at the same time with asyncio.gather."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey


class Product(Model):
    model_config = DynamoConfig(table="async-products")

    sku: Annotated[str, PartitionKey()]
    name: str
    stock: int = 0


async def main() -> None:
    await Product.create_table()

    # Ten saves in flight at once, over one pooled connection set.
    await asyncio.gather(*(Product(sku=f"SKU-{n}", name=f"product {n}").save() for n in range(10)))

    first, second, missing = await asyncio.gather(
        Product.get(sku="SKU-1"),
        Product.get(sku="SKU-2"),
        Product.get(sku="SKU-404"),
    )
    print("got:", first, second, missing)
    assert first is not None and second is not None and missing is None

    count = await Product.count()
    print("products:", count)
    assert count == 10


if __name__ == "__main__":
    asyncio.run(main())
