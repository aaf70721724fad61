"""Entities of one table and collections on real servers (issue 14 items 1, 2, 4), via ``api``.

``User`` and ``Order`` (tests/entity_models.py) share one table: each test binds both to an
empty table of its own (``tables(User)`` makes it with the entity's own ``create_table``,
``bind(Order, ...)`` puts Order in the same one). What pydynox stores is read with plain boto3
(``boto``), and items that another program wrote (boto3, in the same plain shape, or of an
entity pydynox does not know: ``Ghost``) are put with it. Every scenario runs async and sync,
on the wire and the botocore transports, on moto and dynalite.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from pydynox import (
    Attr,
    Collection,
    ConditionalCheckFailedException,
    InvalidCursorException,
    ModelDefinitionError,
    ValidationException,
)

from ..entity_models import AppTable, Order, User
from .api import Api
from .model_tables import Tables, bind, stored, table_of

pytestmark = pytest.mark.both_transports


@dataclass
class App:
    """The two entities bound to one empty table, and that table's name."""

    users: type[User]
    orders: type[Order]
    table: str

    def user(self, user_id: str, name: str = "Ann", email: str | None = None) -> User:
        return self.users(user_id=user_id, name=name, email=email or f"{name.lower()}@x.io")

    def order(self, user_id: str, order_id: int, total: str = "9.5") -> Order:
        return self.orders(user_id=user_id, order_id=order_id, total=Decimal(total))


@pytest.fixture
async def app(tables: Tables) -> App:
    users = await tables(User)
    return App(users, bind(Order, table_of(users)), table_of(users))


def user_item(user_id: str = "1", name: str = "Ann", email: str = "ann@x.io") -> dict[str, Any]:
    """A User as DynamoDB holds it: plain attributes and the discriminator."""
    return {
        "pk": {"S": f"USER#{user_id}"},
        "sk": {"S": "PROFILE"},
        "gsi1pk": {"S": f"EMAIL#{email}"},
        "gsi1sk": {"S": "USER"},
        "entity": {"S": "User"},
        "user_id": {"S": user_id},
        "name": {"S": name},
        "email": {"S": email},
    }


def order_item(user_id: str = "1", order_id: int = 42, total: str = "9.5") -> dict[str, Any]:
    return {
        "pk": {"S": f"USER#{user_id}"},
        "sk": {"S": f"ORDER#{order_id:>08}"},
        "entity": {"S": "Order"},
        "user_id": {"S": user_id},
        "order_id": {"N": str(order_id)},
        "total": {"N": total},
    }


def put(boto: Any, app: App, item: dict[str, Any]) -> None:
    boto.put_item(TableName=app.table, Item=item)


def raw(boto: Any, app: App, pk: str, sk: str) -> dict[str, Any] | None:
    return stored(boto, app.users, pk=pk, sk=sk)


def ghost(user_id: str = "1", sk: str = "GHOST#1") -> dict[str, Any]:
    """An item of an entity pydynox does not know, in a user's partition."""
    return {
        "pk": {"S": f"USER#{user_id}"},
        "sk": {"S": sk},
        "entity": {"S": "Ghost"},
        "boo": {"S": "!"},
    }


async def save_all(api: Api, *items: Any) -> None:
    for item in items:
        await api.on(item).save()


# -- one table, two entities ---------------------------------------------------------------


async def test_users_and_orders_are_saved_and_read_in_one_table(api: Api, app: App) -> None:
    ann, order = app.user("1"), app.order("1", 42)
    await save_all(api, ann, order)
    assert await api.on(app.users).get(user_id="1") == ann
    assert await api.on(app.orders).get(user_id="1", order_id=42) == order
    assert await api.on(app.orders).get(user_id="1", order_id="42") == order
    assert await api.on(app.orders).get(user_id="1", order_id=43) is None
    assert await api.on(app.users).get(user_id="2") is None


async def test_what_entities_store_is_plain_dynamodb(api: Api, app: App, boto: Any) -> None:
    await save_all(api, app.user("1"), app.order("1", 42))
    assert raw(boto, app, "USER#1", "PROFILE") == user_item()
    assert raw(boto, app, "USER#1", "ORDER#00000042") == order_item()


async def test_an_item_put_by_boto3_in_that_shape_reads_back(api: Api, app: App, boto: Any) -> None:
    put(boto, app, user_item("7", "Kim", "kim@x.io"))
    put(boto, app, order_item("7", 3, "12.25"))
    assert await api.on(app.users).get(user_id="7") == app.user("7", "Kim")
    assert await api.on(app.orders).query(user_id="7").all() == [app.order("7", 3, "12.25")]
    assert await api.on(app.users.by_gsi1).query(email="kim@x.io").all() == [app.user("7", "Kim")]


async def test_the_base_creates_checks_and_deletes_the_table(api: Api, tables: Tables) -> None:
    base = tables.bind(AppTable)  # a new table name; not created yet
    await api.on(base).create_table()
    assert await api.on(base).table_exists()
    users, orders = bind(User, table_of(base)), bind(Order, table_of(base))
    assert await api.on(users).table_exists() and await api.on(orders).table_exists()
    ann = users(user_id="1", name="Ann", email="ann@x.io")
    await api.on(ann).save()
    assert await api.on(users.by_gsi1).query(email="ann@x.io").all() == [ann]  # the index
    with pytest.raises(ModelDefinitionError, match="Collection"):
        await api.on(base).get(pk="USER#1", sk="PROFILE")
    with pytest.raises(ModelDefinitionError, match="Collection"):
        await api.on(base).scan().all()
    await api.on(base).delete_table()
    assert not await api.on(base).table_exists()


# -- reads of one entity -------------------------------------------------------------------


@pytest.mark.parametrize(
    "item",
    [order_item("1", 42) | {"sk": {"S": "PROFILE"}}, user_item() | {"entity": {"S": "Ghost"}}],
    ids=["an-order", "a-ghost"],
)
async def test_get_of_a_key_holding_another_entity_is_none(
    api: Api, app: App, boto: Any, item: dict[str, Any]
) -> None:
    put(boto, app, item)
    assert await api.on(app.users).get(user_id="1") is None
    anonymous = {k: v for k, v in user_item("2").items() if k != "entity"}
    put(boto, app, anonymous)  # no discriminator at all
    assert await api.on(app.users).get(user_id="2") is None


async def test_an_entity_query_returns_only_its_items_sorted_by_padded_key(
    api: Api, app: App, boto: Any
) -> None:
    orders = [app.order("1", n) for n in (100, 3, 42, 7)]
    await save_all(api, app.user("1"), *orders, app.order("2", 5))
    # Of another entity, inside the ORDER# prefix: skipped by the filter on the entity.
    put(boto, app, order_item("1", 1) | {"entity": {"S": "Ghost"}})
    put(boto, app, order_item("1", 4) | {"entity": {"S": "User"}})
    by_number = [app.order("1", n) for n in (3, 7, 42, 100)]
    q = api.on(app.orders).query
    assert await q(user_id="1").all() == by_number
    assert [o async for o in q(user_id="1")] == by_number
    assert await q(user_id="1", limit=2).all() == by_number[:2]
    assert await q(user_id="1", limit=3, page_size=1).all() == by_number[:3]
    assert await q(user_id="1", scan_index_forward=False, limit=1).all() == [by_number[-1]]
    assert await q(user_id="1").first() == by_number[0]
    assert await q(user_id="2").all() == [app.order("2", 5)]
    assert await q(user_id="3").all() == []
    assert await api.on(app.users).query(user_id="1").all() == [app.user("1")]


async def test_a_query_with_every_sort_key_field_reads_one_item(api: Api, app: App) -> None:
    await save_all(api, *(app.order("1", n) for n in (4, 42, 420)))
    q = api.on(app.orders).query
    assert await q(user_id="1", order_id=42).all() == [app.order("1", 42)]
    assert await q(user_id="1", order_id=5).all() == []


async def test_a_query_sort_key_condition_and_filter(api: Api, app: App) -> None:
    await save_all(api, app.user("1"), *(app.order("1", n, str(n)) for n in range(1, 7)))
    q = api.on(app.orders).query
    between = Attr("sk").between("ORDER#00000002", "ORDER#00000004")
    assert [o.order_id for o in await q(user_id="1", sort_key_condition=between).all()] == [
        2,
        3,
        4,
    ]
    big = Attr("total") >= 3
    assert [o.order_id for o in await q(user_id="1", filter_condition=big, limit=2).all()] == [
        3,
        4,
    ]


async def test_a_scan_of_an_entity_reads_only_that_entity(api: Api, app: App, boto: Any) -> None:
    await save_all(api, app.user("1"), app.user("2", "Bo"), app.order("1", 1))
    put(boto, app, ghost())
    users = await api.on(app.users).scan().all()
    assert sorted(u.user_id for u in users) == ["1", "2"]
    assert await api.on(app.orders).scan().all() == [app.order("1", 1)]


async def test_an_overloaded_index_is_queried_by_its_template_fields(
    api: Api, app: App, boto: Any
) -> None:
    ann, bo = app.user("1"), app.user("2", "Bo")
    await save_all(api, ann, bo, app.order("1", 1))
    # Another entity in the same index partition: filtered out.
    put(
        boto, app, order_item("1", 9) | {"gsi1pk": {"S": "EMAIL#ann@x.io"}, "gsi1sk": {"S": "USER"}}
    )
    by_gsi1 = api.on(app.users.by_gsi1)
    assert await by_gsi1.query(email="ann@x.io").all() == [ann]
    assert await by_gsi1.query(email="bo@x.io").first() == bo
    assert await by_gsi1.query(email="nobody@x.io").all() == []


async def test_batch_get_takes_template_fields_and_leaves_other_entities_out(
    api: Api, app: App, boto: Any
) -> None:
    ann, bo = app.user("1"), app.user("2", "Bo")
    await save_all(api, ann, bo)
    put(boto, app, order_item("3", 1) | {"sk": {"S": "PROFILE"}})  # an Order at a User key
    got = await api.on(app.users).batch_get(
        [{"user_id": "2"}, {"user_id": "1"}, {"user_id": "3"}, {"user_id": "9"}]
    )
    assert sorted(got, key=lambda u: u.user_id) == [ann, bo]
    await api.on(app.order("1", 1)).save()
    orders = await api.on(app.orders).batch_get(
        [{"user_id": "1", "order_id": 1}, {"user_id": "1", "order_id": "2"}]
    )
    assert orders == [app.order("1", 1)]


# -- writes --------------------------------------------------------------------------------


async def test_update_by_key_takes_template_fields_and_keeps_the_shape(
    api: Api, app: App, boto: Any
) -> None:
    await save_all(api, app.user("1"), app.order("1", 42))
    updated = await api.on(app.users).update_by_key(user_id="1", name="Bo")
    assert updated == app.user("1", "Bo", "ann@x.io")
    assert raw(boto, app, "USER#1", "PROFILE") == user_item(name="Bo")
    order = await api.on(app.orders).update_by_key(user_id="1", order_id=42, total="1.5")
    assert order == app.order("1", 42, "1.5")
    assert raw(boto, app, "USER#1", "ORDER#00000042") == order_item(total="1.5")
    await api.on(app.users).delete_by_key(user_id="1")
    await api.on(app.orders).delete_by_key(user_id="1", order_id=42)
    assert raw(boto, app, "USER#1", "PROFILE") is None
    assert raw(boto, app, "USER#1", "ORDER#00000042") is None


async def test_an_update_of_a_key_holding_another_entity_changes_nothing(
    api: Api, app: App, boto: Any
) -> None:
    intruder = order_item("1", 1) | {"sk": {"S": "PROFILE"}}
    put(boto, app, intruder)
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(app.users).update_by_key(user_id="1", name="Bo")
    assert raw(boto, app, "USER#1", "PROFILE") == intruder
    with pytest.raises(ConditionalCheckFailedException):  # no item: none is created
        await api.on(app.users).update_by_key(user_id="2", name="Bo")
    assert raw(boto, app, "USER#2", "PROFILE") is None


async def test_updates_of_a_loaded_entity_require_it_still_be_that_entity(
    api: Api, app: App, boto: Any
) -> None:
    await api.on(app.user("1")).save()
    ann = await api.on(app.users).get(user_id="1")
    assert ann is not None
    replaced = order_item("1", 1) | {"sk": {"S": "PROFILE"}}
    put(boto, app, replaced)  # another program put an Order at that key meanwhile
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(ann).update(name="Bo")
    ann.name = "Cy"
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(ann).save_changes()
    assert raw(boto, app, "USER#1", "PROFILE") == replaced


async def test_an_index_key_follows_its_template_field_on_update(
    api: Api, app: App, boto: Any
) -> None:
    ann = app.user("1")
    await api.on(ann).save()
    await api.on(ann).update(email="new@x.io")
    assert ann.gsi1pk == "EMAIL#new@x.io"
    stored_item = raw(boto, app, "USER#1", "PROFILE")
    assert stored_item == user_item(email="new@x.io")
    assert await api.on(app.users.by_gsi1).query(email="new@x.io").all() == [ann]
    assert await api.on(app.users.by_gsi1).query(email="ann@x.io").all() == []


async def test_a_table_key_template_field_is_not_updated(api: Api, app: App, boto: Any) -> None:
    ann = app.user("1")
    await api.on(ann).save()
    with pytest.raises(ValidationException):
        await api.on(ann).update(user_id="2")
    assert raw(boto, app, "USER#1", "PROFILE") == user_item()
    assert raw(boto, app, "USER#2", "PROFILE") is None


async def test_a_stale_key_is_refused_before_sending(api: Api, app: App, boto: Any) -> None:
    moved = app.user("1").model_copy(update={"user_id": "2"})  # pk is still USER#1
    with pytest.raises(ValidationException):
        await api.on(moved).save()
    with pytest.raises(ValidationException):
        async with api.batch_writer() as batch:
            await batch.put(moved)
    assert raw(boto, app, "USER#1", "PROFILE") is None
    assert raw(boto, app, "USER#2", "PROFILE") is None


async def test_the_batch_writer_writes_the_discriminator(api: Api, app: App, boto: Any) -> None:
    async with api.batch_writer() as batch:
        await batch.put(app.user("1"))
        await batch.put(app.order("1", 42))
    assert raw(boto, app, "USER#1", "PROFILE") == user_item()
    assert raw(boto, app, "USER#1", "ORDER#00000042") == order_item()


@pytest.mark.needs("transactions")
async def test_a_transaction_writes_the_discriminator(api: Api, app: App, boto: Any) -> None:
    async with api.transaction() as tx:
        tx.put(app.user("1"))
        tx.put(app.order("1", 42))
    assert raw(boto, app, "USER#1", "PROFILE") == user_item()
    assert raw(boto, app, "USER#1", "ORDER#00000042") == order_item()
    moved = app.order("1", 43).model_copy(update={"order_id": 44})
    with pytest.raises(ValidationException):
        async with api.transaction() as tx:
            tx.put(app.user("2"))
            tx.put(moved)
    assert raw(boto, app, "USER#2", "PROFILE") is None


# -- collections ---------------------------------------------------------------------------


async def fill(api: Api, app: App, boto: Any) -> tuple[list[Any], list[Any]]:
    """User 1 with five orders (and a Ghost item in the partition), user 2 with one: what a
    collection of user 1 reads, in key order, and what user 2's reads."""
    ann, bo = app.user("1"), app.user("2", "Bo")
    orders = [app.order("1", n, str(10 * n)) for n in range(1, 6)]
    await save_all(api, ann, *orders, bo, app.order("2", 1))
    put(boto, app, ghost("1"))
    return [*orders, ann], [app.order("2", 1), bo]  # ORDER#... sorts before PROFILE


async def test_a_collection_reads_a_user_and_their_orders(api: Api, app: App, boto: Any) -> None:
    first, second = await fill(api, app, boto)
    both = api.on(Collection(app.users, app.orders))
    items = await both.query(user_id="1").all()
    assert items == first
    assert [type(i) for i in items] == [app.orders] * 5 + [app.users]
    assert [i async for i in both.query(user_id="1")] == first
    assert await both.query(user_id="1").first() == first[0]
    assert await both.query(user_id="2").all() == second
    assert await both.query(user_id="3").all() == []
    assert await both.query(user_id="1", limit=2).all() == first[:2]
    reverse = await both.query(user_id="1", scan_index_forward=False, limit=2).all()
    assert reverse == first[::-1][:2]
    only_users = api.on(Collection(app.users))
    assert await only_users.query(user_id="1").all() == [first[-1]]


async def test_collection_pages_cover_every_item_once(api: Api, app: App, boto: Any) -> None:
    first, _ = await fill(api, app, boto)
    both = api.on(Collection(app.users, app.orders))
    pages, cursor = [], None
    while True:
        page = await both.query(user_id="1").page(2, cursor)
        pages.append(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
        assert len(pages) < 10, "the pages do not end"
    assert pages == [first[0:2], first[2:4], first[4:6]]


async def test_a_collection_cursor_is_bound_to_its_partition(api: Api, app: App, boto: Any) -> None:
    await fill(api, app, boto)
    both = api.on(Collection(app.users, app.orders))
    page = await both.query(user_id="1").page(2)
    assert page.next_cursor is not None
    with pytest.raises(InvalidCursorException):
        await both.query(user_id="2").page(2, page.next_cursor)


async def test_unknown_entities_are_skipped_or_raise(api: Api, app: App, boto: Any) -> None:
    first, _ = await fill(api, app, boto)
    skipping = api.on(Collection(app.users, app.orders))
    assert await skipping.query(user_id="1").all() == first
    raising = api.on(Collection(app.users, app.orders, unknown="raise"))
    with pytest.raises(ValidationException, match="Ghost"):
        await raising.query(user_id="1").all()
    assert await raising.query(user_id="2").all() == [app.order("2", 1), app.user("2", "Bo")]
    put(boto, app, {k: v for k, v in order_item("2", 9).items() if k != "entity"})
    with pytest.raises(ValidationException):  # an item of no entity
        await raising.query(user_id="2").all()
    assert len(await skipping.query(user_id="2").all()) == 2


async def test_a_collection_sort_key_condition_and_filter(api: Api, app: App, boto: Any) -> None:
    first, _ = await fill(api, app, boto)
    both = api.on(Collection(app.users, app.orders))
    orders_only = await both.query(
        user_id="1", sort_key_condition=Attr("sk").begins_with("ORDER#")
    ).all()
    assert orders_only == first[:5]
    profile = await both.query(user_id="1", sort_key_condition=Attr("sk") == "PROFILE").all()
    assert profile == [first[-1]]
    big = await both.query(user_id="1", filter_condition=Attr("total") >= 30).all()
    assert big == first[2:5]
    named = await both.query(user_id="1", filter_condition=Attr("name") == "Ann", limit=1).all()
    assert named == [first[-1]]
