"""The retry rules, decided once for both transports: what is sent again, and what is not."""

from __future__ import annotations

from typing import Any

import pytest

from pydynox._protocol._plan import Call, Feed, Sleep, call
from pydynox._protocol._retry import IDEMPOTENT, RetryPolicy, RetryRules, is_idempotent
from pydynox._protocol._shapes import OPERATIONS
from pydynox.exceptions import (
    ConditionalCheckFailedException,
    ConnectionException,
    ProvisionedThroughputExceededException,
    PydynoxException,
    ValidationException,
)

from .test_shapes import _sent_operations

ADD = {"UpdateExpression": "ADD #n0 :v0"}
INCREMENT = {"UpdateExpression": "SET #n0 = #n0 + :v0"}
APPEND = {"UpdateExpression": "SET #n0 = list_append(#n0, :v0)"}
SET = {"UpdateExpression": "SET #n0 = :v0 REMOVE #n1"}
SET_ADDRESS = {"UpdateExpression": "SET #add = :add"}
SELECT = {"Statement": 'SELECT * FROM "t" WHERE pk = ?'}
PARTIQL_COUNT = {"Statement": "UPDATE t SET n = n + 1 WHERE pk = 'a'"}


def server_error(code: str = "InternalServerError", status: int = 500) -> PydynoxException:
    error = PydynoxException("boom", code=code)
    error.status = status
    return error


def throttled() -> PydynoxException:
    error = ProvisionedThroughputExceededException("slow down", code="ThrottlingException")
    error.status = 400
    return error


@pytest.mark.parametrize(
    ("op", "params", "idempotent"),
    [
        ("UpdateItem", ADD, False),
        ("UpdateItem", {"UpdateExpression": "add #n0 :v0"}, False),
        ("UpdateItem", INCREMENT, False),
        ("UpdateItem", {"UpdateExpression": "SET #n0 = #n0 - :v0"}, False),
        ("UpdateItem", APPEND, False),
        ("UpdateItem", SET, True),
        ("UpdateItem", SET_ADDRESS, True),
        ("PutItem", {}, True),
        ("DeleteItem", {}, True),
        ("BatchWriteItem", {}, True),
        ("GetItem", {}, True),
        ("TransactWriteItems", {"ClientRequestToken": "t"}, True),
        ("TransactWriteItems", {}, False),
        ("ExecuteStatement", SELECT, True),
        ("ExecuteStatement", {"Statement": "\n  select pk FROM t"}, True),
        ("ExecuteStatement", PARTIQL_COUNT, False),
        ("ExecuteStatement", {"Statement": "UPDATE t SET s = 'x' WHERE pk = 'a'"}, False),
        ("ExecuteStatement", {"Statement": "INSERT INTO t VALUE {'pk': 'a'}"}, False),
        ("ExecuteStatement", {"Statement": "DELETE FROM t WHERE pk = 'a'"}, False),
        ("ExecuteStatement", {"Statement": "/* SELECT */ DELETE FROM t WHERE pk = 'a'"}, False),
        ("ExecuteStatement", {"Statement": "SELECTED"}, False),
    ],
)
def test_which_requests_are_idempotent(op: str, params: dict[str, Any], idempotent: bool) -> None:
    assert is_idempotent(op, params) is idempotent


RULES = RetryRules(RetryPolicy(attempts=3, base=0.01, cap=0.01))
OPT_IN = RetryRules(RetryPolicy(attempts=3, base=0.01, cap=0.01), non_idempotent=True)


@pytest.mark.parametrize(
    ("error", "op", "params", "rules", "retried"),
    [
        (throttled(), "UpdateItem", ADD, RULES, True),  # refused, so surely not applied
        (ConnectionException("refused", sent=False), "UpdateItem", ADD, RULES, True),
        (ConnectionException("dropped", sent=True), "UpdateItem", ADD, RULES, False),
        (ConnectionException("dropped", sent=True), "UpdateItem", ADD, OPT_IN, True),
        (ConnectionException("dropped", sent=True), "UpdateItem", SET, RULES, True),
        (ConnectionException("dropped", sent=True), "PutItem", {}, RULES, True),
        (server_error(), "UpdateItem", INCREMENT, RULES, False),
        (server_error(), "UpdateItem", INCREMENT, OPT_IN, True),
        (server_error("ServiceUnavailable", 503), "GetItem", {}, RULES, True),
        (server_error(), "TransactWriteItems", {"ClientRequestToken": "t"}, RULES, True),
        (
            ConditionalCheckFailedException("no", code="ConditionalCheckFailedException"),
            "PutItem",
            {},
            RULES,
            False,
        ),
        (ValidationException("bad", code="ValidationException"), "GetItem", {}, RULES, False),
        (server_error(), "ExecuteStatement", SELECT, RULES, True),
        (server_error(), "ExecuteStatement", PARTIQL_COUNT, RULES, False),
        (server_error(), "ExecuteStatement", PARTIQL_COUNT, OPT_IN, True),
        (throttled(), "ExecuteStatement", PARTIQL_COUNT, RULES, True),
    ],
)
def test_what_is_retried(
    error: PydynoxException, op: str, params: dict[str, Any], rules: RetryRules, retried: bool
) -> None:
    assert (rules.delay(op, params, error, 0) is not None) is retried


# -------------------------------------------------------------------- fail closed

UNKNOWN = ["BatchExecuteStatement", "ExecuteTransaction", "FutureWriteOp"]
MAYBE_APPLIED = [
    server_error(),
    server_error("ServiceUnavailable", 503),
    ConnectionException("dropped after sending", sent=True),
]


def test_every_operation_pydynox_sends_is_classified() -> None:
    # OPERATIONS is the table of operations whose answers pydynox reads; test_shapes checks
    # it against every Call("...") / call("...") / Op("...") in the package, and this checks
    # the same scan against the retry table directly.
    assert set(IDEMPOTENT) == OPERATIONS
    assert _sent_operations() <= set(IDEMPOTENT)


# Each operation pydynox sends, with a typical request, and whether it is sent again after a
# failure that may have applied it (the retry module's docstring gives the reasons).
RESENT = {
    "GetItem": ({"Key": {}}, True),
    "Query": ({"KeyConditionExpression": "#n0 = :v0"}, True),
    "Scan": ({}, True),
    "BatchGetItem": ({"RequestItems": {}}, True),
    "TransactGetItems": ({"TransactItems": []}, True),
    "DescribeTable": ({"TableName": "t"}, True),
    "PutItem": ({"Item": {}}, True),
    "DeleteItem": ({"Key": {}}, True),
    "BatchWriteItem": ({"RequestItems": {}}, True),
    "UpdateItem": (SET, True),
    "TransactWriteItems": ({"TransactItems": [], "ClientRequestToken": "t"}, True),
    "CreateTable": ({"TableName": "t"}, True),
    "DeleteTable": ({"TableName": "t"}, True),
    "UpdateTimeToLive": ({"TableName": "t"}, True),
    "ExecuteStatement": (PARTIQL_COUNT, False),
}


def test_the_list_above_names_every_operation() -> None:
    assert set(RESENT) == OPERATIONS


@pytest.mark.parametrize("op", sorted(RESENT))
def test_each_operation_sent_has_a_deliberate_answer(op: str) -> None:
    params, resent = RESENT[op]
    assert is_idempotent(op, params) is resent
    for error in MAYBE_APPLIED:
        assert (RULES.delay(op, params, error, 0) is not None) is resent
    assert RULES.delay(op, params, throttled(), 0) is not None


@pytest.mark.parametrize("op", UNKNOWN)
@pytest.mark.parametrize("rules", [RULES, OPT_IN], ids=["default", "retry_non_idempotent"])
def test_an_unknown_operation_is_never_resent_after_a_failure_that_may_have_applied_it(
    op: str, rules: RetryRules
) -> None:
    params = {"Statement": "UPDATE t SET n = n + 1 WHERE pk = 'a'"}
    assert not is_idempotent(op, params)
    for error in MAYBE_APPLIED:
        assert rules.delay(op, params, error, 0) is None


@pytest.mark.parametrize("op", UNKNOWN)
def test_an_unknown_operation_is_still_retried_when_it_surely_was_not_applied(op: str) -> None:
    assert RULES.delay(op, {}, throttled(), 0) is not None
    assert RULES.delay(op, {}, ConnectionException("refused", sent=False), 0) is not None


def test_an_unknown_operation_that_may_have_been_applied_is_sent_once_by_the_feed() -> None:
    feed = Feed(call("BatchExecuteStatement", {"Statements": []}), RULES)
    with pytest.raises(ConnectionException) as caught:
        run(feed, [throttled(), ConnectionException("dropped", sent=True), {}])
    assert caught.value.sent


def test_attempts_count_the_first_one() -> None:
    assert RULES.delay("GetItem", {}, throttled(), 1) is not None
    assert RULES.delay("GetItem", {}, throttled(), 2) is None  # 3 attempts made


def test_backoff_is_full_jitter_capped() -> None:
    policy = RetryPolicy(attempts=10, base=0.05, cap=1.0)
    for retry in range(12):
        assert 0 <= policy.delay(retry) <= min(1.0, 0.05 * 2**retry)


def run(feed: Feed[Any], answers: list[Any]) -> list[Any]:
    """Drive ``feed`` like a driver does, answering each Call with the next outcome."""
    trace: list[Any] = []
    for step in feed:
        trace.append(step)
        if isinstance(step, Call):
            outcome = answers.pop(0)
            if isinstance(outcome, PydynoxException):
                feed.fail(outcome)
            else:
                feed.answer(outcome)
    return trace


def test_the_feed_sleeps_then_sends_the_same_call_and_the_plan_sees_only_the_answer() -> None:
    feed = Feed(call("GetItem", {"TableName": "t"}), RULES)
    trace = run(feed, [throttled(), ConnectionException("x", sent=False), {"Item": {}}])
    kinds = [type(step) for step in trace]
    assert kinds == [Call, Sleep, Call, Sleep, Call]
    assert trace[0] is trace[2] is trace[4]
    assert feed.result == {"Item": {}}


def test_the_feed_gives_up_after_the_attempts_and_throws_the_last_error() -> None:
    feed = Feed(call("GetItem", {"TableName": "t"}), RULES)
    last = throttled()
    with pytest.raises(ProvisionedThroughputExceededException) as caught:
        run(feed, [throttled(), throttled(), last])
    assert caught.value is last


def test_a_counting_update_that_may_have_been_applied_is_not_sent_again() -> None:
    feed = Feed(call("UpdateItem", ADD), RULES)
    with pytest.raises(ConnectionException):
        trace = run(feed, [ConnectionException("dropped", sent=True), {}])
    feed = Feed(call("UpdateItem", ADD), OPT_IN)
    trace = run(feed, [ConnectionException("dropped", sent=True), {"Attributes": {}}])
    assert [type(step) for step in trace] == [Call, Sleep, Call]
