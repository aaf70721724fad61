"""A filter with a limit: page_size sets what each request reads, limit what you get back."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey


class Event(Model):
    model_config = DynamoConfig(table="query-filtered-events")

    stream: Annotated[str, PartitionKey()]
    seq: Annotated[int, SortKey()]
    kind: str = "info"


async def main() -> None:
    await Event.create_table()
    for seq in range(200):
        await Event(stream="s1", seq=seq, kind="error" if seq % 10 == 0 else "info").save()

    # Each request asks DynamoDB to read 50 items (Limit=50); the filter keeps the errors;
    # the limit of 3 is counted here, over the errors returned.
    result = Event.query(
        partition_key="s1", filter_condition=Event.kind == "error", limit=3, page_size=50
    )
    errors = [e.seq async for e in result]
    print("errors", errors, "read", result.scanned_count, "items")
    assert errors == [0, 10, 20]
    assert result.scanned_count == 50  # one request: its 50 items held 5 errors

    # The limit stopped inside that page: the key to resume from is the last error returned,
    # so the next read starts right after it (30 and 40 are not skipped).
    assert result.last_evaluated_key == {"stream": "s1", "seq": 20}
    more = Event.query(
        partition_key="s1",
        filter_condition=Event.kind == "error",
        limit=3,
        page_size=50,
        last_evaluated_key=result.last_evaluated_key,
    )
    assert [e.seq async for e in more] == [30, 40, 50]


if __name__ == "__main__":
    asyncio.run(main())
