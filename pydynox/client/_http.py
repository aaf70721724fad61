"""A small HTTP/1.1 client for DynamoDB's one request shape: ``POST`` with a body, keep-alive.

Measured on 127.0.0.1 (docs/performance.md), ``http.client`` spends about 100 µs of CPU per
request and urllib3 another 100 µs on top, while the socket round trip itself costs about
12 µs; for a GetItem that overhead is most of the client's cost. DynamoDB needs none of a
general HTTP client's features (redirects, cookies, compression, multipart, ``Expect``), so
this module writes the request in one buffer and parses the answer with ``_response.Response``
(a strict sans-I/O parser), shared by:

- ``SyncPool``: blocking sockets, a thread-safe stack of idle keep-alive connections;
- ``AsyncPool``: asyncio protocols on the running loop (the default loop or uvloop), at most
  ``size`` requests in flight.

Time limits, the same on both: ``connect_timeout`` for opening a connection, ``read_timeout``
for the whole answer once the request is written (not per read: a server dripping bytes
cannot stretch it), and an optional ``deadline`` per request (``time.monotonic()`` based, set
from the client's ``call_timeout`` by the plan driver) that bounds both.

Connection failures are raised as ``ConnectionException`` with ``sent=False`` when the request
cannot have reached the server (connecting failed, or an idle connection the server had
closed refused the request) and ``sent=True`` otherwise, for the retry rules (``_retry``); a
certificate that fails verification is ``permanent`` (retrying cannot help).
"""

from __future__ import annotations

import asyncio
import platform
import select
import socket
import ssl
import threading
import time
import weakref
from typing import cast

from pydynox import __version__
from pydynox.client._response import DEFAULT_MAX_ANSWER, Response
from pydynox.exceptions import ConnectionException

__all__ = [
    "USER_AGENT",
    "AsyncPool",
    "Request",
    "Response",
    "SyncPool",
    "Target",
    "no_proxy_for",
    "request_bytes",
]


class Request:
    """The bytes of one signed request. They hold the Authorization header (and a session
    token), so the object never shows them: error trackers record the ``repr`` of the locals
    of every frame of a traceback, and the pools' frames hold this object."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"<signed request, {len(self.data)} bytes>"


# AWS support and metrics know clients by it; not signed (botocore does not sign it either).
USER_AGENT = f"pydynox/{__version__} Python/{platform.python_version()}"


def request_bytes(host: str, path: str, headers: dict[str, str], body: bytes) -> Request:
    """The whole request: request line, headers and body in one buffer."""
    lines = [f"POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: {USER_AGENT}\r\n"]
    for name, value in headers.items():
        if "\r" in value or "\n" in value:
            del headers, lines, value  # they may hold credentials: keep them out of the frame
            raise ConnectionException(f"header {name} holds a line break", sent=False)
        lines.append(f"{name}: {value}\r\n")
    lines.append(f"Content-Length: {len(body)}\r\n\r\n")
    return Request("".join(lines).encode("latin-1") + body)


class Target:
    """Where to connect: host, port, TLS, time limits and the largest answer accepted."""

    __slots__ = ("connect_timeout", "host", "limit", "port", "read_timeout", "tls")

    def __init__(
        self,
        host: str,
        port: int,
        tls: ssl.SSLContext | None,
        connect_timeout: float,
        read_timeout: float,
        limit: int = DEFAULT_MAX_ANSWER,
    ) -> None:
        self.host = host
        self.port = port
        self.tls = tls
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.limit = limit

    def connect_failed(self, error: BaseException) -> ConnectionException:
        """The error for a connection that could not be opened (nothing was sent)."""
        return ConnectionException(
            f"could not connect to DynamoDB at {self.host}:{self.port}: {error!r}",
            sent=False,
            # A certificate that fails verification fails the same way every time.
            permanent=isinstance(error, ssl.SSLCertVerificationError),
        )

    def read_limit(self, deadline: float | None) -> tuple[float, str]:
        """When reading the answer must stop, and the setting that says so."""
        read_by = time.monotonic() + self.read_timeout
        if deadline is not None and deadline < read_by:
            return deadline, "call_timeout"
        return read_by, f"read_timeout={self.read_timeout} s"


def _late(setting: str) -> ConnectionException:
    return ConnectionException(f"DynamoDB did not answer in time ({setting})")


def _connect_timeout(target: Target, deadline: float | None) -> float:
    """The time left to connect: ``connect_timeout``, cut short by the call's deadline."""
    if deadline is None:
        return target.connect_timeout
    left = deadline - time.monotonic()
    if left <= 0:
        raise ConnectionException(
            "the call's deadline (call_timeout) passed before DynamoDB could be reached",
            sent=False,
        )
    return min(target.connect_timeout, left)


if hasattr(select, "poll"):

    def _closed_while_idle(sock: socket.socket) -> bool:
        # poll, not select: select cannot watch descriptors numbered 1024 or more.
        poller = select.poll()
        poller.register(sock, select.POLLIN)
        return bool(poller.poll(0))

else:  # Windows: select has no such limit there

    def _closed_while_idle(sock: socket.socket) -> bool:
        return bool(select.select([sock], [], [], 0)[0])


class SyncPool:
    """Blocking keep-alive connections to one server, shared by threads."""

    def __init__(self, target: Target, size: int) -> None:
        self._target = target
        self._size = size
        self._idle: list[socket.socket] = []
        self._lock = threading.Lock()
        # A script that never closes its client: the idle sockets are closed at exit.
        weakref.finalize(self, _close_all, self._idle)

    def _connect(self, deadline: float | None) -> socket.socket:
        t = self._target
        try:
            sock = socket.create_connection((t.host, t.port), timeout=_connect_timeout(t, deadline))
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if t.tls is not None:
                sock = t.tls.wrap_socket(sock, server_hostname=t.host)
        except (OSError, ssl.SSLError) as error:
            raise t.connect_failed(error) from error
        return sock

    def _idle_connection(self) -> socket.socket | None:
        with self._lock:
            while self._idle:
                sock = self._idle.pop()
                # An idle connection with something to read was closed by the server.
                if not _closed_while_idle(sock):
                    return sock
                sock.close()
        return None

    def post(self, request: Request, deadline: float | None = None) -> Response:
        # request.data is never bound to a local: frames of a traceback would show it.
        stop, setting = self._target.read_limit(deadline)
        sock = self._idle_connection()
        if sock is not None:
            try:
                sock.settimeout(max(stop - time.monotonic(), 0.001))
                sock.sendall(request.data)
            except OSError:  # closed by the server while idle: it never read the request
                sock.close()
                sock = None
        if sock is None:
            sock = self._connect(deadline)
            stop, setting = self._target.read_limit(deadline)
            try:
                sock.settimeout(max(stop - time.monotonic(), 0.001))
                sock.sendall(request.data)
            except OSError as error:
                sock.close()
                raise ConnectionException(f"sending to DynamoDB failed: {error}") from error
        response = Response(self._target.limit)
        try:
            while True:
                left = stop - time.monotonic()
                if left <= 0:
                    raise _late(setting)
                sock.settimeout(left)
                try:
                    chunk = sock.recv(262144)
                except TimeoutError:
                    raise _late(setting) from None
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

    __slots__ = ("_limit", "_response", "_waiter", "closed", "transport")

    def __init__(self, limit: int) -> None:
        self.transport: asyncio.Transport | None = None
        self._limit = limit
        self._response: Response | None = None
        self._waiter: asyncio.Future[Response] | None = None
        self.closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # Not an isinstance check: uvloop's transports are not asyncio.Transport subclasses.
        self.transport = cast(asyncio.Transport, transport)

    def send(self, data: bytes, waiter: asyncio.Future[Response]) -> None:
        assert self.transport is not None
        self._response, self._waiter = Response(self._limit), waiter
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

    async def _connect(self, deadline: float | None) -> _Connection:
        t = self._target
        loop = asyncio.get_running_loop()
        try:
            _, connection = await asyncio.wait_for(
                loop.create_connection(
                    lambda: _Connection(t.limit),
                    t.host,
                    t.port,
                    ssl=t.tls,
                    server_hostname=t.host if t.tls is not None else None,
                ),
                _connect_timeout(t, deadline),
            )
        except (OSError, ssl.SSLError, asyncio.TimeoutError) as error:
            raise t.connect_failed(error) from error
        assert connection.transport is not None
        sock = connection.transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    async def post(self, request: Request, deadline: float | None = None) -> Response:
        async with self._slots:
            connection = None
            while self._idle:
                candidate = self._idle.pop()
                if candidate.usable:
                    connection = candidate
                    break
            if connection is None:
                connection = await self._connect(deadline)
            loop = asyncio.get_running_loop()
            waiter: asyncio.Future[Response] = loop.create_future()
            self._busy.add(connection)
            connection.send(request.data, waiter)
            stop, setting = self._target.read_limit(deadline)
            timer = loop.call_later(stop - time.monotonic(), _time_out, connection, setting)
            try:
                response = await waiter
            except BaseException:  # a failure, or the caller was cancelled: stop at once
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


def _time_out(connection: _Connection, setting: str) -> None:
    connection._finish(_late(setting))
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
