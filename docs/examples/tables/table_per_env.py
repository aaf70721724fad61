"""Table names per environment, and a model bound to a client of its own."""

import asyncio
import os
from typing import Annotated

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey

STAGE = os.environ.get("STAGE", "test")

# One client for this model, with its own settings (the rest come from the environment).
audit_client = DynamoDBClient(max_attempts=3, read_timeout=10.0)


class User(Model):
    model_config = DynamoConfig(table=f"{STAGE}-users")

    id: Annotated[str, PartitionKey()]
    name: str


class AuditEntry(Model):
    model_config = DynamoConfig(table=f"{STAGE}-audit", client=audit_client)

    id: Annotated[str, PartitionKey()]
    action: str


async def main() -> None:
    await User.create_table()
    await AuditEntry.create_table()
    await User(id="u1", name="Ada").save()
    await AuditEntry(id="a1", action="created u1").save()

    names = await DynamoDBClient().scan(f"{STAGE}-users").all()
    print("tables:", f"{STAGE}-users", f"{STAGE}-audit", "users:", names)
    assert await audit_client.table_exists(f"{STAGE}-audit")


if __name__ == "__main__":
    asyncio.run(main())
