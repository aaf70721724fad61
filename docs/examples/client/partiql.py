"""PartiQL with the client: each ? takes a parameter, rows come back as plain dicts."""

import asyncio

from pydynox import DynamoDBClient


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table("client-orders", partition_key=("pk", "S"), sort_key=("sk", "S"))
        for n in range(1, 4):
            await client.put_item(
                "client-orders", {"pk": "USER#1", "sk": f"ORDER#{n}", "total": 10 * n}
            )

        # Values travel as parameters, in order: never format them into the statement.
        rows = await client.execute_statement(
            'SELECT * FROM "client-orders" WHERE pk = ?', ["USER#1"], page_size=100
        )
        print("orders:", rows)
        assert [row["total"] for row in rows] == [10, 20, 30]

        # A write reads no rows; it is not sent twice after a failure that may have applied it.
        done = await client.execute_statement(
            'UPDATE "client-orders" SET carrier = ? WHERE pk = ? AND sk = ?',
            ["UPS", "USER#1", "ORDER#2"],
        )
        assert done == []

        first = await client.execute_statement(
            'SELECT sk, carrier FROM "client-orders" WHERE pk = ? AND sk = ?',
            ["USER#1", "ORDER#2"],
            limit=1,
        )
        print("shipped:", first)
        assert first == [{"sk": "ORDER#2", "carrier": "UPS"}]

    # The blocking twin, for sync code.
    with DynamoDBClient() as client:
        rows = client.sync_execute_statement(
            'SELECT * FROM "client-orders" WHERE pk = ?', ["USER#1"]
        )
        assert len(rows) == 3


if __name__ == "__main__":
    asyncio.run(main())
