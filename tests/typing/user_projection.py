"""Projections as a user writes them, type-checked by ``mypy --strict`` in
``tests/unit/test_projection.py``: ``project(UserCard)`` is a ``QueryResult[UserCard]``
(``SyncQueryResult[UserCard]`` on the sync side) whose items are ``UserCard``; the client's
``projection=`` takes attribute paths. Nothing runs at import: every call is inside a function.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel
from typing_extensions import assert_type

from pydynox import (
    Attr,
    DynamoConfig,
    DynamoDBClient,
    Get,
    Model,
    PartitionKey,
    QueryResult,
    SortKey,
    SyncQueryResult,
)


class User(Model):
    model_config = DynamoConfig(table="users")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    email: str | None = None


class UserCard(BaseModel):
    name: str


async def client_projections(client: DynamoDBClient) -> None:
    item = await client.get_item("users", {"pk": "1", "sk": "p"}, projection=["name", "a.b"])
    assert_type(item, dict[str, Any] | None)
    result = client.query("users", Attr("pk") == "1", projection=["name", Attr.of("x.y")])
    assert_type(result, QueryResult[dict[str, Any]])
    cards = result.project(UserCard)
    assert_type(cards, QueryResult[UserCard])
    assert_type(await cards.all(), list[UserCard])
    assert_type(await cards.first(), UserCard | None)
    async for card in client.scan("users").project(UserCard):
        assert_type(card, UserCard)
    page = await client.query("users", Attr("pk") == "1").project(UserCard).page(10)
    assert_type(page.items, list[UserCard])
    await client.transact_get([Get("users", {"pk": "1", "sk": "p"}, projection=["name"])])


def sync_client_projections(client: DynamoDBClient) -> None:
    item = client.sync_get_item("users", {"pk": "1", "sk": "p"}, projection=["name"])
    assert_type(item, dict[str, Any] | None)
    cards = client.sync_query("users", Attr("pk") == "1").project(UserCard)
    assert_type(cards, SyncQueryResult[UserCard])
    for card in cards:
        assert_type(card, UserCard)
    assert_type(client.sync_scan("users", projection=["name"]).all(), list[dict[str, Any]])


async def model_projections() -> None:
    cards = User.query(partition_key="1").project(UserCard)
    assert_type(cards, QueryResult[UserCard])
    assert_type(await cards.all(), list[UserCard])
    sync_cards = User.sync_query(partition_key="1").project(UserCard)
    assert_type(sync_cards, SyncQueryResult[UserCard])
    assert_type(sync_cards.first(), UserCard | None)
