"""The retry rules, decided once for both transports: what is sent again, and what is not."""

from __future__ import annotations

from typing import Any

import pytest

from pydynox.client._plan import Call, Feed, Sleep, call
from pydynox.client._retry import RetryPolicy, RetryRules, is_idempotent
from pydynox.exceptions import (
    ConditionalCheckFailedException,
    ConnectionException,
    ProvisionedThroughputExceededException,
    PydynoxException,
    ValidationException,
)

ADD = {"UpdateExpression": "ADD #n0 :v0"}
INCREMENT = {"UpdateExpression": "SET #n0 = #n0 + :v0"}
APPEND = {"UpdateExpression": "SET #n0 = list_append(#n0, :v0)"}
SET = {"UpdateExpression": "SET #n0 = :v0 REMOVE #n1"}
SET_ADDRESS = {"UpdateExpression": "SET #add = :add"}


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
    ],
)
def test_what_is_retried(
    error: PydynoxException, op: str, params: dict[str, Any], rules: RetryRules, retried: bool
) -> None:
    assert (rules.delay(op, params, error, 0) is not None) is retried


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
