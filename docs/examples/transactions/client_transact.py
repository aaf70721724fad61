"""The client's transactions: transact_write with action values, transact_get for a snapshot."""

import asyncio

from pydynox import Attr, ConditionCheck, Delete, DynamoDBClient, Get, Put, Update


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table(
            "transactions-app", partition_key=("pk", "S"), sort_key=("sk", "S")
        )
        await client.put_item(
            "transactions-app", {"pk": "USER#1", "sk": "PROFILE", "orders": 0, "active": True}
        )
        await client.put_item(
            "transactions-app", {"pk": "USER#1", "sk": "CART#1", "items": ["pen"]}
        )

        await client.transact_write(
            [
                Put(
                    "transactions-app",
                    {"pk": "USER#1", "sk": "ORDER#1", "items": ["pen"]},
                    condition=Attr("pk").not_exists(),
                ),
                Update(
                    "transactions-app",
                    {"pk": "USER#1", "sk": "PROFILE"},
                    atomic=[Attr("orders").add(1)],
                ),
                Delete("transactions-app", {"pk": "USER#1", "sk": "CART#1"}),
                ConditionCheck(
                    "transactions-app", {"pk": "USER#2", "sk": "PROFILE"}, Attr("pk").not_exists()
                ),
            ]
        )

        profile, order, cart = await client.transact_get(
            [
                Get("transactions-app", {"pk": "USER#1", "sk": "PROFILE"}),
                Get("transactions-app", {"pk": "USER#1", "sk": "ORDER#1"}),
                Get("transactions-app", {"pk": "USER#1", "sk": "CART#1"}),
            ]
        )
        print("profile:", profile, "order:", order, "cart:", cart)
        assert profile is not None and profile["orders"] == 1
        assert order is not None and cart is None  # None stands for a missing item


if __name__ == "__main__":
    asyncio.run(main())
