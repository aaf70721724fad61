"""Time to live: a TTL() field is stored as epoch seconds and create_table turns TTL on."""

import asyncio
import os
from datetime import datetime, timedelta, timezone
from typing import Annotated

import boto3

from pydynox import TTL, DynamoConfig, DynamoDBClient, Model, PartitionKey


class Session(Model):
    model_config = DynamoConfig(table="tables-sessions")

    token: Annotated[str, PartitionKey()]
    user_id: str
    expires_at: Annotated[datetime | None, TTL()] = None


async def main() -> None:
    await Session.create_table()  # enables TTL on expires_at

    expires = datetime(2030, 1, 1, tzinfo=timezone.utc)
    await Session(token="t1", user_id="u1", expires_at=expires).save()

    stored = await DynamoDBClient().get_item("tables-sessions", {"token": "t1"})
    print("stored:", stored)
    assert stored is not None and stored["expires_at"] == int(expires.timestamp())

    session = await Session.get(token="t1")
    assert session is not None and session.expires_at == expires  # a datetime again

    # Push the expiry back; update() converts the datetime too.
    await session.update(expires_at=expires + timedelta(days=1))
    assert session.expires_at == expires + timedelta(days=1)


def show_ttl_setting() -> None:
    dynamodb = boto3.client("dynamodb", region_name=os.environ.get("AWS_REGION"))
    ttl = dynamodb.describe_time_to_live(TableName="tables-sessions")["TimeToLiveDescription"]
    print("TTL:", ttl)
    assert ttl["AttributeName"] == "expires_at" and ttl["TimeToLiveStatus"] == "ENABLED"


if __name__ == "__main__":
    asyncio.run(main())
    show_ttl_setting()
