"""A small HTTP/1.1 client for DynamoDB's one request shape: ``POST`` with a body, keep-alive.

Measured on 127.0.0.1 (docs/performance.md), ``http.client`` spends about 100 µs of CPU per
request and urllib3 another 100 µs on top, while the socket round trip itself costs about
12 µs; for a GetItem that overhead is most of the client's cost. DynamoDB needs none of a
general HTTP client's features (redirects, cookies, compression, multipart, ``Expect``), so
this module writes the request in one buffer and parses the answer with ``Response``, a
sans-I/O parser (status line, headers, ``Content-Length`` or chunked body), shared by:

- ``SyncPool``: blocking sockets, a thread-safe stack of idle keep-alive connections;
- ``AsyncPool``: asyncio protocols on the running loop, at most ``size`` requests in flight.

Connection failures are raised as ``ConnectionException`` with ``sent=False`` when the request
cannot have reached the server (connecting failed, or an idle connection the server had
closed refused the request) and ``sent=True`` otherwise, for the retry rules (``_retry``).
"""

from __future__ import annotations

import asyncio
import select
import socket
import ssl
import threading
import weakref

from pydynox.exceptions import ConnectionException

__all__ = ["AsyncPool", "Response", "SyncPool", "Target", "no_proxy_for", "request_bytes"]

_MAX_HEAD = 64 * 1024


def request_bytes(host: str, path: str, headers: dict[str, str], body: bytes) -> bytes:
    """The whole request: request line, headers and body in one buffer."""
    lines = [f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value:
            raise ConnectionException(f"header {name} holds a line break", sent=False)
        lines.append(f"{name}: {value}\r\n")
    lines.append(f"Content-Length: {len(body)}\r\n\r\n")
    return "".join(lines).encode("latin-1") + body


class Response:
    """Parses one HTTP/1.1 response from the bytes fed to it (no I/O of its own)."""

    __slots__ = (
        "_buffer",
        "_chunks",
        "_length",
        "_until_close",
        "body",
        "complete",
        "headers",
        "keep_alive",
        "status",
    )

    def __init__(self) -> None:
        self._buffer = b""
        self._length = -1  # body bytes expected; -1 while the head is not parsed
        self._chunks: list[bytes] | None = None  # chunked transfer: the chunks so far
        self._until_close = False
        self.status = 0
        self.headers: dict[str, str] = {}
        self.body = b""
        self.keep_alive = True
        self.complete = False

    @property
    def started(self) -> bool:
        """Whether any byte of the answer arrived."""
        return bool(self._buffer) or self._length != -1 or self.complete

    def feed(self, data: bytes) -> bool:
        """Take more bytes; True once the response is complete."""
        self._buffer += data
        if self._length == -1 and not self._head():
            return False
        if self._chunks is not None:
            return self._chunked()
        if self._until_close:
            return False
        if len(self._buffer) >= self._length:
            self.body, self._buffer = self._buffer[: self._length], b""
            self.complete = True
        return self.complete

    def eof(self) -> bool:
        """The server closed the connection; True if that ends a complete response."""
        if self._until_close and self._length != -1:
            self.body, self._buffer = self._buffer, b""
            self.complete = True
            self.keep_alive = False
        return self.complete

    def _head(self) -> bool:
        end = self._buffer.find(b"\r\n\r\n")
        if end == -1:
            if len(self._buffer) > _MAX_HEAD:
                raise ConnectionException("the answer's headers are too long", sent=True)
            return False
        head = self._buffer[:end].decode("latin-1").split("\r\n")
        self._buffer = self._buffer[end + 4 :]
        version, _, rest = head[0].partition(" ")
        try:
            self.status = int(rest[:3])
        except ValueError:
            raise ConnectionException(f"not an HTTP answer: {head[0][:80]!r}", sent=True) from None
        headers = self.headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if 100 <= self.status < 200:  # an interim answer: the real one follows
            self.status, self.headers = 0, {}
            return self._head()
        connection = headers.get("connection", "").lower()
        self.keep_alive = connection != "close" and (
            version == "HTTP/1.1" or connection == "keep-alive"
        )
        if "chunked" in headers.get("transfer-encoding", "").lower():
            self._chunks = []
            self._length = 0
        elif "content-length" in headers:
            self._length = int(headers["content-length"])
        else:
            self._length = 0
            self._until_close = True
            self.keep_alive = False
        return True

    def _chunked(self) -> bool:
        chunks = self._chunks
        assert chunks is not None
        while True:
            end = self._buffer.find(b"\r\n")
            if end == -1:
                return False
            size = int(self._buffer[:end].split(b";")[0], 16)
            if size == 0:
                trailer = self._buffer.find(b"\r\n\r\n", end)
                if trailer == -1:
                    return False
                self.body, self._buffer = b"".join(chunks), b""
                self.complete = True
                return True
            if len(self._buffer) < end + 2 + size + 2:
                return False
            chunks.append(self._buffer[end + 2 : end + 2 + size])
            self._buffer = self._buffer[end + 2 + size + 2 :]


class Target:
    """Where to connect: host, port, TLS, timeouts."""

    __slots__ = ("connect_timeout", "host", "port", "read_timeout", "tls")

    def __init__(
        self,
        host: str,
        port: int,
        tls: ssl.SSLContext | None,
        connect_timeout: float,
        read_timeout: float,
    ) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout


class SyncPool:
    """Blocking keep-alive connections to one server, shared by threads."""

    def __init__(self, target: Target, size: int) -> None:
        self._target = target
        self._size = size
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()
        # A script that never closes its client: the idle sockets are closed at exit.
        weakref.finalize(self, _close_all, self._idle)

    def _connect(self) -> socket.socket:
        t = self._target
        try:
            sock = socket.create_connection((t.host, t.port), timeout=t.connect_timeout)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if t.tls is not None:
                sock = t.tls.wrap_socket(sock, server_hostname=t.host)
            sock.settimeout(t.read_timeout)
        except (OSError, ssl.SSLError) as error:
            raise ConnectionException(
                f"could not connect to DynamoDB at {t.host}:{t.port}: {error}", sent=False
            ) from error
        return sock

    def _idle_connection(self) -> socket.socket | None:
        with self._lock:
            while self._idle:
                sock = self._idle.pop()
                # An idle connection with something to read was closed by the server.
                if not select.select([sock], [], [], 0)[0]:
                    return sock
                sock.close()
        return None

    def post(self, data: bytes) -> Response:
        sock = self._idle_connection()
        if sock is not None:
            try:
                sock.sendall(data)
            except OSError:  # closed by the server while idle: it never read the request
                sock.close()
                sock = None
        if sock is None:
            sock = self._connect()
            try:
                sock.sendall(data)
            except OSError as error:
                sock.close()
                raise ConnectionException(f"sending to DynamoDB failed: {error}") from error
        response = Response()
        try:
            while True:
                chunk = sock.recv(262144)
                if not chunk:
                    if response.eof():
                        break
                    raise ConnectionException("DynamoDB closed the connection before answering")
                if response.feed(chunk):
                    break
        except OSError as error:
            sock.close()
            raise ConnectionException(f"reading DynamoDB's answer failed: {error}") from error
        except BaseException:
            sock.close()
            raise
        self._release(sock, response.keep_alive)
        return response

    def _release(self, sock: socket.socket, keep: bool) -> None:
        with self._lock:
            if keep and len(self._idle) < self._size:
                self._idle.append(sock)
                return
        sock.close()

    def close(self) -> None:
        with self._lock:
            _close_all(self._idle)


def _close_all(sockets: list[socket.socket]) -> None:
    for sock in sockets[:]:
        sock.close()
    sockets.clear()


class _Connection(asyncio.Protocol):
    """One keep-alive connection on the running loop: one request at a time."""

    __slots__ = ("_response", "_waiter", "closed", "transport")

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self._response: Response | None = None
        self._waiter: asyncio.Future[Response] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def send(self, data: bytes, waiter: asyncio.Future[Response]) -> None:
        assert self.transport is not None
        self._response, self._waiter = Response(), waiter
        self.transport.write(data)

    def data_received(self, data: bytes) -> None:
        response, waiter = self._response, self._waiter
        if response is None or waiter is None:  # bytes nobody asked for: drop the connection
            self._drop()
            return
        try:
            done = response.feed(data)
        except ConnectionException as error:
            self._finish(error)
            self._drop()
            return
        if done:
            self._finish(response)

    def eof_received(self) -> bool | None:
        response = self._response
        if response is not None and response.eof():
            self._finish(response)
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if not self.closed.done():
            self.closed.set_result(None)
        if self._waiter is not None:
            self._finish(
                ConnectionException(f"DynamoDB closed the connection before answering: {exc}")
            )

    def _finish(self, outcome: Response | ConnectionException) -> None:
        waiter, self._waiter, self._response = self._waiter, None, None
        if waiter is not None and not waiter.done():
            if isinstance(outcome, Response):
                waiter.set_result(outcome)
            else:
                waiter.set_exception(outcome)

    def _drop(self) -> None:
        # abort(), not close(): the exchange is over, and a TLS connection's graceful
        # shutdown could outlive the event loop and leave its socket unclosed.
        if self.transport is not None:
            self.transport.abort()

    @property
    def usable(self) -> bool:
        return self.transport is not None and not self.transport.is_closing()


class AsyncPool:
    """Keep-alive connections on one event loop; at most ``size`` requests at once."""

    def __init__(self, target: Target, size: int) -> None:
        self._target = target
        self._slots = asyncio.Semaphore(size)
        self._idle: list[_Connection] = []
        self._busy: set[_Connection] = set()

    async def _connect(self) -> _Connection:
        t = self._target
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(
                    _Connection,
                    t.host,
                    t.port,
                    ssl=t.tls,
                    server_hostname=t.host if t.tls is not None else None,
                ),
                t.connect_timeout,
            )
        except (OSError, ssl.SSLError, asyncio.TimeoutError) as error:
            raise ConnectionException(
                f"could not connect to DynamoDB at {t.host}:{t.port}: {error!r}", sent=False
            ) from error
        assert connection.transport is not None
        sock = connection.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    async def post(self, data: bytes) -> Response:
        async with self._slots:
            connection = None
            while self._idle:
                candidate = self._idle.pop()
                if candidate.usable:
                    connection = candidate
                    break
            if connection is None:
                connection = await self._connect()
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[Response] = loop.create_future()
            self._busy.add(connection)
            connection.send(data, waiter)
            timer = loop.call_later(self._target.read_timeout, _time_out, connection)
            try:
                response = await waiter
            except BaseException:
                connection._drop()
                raise
            finally:
                timer.cancel()
                self._busy.discard(connection)
            if response.keep_alive and connection.usable:
                self._idle.append(connection)
            else:
                connection._drop()
            return response

    async def close(self) -> None:
        connections = self._idle + list(self._busy)
        self._idle, self._busy = [], set()
        for connection in connections:
            connection._drop()
        if connections:  # wait for the transports to run connection_lost
            await asyncio.wait([c.closed for c in connections], timeout=5.0)


def _time_out(connection: _Connection) -> None:
    connection._finish(ConnectionException("DynamoDB did not answer in time (read_timeout)"))
    connection._drop()


def no_proxy_for(url: str) -> bool:
    """Whether ``url`` is reached directly: this client does not speak to HTTP proxies."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    proxies = getproxies()
    if not proxies.get(parts.scheme):
        return True
    return bool(proxy_bypass(parts.hostname or ""))
