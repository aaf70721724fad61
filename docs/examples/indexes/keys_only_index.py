"""Projections: a model read from an index must be valid with the attributes the index holds."""

import asyncio
from typing import Annotated

from pydynox import DynamoConfig, GlobalSecondaryIndex, Model, PartitionKey


class Session(Model):
    model_config = DynamoConfig(table="indexes-sessions")

    token: Annotated[str, PartitionKey()]
    user_id: str
    data: str = ""  # a default: this index does not hold it

    by_user = GlobalSecondaryIndex("user-index", partition_key="user_id", projection="KEYS_ONLY")


async def main() -> None:
    await Session.create_table()
    await Session(token="t1", user_id="u1", data="big blob").save()
    await Session(token="t2", user_id="u1", data="other blob").save()

    # The index holds the keys only (token and user_id): data comes back as its default.
    tokens = await Session.by_user.query(partition_key="u1").all()
    print("from the index:", tokens)
    assert {s.token for s in tokens} == {"t1", "t2"} and all(s.data == "" for s in tokens)

    # Read the whole items from the table when you need them.
    full = await Session.batch_get([{"token": s.token} for s in tokens])
    assert {s.data for s in full} == {"big blob", "other blob"}


if __name__ == "__main__":
    asyncio.run(main())
