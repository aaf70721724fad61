"""One record per DynamoDB call: client.on_call(listener)."""

import asyncio

from pydynox import CallRecord, DynamoDBClient


async def main() -> None:
    async with DynamoDBClient(return_consumed_capacity="TOTAL") as client:
        records: list[CallRecord] = []
        stop = client.on_call(records.append)  # returns the function that removes it

        await client.create_table("obs-events", partition_key=("pk", "S"))
        await client.put_item("obs-events", {"pk": "a", "n": 1})
        await client.get_item("obs-events", {"pk": "a"})

        for record in records:
            print(
                record.operation,
                record.tables,
                f"status={record.status}",
                f"attempts={record.attempts}",
                f"{record.duration * 1000:.1f} ms",
                f"request_id={record.request_id}",
            )
        get = records[-1]
        assert get.operation == "GetItem" and get.tables == ("obs-events",)
        assert get.attempts == 1 and get.status == 200 and get.error is None
        assert get.consumed_capacity is not None and get.consumed_capacity.read_units > 0

        stop()
        await client.get_item("obs-events", {"pk": "a"})
        assert records[-1] is get  # removed: no record of the last call


asyncio.run(main())
