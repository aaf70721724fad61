"""The HTTP/1.1 response parser of the wire transport, fed the bytes in any split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import pydynox
from pydynox._transport._http import USER_AGENT, request_bytes
from pydynox._transport._response import Response
from pydynox.exceptions import ConnectionException

BODY = b'{"Item":{"pk":{"S":"a"}}}'
PLAIN = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.0\r\n"
    b"x-amz-crc32: 123\r\nContent-Length: 25\r\n\r\n" + BODY
)
CHUNKED = (
    b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
    b"a;ext=1\r\n" + BODY[:10] + b"\r\nf\r\n" + BODY[10:] + b"\r\n0\r\n\r\n"
)
INTERIM = b"HTTP/1.1 100 Continue\r\n\r\n" + PLAIN


def parse(raw: bytes, cuts: list[int]) -> Response:
    response = Response()
    points = sorted({c % (len(raw) + 1) for c in cuts} | {len(raw)})
    start = 0
    done = False
    for point in points:
        done = response.feed(raw[start:point])
        start = point
    assert done
    return response


@given(st.lists(st.integers(min_value=0), max_size=8))
@pytest.mark.parametrize("raw", [PLAIN, CHUNKED, INTERIM], ids=["length", "chunked", "interim"])
def test_any_split_of_the_bytes_parses_the_same(raw: bytes, cuts: list[int]) -> None:
    response = parse(raw, cuts)
    assert response.status == 200
    assert response.body == BODY
    assert response.keep_alive


def test_headers_are_case_insensitive_and_the_crc_is_read() -> None:
    response = parse(PLAIN, [])
    assert response.headers["x-amz-crc32"] == "123"
    assert response.headers["content-type"] == "application/x-amz-json-1.0"


def test_connection_close_and_http10_are_not_kept_alive() -> None:
    closing = PLAIN.replace(b"Content-Length", b"Connection: close\r\nContent-Length")
    assert parse(closing, []).keep_alive is False
    assert parse(PLAIN.replace(b"HTTP/1.1", b"HTTP/1.0", 1), []).keep_alive is False


def test_a_body_without_length_ends_when_the_server_closes() -> None:
    response = Response()
    assert response.feed(b"HTTP/1.1 500 Oops\r\n\r\npartial ") is False
    assert response.feed(b"body") is False
    assert response.eof() is True
    assert (response.status, response.body, response.keep_alive) == (500, b"partial body", False)


def test_an_answer_cut_short_is_not_complete() -> None:
    response = Response()
    assert response.feed(PLAIN[:-3]) is False
    assert response.eof() is False
    assert response.started


def test_garbage_is_refused() -> None:
    with pytest.raises(ConnectionException, match="invalid HTTP answer"):
        Response().feed(b"SSH-2.0-OpenSSH\r\n\r\n")


def test_the_request_is_one_buffer_with_its_length_and_user_agent() -> None:
    request = request_bytes(
        "127.0.0.1:8000", "/", {"X-Amz-Target": "DynamoDB_20120810.GetItem"}, b"{}"
    )
    assert request.data == (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
        b"User-Agent: " + USER_AGENT.encode() + b"\r\n"
        b"X-Amz-Target: DynamoDB_20120810.GetItem\r\nContent-Length: 2\r\n\r\n{}"
    )
    assert USER_AGENT.startswith(f"pydynox/{pydynox.__version__} Python/")
    # The bytes hold the Authorization header: the object never shows them.
    assert repr(request) == "<signed request, " + str(len(request.data)) + " bytes>"


def test_a_header_with_a_line_break_is_refused_before_sending() -> None:
    with pytest.raises(ConnectionException) as caught:
        request_bytes("h", "/", {"X-Amz-Security-Token": "abc\r\nEvil: 1"}, b"{}")
    assert caught.value.sent is False


# -- the pools against a tiny server on 127.0.0.1 ---------------------------------------

import asyncio  # noqa: E402
import socket  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402

from pydynox._transport._async_pool import AsyncPool  # noqa: E402
from pydynox._transport._http import Target  # noqa: E402
from pydynox._transport._sync_pool import SyncPool  # noqa: E402

ANSWER = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"


class TinyServer:
    """Answers every request with ``{}``; closes each connection after ``per_connection``
    answers without saying so (as a server dropping idle keep-alive connections does)."""

    def __init__(self, per_connection: int) -> None:
        self.per_connection = per_connection
        self.connections = 0
        self.requests = 0
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.stopped = False
        self.port = self.listener.getsockname()[1]
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stopped:
            try:
                conn, _ = self.listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(5)
            self.connections += 1
            with conn:
                for _ in range(self.per_connection):
                    data = b""
                    while not data.endswith(b"{}"):
                        chunk = conn.recv(65536)
                        if not chunk:
                            break
                        data += chunk
                    if not data:
                        break
                    self.requests += 1
                    conn.sendall(ANSWER)

    def close(self) -> None:
        self.stopped = True
        self.thread.join(timeout=5)
        self.listener.close()


@pytest.fixture(params=[1, 3], ids=["close-after-each", "three-per-connection"])
def server(request: pytest.FixtureRequest) -> Iterator[TinyServer]:
    tiny = TinyServer(request.param)
    yield tiny
    tiny.close()


REQUEST = request_bytes("127.0.0.1", "/", {}, b"{}")


def test_the_sync_pool_reuses_connections_and_replaces_closed_ones(server: TinyServer) -> None:
    pool = SyncPool(Target("127.0.0.1", server.port, None, 2.0, 2.0), size=4)
    try:
        for _ in range(9):
            assert pool.post(REQUEST).body == b"{}"
            time.sleep(0.02)  # the server's close reaches us while the connection is idle
    finally:
        pool.close()
    assert server.requests == 9
    assert server.connections == 9 // server.per_connection  # reused while the server let it


def test_the_async_pool_reuses_connections_and_replaces_closed_ones(server: TinyServer) -> None:
    async def run() -> None:
        pool = AsyncPool(Target("127.0.0.1", server.port, None, 2.0, 2.0), size=4)
        try:
            for _ in range(9):
                assert (await pool.post(REQUEST)).body == b"{}"
                await asyncio.sleep(0.02)  # the server's close reaches us while idle
        finally:
            await pool.close()

    asyncio.run(run())
    assert server.requests == 9
    assert server.connections == 9 // server.per_connection


def test_a_refused_connection_is_reported_as_not_sent() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    listener.close()  # nothing listens there now
    pool = SyncPool(Target("127.0.0.1", port, None, 1.0, 1.0), size=1)
    with pytest.raises(ConnectionException) as caught:
        pool.post(REQUEST)
    assert caught.value.sent is False

    async def run() -> None:
        apool = AsyncPool(Target("127.0.0.1", port, None, 1.0, 1.0), size=1)
        with pytest.raises(ConnectionException) as caught:
            await apool.post(REQUEST)
        assert caught.value.sent is False
        await apool.close()

    asyncio.run(run())


def test_a_server_that_never_answers_times_out_as_maybe_sent() -> None:
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    try:
        pool = SyncPool(Target("127.0.0.1", port, None, 1.0, 0.2), size=1)
        with pytest.raises(ConnectionException) as caught:
            pool.post(REQUEST)  # the kernel accepts; nobody reads or answers
        assert caught.value.sent is True

        async def run() -> None:
            apool = AsyncPool(Target("127.0.0.1", port, None, 1.0, 0.2), size=1)
            with pytest.raises(ConnectionException, match="in time") as caught:
                await apool.post(REQUEST)
            assert caught.value.sent is True
            await apool.close()

        asyncio.run(run())
    finally:
        listener.close()
