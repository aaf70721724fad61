"""Every model operation of the API (async and sync_ twins) on a real server, via ``api``.

The model classes are declared once at module level (or in tests/models.py); each test gets a
subclass bound to an empty table of its own (``DynamoConfig(table=...)`` is fixed when a class
is defined), made with the model's own ``create_table`` or taken from the session's pool of
empty tables (the ``tables`` fixture, model_tables.py).
"""

from __future__ import annotations

import warnings
from collections.abc import Awaitable, Callable
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Any

import pydantic
import pytest
from pydantic import Field, computed_field

from pydynox import (
    TTL,
    ConditionalCheckFailedException,
    ConnectionException,
    DynamoConfig,
    DynamoDBClient,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    Model,
    PartitionKey,
    PydynoxException,
    ResourceNotFoundException,
    SortKey,
    TransactionCanceledException,
    ValidationException,
    before_save,
    path,
)

from ..local_servers import NO_ITEM_ON_FAILED_CONDITION
from ..models import CALLS, Account, Address, Hooked
from .api import Api
from .model_tables import Tables, bind, stored, table_of

pytestmark = pytest.mark.both_transports

P = "TEAM#1"


class User(Model):
    model_config = DynamoConfig(table="users")  # rebound per test, see Tables
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str = ""
    email: str | None = None
    team: str | None = None
    age: int = 0
    balance: Decimal = Decimal("0")
    tags: set[str] = set()
    history: list[str] = []
    nick: str | None = None
    address: Address | None = None
    expires_at: Annotated[datetime | None, TTL()] = None

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")
    by_team = GlobalSecondaryIndex("team-index", partition_key="team", sort_key="age")
    by_age = LocalSecondaryIndex("age-index", sort_key="age")


class Counter(Model):
    """A numeric partition key and no sort key."""

    model_config = DynamoConfig(table="counters")
    n: Annotated[int, PartitionKey()]
    label: str = ""


class Aliased(Model):
    """A field with an alias, as FastAPI models often have (camelCase JSON)."""

    model_config = DynamoConfig(table="aliased")
    pk: Annotated[str, PartitionKey()]
    display_name: str = Field(default="", alias="displayName")


class Computed(Model):
    model_config = DynamoConfig(table="computed", extra="forbid")
    pk: Annotated[str, PartitionKey()]
    n: int = 0

    @computed_field  # type: ignore[prop-decorator]
    @property
    def double(self) -> int:
        return self.n * 2


class NoTable(Model):
    id: Annotated[str, PartitionKey()]
    name: str = ""


@pytest.fixture
async def users(tables: Tables) -> type[User]:
    return await tables(User)


@pytest.fixture
async def accounts(tables: Tables) -> type[Account]:
    return await tables(Account)


@pytest.fixture
def dead_users(dead_client: DynamoDBClient) -> type[User]:
    """User bound to a client whose endpoint does not listen: a request sent would raise
    ConnectionException, so any other error proves nothing was sent."""
    return bind(User, "users", client=dead_client)


@pytest.fixture
def dead_accounts(dead_client: DynamoDBClient) -> type[Account]:
    return bind(Account, "accounts", client=dead_client)


def sk(i: int) -> str:
    return f"item#{i:03d}"


async def fill(
    client: DynamoDBClient, model: type[User], n: int, pk: str = P, **fields: Any
) -> list[dict[str, Any]]:
    """Store n plain items (setup, not under test): sk item#000.., age = i."""
    items = [{"pk": pk, "sk": sk(i), "name": f"n{i}", "age": i, **fields} for i in range(n)]
    await client.batch_write(table_of(model), put_items=items)
    return items


# -- get / save / delete ------------------------------------------------------------------


async def test_save_then_get_round_trips_the_model(api: Api, users: type[User]) -> None:
    user = users(
        pk=P,
        sk="u1",
        name="Jane",
        email="jane@example.com",
        age=42,
        balance=Decimal("10.25"),
        tags={"a", "b"},
        history=["x", "y"],
        address=Address(city="Oslo"),
        expires_at=datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc),
    )
    assert await api.on(user).save() is None
    got = await api.on(users).get(pk=P, sk="u1")
    assert isinstance(got, users)
    assert got == user
    assert await api.on(users).get(pk=P, sk="u1", consistent_read=True) == user
    assert await api.on(users).get(pk=P, sk="nobody") is None
    assert await api.on(users).get(pk="nobody", sk="u1", consistent_read=True) is None


@NO_ITEM_ON_FAILED_CONDITION
async def test_save_with_condition(api: Api, users: type[User]) -> None:
    await api.on(users(pk=P, sk="u1", name="Jane")).save()
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await api.on(users(pk=P, sk="u1", name="Other")).save(condition=path(User.pk).not_exists())
    assert caught.value.item is not None and caught.value.item["name"] == "Jane"
    await api.on(users(pk=P, sk="u1", name="Joan")).save(condition=User.name == "Jane")
    got = await api.on(users).get(pk=P, sk="u1")
    assert got is not None and got.name == "Joan"


async def test_delete_removes_the_item_and_honours_its_condition(
    api: Api, users: type[User]
) -> None:
    user = users(pk=P, sk="u1", name="Jane")
    await api.on(user).save()
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(user).delete(condition=User.name == "Other")
    assert await api.on(users).get(pk=P, sk="u1") is not None
    assert await api.on(user).delete(condition=User.name == "Jane") is None
    assert await api.on(users).get(pk=P, sk="u1") is None
    await api.on(user).delete()  # deleting a missing item is not an error


# -- update / update_by_key / delete_by_key -------------------------------------------------


async def test_update_combines_fields_and_atomic_actions(
    api: Api, users: type[User], sent: list[str]
) -> None:
    user = users(pk=P, sk="u1", name="Jane", nick="J", age=1, tags={"a"})
    await api.on(user).save()
    sent.clear()
    result = await api.on(user).update(
        name="Joan",
        address=Address(city="Oslo"),
        atomic=[
            path(User.age).add(2),
            path(User.tags).add({"b"}),
            path(User.history).append(["h1"]),
            path(User.nick).remove(),
            path(User.balance).set_if_not_exists(Decimal("7.5")),
        ],
    )
    assert sent == ["UpdateItem"]
    assert result is user
    expected = users(
        pk=P,
        sk="u1",
        name="Joan",
        address=Address(city="Oslo"),
        age=3,
        tags={"a", "b"},
        history=["h1"],
        balance=Decimal("0"),  # save() stored 0, so set_if_not_exists left it
    )
    assert user == expected
    assert await api.on(users).get(pk=P, sk="u1") == expected


@NO_ITEM_ON_FAILED_CONDITION
async def test_update_with_condition(api: Api, users: type[User]) -> None:
    user = users(pk=P, sk="u1", age=0)
    await api.on(user).save()
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await api.on(user).update(atomic=[path(User.age).add(-1)], condition=User.age > 0)
    assert caught.value.item is not None and caught.value.item["age"] == 0
    assert user.age == 0
    await api.on(user).update(age=5, condition=User.age == 0)
    assert user.age == 5


async def test_update_by_key_returns_the_stored_model(api: Api, users: type[User]) -> None:
    await api.on(users(pk=P, sk="u1", name="Jane", email="j@x", age=1)).save()
    result = await api.on(users).update_by_key(
        pk=P, sk="u1", name="Joan", atomic=[path(User.age).add(1)], condition=User.age == 1
    )
    assert isinstance(result, users)
    assert result == users(pk=P, sk="u1", name="Joan", email="j@x", age=2)
    assert await api.on(users).get(pk=P, sk="u1") == result
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(users).update_by_key(pk=P, sk="u1", name="X", condition=User.age == 1)


async def test_delete_by_key(api: Api, users: type[User]) -> None:
    await api.on(users(pk=P, sk="u1", name="Jane")).save()
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(users).delete_by_key(pk=P, sk="u1", condition=User.name == "Other")
    assert await api.on(users).get(pk=P, sk="u1") is not None
    assert await api.on(users).delete_by_key(pk=P, sk="u1", condition=User.name == "Jane") is None
    assert await api.on(users).get(pk=P, sk="u1") is None
    await api.on(users).delete_by_key(pk=P, sk="u1")  # missing: not an error


async def test_update_and_delete_by_key_check_a_version_when_given(
    api: Api, accounts: type[Account]
) -> None:
    account = accounts(id="a", balance=1)
    await api.on(account).save()
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(accounts).update_by_key(id="a", balance=2, version=7)
    result = await api.on(accounts).update_by_key(id="a", balance=2, version=1)
    assert (result.balance, result.version) == (2, 2)
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(accounts).delete_by_key(id="a", version=1)
    await api.on(accounts).delete_by_key(id="a", version=2)
    assert await api.on(accounts).get(id="a") is None


# -- batch_get ----------------------------------------------------------------------------


async def test_batch_get_many_keys_duplicates_and_missing_ones(
    api: Api, client: DynamoDBClient, users: type[User], sent: list[str]
) -> None:
    await fill(client, users, 105)
    order = [(i * 37) % 105 for i in range(105)]  # every item once, shuffled
    keys: list[dict[str, Any]] = []
    for position, i in enumerate(order):
        keys.append({"pk": P, "sk": sk(i)})
        if position % 10 == 0:
            keys.append({"pk": P, "sk": f"missing#{position}"})
        if position % 20 == 0:
            keys.append({"pk": P, "sk": sk(order[0])})  # a duplicate of the first key
    assert len(keys) > 110
    sent.clear()
    got = await api.on(users).batch_get(keys)
    assert all(isinstance(u, users) for u in got)
    assert [u.sk for u in got] == [sk(i) for i in order]  # key order, no duplicates
    assert [u.age for u in got] == order
    assert sent.count("BatchGetItem") >= 2  # more than 100 distinct keys: split
    assert await api.on(users).batch_get([]) == []
    assert await api.on(users).batch_get([{"pk": P, "sk": "nope"}], consistent_read=True) == []


# -- query / scan / count -------------------------------------------------------------------


async def test_query_options(
    api: Api, client: DynamoDBClient, users: type[User], sent: list[str]
) -> None:
    items = await fill(client, users, 10)
    await fill(client, users, 3, pk="TEAM#2")
    q = api.on(users).query

    everything = await q(partition_key=P).all()
    assert [u.sk for u in everything] == [i["sk"] for i in items]
    assert all(isinstance(u, users) for u in everything)
    assert [u.sk async for u in q(partition_key=P, consistent_read=True)] == [
        i["sk"] for i in items
    ]

    between = await q(partition_key=P, sort_key_condition=path(User.sk).between(sk(2), sk(4))).all()
    assert [u.age for u in between] == [2, 3, 4]
    prefix = await q(partition_key=P, sort_key_condition=path(User.sk).begins_with("item#00")).all()
    assert [u.age for u in prefix] == list(range(10))
    filtered = await q(partition_key=P, filter_condition=User.age >= 7).all()
    assert [u.age for u in filtered] == [7, 8, 9]
    backwards = await q(partition_key=P, scan_index_forward=False, limit=3).all()
    assert [u.age for u in backwards] == [9, 8, 7]
    first = await q(partition_key=P, scan_index_forward=False).first()
    assert first is not None and first.age == 9

    sent.clear()
    paged = await q(partition_key=P, page_size=4).all()
    assert [u.age for u in paged] == list(range(10))
    assert sent == ["Query"] * 3  # 4 + 4 + 2

    limited = q(partition_key=P, limit=3)
    assert [u.age async for u in limited] == [0, 1, 2]
    resume_from = limited.last_evaluated_key
    assert resume_from == {"pk": P, "sk": sk(2)}
    rest = q(partition_key=P, last_evaluated_key=resume_from, page_size=3)
    assert [u.age for u in await rest.all()] == list(range(3, 10))
    assert rest.last_evaluated_key is None


async def test_scan_filter_limit_and_parallel_segments(
    api: Api, client: DynamoDBClient, users: type[User]
) -> None:
    await fill(client, users, 6)
    await fill(client, users, 6, pk="TEAM#2")
    s = api.on(users).scan
    everything = await s().all()
    assert len(everything) == 12 and all(isinstance(u, users) for u in everything)
    keys = {(u.pk, u.sk) for u in everything}

    filtered = await s(filter_condition=(User.age >= 4) & (User.pk == P)).all()
    assert sorted(u.age for u in filtered) == [4, 5]
    assert len(await s(limit=5, page_size=2).all()) == 5

    first_half = await s(segment=0, total_segments=2).all()
    second_half = await s(segment=1, total_segments=2, consistent_read=True).all()
    halves = [{(u.pk, u.sk) for u in part} for part in (first_half, second_half)]
    assert not halves[0] & halves[1]
    assert halves[0] | halves[1] == keys
    assert len(first_half) + len(second_half) == 12


async def test_count_is_a_query_with_a_partition_key_and_a_scan_without(
    api: Api, client: DynamoDBClient, users: type[User], sent: list[str]
) -> None:
    await fill(client, users, 7)
    await fill(client, users, 4, pk="TEAM#2")
    count = api.on(users).count
    sent.clear()
    assert await count() == 11
    assert sent == ["Scan"]
    sent.clear()
    assert await count(partition_key=P) == 7
    assert sent == ["Query"]
    assert await count(filter_condition=User.age >= 5) == 2  # 5, 6 in P; none in TEAM#2
    assert await count(partition_key="TEAM#2", filter_condition=User.age < 2) == 2
    assert await count(partition_key="nobody", consistent_read=True) == 0


# -- indexes ------------------------------------------------------------------------------


async def test_gsi_query_and_scan_and_sparse_index(api: Api, users: type[User]) -> None:
    for i, email in enumerate(["a@x", "a@x", "b@x", None, None]):
        await api.on(users(pk=P, sk=sk(i), email=email, age=i)).save()
    by_email = api.on(users.by_email)
    found = await by_email.query(partition_key="a@x").all()
    assert sorted(u.sk for u in found) == [sk(0), sk(1)]
    assert all(isinstance(u, users) for u in found)
    assert [u.sk async for u in by_email.query(partition_key="b@x")] == [sk(2)]
    assert await by_email.query(partition_key="a@x", filter_condition=User.age == 1).all() == [
        users(pk=P, sk=sk(1), email="a@x", age=1)
    ]
    assert len(await by_email.query(partition_key="a@x", limit=1).all()) == 1
    # Sparse: the items without an email are not in the index at all.
    assert sorted(u.sk for u in await by_email.scan().all()) == [sk(0), sk(1), sk(2)]
    assert len(await api.on(users).scan().all()) == 5
    with pytest.raises(ValidationException):  # DynamoDB: no consistent read on a GSI
        await by_email.query(partition_key="a@x", consistent_read=True).all()


async def test_gsi_with_a_numeric_sort_key(api: Api, users: type[User]) -> None:
    for i, (team, age) in enumerate([("red", 30), ("red", 10), ("blue", 20), ("red", 20)]):
        await api.on(users(pk=P, sk=sk(i), team=team, age=age)).save()
    by_team = api.on(users.by_team)
    assert [u.age for u in await by_team.query(partition_key="red").all()] == [10, 20, 30]
    older = by_team.query(partition_key="red", sort_key_condition=User.age > 10)
    assert [u.sk for u in await older.all()] == [sk(3), sk(0)]
    # Resuming an index query: its last_evaluated_key holds the table and index keys.
    first_page = by_team.query(partition_key="red", limit=1)
    assert [u.age for u in await first_page.all()] == [10]
    resume_from = first_page.last_evaluated_key
    assert resume_from == {"pk": P, "sk": sk(1), "team": "red", "age": 10}
    rest = by_team.query(partition_key="red", last_evaluated_key=resume_from)
    assert [u.age for u in await rest.all()] == [20, 30]


async def test_lsi_query_sorts_by_the_index_key(api: Api, users: type[User]) -> None:
    ages = [50, 20, 40, 10, 30]
    for i, age in enumerate(ages):
        await api.on(users(pk=P, sk=sk(i), age=age)).save()
    await api.on(users(pk="TEAM#2", sk=sk(0), age=35)).save()
    by_age = api.on(users.by_age)
    assert [u.age for u in await by_age.query(partition_key=P).all()] == [10, 20, 30, 40, 50]
    assert [
        u.sk
        async for u in by_age.query(
            partition_key=P, sort_key_condition=User.age >= 30, scan_index_forward=False
        )
    ] == [sk(0), sk(2), sk(4)]
    # An LSI allows consistent reads.
    assert len(await by_age.query(partition_key=P, consistent_read=True).all()) == 5
    assert len(await by_age.scan().all()) == 6


# -- tables -------------------------------------------------------------------------------


@pytest.mark.needs("ttl")
async def test_create_table_sets_keys_indexes_and_ttl(api: Api, tables: Tables, boto: Any) -> None:
    model = tables.bind(User)
    assert await api.on(model).create_table() is None
    table = boto.describe_table(TableName=table_of(model))["Table"]
    assert table["TableStatus"] == "ACTIVE"
    assert table["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "sk", "KeyType": "RANGE"},
    ]
    assert {(d["AttributeName"], d["AttributeType"]) for d in table["AttributeDefinitions"]} == {
        ("pk", "S"),
        ("sk", "S"),
        ("email", "S"),
        ("team", "S"),
        ("age", "N"),
    }
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    gsis = {g["IndexName"]: g for g in table["GlobalSecondaryIndexes"]}
    assert gsis["email-index"]["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
    assert gsis["team-index"]["KeySchema"] == [
        {"AttributeName": "team", "KeyType": "HASH"},
        {"AttributeName": "age", "KeyType": "RANGE"},
    ]
    assert all(g["Projection"]["ProjectionType"] == "ALL" for g in gsis.values())
    (lsi,) = table["LocalSecondaryIndexes"]
    assert lsi["IndexName"] == "age-index"
    assert lsi["KeySchema"] == [
        {"AttributeName": "pk", "KeyType": "HASH"},
        {"AttributeName": "age", "KeyType": "RANGE"},
    ]
    ttl = boto.describe_time_to_live(TableName=table_of(model))["TimeToLiveDescription"]
    assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}

    # TTL values are stored as epoch seconds.
    expires = datetime(2030, 1, 1, tzinfo=timezone.utc)
    await api.on(model(pk=P, sk="u1", expires_at=expires)).save()
    raw = stored(boto, model, pk=P, sk="u1")
    assert raw is not None and raw["expires_at"] == {"N": str(int(expires.timestamp()))}
    got = await api.on(model).get(pk=P, sk="u1")
    assert got is not None and got.expires_at == expires
    later = datetime(2031, 1, 1, tzinfo=timezone.utc)
    await api.on(got).update(expires_at=later, condition=User.expires_at == expires)
    raw = stored(boto, model, pk=P, sk="u1")
    assert raw is not None and raw["expires_at"] == {"N": str(int(later.timestamp()))}
    assert got.expires_at == later


async def test_create_table_for_a_numeric_key_without_sort_key(
    api: Api, tables: Tables, boto: Any
) -> None:
    model = tables.bind(Counter)
    await api.on(model).create_table()
    table = boto.describe_table(TableName=table_of(model))["Table"]
    assert table["KeySchema"] == [{"AttributeName": "n", "KeyType": "HASH"}]
    assert table["AttributeDefinitions"] == [{"AttributeName": "n", "AttributeType": "N"}]
    assert not table.get("GlobalSecondaryIndexes")  # moto lists an empty one
    assert not table.get("LocalSecondaryIndexes")
    ttl = boto.describe_time_to_live(TableName=table_of(model))["TimeToLiveDescription"]
    assert ttl["TimeToLiveStatus"] == "DISABLED"
    await api.on(model(n=7, label="seven")).save()
    assert await api.on(model).get(n=7) == model(n=7, label="seven")
    assert await api.on(model).batch_get([{"n": 7}, {"n": 8}]) == [model(n=7, label="seven")]


async def test_table_exists_and_delete_table(api: Api, tables: Tables) -> None:
    model = tables.bind(Counter)
    assert await api.on(model).table_exists() is False
    await api.on(model).create_table()
    assert await api.on(model).table_exists() is True
    assert await api.on(model).delete_table() is None
    assert await api.on(model).table_exists() is False
    with pytest.raises(ResourceNotFoundException):
        await api.on(model).get(n=1)


# -- batch writer and transactions with model instances -----------------------------------------


async def test_batch_writer_puts_and_deletes_model_instances(
    api: Api, users: type[User], table: str
) -> None:
    gone = users(pk=P, sk="gone", name="Gone")
    await api.on(gone).save()
    # The writer's own table is for plain items; model instances go to their model's table.
    async with api.batch_writer(table) as batch:
        for i in range(30):
            await batch.put(users(pk=P, sk=sk(i), name=f"n{i}", tags={"t"}))
        await batch.put({"pk": "plain", "sk": "item"})
        await batch.delete(gone)
    stored_users = await api.on(users).query(partition_key=P).all()
    assert [u.sk for u in stored_users] == [sk(i) for i in range(30)]
    assert stored_users[29] == users(pk=P, sk=sk(29), name="n29", tags={"t"})
    assert await api.get_item(table, {"pk": "plain", "sk": "item"}) == {"pk": "plain", "sk": "item"}
    assert await api.get_item(table, {"pk": P, "sk": sk(0)}) is None

    async with api.batch_writer() as batch:  # no table at all
        for user in stored_users[:20]:
            await batch.delete(user)
    assert await api.on(users).count(partition_key=P) == 10


async def test_batch_writer_refuses_versioned_models(
    api: Api, accounts: type[Account], dead_client: DynamoDBClient
) -> None:
    account = accounts(id="a", balance=1)
    for method in ("put", "delete"):
        with pytest.raises(ValidationException, match="Version"):
            async with api.batch_writer(client=dead_client) as batch:
                await getattr(batch, method)(account)
    with pytest.raises(ValidationException, match="Version"):
        async with api.batch_writer() as batch:
            await batch.put(account)
    assert await api.on(accounts).get(id="a") is None


@pytest.mark.needs("transactions")
async def test_transaction_with_model_instances(api: Api, users: type[User]) -> None:
    stock = users(pk=P, sk="stock", age=5)
    cart = users(pk=P, sk="cart", history=["a"])
    account = users(pk=P, sk="account", name="active")
    for user in (stock, cart, account):
        await api.on(user).save()
    order = users(pk=P, sk="order", name="order", balance=Decimal("9.99"))
    async with api.transaction() as tx:
        tx.put(order, condition=path(User.pk).not_exists())
        tx.update(
            stock, updates={"nick": "low"}, atomic=[path(User.age).add(-1)], condition=User.age > 0
        )
        tx.delete(cart)
        tx.condition_check(account, condition=User.name == "active")
    assert await api.on(users).get(pk=P, sk="order") == order
    assert await api.on(users).get(pk=P, sk="stock") == users(pk=P, sk="stock", age=4, nick="low")
    assert await api.on(users).get(pk=P, sk="cart") is None
    assert await api.on(users).get(pk=P, sk="account") == account


async def test_transaction_refuses_two_actions_on_one_model_item(
    api: Api, dead_users: type[User], dead_client: DynamoDBClient
) -> None:
    user = dead_users(pk=P, sk="a")
    with pytest.raises(ValidationException):
        async with api.transaction(client=dead_client) as tx:
            tx.put(user)
            tx.condition_check(dead_users(pk=P, sk="a"), condition=User.age > 1)


@pytest.mark.needs("transactions")
async def test_cancelled_transaction_applies_nothing(api: Api, users: type[User]) -> None:
    stock = users(pk=P, sk="stock", age=5)
    cart = users(pk=P, sk="cart")
    account = users(pk=P, sk="account", name="closed")
    for user in (stock, cart, account):
        await api.on(user).save()
    with pytest.raises(TransactionCanceledException) as caught:
        async with api.transaction() as tx:
            tx.put(users(pk=P, sk="order"))
            tx.update(stock, atomic=[path(User.age).add(-1)], condition=User.age > 0)
            tx.delete(cart)
            tx.condition_check(account, condition=User.name == "active")
    codes = [reason.code for reason in caught.value.reasons]
    assert codes[3] == "ConditionalCheckFailed"
    assert await api.on(users).get(pk=P, sk="order") is None
    assert await api.on(users).get(pk=P, sk="stock") == stock
    assert await api.on(users).get(pk=P, sk="cart") == cart


@pytest.mark.needs("transactions")
async def test_transaction_applies_version_conditions(
    api: Api, accounts: type[Account], dead_client: DynamoDBClient
) -> None:
    account = accounts(id="a", balance=10)
    async with api.transaction() as tx:
        tx.put(account)
    assert account.version == 1
    stale = await api.on(accounts).get(id="a")
    assert stale is not None
    async with api.transaction() as tx:
        tx.update(account, atomic=[path(Account.balance).add(-1)])
    assert account.version == 2
    got = await api.on(accounts).get(id="a")
    assert got is not None and (got.balance, got.version) == (9, 2)

    for action in ("update", "delete", "put"):
        with pytest.raises(TransactionCanceledException):
            async with api.transaction() as tx:
                if action == "update":
                    tx.update(stale, atomic=[path(Account.balance).add(-1)])
                else:
                    getattr(tx, action)(stale)
        assert stale.version == 1
    with pytest.raises(TransactionCanceledException):  # a new instance at version 0
        async with api.transaction() as tx:
            tx.put(accounts(id="a", balance=0))
    got = await api.on(accounts).get(id="a")
    assert got is not None and (got.balance, got.version) == (9, 2)
    async with api.transaction() as tx:
        tx.delete(account)
    assert await api.on(accounts).get(id="a") is None


@pytest.mark.needs("transactions")
async def test_transaction_runs_after_hooks_after_the_commit(api: Api, tables: Tables) -> None:
    hooked = await tables(Hooked)
    item = hooked(id="a")
    CALLS.clear()
    async with api.transaction() as tx:
        tx.put(item)  # the before_ hooks run as an action is added
        assert CALLS == ["before_save 1", "before_save 2"]
    assert CALLS == ["before_save 1", "before_save 2", "after_save"]
    CALLS.clear()
    async with api.transaction() as tx:
        tx.update(item, atomic=[path(Hooked.n).add(1)])
        assert CALLS == ["before_update n=0"]
    # which hooks ran (not the n the instance holds: a transaction returns no new values)
    assert [call.partition(" n=")[0] for call in CALLS] == ["before_update", "after_update"]


# -- refused before sending -----------------------------------------------------------------


@pytest.mark.parametrize(
    "key",
    [
        {"pk": P},  # no sort key
        {"pk": P, "sk": "a", "extra": "x"},
        {"id": P, "sk": "a"},
        {"PK": P, "SK": "a"},
        {"pk": "", "sk": "a"},
        {"pk": P, "sk": ""},
        {},
    ],
)
async def test_get_with_a_bad_key_is_refused_before_sending(
    api: Api, dead_users: type[User], users: type[User], key: dict[str, Any]
) -> None:
    with pytest.raises(ValidationException):
        await api.on(dead_users).get(**key)
    with pytest.raises(ValidationException):
        await api.on(dead_users).delete_by_key(**key)
    with pytest.raises(ValidationException):
        await api.on(dead_users).batch_get([{"pk": P, "sk": "fine"}, key])
    with pytest.raises(ValidationException):
        await api.on(users).get(**key)


async def test_the_dead_client_really_fails_when_something_is_sent(
    api: Api, dead_users: type[User]
) -> None:
    """The premise of the tests above: a request that is sent raises ConnectionException."""
    with pytest.raises(ConnectionException):
        await api.on(dead_users).get(pk=P, sk="a")


async def test_empty_string_in_a_table_or_index_key_is_refused(api: Api, users: type[User]) -> None:
    for bad in (users(pk="", sk="a"), users(pk=P, sk=""), users(pk=P, sk="a", email="")):
        with pytest.raises(ValidationException):
            await api.on(bad).save()
    assert await api.on(users).scan().all() == []
    # An empty string in a plain attribute is fine.
    await api.on(users(pk=P, sk="a", name="", email=None)).save()
    got = await api.on(users).get(pk=P, sk="a")
    assert got is not None and got.name == ""


async def test_empty_string_in_a_table_or_index_key_is_refused_before_sending(
    api: Api, dead_users: type[User]
) -> None:
    calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: api.on(dead_users(pk="", sk="a")).save(),
        lambda: api.on(dead_users(pk=P, sk="a", email="")).save(),
        lambda: api.on(dead_users(pk=P, sk="a")).update(email=""),
        lambda: api.on(dead_users).update_by_key(pk=P, sk="a", team=""),
    ]
    for call in calls:
        with pytest.raises(ValidationException):
            await call()


async def test_bad_model_data_raises_pydantic_validation_error_before_sending(
    api: Api, dead_users: type[User]
) -> None:
    user = dead_users(pk=P, sk="a")
    calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: api.on(user).update(age="not a number"),
        lambda: api.on(user).update(address={"zip": "0150"}),  # city missing
        lambda: api.on(dead_users).update_by_key(pk=P, sk="a", age="x"),
        lambda: api.on(dead_users).update_by_key(pk=P, sk="a", expires_at="not a date"),
        lambda: api.on(dead_users).get(pk=1, sk="a"),
        lambda: api.on(dead_users).delete_by_key(pk=P, sk=["a"]),
        lambda: (
            api.on(dead_users).query(partition_key=P, filter_condition=path(User.age) > "x").all()
        ),
    ]
    for call in calls:
        with pytest.raises(pydantic.ValidationError) as caught:
            await call()
        assert type(caught.value) is pydantic.ValidationError
        assert not isinstance(caught.value, PydynoxException)
    assert user == dead_users(pk=P, sk="a")  # the failed updates left the instance alone


async def test_update_refuses_unknown_key_and_version_fields(
    api: Api, dead_users: type[User], dead_accounts: type[Account]
) -> None:
    user = dead_users(pk=P, sk="a")
    account = dead_accounts(id="a", version=3)
    refused: list[Callable[[], Awaitable[Any]]] = [
        lambda: api.on(user).update(nope=1),
        lambda: api.on(user).update(pk="other"),
        lambda: api.on(user).update(sk="other"),
        lambda: api.on(user).update(atomic=[path(User.sk).set("other")]),
        lambda: api.on(user).update(),  # nothing to change
        lambda: api.on(account).update(version=9),
        lambda: api.on(dead_users).update_by_key(pk=P, sk="a", nope=1),
        lambda: api.on(dead_users).update_by_key(pk=P, sk="a"),
        lambda: api.on(dead_users).update_by_key(pk=P, name="x"),  # no sort key
        lambda: api.on(dead_users).update_by_key(pk=P, sk="a", name="x", version=1),
    ]
    for call in refused:
        with pytest.raises(ValidationException):
            await call()
    assert account.version == 3


async def test_condition_on_a_missing_item(api: Api, users: type[User]) -> None:
    ghost = users(pk=P, sk="ghost", name="Ghost")
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await api.on(ghost).save(condition=path(User.name).exists())
    assert caught.value.item is None
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(ghost).delete(condition=User.name == "Ghost")
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(users).delete_by_key(pk=P, sk="ghost", condition=path(User.pk).exists())
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(ghost).update(name="x", condition=User.name == "Ghost")
    assert await api.on(users).get(pk=P, sk="ghost") is None


async def test_update_of_a_missing_item_raises_and_creates_nothing(
    api: Api, users: type[User], accounts: type[Account]
) -> None:
    ghost = users(pk=P, sk="ghost", name="Ghost")
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await api.on(ghost).update(name="Other")
    assert caught.value.item is None
    assert ghost.name == "Ghost"
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(ghost).update(atomic=[path(User.age).add(1)])
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(users).update_by_key(pk=P, sk="ghost", name="Other")
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(users).update_by_key(pk=P, sk="ghost", atomic=[path(User.age).add(1)])
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(accounts(id="ghost")).update(balance=1)
    assert await api.on(users).get(pk=P, sk="ghost") is None
    assert await api.on(users).scan().all() == []
    assert await api.on(accounts).get(id="ghost") is None


async def test_a_model_without_a_table_is_refused(
    api: Api, dead_client: DynamoDBClient, default_client: DynamoDBClient
) -> None:
    item = NoTable(id="a")
    calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: api.on(NoTable).get(id="a"),
        lambda: api.on(item).save(),
        lambda: api.on(item).delete(),
        lambda: api.on(item).update(name="x"),
        lambda: api.on(NoTable).update_by_key(id="a", name="x"),
        lambda: api.on(NoTable).delete_by_key(id="a"),
        lambda: api.on(NoTable).batch_get([{"id": "a"}]),
        lambda: api.on(NoTable).query(partition_key="a").all(),
        lambda: api.on(NoTable).scan().all(),
        lambda: api.on(NoTable).count(),
        lambda: api.on(NoTable).create_table(),
        lambda: api.on(NoTable).table_exists(),
        lambda: api.on(NoTable).delete_table(),
    ]
    for call in calls:
        with pytest.raises(ValidationException, match="no table"):
            await call()
    for client in (dead_client, default_client):
        with pytest.raises(ValidationException, match="no table"):
            async with api.batch_writer(client=client) as batch:
                await batch.put(item)
        with pytest.raises(ValidationException, match="no table"):
            async with api.transaction(client=client) as tx:
                tx.put(item)


# -- pydantic features round trip -------------------------------------------------------------


async def test_a_model_with_field_aliases_round_trips(api: Api, tables: Tables) -> None:
    aliased = await tables(Aliased)
    item = aliased(pk="a", displayName="Jane")
    await api.on(item).save()
    got = await api.on(aliased).get(pk="a")
    assert got is not None and got.display_name == "Jane"
    await api.on(item).update(display_name="Joan")
    assert item.display_name == "Joan"


async def test_a_model_with_a_computed_field_and_forbidden_extras_round_trips(
    api: Api, tables: Tables
) -> None:
    computed = await tables(Computed)
    item = computed(pk="a", n=2)
    await api.on(item).save()
    assert await api.on(computed).get(pk="a") == item


async def test_an_async_hook_is_never_silently_skipped(api: Api, tables: Tables) -> None:
    try:

        class AsyncHooked(Model):
            model_config = DynamoConfig(table="async-hooked")
            id: Annotated[str, PartitionKey()]

            @before_save
            async def _refuse(self) -> None:
                raise RuntimeError("stop")

    except TypeError:
        return  # refused when declared: never silently skipped
    model = await tables(AsyncHooked)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        with pytest.raises(RuntimeError, match="stop"):
            await api.on(model(id="a")).save()
    assert await api.on(model).get(id="a") is None
