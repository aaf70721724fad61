"""``return_values=`` on the client's put_item, update_item and delete_item, through both APIs,
on a real server: what each value hands back, the defaults users had before, and the
refusals (a value the operation does not take: nothing sent; a failed condition: the usual
``ConditionalCheckFailedException``, nothing written)."""

from __future__ import annotations

from typing import Any

import pytest

from pydynox import Attr, ConditionalCheckFailedException, ValidationException

from ..local_servers import NO_ITEM_ON_FAILED_CONDITION
from .api import Api

pytestmark = pytest.mark.both_transports

KEY = {"pk": "USER#1", "sk": "PROFILE"}
OLD = {**KEY, "name": "Jane", "n": 1, "tags": {"a"}}


async def test_put_returns_the_replaced_item_for_all_old(api: Api, table: str) -> None:
    assert await api.put_item(table, OLD, return_values="ALL_OLD") is None  # nothing before
    assert await api.put_item(table, {**KEY, "n": 2}, return_values="ALL_OLD") == OLD
    assert await api.get_item(table, KEY, consistent_read=True) == {**KEY, "n": 2}


async def test_put_and_delete_return_none_by_default_and_for_none(api: Api, table: str) -> None:
    assert await api.put_item(table, OLD) is None
    assert await api.put_item(table, OLD, return_values="NONE") is None
    assert await api.delete_item(table, KEY, return_values="NONE") is None
    await api.put_item(table, OLD)
    assert await api.delete_item(table, KEY) is None
    assert await api.get_item(table, KEY, consistent_read=True) is None


async def test_delete_returns_the_deleted_item_for_all_old(api: Api, table: str) -> None:
    await api.put_item(table, OLD)
    assert await api.delete_item(table, KEY, return_values="ALL_OLD") == OLD
    assert await api.get_item(table, KEY, consistent_read=True) is None
    assert await api.delete_item(table, KEY, return_values="ALL_OLD") is None  # was missing


UPDATE: dict[str, Any] = {"updates": {"name": "Joan", "nick": None}, "atomic": [Attr("n").add(1)]}
NEW = {**KEY, "name": "Joan", "n": 2, "tags": {"a"}}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("ALL_NEW", NEW),
        ("ALL_OLD", OLD),
        ("UPDATED_NEW", {"name": "Joan", "n": 2}),
        ("UPDATED_OLD", {"name": "Jane", "n": 1}),  # "nick" did not exist
        ("NONE", None),
    ],
)
async def test_update_returns_what_was_asked_for(
    api: Api, table: str, value: str, expected: Any
) -> None:
    await api.put_item(table, OLD)
    assert await api.update_item(table, KEY, **UPDATE, return_values=value) == expected
    assert await api.get_item(table, KEY, consistent_read=True) == NEW


async def test_update_returns_the_new_item_by_default(api: Api, table: str) -> None:
    await api.put_item(table, OLD)
    assert await api.update_item(table, KEY, **UPDATE) == NEW


async def test_update_of_a_missing_item(api: Api, table: str) -> None:
    """The update creates the item: there is no old item, and no old attribute."""
    assert await api.update_item(table, KEY, {"n": 1}, return_values="ALL_OLD") is None
    other = {"pk": "USER#2", "sk": "PROFILE"}
    assert await api.update_item(table, other, {"n": 1}, return_values="UPDATED_OLD") == {}
    assert await api.get_item(table, other, consistent_read=True) == {**other, "n": 1}


async def test_update_that_only_removes_returns_no_new_attributes(api: Api, table: str) -> None:
    await api.put_item(table, OLD)
    assert await api.update_item(table, KEY, {"name": None}, return_values="UPDATED_NEW") == {}
    assert "name" not in await api.get_item(table, KEY, consistent_read=True)


@pytest.mark.parametrize(
    ("method", "args", "value", "allowed"),
    [
        ("put_item", (OLD,), "ALL_NEW", "'NONE', 'ALL_OLD'"),
        ("put_item", (OLD,), "UPDATED_OLD", "'NONE', 'ALL_OLD'"),
        ("delete_item", (KEY,), "UPDATED_NEW", "'NONE', 'ALL_OLD'"),
        ("put_item", (OLD,), "all_old", "'NONE', 'ALL_OLD'"),
        ("delete_item", (KEY,), None, "'NONE', 'ALL_OLD'"),
        (
            "update_item",
            (KEY, {"n": 5}),
            "EVERYTHING",
            "'NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'",
        ),
    ],
)
async def test_a_value_the_operation_does_not_take_is_refused_before_sending(
    api: Api, table: str, sent: list[str], method: str, args: Any, value: Any, allowed: str
) -> None:
    await api.put_item(table, OLD)
    sent.clear()
    with pytest.raises(ValidationException) as caught:
        await getattr(api, method)(table, *args, return_values=value)
    operation = {"put_item": "PutItem", "delete_item": "DeleteItem", "update_item": "UpdateItem"}
    assert str(caught.value) == (
        f"return_values={value!r} is not allowed for {operation[method]}: it takes one of {allowed}"
    )
    assert sent == []
    assert await api.get_item(table, KEY, consistent_read=True) == OLD


FAILING = pytest.mark.parametrize(
    ("method", "args"),
    [
        ("put_item", ({**KEY, "n": 9},)),
        ("delete_item", (KEY,)),
        ("update_item", (KEY, {"n": 9})),
    ],
)


@FAILING
async def test_a_failed_condition_raises_as_usual_and_writes_nothing(
    api: Api, table: str, method: str, args: Any
) -> None:
    await api.put_item(table, OLD)
    with pytest.raises(ConditionalCheckFailedException):
        await getattr(api, method)(table, *args, condition=Attr("n") > 5, return_values="ALL_OLD")
    assert await api.get_item(table, KEY, consistent_read=True) == OLD


@NO_ITEM_ON_FAILED_CONDITION
@FAILING
async def test_a_failed_condition_carries_the_stored_item_as_usual(
    api: Api, table: str, method: str, args: Any
) -> None:
    await api.put_item(table, OLD)
    with pytest.raises(ConditionalCheckFailedException) as caught:
        await getattr(api, method)(table, *args, condition=Attr("n") > 5, return_values="ALL_OLD")
    assert caught.value.item == OLD
