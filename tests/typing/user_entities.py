"""A user's module of entities in one table, type-checked by ``mypy --strict`` (and pyright).

It declares a single-table design the way the docs show (a base naming the table and the
discriminator, entities with key templates) and reads it the way a user would, async and
sync. ``assert_type`` pins what type checkers must infer: ``User | None`` for a get,
``User | Order`` for the items of ``Collection(User, Order)``. Nothing runs at import: every
call is inside a function. tests/unit/test_entities.py runs mypy on it and imports it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from typing_extensions import assert_type

from pydynox import (
    Attr,
    Collection,
    DynamoConfig,
    DynamoMixin,
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
    gsi1sk: str | None = None
    by_gsi1 = GlobalSecondaryIndex("gsi1", partition_key="gsi1pk", sort_key="gsi1sk")


class User(AppTable):
    model_config = DynamoConfig(
        entity="User",
        keys={"pk": "USER#{user_id}", "sk": "PROFILE", "gsi1pk": "EMAIL#{email}", "gsi1sk": "USER"},
    )
    user_id: str
    name: str
    email: str


class Order(AppTable):
    model_config = DynamoConfig(
        entity="Order", keys={"pk": "USER#{user_id}", "sk": "ORDER#{order_id:>08}"}
    )
    user_id: str
    order_id: int
    total: Decimal


class Invoice(AppTable):
    model_config = DynamoConfig(entity="Invoice", keys={"pk": "USER#{user_id}", "sk": "INVOICE"})
    user_id: str


class Payment(AppTable):
    model_config = DynamoConfig(entity="Payment", keys={"pk": "USER#{user_id}", "sk": "PAYMENT"})
    user_id: str


class Review(AppTable):
    model_config = DynamoConfig(entity="Review", keys={"pk": "USER#{user_id}", "sk": "REVIEW"})
    user_id: str


class Session(AppTable):
    model_config = DynamoConfig(entity="Session", keys={"pk": "USER#{user_id}", "sk": "SESSION"})
    user_id: str


users_orders = Collection(User, Order)


def declared() -> None:
    assert_type(users_orders, Collection[User | Order])
    assert_type(Collection(User, Order, unknown="raise"), Collection[User | Order])
    assert_type(Collection(User), Collection[User])
    five = Collection(User, Order, Invoice, Payment, Review)
    assert_type(five, Collection[User | Order | Invoice | Payment | Review])
    # Past five entities the items are typed as DynamoMixin (never as fewer entities).
    assert_type(Collection(User, Order, Invoice, Payment, Review, Session), Collection[DynamoMixin])
    user = User(user_id="1", name="Ann", email="a@x.io")  # the keys are computed
    assert_type(user.pk, str)
    assert_type(user.gsi1pk, str | None)
    order = Order(user_id="1", order_id=42, total=Decimal("9.5"))
    assert_type(order.order_id, int)


async def reads() -> None:
    user = await User.get(user_id="1")
    assert_type(user, User | None)
    order = await Order.get(user_id="1", order_id=42)
    assert_type(order, Order | None)
    orders = Order.query(user_id="1")
    assert_type(orders, QueryResult[Order])
    assert_type(await orders.all(), list[Order])
    assert_type(await User.by_gsi1.query(email="a@x.io").first(), User | None)
    assert_type(await User.batch_get([{"user_id": "1"}]), list[User])

    result = users_orders.query(user_id="1", filter_condition=Attr("total") > 10)
    assert_type(result, QueryResult[User | Order])
    items = await result.all()
    assert_type(items, list[User | Order])
    async for item in result:
        assert_type(item, User | Order)
        if isinstance(item, User):
            assert_type(item.name, str)
        else:
            assert_type(item.total, Decimal)
    assert_type(await result.first(), User | Order | None)
    page = await users_orders.query(user_id="1").page(10, None)
    assert_type(page, Page[User | Order])
    assert_type(page.items, list[User | Order])


def sync_reads() -> None:
    assert_type(User.sync_get(user_id="1"), User | None)
    assert_type(Order.sync_query(user_id="1").all(), list[Order])
    result = users_orders.sync_query(user_id="1", limit=10)
    assert_type(result, SyncQueryResult[User | Order])
    assert_type(result.all(), list[User | Order])
    for item in result:
        assert_type(item, User | Order)
    assert_type(result.first(), User | Order | None)
    assert_type(result.page(10).items, list[User | Order])


async def writes() -> None:
    user = User(user_id="1", name="Ann", email="a@x.io")
    await user.save()
    user.sync_save()
    assert_type(await User.update_by_key(user_id="1", name="Bo"), User)
    assert_type(await user.update(name="Cy"), User)
    await Order.delete_by_key(user_id="1", order_id=42)
