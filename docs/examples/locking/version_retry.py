"""Read, change, write; on a conflict, read again and retry."""

import asyncio
from typing import Annotated

from pydynox import ConditionalCheckFailedException, DynamoConfig, Model, PartitionKey, Version


class Cart(Model):
    model_config = DynamoConfig(table="locking-carts")

    id: Annotated[str, PartitionKey()]
    items: list[str] = []
    version: Annotated[int, Version()] = 0


async def add_item(cart_id: str, item: str, attempts: int = 10) -> Cart:
    for _ in range(attempts):
        cart = await Cart.get(id=cart_id, consistent_read=True)
        if cart is None:
            cart = Cart(id=cart_id)
        cart.items = [*cart.items, item]
        try:
            await cart.save()
            return cart
        except ConditionalCheckFailedException:
            await asyncio.sleep(0.01)  # someone else wrote first: read again
    raise RuntimeError(f"cart {cart_id} is too busy")


async def main() -> None:
    await Cart.create_table()

    # Five concurrent writers: no update is lost.
    await asyncio.gather(*(add_item("c1", f"item-{n}") for n in range(5)))

    cart = await Cart.get(id="c1")
    assert cart is not None
    print("items:", sorted(cart.items), "version:", cart.version)
    assert sorted(cart.items) == [f"item-{n}" for n in range(5)] and cart.version == 5


if __name__ == "__main__":
    asyncio.run(main())
