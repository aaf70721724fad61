"""Async tests against a local DynamoDB: the ``dynamodb_client`` fixture of pydynox's plugin.

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
    model_config = DynamoConfig(table="users")
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


@pytest.mark.asyncio
async def test_save_and_get(users: type[User]) -> None:
    await User(pk="USER#1", sk="PROFILE", name="Ada", age=36).save()

    user = await User.get(pk="USER#1", sk="PROFILE")

    assert user is not None and user.name == "Ada"


@pytest.mark.asyncio
async def test_conditional_save_refuses_a_duplicate(users: type[User]) -> None:
    ada = User(pk="USER#1", sk="PROFILE", name="Ada")
    await ada.save(condition=path(User.pk).not_exists())

    with pytest.raises(ConditionalCheckFailedException):
        await ada.save(condition=path(User.pk).not_exists())


@pytest.mark.asyncio
async def test_the_client_directly(dynamodb_client: DynamoDBClient) -> None:
    await dynamodb_client.create_table("events", partition_key=("id", "S"))
    await dynamodb_client.put_item("events", {"id": "1", "kind": "signup"})

    assert await dynamodb_client.get_item("events", {"id": "1"}) == {"id": "1", "kind": "signup"}
    await dynamodb_client.delete_table("events")
