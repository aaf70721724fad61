"""OpenTelemetry spans for DynamoDB calls (the ``otel`` extra: ``opentelemetry-api``).

``stop = instrument(client)`` adds one span per DynamoDB call the client makes, async and
sync, on both transports; ``stop()`` removes it. ``instrument()`` with no client instruments
the default client (``get_default_client()``, what models use when their config names no
client) as it is at that moment: a client made or set as the default later needs its own
``instrument(client)``. A client is instrumented once at a time; instrumenting it again before
``stop()`` raises ``ValidationException``, so no call is traced twice.

A *call* is one DynamoDB operation as pydynox asked for it, its retries inside (as
``client.on_call`` sees it): one span, however many attempts it took, each retry a span event.
The span is made when the call is over, from its ``CallRecord``, with the start and end times
of the call, as a child of the span current in the caller's context (the code that awaited or
called the operation; for a lazy query or scan, the code iterating it, one span per page).

Attributes, after the semantic conventions for AWS DynamoDB client operations (which extend
the database and AWS SDK ones; all in development, so they may still change):

- span name ``DynamoDB.<operation>`` (``DynamoDB.GetItem``), kind CLIENT;
- ``db.system.name`` ``"aws.dynamodb"``, ``db.operation.name`` and ``rpc.method`` (the
  operation), ``rpc.system`` ``"aws-api"``, ``rpc.service`` ``"DynamoDB"``;
- ``aws.dynamodb.table_names`` (the tables the request named, as sent: with the client's
  ``table_prefix``), and ``db.collection.name`` when it named exactly one;
  ``aws.dynamodb.index_name`` for a query or scan of an index;
- ``aws.dynamodb.consumed_capacity`` when the call asked for it (``return_consumed_capacity``,
  ``client.capacity()``): one JSON object per table, as in DynamoDB's ``ConsumedCapacity``
  (``TableName``, ``CapacityUnits``, ``ReadCapacityUnits``, ``WriteCapacityUnits``; the
  breakdown by index of ``"INDEXES"`` is not included);
- ``aws.request_id`` of the last answer; ``server.address`` and ``server.port`` when the
  client has an ``endpoint_url``; ``pydynox.attempts`` (1 without retries);
- on failure: ``error.type`` (the class of the error raised, ``ConditionalCheckFailedException``)
  and the span status ERROR;
- one ``pydynox.retry`` event per retry, with ``error.type`` the error code (or class) of the
  attempt that failed. The record counts retries by cause without their times: the events
  carry the span's end time, in no particular order between causes.

Spans are not made inside ``opentelemetry``'s ``suppress_instrumentation()``. The core of
pydynox never imports ``opentelemetry``: a client nobody instrumented pays nothing.
"""

from __future__ import annotations

import json
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode, TracerProvider

from pydynox._version import __version__
from pydynox.client import CallRecord, ConsumedCapacity, DynamoDBClient, get_default_client
from pydynox.exceptions import ValidationException

__all__ = ["instrument"]

_SUPPRESS = getattr(otel_context, "_SUPPRESS_INSTRUMENTATION_KEY", None)

# The clients instrumented now, each with the token of its instrumentation.
_instrumented: weakref.WeakKeyDictionary[DynamoDBClient, object] = weakref.WeakKeyDictionary()
_lock = threading.Lock()


def instrument(
    client: DynamoDBClient | None = None, *, tracer_provider: TracerProvider | None = None
) -> Callable[[], None]:
    """Trace every DynamoDB call of ``client`` (None: the default client) with one span
    each, from a tracer of ``tracer_provider`` (None: the global one, even when it is set
    after this call). Returns the function that stops it (calling it again does nothing)."""
    target = get_default_client() if client is None else client
    if not isinstance(target, DynamoDBClient):
        raise ValidationException(f"instrument takes a DynamoDBClient, not {target!r}")
    tracer = trace.get_tracer("pydynox", __version__, tracer_provider=tracer_provider)
    constant: dict[str, Any] = {
        "db.system.name": "aws.dynamodb",
        "rpc.system": "aws-api",
        "rpc.service": "DynamoDB",
    }
    endpoint = target.settings.endpoint_url
    if endpoint:
        parts = urlsplit(endpoint)
        if parts.hostname:
            constant["server.address"] = parts.hostname
        if parts.port is not None:
            constant["server.port"] = parts.port

    def on_call(record: CallRecord) -> None:
        if _SUPPRESS is not None and otel_context.get_value(_SUPPRESS):
            return
        end = time.time_ns()
        attributes = {
            **constant,
            "db.operation.name": record.operation,
            "rpc.method": record.operation,
            "pydynox.attempts": record.attempts,
        }
        if record.tables:
            attributes["aws.dynamodb.table_names"] = list(record.tables)
            if len(record.tables) == 1:
                attributes["db.collection.name"] = record.tables[0]
        if record.index is not None:
            attributes["aws.dynamodb.index_name"] = record.index
        if record.request_id is not None:
            attributes["aws.request_id"] = record.request_id
        if record.error is not None:
            attributes["error.type"] = record.error
        span = tracer.start_span(
            f"DynamoDB.{record.operation}",
            kind=SpanKind.CLIENT,
            attributes=attributes,
            start_time=end - round(record.duration * 1e9),
        )
        if span.is_recording():
            if record.consumed_capacity is not None:
                span.set_attribute(
                    "aws.dynamodb.consumed_capacity", _capacity_json(record.consumed_capacity)
                )
            for cause, count in record.retries.items():
                for _ in range(count):
                    span.add_event("pydynox.retry", {"error.type": cause}, timestamp=end)
            if record.error is not None:
                span.set_status(Status(StatusCode.ERROR))
        span.end(end_time=end)

    with _lock:
        if target in _instrumented:
            raise ValidationException(
                f"{target!r} is already instrumented: call the function the first "
                "instrument() returned before instrumenting it again"
            )
        token = _instrumented[target] = object()
        remove_listener = target.on_call(on_call)

    def stop() -> None:
        remove_listener()
        with _lock:
            if _instrumented.get(target) is token:
                del _instrumented[target]

    return stop


def _capacity_json(capacity: ConsumedCapacity) -> list[str]:
    """``aws.dynamodb.consumed_capacity``: each table's entry as DynamoDB reports it."""
    entries: list[str] = []
    for table, units in capacity.tables.items():
        entry: dict[str, Any] = {"TableName": table} if table else {}
        entry["CapacityUnits"] = units.total
        entry["ReadCapacityUnits"] = units.read
        entry["WriteCapacityUnits"] = units.write
        entries.append(json.dumps(entry, separators=(",", ":")))
    return entries
