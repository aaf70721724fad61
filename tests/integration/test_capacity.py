"""Consumed capacity: what pydynox reports is what the server answered, call by call.

Every client here talks to the local server through ``Recorder``, the fault proxy of
tests/faults.py with no fault but keeping every answer as the server sent it (its raw JSON).
Each scenario then checks, for every DynamoDB call made:

- the request asked for the capacity the client was set to (``ReturnConsumedCapacity``);
- the call's ``CallRecord.consumed_capacity`` (``client.on_call``) is the answer's
  ``ConsumedCapacity``, read here from the raw JSON by ``expected`` (DynamoDB's rules, written
  out independently of pydynox: one entry or a list of entries, a table's units summed over
  its entries, an index's keyed ``"table/index"``, and an entry that gives only
  ``CapacityUnits`` counted as read units for a read and write units for a write);
- ``client.capacity()`` summed the same answers, and a query or scan result's
  ``consumed_capacity`` sums the answers of its own requests.

Both local servers report ``ConsumedCapacity``: moto fixed amounts (0.5 or 1 unit, whatever
the item), dynalite amounts computed from item sizes as DynamoDB does. Where they deviate from
DynamoDB (moto answers a TransactWriteItems with an empty list, and files a global index
under ``LocalSecondaryIndexes``; dynalite has no transactions), pydynox must still report
exactly what was answered. Each scenario runs with ``TOTAL`` and ``INDEXES``, through the
async and the sync API, on both transports and both servers.
"""

from __future__ import annotations

import asyncio
import json
import os
import time
from collections.abc import Iterator
from dataclasses import astuple, dataclass
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    CallRecord,
    ConditionalCheckFailedException,
    ConsumedCapacity,
    DynamoConfig,
    DynamoDBClient,
    Get,
    GlobalSecondaryIndex,
    Model,
    PartitionKey,
    Put,
    SortKey,
)
from pydynox.testing import local_client

from ..faults import FaultProxy, _Handler
from .api import Api
from .model_tables import Tables
from .tables import TablePool, create_table

pytestmark = pytest.mark.both_transports

READS = frozenset({"GetItem", "Query", "Scan", "BatchGetItem", "TransactGetItems"})
CAPACITY_OPS = READS | {
    "PutItem",
    "UpdateItem",
    "DeleteItem",
    "BatchWriteItem",
    "TransactWriteItems",
    "ExecuteStatement",
}

# -- the raw answers ---------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    """One answer the proxy gave: the operation, the request as sent, the HTTP status, the
    request id and the body, as raw JSON."""

    op: str
    request: dict[str, Any]
    status: int
    request_id: str
    body: dict[str, Any]


class _Recording(_Handler):
    """The fault proxy's handler, also recording each answer it writes."""

    _body = b""

    def _read_body(self) -> bytes:
        self._body = super()._read_body()
        return self._body

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        ids = [v for k, v in headers if k.lower() == "x-amzn-requestid"]
        if not ids:  # what the proxy would add, chosen here so it is known
            ids = [os.urandom(16).hex()]
            headers = [*headers, ("x-amzn-RequestId", ids[0])]
        target = self.headers.get("X-Amz-Target", "")
        answer = Answer(
            target.rsplit(".", 1)[-1],
            json.loads(self._body) if self._body else {},
            status,
            ids[0],
            json.loads(body) if body else {},
        )
        recorder = self.server.proxy
        assert isinstance(recorder, Recorder)
        with recorder.lock:
            recorder.answers.append(answer)
        super()._answer(status, headers, body)


class Recorder(FaultProxy):
    """A ``FaultProxy`` that keeps every answer it gave (``answers``, in order; ``take()``
    hands them over and forgets them). With no fault configured it only forwards."""

    def __init__(self, upstream: str, **settings: Any) -> None:
        super().__init__(upstream, **settings)
        self.answers: list[Answer] = []
        self._server.RequestHandlerClass = _Recording  # before any client connects

    def __enter__(self) -> Recorder:
        return self

    def take(self) -> list[Answer]:
        self.wait_idle()
        with self.lock:
            taken, self.answers = self.answers, []
        return taken


# -- what DynamoDB's answer says, read independently of pydynox --------------------------

Units = tuple[float, float, float]  # read, write, total
Shape = dict[str, Any]  # {"total": Units, "tables": {name: Units}, "indexes": {name: Units}}


def _units(entry: dict[str, Any], read: bool) -> Units:
    total = float(entry.get("CapacityUnits", 0))
    reads, writes = entry.get("ReadCapacityUnits"), entry.get("WriteCapacityUnits")
    if reads is None and writes is None:
        return (total, 0.0, total) if read else (0.0, total, total)
    return float(reads or 0), float(writes or 0), total


def _add(a: Units, b: Units) -> Units:
    return a[0] + b[0], a[1] + b[1], a[2] + b[2]


def _add_to(into: dict[str, Units], name: str, units: Units) -> None:
    into[name] = _add(into[name], units) if name in into else units


def expected(answer: Answer) -> Shape | None:
    """The capacity ``answer`` reports, by DynamoDB's rules (None: it reports none)."""
    raw = answer.body.get("ConsumedCapacity")
    if not raw:
        return None
    read = answer.op in READS or (answer.op == "ExecuteStatement" and "Items" in answer.body)
    total: Units = (0.0, 0.0, 0.0)
    tables: dict[str, Units] = {}
    indexes: dict[str, Units] = {}
    for entry in raw if isinstance(raw, list) else [raw]:
        units = _units(entry, read)
        total = _add(total, units)
        _add_to(tables, entry["TableName"], units)
        for kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            for index, spent in entry.get(kind, {}).items():
                _add_to(indexes, f"{entry['TableName']}/{index}", _units(spent, read))
    return {"total": total, "tables": tables, "indexes": indexes}


def summed(shapes: list[Shape | None]) -> Shape:
    out: Shape = {"total": (0.0, 0.0, 0.0), "tables": {}, "indexes": {}}
    for shape in shapes:
        if shape is None:
            continue
        out["total"] = _add(out["total"], shape["total"])
        for part in ("tables", "indexes"):
            for name, units in shape[part].items():
                _add_to(out[part], name, units)
    return out


def shape(capacity: ConsumedCapacity | None) -> Shape | None:
    """pydynox's report in the same form."""
    if capacity is None:
        return None
    return {
        "total": astuple(capacity.total),
        "tables": {name: astuple(units) for name, units in capacity.tables.items()},
        "indexes": {name: astuple(units) for name, units in capacity.indexes.items()},
    }


def result_capacity(result: Any) -> ConsumedCapacity | None:
    """A query or scan result's capacity, async result or the sync one ``Api`` wraps."""
    capacity: ConsumedCapacity | None = getattr(result, "result", result).consumed_capacity
    return capacity


# -- fixtures --------------------------------------------------------------------------


class Watch:
    """A client on the recorder, and the records of its calls."""

    def __init__(self, recorder: Recorder, client: DynamoDBClient, mode: str | None) -> None:
        self.recorder = recorder
        self.client = client
        self.mode = mode
        self.records: list[CallRecord] = []
        client.on_call(self._heard)

    def _heard(self, record: CallRecord) -> None:
        self.records.append(record)

    def reset(self) -> None:
        """Forget the calls so far (a scenario's setup)."""
        self.recorder.take()
        self.records.clear()

    def check(self, ops: list[str] | None = None) -> tuple[list[Answer], Shape]:
        """Every call since the last check: one record per answer, the capacity asked for
        (by the operations that take ``ReturnConsumedCapacity``), each record's capacity as
        answered. Returns the answers and their capacity summed."""
        answers = self.recorder.take()
        records, self.records = self.records, []
        assert [r.operation for r in records] == [a.op for a in answers]
        if ops is not None:
            assert [a.op for a in answers] == ops
        shapes = []
        for answer, record in zip(answers, records, strict=True):
            assert answer.status == 200, answer
            asked = self.mode if answer.op in CAPACITY_OPS else None  # DescribeTable: never
            assert answer.request.get("ReturnConsumedCapacity") == asked, answer.request
            assert shape(record.consumed_capacity) == expected(answer), answer.body
            shapes.append(expected(answer))
        return answers, summed(shapes)


@pytest.fixture
def recorder(endpoint: str) -> Iterator[Recorder]:
    with Recorder(endpoint) as running:
        yield running
        assert running.counts["upstream_errors"] == 0, running.summary()
        assert not running.errors, running.errors


@pytest.fixture(params=["TOTAL", "INDEXES"])
def capacity_mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _client(recorder: Recorder, transport: str, capacity: str | None) -> DynamoDBClient:
    return local_client(
        recorder.url,
        transport=transport,
        return_consumed_capacity=capacity,
        cursor_secret="capacity-tests-cursor-secret",
    )


@pytest.fixture
def watch(recorder: Recorder, client_transport: str, capacity_mode: str) -> Iterator[Watch]:
    """A client asking for ``capacity_mode`` on every call."""
    made = _client(recorder, client_transport, capacity_mode)
    yield Watch(recorder, made, capacity_mode)
    made.sync_close()  # the async side closes with the test's event loop


@pytest.fixture
def plain_watch(recorder: Recorder, client_transport: str) -> Iterator[Watch]:
    """A client that asks for capacity only inside ``client.capacity()``."""
    made = _client(recorder, client_transport, None)
    yield Watch(recorder, made, None)
    made.sync_close()


@pytest.fixture
def second_table(table_pool: TablePool) -> Iterator[str]:
    """Another empty table keyed like ``table``, for batches and transactions on two."""
    keys = (("pk", "S"), ("sk", "S"))
    with table_pool.lend(keys, lambda name: create_table(table_pool.boto, name, *keys)) as name:
        yield name


def _create_indexed(boto: Any, name: str) -> None:
    """``pk``/``sk`` with a global index on ``g`` and a local one on ``pk``/``l``."""
    boto.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": name, "AttributeType": "S"} for name in ("pk", "sk", "g", "l")
        ],
        GlobalSecondaryIndexes=[
            {
                "IndexName": "g-index",
                "KeySchema": [{"AttributeName": "g", "KeyType": "HASH"}],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "l-index",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "l", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    deadline = time.monotonic() + 10
    while boto.describe_table(TableName=name)["Table"]["TableStatus"] != "ACTIVE":
        assert time.monotonic() < deadline, f"table {name} is not ACTIVE after 10 s"
        time.sleep(0.005)


@pytest.fixture
def indexed_table(table_pool: TablePool) -> Iterator[str]:
    kind = ("capacity-tests", "g-index", "l-index")
    with table_pool.lend(kind, lambda name: _create_indexed(table_pool.boto, name)) as name:
        yield name


# -- single items --------------------------------------------------------------------------

BIG = "x" * 5_000  # over 4 KB: several read units and write units where the server computes


async def test_item_reads_and_writes_report_what_the_server_answered(
    watch: Watch, mode: str, table: str
) -> None:
    api = Api(watch.client, mode)
    key = {"pk": "P", "sk": "1"}
    with watch.client.capacity() as used:
        await api.put_item(table, {**key, "big": BIG})
        await api.get_item(table, key)
        await api.get_item(table, key, consistent_read=True)
        await api.get_item(table, {"pk": "P", "sk": "missing"})
        await api.update_item(table, key, updates={"n": 1}, condition=Attr("pk").exists())
        await api.put_item(table, {**key, "small": 1}, return_values="ALL_OLD")
        await api.delete_item(table, key, return_values="ALL_OLD")
    ops = ["PutItem", "GetItem", "GetItem", "GetItem", "UpdateItem", "PutItem", "DeleteItem"]
    answers, spent = watch.check(ops)
    assert shape(used.consumed) == spent
    assert used.calls == len(answers)
    writes = spent["total"][1]
    assert spent["total"][0] > 0 and writes > 0  # both servers report item capacity
    assert set(spent["tables"]) == {table}
    assert spent["indexes"] == {}


async def test_a_call_that_fails_its_condition_reports_no_capacity(
    watch: Watch, mode: str, table: str
) -> None:
    """A failed condition is an error answer: no capacity to report, and no record
    claims one; the meter stays as it was."""
    api = Api(watch.client, mode)
    with watch.client.capacity() as used, pytest.raises(ConditionalCheckFailedException):
        await api.put_item(table, {"pk": "P", "sk": "1"}, condition=Attr("pk").exists())
    answers = watch.recorder.take()
    records, watch.records = watch.records, []
    assert [a.status for a in answers] == [400]
    assert [r.operation for r in records] == ["PutItem"]
    assert records[0].consumed_capacity is None
    assert records[0].error == "ConditionalCheckFailedException"
    assert used.calls == 0 and shape(used.consumed) == summed([])


# -- queries, scans and counts -------------------------------------------------------------


async def test_query_and_scan_results_sum_the_capacity_of_their_pages(
    watch: Watch, mode: str, table: str
) -> None:
    api = Api(watch.client, mode)
    await api.batch_write(
        table, put_items=[{"pk": "P", "sk": f"{i}", "big": BIG} for i in range(5)]
    )
    watch.reset()
    with watch.client.capacity() as used:
        query = api.query(table, key_condition_expression=Attr("pk") == "P", page_size=2)
        assert len(await query.all()) == 5
        answers, query_spent = watch.check()
        assert len(answers) >= 3 and {a.op for a in answers} == {"Query"}
        assert shape(result_capacity(query)) == query_spent

        scan = api.scan(table, filter_expression=Attr("sk") != "3", page_size=2)
        assert len(await scan.all()) == 4
        answers, scan_spent = watch.check()
        assert len(answers) >= 3 and {a.op for a in answers} == {"Scan"}
        assert shape(result_capacity(scan)) == scan_spent

        limited = api.query(table, key_condition_expression=Attr("pk") == "P", limit=1)
        assert len(await limited.all()) == 1
        answers, limited_spent = watch.check(["Query"])
        assert shape(result_capacity(limited)) == limited_spent

        # Iterating again starts over: the result reports the last iteration only.
        assert len(await query.all()) == 5
        _, again = watch.check()
        assert shape(result_capacity(query)) == again
    assert shape(used.consumed) == summed([query_spent, scan_spent, limited_spent, again])
    assert query_spent["total"][0] > 0 and query_spent["total"][1] == 0


async def test_counts_report_their_capacity_to_records_and_meters(
    watch: Watch, mode: str, table: str
) -> None:
    api = Api(watch.client, mode)
    await api.batch_write(table, put_items=[{"pk": "P", "sk": f"{i}"} for i in range(3)])
    watch.reset()
    with watch.client.capacity() as used:
        assert await api.count(table, key_condition_expression=Attr("pk") == "P") == 3
        assert await api.count(table, filter_expression=Attr("sk") == "1") == 1
    _, spent = watch.check(["Query", "Scan"])
    assert shape(used.consumed) == spent and used.calls == 2


async def test_an_index_query_reports_each_index_apart_with_indexes(
    watch: Watch, mode: str, indexed_table: str
) -> None:
    api = Api(watch.client, mode)
    table = indexed_table
    await api.batch_write(
        table,
        put_items=[{"pk": "P", "sk": f"{i}", "g": "G", "l": f"L{i}"} for i in range(3)],
    )
    watch.reset()
    with watch.client.capacity() as used:
        on_global = api.query(
            table, key_condition_expression=Attr("g") == "G", index_name="g-index"
        )
        assert len(await on_global.all()) == 3
        on_local = api.query(
            table,
            key_condition_expression=(Attr("pk") == "P") & (Attr("l") >= "L1"),
            index_name="l-index",
        )
        assert len(await on_local.all()) == 2
        assert await api.count(table, filter_expression=Attr("g") == "G", index_name="g-index") == 3
    answers, spent = watch.check(["Query", "Query", "Scan"])
    assert shape(used.consumed) == spent
    assert shape(result_capacity(on_global)) == expected(answers[0])
    assert shape(result_capacity(on_local)) == expected(answers[1])
    if watch.mode == "INDEXES":
        # Both servers break the units down by index (moto files the global index under
        # LocalSecondaryIndexes; pydynox keys both kinds "table/index").
        assert set(spent["indexes"]) == {f"{table}/g-index", f"{table}/l-index"}
        global_units = expected(answers[0])
        assert global_units is not None
        assert global_units["indexes"][f"{table}/g-index"][0] > 0
    else:
        assert spent["indexes"] == {}


async def test_index_records_name_the_index_read(
    watch: Watch, mode: str, indexed_table: str
) -> None:
    api = Api(watch.client, mode)
    await api.put_item(indexed_table, {"pk": "P", "sk": "1", "g": "G", "l": "L"})
    watch.reset()
    await api.query(
        indexed_table, key_condition_expression=Attr("g") == "G", index_name="g-index"
    ).all()
    await api.scan(indexed_table, index_name="l-index").all()
    await api.get_item(indexed_table, {"pk": "P", "sk": "1"})
    records = list(watch.records)
    watch.check(["Query", "Scan", "GetItem"])
    assert [r.index for r in records] == ["g-index", "l-index", None]
    assert all(r.tables == (indexed_table,) for r in records)


# -- batches and transactions ---------------------------------------------------------------


async def test_batches_report_the_capacity_of_every_request_by_table(
    watch: Watch, mode: str, table: str, second_table: str
) -> None:
    api = Api(watch.client, mode)
    with watch.client.capacity() as used:
        await api.batch_write(table, put_items=[{"pk": "P", "sk": f"{i:02}"} for i in range(30)])
        got = await api.batch_get(table, [{"pk": "P", "sk": f"{i:02}"} for i in range(120)])
        assert len(got) == 30
        async with api.batch_writer() as writer:
            await writer.put({"pk": "A", "sk": "1", "big": BIG}, table)
            await writer.put({"pk": "B", "sk": "1", "big": BIG}, second_table)
            await writer.delete({"pk": "P", "sk": "00"}, table)
    answers, spent = watch.check()
    ops = [a.op for a in answers]
    # 30 puts: two requests; 120 keys: two requests; the writer: one request on two tables.
    assert ops.count("BatchWriteItem") >= 3 and ops.count("BatchGetItem") >= 2
    assert set(ops) <= {"BatchWriteItem", "BatchGetItem", "DescribeTable"}  # key names
    assert shape(used.consumed) == spent
    assert set(spent["tables"]) == {table, second_table}
    last = answers[-1]
    assert last.op == "BatchWriteItem"
    assert set(last.request["RequestItems"]) == {table, second_table}
    one = expected(last)
    assert one is not None and set(one["tables"]) == {table, second_table}


@pytest.mark.needs("transactions")
async def test_transactions_report_what_the_server_answered_by_table(
    watch: Watch, mode: str, table: str, second_table: str, server: str
) -> None:
    api = Api(watch.client, mode)
    with watch.client.capacity() as used:
        await api.transact_write(
            [
                Put(table, {"pk": "A", "sk": "1", "big": BIG}),
                Put(second_table, {"pk": "B", "sk": "1"}),
                Put(table, {"pk": "C", "sk": "1"}),
            ]
        )
        got = await api.transact_get(
            [
                Get(table, {"pk": "A", "sk": "1"}),
                Get(second_table, {"pk": "B", "sk": "1"}),
                Get(table, {"pk": "C", "sk": "1"}),
            ]
        )
        assert [item and item["pk"] for item in got] == ["A", "B", "C"]
        async with api.transaction() as tx:
            tx.update(table, {"pk": "A", "sk": "1"}, updates={"n": 1})
            tx.delete(second_table, {"pk": "B", "sk": "1"})
    answers, spent = watch.check(["TransactWriteItems", "TransactGetItems", "TransactWriteItems"])
    assert shape(used.consumed) == spent
    read = expected(answers[1])
    assert read is not None
    # The reads of two tables, summed per table (moto reports 2 units per item read).
    assert set(read["tables"]) == {table, second_table}
    assert read["tables"][table][0] > read["tables"][second_table][0] > 0
    if server == "moto":  # moto answers a TransactWriteItems with an empty list
        assert answers[0].body.get("ConsumedCapacity") == []
        assert used.calls == 1  # only the TransactGetItems reported any


async def test_a_mix_of_item_calls_is_summed_by_table(
    watch: Watch, mode: str, table: str, second_table: str
) -> None:
    """One meter over calls on two tables: its tables are each table's answers summed."""
    api = Api(watch.client, mode)
    with watch.client.capacity() as used:
        await api.put_item(table, {"pk": "A", "sk": "1"})
        await api.put_item(second_table, {"pk": "A", "sk": "1", "big": BIG})
        await api.get_item(second_table, {"pk": "A", "sk": "1"})
        await api.update_item(table, {"pk": "A", "sk": "1"}, updates={"n": 2})
    _, spent = watch.check(["PutItem", "PutItem", "GetItem", "UpdateItem"])
    assert shape(used.consumed) == spent
    assert used.consumed.read_units == spent["total"][0]
    assert used.consumed.write_units == spent["total"][1]


# -- the meter alone -------------------------------------------------------------------------


async def test_a_meter_asks_for_capacity_only_inside_its_block(
    plain_watch: Watch, mode: str, table: str
) -> None:
    watch, api = plain_watch, Api(plain_watch.client, mode)
    await api.put_item(table, {"pk": "A", "sk": "1"})
    outside = watch.recorder.take()
    assert "ReturnConsumedCapacity" not in outside[0].request
    assert "ConsumedCapacity" not in outside[0].body
    assert watch.records[0].consumed_capacity is None
    watch.records.clear()

    with watch.client.capacity() as outer:
        await api.get_item(table, {"pk": "A", "sk": "1"})
        with watch.client.capacity() as inner:
            await api.put_item(table, {"pk": "B", "sk": "1"})
        await api.query(table, key_condition_expression=Attr("pk") == "A").all()
    watch.mode = "TOTAL"  # what a meter asks for
    answers, spent = watch.check(["GetItem", "PutItem", "Query"])
    assert shape(outer.consumed) == spent and outer.calls == 3
    assert shape(inner.consumed) == summed([expected(answers[1])]) and inner.calls == 1

    watch.mode = None
    await api.get_item(table, {"pk": "A", "sk": "1"})
    watch.check(["GetItem"])
    assert outer.calls == 3  # the meter ended with its block


async def test_a_meter_follows_into_the_tasks_its_block_starts(
    plain_watch: Watch, table: str
) -> None:
    client = plain_watch.client
    with client.capacity() as used:
        await asyncio.gather(*(client.put_item(table, {"pk": f"{i}", "sk": "1"}) for i in range(4)))
    plain_watch.mode = "TOTAL"
    _, spent = plain_watch.check(["PutItem"] * 4)
    assert shape(used.consumed) == spent and used.calls == 4


# -- models ----------------------------------------------------------------------------------


class Order(Model):
    model_config = DynamoConfig(table="orders")  # rebound per test
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    status: str = "new"
    note: str = ""

    by_status = GlobalSecondaryIndex("status-index", partition_key="status")


async def test_model_operations_report_what_the_server_answered(
    watch: Watch, mode: str, tables: Tables
) -> None:
    orders = await tables(Order, client=watch.client)
    table = orders.model_config["table"]
    api = Api(watch.client, mode)
    watch.reset()
    with watch.client.capacity() as used:
        order = orders(pk="U", sk="1", note=BIG)
        await api.on(order).save()
        await api.on(orders(pk="U", sk="2")).save()
        assert await api.on(orders).get(pk="U", sk="1") is not None
        await api.on(order).update(status="paid")
        await api.on(orders).update_by_key(pk="U", sk="2", status="paid")
        query = api.on(orders).query(partition_key="U")
        assert len(await query.all()) == 2
        on_index = api.on(orders.by_status).query(partition_key="paid")
        assert len(await on_index.all()) == 2
        assert await api.on(orders).count(partition_key="U") == 2
        assert len(await api.on(orders).batch_get([{"pk": "U", "sk": "1"}])) == 1
        await api.on(order).delete()
        await api.on(orders).delete_by_key(pk="U", sk="2")
    answers, spent = watch.check(
        [
            "PutItem",
            "PutItem",
            "GetItem",
            "UpdateItem",
            "UpdateItem",
            "Query",
            "Query",
            "Query",
            "BatchGetItem",
            "DeleteItem",
            "DeleteItem",
        ]
    )
    assert shape(used.consumed) == spent
    assert shape(result_capacity(query)) == expected(answers[5])
    assert shape(result_capacity(on_index)) == expected(answers[6])
    assert set(spent["tables"]) == {table}
    if watch.mode == "INDEXES":
        assert f"{table}/status-index" in spent["indexes"]


@pytest.mark.needs("transactions")
async def test_model_transactions_and_batches_report_what_the_server_answered(
    watch: Watch, mode: str, tables: Tables
) -> None:
    orders = await tables(Order, client=watch.client)
    api = Api(watch.client, mode)
    watch.reset()
    with watch.client.capacity() as used:
        async with api.batch_writer() as writer:
            for i in range(3):
                await writer.put(orders(pk="U", sk=f"{i}"))
        async with api.transaction() as tx:
            tx.put(orders(pk="U", sk="9"))
            tx.delete(orders(pk="U", sk="0"))
    _, spent = watch.check(["BatchWriteItem", "TransactWriteItems"])
    assert shape(used.consumed) == spent


# -- every operation that takes ReturnConsumedCapacity asks for it --------------------------


async def test_every_capacity_operation_asks_for_the_clients_setting(
    watch: Watch, mode: str, table: str
) -> None:
    """Conditions, projections and atomic updates change nothing of it."""
    api = Api(watch.client, mode)
    await api.put_item(table, {"pk": "A", "sk": "1", "n": 1}, condition=Attr("pk").not_exists())
    await api.get_item(table, {"pk": "A", "sk": "1"}, projection=["n"])
    await api.update_item(table, {"pk": "A", "sk": "1"}, atomic=[Attr("n").add(1)])
    await api.delete_item(table, {"pk": "A", "sk": "1"}, condition=Attr("n") == 2)
    watch.check(["PutItem", "GetItem", "UpdateItem", "DeleteItem"])


# -- PartiQL and table prefixes ----------------------------------------------------------------


@pytest.mark.needs("partiql")
async def test_a_statement_asks_for_capacity_and_reports_what_was_answered(
    watch: Watch, mode: str, table: str
) -> None:
    """moto reports no capacity for ExecuteStatement: nothing is reported then."""
    api = Api(watch.client, mode)
    await api.put_item(table, {"pk": "A", "sk": "1"})
    watch.reset()
    with watch.client.capacity() as used:
        rows = await api.execute_statement(f'SELECT * FROM "{table}" WHERE pk = ?', ["A"])
        assert [row["sk"] for row in rows] == ["1"]
    answers, spent = watch.check(["ExecuteStatement"])
    assert shape(used.consumed) == spent
    assert used.calls == (1 if answers[0].body.get("ConsumedCapacity") else 0)


async def test_with_a_table_prefix_the_meter_names_tables_as_results_do(
    recorder: Recorder, client_transport: str, mode: str, table: str
) -> None:
    """Results and errors name tables as the caller does (``table_prefix``); a query's
    ``consumed_capacity`` does. The meter summing the same call must name it the same way,
    or a user adding up ``used.consumed.tables["orders"]`` finds nothing."""
    prefix, name = table[:2], table[2:]  # "t-" and the rest: DynamoDB's name is unchanged
    client = local_client(
        recorder.url,
        transport=client_transport,
        return_consumed_capacity="TOTAL",
        table_prefix=prefix,
    )
    try:
        api = Api(client, mode)
        await api.put_item(name, {"pk": "A", "sk": "1"})
        with client.capacity() as used:
            result = api.query(name, key_condition_expression=Attr("pk") == "A")
            await result.all()
        spent = result_capacity(result)
        assert spent is not None and set(spent.tables) == {name}
        assert set(used.consumed.tables) == {name}, "the meter names the table with its prefix"
    finally:
        client.sync_close()
