"""OpenTelemetry spans (``pydynox.otel.instrument``), read back from the SDK's in-memory
exporter: one span per DynamoDB call with the attributes of the semantic conventions for AWS
DynamoDB, its retries as events, its error, its parent. Every scenario runs through the async
and the sync API, on both transports, on each local server.

Each span is checked against the ``CallRecord`` the client handed its listeners for the same
call (``client.on_call``), so the span says what the call did and cost: its request id and
consumed capacity are the ones the server answered.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest

from pydynox import (
    Attr,
    CallRecord,
    ConditionalCheckFailedException,
    DynamoDBClient,
    IndexSpec,
    ProvisionedThroughputExceededException,
    ResourceNotFoundException,
    RetryPolicy,
    ValidationException,
)
from pydynox.testing import local_client

from ..faults import FaultProxy
from .api import Api
from .tables import TablePool

pytest.importorskip(
    "opentelemetry.sdk", reason='the OpenTelemetry SDK is not installed ("pydynox[dev]" has it)'
)

from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import SpanKind, StatusCode

from pydynox.otel import instrument

pytestmark = pytest.mark.both_transports


class Traced:
    """What an instrumented client produced: its spans, and the call records of the same
    calls (a listener added after the instrumentation, so both come in call order)."""

    def __init__(self, client: DynamoDBClient) -> None:
        self.client = client
        self.exporter = InMemorySpanExporter()
        self.provider = TracerProvider()
        self.provider.add_span_processor(SimpleSpanProcessor(self.exporter))
        self.tracer = self.provider.get_tracer("tests")
        self.records: list[CallRecord] = []
        self.stop = instrument(client, tracer_provider=self.provider)
        self._stop_records = client.on_call(self.records.append)

    @property
    def spans(self) -> list[ReadableSpan]:
        """The spans of DynamoDB calls, in the order they ended."""
        return [s for s in self.exporter.get_finished_spans() if s.name.startswith("DynamoDB.")]

    def close(self) -> None:
        self.stop()
        self._stop_records()
        self.provider.shutdown()


@pytest.fixture
def traced(client: DynamoDBClient) -> Iterator[Traced]:
    """The session client, instrumented for the test."""
    made = Traced(client)
    yield made
    made.close()


@pytest.fixture
def indexed_table(client: DynamoDBClient, table_pool: TablePool) -> Iterator[str]:
    """An empty table with a global index ``by-email`` (and a local ``by-age``: the pool
    shares this kind with tests/integration/test_query_scan.py)."""

    def create(name: str) -> None:
        client.sync_create_table(
            name,
            partition_key=("pk", "S"),
            sort_key=("sk", "S"),
            global_indexes=[IndexSpec("by-email", partition_key=("email", "S"))],
            local_indexes=[IndexSpec("by-age", sort_key=("age", "N"))],
        )

    with table_pool.lend("by-email, by-age", create) as name:
        yield name


def attributes(span: ReadableSpan) -> dict[str, Any]:
    return dict(span.attributes or {})


def capacity_entries(span: ReadableSpan) -> list[dict[str, Any]]:
    return [json.loads(entry) for entry in attributes(span)["aws.dynamodb.consumed_capacity"]]


def assert_span_of(span: ReadableSpan, record: CallRecord) -> None:
    """``span`` is the span of the call ``record`` describes, with the documented attributes."""
    assert span.name == f"DynamoDB.{record.operation}"
    assert span.kind is SpanKind.CLIENT
    got = attributes(span)
    assert got["db.system.name"] == "aws.dynamodb"
    assert got["db.operation.name"] == record.operation
    assert got["rpc.system"] == "aws-api"
    assert got["rpc.service"] == "DynamoDB"
    assert got["rpc.method"] == record.operation
    assert list(got["aws.dynamodb.table_names"]) == list(record.tables)
    assert got.get("aws.dynamodb.index_name") == record.index
    assert record.request_id, record
    assert got["aws.request_id"] == record.request_id
    assert got["pydynox.attempts"] == record.attempts
    assert got.get("error.type") == record.error
    assert span.start_time is not None and span.end_time is not None
    assert span.end_time - span.start_time == pytest.approx(record.duration * 1e9, abs=2)
    capacity = record.consumed_capacity
    if capacity is None:
        assert "aws.dynamodb.consumed_capacity" not in got
    else:
        assert capacity_entries(span) == [
            {
                "TableName": table,
                "CapacityUnits": units.total,
                "ReadCapacityUnits": units.read,
                "WriteCapacityUnits": units.write,
            }
            for table, units in capacity.tables.items()
        ]


async def test_one_span_per_call_with_the_conventions_attributes(
    api: Api, indexed_table: str, table: str, traced: Traced
) -> None:
    with traced.client.capacity():
        await api.put_item(indexed_table, {"pk": "o", "sk": "1", "email": "ann@x.org"})
        await api.put_item(indexed_table, {"pk": "o", "sk": "2", "email": "ann@x.org"})
        await api.get_item(indexed_table, {"pk": "o", "sk": "1"})
        pages = api.query(
            indexed_table, Attr("email") == "ann@x.org", index_name="by-email", page_size=1
        )
        assert len(await pages.all()) == 2
        async with api.batch_writer() as writer:
            await writer.put({"pk": "b", "sk": "1"}, table)
            await writer.put({"pk": "b", "sk": "2"}, indexed_table)
    await api.get_item(table, {"pk": "b", "sk": "1"})  # outside the meter: no capacity asked

    operations = [r.operation for r in traced.records]
    assert operations.count("Query") >= 2  # a page size of 1: one Query call per page
    # (the query may first ask DescribeTable for the index's key names, once per client)
    assert [op for op in operations if op not in ("Query", "DescribeTable")] == [
        "PutItem",
        "PutItem",
        "GetItem",
        "BatchWriteItem",
        "GetItem",
    ]
    spans = traced.spans
    assert len(spans) == len(traced.records)
    for span, record in zip(spans, traced.records, strict=True):
        assert_span_of(span, record)
        assert span.parent is None  # no span was current: each call is a root
        assert span.status.status_code is StatusCode.UNSET

    put, _, get = spans[:3]
    query = next(span for span in spans if span.name == "DynamoDB.Query")
    batch, last = spans[-2:]
    assert attributes(put)["aws.dynamodb.table_names"] == (indexed_table,)
    assert attributes(put)["db.collection.name"] == indexed_table
    assert attributes(query)["aws.dynamodb.index_name"] == "by-email"
    assert "aws.dynamodb.index_name" not in attributes(get)
    assert sorted(attributes(batch)["aws.dynamodb.table_names"]) == sorted([table, indexed_table])
    assert "db.collection.name" not in attributes(batch)
    # The capacity the server reported: a write costs write units, a read read units.
    (written,) = capacity_entries(put)
    assert written["TableName"] == indexed_table and written["CapacityUnits"] > 0
    assert written["WriteCapacityUnits"] > 0 and written["ReadCapacityUnits"] == 0
    (read,) = capacity_entries(get)
    assert read["CapacityUnits"] > 0 and read["ReadCapacityUnits"] > 0
    assert "aws.dynamodb.consumed_capacity" not in attributes(last)
    assert len({attributes(s)["aws.request_id"] for s in spans}) == len(spans)


async def test_a_failed_call_has_its_error_type_and_status_error(
    api: Api, table: str, traced: Traced
) -> None:
    await api.put_item(table, {"pk": "a", "sk": "1"})
    with pytest.raises(ConditionalCheckFailedException) as failed:
        await api.put_item(table, {"pk": "a", "sk": "1"}, Attr("pk").not_exists())
    with pytest.raises(ResourceNotFoundException):
        await api.get_item(f"{table}-missing", {"pk": "a", "sk": "1"})

    _, conditional, missing = traced.spans
    for span, record in zip(traced.spans, traced.records, strict=True):
        assert_span_of(span, record)
    assert attributes(conditional)["error.type"] == "ConditionalCheckFailedException"
    assert conditional.status.status_code is StatusCode.ERROR
    assert attributes(conditional)["aws.request_id"] == failed.value.request_id
    assert attributes(missing)["error.type"] == "ResourceNotFoundException"
    assert attributes(missing)["aws.dynamodb.table_names"] == (f"{table}-missing",)
    assert missing.status.status_code is StatusCode.ERROR
    assert not conditional.events and not missing.events  # not retried


async def test_the_span_is_a_child_of_the_callers_span(
    api: Api, table: str, traced: Traced
) -> None:
    with traced.tracer.start_as_current_span("handler") as parent:
        await api.put_item(table, {"pk": "a", "sk": "1"})
        items = api.query(table, Attr("pk") == "a")
        assert len(await items.all()) == 1
    await api.get_item(table, {"pk": "a", "sk": "1"})

    put, query, get = traced.spans
    ours = parent.get_span_context()
    for child in (put, query):
        assert child.parent is not None and child.parent.span_id == ours.span_id
        assert child.context is not None and child.context.trace_id == ours.trace_id
    assert get.parent is None
    # the span covers the call: inside its parent's time
    (handler,) = [s for s in traced.exporter.get_finished_spans() if s.name == "handler"]
    assert handler.start_time is not None and handler.end_time is not None
    assert put.start_time is not None and query.end_time is not None
    assert handler.start_time <= put.start_time and query.end_time <= handler.end_time


async def test_concurrent_async_calls_each_get_their_tasks_parent(
    client: DynamoDBClient, table: str, traced: Traced
) -> None:
    async def handle(n: int) -> int:
        with traced.tracer.start_as_current_span(f"handler-{n}") as span:
            await asyncio.sleep(0)
            await client.put_item(table, {"pk": str(n), "sk": "1"})
            return span.get_span_context().span_id

    parents = await asyncio.gather(*(handle(n) for n in range(8)))
    assert len(set(parents)) == 8
    spans = traced.spans
    assert len(spans) == 8 and all(span.name == "DynamoDB.PutItem" for span in spans)
    assert sorted(span.parent.span_id for span in spans if span.parent) == sorted(parents)


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def proxied(endpoint: str, client_transport: str) -> Iterator[tuple[FaultProxy, DynamoDBClient]]:
    """A fault proxy before the server, and a client of the test's transport through it,
    with millisecond backoffs."""
    with FaultProxy(endpoint, seed=15) as proxy:
        client = local_client(
            proxy.url, transport=client_transport, cursor_secret="integration-tests"
        )
        client.request_retry = dataclasses.replace(client.request_retry, base=0.001, cap=0.01)
        client.batch_retry = RetryPolicy(base=0.001, cap=0.01)
        yield proxy, client
        client.sync_close()
        assert not proxy.errors, proxy.errors


async def test_a_retried_call_is_one_span_with_its_retries_as_events(
    mode: str, proxied: tuple[FaultProxy, DynamoDBClient], table: str
) -> None:
    proxy, client = proxied
    api = Api(client, mode)
    traced = Traced(client)
    try:
        await api.put_item(table, {"pk": "a", "sk": "1"})
        proxy.force(
            "throttle", ["GetItem"], times=2, variant="ProvisionedThroughputExceededException"
        )
        proxy.force("error500", ["GetItem"], times=1)
        assert await api.get_item(table, {"pk": "a", "sk": "1"}) == {"pk": "a", "sk": "1"}
    finally:
        traced.close()

    assert proxy.seen["GetItem"] == 4  # three failed attempts, then the answer
    put, get = traced.spans
    assert_span_of(get, traced.records[1])
    assert attributes(get)["pydynox.attempts"] == 4
    assert get.status.status_code is StatusCode.UNSET
    causes = [dict(event.attributes or {})["error.type"] for event in get.events]
    assert [event.name for event in get.events] == ["pydynox.retry"] * 3
    assert sorted(causes) == sorted(
        ["ProvisionedThroughputExceededException"] * 2 + ["InternalServerError"]
    )
    assert get.start_time is not None and get.end_time is not None
    for event in get.events:
        assert get.start_time <= event.timestamp <= get.end_time
    assert not put.events and attributes(put)["pydynox.attempts"] == 1


async def test_a_call_that_gives_up_is_one_failed_span(
    mode: str, proxied: tuple[FaultProxy, DynamoDBClient], table: str
) -> None:
    proxy, client = proxied
    client.request_retry = dataclasses.replace(client.request_retry, attempts=3)
    api = Api(client, mode)
    traced = Traced(client)
    try:
        proxy.force("throttle", ["GetItem"], variant="ProvisionedThroughputExceededException")
        with pytest.raises(ProvisionedThroughputExceededException) as failed:
            await api.get_item(table, {"pk": "a", "sk": "1"})
    finally:
        traced.close()

    assert proxy.seen["GetItem"] == 3
    (span,) = traced.spans
    assert_span_of(span, traced.records[0])
    assert attributes(span)["error.type"] == type(failed.value).__name__
    assert type(failed.value).__name__ == "ProvisionedThroughputExceededException"
    assert span.status.status_code is StatusCode.ERROR
    assert len(span.events) == 2  # the attempts after the first


async def test_stopping_stops_the_spans(api: Api, client: DynamoDBClient, table: str) -> None:
    traced = Traced(client)
    with pytest.raises(ValidationException, match="already instrumented"):
        instrument(client, tracer_provider=traced.provider)
    await api.put_item(table, {"pk": "a", "sk": "1"})
    traced.close()
    traced.stop()  # a second stop does nothing
    await api.get_item(table, {"pk": "a", "sk": "1"})
    assert [s.name for s in traced.spans] == ["DynamoDB.PutItem"]

    again = Traced(client)  # once stopped, a client can be instrumented again
    try:
        await api.get_item(table, {"pk": "a", "sk": "1"})
    finally:
        again.close()
    assert [s.name for s in again.spans] == ["DynamoDB.GetItem"]
    assert [s.name for s in traced.spans] == ["DynamoDB.PutItem"]


async def test_instrument_with_no_client_traces_the_default_client(
    api: Api, default_client: DynamoDBClient, table: str
) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    stop = instrument(tracer_provider=provider)
    try:
        await api.put_item(table, {"pk": "a", "sk": "1"})
    finally:
        stop()
    (span,) = exporter.get_finished_spans()
    assert span.name == "DynamoDB.PutItem"
    assert attributes(span)["aws.dynamodb.table_names"] == (table,)


async def test_no_span_while_instrumentation_is_suppressed(
    api: Api, table: str, traced: Traced
) -> None:
    key = otel_context._SUPPRESS_INSTRUMENTATION_KEY
    token = otel_context.attach(otel_context.set_value(key, True))
    try:
        await api.put_item(table, {"pk": "a", "sk": "1"})
    finally:
        otel_context.detach(token)
    await api.get_item(table, {"pk": "a", "sk": "1"})
    assert [s.name for s in traced.spans] == ["DynamoDB.GetItem"]
    assert len(traced.records) == 2


def test_the_core_never_imports_opentelemetry() -> None:
    """Only ``pydynox.otel`` imports it: a program that does not instrument never loads it."""
    code = (
        "import sys, pydynox, pydynox.client, pydynox.models, pydynox.expressions, "
        "pydynox.local, pydynox.cli\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] == 'opentelemetry'))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
