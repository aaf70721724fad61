"""A fixed cursor secret: override the ``dynamodb_cursor_secret`` fixture (here, or in a
``conftest.py`` for every test) when clients your application makes itself must accept the
cursors of ``dynamodb_client``, or the other way round."""

from collections.abc import Iterator

import pytest

from pydynox import Attr, DynamoDBClient
from pydynox.testing import local_client

SECRET = "a-test-secret-of-at-least-16-bytes"


@pytest.fixture(scope="session")
def dynamodb_cursor_secret() -> str:
    return SECRET  # in an application: the value its settings read in tests


@pytest.fixture
def app_client(dynamodb_endpoint: str) -> Iterator[DynamoDBClient]:
    """A client made the way the application makes its own."""
    with local_client(dynamodb_endpoint, cursor_secret=SECRET) as client:
        yield client


def test_the_app_accepts_the_fixture_cursors(
    dynamodb_client: DynamoDBClient, app_client: DynamoDBClient
) -> None:
    dynamodb_client.sync_create_table(
        "testing-events", partition_key=("day", "S"), sort_key=("n", "N")
    )
    for n in range(3):
        dynamodb_client.sync_put_item("testing-events", {"day": "monday", "n": n})

    monday = Attr("day") == "monday"

    first = dynamodb_client.sync_query("testing-events", monday).page(2)
    assert first.next_cursor is not None
    rest = app_client.sync_query("testing-events", monday).page(2, first.next_cursor)

    assert [item["n"] for item in rest.items] == [2]
    dynamodb_client.sync_delete_table("testing-events")
