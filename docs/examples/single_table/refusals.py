"""What is refused, and when: keys set by hand, missing template fields, the wrong entity."""

import asyncio
from collections.abc import Callable
from datetime import date
from decimal import Decimal

from pydantic import ValidationError
from shop_models import AppTable, Order, User, setup

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    ModelDefinitionError,
    ValidationException,
)


class Admin(AppTable):
    """Another entity whose key template gives the same keys as User's."""

    model_config = DynamoConfig(entity="Admin", keys={"pk": "USER#{user_id}", "sk": "PROFILE"})
    user_id: str
    name: str


def refused(error: type[Exception], attempt: Callable[[], object]) -> None:
    """Assert that ``attempt()`` raises ``error`` (nothing is sent), and show the message."""
    try:
        attempt()
    except error as caught:
        print(f"{error.__name__}:", caught)
    else:
        raise AssertionError(f"expected {error.__name__}")


async def main() -> None:
    await setup()
    order = Order(user_id="1", order_id=8, total=Decimal("5"), placed_on=date(2025, 6, 3))

    # Keys set by hand: a different value at construction is a pydantic ValidationError
    # (before anything is sent), and assigning a key attribute raises.
    refused(ValidationError, lambda: User(user_id="9", name="X", email="x@x.io", pk="USER#1"))
    refused(ValidationException, lambda: setattr(order, "sk", "ORDER#1"))
    # A copy made without validation keeps stale keys: writing it is refused before sending.
    stale = order.model_copy(update={"order_id": 12})
    try:
        await stale.save()
    except ValidationException as error:
        print("ValidationException:", error)
    else:
        raise AssertionError("expected ValidationException")

    # A field of a table key template is part of the key: updating it is refused, like a key.
    saved = await Order.get(user_id="1", order_id=7)
    assert saved is not None
    try:
        await saved.update(order_id=70)
    except ValidationException as error:
        print("ValidationException:", error)
    else:
        raise AssertionError("expected ValidationException")

    # Missing or unknown template fields, and a key given as pk: refused before sending.
    refused(ValidationException, lambda: Order.query())
    refused(ValidationException, lambda: Order.query(partition_key="USER#1"))
    refused(ValidationException, lambda: Order.query(user_id="1", order=8))
    try:
        await Order.get(user_id="1")
    except ValidationException as error:
        print("ValidationException:", error)
    else:
        raise AssertionError("expected ValidationException")

    # The wrong entity: the item at USER#1 / PROFILE is a User, never validated as an Admin.
    assert await Admin.get(user_id="1") is None
    try:  # updates are conditioned on the entity
        await Admin.update_by_key(user_id="1", name="root")
    except ConditionalCheckFailedException:
        print("Admin.update_by_key: the item is not an Admin")
    else:
        raise AssertionError("expected ConditionalCheckFailedException")

    # The base declares the table: item operations need an entity (or a Collection).
    refused(ModelDefinitionError, lambda: AppTable.scan())

    # A template naming no field of the model is refused when the class is defined.
    def bad_template() -> None:
        class Refund(AppTable):
            model_config = DynamoConfig(entity="Refund", keys={"pk": "USER#{customer}"})
            user_id: str

    refused(ModelDefinitionError, bad_template)


if __name__ == "__main__":
    asyncio.run(main())
