"""A read budget: max_read_units stops a runaway scan; resume from where it stopped."""

import asyncio
from typing import Any

from pydynox import CapacityBudgetExceeded, DynamoDBClient


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table("obs-events-log", partition_key=("pk", "S"))
        events = [{"pk": f"EVENT#{i:04}", "body": "x" * 200} for i in range(300)]
        await client.batch_write("obs-events-log", put_items=events)

        # Each scan spends at most its budget (plus the page that reaches it), then stops
        # with CapacityBudgetExceeded: its items, what it consumed, and where to resume.
        seen: list[dict[str, Any]] = []
        start: dict[str, Any] | None = None
        stops = 0
        while True:
            try:
                rest = await client.scan(
                    "obs-events-log", page_size=50, max_read_units=4, last_evaluated_key=start
                ).all()
            except CapacityBudgetExceeded as stop:
                stops += 1
                seen.extend(stop.items)
                start = stop.last_evaluated_key
                print(f"stopped after {stop.consumed.read_units} read units; resuming")
                continue
            seen.extend(rest)
            break
        print(f"{len(seen)} items in {stops + 1} budgeted scans")
        assert stops > 0
        assert sorted(item["pk"] for item in seen) == [f"EVENT#{i:04}" for i in range(300)]


asyncio.run(main())
