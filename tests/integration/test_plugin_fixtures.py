"""The pytest plugin users get (``dynamodb_endpoint``, ``dynamodb_client``), used as they would."""

from __future__ import annotations

from pydynox import DynamoDBClient, get_default_client


async def test_async_test_with_the_client_fixture(dynamodb_client: DynamoDBClient) -> None:
    assert get_default_client() is dynamodb_client
    await dynamodb_client.create_table("plugin-async", partition_key=("id", "S"))
    await dynamodb_client.put_item("plugin-async", {"id": "1"})
    assert await dynamodb_client.get_item("plugin-async", {"id": "1"}) == {"id": "1"}
    await dynamodb_client.delete_table("plugin-async")


def test_sync_test_with_the_client_fixture(
    dynamodb_client: DynamoDBClient, dynamodb_endpoint: str
) -> None:
    assert dynamodb_endpoint.startswith("http://127.0.0.1:")
    dynamodb_client.sync_create_table("plugin-sync", partition_key=("id", "S"))
    dynamodb_client.sync_put_item("plugin-sync", {"id": "1"})
    assert dynamodb_client.sync_get_item("plugin-sync", {"id": "1"}) == {"id": "1"}
    dynamodb_client.sync_delete_table("plugin-sync")
