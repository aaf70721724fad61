"""The app of the single-table page: users and their orders, in one table ("st-app").

The page's other examples import the models and start from ``setup()``:
``from shop_models import Order, User, setup``.
"""

import asyncio
from datetime import date
from decimal import Decimal
from typing import Annotated

from pydynox import (
    BatchWriter,
    DynamoConfig,
    GlobalSecondaryIndex,
    Model,
    PartitionKey,
    SortKey,
    Unique,
)


class AppTable(Model):
    """The table: its name, its keys, a shared index, and where each item names its entity."""

    model_config = DynamoConfig(table="st-app", discriminator="entity")

    # Computed by every entity from its own fields; the "" defaults are only there so that
    # type checkers do not ask for them when you build an entity.
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[str, SortKey()] = ""
    # An overloaded index: each entity puts keys of its own in it (None: not in the index).
    gsi1pk: str | None = None
    gsi1sk: str | None = None

    by_gsi1 = GlobalSecondaryIndex("gsi1", partition_key="gsi1pk", sort_key="gsi1sk")


class User(AppTable):
    model_config = DynamoConfig(
        entity="User",
        keys={"pk": "USER#{user_id}", "sk": "PROFILE", "gsi1pk": "EMAIL#{email}", "gsi1sk": "USER"},
    )

    user_id: str
    name: str
    email: Annotated[str, Unique()]  # no two users share an email (see "A unique email")


class Order(AppTable):
    model_config = DynamoConfig(
        entity="Order",
        keys={
            "pk": "USER#{user_id}",  # a user's orders live in the user's partition
            "sk": "ORDER#{order_id:>08}",  # zero-padded: order 10 sorts after order 9
            "gsi1pk": "ORDER#{order_id:>08}",  # find an order by its number alone
            "gsi1sk": "ORDER",
        },
    )

    user_id: str
    order_id: int
    total: Decimal
    status: str = "open"
    placed_on: date

    # An index whose sort key is two plain attributes, each keeping its own type: a day's
    # orders of one status, by total.
    by_status = GlobalSecondaryIndex(
        "by-status", partition_key="status", sort_key=("placed_on", "total")
    )


async def setup() -> None:
    """The table, two users and their orders: what the page's other examples start from."""
    # Every example of the page starts from this data: drop the table an earlier one left.
    if await AppTable.table_exists():
        await AppTable.delete_table()
    # From the base: gsi1 (declared there) and by-status (declared by Order).
    await AppTable.create_table()
    await User(user_id="1", name="Ann", email="ann@example.com").save()
    await User(user_id="2", name="Bob", email="bob@example.com").save()
    # Order has no Unique() field, so a batch may write orders.
    async with BatchWriter() as batch:
        for user_id, order_id, total, status, day in [
            ("1", 7, "30", "open", 1),
            ("1", 9, "12.5", "shipped", 1),
            ("1", 10, "99", "open", 2),
            ("2", 11, "45", "open", 1),
        ]:
            order = Order(
                user_id=user_id,
                order_id=order_id,
                total=Decimal(total),
                status=status,
                placed_on=date(2025, 6, day),
            )
            batch.put(order)


async def main() -> None:
    await setup()

    # The key attributes are computed from the fields, when the instance is built.
    ann = User(user_id="1", name="Ann", email="ann@example.com")
    print("user keys:", ann.pk, ann.sk, ann.gsi1pk, ann.gsi1sk)
    assert ann.pk == "USER#1" and ann.sk == "PROFILE" and ann.gsi1pk == "EMAIL#ann@example.com"
    order = Order(user_id="1", order_id=7, total=Decimal("30"), placed_on=date(2025, 6, 1))
    print("order keys:", order.pk, order.sk, order.gsi1pk, order.gsi1sk)
    assert (order.pk, order.sk) == ("USER#1", "ORDER#00000007")

    # Assigning a field that a template uses recomputes the keys that use it.
    order.order_id = 12
    assert order.sk == "ORDER#00000012" and order.gsi1pk == "ORDER#00000012"


if __name__ == "__main__":
    asyncio.run(main())
