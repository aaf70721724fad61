"""The rules models promise (API.md "Model operations"), one test per rule, async and sync.

What is stored is checked with plain boto3 (``boto``), what is sent with a request log.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Annotated, Any

import pydantic
import pytest
from pydantic import field_validator

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    SortKey,
    path,
)

from ..local_servers import NO_ITEM_ON_FAILED_CONDITION
from ..models import CALLS, Account, Address, Hooked, Status
from .api import Api
from .model_tables import Tables, raw_key, stored, table_of

P = "PART#1"
UTC = timezone.utc


class Profile(Model):
    model_config = DynamoConfig(table="profiles")  # rebound per test
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str = ""
    age: int = 0
    nick: str | None = None
    visits: int | None = None
    tags: set[str] = set()
    scores: set[int] = set()
    history: list[str] = []

    @field_validator("name")
    @classmethod
    def _strip(cls, value: str) -> str:
        return value.strip()


class Event(Model):
    model_config = DynamoConfig(table="events")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    at: datetime
    status: Status
    amount: Decimal
    day: date | None = None
    labels: set[str] = set()
    codes: set[int] = set()


class Reading(Model):
    model_config = DynamoConfig(table="readings")
    pk: Annotated[str, PartitionKey()]
    at: Annotated[datetime, SortKey()]
    value: int = 0


class Doc(Model):
    model_config = DynamoConfig(table="docs")
    pk: Annotated[str, PartitionKey()]
    text: str
    empty: str
    qty: int
    ratio: float
    price: Decimal
    flag: bool
    blob: bytes
    words: set[str]
    nums: set[int]
    blobs: set[bytes]
    meta: dict[str, Any]
    address: Address
    items: list[Any]
    status: Status
    ident: uuid.UUID
    when: datetime
    day: date
    missing: str | None = None


@pytest.fixture
async def profiles(tables: Tables) -> type[Profile]:
    return await tables(Profile)


# -- update() ---------------------------------------------------------------------------------


async def test_update_validates_sends_one_updateitem_and_refreshes_from_the_stored_result(
    api: Api, profiles: type[Profile], boto: Any, sent: list[str]
) -> None:
    await api.on(profiles(pk=P, sk="a", name="Jane", age=1, nick="J")).save()
    profile = await api.on(profiles).get(pk=P, sk="a")
    assert profile is not None

    # A value pydantic refuses on assignment: nothing sent, stored or changed.
    sent.clear()
    with pytest.raises(pydantic.ValidationError):
        await api.on(profile).update(age="old")
    with pytest.raises(pydantic.ValidationError):
        await api.on(profile).update(name="ok", tags=["a", {"b": 1}])
    assert sent == []
    assert profile == profiles(pk=P, sk="a", name="Jane", age=1, nick="J")
    assert stored(boto, profiles, pk=P, sk="a") == {
        **raw_key(pk=P, sk="a"),
        "name": {"S": "Jane"},
        "age": {"N": "1"},
        "nick": {"S": "J"},
        "history": {"L": []},  # an empty list is stored (only empty sets are omitted)
    }

    # Another writer changes an attribute after the load.
    boto.update_item(
        TableName=table_of(profiles),
        Key=raw_key(pk=P, sk="a"),
        UpdateExpression="SET age = :a",
        ExpressionAttributeValues={":a": {"N": "40"}},
    )
    sent.clear()
    result = await api.on(profile).update(
        name="  Joan ",  # the field validator runs, as on assignment
        nick=None,  # None removes the attribute
        visits="3",  # coerced as on assignment
        atomic=[path(Profile.history).append(["h"]), path(Profile.tags).add({"t"})],
    )
    assert sent == ["UpdateItem"]  # one request, no second read
    assert result is profile
    # The instance holds the stored result, the other writer's age included.
    assert profile == profiles(
        pk=P, sk="a", name="Joan", age=40, nick=None, visits=3, history=["h"], tags={"t"}
    )
    raw = stored(boto, profiles, pk=P, sk="a")
    assert raw == {
        **raw_key(pk=P, sk="a"),
        "name": {"S": "Joan"},
        "age": {"N": "40"},
        "visits": {"N": "3"},
        "history": {"L": [{"S": "h"}]},
        "tags": {"SS": ["t"]},
    }
    assert "nick" not in raw  # removed, not stored as NULL

    await api.on(profile).update(visits=None, tags=set())
    raw = stored(boto, profiles, pk=P, sk="a")
    assert raw is not None and "visits" not in raw and "tags" not in raw
    assert (profile.visits, profile.tags) == (None, set())


async def test_setting_an_empty_set_removes_the_attribute_as_update_does(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    # DynamoDB cannot store an empty set: both ways of writing one remove the attribute.
    profile = profiles(pk=P, sk="e", tags={"a"}, scores={1})
    await api.on(profile).save()
    await api.on(profile).update(atomic=[path(Profile.tags).set(set())])
    raw = stored(boto, profiles, pk=P, sk="e")
    assert raw is not None and "tags" not in raw and raw["scores"] == {"NS": ["1"]}
    assert profile.tags == set()

    await api.on(profiles).update_by_key(
        pk=P, sk="e", atomic=[path(Profile.scores).set(frozenset()), path(Profile.age).set(2)]
    )
    raw = stored(boto, profiles, pk=P, sk="e")
    assert raw is not None and "scores" not in raw and raw["age"] == {"N": "2"}
    assert await api.on(profiles).get(pk=P, sk="e") == profiles(pk=P, sk="e", age=2)


async def test_atomic_add_starts_from_zero_and_sets_are_real_sets(
    api: Api, profiles: type[Profile], boto: Any
) -> None:
    profile = profiles(pk=P, sk="a")
    await api.on(profile).save()
    raw = stored(boto, profiles, pk=P, sk="a")
    assert raw is not None and "visits" not in raw and "tags" not in raw  # None, empty set

    await api.on(profile).update(atomic=[path(Profile.visits).add(5)])
    assert profile.visits == 5
    by_key = await api.on(profiles).update_by_key(
        pk=P, sk="a", atomic=[path(Profile.visits).add(-2), path(Profile.age).add(1)]
    )
    assert (by_key.visits, by_key.age) == (3, 1)

    await api.on(profile).update(
        atomic=[path(Profile.tags).add({"a", "b", "c"}), path(Profile.scores).add({1, 2, 3})]
    )
    assert (profile.tags, profile.scores) == ({"a", "b", "c"}, {1, 2, 3})
    await api.on(profile).update(
        atomic=[path(Profile.tags).delete({"a"}), path(Profile.scores).delete({2})]
    )
    assert (profile.tags, profile.scores) == ({"b", "c"}, {1, 3})
    raw = stored(boto, profiles, pk=P, sk="a")
    assert raw is not None
    assert set(raw["tags"]) == {"SS"} and sorted(raw["tags"]["SS"]) == ["b", "c"]
    assert set(raw["scores"]) == {"NS"} and sorted(raw["scores"]["NS"]) == ["1", "3"]

    # Setting a set field writes a set too (save and update alike).
    await api.on(profile).update(tags={"x"})
    raw = stored(boto, profiles, pk=P, sk="a")
    assert raw is not None and raw["tags"] == {"SS": ["x"]}


# -- reads --------------------------------------------------------------------------------


async def test_filtered_reads_keep_fetching_pages_until_limit_or_the_end(
    api: Api, client: DynamoDBClient, profiles: type[Profile], sent: list[str]
) -> None:
    items = [{"pk": P, "sk": f"item#{i:02d}", "age": i} for i in range(20)]
    await client.batch_write(table_of(profiles), put_items=items)
    late = Profile.age >= 17  # only the last 3 of 20 match

    sent.clear()
    two = (
        await api.on(profiles)
        .query(partition_key=P, filter_condition=late, page_size=4, limit=2)
        .all()
    )
    assert [p.age for p in two] == [17, 18]
    assert sent.count("Query") >= 5  # the pages the filter emptied did not stop it

    ten = api.on(profiles).query(partition_key=P, filter_condition=late, page_size=4, limit=10)
    assert [p.age async for p in ten] == [17, 18, 19]
    first = (
        await api.on(profiles).query(partition_key=P, filter_condition=late, page_size=4).first()
    )
    assert first is not None and first.age == 17

    scanned = await api.on(profiles).scan(filter_condition=late, page_size=4, limit=2).all()
    assert len(scanned) == 2 and {p.age for p in scanned} <= {17, 18, 19}
    scanned = await api.on(profiles).scan(filter_condition=late, page_size=4, limit=10).all()
    assert sorted(p.age for p in scanned) == [17, 18, 19]


async def test_condition_values_are_converted_with_the_field_type(api: Api, tables: Tables) -> None:
    events = await tables(Event)
    event = events(
        pk=P,
        sk="e1",
        at=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        status=Status.open,
        amount=Decimal("10.50"),
        day=date(2025, 1, 2),
        labels={"x", "y"},
        codes={1, 2},
    )
    await api.on(event).save()

    async def matches(condition: Any) -> bool:
        count: int = await api.on(events).count(partition_key=P, filter_condition=condition)
        return count == 1

    plus_one = timezone(timedelta(hours=1))
    assert await matches(Event.at == datetime(2025, 1, 2, 4, 4, 5, tzinfo=plus_one))
    assert await matches(Event.at == datetime(2025, 1, 2, 3, 4, 5))  # naive is UTC
    assert await matches(Event.at == "2025-01-02T03:04:05Z")
    assert await matches(Event.at == "2025-01-02T04:04:05+01:00")
    assert await matches(path(Event.at) > "2025-01-02T03:04:04.999999Z")
    assert await matches(
        path(Event.at).between(datetime(2025, 1, 2, tzinfo=UTC), "2025-01-03T00:00Z")
    )
    assert not await matches(Event.at == "2025-01-02T03:04:06Z")
    assert not await matches(Event.at < datetime(2025, 1, 2, 4, 4, 5, tzinfo=plus_one))
    assert await matches(Event.day == "2025-01-02")
    assert await matches(path(Event.day) < date(2025, 1, 3))

    assert await matches(Event.status == Status.open)
    assert await matches(Event.status == "open")
    assert await matches(path(Event.status).is_in(["closed", Status.open]))
    assert not await matches(Event.status == Status.closed)
    assert not await matches(Event.status == "closed")

    assert await matches(Event.amount == Decimal("10.5"))
    assert await matches(Event.amount == Decimal("10.500"))
    assert await matches(Event.amount == 10.5)
    assert await matches(Event.amount == "10.50")
    assert await matches(Event.amount > 10)
    assert not await matches(Event.amount == Decimal("10.51"))

    assert await matches(path(Event.labels).contains("x"))
    assert await matches(path(Event.codes).contains(2))
    assert not await matches(path(Event.labels).contains("z"))
    assert not await matches(path(Event.codes).contains(3))

    # Conditions on writes convert the same way.
    await api.on(event).save(condition=Event.at == "2025-01-02T04:04:05+01:00")
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(event).delete(condition=Event.status == "closed")
    await api.on(event).delete(condition=(Event.status == "open") & (Event.amount == 10.5))
    assert await api.on(events).get(pk=P, sk="e1") is None
    # A value the field type refuses is a pydantic error, raised while building.
    with pytest.raises(pydantic.ValidationError):
        _ = Event.status == "bogus"
    with pytest.raises(pydantic.ValidationError):
        _ = path(Event.at) > "yesterday"


async def test_datetime_keys_sort_chronologically_as_stored(
    api: Api, tables: Tables, boto: Any
) -> None:
    readings = await tables(Reading)
    times = [
        datetime(2025, 1, 1, 10, 0),  # naive: UTC
        datetime(2025, 1, 1, 11, 0, tzinfo=timezone(timedelta(hours=2))),  # 09:00Z
        datetime(2025, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=-5))),  # 05:30Z
        datetime(2025, 1, 1, 9, 0, 0, 500000, tzinfo=UTC),  # 09:00:00.5Z
        datetime(2024, 12, 31, 23, 59, 59, 999999, tzinfo=UTC),
        datetime(2025, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=14))),  # 2024-12-31 11:00Z
        datetime(2025, 1, 1, 9, 0, 0, 5, tzinfo=UTC),
    ]
    for value, at in enumerate(times):
        await api.on(readings(pk=P, at=at, value=value)).save()

    def utc(moment: datetime) -> datetime:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)

    in_order = sorted(range(len(times)), key=lambda i: utc(times[i]))
    got = await api.on(readings).query(partition_key=P).all()
    assert [r.value for r in got] == in_order
    assert [r.at for r in got] == [utc(times[i]) for i in in_order]
    assert all(r.at.utcoffset() == timedelta(0) for r in got)
    backwards = await api.on(readings).query(partition_key=P, scan_index_forward=False).all()
    assert [r.value for r in backwards] == in_order[::-1]

    raw = boto.query(
        TableName=table_of(readings),
        KeyConditionExpression="pk = :p",
        ExpressionAttributeValues={":p": {"S": P}},
    )["Items"]
    texts = [item["at"]["S"] for item in raw]
    assert texts == sorted(texts)
    assert all(len(text) == 32 and text.endswith("+00:00") for text in texts)
    assert "2025-01-01T10:00:00.000000+00:00" in texts  # the naive one, as UTC
    assert "2024-12-31T11:00:00.000000+00:00" in texts

    # Keys and key conditions in any zone or as ISO strings find the same items.
    found = await api.on(readings).get(pk=P, at="2025-01-01T12:00:00+02:00")
    assert found is not None and found.value == 0
    window = api.on(readings).query(
        partition_key=P,
        sort_key_condition=path(Reading.at).between(
            datetime(2025, 1, 1, 4, 0, tzinfo=timezone(timedelta(hours=-1))),  # 05:00Z
            "2025-01-01T09:00:00.000005Z",
        ),
    )
    assert [r.value for r in await window.all()] == [2, 1, 6]


async def test_natural_format_round_trips_with_plain_boto3(
    api: Api, tables: Tables, boto: Any
) -> None:
    docs = await tables(Doc)
    ident = uuid.UUID("12345678-1234-5678-1234-567812345678")
    doc = docs(
        pk="d1",
        text="hi",
        empty="",
        qty=3,
        ratio=0.1,
        price=Decimal("1.50"),
        flag=False,
        blob=b"\x00\x01",
        words={"a", "b"},
        nums={1, 2},
        blobs={b"x", b"y"},
        meta={"n": 1, "none": None, "list": ["x", 2.5]},
        address=Address(city="Oslo"),
        items=[1, "a", True, None],
        status=Status.open,
        ident=ident,
        when=datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=UTC),
        day=date(2025, 1, 2),
    )
    await api.on(doc).save()
    raw = stored(boto, docs, pk="d1")
    assert raw is not None
    for name in ("words", "nums", "blobs"):
        (kind, members) = raw.pop(name).popitem()
        assert (kind, sorted(members)) == {
            "words": ("SS", ["a", "b"]),
            "nums": ("NS", ["1", "2"]),
            "blobs": ("BS", [b"x", b"y"]),
        }[name]
    assert raw == {
        "pk": {"S": "d1"},
        "text": {"S": "hi"},
        "empty": {"S": ""},
        "qty": {"N": "3"},
        "ratio": {"N": "0.1"},
        "price": {"N": "1.5"},
        "flag": {"BOOL": False},
        "blob": {"B": b"\x00\x01"},
        "meta": {
            "M": {
                "n": {"N": "1"},
                "none": {"NULL": True},
                "list": {"L": [{"S": "x"}, {"N": "2.5"}]},
            }
        },
        "address": {"M": {"city": {"S": "Oslo"}}},  # zip (None, its default) left out
        "items": {"L": [{"N": "1"}, {"S": "a"}, {"BOOL": True}, {"NULL": True}]},
        "status": {"S": "open"},
        "ident": {"S": str(ident)},
        "when": {"S": "2025-01-02T03:04:05.000006+00:00"},
        "day": {"S": "2025-01-02"},
    }  # and "missing" (None) is not stored at all
    assert await api.on(docs).get(pk="d1") == doc

    # An item written by plain boto3 the way anyone would write it.
    boto.put_item(
        TableName=table_of(docs),
        Item={
            "pk": {"S": "d2"},
            "text": {"S": "from boto"},
            "empty": {"S": ""},
            "qty": {"N": "12"},
            "ratio": {"N": "2.25"},
            "price": {"N": "19.99"},
            "flag": {"BOOL": True},
            "blob": {"B": b"\xff"},
            "words": {"SS": ["z"]},
            "nums": {"NS": ["7", "8"]},
            "blobs": {"BS": [b"q"]},
            "meta": {"M": {"deep": {"M": {"ok": {"BOOL": True}}}}},
            "address": {"M": {"city": {"S": "Bergen"}, "zip": {"S": "5003"}}},
            "items": {"L": [{"N": "1.5"}, {"L": []}]},
            "status": {"S": "closed"},
            "ident": {"S": str(ident)},
            "when": {"S": "2025-01-02T04:04:05+01:00"},
            "day": {"S": "2025-02-03"},
            "missing": {"S": "here"},
        },
    )
    loaded = await api.on(docs).get(pk="d2")
    assert loaded == docs(
        pk="d2",
        text="from boto",
        empty="",
        qty=12,
        ratio=2.25,
        price=Decimal("19.99"),
        flag=True,
        blob=b"\xff",
        words={"z"},
        nums={7, 8},
        blobs={b"q"},
        meta={"deep": {"ok": True}},
        address=Address(city="Bergen", zip="5003"),
        items=[Decimal("1.5"), []],
        status=Status.closed,
        ident=ident,
        when=datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC),
        day=date(2025, 2, 3),
        missing="here",
    )
    assert loaded is not None
    assert type(loaded.qty) is int and type(loaded.ratio) is float
    assert type(loaded.price) is Decimal and loaded.status is Status.closed


# -- writes -------------------------------------------------------------------------------


@NO_ITEM_ON_FAILED_CONDITION
async def test_version_conditions_every_write_and_stale_writes_change_nothing(
    api: Api, tables: Tables, boto: Any
) -> None:
    accounts = await tables(Account)

    def stored_account() -> dict[str, Any] | None:
        return stored(boto, accounts, id="a")

    first = accounts(id="a", balance=10)
    await api.on(first).save()
    assert first.version == 1
    assert stored_account() == {"id": {"S": "a"}, "balance": {"N": "10"}, "version": {"N": "1"}}

    second = await api.on(accounts).get(id="a")
    assert second is not None and second.version == 1
    await api.on(first).update(balance=20)
    assert first.version == 2
    await api.on(first).save()
    assert first.version == 3
    after_first = {"id": {"S": "a"}, "balance": {"N": "20"}, "version": {"N": "3"}}
    assert stored_account() == after_first

    # The second instance is stale: every write fails and changes nothing.
    second.balance = 99
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await api.on(second).save()
    assert caught.value.item is not None and caught.value.item["version"] == 3
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(second).update(balance=98)
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(second).update(atomic=[path(Account.balance).add(1)])
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(second).delete()
    assert second.version == 1
    assert stored_account() == after_first

    # A new instance (version 0) cannot overwrite an existing item.
    with pytest.raises(ConditionalCheckFailedException):
        await api.on(accounts(id="a", balance=0)).save()
    assert stored_account() == after_first

    # The current instance deletes it; a new one can be saved afterwards.
    await api.on(first).delete()
    assert stored_account() is None
    fresh = accounts(id="a", balance=1)
    await api.on(fresh).save()
    assert fresh.version == 1


async def test_hooks_run_in_declaration_order_and_a_raising_before_hook_writes_nothing(
    api: Api, tables: Tables, boto: Any, sent: list[str]
) -> None:
    hooked = await tables(Hooked)
    CALLS.clear()
    item = hooked(id="a")
    await api.on(item).save()
    assert CALLS == ["before_save 1", "before_save 2", "after_save"]

    CALLS.clear()
    await api.on(item).update(n=1)
    assert CALLS == ["before_update n=0", "after_update n=1"]
    CALLS.clear()
    await api.on(hooked(id="b")).save()
    await api.on(item).delete()
    assert CALLS == [
        "before_save 1",
        "before_save 2",
        "after_save",
        "before_delete",
        "after_delete",
    ]
    await api.on(hooked(id="a", n=2)).save()

    # after_load runs for every item read by get, query, scan and batch_get.
    CALLS.clear()
    loaded = await api.on(hooked).get(id="a")
    assert loaded is not None and CALLS == ["after_load a"]
    CALLS.clear()
    assert [h.id for h in await api.on(hooked).query(partition_key="b").all()] == ["b"]
    assert CALLS == ["after_load b"]
    CALLS.clear()
    assert len(await api.on(hooked).scan().all()) == 2
    assert sorted(CALLS) == ["after_load a", "after_load b"]
    CALLS.clear()
    batch = await api.on(hooked).batch_get([{"id": "b"}, {"id": "a"}, {"id": "nope"}])
    assert [h.id for h in batch] == ["b", "a"]
    assert CALLS == ["after_load b", "after_load a"]

    # A raising before_* hook stops the operation: nothing is sent or written.
    sent.clear()
    with pytest.raises(RuntimeError, match="locked"):
        await api.on(hooked(id="c", locked=True)).save()
    assert await api.on(hooked).get(id="c") is None
    boto.put_item(
        TableName=table_of(hooked),
        Item={"id": {"S": "d"}, "n": {"N": "5"}, "locked": {"BOOL": True}},
    )
    locked = await api.on(hooked).get(id="d")
    assert locked is not None
    sent.clear()
    CALLS.clear()
    with pytest.raises(RuntimeError, match="locked"):
        await api.on(locked).update(n=6)
    with pytest.raises(RuntimeError, match="locked"):
        await api.on(locked).delete()
    with pytest.raises(RuntimeError, match="locked"):
        await api.on(locked).save()
    assert sent == []
    assert CALLS == ["before_update n=5", "before_delete", "before_save 1"]
    assert locked.n == 5
    assert stored(boto, hooked, id="d") == {
        "id": {"S": "d"},
        "n": {"N": "5"},
        "locked": {"BOOL": True},
    }


async def test_save_is_a_full_put_unless_the_model_keeps_extras(
    api: Api, tables: Tables, boto: Any
) -> None:
    strict = await tables(Profile)
    loose = await tables(Profile, extra="allow")
    for model in (strict, loose):
        boto.put_item(
            TableName=table_of(model),
            Item={
                **raw_key(pk=P, sk="a"),
                "name": {"S": "Jane"},
                "legacy": {"S": "kept?"},
                "score": {"N": "5"},
            },
        )

    known = await api.on(strict).get(pk=P, sk="a")
    assert known is not None and known.name == "Jane"
    known.age = 3
    await api.on(known).save()
    assert stored(boto, strict, pk=P, sk="a") == {
        **raw_key(pk=P, sk="a"),
        "name": {"S": "Jane"},
        "age": {"N": "3"},
        "history": {"L": []},
    }  # the attributes the model does not declare are gone

    kept = await api.on(loose).get(pk=P, sk="a")
    assert kept is not None and kept.model_extra == {"legacy": "kept?", "score": 5}
    kept.age = 3
    await api.on(kept).save()
    assert stored(boto, loose, pk=P, sk="a") == {
        **raw_key(pk=P, sk="a"),
        "name": {"S": "Jane"},
        "age": {"N": "3"},
        "history": {"L": []},
        "legacy": {"S": "kept?"},
        "score": {"N": "5"},
    }
    # update() only touches the attributes it names, extras or not.
    await api.on(known).update(name="Joan")
    raw = stored(boto, strict, pk=P, sk="a")
    assert raw is not None and raw["name"] == {"S": "Joan"} and raw["age"] == {"N": "3"}
