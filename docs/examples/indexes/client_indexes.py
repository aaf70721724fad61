"""Indexes with the client: IndexSpec in create_table, index_name in query and scan."""

import asyncio

from pydynox import Attr, DynamoDBClient, IndexSpec


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table(
            "indexes-client-orders",
            partition_key=("pk", "S"),
            sort_key=("sk", "S"),
            global_indexes=[
                IndexSpec("status-index", partition_key=("status", "S"), sort_key=("total", "N")),
            ],
            local_indexes=[
                IndexSpec("created-index", sort_key=("created", "S"), projection=["total"]),
            ],
        )
        await client.put_item(
            "indexes-client-orders",
            {"pk": "ada", "sk": "o1", "status": "open", "total": 30, "created": "2025-01-02"},
        )
        await client.put_item(
            "indexes-client-orders",
            {"pk": "ada", "sk": "o2", "status": "open", "total": 5, "created": "2025-01-01"},
        )

        cheap = await client.query(
            "indexes-client-orders",
            (Attr("status") == "open") & (Attr("total") < 10),
            index_name="status-index",
        ).all()
        print("open under 10:", cheap)
        assert [item["sk"] for item in cheap] == ["o2"]

        oldest = await client.query(
            "indexes-client-orders", Attr("pk") == "ada", index_name="created-index"
        ).first()
        print("oldest (keys and total only):", oldest)
        assert oldest == {"pk": "ada", "sk": "o2", "created": "2025-01-01", "total": 5}


if __name__ == "__main__":
    asyncio.run(main())
