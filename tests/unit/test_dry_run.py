"""Dry runs (issue 15 item 6): ``with client.dry_run() as sent:`` and ``result.explain()``.

Each scenario runs twice, through the async and the sync API: once against a canned DynamoDB
(tests/canned.py) that answers it, and once in a dry run on a client whose server refuses
every request. The dry run must record exactly the requests the canned server received (the
JSON bodies, bytes as base64, a transaction's random ``ClientRequestToken`` aside), run the
operation to its end, and never reach its server (no request, no connection).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterator
from decimal import Decimal
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    BatchWriteError,
    Collection,
    DryRun,
    DynamoConfig,
    DynamoDBClient,
    Get,
    GlobalSecondaryIndex,
    IndexSpec,
    Model,
    PartitionKey,
    SortKey,
    ValidationException,
    Version,
    set_default_client,
)
from pydynox._protocol._dry_run import DRY_ANSWERS, DryRunState
from pydynox._protocol._shapes import OPERATIONS, check_response
from pydynox._transport._wire import encode
from pydynox.local import local_client

from ..canned import Canned, Reply
from ..entity_models import Order, User
from ..integration.api import Api


class Note(Model):
    """A versioned model with a required field and an index."""

    model_config = DynamoConfig(table="notes")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    text: str
    tags: set[str] = set()
    blob: bytes = b""
    n: int = 0
    version: Annotated[int, Version()] = 0
    by_text = GlobalSecondaryIndex("by-text", partition_key="text")


KEY_SCHEMA = [
    {"AttributeName": "pk", "KeyType": "HASH"},
    {"AttributeName": "sk", "KeyType": "RANGE"},
]
PAGE = {"Items": [], "Count": 0, "ScannedCount": 0}
NOT_FOUND = Reply(
    400,
    {"__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException", "message": "gone"},
)


def _stored(request: dict[str, Any]) -> dict[str, Any]:
    """What the canned server answers an update: the item after it (a whole Note)."""
    return {"Attributes": {**request["Key"], "text": {"S": "stored"}, "version": {"N": "2"}}}


# What the canned server answers: DynamoDB's answers, written here, not the dry run's.
ANSWERS: dict[str, Any] = {
    "GetItem": {},
    "PutItem": {},
    "DeleteItem": {},
    "UpdateItem": _stored,
    "Query": PAGE,
    "Scan": PAGE,
    "BatchGetItem": lambda r: {"Responses": {t: [] for t in r["RequestItems"]}},
    "BatchWriteItem": {"UnprocessedItems": {}},
    "TransactWriteItems": {},
    "TransactGetItems": lambda r: {"Responses": [{} for _ in r["TransactItems"]]},
    "CreateTable": {"TableDescription": {"TableStatus": "CREATING"}},
    "DescribeTable": lambda r: {
        "Table": {"TableName": r["TableName"], "TableStatus": "ACTIVE", "KeySchema": KEY_SCHEMA}
    },
    "UpdateTimeToLive": {},
    "DeleteTable": {},
    "ExecuteStatement": {"Items": []},
}

Sent = list[tuple[str, Any]]
Scenario = Callable[[Api], Awaitable[object]]


def _normal(op: str, body: dict[str, Any]) -> tuple[str, Any]:
    if "ClientRequestToken" in body:  # random per transaction
        body = {**body, "ClientRequestToken": "token"}
    return op, body


def recorded(sent: list[DryRun]) -> Sent:
    """The dry run's records as the JSON bodies the wire would send."""
    return [_normal(run.operation, json.loads(encode(run.request))) for run in sent]


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def real() -> Iterator[Canned]:
    with Canned(limit=40) as made:
        yield made


@pytest.fixture(scope="module")
def refusing() -> Iterator[Canned]:
    """A server that answers no request (each one gets a 400)."""
    with Canned(limit=0) as made:
        yield made


@pytest.fixture
def real_client(real: Canned) -> Iterator[DynamoDBClient]:
    real.answer(**ANSWERS)
    made = local_client(real.url, max_attempts=1, cursor_secret="dry-run-unit-tests")
    yield made
    made.sync_close()


@pytest.fixture
def dry_client(refusing: Canned) -> Iterator[DynamoDBClient]:
    refusing.answer()
    made = local_client(refusing.url, max_attempts=1, cursor_secret="dry-run-unit-tests")
    yield made
    made.sync_close()
    assert refusing.requests == [] and refusing.connections == 0, "a dry run reached a server"


async def on_server(real: Canned, client: DynamoDBClient, mode: str, scenario: Scenario) -> Sent:
    """The requests ``scenario`` sends to the canned server."""
    set_default_client(client)
    try:
        await scenario(Api(client, mode))
    finally:
        set_default_client(None)
    return [_normal(request.op, request.json()) for request in real.requests]


async def dry(
    client: DynamoDBClient, mode: str, scenario: Scenario, **tables: tuple[str, ...]
) -> tuple[Sent, object]:
    """What ``scenario`` records in a dry run, and what it returned."""
    set_default_client(client)
    try:
        with client.dry_run(tables) as sent:
            result = await scenario(Api(client, mode))
    finally:
        set_default_client(None)
    return recorded(sent), result


# -- scenarios: each the same on the server and in a dry run --------------------------------

KEY = {"pk": "a", "sk": "b"}


async def items(api: Api) -> object:
    got = await api.get_item("tab", KEY, consistent_read=True)
    await api.put_item("tab", {**KEY, "n": 1, "b": b"\x00\xff"}, condition=Attr("pk").not_exists())
    updated = await api.update_item(
        "tab",
        KEY,
        updates={"name": "Ann", "gone": None},
        atomic=[Attr("n").add(1)],
        condition=(Attr("n") < 10) & (Attr("name") != "x"),
    )
    await api.delete_item("tab", KEY, condition=Attr("n").exists())
    return got, updated


async def reads(api: Api) -> object:
    queried = await api.query(
        "tab",
        key_condition_expression=(Attr("pk") == "a") & Attr("sk").begins_with("ORDER#"),
        filter_expression=Attr("total") > 3,
        index_name="by-total",
        limit=5,
    ).all()
    scanned = await api.scan("tab", filter_expression=Attr("n").between(1, 9), page_size=7).all()
    got = await api.batch_get("tab", [{"pk": "a", "sk": str(i)} for i in range(3)])
    return queried, scanned, got


async def batch(api: Api) -> object:
    async with api.batch_writer("tab") as writer:
        for i in range(30):
            writer.put({"pk": "a", "sk": str(i), "n": i})
        writer.delete({"pk": "b", "sk": "0"})
    return None


async def transaction(api: Api) -> object:
    async with api.transaction() as tx:
        tx.put("tab", {"pk": "a", "sk": "1"}, condition=Attr("pk").not_exists())
        tx.update("tab", {"pk": "a", "sk": "2"}, atomic=[Attr("n").add(-1)])
        tx.delete("tab", {"pk": "a", "sk": "3"})
        tx.condition_check("tab", {"pk": "a", "sk": "4"}, condition=Attr("n") > 0)
    return await api.transact_get([Get("tab", {"pk": "a", "sk": "1"})])


async def models(api: Api) -> object:
    got = await api.on(Note).get(pk="a", sk="b")
    note = Note(pk="a", sk="b", text="hi", tags={"x"}, blob=b"\x01")
    await api.on(note).save()
    await api.on(note).delete()
    return got


async def model_update(api: Api) -> object:
    note = Note(pk="a", sk="b", text="hi", version=1)
    await api.on(note).update(n=3)
    return note


async def collection(api: Api) -> object:
    return await api.on(Collection(User, Order)).query(user_id="1").all()


async def tables(api: Api) -> object:
    await api.create_table(
        "new-table",
        sort_key=("sk", "S"),
        global_indexes=[IndexSpec("by-n", partition_key=("n", "N"))],
        ttl_attribute="expires",
    )
    return None


async def statements(api: Api) -> object:
    rows = await api.execute_statement('SELECT * FROM "tab" WHERE pk = ?', ["a"])
    await api.execute_statement('UPDATE "tab" SET n = n + 1 WHERE pk = ? AND sk = ?', ["a", "b"])
    return rows


SCENARIOS = [items, reads, batch, transaction, models, collection, tables, statements]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
async def test_a_dry_run_records_what_the_server_would_receive(
    real: Canned,
    real_client: DynamoDBClient,
    dry_client: DynamoDBClient,
    mode: str,
    scenario: Scenario,
) -> None:
    expected = await on_server(real, real_client, mode, scenario)
    assert expected, "the scenario sent nothing"
    # The batch writer learns the table's keys from DescribeTable; a dry run is told them.
    sent, _ = await dry(dry_client, mode, scenario, tab=("pk", "sk"))
    assert sent == expected


async def test_a_model_update_runs_to_its_end_in_a_dry_run(
    real: Canned,
    real_client: DynamoDBClient,
    dry_client: DynamoDBClient,
    mode: str,
) -> None:
    expected = await on_server(real, real_client, mode, model_update)
    sent, note = await dry(dry_client, mode, model_update)
    assert sent == expected
    assert isinstance(note, Note) and note.text == "hi"


async def test_reads_find_nothing_and_writes_succeed(dry_client: DynamoDBClient, mode: str) -> None:
    sent, found = await dry(dry_client, mode, items)
    assert found == (None, KEY)  # no item; an ALL_NEW update gives back the key
    sent, found = await dry(dry_client, mode, reads)
    assert found == ([], [], [])
    sent, found = await dry(dry_client, mode, models)
    assert found is None
    sent, found = await dry(dry_client, mode, transaction)
    assert found == [None]
    assert [op for op, _ in sent] == ["TransactWriteItems", "TransactGetItems"]


async def test_the_conditional_update_shows_names_and_values_as_placeholders(
    dry_client: DynamoDBClient,
) -> None:
    with dry_client.dry_run() as sent:
        await dry_client.update_item(
            "tab", KEY, updates={"status": "paid"}, condition=Attr("status") == "open"
        )
    assert sent == [
        DryRun(
            "UpdateItem",
            {
                "TableName": "tab",
                "Key": {"pk": {"S": "a"}, "sk": {"S": "b"}},
                "UpdateExpression": "SET #n0 = :v0",
                "ReturnValues": "ALL_NEW",
                "ConditionExpression": "#n0 = :v1",
                "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                "ExpressionAttributeNames": {"#n0": "status"},
                "ExpressionAttributeValues": {":v0": {"S": "paid"}, ":v1": {"S": "open"}},
            },
        )
    ]


# -- tables -----------------------------------------------------------------------------------


async def test_waits_end_at_once_on_tables_the_dry_run_knows(
    dry_client: DynamoDBClient, mode: str
) -> None:
    api = Api(dry_client, mode)
    with dry_client.dry_run(tables={"known-table": "pk"}) as sent:
        await api.create_table("made-table", wait=True)
        assert await api.table_exists("made-table")
        await api.wait_for_table("known-table", timeout=0.5)
        await api.delete_table("made-table", wait=True, timeout=0.5)  # then it is gone
        assert not await api.table_exists("made-table")
    created = ["CreateTable", "DescribeTable", "DescribeTable", "DescribeTable"]
    deleted = ["DeleteTable", "DescribeTable", "DescribeTable"]
    assert [run.operation for run in sent] == [*created, *deleted]


async def test_a_table_the_dry_run_does_not_know_cannot_be_described(
    dry_client: DynamoDBClient, mode: str
) -> None:
    """Unknown key names would change the requests (a batch collapses writes to one item by
    its key): the dry run says so rather than invent a schema."""
    with (
        dry_client.dry_run() as sent,
        pytest.raises(BatchWriteError, match=r"dry_run\(tables="),
    ):
        await batch(Api(dry_client, mode))
    assert [run.operation for run in sent] == ["DescribeTable"]


async def test_what_a_dry_run_taught_the_client_is_forgotten(
    real: Canned, real_client: DynamoDBClient, mode: str
) -> None:
    # Told a partition key only, the dry run's batch takes the 30 puts for one item.
    with real_client.dry_run(tables={"tab": "pk"}) as sent:
        await batch(Api(real_client, mode))
    writes = [write for run in sent[1:] for write in run.request["RequestItems"]["tab"]]
    assert len([write for write in writes if "PutRequest" in write]) < 30
    # The client asks DynamoDB for the keys it was told in the dry run, and writes them all.
    await batch(Api(real_client, mode))
    assert real.ops() == ["DescribeTable", "BatchWriteItem", "BatchWriteItem"]
    assert real_client._key_names == {"tab": ("pk", "sk")}


async def test_the_dry_run_knows_the_tables_its_client_described(
    real: Canned, real_client: DynamoDBClient, mode: str
) -> None:
    await batch(Api(real_client, mode))
    expected = [_normal(request.op, request.json()) for request in real.requests]
    with real_client.dry_run() as sent:
        await batch(Api(real_client, mode))
    assert recorded(sent) == expected[1:]  # the keys are known: no DescribeTable
    assert len(real.requests) == 3  # the dry run sent nothing


# -- scope ------------------------------------------------------------------------------------


async def test_the_dry_run_covers_the_tasks_it_starts_and_ends_with_its_block(
    real: Canned, real_client: DynamoDBClient, dry_client: DynamoDBClient
) -> None:
    with dry_client.dry_run() as sent:
        found = await asyncio.gather(
            *(real_client.get_item("tab", {"pk": str(i), "sk": "x"}) for i in range(3)),
            asyncio.to_thread(real_client.sync_get_item, "tab", KEY),
        )
    assert found == [None] * 4
    assert len(sent) == 4 and real.requests == []  # any client's calls are dry
    await real_client.get_item("tab", KEY)
    assert real.ops() == ["GetItem"] and len(sent) == 4


async def test_nested_dry_runs_each_record_the_calls_in_them(dry_client: DynamoDBClient) -> None:
    with dry_client.dry_run(tables={"outer-table": "pk"}) as outer:
        await dry_client.get_item("tab", KEY)
        with dry_client.dry_run() as inner:
            await dry_client.wait_for_table("outer-table", timeout=0.5)
        await dry_client.put_item("tab", KEY)
    assert [run.operation for run in outer] == ["GetItem", "DescribeTable", "PutItem"]
    assert [run.operation for run in inner] == ["DescribeTable"]


async def test_no_listener_hears_a_dry_call_and_no_capacity_is_metered(
    dry_client: DynamoDBClient,
) -> None:
    heard: list[object] = []
    remove = dry_client.on_call(heard.append)
    try:
        with dry_client.capacity() as used, dry_client.dry_run() as sent:
            await dry_client.get_item("tab", KEY)
            dry_client.sync_put_item("tab", KEY)
    finally:
        remove()
    assert heard == [] and used.calls == 0
    # The meter made them ask for their capacity: the requests show it.
    assert [run.request["ReturnConsumedCapacity"] for run in sent] == ["TOTAL", "TOTAL"]


async def test_requests_are_recorded_with_the_table_prefix(refusing: Canned) -> None:
    client = local_client(refusing.url, table_prefix="dev-", return_consumed_capacity="INDEXES")
    try:
        with client.dry_run(tables={"tab": ("pk", "sk")}) as sent:
            await client.batch_write("tab", put_items=[{"pk": "a", "sk": "b"}])
    finally:
        client.sync_close()
    assert sent == [
        DryRun("DescribeTable", {"TableName": "dev-tab"}),
        DryRun(
            "BatchWriteItem",
            {
                "RequestItems": {
                    "dev-tab": [{"PutRequest": {"Item": {"pk": {"S": "a"}, "sk": {"S": "b"}}}}]
                },
                "ReturnConsumedCapacity": "INDEXES",
            },
        ),
    ]
    assert refusing.requests == []


def test_a_record_is_frozen_and_public() -> None:
    run = DryRun("GetItem", {"TableName": "tab"})
    with pytest.raises(AttributeError):
        run.operation = "PutItem"  # type: ignore[misc]
    assert repr(run).startswith("DryRun(") and DryRun.__module__ == "pydynox"


def test_bad_table_key_names_are_refused(dry_client: DynamoDBClient) -> None:
    for bad in ({"tab": ()}, {"tab": ("a", "b", "c")}, {"tab": ("a", "")}, {"tab": (1,)}):
        with (
            pytest.raises(ValidationException, match="dry_run"),
            dry_client.dry_run(tables=bad),  # type: ignore[arg-type]
        ):
            pass


# -- explain ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "read",
    [
        lambda api: api.query(
            "tab",
            key_condition_expression=Attr("pk") == "a",
            filter_expression=Attr("n") > 1,
            limit=3,
        ),
        lambda api: api.scan("tab", segment=1, total_segments=4, consistent_read=True),
        lambda api: api.on(Note).query(
            partition_key="a", sort_key_condition=Attr("sk").begins_with("x")
        ),
        lambda api: api.on(Note.by_text).query(partition_key="hi", filter_condition=Note.n > 2),
        lambda api: api.on(Collection(User, Order)).query(user_id="1"),
    ],
    ids=["client-query", "client-scan", "model-query", "index-query", "collection"],
)
async def test_explain_is_the_first_request_a_read_sends(
    real: Canned,
    real_client: DynamoDBClient,
    dry_client: DynamoDBClient,
    mode: str,
    read: Callable[[Api], Any],
) -> None:
    set_default_client(real_client)
    try:
        await read(Api(real_client, mode)).all()
    finally:
        set_default_client(None)
    first = real.requests[0]
    set_default_client(dry_client)
    try:
        result = read(Api(dry_client, mode))
        explained = result.result.explain() if mode == "sync" else result.explain()
    finally:
        set_default_client(None)
    assert (first.op, first.json()) == (result_op(explained), json.loads(encode(explained)))


def result_op(request: dict[str, Any]) -> str:
    return "Query" if "KeyConditionExpression" in request else "Scan"


async def test_explain_shows_the_prefix_and_the_capacity_asked_for(refusing: Canned) -> None:
    client = local_client(refusing.url, return_consumed_capacity="INDEXES", table_prefix="dev-")
    plain = local_client(refusing.url)
    try:
        queried = client.sync_query("tab", key_condition_expression=Attr("pk") == "a").explain()
        scanned = client.scan("tab").explain()
        budgeted = plain.scan("tab", max_read_units=5).explain()
        unasked = plain.scan("tab").explain()
    finally:
        client.sync_close()
        plain.sync_close()
    assert queried["TableName"] == scanned["TableName"] == "dev-tab"
    assert queried["ReturnConsumedCapacity"] == scanned["ReturnConsumedCapacity"] == "INDEXES"
    assert budgeted["ReturnConsumedCapacity"] == "TOTAL"  # a budget needs the capacity
    assert unasked == {"TableName": "tab"}
    assert refusing.requests == []


# -- the answers ------------------------------------------------------------------------------

REQUESTS: dict[str, dict[str, Any]] = {
    "GetItem": {"TableName": "tab", "Key": {"pk": {"S": "a"}}},
    "PutItem": {"TableName": "tab", "Item": {"pk": {"S": "a"}}, "ReturnValues": "ALL_OLD"},
    "UpdateItem": {"TableName": "tab", "Key": {"pk": {"S": "a"}}, "ReturnValues": "ALL_NEW"},
    "DeleteItem": {"TableName": "tab", "Key": {"pk": {"S": "a"}}},
    "Query": {"TableName": "tab", "Select": "COUNT"},
    "Scan": {"TableName": "tab"},
    "BatchGetItem": {"RequestItems": {"tab": {"Keys": [{"pk": {"S": "a"}}]}}},
    "BatchWriteItem": {"RequestItems": {"tab": [{"DeleteRequest": {"Key": {"pk": {"S": "a"}}}}]}},
    "TransactWriteItems": {"TransactItems": []},
    "TransactGetItems": {"TransactItems": [{"Get": {}}, {"Get": {}}]},
    "CreateTable": {"TableName": "tab", "KeySchema": KEY_SCHEMA},
    "DeleteTable": {"TableName": "other"},
    "DescribeTable": {"TableName": "tab"},
    "UpdateTimeToLive": {"TableName": "tab"},
    "ExecuteStatement": {"Statement": "SELECT * FROM tab"},
}


def test_every_operation_has_a_dry_answer_in_dynamodb_s_shape() -> None:
    assert set(DRY_ANSWERS) == set(REQUESTS) == OPERATIONS
    state = DryRunState({})
    for op, request in REQUESTS.items():
        check_response(op, request, DRY_ANSWERS[op](request, state))
    assert state.tables["tab"] is not None
    assert state.tables["tab"]["KeySchema"] == KEY_SCHEMA
    assert state.tables["other"] is None


def test_a_dry_answer_is_the_smallest_valid_one() -> None:
    state = DryRunState({})
    assert DRY_ANSWERS["GetItem"](REQUESTS["GetItem"], state) == {}
    assert DRY_ANSWERS["Query"](REQUESTS["Query"], state) == {
        "Items": [],
        "Count": 0,
        "ScannedCount": 0,
    }
    assert DRY_ANSWERS["UpdateItem"](REQUESTS["UpdateItem"], state) == {
        "Attributes": {"pk": {"S": "a"}}
    }
    no_return = {**REQUESTS["UpdateItem"], "ReturnValues": "UPDATED_NEW"}
    assert DRY_ANSWERS["UpdateItem"](no_return, state) == {}
    assert DRY_ANSWERS["TransactGetItems"](REQUESTS["TransactGetItems"], state) == {
        "Responses": [{}, {}]
    }
    assert Decimal(0) == DRY_ANSWERS["Scan"](REQUESTS["Scan"], state)["Count"]
