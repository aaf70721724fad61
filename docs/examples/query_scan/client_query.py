"""Query and scan with the client: conditions built with Attr, or expression strings."""

import asyncio

from pydynox import Attr, DynamoDBClient


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table(
            "query-client-orders", partition_key=("pk", "S"), sort_key=("sk", "S")
        )
        for n in range(6):
            await client.put_item(
                "query-client-orders",
                {"pk": "USER#1", "sk": f"ORDER#{n}", "total": n * 10, "state": "open"},
            )

        # Conditions built from paths: names and values travel as placeholders.
        result = client.query(
            "query-client-orders",
            (Attr("pk") == "USER#1") & Attr("sk").begins_with("ORDER#"),
            filter_expression=Attr("total") > 20,
        )
        print("Attr query:", [item["sk"] async for item in result])

        # The same query with your own expression and placeholders
        # ("state" and "total" are reserved words, so they need name placeholders).
        raw = await client.query(
            "query-client-orders",
            "pk = :pk AND begins_with(sk, :prefix)",
            filter_expression="#state = :state AND #total > :min",
            expression_attribute_names={"#state": "state", "#total": "total"},
            expression_attribute_values={
                ":pk": "USER#1",
                ":prefix": "ORDER#",
                ":state": "open",
                ":min": 20,
            },
        ).all()
        print("string query:", [item["sk"] for item in raw])
        assert [item["sk"] for item in raw] == ["ORDER#3", "ORDER#4", "ORDER#5"]

        scanned = await client.scan("query-client-orders", Attr("total").is_in([0, 50])).all()
        assert sorted(item["sk"] for item in scanned) == ["ORDER#0", "ORDER#5"]


if __name__ == "__main__":
    asyncio.run(main())
