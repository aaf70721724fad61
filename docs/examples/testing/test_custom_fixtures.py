"""Fixtures of your own on the same functions: a module-scoped server, a client that is not
the default one."""

from collections.abc import Iterator

import pytest

from pydynox import DynamoDBClient
from pydynox.testing import local_client, local_dynamodb


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    with local_dynamodb() as url:  # a server for this module only
        yield url


@pytest.fixture
def client(endpoint: str) -> Iterator[DynamoDBClient]:
    with local_client(endpoint) as client:  # closed at the end of the test
        yield client


def test_a_server_of_our_own(client: DynamoDBClient) -> None:
    client.sync_create_table("audit", partition_key=("id", "S"))
    client.sync_put_item("audit", {"id": "1", "action": "login"})

    assert client.sync_get_item("audit", {"id": "1"}) == {"id": "1", "action": "login"}
