"""PartiQL through the client: ``execute_statement`` / ``sync_execute_statement``.

Every scenario runs through the async and the sync API, on both transports. On moto
(dynalite has no PartiQL: ``needs("partiql")``): SELECT with parameters, ``page_size`` and
``limit``, UPDATE / INSERT / DELETE, a missing table. moto's PartiQL is partial: it ignores
``Limit`` (so it never pages), cannot bind ``?`` in an INSERT's VALUE nor in a DELETE's
WHERE, ignores conditions on attributes other than the key and overwrites on a second
INSERT; the tests of DynamoDB's documented behaviour there are marked ``deviates("moto")``.
What moto cannot show (following ``NextToken`` over pages, a conditional failure's error,
which failures are sent again) runs against canned DynamoDB answers served over HTTP
(``Canned``, tests/canned.py), where the requests as sent are checked too.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import pytest

from pydynox import (
    ConditionalCheckFailedException,
    DynamoDBClient,
    PydynoxException,
    ResourceNotFoundException,
    RetryPolicy,
    SerializationException,
    ValidationException,
)
from pydynox.testing import local_client

from ..canned import Canned, Reply
from .api import Api

# The canned tests below use neither the local servers nor the session client: the marks
# change nothing for them.
pytestmark = [pytest.mark.needs("partiql"), pytest.mark.both_transports]

# ----------------------------------------------------------------------------- on moto

# moto's SELECT ... WHERE misses items holding a map: these hold every other kind of value.
ITEMS = [
    {"pk": "USER#1", "sk": "A", "n": 1, "price": Decimal("9.99"), "tags": {"x", "y"}},
    {"pk": "USER#1", "sk": "B", "data": b"\x00\xff", "ns": {1, 2}, "ok": True},
    {"pk": "USER#1", "sk": "C", "items": [1, "two", [3]], "name": "Ada"},
    {"pk": "USER#2", "sk": "A", "n": 2},
]
MOTO_BINDS = "moto's PartiQL cannot bind ? in an INSERT's VALUE nor a DELETE's WHERE (HTTP 500)"


async def put_items(api: Api, table: str) -> None:
    for item in ITEMS:
        await api.put_item(table, item)


def by_sk(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: str(row["sk"]))


async def test_select_with_parameters_reads_plain_rows(api: Api, table: str) -> None:
    await put_items(api, table)
    select = f'SELECT * FROM "{table}" WHERE pk = ? AND sk = ?'
    assert await api.execute_statement(select, ["USER#1", "B"]) == [ITEMS[1]]
    partition = f'SELECT * FROM "{table}" WHERE pk = ?'
    rows = await api.execute_statement(partition, ("USER#1",), consistent_read=True)
    assert by_sk(rows) == ITEMS[:3]
    assert await api.execute_statement(partition, ["nobody"]) == []


async def test_page_size_loses_no_row_and_limit_caps_them(api: Api, table: str) -> None:
    await put_items(api, table)
    partition = f'SELECT * FROM "{table}" WHERE pk = ?'
    # On DynamoDB page_size=1 reads three pages (moto answers one): every row comes back.
    assert by_sk(await api.execute_statement(partition, ["USER#1"], page_size=1)) == ITEMS[:3]
    assert len(await api.execute_statement(partition, ["USER#1"], limit=2)) == 2
    assert len(await api.execute_statement(partition, ["USER#1"], limit=2, page_size=1)) == 2


async def test_update_with_parameters_of_every_kind(api: Api, table: str) -> None:
    key = {"pk": "USER#1", "sk": "A"}
    await api.put_item(table, {**key, "n": 1})
    values = {
        "m": {"city": "Oslo", "zip": [1, 2]},
        "l": ["a", 1],
        "ss": {"p", "q"},
        "b": b"\x01",
        "n": Decimal("2.5"),
        "flag": True,
    }
    rows = await api.execute_statement(
        f'UPDATE "{table}" SET m = ?, l = ?, ss = ?, b = ?, n = ?, flag = ? '
        "WHERE pk = ? AND sk = ?",
        [*values.values(), key["pk"], key["sk"]],
    )
    assert rows == []  # a write reads no rows
    assert await api.get_item(table, key) == {**key, **values}


async def test_insert_and_delete_statements(api: Api, table: str) -> None:
    key = {"pk": "USER#9", "sk": "A"}
    inserted = f"INSERT INTO \"{table}\" VALUE {{'pk': 'USER#9', 'sk': 'A', 'name': 'Ada'}}"
    assert await api.execute_statement(inserted) == []
    assert await api.get_item(table, key) == {**key, "name": "Ada"}
    deleted = f"DELETE FROM \"{table}\" WHERE pk = 'USER#9' AND sk = 'A'"
    assert await api.execute_statement(deleted) == []
    assert await api.get_item(table, key) is None


@pytest.mark.deviates("moto", reason=MOTO_BINDS, raises=PydynoxException)
async def test_insert_and_delete_with_parameters(api: Api, table: str) -> None:
    key = {"pk": "USER#9", "sk": "A"}
    inserted = f"INSERT INTO \"{table}\" VALUE {{'pk': ?, 'sk': ?, 'name': ?}}"
    await api.execute_statement(inserted, ["USER#9", "A", "Ada"])
    assert await api.get_item(table, key) == {**key, "name": "Ada"}
    await api.execute_statement(f'DELETE FROM "{table}" WHERE pk = ? AND sk = ?', ["USER#9", "A"])
    assert await api.get_item(table, key) is None


@pytest.mark.deviates("moto", reason="moto ignores a WHERE condition on non-key attributes")
async def test_an_update_whose_condition_fails_raises_and_changes_nothing(
    api: Api, table: str
) -> None:
    key = {"pk": "USER#1", "sk": "A"}
    await api.put_item(table, {**key, "n": 1})
    with pytest.raises(ConditionalCheckFailedException):
        await api.execute_statement(
            f'UPDATE "{table}" SET n = ? WHERE pk = ? AND sk = ? AND n = ?', [5, "USER#1", "A", 0]
        )
    assert await api.get_item(table, key) == {**key, "n": 1}


@pytest.mark.deviates("moto", reason="moto overwrites the item on a second INSERT")
async def test_inserting_an_existing_item_is_refused(api: Api, table: str) -> None:
    await api.put_item(table, {"pk": "USER#1", "sk": "A", "n": 1})
    with pytest.raises(PydynoxException) as caught:
        await api.execute_statement(
            f"INSERT INTO \"{table}\" VALUE {{'pk': 'USER#1', 'sk': 'A', 'n': 2}}"
        )
    assert caught.value.code == "DuplicateItemException"


async def test_a_missing_table_raises_resource_not_found(api: Api) -> None:
    with pytest.raises(ResourceNotFoundException):
        await api.execute_statement('SELECT * FROM "no-such-table" WHERE pk = ?', ["a"])


# ------------------------------------------------------------------ on canned answers


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=20) as server:
        yield server


@pytest.fixture(scope="module", params=["wire", "botocore"])
def canned_client(canned: Canned, request: pytest.FixtureRequest) -> Iterator[DynamoDBClient]:
    """A client of the canned server, on each transport, with three quick attempts."""
    made = local_client(canned.url, transport=request.param)
    made.request_retry = RetryPolicy(attempts=3, base=0.001, cap=0.001)
    yield made
    made.sync_close()


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def canned_api(canned_client: DynamoDBClient, mode: str) -> Api:
    return Api(canned_client, mode)


def bodies(canned: Canned) -> list[dict[str, Any]]:
    assert set(canned.ops()) <= {"ExecuteStatement"}
    return [request.json() for request in canned.requests]


A = {"pk": {"S": "a"}, "n": {"N": "1"}}
B = {"pk": {"S": "b"}, "data": {"B": base64.b64encode(b"\x01").decode()}}
C = {"pk": {"S": "c"}, "tags": {"SS": ["x"]}}


def pages(*answers: dict[str, Any]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Answer the first request with the first page, the one sent ``NextToken: "t1"`` with
    the second, and so on."""
    by_token = {None if i == 0 else f"t{i}": answer for i, answer in enumerate(answers)}
    return lambda body: by_token[body.get("NextToken")]


async def test_every_next_token_is_followed(canned: Canned, canned_api: Api) -> None:
    canned.answer(
        ExecuteStatement=pages(
            {"Items": [A, B], "NextToken": "t1"},
            {"Items": [], "NextToken": "t2"},  # a page the WHERE filter emptied
            {"Items": [C], "LastEvaluatedKey": {"pk": {"S": "c"}}},
        )
    )
    statement = 'SELECT * FROM "t" WHERE pk > ? AND data = ?'
    rows = await canned_api.execute_statement(
        statement, ["a", b"\x01"], consistent_read=True, page_size=2
    )
    assert rows == [{"pk": "a", "n": 1}, {"pk": "b", "data": b"\x01"}, {"pk": "c", "tags": {"x"}}]
    first = {
        "Statement": statement,
        "Parameters": [{"S": "a"}, {"B": "AQ=="}],  # bytes travel as base64
        "ConsistentRead": True,
        "Limit": 2,
    }
    assert bodies(canned) == [first, {**first, "NextToken": "t1"}, {**first, "NextToken": "t2"}]


async def test_limit_stops_following_next_token(canned: Canned, canned_api: Api) -> None:
    canned.answer(ExecuteStatement=pages({"Items": [A, B], "NextToken": "t1"}, {"Items": [C]}))
    rows = await canned_api.execute_statement('SELECT * FROM "t"', limit=1)
    assert rows == [{"pk": "a", "n": 1}]
    assert len(bodies(canned)) == 1


CONDITION_FAILED = Reply(
    400,
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException",
        "message": "The conditional request failed",
    },
)
SERVER_ERROR = Reply(500, {"__type": "com.amazon.coral.service#InternalServerError"})
UPDATE = 'UPDATE "t" SET n = n + ? WHERE pk = ?'


async def test_a_conditional_failure_is_raised_once(canned: Canned, canned_api: Api) -> None:
    canned.answer(ExecuteStatement=CONDITION_FAILED)
    with pytest.raises(ConditionalCheckFailedException, match="conditional request failed"):
        await canned_api.execute_statement(UPDATE, [1, "a"])
    assert len(bodies(canned)) == 1


def failing_once(answer: dict[str, Any]) -> Callable[[dict[str, Any]], Any]:
    seen: list[dict[str, Any]] = []

    def reply(body: dict[str, Any]) -> Any:
        seen.append(body)
        return SERVER_ERROR if len(seen) == 1 else answer

    return reply


async def test_a_select_is_sent_again_after_a_server_error(canned: Canned, canned_api: Api) -> None:
    canned.answer(ExecuteStatement=failing_once({"Items": [A]}))
    rows = await canned_api.execute_statement('SELECT * FROM "t" WHERE pk = ?', ["a"])
    assert rows == [{"pk": "a", "n": 1}]
    assert len(bodies(canned)) == 2


async def test_a_write_is_not_sent_again_after_a_server_error(
    canned: Canned, canned_api: Api
) -> None:
    # The first attempt may have been applied: a second would add 1 twice.
    canned.answer(ExecuteStatement=failing_once({}))
    with pytest.raises(PydynoxException) as caught:
        await canned_api.execute_statement(UPDATE, [1, "a"])
    assert caught.value.status == 500
    assert len(bodies(canned)) == 1


@pytest.mark.parametrize(
    ("statement", "parameters", "options", "error"),
    [
        ("", [], {}, ValidationException),
        (UPDATE, "a", {}, ValidationException),
        (UPDATE, [1, object()], {}, SerializationException),
        (UPDATE, [1, "a"], {"page_size": 0}, ValidationException),
        (UPDATE, [1, "a"], {"limit": 0}, ValidationException),
    ],
)
async def test_bad_input_is_refused_before_sending(
    canned: Canned,
    canned_api: Api,
    statement: Any,
    parameters: Any,
    options: dict[str, Any],
    error: type[Exception],
) -> None:
    canned.answer({})
    with pytest.raises(error):
        await canned_api.execute_statement(statement, parameters, **options)
    assert canned.requests == []
