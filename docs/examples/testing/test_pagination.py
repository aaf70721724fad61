"""Paged endpoints under test: ``dynamodb_client`` signs page cursors with a random secret of
the test session, so ``page()`` works with no setup."""

from collections.abc import Iterator
from typing import Annotated

import pytest

from pydynox import (
    DynamoConfig,
    DynamoDBClient,
    InvalidCursorException,
    Model,
    PartitionKey,
    SortKey,
)


class Message(Model):
    model_config = DynamoConfig(table="testing-messages")
    room: Annotated[str, PartitionKey()]
    number: Annotated[int, SortKey()]
    text: str = ""


@pytest.fixture
def messages(dynamodb_client: DynamoDBClient) -> Iterator[type[Message]]:
    Message.sync_create_table()
    for number in range(5):
        Message(room="general", number=number).sync_save()
    yield Message
    Message.sync_delete_table()


@pytest.mark.asyncio
async def test_walk_every_page(messages: type[Message]) -> None:
    pages, cursor = [], None
    while True:
        page = await Message.query(partition_key="general").page(2, cursor)
        pages.append([m.number for m in page.items])
        cursor = page.next_cursor
        if cursor is None:
            break

    assert pages == [[0, 1], [2, 3], [4]]


def test_a_cursor_only_works_for_its_own_query(messages: type[Message]) -> None:
    first = Message.sync_query(partition_key="general").page(2)
    assert first.next_cursor is not None

    with pytest.raises(InvalidCursorException):
        Message.sync_query(partition_key="random").page(2, first.next_cursor)
