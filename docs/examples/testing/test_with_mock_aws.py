"""moto's ``mock_aws`` answers pydynox's calls, sync and async, models and client alike:
nothing leaves the machine and no local server is needed."""

from collections.abc import Iterator
from typing import Annotated

import pytest
from moto import mock_aws

from pydynox import DynamoConfig, DynamoDBClient, Model, PartitionKey, default_client_set_to


class Order(Model):
    model_config = DynamoConfig(table="orders")
    id: Annotated[str, PartitionKey()]
    total: int


@pytest.fixture
def mocked_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[DynamoDBClient]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")  # moto sets fake keys, not a region
    with mock_aws(), DynamoDBClient() as client, default_client_set_to(client):
        Order.sync_create_table()
        yield client


def test_sync_calls(mocked_client: DynamoDBClient) -> None:
    Order(id="1", total=30).sync_save()

    assert Order.sync_get(id="1") == Order(id="1", total=30)


@pytest.mark.asyncio
async def test_async_calls(mocked_client: DynamoDBClient) -> None:
    await Order(id="2", total=12).save()

    assert await mocked_client.get_item("orders", {"id": "2"}) == {"id": "2", "total": 12}
