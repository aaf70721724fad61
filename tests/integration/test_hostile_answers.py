"""The public client against a server that answers badly, through the async and the sync API.

Each scenario runs on the default wire transport against ``HostileServer`` (tests/hostile.py)
and must end in ``ConnectionException``, never in a raw ValueError, RecursionError or
AssertionError, never in a hang and never in a busy loop: every call runs under a watchdog
that fails the test if the call is still running (the sync path and a spinning event loop
cannot be timed out any other way), and the async call also under ``asyncio.wait_for``.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest

from pydynox import Attr, DynamoDBClient
from pydynox.exceptions import ConnectionException
from pydynox.testing import local_client

from ..hostile import HostileServer, Peer, Script, watchdog
from .api import Api

TABLE = "hostile"
KEY = {"pk": "a"}
GET_BODY = b"{}"
QUERY_BODY = b'{"Items":[],"Count":0,"ScannedCount":0}'
JSON_HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"

MakeClient = Callable[..., DynamoDBClient]


@pytest.fixture
async def make_client() -> AsyncIterator[MakeClient]:
    """``make_client(url, **settings)``: a client for the test, closed (both sides) after it."""
    made: list[DynamoDBClient] = []

    def make(url: str, **settings: Any) -> DynamoDBClient:
        client = local_client(url, **settings)
        made.append(client)
        return client

    yield make
    for client in made:
        await client.close()
        client.sync_close()


@pytest.fixture(autouse=True)
def no_protocol_crash(caplog: pytest.LogCaptureFixture) -> Iterator[None]:
    """asyncio logs an exception escaping a protocol callback and drops the connection: the
    caller then gets a ConnectionException that hides a crash of the parser."""
    yield
    crashes = [
        r.getMessage()
        for r in caplog.get_records("call")
        if r.name == "asyncio" and r.levelno >= logging.ERROR
    ]
    assert not crashes, f"the event loop logged errors: {crashes}"


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


async def call(api: Api, op: str) -> Any:
    if op == "get_item":
        return await api.get_item(TABLE, KEY)
    return await api.query(TABLE, Attr("pk") == "a").all()


def valid_body(request: bytes) -> bytes:
    return QUERY_BODY if b"DynamoDB_20120810.Query" in request else GET_BODY


def valid_answer(request: bytes) -> bytes:
    body = valid_body(request)
    return JSON_HEAD + b"Content-Length: %d\r\n\r\n" % len(body) + body


async def refused(work: Awaitable[Any], what: str, within: float) -> tuple[str, float]:
    """Run ``work``, which must raise ConnectionException within ``within`` seconds: its
    message and how long it took."""
    start = time.monotonic()
    with watchdog(within + 3, what):
        try:
            result = await asyncio.wait_for(work, within + 2)
        except ConnectionException as error:
            return str(error), time.monotonic() - start
        except asyncio.TimeoutError:
            pytest.fail(f"{what}: still waiting after {within + 2} s", pytrace=False)
    pytest.fail(f"{what}: answered {result!r} instead of raising ConnectionException")


def answers_and_stays(raw: bytes) -> Script:
    """Writes ``raw`` and keeps the connection open: the client must see the defect in the
    bytes themselves, not learn it from the connection closing."""

    def script(peer: Peer, request: bytes) -> None:
        peer.send(raw)

    return script


CHUNKED_HEAD = JSON_HEAD + b"Transfer-Encoding: chunked\r\n\r\n"
BAD_ANSWERS = {
    "chunk-size--6": CHUNKED_HEAD + b"-6\r\n{}\r\n0\r\n\r\n",
    "chunk-size-zz": CHUNKED_HEAD + b"zz\r\n{}\r\n0\r\n\r\n",
    "length-garbage": JSON_HEAD + b"Content-Length: two\r\n\r\n{}",
    "length-negative": JSON_HEAD + b"Content-Length: -2\r\n\r\n{}",
    "two-lengths": JSON_HEAD + b"Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    "status-2000": b"HTTP/1.1 2000 OK\r\nContent-Length: 2\r\n\r\n{}",
}


@pytest.mark.parametrize("op", ["get_item", "query"])
@pytest.mark.parametrize("bad", sorted(BAD_ANSWERS))
async def test_a_malformed_answer_is_refused_at_once(
    make_client: MakeClient, mode: str, op: str, bad: str
) -> None:
    with HostileServer(answers_and_stays(BAD_ANSWERS[bad])) as server:
        client = make_client(server.url, max_attempts=1, read_timeout=5)
        _, elapsed = await refused(call(Api(client, mode), op), f"{mode} {op} ({bad})", 2)
    # read_timeout is 5 s: a parser that waits for more bytes instead of refusing is too late.
    assert elapsed < 2, f"{bad}: refused after {elapsed:.1f} s, not at once"


async def test_ssh_instead_of_http_is_refused(make_client: MakeClient, mode: str) -> None:
    # An SSH server writes its banner line and waits: refused at once or at read_timeout.
    with HostileServer(answers_and_stays(b"SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n")) as server:
        client = make_client(server.url, max_attempts=1, read_timeout=1)
        _, elapsed = await refused(call(Api(client, mode), "get_item"), f"{mode} ssh", 2)
    assert elapsed < 2


@pytest.mark.parametrize("op", ["get_item", "query"])
async def test_a_connection_closed_mid_body_is_refused(
    make_client: MakeClient, mode: str, op: str
) -> None:
    def script(peer: Peer, request: bytes) -> None:
        peer.send(JSON_HEAD + b'Content-Length: 100\r\n\r\n{"Items":[')
        peer.close()

    with HostileServer(script) as server:
        client = make_client(server.url, max_attempts=1, read_timeout=5)
        await refused(call(Api(client, mode), op), f"{mode} {op} cut short", 2)


@pytest.mark.parametrize("op", ["get_item", "query"])
async def test_five_thousand_interim_answers_then_the_answer_work(
    make_client: MakeClient, mode: str, op: str
) -> None:
    def script(peer: Peer, request: bytes) -> None:
        peer.send(b"HTTP/1.1 100 Continue\r\n\r\n" * 5000 + valid_answer(request))

    with HostileServer(script) as server:
        client = make_client(server.url, max_attempts=1, read_timeout=5)
        with watchdog(10, f"{mode} {op} after 5000 interim answers"):
            result = await asyncio.wait_for(call(Api(client, mode), op), 8)
    assert result == (None if op == "get_item" else [])


@pytest.mark.parametrize("framing", ["close", "chunked"])
async def test_an_endless_body_is_refused_at_max_answer_bytes(
    make_client: MakeClient, mode: str, framing: str
) -> None:
    def script(peer: Peer, request: bytes) -> None:
        if framing == "close":
            head, piece = JSON_HEAD + b"\r\n", b"x" * 65536
        else:
            head, piece = CHUNKED_HEAD, b"10000\r\n" + b"x" * 65536 + b"\r\n"
        if peer.send(head):
            while peer.send(piece):  # until the client hangs up, or the test ends
                pass

    with HostileServer(script) as server:
        client = make_client(
            server.url, max_attempts=1, read_timeout=10, max_answer_bytes=1_000_000
        )
        message, _ = await refused(call(Api(client, mode), "query"), f"{mode} endless", 5)
    assert "max_answer_bytes" in message
    assert "1000000" in message.replace("_", "").replace(",", "")


async def test_a_dripping_server_fails_at_read_timeout(make_client: MakeClient, mode: str) -> None:
    def script(peer: Peer, request: bytes) -> None:
        peer.drip(valid_answer(request), every=0.5)  # 30 s and more for the whole answer

    with HostileServer(script) as server:
        client = make_client(server.url, max_attempts=1, read_timeout=2)
        message, elapsed = await refused(call(Api(client, mode), "get_item"), f"{mode} drip", 3)
    assert "read_timeout" in message
    assert 1.5 < elapsed < 5, f"failed after {elapsed:.1f} s with read_timeout=2"


async def test_call_timeout_bounds_all_attempts(make_client: MakeClient, mode: str) -> None:
    def script(peer: Peer, request: bytes) -> None:
        peer.hang()

    with HostileServer(script) as server:
        client = make_client(server.url, max_attempts=3, read_timeout=1, call_timeout=1.5)
        message, elapsed = await refused(call(Api(client, mode), "get_item"), f"{mode} mute", 3)
        sent = server.count
    assert "call_timeout" in message
    # Three attempts of read_timeout=1 would take 3 s and more.
    assert 1.2 < elapsed < 2.5, f"failed after {elapsed:.1f} s with call_timeout=1.5"
    assert 1 <= sent <= 2


async def test_call_timeout_cuts_an_async_botocore_attempt_short(make_client: MakeClient) -> None:
    """botocore has no deadline per request: the async side cuts its attempt at the call's."""

    def script(peer: Peer, request: bytes) -> None:
        peer.hang()

    with HostileServer(script) as server:
        client = make_client(
            server.url, transport="botocore", max_attempts=3, read_timeout=10, call_timeout=1.0
        )
        message, elapsed = await refused(call(Api(client, "async"), "get_item"), "botocore", 2)
    assert "call_timeout" in message
    assert 0.8 < elapsed < 2.5, f"failed after {elapsed:.1f} s with call_timeout=1"


async def test_cancelling_an_async_call_stops_sending(make_client: MakeClient) -> None:
    def script(peer: Peer, request: bytes) -> None:
        peer.hang()

    with HostileServer(script) as server:
        # Retries would come 0.5 s apart: a swallowed cancel shows up as more requests.
        client = make_client(server.url, max_attempts=5, read_timeout=0.5)
        with watchdog(5, "a cancelled get_item"):
            task = asyncio.ensure_future(client.get_item(TABLE, KEY))
            await asyncio.sleep(0.2)
            for _ in range(40):  # a slow machine: let the request arrive before cancelling
                if server.count:
                    break
                await asyncio.sleep(0.05)
            assert server.count == 1
            task.cancel()
            start = time.monotonic()
            await asyncio.wait([task], timeout=2)
            elapsed = time.monotonic() - start
            assert task.done() and task.cancelled(), "the call did not end as cancelled"
            await asyncio.sleep(1.0)
        assert elapsed < 0.5, f"the cancel took {elapsed:.2f} s"
        assert server.count == 1, "requests were sent after the call was cancelled"
    with pytest.raises(asyncio.CancelledError):
        task.result()
