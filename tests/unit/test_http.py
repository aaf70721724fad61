"""The HTTP/1.1 response parser of the wire transport, fed the bytes in any split."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pydynox.client._http import Response, request_bytes
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
    with pytest.raises(ConnectionException, match="not an HTTP answer"):
        Response().feed(b"SSH-2.0-OpenSSH\r\n\r\n")


def test_the_request_is_one_buffer_with_its_length() -> None:
    data = request_bytes(
        "127.0.0.1:8000", "/", {"X-Amz-Target": "DynamoDB_20120810.GetItem"}, b"{}"
    )
    assert data == (
        b"POST / HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n"
        b"X-Amz-Target: DynamoDB_20120810.GetItem\r\nContent-Length: 2\r\n\r\n{}"
    )


def test_a_header_with_a_line_break_is_refused_before_sending() -> None:
    with pytest.raises(ConnectionException) as caught:
        request_bytes("h", "/", {"X-Amz-Security-Token": "abc\r\nEvil: 1"}, b"{}")
    assert caught.value.sent is False
