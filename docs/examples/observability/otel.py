"""OpenTelemetry: one span per DynamoDB call (pip install "pydynox[otel]")."""

import asyncio
import contextlib
import json

from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

from pydynox import Attr, ConditionalCheckFailedException, DynamoDBClient
from pydynox.otel import instrument

# In an application: the provider your OpenTelemetry setup made (a BatchSpanProcessor and an
# OTLP exporter), or none at all: instrument() then uses the global one. In memory here, to
# show what is recorded.
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
tracer = provider.get_tracer("shop")


async def main() -> None:
    async with DynamoDBClient() as client:
        await client.create_table("obs-traced", partition_key=("pk", "S"), sort_key=("sk", "S"))
        stop = instrument(client, tracer_provider=provider)  # instrument(): the default client

        with tracer.start_as_current_span("checkout"), client.capacity():
            await client.put_item("obs-traced", {"pk": "USER#1", "sk": "ORDER#1"})
            orders = await client.query("obs-traced", Attr("pk") == "USER#1").all()
            client.sync_get_item("obs-traced", {"pk": "USER#1", "sk": "ORDER#1"})  # sync too
            with contextlib.suppress(ConditionalCheckFailedException):  # a span with error.type
                await client.put_item(
                    "obs-traced", {"pk": "USER#1", "sk": "ORDER#1"}, Attr("pk").not_exists()
                )
        assert len(orders) == 1

        stop()  # no more spans
        await client.get_item("obs-traced", {"pk": "USER#1", "sk": "ORDER#1"})

    spans = [s for s in exporter.get_finished_spans() if s.name.startswith("DynamoDB.")]
    for span in spans:
        attributes = dict(span.attributes or {})
        print(
            span.name,
            attributes["aws.dynamodb.table_names"],
            attributes.get("aws.dynamodb.consumed_capacity"),
            attributes.get("error.type", "ok"),
        )
    assert [s.name for s in spans] == [
        "DynamoDB.PutItem",
        "DynamoDB.Query",
        "DynamoDB.GetItem",
        "DynamoDB.PutItem",
    ]
    (checkout,) = [s for s in exporter.get_finished_spans() if s.name == "checkout"]
    put, *_, failed = spans
    assert all(s.kind is SpanKind.CLIENT for s in spans)
    assert all(s.parent is not None and s.parent.span_id == checkout.context.span_id for s in spans)

    attributes = dict(put.attributes or {})
    assert attributes["db.system.name"] == "aws.dynamodb"
    assert attributes["db.operation.name"] == "PutItem"
    assert attributes["aws.dynamodb.table_names"] == ("obs-traced",)
    assert attributes["aws.request_id"]
    capacity = attributes["aws.dynamodb.consumed_capacity"]  # JSON, one entry per table
    assert isinstance(capacity, tuple) and json.loads(capacity[0])["TableName"] == "obs-traced"

    assert dict(failed.attributes or {})["error.type"] == "ConditionalCheckFailedException"
    assert failed.status.status_code is StatusCode.ERROR


asyncio.run(main())
