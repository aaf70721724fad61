"""Get and query an entity by the fields of its key templates."""

import asyncio

from shop_models import Order, User, setup

from pydynox import path


async def main() -> None:
    await setup()

    # get() takes the fields the table key templates use, not pk and sk.
    ann = await User.get(user_id="1")
    assert ann is not None and ann.name == "Ann"
    order = await Order.get(user_id="1", order_id=9)
    assert order is not None and order.status == "shipped"

    # The partition from user_id; the sort key template's fields are missing, so the query
    # reads the sort keys that begin with what comes before them: "ORDER#". Ann's profile
    # shares the partition, and is not read.
    orders = await Order.query(user_id="1").all()
    print("Ann's orders:", [o.order_id for o in orders])
    assert [o.order_id for o in orders] == [7, 9, 10]  # padded: 10 sorts after 9

    # Every field of the sort key template given: the sort key equals it.
    assert [o.order_id for o in await Order.query(user_id="1", order_id=10).all()] == [10]

    # The usual query options still apply: newest first, and any sort key condition of your
    # own (it replaces the prefix).
    latest = await Order.query(user_id="1", scan_index_forward=False).first()
    assert latest is not None and latest.order_id == 10
    later = Order.query(user_id="1", sort_key_condition=path(Order.sk) >= "ORDER#00000009")
    assert [o.order_id async for o in later] == [9, 10]
    assert await Order.count(user_id="1") == 3

    # batch_get (and update_by_key, delete_by_key) take the template fields as the key too.
    both = await Order.batch_get(
        [{"user_id": "1", "order_id": 7}, {"user_id": "2", "order_id": 11}]
    )
    assert sorted(o.order_id for o in both) == [7, 11]


if __name__ == "__main__":
    asyncio.run(main())
