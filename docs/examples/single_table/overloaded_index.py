"""One index, two access patterns: users by email and orders by number (gsi1)."""

import asyncio

from shop_models import Order, User, setup


async def main() -> None:
    await setup()

    # A User puts EMAIL#{email} / USER in gsi1pk / gsi1sk; an Order ORDER#{order_id:>08} /
    # ORDER. Each entity's index query takes the fields of its own templates.
    ann = await User.by_gsi1.query(email="ann@example.com").first()
    print("by email:", ann and ann.name)
    assert ann is not None and ann.user_id == "1"

    order = await Order.by_gsi1.query(order_id=11).first()
    print("by number:", order and (order.user_id, order.order_id))
    assert order is not None and order.user_id == "2"

    # Each entity's query reads only its own items (it filters on the discriminator).
    assert await User.by_gsi1.query(email="nobody@example.com").first() is None


if __name__ == "__main__":
    asyncio.run(main())
