"""Making a client: settings, the default client, and closing."""

import asyncio

from pydynox import DynamoDBClient, get_default_client, set_default_client


def make_client() -> DynamoDBClient:
    # Every setting is optional; these are the defaults, except max_pool_connections.
    return DynamoDBClient(
        region=None,  # None: AWS_REGION / AWS_DEFAULT_REGION / your profile
        endpoint_url=None,  # None: AWS_ENDPOINT_URL_DYNAMODB / AWS_ENDPOINT_URL / AWS
        profile=None,
        access_key=None,  # None: the usual credentials chain
        secret_key=None,
        session_token=None,
        max_pool_connections=128,  # connections per event loop (and for the sync side)
        connect_timeout=5.0,  # seconds to open a connection
        read_timeout=30.0,  # seconds for a whole answer, once the request is sent
        call_timeout=None,  # seconds for one request, every retry and backoff included
        max_answer_bytes=64 * 1024 * 1024,  # larger answers are refused
        max_attempts=10,  # attempts per request in all, retrying throttling and 5xx
        cursor_secret=None,  # signs page cursors (None: PYDYNOX_CURSOR_SECRET)
        verify=None,  # TLS certificates: None/True verify, a path to a CA bundle, False skips
        transport="wire",  # or "botocore": boto3 / aioboto3 clients
        retry_non_idempotent=False,  # True: resend ADD / x + :n updates after a lost answer
    )


async def main() -> None:
    client = make_client()
    set_default_client(client)  # models whose config names no client use this one
    assert get_default_client() is client

    await client.create_table("client-users", partition_key=("pk", "S"))
    await client.put_item("client-users", {"pk": "USER#1", "name": "Ada"})
    print("get_item:", await client.get_item("client-users", {"pk": "USER#1"}))

    # The connections of this event loop are closed when asyncio.run ends it, or here:
    await client.close()

    # Or let a block close it.
    async with DynamoDBClient() as other:
        assert await other.table_exists("client-users")


def sync_part() -> None:
    with DynamoDBClient() as client:  # closes the sync connections at the end
        item = client.sync_get_item("client-users", {"pk": "USER#1"})
        print("sync_get_item:", item)
        assert item == {"pk": "USER#1", "name": "Ada"}


if __name__ == "__main__":
    asyncio.run(main())
    sync_part()
