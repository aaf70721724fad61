"""Tables with the client: keys, billing, indexes, and the errors you can meet."""

import asyncio

from pydynox import (
    DynamoDBClient,
    ResourceInUseException,
    ResourceNotFoundException,
    WaitTimeoutException,
)


async def main() -> None:
    async with DynamoDBClient() as client:
        # On-demand billing (PAY_PER_REQUEST) unless you say otherwise.
        await client.create_table(
            "tables-events", partition_key=("stream", "S"), sort_key=("seq", "N")
        )

        await client.create_table(
            "tables-counters",
            partition_key=("name", "S"),
            billing_mode="PROVISIONED",
            read_capacity=5,
            write_capacity=5,
        )

        try:
            await client.create_table("tables-events", partition_key=("stream", "S"))
        except ResourceInUseException:
            print("events already exists")
        else:
            raise AssertionError("expected ResourceInUseException")

        print(
            "events:",
            await client.table_exists("tables-events"),
            "nope:",
            await client.table_exists("nope"),
        )

        try:
            await client.get_item("nope", {"id": "1"})
        except ResourceNotFoundException as error:
            print("missing table:", error)
        else:
            raise AssertionError("expected ResourceNotFoundException")

        try:
            # A table that never becomes ACTIVE in time (here: one that does not exist).
            await client.wait_for_table("nope", timeout=0.2)
        except WaitTimeoutException as error:
            print("gave up waiting:", error)
        else:
            raise AssertionError("expected WaitTimeoutException")

        await client.delete_table("tables-counters")
        assert not await client.table_exists("tables-counters")


if __name__ == "__main__":
    asyncio.run(main())
