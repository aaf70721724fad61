"""Table prefixes (``_protocol/_prefix.py``): every table a request names gets the prefix,
every table an answer names loses it, and plans run through ``with_prefix`` see only the
names their callers used. Real plans, driven step by step against scripted answers."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from pydynox import BatchGetError, BatchWriteError, DynamoDBClient, Get, Put, ValidationException
from pydynox._protocol._batch import RetryPolicy, batch_get_plan, batch_write_plan, put_entry
from pydynox._protocol._plan import Call, Feed, Plan
from pydynox._protocol._prefix import check_prefix, prefixed, unprefixed, with_prefix
from pydynox._protocol._shapes import OPERATIONS
from pydynox._protocol._tables import create_table_plan, create_table_request
from pydynox.exceptions import PydynoxException

from .test_plans import run

KEY = {"pk": {"S": "a"}}
TABLE_ANSWER = {"Table": {"TableName": "p-t", "KeySchema": [], "TableArn": "arn:x/p-t"}}

# op -> (request, the request prefixed with "p-", an answer naming "p-...", that answer
# unprefixed). One entry per operation pydynox sends.
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], dict[str, Any], dict[str, Any]]] = {
    "GetItem": (
        {"TableName": "t", "Key": KEY},
        {"TableName": "p-t", "Key": KEY},
        {"Item": KEY, "ConsumedCapacity": {"TableName": "p-t", "CapacityUnits": 1}},
        {"Item": KEY, "ConsumedCapacity": {"TableName": "t", "CapacityUnits": 1}},
    ),
    "PutItem": ({"TableName": "t", "Item": KEY}, {"TableName": "p-t", "Item": KEY}, {}, {}),
    "UpdateItem": (
        {"TableName": "t", "Key": KEY},
        {"TableName": "p-t", "Key": KEY},
        # a single write's ItemCollectionMetrics names no table: left alone
        {"Attributes": KEY, "ItemCollectionMetrics": {"p-x": 1}},
        {"Attributes": KEY, "ItemCollectionMetrics": {"p-x": 1}},
    ),
    "DeleteItem": ({"TableName": "t", "Key": KEY}, {"TableName": "p-t", "Key": KEY}, {}, {}),
    "Query": (
        {"TableName": "t", "IndexName": "i"},
        {"TableName": "p-t", "IndexName": "i"},
        {"Items": [], "ConsumedCapacity": {"TableName": "p-t"}},
        {"Items": [], "ConsumedCapacity": {"TableName": "t"}},
    ),
    "Scan": ({"TableName": "t"}, {"TableName": "p-t"}, {"Items": [KEY]}, {"Items": [KEY]}),
    "BatchGetItem": (
        {"RequestItems": {"t": {"Keys": [KEY]}, "u": {"Keys": [KEY]}}},
        {"RequestItems": {"p-t": {"Keys": [KEY]}, "p-u": {"Keys": [KEY]}}},
        {
            "Responses": {"p-t": [KEY]},
            "UnprocessedKeys": {"p-u": {"Keys": [KEY]}},
            "ConsumedCapacity": [{"TableName": "p-t"}, {"TableName": "p-u"}],
        },
        {
            "Responses": {"t": [KEY]},
            "UnprocessedKeys": {"u": {"Keys": [KEY]}},
            "ConsumedCapacity": [{"TableName": "t"}, {"TableName": "u"}],
        },
    ),
    "BatchWriteItem": (
        {"RequestItems": {"t": [{"PutRequest": {"Item": KEY}}]}},
        {"RequestItems": {"p-t": [{"PutRequest": {"Item": KEY}}]}},
        {
            "UnprocessedItems": {"p-t": [{"PutRequest": {"Item": KEY}}]},
            "ItemCollectionMetrics": {"p-t": []},
        },
        {
            "UnprocessedItems": {"t": [{"PutRequest": {"Item": KEY}}]},
            "ItemCollectionMetrics": {"t": []},
        },
    ),
    "TransactWriteItems": (
        {
            "TransactItems": [
                {"Put": {"TableName": "t", "Item": KEY}},
                {"Update": {"TableName": "u", "Key": KEY}},
                {"Delete": {"TableName": "t", "Key": {"pk": {"S": "b"}}}},
                {"ConditionCheck": {"TableName": "v", "Key": KEY}},
            ],
            "ClientRequestToken": "tok",
        },
        {
            "TransactItems": [
                {"Put": {"TableName": "p-t", "Item": KEY}},
                {"Update": {"TableName": "p-u", "Key": KEY}},
                {"Delete": {"TableName": "p-t", "Key": {"pk": {"S": "b"}}}},
                {"ConditionCheck": {"TableName": "p-v", "Key": KEY}},
            ],
            "ClientRequestToken": "tok",
        },
        {},
        {},
    ),
    "TransactGetItems": (
        {"TransactItems": [{"Get": {"TableName": "t", "Key": KEY}}]},
        {"TransactItems": [{"Get": {"TableName": "p-t", "Key": KEY}}]},
        {"Responses": [{"Item": KEY}]},
        {"Responses": [{"Item": KEY}]},
    ),
    "CreateTable": (
        {"TableName": "t", "KeySchema": []},
        {"TableName": "p-t", "KeySchema": []},
        {"TableDescription": {"TableName": "p-t"}},
        {"TableDescription": {"TableName": "t"}},
    ),
    "DeleteTable": (
        {"TableName": "t"},
        {"TableName": "p-t"},
        {"TableDescription": {"TableName": "p-t"}},
        {"TableDescription": {"TableName": "t"}},
    ),
    "DescribeTable": (
        {"TableName": "t"},
        {"TableName": "p-t"},
        TABLE_ANSWER,
        {"Table": {**TABLE_ANSWER["Table"], "TableName": "t"}},  # the ARN is DynamoDB's
    ),
    "UpdateTimeToLive": (
        {"TableName": "t", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "x"}},
        {"TableName": "p-t", "TimeToLiveSpecification": {"Enabled": True, "AttributeName": "x"}},
        {},
        {},
    ),
    # PartiQL: the statement's text names the table, and is sent as written.
    "ExecuteStatement": (
        {"Statement": 'SELECT * FROM "t"'},
        {"Statement": 'SELECT * FROM "t"'},
        {"Items": [KEY]},
        {"Items": [KEY]},
    ),
}


def test_every_operation_pydynox_sends_is_mapped() -> None:
    assert set(CASES) == OPERATIONS


@pytest.mark.parametrize("op", sorted(CASES))
def test_requests_get_the_prefix_and_answers_lose_it(op: str) -> None:
    request, sent, answer, seen = CASES[op]
    before = copy.deepcopy((request, answer))
    assert prefixed(op, request, "p-") == sent
    assert unprefixed(op, answer, "p-") == seen
    assert (request, answer) == before  # neither is changed in place
    # Without a prefix both pass as they are.
    assert prefixed(op, request, "") is request
    assert unprefixed(op, answer, "") is answer


def test_an_operation_the_mapping_does_not_know_is_refused_not_sent_unprefixed() -> None:
    with pytest.raises(ValidationException, match="ListTables"):
        prefixed("ListTables", {}, "p-")


def test_an_answer_naming_a_table_without_the_prefix_keeps_that_name() -> None:
    # The shape checks refuse tables the request did not name; the mapping invents nothing.
    assert unprefixed("BatchGetItem", {"Responses": {"other": []}}, "p-") == {
        "Responses": {"other": []}
    }
    odd = {"Table": "x", "TableDescription": None, "ConsumedCapacity": [1]}
    assert unprefixed("DescribeTable", odd, "p-") == odd


@pytest.mark.parametrize(
    ("prefix", "problem"),
    [
        ("prod ", "invalid table_prefix"),
        ("prod/", "invalid table_prefix"),
        ("ü-", "invalid table_prefix"),
        ("x" * 253, "253 characters"),
        (5, "must be a str"),
    ],
)
def test_a_prefix_dynamodb_would_refuse_is_refused_when_the_client_is_made(
    prefix: Any, problem: str
) -> None:
    with pytest.raises(ValidationException, match=problem):
        check_prefix(prefix)
    with pytest.raises(ValidationException, match=problem):
        DynamoDBClient(region="us-east-1", table_prefix=prefix)


def test_prefixes_dynamodb_takes() -> None:
    for prefix in ("", "prod-", "dev_", "a.b-C_9.", "x" * 252):
        assert check_prefix(prefix) == prefix


def test_the_argument_wins_over_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PYDYNOX_TABLE_PREFIX", raising=False)
    assert DynamoDBClient(region="us-east-1").table_prefix == ""
    monkeypatch.setenv("PYDYNOX_TABLE_PREFIX", "staging-")
    assert DynamoDBClient(region="us-east-1").table_prefix == "staging-"
    assert DynamoDBClient(region="us-east-1", table_prefix="prod-").table_prefix == "prod-"
    assert DynamoDBClient(region="us-east-1", table_prefix="").table_prefix == ""
    monkeypatch.setenv("PYDYNOX_TABLE_PREFIX", "bad prefix")
    with pytest.raises(ValidationException, match="PYDYNOX_TABLE_PREFIX"):
        DynamoDBClient(region="us-east-1")


def test_the_repr_shows_the_prefix() -> None:
    assert "table_prefix='prod-'" in repr(DynamoDBClient(region="x", table_prefix="prod-"))
    assert "table_prefix" not in repr(DynamoDBClient(region="x", table_prefix=""))


# -- plans run through with_prefix ----------------------------------------------------------


def test_a_name_that_grows_too_long_fails_as_its_call_and_nothing_is_sent() -> None:
    name = "t" * 251
    request = create_table_request(name, ("pk", "S"), None, (), (), "PAY_PER_REQUEST", None, None)
    with pytest.raises(ValidationException, match="256 characters"):
        run(with_prefix(create_table_plan(request, None, False, 1.0), "prod-"), lambda c: {})
    _, trace = run(with_prefix(create_table_plan(request, None, False, 1.0), "p-"), lambda c: {})
    assert [c.params["TableName"] for c in trace.calls] == ["p-" + name]


def test_a_batch_get_reads_prefixed_answers_and_gives_up_naming_its_own_table() -> None:
    keys = [{"pk": f"k{i}"} for i in range(4)]

    def half(call: Call) -> dict[str, Any]:
        assert list(call.params["RequestItems"]) == ["dev-tbl"]
        wanted = call.params["RequestItems"]["dev-tbl"]["Keys"]
        left = {"dev-tbl": {"Keys": wanted[2:]}} if wanted[2:] else {}
        return {"Responses": {"dev-tbl": wanted[:2]}, "UnprocessedKeys": left}

    plan = batch_get_plan("tbl", keys, RetryPolicy(base=0.001))
    result, trace = run(with_prefix(plan, "dev-"), half)
    assert [r["pk"] for r in result] == ["k0", "k1", "k2", "k3"]
    assert len(trace.calls) == 2

    def stuck(call: Call) -> dict[str, Any]:
        return {"UnprocessedKeys": call.params["RequestItems"]}

    with pytest.raises(BatchGetError) as caught:
        run(with_prefix(batch_get_plan("tbl", keys, RetryPolicy(2, 0.001)), "dev-"), stuck)
    assert caught.value.unprocessed == [Get("tbl", k) for k in keys]


def test_a_batch_write_gives_up_naming_its_own_table() -> None:
    def refuse(call: Call) -> dict[str, Any]:
        assert list(call.params["RequestItems"]) == ["dev-tbl"]
        return {"UnprocessedItems": call.params["RequestItems"]}

    entries = [put_entry("tbl", {"pk": f"k{i}"}) for i in range(3)]
    plan = batch_write_plan(entries, RetryPolicy(2, 0.001), {"tbl": ("pk",)})
    with pytest.raises(BatchWriteError) as caught:
        run(with_prefix(plan, "dev-"), refuse)
    assert sorted(caught.value.unprocessed, key=lambda a: a.item["pk"]) == [
        Put("tbl", {"pk": f"k{i}"}) for i in range(3)
    ]


def test_a_stop_reaches_the_plan_through_the_prefix() -> None:
    """Cancellation or Ctrl-C while a batch waits: the batch plan still accounts for its
    writes (the stop's ``__cause__``), as without a prefix."""
    entries = [put_entry("tbl", {"pk": f"k{i}"}) for i in range(3)]
    feed: Feed[None] = Feed(
        with_prefix(batch_write_plan(entries, RetryPolicy(), {"tbl": ("pk",)}), "dev-")
    )
    step = next(feed)
    assert isinstance(step, Call) and list(step.params["RequestItems"]) == ["dev-tbl"]
    stop = KeyboardInterrupt()
    feed.abort(stop)
    report = stop.__cause__
    assert isinstance(report, BatchWriteError)
    assert {a.table for a in report.unprocessed} == {"tbl"}
    assert len(report.in_flight) == 3


def test_closing_the_prefixed_plan_closes_the_plan_it_runs() -> None:
    closed: list[bool] = []

    def plan() -> Plan[None]:
        try:
            yield Call("GetItem", {"TableName": "t", "Key": KEY})
        finally:
            closed.append(True)

    outer = with_prefix(plan(), "p-")
    assert next(outer) == Call("GetItem", {"TableName": "p-t", "Key": KEY})
    outer.close()
    assert closed == [True]


def test_a_call_error_reaches_the_plan_unchanged() -> None:
    def plan() -> Plan[str]:
        try:
            yield Call("GetItem", {"TableName": "t", "Key": KEY})
        except PydynoxException as error:
            return f"heard {error.message}"
        return "not heard"

    def fail(call: Call) -> dict[str, Any]:
        raise PydynoxException("boom")

    result, _ = run(with_prefix(plan(), "p-"), fail)
    assert result == "heard boom"
