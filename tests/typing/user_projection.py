"""Projections as a user writes them, type-checked by ``mypy --strict`` in
``tests/unit/test_projection.py`` (and pyright): ``project(UserCard)`` is a
``QueryResult[UserCard]`` (``SyncQueryResult[UserCard]`` on the sync side) whose items are
``UserCard``; ``User.get(..., project=UserCard)`` is a ``UserCard | None``;
``Collection(User, Order).project(Summary)`` a ``Collection[Summary]``; the client's
``projection=`` takes attribute paths. Nothing runs at import: every call is inside a function.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel
from typing_extensions import assert_type

from pydynox import (
    Attr,
    Collection,
    DynamoConfig,
    DynamoDBClient,
    Get,
    GlobalSecondaryIndex,
    Model,
    Page,
    PartitionKey,
    QueryResult,
    SortKey,
    SyncQueryResult,
)


class AppTable(Model):
    model_config = DynamoConfig(table="app", discriminator="entity")
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[str, SortKey()] = ""
    gsi1pk: str | None = None
    by_gsi1 = GlobalSecondaryIndex("gsi1", partition_key="gsi1pk")


class User(AppTable):
    model_config = DynamoConfig(
        entity="User", keys={"pk": "USER#{user_id}", "sk": "PROFILE", "gsi1pk": "EMAIL#{email}"}
    )
    user_id: str
    name: str
    email: str | None = None


class Order(AppTable):
    model_config = DynamoConfig(
        entity="Order", keys={"pk": "USER#{user_id}", "sk": "ORDER#{order_id:>08}"}
    )
    user_id: str
    order_id: int
    total: Decimal


class UserCard(BaseModel):
    name: str


class Summary(BaseModel):
    user_id: str


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
    assert_type(await User.get(user_id="1"), User | None)
    assert_type(await User.get(user_id="1", project=UserCard), UserCard | None)
    assert_type(await User.get(True, user_id="1", project=UserCard), UserCard | None)
    cards = User.query(user_id="1").project(UserCard)
    assert_type(cards, QueryResult[UserCard])
    assert_type(await cards.all(), list[UserCard])
    assert_type(await User.query(user_id="1").project(UserCard).all(), list[UserCard])
    assert_type(await User.by_gsi1.query(email="a@x.io").project(UserCard).all(), list[UserCard])
    assert_type(await User.scan().project(UserCard).first(), UserCard | None)
    sync_cards = User.sync_query(user_id="1").project(UserCard)
    assert_type(sync_cards, SyncQueryResult[UserCard])
    assert_type(sync_cards.first(), UserCard | None)
    assert_type(User.sync_get(user_id="1", project=UserCard), UserCard | None)


async def collection_projections() -> None:
    both = Collection(User, Order)
    assert_type(both, Collection[User | Order])
    summaries = both.project(Summary)
    assert_type(summaries, Collection[Summary])
    assert_type(Collection(User, Order).project(Summary), Collection[Summary])
    assert_type(await summaries.query(user_id="1").all(), list[Summary])
    page = await summaries.query(user_id="1").page(10)
    assert_type(page, Page[Summary])
    for summary in summaries.sync_query(user_id="1"):
        assert_type(summary, Summary)
