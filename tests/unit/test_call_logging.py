"""Logging of calls on the ``pydynox`` loggers, on a canned DynamoDB (tests/canned.py).

``pydynox.calls`` logs one DEBUG line per DynamoDB call (operation, tables, status, duration,
attempts, request id, and the error class of a call that failed), a WARNING for each retry
after throttling and one for a call that gives up after retries. No line of any ``pydynox``
logger ever holds an item value, a key value or a credential: every value here is
distinctive, and every line is searched for each of them.

Every scenario runs through the async and the sync API, on both transports. The canned
server answers every request with the request id ``canned``.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pydynox import (
    Attr,
    ConditionalCheckFailedException,
    DynamoDBClient,
    ProvisionedThroughputExceededException,
    Put,
    PydynoxException,
    SyncBatchWriter,
    Update,
    ValidationException,
)
from pydynox.local import local_client

from ..canned import Canned, Reply
from ..integration.api import Api

TABLE = "log-table"
PTEE = "ProvisionedThroughputExceededException"

# Values that must never be logged, each distinctive enough to find anywhere in a line.
ACCESS_KEY = "AKIALOGSECRETACCESS1"
SECRET_KEY = "log-secret-key-1b7f0e3c9d"
SESSION_TOKEN = "log-session-token-5a2c8e"
CURSOR_SECRET = "log-cursor-secret-6d4e1f0a"
KEY = "KEYVALUE-3f9a71"
SORT = "SORTVALUE-8c02d4"
ITEM = "ITEMVALUE-b61e5a"
UPDATE = "UPDATEVALUE-44d0c9"
CONDITION = "CONDITIONVALUE-e7a3b2"
ANSWERED = "ANSWEREDVALUE-0c5d17"  # only in the server's answers
SECRETS = {
    "access key": ACCESS_KEY,
    "secret key": SECRET_KEY,
    "session token": SESSION_TOKEN,
    "cursor secret": CURSOR_SECRET,
    "key value": KEY,
    "sort key value": SORT,
    "item value": ITEM,
    "update value": UPDATE,
    "condition value": CONDITION,
    "answered value": ANSWERED,
}

STORED = {"pk": {"S": KEY}, "sk": {"S": SORT}, "v": {"S": ANSWERED}}
DESCRIBED = {
    "Table": {
        "TableName": TABLE,
        "TableStatus": "ACTIVE",
        "KeySchema": [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
    }
}


def throttled() -> Reply:
    return Reply(
        400,
        {
            "__type": f"com.amazonaws.dynamodb.v20120810#{PTEE}",
            "message": f"throttled while writing {ANSWERED}",
        },
    )


def server_error() -> Reply:
    return Reply(500, {"__type": "com.amazonaws.dynamodb.v20120810#InternalServerError"})


def in_turn(*answers: Reply | dict[str, Any]) -> Callable[[Any], Any]:
    """An answer: each of ``answers`` in turn, one per request, the last one for good."""
    left = list(answers)

    def reply(_: Any) -> Any:
        return left.pop(0) if len(left) > 1 else left[0]

    return reply


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=40) as made:
        yield made


@pytest.fixture(params=["wire", "botocore"], scope="module")
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def client(canned: Canned, transport: str) -> Iterator[DynamoDBClient]:
    made = local_client(
        canned.url,
        transport=transport,
        access_key=ACCESS_KEY,
        secret_key=SECRET_KEY,
        session_token=SESSION_TOKEN,
        cursor_secret=CURSOR_SECRET,
        max_attempts=3,
    )
    made.request_retry = dataclasses.replace(made.request_retry, base=0.001, cap=0.002)
    made.batch_retry = dataclasses.replace(made.batch_retry, base=0.001, cap=0.002)
    yield made
    made.sync_close()


@pytest.fixture(params=["async", "sync"])
def api(
    request: pytest.FixtureRequest, client: DynamoDBClient, canned: Canned, transport: str
) -> Api:
    if transport == "botocore" and request.param == "async":
        # The botocore transport's async side is aioboto3 (the floors and newest CI jobs run
        # without it).
        pytest.importorskip("aiobotocore")
    canned.answer()
    return Api(client, request.param)


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="pydynox")
    return caplog


def lines(caplog: pytest.LogCaptureFixture, level: int | None = None) -> list[str]:
    """The messages of ``pydynox.calls`` (of one level), in order."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == "pydynox.calls" and (level is None or r.levelno == level)
    ]


def debug_line(op: str, status: int | None, attempts: int, error: str | None = None) -> str:
    """The pattern of the DEBUG line of one call."""
    tail = f" error={error}" if error else ""
    return (
        rf"{op} {TABLE} status={status} \d+\.\d ms attempts={attempts} "
        rf"request_id={'canned' if status else 'None'}{re.escape(tail)}"
    )


def leaked(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """Each (secret, line) of a ``pydynox`` logger that shows a secret value."""
    found = []
    for record in caplog.records:
        if record.name != "pydynox" and not record.name.startswith("pydynox."):
            continue
        text = f"{record.getMessage()} {record.exc_text or ''}"
        for what, value in SECRETS.items():
            if value in text:
                found.append((what, text))
    return found


# -- DEBUG: one line per call -------------------------------------------------------------


async def test_each_call_logs_one_debug_line(api: Api, canned: Canned, logs: Any) -> None:
    canned.answer(GetItem={"Item": STORED}, PutItem={}, Query={"Items": [STORED], "Count": 1})
    assert await api.get_item(TABLE, {"pk": KEY, "sk": SORT}) is not None
    await api.put_item(TABLE, {"pk": KEY, "sk": SORT, "v": ITEM})
    assert len(await api.query(TABLE, Attr("pk") == KEY).all()) == 1
    debug = lines(logs, logging.DEBUG)
    assert len(debug) == 3
    for line, op in zip(debug, ("GetItem", "PutItem", "Query"), strict=True):
        assert re.fullmatch(debug_line(op, 200, 1), line), line
    assert lines(logs, logging.WARNING) == []
    assert leaked(logs) == []


async def test_a_call_refused_logs_its_error_class_and_no_warning(
    api: Api, canned: Canned, logs: Any
) -> None:
    canned.answer(
        PutItem=Reply(
            400,
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
                "message": "The conditional request failed",
                "Item": STORED,
            },
        )
    )
    with pytest.raises(ConditionalCheckFailedException):
        await api.put_item(TABLE, {"pk": KEY, "sk": SORT}, condition=Attr("v") == CONDITION)
    (line,) = lines(logs)
    assert re.fullmatch(debug_line("PutItem", 400, 1, "ConditionalCheckFailedException"), line), (
        line
    )
    assert leaked(logs) == []


async def test_nothing_is_logged_below_the_level_set(api: Api, canned: Canned, caplog: Any) -> None:
    caplog.set_level(logging.INFO, logger="pydynox")
    canned.answer(GetItem={"Item": STORED})
    await api.get_item(TABLE, {"pk": KEY, "sk": SORT})
    assert lines(caplog) == []


# -- WARNING: throttling retries and giving up -----------------------------------------------


async def test_a_throttled_retry_warns_and_the_call_logs_once(
    api: Api, canned: Canned, logs: Any
) -> None:
    canned.answer(GetItem=in_turn(throttled(), throttled(), {"Item": STORED}))
    assert await api.get_item(TABLE, {"pk": KEY, "sk": SORT}) is not None
    warnings = lines(logs, logging.WARNING)
    assert len(warnings) == 2
    for n, line in enumerate(warnings, 1):
        assert re.fullmatch(rf"GetItem {TABLE} throttled \({PTEE}\): retry {n} in [\d.]+ s", line)
    (debug,) = lines(logs, logging.DEBUG)
    assert re.fullmatch(debug_line("GetItem", 200, 3), debug), debug
    assert canned.ops() == ["GetItem"] * 3
    assert leaked(logs) == []


async def test_giving_up_after_throttling_warns(api: Api, canned: Canned, logs: Any) -> None:
    canned.answer(PutItem=lambda _: throttled())
    with pytest.raises(ProvisionedThroughputExceededException):
        await api.put_item(TABLE, {"pk": KEY, "sk": SORT, "v": ITEM})
    warnings = lines(logs, logging.WARNING)
    assert len(warnings) == 3  # two retries, then giving up
    assert warnings[-1] == f"PutItem {TABLE} failed after 3 attempts: {PTEE}"
    (debug,) = lines(logs, logging.DEBUG)
    assert re.fullmatch(debug_line("PutItem", 400, 3, PTEE), debug), debug
    assert leaked(logs) == []


async def test_a_server_error_retry_is_in_the_debug_line_and_giving_up_warns(
    api: Api, canned: Canned, logs: Any
) -> None:
    canned.answer(GetItem=in_turn(server_error(), {"Item": STORED}))
    await api.get_item(TABLE, {"pk": KEY, "sk": SORT})
    assert lines(logs, logging.WARNING) == []  # only throttling retries warn
    (debug,) = lines(logs, logging.DEBUG)
    assert re.fullmatch(debug_line("GetItem", 200, 2), debug), debug

    logs.clear()
    canned.answer(GetItem=lambda _: server_error())
    with pytest.raises(PydynoxException) as failed:
        await api.get_item(TABLE, {"pk": KEY, "sk": SORT})
    error = type(failed.value).__name__
    assert lines(logs, logging.WARNING) == [f"GetItem {TABLE} failed after 3 attempts: {error}"]
    (debug,) = lines(logs, logging.DEBUG)
    assert re.fullmatch(debug_line("GetItem", 500, 3, error), debug), debug


# -- no value ever logged -------------------------------------------------------------------------


async def test_no_value_key_or_credential_is_ever_logged(
    api: Api, canned: Canned, logs: Any
) -> None:
    """Every kind of call, answers holding values, errors whose messages hold values,
    retries, a batch with leftovers, a transaction, a page cursor: DEBUG lines included."""
    leftover = {TABLE: [{"PutRequest": {"Item": {"pk": {"S": KEY}, "sk": {"S": "2"}}}}]}
    canned.answer(
        GetItem=in_turn(throttled(), {"Item": STORED}),
        PutItem={},
        UpdateItem={"Attributes": STORED},
        DeleteItem=Reply(
            400,
            {
                "__type": "com.amazonaws.dynamodb.v20120810#ValidationException",
                "message": f"One or more parameter values were invalid: {KEY} {CONDITION}",
            },
        ),
        Query={"Items": [STORED], "Count": 1, "ScannedCount": 1},
        Scan={"Items": [STORED], "Count": 1, "ScannedCount": 1},
        DescribeTable=DESCRIBED,  # the key names of a page cursor
    )
    key = {"pk": KEY, "sk": SORT}
    await api.get_item(TABLE, key)
    await api.put_item(TABLE, {**key, "v": ITEM}, condition=Attr("v") != CONDITION)
    await api.update_item(TABLE, key, updates={"v": UPDATE}, condition=Attr("v") == CONDITION)
    with pytest.raises(ValidationException):
        await api.delete_item(TABLE, key, condition=Attr("v") == CONDITION)
    await api.query(TABLE, Attr("pk") == KEY, filter_expression=Attr("v") == CONDITION).all()
    page = await api.query(TABLE, Attr("pk") == KEY).page(1)
    assert page.next_cursor is None or CURSOR_SECRET not in page.next_cursor
    await api.scan(TABLE, filter_expression=Attr("v").begins_with(CONDITION)).all()
    canned.answer(
        BatchWriteItem=in_turn({"UnprocessedItems": leftover}, {"UnprocessedItems": {}}),
        BatchGetItem={"Responses": {TABLE: [STORED]}, "UnprocessedKeys": {}},
        TransactWriteItems=lambda _: throttled(),
        DescribeTable=DESCRIBED,  # the key names of the batch's writes
    )
    await api.batch_write(TABLE, put_items=[{**key, "v": ITEM}, {"pk": KEY, "sk": "2"}])
    assert len(await api.batch_get(TABLE, [key])) == 1
    with pytest.raises(PydynoxException):
        await api.transact_write(
            [Put(TABLE, {**key, "v": ITEM}), Update(TABLE, {"pk": KEY, "sk": "3"}, {"v": UPDATE})]
        )
    assert len(lines(logs, logging.DEBUG)) >= 10
    assert lines(logs, logging.WARNING)  # the throttled retries and the transaction
    assert leaked(logs) == []


def test_a_batch_writer_stopped_logs_no_item_value(
    client: DynamoDBClient, canned: Canned, logs: Any
) -> None:
    canned.answer()
    with pytest.raises(KeyboardInterrupt), SyncBatchWriter(client, "never-described") as writer:
        writer.put({"pk": KEY, "sk": SORT, "v": ITEM})
        raise KeyboardInterrupt
    assert canned.ops() == []  # nothing was sent
    errors = [r for r in logs.records if r.name == "pydynox" and r.levelno == logging.ERROR]
    assert len(errors) == 1  # the writes not stored are reported...
    assert leaked(logs) == []  # ...without their values
