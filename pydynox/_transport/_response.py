"""A strict, sans-I/O parser of one HTTP/1.1 response, for the wire transport's connections.

``Response`` is fed the bytes of an answer in any split and says when it is complete. It does
no I/O, so the sync socket pool and the asyncio protocols of ``_http`` share it, and its tests
feed it bytes directly (tests/unit/test_http_oracle.py checks it against h11 as an oracle).

Anything that is not a well-formed HTTP/1.x answer raises ``ConnectionException`` with
``sent=True`` (the request went out; its fate is unknown): a bad status line or header line,
a Content-Length that is not one decimal number, a chunk size that is not hexadecimal, a
chunk not followed by CRLF, a transfer coding other than ``chunked``, a head over 64 KiB.
Interim ``1xx`` answers are skipped, however many. Every byte received counts against
``limit`` (the client's ``max_answer_bytes``), so an endless answer is refused instead of
filling memory. The work is linear in the size of the answer: bytes are appended to one
buffer and scanned once.

Why not a library: measured with ``python -m benchmarks`` (docs/performance.md), h11 (pure
Python, well kept) costs about 47 µs per GetItem answer against about 6 µs here, most of a
GetItem's budget; httptools (C, llhttp) costs about 2 µs but would be a compiled runtime
dependency, and pydynox's only runtime dependencies are pydantic and botocore.
"""

from __future__ import annotations

import re

from pydynox.exceptions import ConnectionException

__all__ = ["DEFAULT_MAX_ANSWER", "Response"]

DEFAULT_MAX_ANSWER = 64 * 1024 * 1024
MAX_HEAD = 64 * 1024
_MAX_LINE = 8 * 1024  # a chunk-size line

# RFC 9112 as h11 reads it: a status line, then header fields, each a token, ":" and a value
# with optional white space around it. ``OWS field-value OWS`` is exactly a run of bytes
# other than NUL, CR, LF, VT and FF, which one pattern without backtracking checks.
_TEXT = rb"[^\x00\n\r\x0b\x0c]*"
_FIELD = rb"[-!#$%&'*+.^_`|~0-9A-Za-z]+:" + _TEXT
_HEAD_LINES = re.compile(
    rb"HTTP/1\.([01]) ([0-9]{3})(?: " + _TEXT + rb")?((?:\r\n" + _FIELD + rb")*)"
)
_TRAILER_LINE = re.compile(_FIELD)
_VERSION = b"HTTP/1."
_CHUNK = re.compile(rb"([0-9A-Fa-f]{1,20})(?:;[^\r\n]*)?[ \t]*")

# States
_HEAD, _LENGTH, _SIZE, _DATA, _CRLF, _TRAILER, _CLOSE, _DONE = range(8)


def _refuse(reason: str) -> ConnectionException:
    return ConnectionException(f"DynamoDB's endpoint sent an invalid HTTP answer: {reason}")


class Response:
    """One HTTP/1.1 response, parsed from the bytes fed to it."""

    __slots__ = (
        "_body",
        "_buf",
        "_left",
        "_limit",
        "_pos",
        "_scan",
        "_size",
        "_state",
        "body",
        "complete",
        "headers",
        "keep_alive",
        "status",
    )

    def __init__(self, limit: int = DEFAULT_MAX_ANSWER) -> None:
        self._limit = limit
        # What is still to parse: the bytes of one read as they came (an answer usually
        # arrives whole), a bytearray once more than one read is needed.
        self._buf: bytes | bytearray = b""
        self._pos = 0  # bytes of _buf already consumed
        self._scan = 0  # where the search for the end of the head resumes
        self._size = 0  # bytes received in all
        self._state = _HEAD
        self._left = 0  # body or chunk bytes still expected
        self._body = bytearray()
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.keep_alive = True
        self.complete = False

    @property
    def started(self) -> bool:
        """Whether any byte of the answer arrived."""
        return self._size > 0

    def feed(self, data: bytes) -> bool:
        """Take more bytes; True once the response is complete."""
        self._size += len(data)
        if self._size > self._limit:
            raise ConnectionException(
                f"DynamoDB's answer is larger than max_answer_bytes ({self._limit} bytes)"
            )
        if self._state == _DONE:  # bytes after the answer: the connection cannot be reused
            self.keep_alive = False
            return True
        buf = self._buf
        if not buf:
            self._buf = data
        elif type(buf) is bytearray:
            buf += data
        else:
            self._buf = bytearray(buf)
            self._buf += data
        self._advance()
        return self.complete

    def eof(self) -> bool:
        """The server closed the connection; True if that ends a complete response."""
        if self._state == _CLOSE:
            self._finish()
        self.keep_alive = False
        return self.complete

    def _finish(self, body: bytes | None = None) -> None:
        self.body = bytes(self._body) if body is None else body
        self.complete = True
        self._state = _DONE
        if self._pos < len(self._buf):  # more than the answer arrived
            self.keep_alive = False
        self._buf = b""

    def _advance(self) -> None:
        buf = self._buf
        while True:
            state = self._state
            if state == _HEAD:
                if not self._head():
                    break
            elif state == _LENGTH:
                take = min(self._left, len(buf) - self._pos)
                if take == self._left and not self._body:  # the whole body is here: one copy
                    self.body = bytes(buf[self._pos : self._pos + take])
                    self._pos += take
                    self._finish(self.body)
                    return
                self._body += buf[self._pos : self._pos + take]
                self._pos += take
                self._left -= take
                if self._left:
                    break
                self._finish()
                return
            elif state in (_SIZE, _TRAILER):
                end = buf.find(b"\r\n", self._pos)
                if end == -1:
                    if len(buf) - self._pos > _MAX_LINE:
                        raise _refuse("a chunk-size or trailer line is too long")
                    break
                line = bytes(buf[self._pos : end])
                self._pos = end + 2
                if state == _TRAILER:
                    if not line:
                        self._finish()
                        return
                    if _TRAILER_LINE.fullmatch(line) is None:
                        raise _refuse(f"bad trailer line {line[:80]!r}")
                    continue
                match = _CHUNK.fullmatch(line)
                if match is None:
                    raise _refuse(f"bad chunk size line {line[:80]!r}")
                self._left = int(match.group(1), 16)
                self._state = _DATA if self._left else _TRAILER
            elif state == _DATA:
                take = min(self._left, len(buf) - self._pos)
                self._body += buf[self._pos : self._pos + take]
                self._pos += take
                self._left -= take
                if self._left:
                    break
                self._state = _CRLF
            elif state == _CRLF:
                if len(buf) - self._pos < 2:
                    break
                if buf[self._pos : self._pos + 2] != b"\r\n":
                    raise _refuse("a chunk is not followed by CRLF")
                self._pos += 2
                self._state = _SIZE
            else:  # _CLOSE: the body runs until the server closes the connection
                self._body += buf[self._pos :]
                self._pos = len(buf)
                break
        # Drop what was consumed, so the buffer holds only what is still to parse.
        if self._pos:
            if type(buf) is bytearray:
                del buf[: self._pos]
            else:
                self._buf = buf[self._pos :]
            self._scan = max(0, self._scan - self._pos)
            self._pos = 0

    def _head(self) -> bool:
        """Parse a status line and headers if they are all here; False to wait for more."""
        buf = self._buf
        end = buf.find(b"\r\n\r\n", max(self._pos, self._scan))
        if end == -1:
            if len(buf) - self._pos > MAX_HEAD:
                raise _refuse("the head is longer than 64 KiB")
            start = bytes(buf[self._pos : self._pos + 7])
            if not _VERSION.startswith(start):  # not HTTP at all: say so now, not at a timeout
                raise _refuse(f"bad status line {start!r}...")
            self._scan = max(self._pos, len(buf) - 3)
            return False
        head = _HEAD_LINES.fullmatch(buf, self._pos, end)
        if head is None:
            raise _refuse(
                f"bad status line or header line in {bytes(buf[self._pos : end])[:200]!r}"
            )
        self._pos = self._scan = end + 4
        code = int(head.group(2))
        if code < 200:  # an interim answer (100 Continue...): the real one follows
            return True
        fields = [line.partition(":") for line in head.group(3).decode("latin-1").split("\r\n")]
        headers = {name.lower(): value.strip(" \t") for name, _, value in fields[1:]}
        if len(headers) < len(fields) - 1:  # a repeated header: its values joined, in order
            headers = {}
            for name, _, value in fields[1:]:
                name, value = name.lower(), value.strip(" \t")
                headers[name] = f"{headers[name]}, {value}" if name in headers else value
        self.status = code
        self.headers = headers
        connection = headers.get("connection")
        if connection is None:
            self.keep_alive = head.group(1) == b"1"
        else:
            tokens = {token.strip(" \t") for token in connection.lower().split(",")}
            self.keep_alive = "close" not in tokens and (
                head.group(1) == b"1" or "keep-alive" in tokens
            )
        self._frame(headers, code)
        return True

    def _frame(self, headers: dict[str, str], code: int) -> None:
        """Choose how the body is delimited (RFC 9112, section 6.3)."""
        coding = headers.get("transfer-encoding")
        length = headers.get("content-length")
        if code in (204, 304):
            self._state, self._left = _LENGTH, 0
        elif coding is not None:
            if coding.lower() != "chunked":
                raise _refuse(f"unsupported Transfer-Encoding {coding[:40]!r}")
            self._state = _SIZE
        elif length is not None:
            values = {value.strip(" \t") for value in length.split(",")}
            value = values.pop() if len(values) == 1 else ""  # equal repeats are one value
            if not (value.isascii() and value.isdigit() and len(value) <= 20):
                raise _refuse(f"bad Content-Length {length[:40]!r}")
            self._state, self._left = _LENGTH, int(value)
            if self._left > self._limit:
                raise ConnectionException(
                    f"DynamoDB's answer is larger than max_answer_bytes ({self._limit} bytes)"
                )
        else:
            self._state = _CLOSE
            self.keep_alive = False
