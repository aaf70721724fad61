"""The HTTP answer parsers benchmark: CPU per complete parse of a DynamoDB answer.

``python -m benchmarks.parsers --seconds S --warmup W`` (this project's interpreter), or
``.bench/peers/bin/python -I benchmarks/parsers.py ...`` (the peers' one: run by its path, it
puts this repository first on ``sys.path``, so ``pydynox`` there is this project, not the PyPI
library). It prints one line ``BENCH_RESULT <json>``, like the workers.

The answers are the bytes the fake DynamoDB (``benchmarks.server``) writes, captured by
running its connection protocol on a request: a GetItem answer and a 100-item Query answer,
framed by Content-Length, and the same Query answer re-framed as ``Transfer-Encoding:
chunked`` in 16 KiB chunks. Each is fed whole, as one ``recv`` of the wire transport
(256 KiB) takes it on loopback.

The parsers, each run to a complete answer (status, headers as a dict with lower-case names,
body bytes) from a fresh parser object:

- ``ours``: ``pydynox._transport._response.Response``, this project's;
- ``h11``: a client ``Connection`` per answer; the least request it accepts (a POST with a
  Host header and no body) is sent first, because h11 reads no answer before its request,
  then ``receive_data`` and ``next_event`` until ``EndOfMessage``;
- ``httptools``: an ``HttpResponseParser`` (llhttp, in C) with callbacks collecting the
  headers and the body until ``on_message_complete``.

h11 and httptools are imported where installed; a row whose library is missing says why.
Every parser must first return the status, headers and body the server sent (so a parser
that does less work cannot post a number); then each answer is warmed up for ``--warmup``
seconds and timed for about ``--seconds`` (``time.process_time()``, divided by the parses).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

if not __package__:  # run by its path, by another environment's interpreter
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import (
    KEY,
    PARSER_ANSWERS,
    PARSER_CHUNK,
    PK,
    TABLE,
    _emit,
    _failure,
    _options,
    item_av,
    measure_sync,
)
from benchmarks.server import TARGET_PREFIX, Canned, Connection

REPOSITORY = Path(__file__).resolve().parent.parent
# (status, headers, body): what a parser must return for an answer.
Parsed = tuple[int, dict[str, str], bytes]
Parse = Callable[[bytes], Parsed]
# A parser's factory imports its library: (parse, the library's version).
Factory = Callable[[], tuple[Parse, str]]


# -- the answers ------------------------------------------------------------------------------


class _Capture(asyncio.Transport):
    """Stands in for the server's socket: keeps what the server writes."""

    def __init__(self) -> None:
        super().__init__()
        self.sent = bytearray()

    def write(self, data: bytes | bytearray | memoryview) -> None:
        self.sent += data

    def close(self) -> None:
        pass


def served(operation: str, request: dict[str, Any]) -> bytes:
    """The bytes the fake DynamoDB answers to one request of ``operation``."""
    body = json.dumps(request).encode()
    head = (
        "POST / HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"X-Amz-Target: {TARGET_PREFIX}{operation}\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    capture = _Capture()
    connection = Connection(Canned())
    connection.connection_made(capture)
    connection.data_received(head.encode() + body)
    return bytes(capture.sent)


def split(answer: bytes) -> tuple[list[bytes], bytes]:
    """An answer's status and header lines, and its body (the rest)."""
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n"), body


def chunked(answer: bytes, size: int = PARSER_CHUNK) -> bytes:
    """The same answer with its Content-Length replaced by chunks of ``size`` bytes."""
    lines, body = split(answer)
    lines = [
        b"Transfer-Encoding: chunked" if line.lower().startswith(b"content-length:") else line
        for line in lines
    ]
    pieces = [b"\r\n".join(lines), b"\r\n\r\n"]
    for start in range(0, len(body), size):
        chunk = body[start : start + size]
        pieces += [b"%x\r\n" % len(chunk), chunk, b"\r\n"]
    pieces.append(b"0\r\n\r\n")
    return b"".join(pieces)


def expected(answer: bytes) -> Parsed:
    """What the server meant: its status, its header lines as a dict, the body it framed."""
    lines, body = split(answer)
    fields = [line.decode("latin-1").partition(":") for line in lines[1:]]
    headers = {name.lower(): value.strip() for name, _, value in fields}
    if headers.get("transfer-encoding") == "chunked":
        body = _dechunked(body)
    elif int(headers["content-length"]) != len(body):
        raise AssertionError("the captured answer is not what its Content-Length says")
    return int(lines[0].split()[1]), headers, body


def _dechunked(data: bytes) -> bytes:
    out, position = bytearray(), 0
    while True:
        line_end = data.index(b"\r\n", position)
        size = int(data[position:line_end], 16)
        if size == 0:
            return bytes(out)
        out += data[line_end + 2 : line_end + 2 + size]
        position = line_end + 2 + size + 2


def answers() -> list[tuple[str, str, bytes]]:
    """(id, title, raw bytes) of the answers every parser reads."""
    get = served("GetItem", {"TableName": TABLE, "Key": item_av(KEY)})
    query = served(
        "Query",
        {
            "TableName": TABLE,
            "KeyConditionExpression": "#pk = :pk",
            "ExpressionAttributeNames": {"#pk": "pk"},
            "ExpressionAttributeValues": {":pk": {"S": PK}},
        },
    )
    raw = {"get": get, "query": query, "query_chunked": chunked(query)}
    return [(answer_id, title, raw[answer_id]) for answer_id, title in PARSER_ANSWERS.items()]


# -- the parsers ------------------------------------------------------------------------------


def _ours() -> tuple[Parse, str]:
    import pydynox
    from pydynox._transport import _response

    if not Path(_response.__file__).resolve().is_relative_to(REPOSITORY):
        raise ImportError(f"pydynox is not this repository's here: {_response.__file__}")

    def parse(data: bytes) -> Parsed:
        response = _response.Response()
        if not response.feed(data):
            raise AssertionError("ours: the answer is not complete")
        return response.status, response.headers, response.body

    return parse, pydynox.__version__


def _h11() -> tuple[Parse, str]:
    import h11

    request = h11.Request(method="POST", target="/", headers=[("Host", "127.0.0.1")])
    end = h11.EndOfMessage()

    def parse(data: bytes) -> Parsed:
        connection = h11.Connection(h11.CLIENT)
        connection.send(request)
        connection.send(end)
        connection.receive_data(data)
        status, headers, body = 0, {}, []
        while True:
            event = connection.next_event()
            if isinstance(event, h11.Data):
                body.append(event.data)
            elif isinstance(event, h11.Response):
                status = event.status_code
                headers = {
                    name.decode("latin-1"): value.decode("latin-1") for name, value in event.headers
                }
            elif isinstance(event, h11.EndOfMessage):
                return status, headers, b"".join(body)
            else:
                raise AssertionError(f"h11: unexpected {event!r} before the end of the answer")

    return parse, metadata.version("h11")


def _httptools() -> tuple[Parse, str]:
    import httptools

    class Collect:
        """The parser's callbacks; the answer comes in one piece, so each header in one call."""

        __slots__ = ("body", "done", "headers")

        def __init__(self) -> None:
            self.headers: dict[str, str] = {}
            self.body: list[bytes] = []
            self.done = False

        def on_header(self, name: bytes, value: bytes) -> None:
            self.headers[name.decode("latin-1").lower()] = value.decode("latin-1")

        def on_body(self, body: bytes) -> None:
            self.body.append(body)

        def on_message_complete(self) -> None:
            self.done = True

    def parse(data: bytes) -> Parsed:
        collect = Collect()
        parser = httptools.HttpResponseParser(collect)
        parser.feed_data(data)
        if not collect.done:
            raise AssertionError("httptools: the answer is not complete")
        return parser.get_status_code(), collect.headers, b"".join(collect.body)

    return parse, metadata.version("httptools")


# id, the library imported (a missing one means "not installed"), label, factory
PARSERS: list[tuple[str, str, str, Factory]] = [
    ("ours", "pydynox", "pydynox (this repo) _response.Response", _ours),
    ("h11", "h11", "h11 {version} (pure Python)", _h11),
    ("httptools", "httptools", "httptools {version} (C, llhttp)", _httptools),
]


def timed(parse: Parse, data: bytes, seconds: float, warmup: float) -> dict[str, Any]:
    """Check one parser on one answer, then time it; an error instead of a wrong number."""
    try:
        got, wanted = parse(data), expected(data)
        if got != wanted:
            raise AssertionError(_difference(got, wanted))
        return measure_sync(lambda: parse(data), seconds, warmup)
    except Exception as error:
        return _failure(error)


def run(seconds: float, warmup: float) -> dict[str, Any]:
    cases = answers()
    results: dict[str, dict[str, Any]] = {}
    listed = []
    for parser_id, library, label, factory in PARSERS:
        entry: dict[str, Any] = {"id": parser_id, "unavailable": None}
        listed.append(entry)
        try:
            parse, version = factory()
        except ImportError as error:
            missing = error.name == library
            entry["unavailable"] = "not installed" if missing else f"cannot import: {error}"
            entry["label"] = label.replace(" {version}", "")
            entry["version"] = "not installed" if missing else "cannot import"
            continue
        entry["label"] = label.format(version=version)
        entry["version"] = version
        results[parser_id] = {
            answer_id: timed(parse, data, seconds, warmup) for answer_id, _, data in cases
        }
    return {
        "python": sys.version.split()[0],
        "parsers": listed,
        "answers": [
            {"id": answer_id, "title": title, "bytes": len(data)}
            for answer_id, title, data in cases
        ],
        "results": results,
    }


def _difference(got: Parsed, wanted: Parsed) -> str:
    for what, mine, theirs in zip(("status", "headers", "body"), got, wanted, strict=True):
        if isinstance(mine, bytes) and isinstance(theirs, bytes) and mine != theirs:
            return f"wrong body: {len(mine)} bytes, not the {len(theirs)} bytes sent"
        if mine != theirs:
            return f"wrong {what}: {str(mine)[:120]} instead of {str(theirs)[:120]}"
    return "wrong answer"


def main(argv: Sequence[str] | None = None) -> int:
    options = _options(sys.argv[1:] if argv is None else argv)
    seconds = float(options.get("seconds", "1.0"))
    warmup = float(options.get("warmup", "0.2"))
    _emit(run(seconds, warmup))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
