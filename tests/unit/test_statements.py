"""PartiQL's ExecuteStatement, with no I/O: the request built (parameters serialized in
order, bad input refused before anything is sent), the paging plan driven step by step
(every NextToken followed, ``limit`` stopping it), the shape check of its answers, and the
retry of one page."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from pydynox._protocol._plan import Call, Feed, Sleep
from pydynox._protocol._retry import RetryPolicy, RetryRules
from pydynox._protocol._shapes import check_response
from pydynox._protocol._statements import MAX_STATEMENT, statement_plan, statement_request
from pydynox._values._codec import deserialize_item
from pydynox.exceptions import (
    ConnectionException,
    PydynoxException,
    SerializationException,
    ValidationException,
)

SELECT = 'SELECT * FROM "users" WHERE pk = ? AND sk = ?'
UPDATE = 'UPDATE "users" SET n = n + ? WHERE pk = ?'

# -------------------------------------------------------------------------- the request


def test_a_statement_alone_is_sent_alone() -> None:
    # No Parameters at all (DynamoDB refuses an empty list), no ConsistentRead, no Limit.
    assert statement_request('SELECT * FROM "users"') == {"Statement": 'SELECT * FROM "users"'}


def test_parameters_are_serialized_in_order_with_the_codec() -> None:
    values = ["USER#1", 3, Decimal("1.50"), True, None, b"\x00", {"a", "b"}, [1, "x"], {"k": 2}]
    request = statement_request(SELECT, values)
    assert request["Parameters"] == [
        {"S": "USER#1"},
        {"N": "3"},
        {"N": "1.5"},
        {"BOOL": True},
        {"NULL": True},
        {"B": b"\x00"},
        {"SS": ["a", "b"]},
        {"L": [{"N": "1"}, {"S": "x"}]},
        {"M": {"k": {"N": "2"}}},
    ]
    assert statement_request(SELECT, ("a", 1))["Parameters"] == [{"S": "a"}, {"N": "1"}]


def test_consistent_read_and_page_size() -> None:
    request = statement_request(SELECT, ["a", "b"], consistent_read=True, page_size=25)
    assert request["ConsistentRead"] is True
    assert request["Limit"] == 25
    assert "ConsistentRead" not in statement_request(SELECT, ["a", "b"], consistent_read=False)


def test_the_longest_statement_dynamodb_takes_is_accepted() -> None:
    statement = "SELECT * FROM t" + " " * (MAX_STATEMENT - 15)
    assert statement_request(statement)["Statement"] == statement


@pytest.mark.parametrize(
    "statement", ["", "   \n", None, 5, b'SELECT * FROM "t"', "S" * (MAX_STATEMENT + 1)], ids=repr
)
def test_a_bad_statement_is_refused(statement: Any) -> None:
    with pytest.raises(ValidationException, match="statement"):
        statement_request(statement)


@pytest.mark.parametrize(
    "parameters", ["USER#1", b"ab", {"pk": "a"}, {"a", "b"}, 5, iter(["a"])], ids=repr
)
def test_parameters_that_are_not_a_list_are_refused(parameters: Any) -> None:
    # A string is a sequence too: "USER#1" would otherwise be six parameters.
    with pytest.raises(ValidationException, match="parameters must be a list or tuple"):
        statement_request(SELECT, parameters)


@pytest.mark.parametrize(
    ("parameters", "path"),
    [
        ([object()], "parameters[0]"),
        (["ok", float("nan")], "parameters[1]"),
        (["ok", set()], "parameters[1]"),
        (["ok", ["x", object()]], "parameters[1][1]"),
        ([{"a": {"b": float("inf")}}], "parameters[0].a.b"),
    ],
)
def test_a_parameter_that_cannot_be_stored_is_refused_naming_it(
    parameters: list[Any], path: str
) -> None:
    # The codec's refusal, as for a value of put_item (not a ValidationException).
    with pytest.raises(SerializationException) as caught:
        statement_request(SELECT, parameters)
    assert caught.value.path == path


@pytest.mark.parametrize("page_size", [0, -1, True, 1.5, "10", 2**31])
def test_a_bad_page_size_is_refused(page_size: Any) -> None:
    with pytest.raises(ValidationException, match="page_size"):
        statement_request(SELECT, ["a", "b"], page_size=page_size)


@pytest.mark.parametrize("limit", [0, -1, True, 1.5])
def test_a_bad_limit_is_refused_when_the_plan_is_made(limit: Any) -> None:
    # Before the plan takes a step: nothing is sent.
    with pytest.raises(ValidationException, match="limit"):
        statement_plan({"Statement": SELECT}, deserialize_item, limit)


# ------------------------------------------------------------------------- the paging plan

A = {"pk": {"S": "a"}, "n": {"N": "1"}}
B = {"pk": {"S": "b"}, "tags": {"SS": ["x"]}}
C = {"pk": {"S": "c"}, "data": {"B": b"\x01"}}
REQUEST = {"Statement": 'SELECT * FROM "t"', "Parameters": [{"S": "a"}], "Limit": 2}


def finish(plan: Any, response: dict[str, Any]) -> Any:
    with pytest.raises(StopIteration) as stop:
        plan.send(response)
    return stop.value.value


def test_every_next_token_is_followed_and_an_empty_page_does_not_stop_it() -> None:
    plan = statement_plan(REQUEST, deserialize_item)
    assert next(plan) == Call("ExecuteStatement", REQUEST)
    second = plan.send({"Items": [A, B], "NextToken": "t1"})
    assert second == Call("ExecuteStatement", {**REQUEST, "NextToken": "t1"})
    third = plan.send({"Items": [], "NextToken": "t2"})  # a filter emptied this page
    assert third == Call("ExecuteStatement", {**REQUEST, "NextToken": "t2"})
    rows = finish(plan, {"Items": [C], "LastEvaluatedKey": {"pk": {"S": "c"}}})
    assert rows == [
        {"pk": "a", "n": 1},
        {"pk": "b", "tags": {"x"}},
        {"pk": "c", "data": b"\x01"},
    ]
    assert "NextToken" not in REQUEST  # the caller's request is left as it was


def test_a_write_answers_no_rows_after_one_call() -> None:
    plan = statement_plan({"Statement": UPDATE, "Parameters": [{"N": "1"}]}, deserialize_item)
    assert isinstance(next(plan), Call)
    assert finish(plan, {}) == []
    plan = statement_plan({"Statement": UPDATE}, deserialize_item)
    next(plan)
    assert finish(plan, {"Items": [], "NextToken": ""}) == []  # an empty token ends it too


def test_rows_are_converted_by_the_callers_converter() -> None:
    plan = statement_plan(REQUEST, lambda raw: sorted(raw))
    next(plan)
    assert finish(plan, {"Items": [A, B]}) == [["n", "pk"], ["pk", "tags"]]


def test_limit_cuts_the_page_that_reaches_it_and_stops_paging() -> None:
    plan = statement_plan(REQUEST, deserialize_item, limit=3)
    next(plan)
    assert plan.send({"Items": [A, B], "NextToken": "t1"}) == Call(
        "ExecuteStatement", {**REQUEST, "NextToken": "t1"}
    )
    rows = finish(plan, {"Items": [C, A], "NextToken": "t2"})  # no third request
    assert [row["pk"] for row in rows] == ["a", "b", "c"]


def test_limit_reached_at_the_end_of_a_page_sends_nothing_more() -> None:
    plan = statement_plan(REQUEST, deserialize_item, limit=2)
    next(plan)
    assert len(finish(plan, {"Items": [A, B], "NextToken": "t1"})) == 2


def test_the_same_next_token_again_stops_instead_of_paging_forever() -> None:
    plan = statement_plan(REQUEST, deserialize_item)
    next(plan)
    plan.send({"Items": [A], "NextToken": "t1"})
    with pytest.raises(ConnectionException, match="same NextToken") as caught:
        plan.send({"Items": [B], "NextToken": "t1"})
    assert caught.value.sent is True


def server_error() -> PydynoxException:
    error = PydynoxException("boom", code="InternalServerError")
    error.status = 500
    return error


RULES = RetryRules(RetryPolicy(attempts=3, base=0.01, cap=0.01))


def test_a_select_page_that_failed_is_sent_again_with_its_token() -> None:
    feed = Feed(statement_plan(REQUEST, deserialize_item), RULES)
    steps = []
    answers: list[Any] = [{"Items": [A], "NextToken": "t1"}, server_error(), {"Items": [B]}]
    for step in feed:
        steps.append(step)
        if isinstance(step, Call):
            answer = answers.pop(0)
            if isinstance(answer, PydynoxException):
                feed.fail(answer)
            else:
                feed.answer(answer)
    again = Call("ExecuteStatement", {**REQUEST, "NextToken": "t1"})
    assert [type(step) for step in steps] == [Call, Call, Sleep, Call]
    assert steps[1] == steps[3] == again
    assert [row["pk"] for row in feed.result] == ["a", "b"]


def test_a_write_statement_that_may_have_been_applied_is_not_sent_again() -> None:
    feed = Feed(statement_plan({"Statement": UPDATE}, deserialize_item), RULES)
    with pytest.raises(PydynoxException, match="boom"):
        for _ in feed:
            feed.fail(server_error())


# ----------------------------------------------------------------------- the answer's shape


@pytest.mark.parametrize(
    ("response", "problem"),
    [
        ({"Items": "x"}, "Items should be a list, not 'x'"),
        ({"Items": [A, 5]}, "Items[1] should be a map, not 5"),
        ({"Items": [], "NextToken": 5}, "NextToken should be a string, not 5"),
        ({"NextToken": None}, "NextToken should be a string, not None"),
    ],
)
def test_an_answer_of_the_wrong_shape_is_refused(response: Any, problem: str) -> None:
    with pytest.raises(ConnectionException, match="not in DynamoDB's shape") as caught:
        check_response("ExecuteStatement", REQUEST, response)
    assert problem in str(caught.value)


@pytest.mark.parametrize(
    "response",
    [
        {},  # a write
        {"Items": []},
        {"Items": [A, B], "NextToken": "t", "LastEvaluatedKey": {"pk": {"S": "b"}}},
        {"Items": [C], "ConsumedCapacity": {"TableName": "t"}, "ResponseMetadata": {}},
    ],
)
def test_a_well_formed_answer_passes(response: dict[str, Any]) -> None:
    check_response("ExecuteStatement", REQUEST, response)
