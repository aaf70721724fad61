"""Dry runs: the exact requests, without sending them (result.explain(), client.dry_run())."""

import asyncio
import json
from typing import Annotated

from pydynox import (
    Attr,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    SortKey,
    Transaction,
)


class Order(Model):
    model_config = DynamoConfig(table="dry-orders")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    status: str = "open"
    total: int = 0


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table("dry-orders", partition_key=("pk", "S"), sort_key=("sk", "S"))
        await client.put_item(
            "dry-orders", {"pk": "USER#1", "sk": "ORDER#1", "status": "open", "total": 10}
        )

        # A query's first request, built as it would be sent, without sending it: names and
        # values are placeholders, with their maps beside them.
        result = client.query(
            "dry-orders",
            key_condition_expression=Attr("pk") == "USER#1",
            filter_expression=Attr("total") > 5,
        )
        query = result.explain()
        print("Query", json.dumps(query, indent=2))
        assert query["KeyConditionExpression"] == "#n0 = :v0"
        assert query["FilterExpression"] == "#n1 > :v1"
        assert query["ExpressionAttributeNames"] == {"#n0": "pk", "#n1": "total"}
        assert query["ExpressionAttributeValues"] == {":v0": {"S": "USER#1"}, ":v1": {"N": "5"}}

        # Every call in the block, on any client and from models too, is recorded and
        # answered as an empty table would answer it; none is sent.
        with client.dry_run() as sent:
            paid = await client.update_item(
                "dry-orders",
                {"pk": "USER#1", "sk": "ORDER#1"},
                updates={"status": "paid"},
                condition=Attr("status") == "open",
            )
            async with Transaction(client) as tx:
                tx.update(
                    "dry-orders",
                    {"pk": "USER#1", "sk": "ORDER#1"},
                    atomic=[Attr("total").add(-3)],
                    condition=Attr("total") >= 3,
                )
                tx.put("dry-orders", {"pk": "USER#1", "sk": "REFUND#1", "total": 3})
            await Order(pk="USER#2", sk="ORDER#1", total=7).save()
            missing = await Order.get(pk="USER#1", sk="ORDER#1")  # reads find nothing

        for call in sent:
            print(call.operation, json.dumps(call.request, indent=2))
        assert [call.operation for call in sent] == [
            "UpdateItem",
            "TransactWriteItems",
            "PutItem",
            "GetItem",
        ]
        update = sent[0].request
        assert update["ConditionExpression"] == "#n0 = :v1"
        assert update["ExpressionAttributeValues"][":v1"] == {"S": "open"}
        assert paid == {"pk": "USER#1", "sk": "ORDER#1"} and missing is None

        # Nothing was sent: the order is still open, and no other item was written.
        stored = await client.get_item("dry-orders", {"pk": "USER#1", "sk": "ORDER#1"})
        assert stored is not None and stored["status"] == "open" and stored["total"] == 10
        assert await client.scan("dry-orders").all() == [stored]


asyncio.run(main())
