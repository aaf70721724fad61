"""pytest plugin (registered as ``pydynox`` under ``pytest11``): a local DynamoDB for tests.

Fixtures:

- ``dynamodb_endpoint`` (session): the URL of a moto DynamoDB server on 127.0.0.1.
- ``dynamodb_client``: a ``DynamoDBClient`` on that server, set as the default client for
  the test, closed afterwards. Works in async and sync tests.

moto is imported only when one of these fixtures is used.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pydynox.client._client import DynamoDBClient, set_default_client
from pydynox.testing import local_client, local_dynamodb


@pytest.fixture(scope="session")
def dynamodb_endpoint() -> Iterator[str]:
    """The endpoint URL of a local DynamoDB (moto) shared by the whole test session."""
    with local_dynamodb() as endpoint:
        yield endpoint


@pytest.fixture
def dynamodb_client(dynamodb_endpoint: str) -> Iterator[DynamoDBClient]:
    """A client on the local DynamoDB, set as the default client during the test."""
    client = local_client(dynamodb_endpoint)
    set_default_client(client)
    try:
        yield client
    finally:
        set_default_client(None)
        client.sync_close()
