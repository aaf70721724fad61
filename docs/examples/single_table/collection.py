"""One query for a user and their orders: Collection(User, Order)."""

import asyncio

from shop_models import Order, User, setup

from pydynox import Collection, DynamoDBClient, ValidationException, set_default_client

# One Query of partition USER#{user_id}; each item is validated into its own entity's model,
# and type checkers see the items as User | Order.
users_orders = Collection(User, Order)


def describe(item: User | Order) -> str:
    match item:
        case User():
            return f"user {item.name}"
        case Order():
            return f"order {item.order_id}: {item.total}"


async def main() -> None:
    # page() cursors are signed: the client needs a secret (or PYDYNOX_CURSOR_SECRET).
    client = DynamoDBClient(cursor_secret="change-me-to-a-long-random-secret")
    set_default_client(client)
    await setup()

    items = await users_orders.query(user_id="1").all()
    print([describe(item) for item in items])
    # In sort key order: "ORDER#..." sorts before "PROFILE".
    assert [type(item).__name__ for item in items] == ["Order", "Order", "Order", "User"]

    # Backwards: the profile first, then the orders, newest first.
    user, *orders = await users_orders.query(user_id="1", scan_index_forward=False).all()
    assert isinstance(user, User) and user.name == "Ann"
    assert [order.order_id for order in orders if isinstance(order, Order)] == [10, 9, 7]

    # Pages for an HTTP API: the cursor resumes this query, and only this one.
    first = await users_orders.query(user_id="1", scan_index_forward=False).page(2)
    assert [describe(item) for item in first.items] == ["user Ann", "order 10: 99"]
    assert first.next_cursor is not None
    rest = await users_orders.query(user_id="1", scan_index_forward=False).page(
        2, first.next_cursor
    )
    assert [describe(item) for item in rest.items] == ["order 9: 12.5", "order 7: 30"]

    # Filters apply as in any query (a user has no status, so this keeps orders only).
    open_orders = users_orders.query(user_id="1", filter_condition=Order.status == "open")
    assert [describe(item) async for item in open_orders] == ["order 7: 30", "order 10: 99"]

    # An item of an entity the collection does not name (written by another program) is
    # skipped by default: the query filters on the discriminator. unknown="raise" reads it
    # and raises.
    await client.put_item("st-app", {"pk": "USER#1", "sk": "CART", "entity": "Cart"})
    assert len(await users_orders.query(user_id="1").all()) == 4
    try:
        await Collection(User, Order, unknown="raise").query(user_id="1").all()
    except ValidationException as error:
        print("refused:", error)
    else:
        raise AssertionError("expected ValidationException")


def sync_main() -> None:
    # The sync twin: the same query, with no event loop.
    items = users_orders.sync_query(user_id="2").all()
    assert [describe(item) for item in items] == ["order 11: 45", "user Bob"]


if __name__ == "__main__":
    asyncio.run(main())
    sync_main()
