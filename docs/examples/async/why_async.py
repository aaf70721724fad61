"""Why async: a blocking call stalls every task on the event loop; an awaited one does not."""

import asyncio
import time
from typing import Annotated

from pydynox import DynamoConfig, Model, PartitionKey, SortKey


class User(Model):
    model_config = DynamoConfig(table="async-why-users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str


async def handle_request_blocking(user_id: str) -> User | None:
    # Blocks: no other task on this event loop runs until DynamoDB answers.
    return User.sync_get(pk=user_id, sk="PROFILE")


async def handle_request(user_id: str) -> User | None:
    # Non-blocking: other tasks run while this one waits for DynamoDB.
    return await User.get(pk=user_id, sk="PROFILE")


async def main() -> None:
    await User.create_table()
    for n in range(20):
        await User(pk=f"USER#{n}", sk="PROFILE", name=f"user {n}").save()

    start = time.perf_counter()
    users = await asyncio.gather(*(handle_request(f"USER#{n}") for n in range(20)))
    print(f"20 awaited gets, concurrently: {time.perf_counter() - start:.3f} s")
    assert all(user is not None for user in users)

    start = time.perf_counter()
    users = await asyncio.gather(*(handle_request_blocking(f"USER#{n}") for n in range(20)))
    print(f"20 blocking gets, one after the other: {time.perf_counter() - start:.3f} s")
    assert all(user is not None for user in users)


if __name__ == "__main__":
    asyncio.run(main())
