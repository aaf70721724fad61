"""Transactions on items you have not loaded: a model class and a key."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, Transaction, path


class Product(Model):
    model_config = DynamoConfig(table="transactions-products")

    sku: Annotated[str, PartitionKey()]
    stock: int = 0


class Order(Model):
    model_config = DynamoConfig(table="transactions-orders")

    customer: Annotated[str, PartitionKey()]
    order_id: Annotated[str, SortKey()]
    sku: str
    quantity: int


async def place_order(customer: str, order_id: str, sku: str, quantity: int) -> None:
    async with Transaction() as tx:
        # The key is given as field values and converted with the fields' types.
        tx.update(
            Product,
            {"sku": sku},
            atomic=[path(Product.stock).add(-quantity)],
            condition=Product.stock >= quantity,
        )
        tx.put(Order(customer=customer, order_id=order_id, sku=sku, quantity=quantity))


async def main() -> None:
    await Product.create_table()
    await Order.create_table()
    await Product(sku="pen", stock=10).save()

    await place_order("ada", "o1", "pen", 3)

    pen = await Product.get(sku="pen")
    print("stock left:", pen and pen.stock)
    assert pen is not None and pen.stock == 7
    assert await Order.get(customer="ada", order_id="o1") is not None

    async with Transaction() as tx:
        tx.condition_check(Product, {"sku": "pen"}, condition=Product.stock > 0)
        tx.delete(Order, {"customer": "ada", "order_id": "o1"})
    assert await Order.get(customer="ada", order_id="o1") is None


if __name__ == "__main__":
    asyncio.run(main())
