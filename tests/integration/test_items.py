"""Single-item operations (get, put, update, delete) through both APIs, on a real server."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

import pytest

from pydynox import (
    Attr,
    ConditionalCheckFailedException,
    DynamoDBClient,
    ItemTooLargeException,
    ResourceNotFoundException,
    SerializationException,
    ValidationException,
)

from ..local_servers import NO_ITEM_ON_FAILED_CONDITION
from .api import Api

pytestmark = pytest.mark.both_transports

KEY = {"pk": "USER#1", "sk": "PROFILE"}


async def test_put_then_get_round_trips_every_type(api: Api, table: str) -> None:
    item = {
        **KEY,
        "name": "Jane",
        "empty": "",
        "age": 42,
        "balance": Decimal("10.25"),
        "ratio": 0.1,
        "active": True,
        "blob": b"\x00\x01",
        "tags": {"a", "b"},
        "scores": {1, 2, Decimal("2.5")},
        "blobs": {b"x", b"y"},
        "history": ["x", 1, None, {"deep": [True]}],
        "address": {"city": "Oslo", "zip": None},
    }
    await api.put_item(table, item)
    got = await api.get_item(table, KEY, consistent_read=True)
    assert got == {
        **item,
        "ratio": Decimal("0.1"),
        "scores": {1, 2, Decimal("2.5")},
    }
    assert type(got["age"]) is int and type(got["active"]) is bool


async def test_missing_item_is_none(api: Api, table: str) -> None:
    assert await api.get_item(table, {"pk": "nobody", "sk": "x"}) is None


async def test_none_and_empty_set_are_omitted(api: Api, table: str, boto: Any) -> None:
    await api.put_item(table, {**KEY, "nick": None, "tags": set()})
    stored = boto.get_item(TableName=table, Key={"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}})
    assert stored["Item"] == {"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}}


async def test_writes_the_natural_format(api: Api, table: str, boto: Any) -> None:
    await api.put_item(table, {**KEY, "n": 3.0, "d": Decimal("1.50"), "ok": False, "s": {"x"}})
    stored = boto.get_item(TableName=table, Key={"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}})
    assert stored["Item"]["n"] == {"N": "3"}
    assert stored["Item"]["d"] == {"N": "1.5"}
    assert stored["Item"]["ok"] == {"BOOL": False}
    assert stored["Item"]["s"] == {"SS": ["x"]}


async def test_reads_items_written_by_plain_boto3(api: Api, table: str, boto: Any) -> None:
    boto.put_item(
        TableName=table,
        Item={
            "pk": {"S": "USER#1"},
            "sk": {"S": "PROFILE"},
            "n": {"N": "12"},
            "f": {"N": "1.5"},
            "ns": {"NS": ["1", "2"]},
            "m": {"M": {"x": {"NULL": True}, "l": {"L": [{"S": "a"}]}}},
        },
    )
    assert await api.get_item(table, KEY) == {
        **KEY,
        "n": 12,
        "f": Decimal("1.5"),
        "ns": {1, 2},
        "m": {"x": None, "l": ["a"]},
    }


@NO_ITEM_ON_FAILED_CONDITION
async def test_put_condition_failure_carries_the_stored_item(api: Api, table: str) -> None:
    await api.put_item(table, {**KEY, "v": 1})
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await api.put_item(table, {**KEY, "v": 2}, condition=Attr("pk").not_exists())
    assert caught.value.item == {**KEY, "v": 1}
    assert caught.value.status == 400  # answered by the server
    assert (await api.get_item(table, KEY))["v"] == 1


async def test_update_sets_adds_removes_and_returns_the_new_item(api: Api, table: str) -> None:
    await api.put_item(table, {**KEY, "name": "Jane", "nick": "J", "tags": {"a"}})
    new = await api.update_item(
        table,
        KEY,
        updates={"name": "Joan", "nick": None},
        atomic=[
            Attr("visits").add(1),
            Attr("tags").add({"b"}),
            Attr("history").append(["x"]),
            Attr("created").set_if_not_exists(5),
        ],
    )
    assert new == {
        **KEY,
        "name": "Joan",
        "visits": 1,
        "tags": {"a", "b"},
        "history": ["x"],
        "created": 5,
    }
    assert await api.get_item(table, KEY) == new


@NO_ITEM_ON_FAILED_CONDITION
async def test_update_with_failed_condition_changes_nothing(api: Api, table: str) -> None:
    await api.put_item(table, {**KEY, "qty": 0})
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await api.update_item(table, KEY, atomic=[Attr("qty").add(-1)], condition=Attr("qty") > 0)
    assert caught.value.item == {**KEY, "qty": 0}
    assert (await api.get_item(table, KEY))["qty"] == 0


async def test_delete_and_conditional_delete(api: Api, table: str) -> None:
    await api.put_item(table, {**KEY, "state": "open"})
    with pytest.raises(ConditionalCheckFailedException):
        await api.delete_item(table, KEY, condition=Attr("state") == "closed")
    assert await api.get_item(table, KEY) is not None
    await api.delete_item(table, KEY, condition=Attr("state") == "open")
    assert await api.get_item(table, KEY) is None
    await api.delete_item(table, KEY)  # deleting a missing item is not an error


async def test_missing_table_raises_resource_not_found(api: Api) -> None:
    with pytest.raises(ResourceNotFoundException) as caught:
        await api.get_item("no-such-table", KEY)
    assert caught.value.code == "ResourceNotFoundException"
    assert caught.value.status == 400  # answered by the server


@pytest.mark.parametrize(
    ("item", "error", "path"),
    [
        ({"x": math.nan}, SerializationException, "x"),
        ({"x": {"y": [1, math.inf]}}, SerializationException, "x.y[1]"),
        ({"x": Decimal("1." + "1" * 38)}, SerializationException, "x"),
        ({"x": object()}, SerializationException, "x"),
        ({"x": {"a", 1}}, SerializationException, "x"),
    ],
)
async def test_bad_values_are_refused_before_sending(
    api: Api, table: str, dead_client: DynamoDBClient, item: dict[str, Any], error: type, path: str
) -> None:
    dead = Api(dead_client, api.mode)
    with pytest.raises(error) as caught:
        await dead.put_item(table, {**KEY, **item})
    assert caught.value.path == path
    with pytest.raises(error):
        await api.put_item(table, {**KEY, **item})
    assert await api.get_item(table, KEY) is None


async def test_oversized_item_is_refused_before_sending(
    api: Api, table: str, dead_client: DynamoDBClient
) -> None:
    item = {**KEY, "blob": "x" * (400 * 1024)}
    with pytest.raises(ItemTooLargeException) as caught:
        await Api(dead_client, api.mode).put_item(table, item)
    assert caught.value.size is not None and caught.value.size > 400 * 1024
    with pytest.raises(ItemTooLargeException):
        await api.put_item(table, item)
    assert await api.get_item(table, KEY) is None


@pytest.mark.parametrize(
    "key",
    [{}, {"pk": ""}, {"pk": None}, {"pk": "a", "sk": "b", "x": "c"}, {"pk": True}, {"pk": b""}],
)
async def test_bad_keys_are_refused_before_sending(
    api: Api, dead_client: DynamoDBClient, key: dict[str, Any]
) -> None:
    with pytest.raises(ValidationException):
        await Api(dead_client, api.mode).get_item("users", key)


async def test_update_refuses_key_attributes_and_empty_updates(
    api: Api, dead_client: DynamoDBClient
) -> None:
    dead = Api(dead_client, api.mode)
    with pytest.raises(ValidationException, match="key attribute 'pk'"):
        await dead.update_item("users", KEY, updates={"pk": "other"})
    with pytest.raises(ValidationException, match="at least one"):
        await dead.update_item("users", KEY)


async def test_bad_table_name_is_refused_before_sending(
    api: Api, dead_client: DynamoDBClient
) -> None:
    with pytest.raises(ValidationException, match="invalid table name"):
        await Api(dead_client, api.mode).get_item("no spaces!", KEY)
