"""The shape check of DynamoDB's answers: a wrong JSON type or a missing mandatory field is a
ConnectionException naming the field, for every operation pydynox sends; well-formed
answers (from the wire or from botocore) pass untouched."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import botocore.session
import pytest

import pydynox
from pydynox._protocol._shapes import OPERATIONS, check_error_body, check_response
from pydynox.exceptions import ConnectionException

KEY = {"pk": {"S": "a"}}
KEY_SCHEMA = [{"AttributeName": "pk", "KeyType": "HASH"}]
GET = {"TableName": "t", "Key": KEY}
PUT = {"TableName": "t", "Item": {**KEY, "v": {"N": "1"}}}
UPDATE = {"TableName": "t", "Key": KEY, "UpdateExpression": "SET v = :v", "ReturnValues": "ALL_NEW"}
UPDATE_OLD = {**UPDATE, "ReturnValues": "ALL_OLD"}
QUERY = {"TableName": "t", "KeyConditionExpression": "pk = :pk"}
COUNT = {"TableName": "t", "Select": "COUNT"}
BATCH_GET = {"RequestItems": {"t": {"Keys": [KEY, {"pk": {"S": "b"}}]}}}
BATCH_WRITE = {"RequestItems": {"t": [{"PutRequest": {"Item": KEY}}]}}
TRANSACT_GET = {"TransactItems": [{"Get": GET}, {"Get": GET}]}
TABLE = {"TableName": "t"}
STATEMENT = {"Statement": 'SELECT * FROM "t" WHERE pk = ?', "Parameters": [{"S": "a"}]}

WRONG: list[tuple[str, dict[str, Any], Any, str]] = [
    ("GetItem", GET, {"Item": []}, "Item should be a map, not []"),
    ("GetItem", GET, {"Item": "x"}, "Item should be a map, not 'x'"),
    ("GetItem", GET, {"Item": None}, "Item should be a map, not None"),
    ("UpdateItem", UPDATE, {}, "Attributes is missing (the request makes it mandatory)"),
    ("UpdateItem", UPDATE, {"Attributes": None}, "Attributes should be a map, not None"),
    ("UpdateItem", UPDATE_OLD, {"Attributes": 5}, "Attributes should be a map, not 5"),
    ("Query", QUERY, {"Items": "x"}, "Items should be a list, not 'x'"),
    ("Query", QUERY, {"Items": {"pk": {"S": "a"}}}, "Items should be a list"),
    ("Query", QUERY, {"Items": [{}, 5]}, "Items[1] should be a map, not 5"),
    ("Query", QUERY, {"Count": 0, "ScannedCount": 0}, "Items is missing"),
    ("Query", QUERY, {"Items": [], "Count": "1"}, "Count should be a whole number, not '1'"),
    ("Query", QUERY, {"Items": [], "Count": True}, "Count should be a whole number, not True"),
    ("Scan", QUERY, {"Items": [], "ScannedCount": 1.5}, "ScannedCount should be a whole number"),
    ("Scan", QUERY, {"Items": [], "LastEvaluatedKey": "x"}, "LastEvaluatedKey should be a map"),
    (
        "Scan",
        QUERY,
        {"Items": [], "LastEvaluatedKey": {"pk": {"S": 5}}},
        "LastEvaluatedKey.pk should be a key attribute value",
    ),
    ("Query", QUERY, {"Items": [], "LastEvaluatedKey": {"pk": {"M": {}}}}, "LastEvaluatedKey.pk"),
    (
        "Query",
        QUERY,
        {"Items": [], "LastEvaluatedKey": {"pk": {"B": "text"}}},
        "LastEvaluatedKey.pk",
    ),
    ("Query", QUERY, {"Items": [], "LastEvaluatedKey": {"pk": "a"}}, "LastEvaluatedKey.pk"),
    ("Scan", COUNT, {"ScannedCount": 3}, "Count is missing (the request makes it mandatory)"),
    ("ExecuteStatement", STATEMENT, {"Items": [KEY, 5]}, "Items[1] should be a map, not 5"),
    ("ExecuteStatement", STATEMENT, {"Items": [], "NextToken": 5}, "NextToken should be a string"),
    ("Scan", COUNT, {"Count": None}, "Count should be a whole number, not None"),
    ("BatchGetItem", BATCH_GET, {"Responses": 5}, "Responses should be a map, not 5"),
    ("BatchGetItem", BATCH_GET, {"Responses": {"t": KEY}}, "Responses.t should be a list"),
    ("BatchGetItem", BATCH_GET, {"Responses": {"t": [5]}}, "Responses.t[0] should be a map, not 5"),
    (
        "BatchGetItem",
        BATCH_GET,
        {"Responses": {"t": [KEY, {"v": {"S": "x"}}]}},
        "Responses.t[1].pk should be a key attribute value",
    ),
    (
        "BatchGetItem",
        BATCH_GET,
        {"Responses": {"t": [{"pk": {"S": ["a"]}}]}},
        "Responses.t[0].pk should be a key attribute value",
    ),
    (
        "BatchGetItem",
        BATCH_GET,
        {"Responses": {"other": []}},
        "Responses holds table 'other', which the request did not ask for",
    ),
    ("BatchGetItem", BATCH_GET, {"UnprocessedKeys": []}, "UnprocessedKeys should be a map"),
    ("BatchGetItem", BATCH_GET, {"UnprocessedKeys": {"t": "x"}}, "UnprocessedKeys.t should be"),
    (
        "BatchGetItem",
        BATCH_GET,
        {"UnprocessedKeys": {"t": {}}},
        "UnprocessedKeys.t.Keys is missing",
    ),
    (
        "BatchGetItem",
        BATCH_GET,
        {"UnprocessedKeys": {"t": {"Keys": [{"pk": "a"}]}}},
        "UnprocessedKeys.t.Keys[0].pk should be a key attribute value",
    ),
    ("BatchWriteItem", BATCH_WRITE, {"UnprocessedItems": []}, "UnprocessedItems should be a map"),
    ("BatchWriteItem", BATCH_WRITE, {"UnprocessedItems": {"t": "x"}}, "UnprocessedItems.t should"),
    (
        "BatchWriteItem",
        BATCH_WRITE,
        {"UnprocessedItems": {"t": [{"PutRequest": {}}]}},
        "UnprocessedItems.t[0] should be a write request",
    ),
    (
        "BatchWriteItem",
        BATCH_WRITE,
        {"UnprocessedItems": {"t": [{"PutRequest": {"Item": "x"}}]}},
        "UnprocessedItems.t[0] should be a write request",
    ),
    (
        "BatchWriteItem",
        BATCH_WRITE,
        {"UnprocessedItems": {"t": [{"DeleteRequest": {"Key": {"pk": 1}}}]}},
        "UnprocessedItems.t[0] should be a write request",
    ),
    ("BatchWriteItem", BATCH_WRITE, {"UnprocessedItems": {"t": [{}]}}, "UnprocessedItems.t[0]"),
    ("TransactGetItems", TRANSACT_GET, {}, "Responses is missing"),
    ("TransactGetItems", TRANSACT_GET, {"Responses": {}}, "Responses should be a list"),
    ("TransactGetItems", TRANSACT_GET, {"Responses": [{}]}, "Responses holds 1 answers for 2 Gets"),
    ("TransactGetItems", TRANSACT_GET, {"Responses": [{}, None]}, "Responses[1] should be a map"),
    (
        "TransactGetItems",
        TRANSACT_GET,
        {"Responses": [{"Item": []}, {}]},
        "Responses[0].Item should be a map, not []",
    ),
    ("DescribeTable", TABLE, {"Table": None}, "Table should be a map, not None"),
    ("DescribeTable", TABLE, {}, "Table is missing (the request makes it mandatory)"),
    ("DescribeTable", TABLE, {"Table": {}}, "Table.KeySchema is missing"),
    ("DescribeTable", TABLE, {"Table": {"KeySchema": "pk"}}, "Table.KeySchema should be a list"),
    (
        "DescribeTable",
        TABLE,
        {"Table": {"KeySchema": [{"KeyType": "HASH"}]}},
        "Table.KeySchema[0].AttributeName is missing",
    ),
    (
        "DescribeTable",
        TABLE,
        {"Table": {"KeySchema": KEY_SCHEMA, "TableStatus": 1}},
        "Table.TableStatus should be a string, not 1",
    ),
    (
        "DescribeTable",
        TABLE,
        {"Table": {"KeySchema": KEY_SCHEMA, "GlobalSecondaryIndexes": {}}},
        "Table.GlobalSecondaryIndexes should be a list",
    ),
    (
        "DescribeTable",
        TABLE,
        {"Table": {"KeySchema": KEY_SCHEMA, "LocalSecondaryIndexes": [{"IndexName": "i"}]}},
        "Table.LocalSecondaryIndexes[0].KeySchema is missing",
    ),
    (
        "DescribeTable",
        TABLE,
        {
            "Table": {
                "KeySchema": KEY_SCHEMA,
                "GlobalSecondaryIndexes": [
                    {"IndexName": "i", "KeySchema": KEY_SCHEMA, "IndexStatus": None}
                ],
            }
        },
        "Table.GlobalSecondaryIndexes[0].IndexStatus should be a string, not None",
    ),
    # More left unprocessed than was sent would grow the batch plans' queues without end.
    (
        "BatchWriteItem",
        BATCH_WRITE,
        {"UnprocessedItems": {"t": [{"PutRequest": {"Item": KEY}}] * 2}},
        "it leaves 2 requests of table 't' unprocessed of 1 sent",
    ),
    (
        "BatchWriteItem",
        BATCH_WRITE,
        {"UnprocessedItems": {"other": [{"PutRequest": {"Item": KEY}}]}},
        "it leaves table 'other' unprocessed, which the request did not write",
    ),
    (
        "BatchGetItem",
        BATCH_GET,
        {"UnprocessedKeys": {"t": {"Keys": [KEY, KEY, KEY]}}},
        "it leaves 3 requests of table 't' unprocessed of 2 sent",
    ),
]


@pytest.mark.parametrize(("op", "params", "response", "problem"), WRONG)
def test_a_wrong_shape_is_a_connection_exception_naming_the_field(
    op: str, params: dict[str, Any], response: Any, problem: str
) -> None:
    with pytest.raises(ConnectionException) as caught:
        check_response(op, params, response)
    message = str(caught.value)
    assert message.startswith(f"DynamoDB's answer to {op} is not in DynamoDB's shape: ")
    assert problem in message
    assert caught.value.sent is True


@pytest.mark.parametrize("op", sorted(OPERATIONS))
@pytest.mark.parametrize("response", [None, [], "x", 5, b"{}"], ids=repr)
def test_an_answer_that_is_not_a_map_is_refused_for_every_operation(op: str, response: Any) -> None:
    with pytest.raises(ConnectionException, match="the answer should be a map"):
        check_response(op, {}, response)


BINARY_KEY = {"pk": {"B": b"\x00\xff"}, "sk": {"N": "1"}}
META = {"ResponseMetadata": {"HTTPStatusCode": 200}}  # botocore adds it

RIGHT: list[tuple[str, dict[str, Any], dict[str, Any]]] = [
    ("GetItem", GET, {}),
    ("GetItem", GET, {"Item": {**KEY, "b": {"B": b"x"}, "odd": {"Q": 1}}, **META}),
    ("PutItem", PUT, {}),
    ("PutItem", PUT, {"ConsumedCapacity": {"TableName": "t"}, **META}),
    ("UpdateItem", UPDATE, {"Attributes": KEY}),
    ("UpdateItem", UPDATE_OLD, {}),
    ("UpdateItem", {**UPDATE, "ReturnValues": "NONE"}, {}),
    ("DeleteItem", GET, {}),
    ("Query", QUERY, {"Items": [], "Count": 0, "ScannedCount": 0}),
    (
        "Query",
        QUERY,
        {"Items": [KEY], "Count": 1, "ScannedCount": 5, "LastEvaluatedKey": BINARY_KEY, **META},
    ),
    ("Scan", QUERY, {"Items": [{"anything": {"S": 5}}], "LastEvaluatedKey": {}}),
    ("Scan", COUNT, {"Count": 3, "ScannedCount": 3}),
    ("Query", COUNT, {"Count": 0, "LastEvaluatedKey": KEY}),
    ("BatchGetItem", BATCH_GET, {"Responses": {"t": [{**KEY, "v": {"N": "1"}}]}}),
    (
        "BatchGetItem",
        BATCH_GET,
        {"Responses": {"t": []}, "UnprocessedKeys": {"t": {"Keys": [KEY, BINARY_KEY]}}},
    ),
    ("BatchGetItem", BATCH_GET, {"Responses": {}, "UnprocessedKeys": {}}),
    ("BatchWriteItem", BATCH_WRITE, {"UnprocessedItems": {}}),
    (
        "BatchWriteItem",
        {"RequestItems": {"t": [{"PutRequest": {"Item": KEY}}, {"DeleteRequest": {"Key": KEY}}]}},
        {
            "UnprocessedItems": {
                "t": [{"PutRequest": {"Item": KEY}}, {"DeleteRequest": {"Key": BINARY_KEY}}]
            }
        },
    ),
    ("TransactWriteItems", {"TransactItems": []}, {}),
    ("TransactGetItems", TRANSACT_GET, {"Responses": [{}, {"Item": KEY}]}),
    ("CreateTable", TABLE, {"TableDescription": {"TableStatus": "CREATING"}}),
    ("DeleteTable", TABLE, {"TableDescription": {"TableStatus": "DELETING"}}),
    ("DescribeTable", TABLE, {"Table": {"KeySchema": KEY_SCHEMA}}),
    (
        "DescribeTable",
        TABLE,
        {
            "Table": {
                "TableName": "t",
                "KeySchema": KEY_SCHEMA,
                "TableStatus": "ACTIVE",
                "GlobalSecondaryIndexes": [
                    {"IndexName": "g", "KeySchema": KEY_SCHEMA, "IndexStatus": "CREATING"}
                ],
                "LocalSecondaryIndexes": [{"IndexName": "l", "KeySchema": KEY_SCHEMA}],
            },
            **META,
        },
    ),
    ("UpdateTimeToLive", TABLE, {"TimeToLiveSpecification": {"Enabled": True}}),
    ("ExecuteStatement", STATEMENT, {"Items": [KEY], "NextToken": "t", **META}),
    ("ExecuteStatement", {"Statement": "DELETE FROM t WHERE pk = 'a'"}, {}),
]


@pytest.mark.parametrize(("op", "params", "response"), RIGHT)
def test_a_well_formed_answer_passes(op: str, params: dict[str, Any], response: Any) -> None:
    check_response(op, params, response)


# Operations whose answers pydynox does not read (beyond being a map).
NOTHING_READ = {
    "PutItem",
    "DeleteItem",
    "TransactWriteItems",
    "CreateTable",
    "DeleteTable",
    "UpdateTimeToLive",
}


def test_every_operation_has_a_right_and_a_wrong_answer_above() -> None:
    assert {op for op, _, _ in RIGHT} == OPERATIONS
    read = {op for op, _, _, _ in WRONG}
    assert read == {op for op in OPERATIONS if op not in NOTHING_READ}


def test_an_operation_pydynox_does_not_send_is_only_checked_to_be_a_map() -> None:
    check_response("ListTables", {}, {"TableNames": 5})
    not_a_map: Any = []
    with pytest.raises(ConnectionException):
        check_response("ListTables", {}, not_a_map)


# --------------------------------------------------------------------- every operation sent

PACKAGE = Path(pydynox.__file__).parent
# Whatever sends a request takes the operation name as its first argument (the transports'
# send() is reached only through their call()).
SENDERS = {"Call", "Op", "call", "count_plan", "pages_plan", "_reader", "Reader"}
# Where that argument is not a literal, it is handed on from a caller the scan also sees.
FORWARDED = {"op", "step.op", "self.op", "work.name"}


def _sent_operations() -> set[str]:
    found: set[str] = set()
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            if name not in SENDERS:
                continue
            first = node.args[0]
            names = {
                n.value
                for n in ast.walk(first)
                if isinstance(n, ast.Constant) and isinstance(n.value, str)
            }
            assert names or ast.unparse(first) in FORWARDED, (
                f"{path.name}:{node.lineno} sends {ast.unparse(first)}: add its operations here"
            )
            found |= names
    return found


def test_shapes_knows_every_operation_pydynox_sends() -> None:
    sent = _sent_operations()
    assert {"GetItem", "Query", "Scan", "BatchWriteItem", "UpdateTimeToLive"} <= sent
    assert sent == OPERATIONS


def test_every_dynamodb_operation_named_in_pydynox_is_known() -> None:
    # A second net: any string in pydynox's code that is the name of a DynamoDB operation
    # (botocore's service model lists them) must be in the table.
    model = botocore.session.get_session().get_service_model("dynamodb")
    operations = set(model.operation_names)
    named = {
        node.value
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(), str(path)))
        if isinstance(node, ast.Constant) and node.value in operations
    }
    assert named and named <= OPERATIONS


# --------------------------------------------------------------------- error answers


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"CancellationReasons": 5}, "CancellationReasons should be a list, not 5"),
        ({"CancellationReasons": [None]}, "CancellationReasons[0] should be a map, not None"),
        ({"CancellationReasons": [{"Code": 1}]}, "CancellationReasons[0].Code should be a string"),
        ({"CancellationReasons": [{"Item": "x"}]}, "CancellationReasons[0].Item should be a map"),
        ({"Item": []}, "Item should be a map, not []"),
    ],
)
def test_an_error_answer_of_the_wrong_shape_is_refused(body: dict[str, Any], problem: str) -> None:
    with pytest.raises(ConnectionException) as caught:
        check_error_body(400, body)
    assert str(caught.value).startswith("DynamoDB's HTTP 400 answer is not in DynamoDB's shape: ")
    assert problem in str(caught.value)


def test_a_well_formed_error_answer_passes() -> None:
    check_error_body(400, {"__type": "x#ValidationException", "message": "bad"})
    check_error_body(
        400,
        {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "CancellationReasons": [{"Code": "None"}, {"Code": "X", "Message": "m", "Item": KEY}],
        },
    )
    check_error_body(400, {"__type": "x#ConditionalCheckFailedException", "Item": KEY})


def test_error_answers_are_checked_before_they_are_decoded() -> None:
    from pydynox._protocol._errors import error_from_wire

    with pytest.raises(ConnectionException, match="HTTP 400 answer is not in DynamoDB's shape"):
        error_from_wire(400, {"__type": "x#TransactionCanceledException", "CancellationReasons": 5})
