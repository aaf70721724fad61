"""Network trouble is a ConnectionException, raised once every retry attempt is spent."""

import asyncio

from pydynox import ConnectionException, DynamoDBClient


async def main() -> None:
    # Nothing listens on port 9: every attempt fails to connect.
    client = DynamoDBClient(
        endpoint_url="http://127.0.0.1:9",
        region="us-east-1",
        max_attempts=1,  # no retries (the default is 10 attempts in all)
        connect_timeout=0.5,
    )
    try:
        await client.get_item("users", {"id": "1"})
    except ConnectionException as error:
        print("ConnectionException:", error)
    else:
        raise AssertionError("nothing listens there")

    try:
        client.sync_get_item("users", {"id": "1"})  # the sync twin raises the same error
    except ConnectionException:
        print("the sync call too")
    else:
        raise AssertionError("expected ConnectionException")


if __name__ == "__main__":
    asyncio.run(main())
