"""``return_values=`` of PutItem, UpdateItem and DeleteItem, in the shared plans.

The request builders send ``ReturnValues`` only when something is asked for, refuse a value
the operation does not take before anything is sent, and leave what the models and the
transactions send as it was; the plans hand back what DynamoDB answers, run step by step
against scripted answers (no network). The same scenarios on real servers are in
``tests/integration/test_return_values.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from pydynox import Attr, ConnectionException, Delete, Put, Update, ValidationException
from pydynox._protocol._items import delete_plan, put_plan, update_plan
from pydynox._protocol._plan import Call, Feed, Plan
from pydynox._protocol._requests import (
    delete_item_request,
    put_item_request,
    update_actions,
    update_item_request,
)
from pydynox._values._codec import deserialize_item, serialize_item

KEY = {"pk": "a", "sk": "b"}
OLD = {**KEY, "n": 1, "tags": {"x"}}
ALL = ("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW")


def answer(plan: Plan[Any], response: dict[str, Any]) -> tuple[Any, list[Call]]:
    """Run a one-call plan, answering its call with ``response``."""
    calls: list[Call] = []
    feed = Feed(plan)
    for step in feed:
        assert isinstance(step, Call)
        calls.append(step)
        feed.answer(response)
    return feed.result, calls


def steps_before_refusal(plan: Plan[Any]) -> list[Any]:
    """The steps a plan takes before raising ``ValidationException`` (must be none)."""
    taken: list[Any] = []
    with pytest.raises(ValidationException) as caught:
        for step in Feed(plan):
            taken.append(step)
    assert not taken
    return [str(caught.value)]


def update(**kwargs: Any) -> Update:
    return Update("table", KEY, updates={"n": 2}, **kwargs)


# -- what is sent ----------------------------------------------------------------------------


def test_put_and_delete_send_return_values_only_when_asked() -> None:
    assert "ReturnValues" not in put_item_request("table", OLD)
    assert "ReturnValues" not in put_item_request("table", OLD, None, "NONE")
    assert put_item_request("table", OLD, None, "ALL_OLD")["ReturnValues"] == "ALL_OLD"
    assert "ReturnValues" not in delete_item_request("table", KEY)
    assert "ReturnValues" not in delete_item_request("table", KEY, None, "NONE")
    assert delete_item_request("table", KEY, None, "ALL_OLD")["ReturnValues"] == "ALL_OLD"


@pytest.mark.parametrize("value", ["ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
def test_update_sends_the_return_values_asked_for(value: Any) -> None:
    actions = update_actions(KEY, {"n": 2}, None)
    assert update_item_request("table", KEY, actions, None, value)["ReturnValues"] == value


def test_update_sends_all_new_by_default_and_nothing_for_none() -> None:
    actions = update_actions(KEY, {"n": 2}, None)
    assert update_item_request("table", KEY, actions)["ReturnValues"] == "ALL_NEW"
    assert "ReturnValues" not in update_item_request("table", KEY, actions, None, "NONE")


def test_a_condition_still_asks_for_the_stored_item_on_failure() -> None:
    params = put_item_request("table", OLD, Attr("pk").not_exists(), "ALL_OLD")
    assert params["ReturnValues"] == "ALL_OLD"
    assert params["ReturnValuesOnConditionCheckFailure"] == "ALL_OLD"


def test_models_and_transactions_send_what_they_sent_before() -> None:
    """The models call the plans with their defaults; transaction actions carry no
    ReturnValues (TransactWriteItems has none)."""
    _, calls = answer(put_plan(Put("table", OLD)), {})
    assert calls[0].params == {"TableName": "table", "Item": serialize_item(OLD)}
    _, calls = answer(delete_plan(Delete("table", KEY)), {})
    assert calls[0].params == {"TableName": "table", "Key": serialize_item(KEY)}
    _, calls = answer(update_plan(update(), deserialize_item), {"Attributes": {}})
    assert calls[0].params["ReturnValues"] == "ALL_NEW"
    assert "ReturnValues" not in Put("table", OLD).request()["Put"]
    assert "ReturnValues" not in Delete("table", KEY).request()["Delete"]
    assert "ReturnValues" not in update().request()["Update"]


# -- refused before sending ------------------------------------------------------------------


@pytest.mark.parametrize("value", ["UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"])
def test_put_and_delete_refuse_what_only_update_takes(value: Any) -> None:
    for plan, operation in (
        (put_plan(Put("table", OLD), value), "PutItem"),
        (delete_plan(Delete("table", KEY), value), "DeleteItem"),
    ):
        (message,) = steps_before_refusal(plan)
        assert message == (
            f"return_values={value!r} is not allowed for {operation}: "
            "it takes one of 'NONE', 'ALL_OLD'"
        )


@pytest.mark.parametrize("value", ["all_new", "BOGUS", "", " ALL_OLD", None, 1, b"ALL_OLD"])
def test_every_operation_refuses_a_value_dynamodb_does_not_know(value: Any) -> None:
    plans = [
        put_plan(Put("table", OLD), value),
        delete_plan(Delete("table", KEY), value),
        update_plan(update(), deserialize_item, value),
    ]
    messages = [steps_before_refusal(plan)[0] for plan in plans]
    assert messages[2] == (
        f"return_values={value!r} is not allowed for UpdateItem: it takes one of "
        "'NONE', 'ALL_OLD', 'UPDATED_OLD', 'ALL_NEW', 'UPDATED_NEW'"
    )
    assert all(m.startswith(f"return_values={value!r} is not allowed for") for m in messages)


# -- what comes back -------------------------------------------------------------------------


def test_put_and_delete_return_the_old_item_for_all_old() -> None:
    old = {"Attributes": serialize_item(OLD)}
    for make in (
        lambda v: put_plan(Put("table", OLD), v),
        lambda v: delete_plan(Delete("table", KEY), v),
    ):
        assert answer(make("ALL_OLD"), old)[0] == OLD
        assert answer(make("ALL_OLD"), {})[0] is None  # there was no item
        assert answer(make("NONE"), old)[0] is None  # not asked: ignored


@pytest.mark.parametrize(
    ("value", "response", "expected"),
    [
        ("ALL_NEW", {"Attributes": serialize_item(OLD)}, OLD),
        ("ALL_OLD", {"Attributes": serialize_item(OLD)}, OLD),
        ("ALL_OLD", {}, None),  # the update created the item
        ("UPDATED_OLD", {"Attributes": serialize_item({"n": 1})}, {"n": 1}),
        ("UPDATED_OLD", {}, {}),  # none of the updated attributes existed
        ("UPDATED_NEW", {"Attributes": serialize_item({"n": 2})}, {"n": 2}),
        ("UPDATED_NEW", {}, {}),  # the update only removed attributes
        ("NONE", {}, None),
        ("NONE", {"Attributes": serialize_item(OLD)}, None),
    ],
)
def test_update_returns_what_was_asked_for(value: Any, response: Any, expected: Any) -> None:
    assert answer(update_plan(update(), deserialize_item, value), response)[0] == expected


def test_update_converts_what_it_returns() -> None:
    plan = update_plan(update(), lambda raw: sorted(deserialize_item(raw)), "UPDATED_OLD")
    assert answer(plan, {"Attributes": serialize_item({"n": 1, "m": 2})})[0] == ["m", "n"]


@pytest.mark.parametrize("attributes", ["x", [1], {"n": {"Q": "1"}}])
def test_an_old_item_not_in_dynamodbs_shape_is_a_connection_error(attributes: Any) -> None:
    for plan in (
        put_plan(Put("table", OLD), "ALL_OLD"),
        delete_plan(Delete("table", KEY), "ALL_OLD"),
        update_plan(update(), deserialize_item, "UPDATED_OLD"),
    ):
        with pytest.raises(ConnectionException, match="not in DynamoDB's shape"):
            answer(plan, {"Attributes": attributes})
