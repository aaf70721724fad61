"""Answers that are well-formed HTTP 200s but not in DynamoDB's shape, through the public API.

A tiny HTTP/1.1 server of our own (``Canned``, tests/canned.py) answers each operation (by
``X-Amz-Target``) with the JSON a test gives it and counts the requests. Every scenario runs
through the async and the sync API (the ``api`` fixture of conftest.py, here over a client of
that server): a wrong shape is a ``ConnectionException`` (inside ``BatchGetError``/
``BatchWriteError`` for batches, whose plans report every failed request that way), never a
raw ``KeyError`` or ``TypeError``; a ``LastEvaluatedKey`` that never changes stops a read
after two requests.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable, Iterator
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    BatchGetError,
    BatchWriteError,
    ConnectionException,
    DynamoConfig,
    DynamoDBClient,
    Get,
    Model,
    PartitionKey,
    PydynoxException,
    RetryPolicy,
)
from pydynox.testing import local_client

from ..canned import Answer, Canned
from .api import Api

MAX_REQUESTS = 20  # per test: more is refused


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=MAX_REQUESTS) as server:
        yield server


@pytest.fixture(scope="module")
def client(canned: Canned) -> Iterator[DynamoDBClient]:
    """Overrides conftest's ``client``: one attempt per request, to the canned server (so
    conftest's ``api`` runs each scenario over it, async and sync)."""
    made = local_client(canned.url, max_attempts=1, cursor_secret="wrong-answers-cursor-secret")
    yield made
    made.sync_close()


class Thing(Model):
    model_config = DynamoConfig(table="things")
    pk: Annotated[str, PartitionKey()]
    n: int = 0


@pytest.fixture
def thing(client: DynamoDBClient) -> type[Thing]:
    class Bound(Thing):
        model_config = DynamoConfig(table="things", client=client)

    return Bound


KEY = {"pk": {"S": "a"}}
TABLE = {"Table": {"TableName": "tbl", "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}]}}


async def shape_error(
    call: Callable[[], Awaitable[Any]], contains: str = "not in DynamoDB's shape"
) -> str:
    """Call and await ``call`` (a sync API call raises at once, an async one when awaited);
    return the message of the ConnectionException it raises."""
    with pytest.raises(ConnectionException) as caught:
        await call()
    assert caught.value.sent is True
    message = str(caught.value)
    assert contains in message
    return message


# --------------------------------------------------------------------------- single items


@pytest.mark.parametrize(
    ("item", "contains"),
    [
        ([], "answer to GetItem is not in DynamoDB's shape: Item should be a map, not []"),
        ("x", "Item should be a map, not 'x'"),
        ({"pk": {"S": "a"}, "v": {"Q": "x"}}, "holds an attribute value that is not in Dynamo"),
        ({"pk": {"S": "a"}, "v": "x"}, "not in DynamoDB's shape: v = 'x'"),
        ({"pk": {"S": "a"}, "v": {"N": 5}}, "v = {'N': 5}"),
        ({"pk": {"S": "a"}, "v": {"M": {"w": {"L": "x"}}}}, "v.w = {'L': 'x'}"),
    ],
)
async def test_get_item_of_the_wrong_shape(
    api: Api, canned: Canned, item: Any, contains: str
) -> None:
    canned.answer(GetItem={"Item": item})
    await shape_error(lambda: api.get_item("tbl", {"pk": "a"}), contains)
    assert canned.ops() == ["GetItem"]


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.parametrize(
    ("answers", "read"),
    [
        ({"GetItem": {"Item": []}}, lambda c: c.get_item("tbl", {"pk": "a"})),
        (
            {"Query": {"Items": "x"}},
            lambda c: c.query("tbl", key_condition_expression=Attr("pk") == "a").all(),
        ),
    ],
    ids=["get_item", "query"],
)
async def test_the_botocore_transport_refuses_wrong_shapes_too(
    canned: Canned, mode: str, answers: dict[str, Answer], read: Callable[[Api], Any]
) -> None:
    """botocore's own parser fails with raw errors on these; they arrive as the same
    ConnectionException as on the wire transport."""
    botocore = local_client(canned.url, max_attempts=1, transport="botocore")
    try:
        canned.answer(**answers)
        message = await shape_error(lambda: read(Api(botocore, mode)), "botocore could not read")
        assert "not in DynamoDB's shape" in message
    finally:
        await botocore.close()
        botocore.sync_close()


async def test_an_answer_that_is_not_a_json_object(api: Api, canned: Canned) -> None:
    canned.answer(GetItem=lambda request: [])  # type: ignore[arg-type,return-value]
    with pytest.raises(PydynoxException):
        await api.get_item("tbl", {"pk": "a"})


async def test_update_item_without_the_attributes_it_asked_for(api: Api, canned: Canned) -> None:
    canned.answer(UpdateItem={})
    message = await shape_error(lambda: api.update_item("tbl", {"pk": "a"}, {"n": 1}))
    assert "Attributes is missing (the request makes it mandatory)" in message
    canned.answer(UpdateItem={"Attributes": None})
    await shape_error(
        lambda: api.update_item("tbl", {"pk": "a"}, {"n": 1}), "Attributes should be a map"
    )


async def test_model_reads_of_the_wrong_shape(api: Api, canned: Canned, thing: type[Thing]) -> None:
    canned.answer(GetItem={"Item": {"pk": {"S": "a"}, "n": {"N": "seven"}}})
    await shape_error(lambda: api.on(thing).get(pk="a"), "n = {'N': 'seven'}")
    canned.answer(UpdateItem={})
    await shape_error(lambda: api.on(thing).update_by_key(pk="a", n=2), "Attributes is missing")
    canned.answer(UpdateItem={"Attributes": {"pk": {"S": "a"}, "n": {"BOOL": "yes"}}})
    await shape_error(lambda: api.on(thing(pk="a")).update(n=2), "n = {'BOOL': 'yes'}")
    canned.answer(Query={"Items": [{"pk": {"S": "a"}, "n": {"NS": 5}}], "Count": 1})
    await shape_error(lambda: api.on(thing).query(partition_key="a").all(), "n = {'NS': 5}")


# --------------------------------------------------------------------------- query and scan


@pytest.mark.parametrize(
    ("answer", "contains"),
    [
        ({"Items": "x"}, "answer to Query is not in DynamoDB's shape: Items should be a list"),
        ({"Items": [5]}, "Items[0] should be a map, not 5"),
        ({"Count": 0}, "Items is missing (the request makes it mandatory)"),
        ({"Items": [], "ScannedCount": "3"}, "ScannedCount should be a whole number"),
        ({"Items": [], "LastEvaluatedKey": {"pk": {"S": 5}}}, "LastEvaluatedKey.pk should be"),
        ({"Items": [{"pk": {"N": "1.2.3"}}]}, "pk = {'N': '1.2.3'}"),
    ],
)
async def test_query_of_the_wrong_shape(
    api: Api, canned: Canned, answer: dict[str, Any], contains: str
) -> None:
    canned.answer(Query=answer)
    query = api.query("tbl", "pk = :pk", expression_attribute_values={":pk": "a"})
    await shape_error(lambda: query.all(), contains)
    await shape_error(lambda: query.first(), contains)


async def test_scan_and_count_of_the_wrong_shape(api: Api, canned: Canned) -> None:
    canned.answer(Scan={"Items": {"a": 1}})
    await shape_error(
        lambda: api.scan("tbl").all(), "answer to Scan is not in DynamoDB's shape: Items"
    )
    canned.answer(Scan={"ScannedCount": 3})
    await shape_error(lambda: api.count("tbl"), "Count is missing (the request makes it mandatory)")
    canned.answer(Query={"Count": "many"})
    await shape_error(
        lambda: api.count("tbl", "pk = :pk", expression_attribute_values={":pk": "a"}),
        "Count should be a whole number, not 'many'",
    )


SAME_KEY = {"Items": [{"pk": {"S": "a"}}], "Count": 1, "ScannedCount": 1, "LastEvaluatedKey": KEY}
SAME_COUNT_KEY = {"Count": 1, "ScannedCount": 1, "LastEvaluatedKey": KEY}


@pytest.mark.parametrize(
    ("op", "read"),
    [
        (
            "Query",
            lambda api: api.query("tbl", "pk = :pk", expression_attribute_values={":pk": "a"}),
        ),
        ("Scan", lambda api: api.scan("tbl")),
    ],
    ids=["query", "scan"],
)
async def test_a_last_evaluated_key_that_never_changes_stops_a_read_after_two_requests(
    api: Api, canned: Canned, op: str, read: Callable[[Api], Any]
) -> None:
    canned.answer(**{op: SAME_KEY})
    message = await shape_error(lambda: read(api).all(), "same LastEvaluatedKey again")
    assert "paging would never end" in message
    assert canned.ops() == [op, op]


async def test_a_last_evaluated_key_that_never_changes_stops_a_count(
    api: Api, canned: Canned
) -> None:
    canned.answer(Scan=SAME_COUNT_KEY, Query=SAME_COUNT_KEY)
    await shape_error(lambda: api.count("tbl"), "paging would never end")
    assert canned.ops() == ["Scan", "Scan"]
    canned.answer(Scan=SAME_COUNT_KEY, Query=SAME_COUNT_KEY)
    await shape_error(
        lambda: api.count("tbl", "pk = :pk", expression_attribute_values={":pk": "a"}),
        "paging would never end",
    )
    assert canned.ops() == ["Query", "Query"]


async def test_a_last_evaluated_key_that_never_changes_stops_model_reads(
    api: Api, canned: Canned, thing: type[Thing]
) -> None:
    canned.answer(Query=SAME_KEY, Scan=SAME_COUNT_KEY)
    await shape_error(
        lambda: api.on(thing).query(partition_key="a").all(), "paging would never end"
    )
    assert canned.ops() == ["Query", "Query"]
    canned.answer(Query=SAME_KEY)
    await shape_error(
        lambda: api.on(thing).query(partition_key="a").page(5), "paging would never end"
    )
    assert canned.ops() == ["Query", "Query"]
    canned.answer(Scan=SAME_COUNT_KEY)
    await shape_error(lambda: api.on(thing).count(), "paging would never end")
    assert canned.ops() == ["Scan", "Scan"]


async def test_a_cursor_page_whose_answer_repeats_its_start_key_stops_at_once(
    api: Api, canned: Canned, thing: type[Thing]
) -> None:
    def two_then_same(request: dict[str, Any]) -> dict[str, Any]:
        start = request.get("ExclusiveStartKey")
        if start is None:
            items = [{"pk": {"S": "a"}, "n": {"N": str(i)}} for i in range(3)]
            return {"Items": items, "Count": 3, "LastEvaluatedKey": KEY}
        return {"Items": [], "Count": 0, "LastEvaluatedKey": start}

    canned.answer(Query=two_then_same)
    first = await api.on(thing).query(partition_key="a").page(2)
    assert len(first.items) == 2 and first.next_cursor is not None
    canned.answer(Query=two_then_same)
    await shape_error(
        lambda: api.on(thing).query(partition_key="a").page(2, first.next_cursor),
        "paging would never end",
    )
    assert canned.ops() == ["Query"]


# --------------------------------------------------------------------------- batches


@pytest.mark.parametrize(
    ("answer", "contains"),
    [
        ({"Responses": 5}, "Responses should be a map, not 5"),
        ({"Responses": {"tbl": [{"v": {"S": "x"}}]}}, "Responses.tbl[0].pk should be a key"),
        ({"Responses": {"tbl": []}, "UnprocessedKeys": {"tbl": "x"}}, "UnprocessedKeys.tbl should"),
    ],
)
async def test_batch_get_of_the_wrong_shape(
    api: Api, canned: Canned, answer: dict[str, Any], contains: str
) -> None:
    # The batch plan reports a failed request as BatchGetError, the failure as its cause.
    canned.answer(BatchGetItem=answer)
    with pytest.raises(BatchGetError) as caught:
        await api.batch_get("tbl", [{"pk": "a"}, {"pk": "b"}])
    assert isinstance(caught.value.__cause__, ConnectionException)
    assert contains in str(caught.value.__cause__)
    assert len(caught.value.unprocessed) == 2


async def test_batch_get_of_a_malformed_item(api: Api, canned: Canned) -> None:
    canned.answer(BatchGetItem={"Responses": {"tbl": [{"pk": {"S": "a"}, "v": {"Q": 1}}]}})
    await shape_error(lambda: api.batch_get("tbl", [{"pk": "a"}]), "v = {'Q': 1}")


@pytest.mark.parametrize(
    "unprocessed",
    ["x", {"tbl": "x"}, {"tbl": [{"PutRequest": {}}]}, {"tbl": [{"DeleteRequest": {"Key": "a"}}]}],
    ids=repr,
)
async def test_batch_write_of_the_wrong_shape(api: Api, canned: Canned, unprocessed: Any) -> None:
    canned.answer(DescribeTable=TABLE, BatchWriteItem={"UnprocessedItems": unprocessed})
    with pytest.raises(BatchWriteError) as caught:
        await api.batch_write("tbl", put_items=[{"pk": "a"}], delete_keys=[{"pk": "b"}])
    assert isinstance(caught.value.__cause__, ConnectionException)
    assert "answer to BatchWriteItem is not in DynamoDB's shape" in str(caught.value)
    assert len(caught.value.unprocessed) == 2


async def test_batch_write_needing_key_names_of_a_wrong_description(
    api: Api, canned: Canned
) -> None:
    table = f"tbl-{uuid.uuid4().hex}"  # key names the client does not know yet
    canned.answer(DescribeTable={"Table": {"KeySchema": [{"AttributeName": 5}]}})
    with pytest.raises(BatchWriteError) as caught:
        await api.batch_write(table, put_items=[{"pk": "a"}])
    assert "Table.KeySchema[0].AttributeName should be a string" in str(caught.value)


# --------------------------------------------------------------------------- transactions, tables


@pytest.mark.parametrize(
    ("answer", "contains"),
    [
        ({"Responses": 5}, "Responses should be a list, not 5"),
        ({}, "Responses is missing"),
        ({"Responses": [{}]}, "Responses holds 1 answers for 2 Gets"),
        ({"Responses": [{"Item": "x"}, {}]}, "Responses[0].Item should be a map"),
    ],
)
async def test_transact_get_of_the_wrong_shape(
    api: Api, canned: Canned, answer: dict[str, Any], contains: str
) -> None:
    canned.answer(TransactGetItems=answer)
    gets = [Get("tbl", {"pk": "a"}), Get("tbl", {"pk": "b"})]
    await shape_error(lambda: api.transact_get(gets), contains)


@pytest.mark.parametrize(
    ("answer", "contains"),
    [
        ({"Table": None}, "Table should be a map, not None"),
        ({}, "Table is missing"),
        ({"Table": []}, "Table should be a map, not []"),
        (
            {"Table": {"KeySchema": [], "GlobalSecondaryIndexes": {"g": 1}}},
            "Table.GlobalSecondaryIndexes should be a list",
        ),
    ],
)
async def test_describe_table_of_the_wrong_shape(
    api: Api, canned: Canned, answer: dict[str, Any], contains: str
) -> None:
    canned.answer(DescribeTable=answer)
    await shape_error(lambda: api.table_exists("tbl"), contains)
    await shape_error(lambda: api.wait_for_table("tbl", timeout=5), contains)


# --------------------------------------------------------------------------- retries


async def test_a_wrong_shape_is_retried_like_a_lost_answer(api: Api, canned: Canned) -> None:
    # A read may be sent again; a counting update, which may have been applied, is not.
    retrying = local_client(canned.url, max_attempts=3)
    retrying.request_retry = RetryPolicy(attempts=3, base=0.001, cap=0.001)
    try:
        again = Api(retrying, api.mode)
        canned.answer(GetItem={"Item": []})
        await shape_error(lambda: again.get_item("tbl", {"pk": "a"}))
        assert canned.ops() == ["GetItem"] * 3

        canned.answer(UpdateItem={})
        await shape_error(lambda: again.update_item("tbl", {"pk": "a"}, {"n": 1}))
        assert canned.ops() == ["UpdateItem"] * 3  # setting a value twice is harmless

        canned.answer(UpdateItem={})
        await shape_error(
            lambda: again.update_item("tbl", {"pk": "a"}, atomic=[Attr("n").add(1)]),
            "Attributes is missing",
        )
        assert canned.ops() == ["UpdateItem"]
    finally:
        await retrying.close()
