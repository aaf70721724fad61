"""A writer stopped by cancellation: nothing more is sent, and every write not stored is listed."""

import asyncio

from pydynox import BatchWriteError, BatchWriter, DynamoDBClient, Put


async def main() -> None:
    client = DynamoDBClient()
    await client.create_table("batch-stopped", partition_key=("id", "S"))
    started = asyncio.Event()

    async def import_rows() -> None:
        async with BatchWriter(client, "batch-stopped") as batch:
            for n in range(10):
                batch.put({"id": f"row-{n}"})  # buffered, not sent yet
            started.set()
            await asyncio.Event().wait()  # e.g. a slow source: the task is cancelled here

    task = asyncio.create_task(import_rows())
    await started.wait()
    task.cancel()
    try:
        await task
    except asyncio.CancelledError as stop:
        # The CancelledError goes on unchanged; its cause lists what is not stored.
        report = stop.__cause__
        assert isinstance(report, BatchWriteError)
        print(report.message)
        assert len(report.unprocessed) == 10 and report.in_flight == []
        assert report.unprocessed[0] == Put("batch-stopped", {"id": "row-0"})
    else:
        raise AssertionError("expected the task to be cancelled")
    assert await client.count("batch-stopped") == 0  # nothing was sent after the cancel

    # Resending the list completes the table (puts and deletes applied twice do no harm).
    async with BatchWriter(client) as batch:
        for action in report.unprocessed:
            batch.put(action.item, table=action.table)
    assert await client.count("batch-stopped") == 10


if __name__ == "__main__":
    asyncio.run(main())
