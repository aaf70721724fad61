"""What the entities store: plain DynamoDB attributes, as boto3 reads and writes them."""

import asyncio
import os
from typing import Any

import boto3
from shop_models import Order, User, setup


async def main() -> None:
    await setup()
    dynamodb = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION"))

    def stored(pk: str, sk: str) -> dict[str, Any]:
        key = {"pk": {"S": pk}, "sk": {"S": sk}}
        item: dict[str, Any] = dynamodb.get_item(TableName="st-app", Key=key)["Item"]
        return item

    # The keys the templates computed, the discriminator, then the fields.
    user = stored("USER#1", "PROFILE")
    print("user:", user)
    assert user == {
        "pk": {"S": "USER#1"},
        "sk": {"S": "PROFILE"},
        "gsi1pk": {"S": "EMAIL#ann@example.com"},
        "gsi1sk": {"S": "USER"},
        "entity": {"S": "User"},
        "user_id": {"S": "1"},
        "name": {"S": "Ann"},
        "email": {"S": "ann@example.com"},
    }
    order = stored("USER#1", "ORDER#00000007")
    print("order:", order)
    assert order["entity"] == {"S": "Order"}
    assert order["order_id"] == {"N": "7"} and order["total"] == {"N": "30"}
    assert order["placed_on"] == {"S": "2025-06-01"} and order["status"] == {"S": "open"}

    # The guard item of Ann's email (Unique()): in the same table, under a key of its own.
    guard = stored("UNIQUE#User.email#ann@example.com", "UNIQUE#User.email#ann@example.com")
    print("guard:", guard)
    assert guard["pydynox_unique"] == {"S": "User.email"}
    assert guard["pydynox_owner"] == {"M": {"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}}}

    # An item another program writes in the same shape reads back as the entity.
    dynamodb.put_item(
        TableName="st-app",
        Item={
            "pk": {"S": "USER#1"},
            "sk": {"S": "ORDER#00000042"},
            "entity": {"S": "Order"},
            "user_id": {"S": "1"},
            "order_id": {"N": "42"},
            "total": {"N": "5"},
            "placed_on": {"S": "2025-06-03"},
        },
    )
    written = await Order.get(user_id="1", order_id=42)
    assert written is not None and written.status == "open"  # absent: the field's default
    assert await User.get(user_id="1") is not None


if __name__ == "__main__":
    asyncio.run(main())
