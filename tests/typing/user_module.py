"""A user's module, type-checked by ``mypy --strict`` in ``tests/unit/test_typing.py``.

It declares models the way the docs show and calls the API the way a user would, async and
sync. ``assert_type`` pins the return types users rely on. Nothing runs at import: every call
is inside a function (mypy only reads this file; pytest never imports it).

Class-level field access (``User.age``) is an attribute path at run time, but type checkers
see the field's type (``int``): pydantic's ``dataclass_transform`` declares fields as plain
annotations. So comparisons type-check as ``bool`` (``condition=`` admits ``Condition | bool``)
and path methods go through ``path(User.age)``, which is typed ``Attr``.
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timezone
from decimal import Decimal
from enum import Enum
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, Field
from typing_extensions import assert_type

from pydynox import (
    TTL,
    Attr,
    BatchWriter,
    BoundIndex,
    Condition,
    ConditionalCheckFailedException,
    ConditionCheck,
    Delete,
    DynamoConfig,
    DynamoDBClient,
    DynamoMixin,
    Get,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    Model,
    PartitionKey,
    Put,
    QueryResult,
    SortKey,
    SyncBatchWriter,
    SyncQueryResult,
    SyncTransaction,
    Transaction,
    TransactionCanceledException,
    Update,
    UpdateAction,
    Version,
    after_load,
    before_save,
    path,
    set_default_client,
)


class Status(str, Enum):
    ACTIVE = "active"
    CLOSED = "closed"


class Address(BaseModel):
    street: str
    city: str
    zip: str | None = None


class User(Model):
    model_config = DynamoConfig(table="users", str_strip_whitespace=True)

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    email: str | None = None
    age: int = 0
    balance: Decimal = Decimal("0")
    score: float = 0.0
    tags: set[str] = set()
    lucky: set[int] = Field(default_factory=set[int])  # pyright strict: not set[Unknown]
    history: list[str] = []
    nick: str | None = None
    status: Status = Status.ACTIVE
    address: Address | None = None
    born: date | None = None
    version: Annotated[int, Version()] = 0
    expires_at: Annotated[datetime | None, TTL()] = None

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")
    by_age = LocalSecondaryIndex("age-index", sort_key="age", projection="KEYS_ONLY")

    @before_save
    def normalise(self) -> None:
        self.email = self.email.lower() if self.email else None

    @after_load
    def loaded(self) -> None:
        pass


class Order(Model):
    model_config = DynamoConfig(table="orders")

    customer: Annotated[UUID, PartitionKey()]
    placed: Annotated[datetime, SortKey()]
    qty: int = 1
    total: Decimal = Decimal("0")


class Auditable(BaseModel):
    """An existing pydantic hierarchy, made storable with the mixin."""

    id: str
    created: datetime


class Event(DynamoMixin, Auditable):
    model_config = DynamoConfig(table="events", extra="allow")

    id: Annotated[str, PartitionKey()]


def build_conditions() -> list[Condition | bool]:
    return [
        User.age > 18,
        User.name == "Jane",
        User.status == Status.ACTIVE,
        path(User.age) > 18,
        path(User.age).between(18, 65),
        path(User.name).begins_with("J"),
        path(User.tags).contains("x"),
        path(User.address)["city"] == "Oslo",
        path(User.history)[0] == "first",
        path(User.nick).exists(),
        path(User.email).not_exists(),
        path(User.status).is_in([Status.ACTIVE, Status.CLOSED]),
        path(User.tags).size() > 3,
        (path(User.age) > 18) & path(User.name).begins_with("J"),
        (path(User.age) < 3) | ~path(User.nick).exists(),
        Attr("count") >= 2,
        Attr("address.city") == "Oslo",
    ]


def build_updates() -> list[UpdateAction]:
    return [
        path(User.age).add(1),
        path(User.age).set(5),
        path(User.age).set_if_not_exists(0),
        path(User.history).append(["x"]),
        path(User.history).prepend(["y"]),
        path(User.tags).add({"x"}),
        path(User.tags).delete({"x"}),
        path(User.nick).remove(),
        path(User.address)["city"].set("Bergen"),
        Attr("count").add(1),
    ]


async def models_async() -> None:
    user = User(pk="USER#1", sk="PROFILE", name="Jane", balance=Decimal("1.50"))
    user.tags.add("admin")
    assert_type(user.age, int)
    assert_type(user.balance, Decimal)
    assert_type(user.address, Address | None)

    await User.create_table()
    assert_type(await User.table_exists(), bool)

    await user.save()
    await user.save(condition=path(User.pk).not_exists())
    try:
        await user.save(condition=User.age > 18)
    except ConditionalCheckFailedException as error:
        assert_type(error.item, dict[str, Any] | None)

    found = await User.get(pk="USER#1", sk="PROFILE")
    assert_type(found, User | None)
    if found is not None:
        assert_type(found.name, str)
    consistent = await User.get(pk="USER#1", sk="PROFILE", consistent_read=True)
    assert_type(consistent, User | None)

    updated = await user.update(name="x", atomic=[path(User.age).add(1)])
    assert_type(updated, User)
    await user.update(nick=None, condition=(User.age > 3))
    await user.update(atomic=build_updates(), condition=path(User.age) > 3)

    by_key = await User.update_by_key(pk="USER#1", sk="PROFILE", name="y", version=2)
    assert_type(by_key, User)
    await User.update_by_key(pk="USER#1", sk="PROFILE", atomic=[path(User.lucky).add({7})])

    async for u in User.query(partition_key="USER#1"):
        assert_type(u, User)
    result = User.query(
        partition_key="USER#1",
        sort_key_condition=path(User.sk).begins_with("ORDER#"),
        filter_condition=User.age >= 18,
        limit=10,
        page_size=5,
        scan_index_forward=False,
        consistent_read=True,
    )
    assert_type(result, QueryResult[User])
    assert_type(await result.all(), list[User])
    assert_type(await result.first(), User | None)
    assert_type(result.last_evaluated_key, dict[str, Any] | None)
    await User.query("USER#1", last_evaluated_key=result.last_evaluated_key).all()

    async for u in User.scan(
        filter_condition=path(User.tags).contains("x"), total_segments=4, segment=0
    ):
        assert_type(u, User)
    assert_type(await User.scan().all(), list[User])

    assert_type(await User.count(), int)
    assert_type(await User.count(partition_key="USER#1", filter_condition=User.age > 3), int)

    batch = await User.batch_get(
        [{"pk": "USER#1", "sk": "PROFILE"}, {"pk": "USER#2", "sk": "PROFILE"}]
    )
    assert_type(batch, list[User])

    index = User.by_email
    assert_type(index, BoundIndex[User])
    async for hit in User.by_email.query(partition_key="jane@example.com"):
        print(hit)
    by_email: list[User] = await User.by_email.query("jane@example.com").all()
    print(by_email)
    await User.by_age.query("USER#1", sort_key_condition=User.age > 30).first()
    await User.by_email.scan(limit=3).all()

    await user.delete(condition=User.version == 1)
    await User.delete_by_key(pk="USER#1", sk="PROFILE", version=3)

    order = Order(customer=UUID(int=1), placed=datetime.now(timezone.utc), qty=3)
    orders = await Order.query(partition_key=order.customer, limit=3).all()
    assert_type(orders, list[Order])
    assert_type(await Order.get(customer=order.customer, placed=order.placed), Order | None)

    event = Event(id="e1", created=datetime.now(timezone.utc))
    await event.save()
    assert_type(await Event.get(id="e1"), Event | None)

    async with BatchWriter() as writer:
        writer.put(user)
        await writer.put(order)
        writer.delete(event)
        writer.put({"pk": "USER#9", "sk": "PROFILE", "name": "raw"}, table="users")
        writer.delete({"pk": "USER#8", "sk": "PROFILE"}, "users")
        assert_type(writer.pending, int)

    async with Transaction() as tx:
        tx.put(order)
        tx.update(order, atomic=[path(Order.qty).add(-1)], condition=Order.qty > 0)
        tx.update(user, updates={"name": "Ann"})
        tx.delete(event)
        tx.condition_check(user, condition=User.status == Status.ACTIVE)
        tx.put("users", {"pk": "USER#3", "sk": "PROFILE", "name": "Bo"})
    try:
        async with Transaction() as tx2:
            tx2.delete(user)
    except TransactionCanceledException as cancelled:
        print([reason.code for reason in cancelled.reasons])

    await User.delete_table()


def models_sync() -> None:
    user = User(pk="USER#1", sk="PROFILE", name="Jane")
    User.sync_create_table(wait=True)
    user.sync_save(condition=path(User.pk).not_exists())
    assert_type(User.sync_get(pk="USER#1", sk="PROFILE"), User | None)
    assert_type(user.sync_update(name="x", atomic=[path(User.age).add(1)]), User)
    assert_type(User.sync_update_by_key(pk="USER#1", sk="PROFILE", age=3), User)

    for u in User.sync_query(partition_key="USER#1", filter_condition=User.age > 2):
        assert_type(u, User)
    result = User.sync_query(partition_key="USER#1")
    assert_type(result, SyncQueryResult[User])
    assert_type(result.all(), list[User])
    assert_type(result.first(), User | None)
    assert_type(User.sync_query("USER#1").first(), User | None)
    assert_type(User.sync_scan(page_size=100).all(), list[User])
    assert_type(User.sync_batch_get([{"pk": "USER#1", "sk": "PROFILE"}]), list[User])
    assert_type(User.sync_count("USER#1"), int)
    for hit in User.by_email.sync_query("jane@example.com"):
        print(hit)
    User.by_age.sync_scan().all()

    with SyncBatchWriter() as writer:
        writer.put(user)
        writer.delete({"pk": "USER#2", "sk": "PROFILE"}, table="users")
    with SyncTransaction() as tx:
        tx.put(user, condition=path(User.pk).not_exists())
        tx.delete("users", {"pk": "USER#2", "sk": "PROFILE"})
    user.sync_delete()
    User.sync_delete_by_key(pk="USER#1", sk="PROFILE")
    assert_type(User.sync_table_exists(), bool)
    User.sync_delete_table()


async def client_async(
    client: DynamoDBClient,
    # return_values known only at run time: parameters, since pyright narrows a local to the
    # literal it is assigned.
    asked: Literal["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"] = "UPDATED_OLD",
    put_asked: Literal["NONE", "ALL_OLD"] = "ALL_OLD",
) -> None:
    set_default_client(client)
    key = {"pk": "USER#1", "sk": "PROFILE"}
    await client.create_table("t", partition_key=("pk", "S"), sort_key=("sk", "S"))
    await client.put_item("t", {**key, "n": 1}, condition=Attr("pk").not_exists())
    assert_type(await client.get_item("t", key), dict[str, Any] | None)
    stored = await client.update_item("t", key, updates={"n": 2}, atomic=[Attr("m").add(1)])
    assert_type(stored, dict[str, Any])
    assert_type(await client.put_item("t", {**key, "n": 1}), None)
    assert_type(await client.put_item("t", key, return_values="NONE"), None)
    assert_type(await client.put_item("t", key, return_values="ALL_OLD"), dict[str, Any] | None)
    assert_type(await client.delete_item("t", key), None)
    assert_type(await client.delete_item("t", key, return_values="ALL_OLD"), dict[str, Any] | None)
    assert_type(
        await client.update_item("t", key, {"n": 3}, return_values="ALL_NEW"), dict[str, Any]
    )
    assert_type(
        await client.update_item("t", key, {"n": 3}, return_values="UPDATED_NEW"), dict[str, Any]
    )
    assert_type(
        await client.update_item("t", key, {"n": 3}, return_values="UPDATED_OLD"), dict[str, Any]
    )
    assert_type(
        await client.update_item("t", key, {"n": 3}, return_values="ALL_OLD"),
        dict[str, Any] | None,
    )
    assert_type(await client.update_item("t", key, {"n": 3}, return_values="NONE"), None)
    assert_type(
        await client.update_item("t", key, {"n": 3}, return_values=asked), dict[str, Any] | None
    )
    assert_type(await client.put_item("t", key, return_values=put_asked), dict[str, Any] | None)
    async for item in client.query("t", Attr("pk") == "USER#1", limit=5):
        assert_type(item, dict[str, Any])
    assert_type(
        await client.query(
            "t",
            "#pk = :pk",
            expression_attribute_names={"#pk": "pk"},
            expression_attribute_values={":pk": "USER#1"},
        ).all(),
        list[dict[str, Any]],
    )
    assert_type(await client.scan("t", filter_expression=Attr("n") > 1).all(), list[dict[str, Any]])
    assert_type(await client.batch_get("t", [key]), list[dict[str, Any]])
    await client.batch_write("t", put_items=[{**key, "n": 3}], delete_keys=[key])
    await client.transact_write(
        [
            Put("t", {**key, "n": 4}, condition=Attr("n").not_exists()),
            Update("t", {"pk": "USER#2", "sk": "X"}, updates={"n": 1}, atomic=[Attr("c").add(1)]),
            Delete("t", {"pk": "USER#3", "sk": "X"}),
            ConditionCheck("t", {"pk": "USER#4", "sk": "X"}, Attr("pk").exists()),
        ]
    )
    assert_type(await client.transact_get([Get("t", key)]), list[dict[str, Any] | None])
    assert_type(await client.count("t", Attr("pk") == "USER#1"), int)
    await client.delete_item("t", key)
    assert_type(await client.table_exists("t"), bool)
    await client.delete_table("t")
    await client.close()
    async with DynamoDBClient(region="eu-west-1", max_attempts=3) as scoped:
        await scoped.get_item("t", key)


def client_sync() -> None:
    with DynamoDBClient(endpoint_url="http://127.0.0.1:8000") as client:
        key = {"pk": "USER#1", "sk": "PROFILE"}
        assert_type(client.sync_get_item("t", key), dict[str, Any] | None)
        assert_type(client.sync_put_item("t", key), None)
        assert_type(client.sync_put_item("t", key, return_values="ALL_OLD"), dict[str, Any] | None)
        assert_type(client.sync_delete_item("t", key), None)
        assert_type(
            client.sync_delete_item("t", key, return_values="ALL_OLD"), dict[str, Any] | None
        )
        assert_type(client.sync_update_item("t", key, {"n": 1}), dict[str, Any])
        assert_type(
            client.sync_update_item("t", key, {"n": 1}, return_values="UPDATED_OLD"),
            dict[str, Any],
        )
        assert_type(
            client.sync_update_item("t", key, {"n": 1}, return_values="ALL_OLD"),
            dict[str, Any] | None,
        )
        for item in client.sync_query("t", Attr("pk") == "USER#1"):
            assert_type(item, dict[str, Any])
        assert_type(client.sync_scan("t").first(), dict[str, Any] | None)
        assert_type(client.sync_batch_get("t", [key]), list[dict[str, Any]])
        with SyncBatchWriter(client, "t") as batch:
            batch.put({**key, "n": 1})
        with SyncTransaction(client) as tx:
            tx.update("t", key, atomic=[Attr("n").add(1)])


def main() -> None:
    asyncio.run(models_async())
    models_sync()


if __name__ == "__main__":  # pragma: no cover - type-checked, never run
    main()
