"""The sync connection pool: blocking keep-alive sockets to one server, shared by threads.

``SyncPool.post`` sends one signed request (``_http.Request``) and reads the answer with
``_response.Response``, within ``_http.Target``'s time limits; an idle connection the server
closed meanwhile is seen before use (or when sending fails) and replaced.
"""

from __future__ import annotations

import select
import socket
import ssl
import threading
import time
import weakref
from typing import Any

from pydynox._transport._http import Request, Target
from pydynox._transport._response import Response
from pydynox.exceptions import ConnectionException

__all__ = ["SyncPool"]


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
            sock = _connected(t.host, t.port, t.connect_within(deadline))
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
