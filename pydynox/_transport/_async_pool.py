"""The async connection pool: asyncio keep-alive connections on one event loop.

``AsyncPool.post`` sends one signed request (``_http.Request``) on a ``_Connection`` (an
``asyncio.Protocol`` feeding ``_response.Response``) and waits for the answer within
``_http.Target``'s time limits, with at most ``size`` requests in flight. Works on the default
loop and on uvloop.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from typing import cast

from pydynox._transport._http import Request, Target
from pydynox._transport._response import Response
from pydynox.exceptions import ConnectionException

__all__ = ["AsyncPool"]


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
                t.connect_within(deadline),
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
