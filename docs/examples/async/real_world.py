"""Fetch a user and their orders at the same time: two requests, one wait."""

import asyncio
from decimal import Decimal
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey, path


class User(Model):
    model_config = DynamoConfig(table="async-app")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str


class Order(Model):
    model_config = DynamoConfig(table="async-app")  # single-table design: same table, other items

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    total: Decimal


async def get_user_with_orders(user_id: str) -> tuple[User | None, list[Order]]:
    user, orders = await asyncio.gather(
        User.get(pk=f"USER#{user_id}", sk="PROFILE"),
        Order.query(
            partition_key=f"USER#{user_id}", sort_key_condition=path(Order.sk).begins_with("ORDER#")
        ).all(),
    )
    return user, orders


async def main() -> None:
    await User.create_table()
    await User(pk="USER#42", sk="PROFILE", name="Ada").save()
    for n, total in enumerate(["9.99", "25.00", "3.50"]):
        await Order(pk="USER#42", sk=f"ORDER#{n:03d}", total=Decimal(total)).save()

    user, orders = await get_user_with_orders("42")
    assert user is not None
    print(f"{user.name} has {len(orders)} orders, {sum(o.total for o in orders)} in total")
    assert sum(o.total for o in orders) == Decimal("38.49")


if __name__ == "__main__":
    asyncio.run(main())
