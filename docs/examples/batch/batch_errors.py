"""When a batch cannot finish: BatchWriteError lists exactly what was not written."""

import asyncio
from typing import Annotated

from pydynox import (
    BatchWriteError,
    BatchWriter,
    Delete,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    Put,
    ValidationException,
    Version,
)


class Doc(Model):
    model_config = DynamoConfig(table="batch-docs")

    id: Annotated[str, PartitionKey()]
    version: Annotated[int, Version()] = 0


async def main() -> None:
    client = DynamoDBClient()
    await client.create_table("batch-errors-events", partition_key=("id", "S"))

    # A table that does not exist: nothing is written, and the error says what was not.
    try:
        async with BatchWriter(client, "no-such-table") as batch:
            batch.put({"id": "a"})
            batch.delete({"id": "b"})
    except BatchWriteError as error:
        print("not written:", error.unprocessed)
        print("because:", repr(error.__cause__))
        assert error.unprocessed == [
            Put("no-such-table", {"id": "a"}),
            Delete("no-such-table", {"id": "b"}),
        ]
    else:
        raise AssertionError("expected BatchWriteError")

    # If the block raises, what was buffered is still sent before the error propagates.
    try:
        async with BatchWriter(client, "batch-errors-events") as batch:
            batch.put({"id": "kept"})
            raise RuntimeError("something else went wrong")
    except RuntimeError:
        pass
    else:
        raise AssertionError("expected RuntimeError")
    assert await client.get_item("batch-errors-events", {"id": "kept"}) == {"id": "kept"}

    # Batch writes take no conditions, so versioned models are refused: use save or a Transaction.
    try:
        async with BatchWriter(client) as batch:
            batch.put(Doc(id="d1"))
    except ValidationException as error:
        print("refused:", error)
    else:
        raise AssertionError("expected ValidationException")


if __name__ == "__main__":
    asyncio.run(main())
