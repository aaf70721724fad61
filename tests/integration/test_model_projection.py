"""Model projections on real servers (issue 14 item 6, model side), via ``api``.

``get(..., project=UserCard)`` returns a ``UserCard`` (None for a missing item and for an item
of another entity); ``query``/``scan``/index reads ``.project(UserCard)`` yield cards, with
``limit`` + ``last_evaluated_key`` resuming exactly and ``page()`` cursors walking every item
once, also where the entity filter drops items inside a page;
``Collection(User, Order).project(Summary)`` yields summaries of the collection's items. The
entities (tests/entity_models.py) are bound to an empty table of their own as in
test_entities.py; ``Reading`` is a plain model (no discriminator) with an index, and
``Account`` (tests/models.py) a versioned one. What each form sends is pinned in
tests/unit/test_model_projection.py. Every scenario runs async and sync, on both transports,
on moto and dynalite.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from pydynox import (
    Attr,
    Collection,
    DynamoConfig,
    GlobalSecondaryIndex,
    Model,
    PartitionKey,
    SortKey,
    ValidationException,
)

from ..entity_models import Order, User
from ..models import Account
from .api import Api, SyncResultAsAsync
from .model_tables import Tables, bind, table_of

pytestmark = pytest.mark.both_transports


class UserCard(BaseModel):
    name: str


class Contact(BaseModel):
    name: str
    email: str


class OrderTotal(BaseModel):
    order_id: int
    total: Decimal


class Summary(BaseModel):
    """Fields every entity has: ``sk`` of the base, ``user_id`` of each entity."""

    user_id: str
    sk: str


class Reading(Model):
    """A plain model: no discriminator, a numeric sort key and a global index."""

    model_config = DynamoConfig(table="readings")
    sensor: Annotated[str, PartitionKey()]
    at: Annotated[int, SortKey()]
    site: str
    value: Decimal
    note: str = ""
    by_site = GlobalSecondaryIndex("by-site", partition_key="site", sort_key="at")


class Value(BaseModel):
    at: int
    value: Decimal


class Balance(BaseModel):
    balance: int


def project(result: Any, model: type[BaseModel]) -> Any:
    """``result.project(model)``, the sync result kept awaitable for the test."""
    if isinstance(result, SyncResultAsAsync):
        return SyncResultAsAsync(result.result.project(model))
    return result.project(model)


async def walk(result: Any, page_size: int) -> list[list[Any]]:
    """The items of each page of ``result``, following ``next_cursor`` to the end."""
    pages: list[list[Any]] = []
    cursor = None
    while True:
        page = await result.page(page_size, cursor)
        pages.append(page.items)
        cursor = page.next_cursor
        if cursor is None:
            return pages
        assert len(pages) < 20, "the pages do not end"


# -- entities ------------------------------------------------------------------------------


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


def s(value: str) -> dict[str, str]:
    return {"S": value}


def put(boto: Any, app: App, item: dict[str, Any]) -> None:
    boto.put_item(TableName=app.table, Item=item)


def foreign(pk: str, sk: str, entity: str | None = "Ghost", **more: Any) -> dict[str, Any]:
    """An item another program put: of an entity pydynox does not know (or of none), with
    the fields a user card reads."""
    item = {"pk": s(pk), "sk": s(sk), "name": s("Intruder"), "user_id": s("1"), **more}
    return item if entity is None else item | {"entity": s(entity)}


async def save_all(api: Api, *items: Any) -> None:
    for item in items:
        await api.on(item).save()


async def test_get_project_returns_a_model_of_only_those_fields(api: Api, app: App) -> None:
    await save_all(api, app.user("1"), app.order("1", 42, "12.25"))
    contact = await api.on(app.users).get(user_id="1", project=Contact)
    assert type(contact) is Contact and contact == Contact(name="Ann", email="ann@x.io")
    card = await api.on(app.users).get(True, user_id="1", project=UserCard)
    assert type(card) is UserCard and card == UserCard(name="Ann")
    total = await api.on(app.orders).get(user_id="1", order_id=42, project=OrderTotal)
    assert total == OrderTotal(order_id=42, total=Decimal("12.25"))
    assert await api.on(app.users).get(user_id="2", project=UserCard) is None
    assert await api.on(app.orders).get(user_id="1", order_id=43, project=OrderTotal) is None


@pytest.mark.parametrize(
    "entity", ["Order", "Ghost", None], ids=["an-order", "a-ghost", "no-discriminator"]
)
async def test_get_project_of_a_key_holding_another_entity_is_none(
    api: Api, app: App, boto: Any, entity: str | None
) -> None:
    put(boto, app, foreign("USER#1", "PROFILE", entity))
    assert await api.on(app.users).get(user_id="1", project=UserCard) is None
    assert await api.on(app.users).get(True, user_id="1", project=UserCard) is None


async def fill_orders(api: Api, app: App, boto: Any) -> list[OrderTotal]:
    """User 1 with seven orders, their partition holding items of other entities between them
    (a Ghost and a User inside the ORDER# prefix: the entity filter drops them inside a page),
    and user 2 with one order: what user 1's order query reads, in key order."""
    numbers = [1, 2, 4, 5, 7, 8, 10]
    await save_all(
        api, app.user("1"), *(app.order("1", n, f"{n}.5") for n in numbers), app.order("2", 3)
    )
    for n, entity in ((3, "Ghost"), (6, "User"), (9, None)):
        put(boto, app, foreign("USER#1", f"ORDER#{n:08}", entity, order_id={"N": str(n)}))
    return [OrderTotal(order_id=n, total=Decimal(f"{n}.5")) for n in numbers]


async def test_an_entity_query_projection_resumes_exactly_after_a_limit(
    api: Api, app: App, boto: Any
) -> None:
    totals = await fill_orders(api, app, boto)
    orders = api.on(app.orders)
    assert await project(orders.query(user_id="1"), OrderTotal).all() == totals
    assert [t async for t in project(orders.query(user_id="1"), OrderTotal)] == totals
    assert await project(orders.query(user_id="1"), OrderTotal).first() == totals[0]
    for page_size in (None, 1, 2):
        first = project(orders.query(user_id="1", limit=3, page_size=page_size), OrderTotal)
        assert await first.all() == totals[:3]
        assert first.last_evaluated_key == {"pk": "USER#1", "sk": "ORDER#00000004"}
        rest = project(
            orders.query(user_id="1", last_evaluated_key=first.last_evaluated_key), OrderTotal
        )
        assert await rest.all() == totals[3:]
        assert rest.last_evaluated_key is None
    # the whole models resume from a projection's key, and the other way round
    rest = orders.query(user_id="1", last_evaluated_key={"pk": "USER#1", "sk": "ORDER#00000004"})
    assert [o.order_id for o in await rest.all()] == [5, 7, 8, 10]


async def test_entity_query_pages_of_a_projection_walk_every_item_once(
    api: Api, app: App, boto: Any
) -> None:
    totals = await fill_orders(api, app, boto)
    orders = api.on(app.orders)
    pages = await walk(project(orders.query(user_id="1"), OrderTotal), 3)
    assert pages == [totals[0:3], totals[3:6], totals[6:]]
    # a cursor of the projection continues the whole models' read, and the other way round
    one = await project(orders.query(user_id="1"), OrderTotal).page(2)
    two = await orders.query(user_id="1").page(2, one.next_cursor)
    assert [o.order_id for o in two.items] == [4, 5]
    three = await project(orders.query(user_id="1"), OrderTotal).page(2, two.next_cursor)
    assert three.items == totals[4:6]
    cards = await walk(project(api.on(app.users).query(user_id="1"), UserCard), 1)
    assert cards == [[UserCard(name="Ann")]]


async def test_an_entity_scan_projection_resumes_and_pages(api: Api, app: App, boto: Any) -> None:
    names = ["Ann", "Bo", "Cy", "Di", "Ed"]
    await save_all(api, *(app.user(str(i), name) for i, name in enumerate(names)))
    await save_all(api, *(app.order(str(i), 1) for i in range(3)))
    put(boto, app, foreign("USER#9", "PROFILE"))  # a Ghost with a name: not a user
    users = api.on(app.users)
    everyone = await project(users.scan(), UserCard).all()
    assert sorted(card.name for card in everyone) == names
    first = project(users.scan(limit=2), UserCard)
    head = await first.all()
    assert len(head) == 2 and set(first.last_evaluated_key or {}) == {"pk", "sk"}
    rest = project(users.scan(last_evaluated_key=first.last_evaluated_key), UserCard)
    assert head + await rest.all() == everyone
    pages = await walk(project(users.scan(), UserCard), 2)
    assert [card for page in pages for card in page] == everyone
    assert all(page for page in pages)  # no empty last page


async def test_an_index_query_projection_resumes_and_pages(api: Api, app: App, boto: Any) -> None:
    names = ["Ann", "Bo", "Cy", "Di", "Ed"]
    team = "team@x.io"  # one index partition: EMAIL#team@x.io
    await save_all(api, *(app.user(str(i), name, team) for i, name in enumerate(names)))
    await save_all(api, app.user("9", "Zed", "zed@x.io"))
    # another entity in the same index partition, between the users: filtered out
    index_keys = {"gsi1pk": s(f"EMAIL#{team}"), "gsi1sk": s("USER")}
    put(boto, app, foreign("USER#2a", "PROFILE", "Order", **index_keys))
    by_gsi1 = api.on(app.users.by_gsi1)
    everyone = await project(by_gsi1.query(email=team), UserCard).all()
    assert sorted(card.name for card in everyone) == names
    first = project(by_gsi1.query(email=team, limit=2), UserCard)
    head = await first.all()
    assert head == everyone[:2]
    # the key to resume from names the index keys and the table keys
    assert set(first.last_evaluated_key or {}) == {"pk", "sk", "gsi1pk", "gsi1sk"}
    rest = project(by_gsi1.query(email=team, last_evaluated_key=first.last_evaluated_key), UserCard)
    assert await rest.all() == everyone[2:]
    pages = await walk(project(by_gsi1.query(email=team), UserCard), 2)
    assert pages == [everyone[0:2], everyone[2:4], everyone[4:]]
    scanned = await project(by_gsi1.scan(), UserCard).all()
    assert sorted(card.name for card in scanned) == sorted([*names, "Zed"])


# -- collections ---------------------------------------------------------------------------


async def fill(api: Api, app: App, boto: Any) -> list[Summary]:
    """User 1 with five orders (and a Ghost item in the partition), user 2 with one: the
    summaries of what a collection of user 1 reads, in key order."""
    orders = [app.order("1", n) for n in range(1, 6)]
    await save_all(api, app.user("1"), *orders, app.user("2", "Bo"), app.order("2", 1))
    put(boto, app, foreign("USER#1", "GHOST#1"))
    return [Summary(user_id="1", sk=o.sk) for o in orders] + [Summary(user_id="1", sk="PROFILE")]


async def test_a_projected_collection_yields_summaries(api: Api, app: App, boto: Any) -> None:
    summaries = await fill(api, app, boto)
    both = api.on(Collection(app.users, app.orders).project(Summary))
    got = await both.query(user_id="1").all()
    assert got == summaries and all(type(item) is Summary for item in got)
    assert [item async for item in both.query(user_id="1")] == summaries
    assert await both.query(user_id="1").first() == summaries[0]
    assert await both.query(user_id="2").all() == [
        Summary(user_id="2", sk="ORDER#00000001"),
        Summary(user_id="2", sk="PROFILE"),
    ]
    orders_only = both.query(user_id="1", sort_key_condition=Attr("sk").begins_with("ORDER#"))
    assert await orders_only.all() == summaries[:5]
    first = both.query(user_id="1", limit=2)
    assert await first.all() == summaries[:2]
    assert first.last_evaluated_key == {"pk": "USER#1", "sk": "ORDER#00000002"}
    rest = both.query(user_id="1", last_evaluated_key=first.last_evaluated_key)
    assert await rest.all() == summaries[2:]


async def test_projected_collection_pages_cover_every_item_once(
    api: Api, app: App, boto: Any
) -> None:
    summaries = await fill(api, app, boto)
    projected = Collection(app.users, app.orders).project(Summary)
    pages = await walk(api.on(projected).query(user_id="1"), 2)
    assert pages == [summaries[0:2], summaries[2:4], summaries[4:6]]
    # the whole collection continues from a projection's cursor
    one = await api.on(projected).query(user_id="1").page(4)
    two = (
        await api.on(Collection(app.users, app.orders)).query(user_id="1").page(4, one.next_cursor)
    )
    assert two.items == [app.order("1", 5), app.user("1")] and two.next_cursor is None


async def test_a_projected_collection_raises_on_unknown_entities_when_asked(
    api: Api, app: App, boto: Any
) -> None:
    summaries = await fill(api, app, boto)
    raising = api.on(Collection(app.users, app.orders, unknown="raise").project(Summary))
    with pytest.raises(ValidationException, match="Ghost"):
        await raising.query(user_id="1").all()
    # read backwards, the Ghost (GHOST#1) comes last: a limit stops before it
    backwards = raising.query(user_id="1", scan_index_forward=False, limit=6)
    assert await backwards.all() == summaries[::-1]
    assert len(await raising.query(user_id="2").all()) == 2


# -- plain models ----------------------------------------------------------------------------


async def test_a_plain_model_get_and_reads_project(api: Api, tables: Tables) -> None:
    readings = await tables(Reading)
    site = {"s1": "oslo", "s2": "bergen"}
    await save_all(
        api,
        *(
            readings(sensor=sensor, at=at, site=site[sensor], value=Decimal(at) / 4, note="n")
            for sensor in ("s1", "s2")
            for at in range(1, 8)
        ),
    )
    values = [Value(at=at, value=Decimal(at) / 4) for at in range(1, 8)]
    got = await api.on(readings).get(sensor="s1", at=3, project=Value)
    assert type(got) is Value and got == values[2]
    assert await api.on(readings).get(sensor="s1", at=99, project=Value) is None
    query = api.on(readings).query
    assert await project(query("s1"), Value).all() == values
    after_two = Attr("value") > Decimal("0.5")  # the filter drops 1 and 2 inside a page
    first = project(query("s1", filter_condition=after_two, limit=2), Value)
    assert await first.all() == values[2:4]
    assert first.last_evaluated_key == {"sensor": "s1", "at": 4}
    rest = query("s1", filter_condition=after_two, last_evaluated_key=first.last_evaluated_key)
    assert await project(rest, Value).all() == values[4:]
    assert await walk(project(query("s1"), Value), 3) == [values[0:3], values[3:6], values[6:]]
    by_site = api.on(readings.by_site)
    assert await walk(project(by_site.query("bergen"), Value), 4) == [values[:4], values[4:]]
    scanned = await project(api.on(readings).scan(), Value).all()
    assert sorted(scanned, key=lambda v: v.at) == sorted(values * 2, key=lambda v: v.at)


async def test_a_versioned_model_get_and_scan_project(api: Api, tables: Tables) -> None:
    accounts = await tables(Account)
    await save_all(api, accounts(id="a", balance=5), accounts(id="b", balance=7))
    assert await api.on(accounts).get(id="a", project=Balance) == Balance(balance=5)
    assert await api.on(accounts).get(id="z", project=Balance) is None
    balances = await project(api.on(accounts).scan(), Balance).all()
    assert sorted(b.balance for b in balances) == [5, 7]
