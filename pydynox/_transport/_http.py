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
from typing import Any, cast

from pydynox._transport._response import DEFAULT_MAX_ANSWER, Response
from pydynox._version import __version__
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

    def read_by(self, deadline: float | None, now: float) -> float:
        """When reading an answer that starts ``now`` must stop (``time.monotonic()``)."""
        stop = now + self.read_timeout
        return deadline if deadline is not None and deadline < stop else stop

    def late(self, deadline: float | None, stop: float) -> ConnectionException:
        """The error for an answer that did not come by ``stop``."""
        fired = "call_timeout" if stop == deadline else f"read_timeout={self.read_timeout} s"
        return ConnectionException(f"DynamoDB did not answer in time ({fired})")


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


class _Idle:
    """An idle keep-alive socket, and how to see that the server closed it meanwhile."""

    __slots__ = ("poller", "sock")

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        # poll, not select: select cannot watch descriptors numbered 1024 or more. One
        # poller per socket, made once, so the check is one system call.
        self.poller: Any = None
        if hasattr(select, "poll"):
            self.poller = select.poll()
            self.poller.register(sock, select.POLLIN)

    def closed(self) -> bool:
        """Something to read on an idle connection: the server closed it (or broke it)."""
        if self.poller is not None:
            return bool(self.poller.poll(0))
        return bool(select.select([self.sock], [], [], 0)[0])  # Windows: no such limit


def _arm(sock: socket.socket, target: Target, deadline: float | None) -> float:
    """Set the socket's timeout for a request about to be sent; return when reading its
    answer must stop. Setting a timeout is a system call, so an unchanged one is kept."""
    now = time.monotonic()
    stop = target.read_by(deadline, now)
    timeout = max(stop - now, 0.001) if deadline is not None else target.read_timeout
    if sock.gettimeout() != timeout:
        sock.settimeout(timeout)
    return stop


class SyncPool:
    """Blocking keep-alive connections to one server, shared by threads."""

    def __init__(self, target: Target, size: int) -> None:
        self._target = target
        self._size = size
        self._idle: list[_Idle] = []
        self._lock = threading.Lock()
        # A script that never closes its client: the idle sockets are closed at exit.
        weakref.finalize(self, _close_all, self._idle)

    def _connect(self, deadline: float | None) -> _Idle:
        t = self._target
        try:
            sock = _connected(t.host, t.port, _connect_timeout(t, deadline))
        except OSError as error:
            raise t.connect_failed(error) from error
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if t.tls is not None:
                sock = t.tls.wrap_socket(sock, server_hostname=t.host)
            return _Idle(sock)
        except (OSError, ssl.SSLError) as error:
            sock.close()
            raise t.connect_failed(error) from error
        except BaseException:  # KeyboardInterrupt: no socket is left to the collector
            sock.close()
            raise

    def _idle_connection(self) -> _Idle | None:
        with self._lock:
            idle = self._idle
            while idle:
                conn = idle[-1]  # left in the list while checked: a KeyboardInterrupt
                closed = conn.closed()  # here leaves no open socket without an owner
                del idle[-1]
                if not closed:
                    return conn
                conn.sock.close()
        return None

    def post(self, request: Request, deadline: float | None = None) -> Response:
        # request.data is never bound to a local: frames of a traceback would show it.
        t = self._target
        conn = self._idle_connection()
        try:
            if conn is not None:
                try:
                    stop = _arm(conn.sock, t, deadline)
                    conn.sock.sendall(request.data)
                except OSError:  # closed by the server while idle: it never read the request
                    conn.sock.close()
                    conn = None
            if conn is None:
                conn = self._connect(deadline)
                try:
                    stop = _arm(conn.sock, t, deadline)
                    conn.sock.sendall(request.data)
                except OSError as error:
                    raise ConnectionException(f"sending to DynamoDB failed: {error}") from error
            response = self._read(conn.sock, deadline, stop)
            self._release(conn, response.keep_alive)
        except BaseException:  # a failure, or KeyboardInterrupt: the connection is dropped
            if conn is not None:
                conn.sock.close()
            raise
        return response

    def _read(self, sock: socket.socket, deadline: float | None, stop: float) -> Response:
        """The answer: the first read waits at most until ``stop`` (the timeout set when
        sending); later ones only for what is left of it, so the whole answer is bounded."""
        t = self._target
        response = Response(t.limit)
        try:
            while True:
                try:
                    chunk = sock.recv(262144)
                except TimeoutError:
                    raise t.late(deadline, stop) from None
                if not chunk:
                    if response.eof():
                        return response
                    raise ConnectionException("DynamoDB closed the connection before answering")
                if response.feed(chunk):
                    return response
                left = stop - time.monotonic()
                if left <= 0:
                    raise t.late(deadline, stop)
                sock.settimeout(left)
        except OSError as error:
            raise ConnectionException(f"reading DynamoDB's answer failed: {error}") from error

    def _release(self, conn: _Idle, keep: bool) -> None:
        with self._lock:
            if keep and len(self._idle) < self._size:
                self._idle.append(conn)
                return
        conn.sock.close()

    def close(self) -> None:
        with self._lock:
            _close_all(self._idle)


def _connected(host: str, port: int, timeout: float | None) -> socket.socket:
    """socket.create_connection, but a KeyboardInterrupt while connecting closes the socket
    (the standard one leaves it to the collector, with a ResourceWarning)."""
    failure: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
            return sock
        except OSError as error:
            sock.close()
            failure = error
        except BaseException:
            sock.close()
            raise
    raise failure or OSError(f"no address found for {host}")


def _close_all(idle: list[_Idle]) -> None:
    for conn in idle[:]:
        conn.sock.close()
    idle.clear()


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
            now = time.monotonic()
            stop = self._target.read_by(deadline, now)
            timer = loop.call_later(stop - now, _time_out, connection, self._target, deadline, stop)
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


def _time_out(connection: _Connection, target: Target, deadline: float | None, stop: float) -> None:
    connection._finish(target.late(deadline, stop))
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
