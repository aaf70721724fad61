"""An index keyed by several plain attributes: Order.by_status (status; placed_on, total)."""

import asyncio
from datetime import date
from decimal import Decimal

from shop_models import Order, setup

from pydynox import ValidationException, path


async def main() -> None:
    await setup()

    # Every partition attribute by keyword (here one: status).
    open_orders = await Order.by_status.query(status="open").all()
    print("open:", [(o.placed_on.isoformat(), o.total) for o in open_orders])
    # Sorted by placed_on, then by total as a number (no padding needed: it is an N).
    assert [o.order_id for o in open_orders] == [7, 11, 10]

    # Then sort attributes from the left, each by keyword ...
    june_1 = Order.by_status.query(status="open", placed_on=date(2025, 6, 1))
    assert [o.order_id async for o in june_1] == [7, 11]

    # ... and a range on the next one in sort_key_condition.
    big = Order.by_status.query(
        status="open", placed_on=date(2025, 6, 1), sort_key_condition=path(Order.total) > 40
    )
    assert [o.total async for o in big] == [Decimal("45")]
    since = Order.by_status.query(
        status="open", sort_key_condition=path(Order.placed_on) >= date(2025, 6, 2)
    )
    assert [o.order_id async for o in since] == [10]

    # A sort attribute without the ones before it cannot be a key condition: refused.
    try:
        Order.by_status.query(status="open", total=Decimal("30"))
    except ValidationException as error:
        print("refused:", error)
    else:
        raise AssertionError("expected ValidationException")


if __name__ == "__main__":
    asyncio.run(main())
