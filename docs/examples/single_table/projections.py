"""Read only what a smaller model needs: project(UserCard), get(..., project=UserCard)."""

import asyncio
from decimal import Decimal

from pydantic import BaseModel
from shop_models import Order, User, setup

from pydynox import Collection, ValidationException


class UserCard(BaseModel):
    name: str
    email: str


class OrderLine(BaseModel):
    order_id: int
    total: Decimal


class Entry(BaseModel):
    """What a User and an Order both have: a table of contents of the partition."""

    sk: str


async def main() -> None:
    await setup()

    # The request's ProjectionExpression names the model's fields (and the keys): DynamoDB
    # returns only those attributes, and each item is validated into the smaller model.
    card = await User.get(user_id="1", project=UserCard)
    print("card:", card)
    assert card == UserCard(name="Ann", email="ann@example.com")

    lines = await Order.query(user_id="1").project(OrderLine).all()
    assert lines == [
        OrderLine(order_id=7, total=Decimal("30")),
        OrderLine(order_id=9, total=Decimal("12.5")),
        OrderLine(order_id=10, total=Decimal("99")),
    ]

    # A collection projects onto fields that every entity in it has.
    entries = await Collection(User, Order).project(Entry).query(user_id="2").all()
    assert [entry.sk for entry in entries] == ["ORDER#00000011", "PROFILE"]

    # A field the entity does not have is refused before anything is sent.
    try:
        Order.query(user_id="1").project(UserCard)
    except ValidationException as error:
        print("refused:", error)
    else:
        raise AssertionError("expected ValidationException")


if __name__ == "__main__":
    asyncio.run(main())
