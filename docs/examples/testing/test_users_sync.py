"""Sync tests against a local DynamoDB: the same ``dynamodb_client`` fixture, the ``sync_`` API.

The fixture sets its client as the default client, so models need no setup of their own.
"""

from collections.abc import Iterator
from typing import Annotated

import pytest

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    SortKey,
    path,
)


class User(Model):
    model_config = DynamoConfig(table="users-sync")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    age: int = 0


@pytest.fixture
def users(dynamodb_client: DynamoDBClient) -> Iterator[type[User]]:
    """A fresh table for each test: the server lives for the whole session."""
    User.sync_create_table()
    yield User
    User.sync_delete_table()


def test_save_and_get(users: type[User]) -> None:
    User(pk="USER#1", sk="PROFILE", name="Ada", age=36).sync_save()

    user = User.sync_get(pk="USER#1", sk="PROFILE")

    assert user is not None and user.name == "Ada"


def test_conditional_save_refuses_a_duplicate(users: type[User]) -> None:
    ada = User(pk="USER#1", sk="PROFILE", name="Ada")
    ada.sync_save(condition=path(User.pk).not_exists())

    with pytest.raises(ConditionalCheckFailedException):
        ada.sync_save(condition=path(User.pk).not_exists())


def test_the_client_directly(dynamodb_client: DynamoDBClient) -> None:
    dynamodb_client.sync_create_table("events-sync", partition_key=("id", "S"))
    dynamodb_client.sync_put_item("events-sync", {"id": "1", "kind": "signup"})

    assert dynamodb_client.sync_get_item("events-sync", {"id": "1"}) == {
        "id": "1",
        "kind": "signup",
    }
    dynamodb_client.sync_delete_table("events-sync")
