"""A fake DynamoDB for the benchmark: instant canned answers over HTTP/1.1 on 127.0.0.1.

``python -m benchmarks.server [--port N] [--until-stdin-closes]`` prints ``PORT <n>`` once it
listens, then serves until it is terminated (or, with ``--until-stdin-closes``, until its
standard input closes: the harness holds that pipe, so the server never outlives it). It runs in its own process so
that its CPU is never counted as the client's.

It speaks DynamoDB's JSON protocol (``POST /``, ``X-Amz-Target: DynamoDB_20120810.<Op>``,
``application/x-amz-json-1.0``) with keep-alive connections, ``Content-Length``, the
``x-amz-crc32`` checksum botocore verifies and an ``x-amzn-RequestId``. Answers:

- GetItem: the canned ten-attribute item, with the requested key;
- PutItem, DeleteItem: ``{}``;
- UpdateItem: the canned item under ``Attributes``;
- Query: one page of 100 items (``Items``, ``Count``, ``ScannedCount``, no
  ``LastEvaluatedKey``);
- BatchGetItem: one item per requested key under ``Responses[<table>]``, nothing unprocessed;
- DescribeTable: an ACTIVE table keyed by ``pk`` (S, hash) and ``sk`` (S, range).

Answers are cached by request body, so a repeated request costs one dictionary look-up.
It is one asyncio event loop: many concurrent connections, no thread per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import sys
import time
import zlib
from email.utils import formatdate
from typing import Any

from benchmarks._common import ATTRIBUTES, PAGE, PK, SORT_KEYS, TABLE, item_av, to_av

TARGET_PREFIX = "DynamoDB_20120810."
JSON_TYPE = "application/x-amz-json-1.0"
CANNED = item_av(ATTRIBUTES)  # the item without its key
MAX_CACHE = 4096
MAX_REQUEST = 16 * 1024 * 1024


def _item(key: dict[str, Any]) -> dict[str, Any]:
    return {**key, **CANNED}


def _get_item(request: dict[str, Any]) -> dict[str, Any]:
    return {"Item": _item(request["Key"])}


def _update_item(request: dict[str, Any]) -> dict[str, Any]:
    return {"Attributes": _item(request["Key"])}


def _nothing(request: dict[str, Any]) -> dict[str, Any]:
    return {}


def _query(request: dict[str, Any]) -> dict[str, Any]:
    # The partition key value is the one string among the expression values.
    pk = next(
        (v for v in request.get("ExpressionAttributeValues", {}).values() if "S" in v),
        to_av(PK),
    )
    items = [_item({"pk": pk, "sk": {"S": sk}}) for sk in SORT_KEYS]
    return {"Items": items, "Count": PAGE, "ScannedCount": PAGE}


def _batch_get_item(request: dict[str, Any]) -> dict[str, Any]:
    responses = {
        table: [_item(key) for key in wanted["Keys"]]
        for table, wanted in request["RequestItems"].items()
    }
    return {"Responses": responses, "UnprocessedKeys": {}}


def _describe_table(request: dict[str, Any]) -> dict[str, Any]:
    name = request.get("TableName", TABLE)
    return {
        "Table": {
            "TableName": name,
            "TableId": "00000000-0000-4000-8000-000000000000",
            "TableArn": f"arn:aws:dynamodb:us-east-1:123456789012:table/{name}",
            "TableStatus": "ACTIVE",
            "CreationDateTime": 1735787045.0,
            "KeySchema": [
                {"AttributeName": "pk", "KeyType": "HASH"},
                {"AttributeName": "sk", "KeyType": "RANGE"},
            ],
            "AttributeDefinitions": [
                {"AttributeName": "pk", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "S"},
            ],
            "ProvisionedThroughput": {
                "NumberOfDecreasesToday": 0,
                "ReadCapacityUnits": 0,
                "WriteCapacityUnits": 0,
            },
            "BillingModeSummary": {
                "BillingMode": "PAY_PER_REQUEST",
                "LastUpdateToPayPerRequestDateTime": 1735787045.0,
            },
            "TableSizeBytes": 0,
            "ItemCount": 0,
            "DeletionProtectionEnabled": False,
        }
    }


HANDLERS = {
    "GetItem": _get_item,
    "PutItem": _nothing,
    "DeleteItem": _nothing,
    "UpdateItem": _update_item,
    "Query": _query,
    "BatchGetItem": _batch_get_item,
    "DescribeTable": _describe_table,
}


class Canned:
    """Answers by operation and body, cached: ``(status, body, crc32)``."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, bytes], tuple[int, bytes, int]] = {}

    def answer(self, target: str, body: bytes) -> tuple[int, bytes, int]:
        cached = self._cache.get((target, body))
        if cached is not None:
            return cached
        status, payload = self._compute(target, body)
        data = json.dumps(payload, separators=(",", ":")).encode()
        answer = (status, data, zlib.crc32(data) & 0xFFFFFFFF)
        if len(self._cache) >= MAX_CACHE:
            self._cache.clear()
        self._cache[(target, body)] = answer
        return answer

    @staticmethod
    def _compute(target: str, body: bytes) -> tuple[int, dict[str, Any]]:
        op = target[len(TARGET_PREFIX) :] if target.startswith(TARGET_PREFIX) else ""
        handler = HANDLERS.get(op)
        if handler is None:
            return 400, {
                "__type": "com.amazon.coral.service#UnknownOperationException",
                "message": f"the benchmark server does not serve {target or 'this request'}",
            }
        try:
            return 200, handler(json.loads(body or b"{}"))
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            return 400, {
                "__type": "com.amazon.coral.validate#ValidationException",
                "message": f"the benchmark server cannot read this {op}: {error!r}",
            }


_REASONS = {200: "OK", 400: "Bad Request"}
_request_ids = itertools.count(1)


class _Date:
    """The Date header, formatted once a second."""

    text = ""
    at = 0.0


def _http_date() -> str:
    now = time.time()
    if now - _Date.at >= 1.0:
        _Date.text, _Date.at = formatdate(now, usegmt=True), now
    return _Date.text


class Connection(asyncio.Protocol):
    """One keep-alive HTTP/1.1 connection; requests are answered in order."""

    def __init__(self, canned: Canned) -> None:
        self.canned = canned
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.continued = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and self._one_request():
            pass

    def _one_request(self) -> bool:
        """Answer the first complete request in the buffer; False when there is none."""
        assert self.transport is not None
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_REQUEST:
                self.transport.close()
            return False
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        length, target, close, expect, chunked = 0, "", False, False, False
        for line in head[1:]:
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-length":
                length = int(value)
            elif name == "x-amz-target":
                target = value
            elif name == "connection":
                close = value.lower() == "close"
            elif name == "expect":
                expect = value.lower() == "100-continue"
            elif name == "transfer-encoding":
                chunked = "chunked" in value.lower()
        start = end + 4
        if chunked:
            decoded = _dechunk(self.buffer, start)
            if decoded is None:
                return self._wait_for_body(expect)
            body, consumed = decoded
        else:
            if len(self.buffer) - start < length:
                return self._wait_for_body(expect)
            body, consumed = bytes(self.buffer[start : start + length]), start + length
        del self.buffer[:consumed]
        self.continued = False
        status, data, crc = self.canned.answer(target, body)
        header = (
            f"HTTP/1.1 {status} {_REASONS[status]}\r\n"
            f"x-amzn-RequestId: BENCH{next(_request_ids):047d}\r\n"
            f"x-amz-crc32: {crc}\r\n"
            f"Content-Type: {JSON_TYPE}\r\n"
            f"Content-Length: {len(data)}\r\n"
            f"Date: {_http_date()}\r\n"
            f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n"
        )
        self.transport.write(header.encode("latin-1") + data)
        if close:
            self.transport.close()
            self.transport = None
            return False
        return True

    def _wait_for_body(self, expect: bool) -> bool:
        assert self.transport is not None
        if expect and not self.continued:
            self.transport.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            self.continued = True
        return False

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None


def _dechunk(buffer: bytearray, start: int) -> tuple[bytes, int] | None:
    """A chunked body starting at ``start``: (body, end offset), or None if incomplete."""
    body = bytearray()
    position = start
    while True:
        line_end = buffer.find(b"\r\n", position)
        if line_end < 0:
            return None
        size = int(bytes(buffer[position:line_end]).split(b";")[0], 16)
        position = line_end + 2
        if size == 0:
            trailer_end = buffer.find(b"\r\n\r\n", position - 2)
            return (bytes(body), trailer_end + 4) if trailer_end >= 0 else None
        if len(buffer) < position + size + 2:
            return None
        body += buffer[position : position + size]
        position += size + 2


class _Watch(asyncio.Protocol):
    """Sets ``gone`` when the pipe it reads closes: the harness has stopped or died."""

    def __init__(self, gone: asyncio.Event) -> None:
        self.gone = gone

    def connection_lost(self, exc: Exception | None) -> None:
        self.gone.set()


async def serve(port: int, until_stdin_closes: bool) -> None:
    loop = asyncio.get_running_loop()
    canned = Canned()
    server = await loop.create_server(
        lambda: Connection(canned), "127.0.0.1", port, backlog=1024, reuse_address=True
    )
    bound = server.sockets[0].getsockname()[1]
    sys.stdout.write(f"PORT {bound}\n")
    sys.stdout.flush()
    gone = asyncio.Event()
    if until_stdin_closes:
        await loop.connect_read_pipe(lambda: _Watch(gone), sys.stdin)
    async with server:
        await gone.wait()


def main(argv: list[str] | None = None) -> int:
    """``--port N`` (0: a free one); ``--until-stdin-closes`` stops when stdin reaches EOF."""
    args = sys.argv[1:] if argv is None else argv
    port = int(args[args.index("--port") + 1]) if "--port" in args else 0
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(port, "--until-stdin-closes" in args))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
