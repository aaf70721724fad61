"""Resume a query where the last one stopped, with last_evaluated_key."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey


class Event(Model):
    model_config = DynamoConfig(table="query-events")

    stream: Annotated[str, PartitionKey()]
    seq: Annotated[int, SortKey()]


async def main() -> None:
    await Event.create_table()
    for seq in range(7):
        await Event(stream="s1", seq=seq).save()

    start = None
    batches = []
    while True:
        result = Event.query(partition_key="s1", limit=3, last_evaluated_key=start)
        batches.append([e.seq async for e in result])
        start = result.last_evaluated_key  # None once the data has ended
        print("read", batches[-1], "resume from", start)
        if start is None:
            break

    assert [seq for batch in batches for seq in batch] == list(range(7))


if __name__ == "__main__":
    asyncio.run(main())
