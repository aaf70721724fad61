"""A local HTTP/1.1 server on 127.0.0.1 answering like DynamoDB with JSON a test gives it.

``Canned()`` listens on a free port (``url``) and serves at once, each connection on a
thread of its own, keep-alive as DynamoDB does. ``answer(every, **answers)`` says what to
answer from now on, per operation (the end of ``X-Amz-Target``: ``GetItem=...``) and for the
others (``every``), and forgets the requests so far. An answer is a JSON body (status 200), a
``Reply(status, body)``, or a function of the request's JSON body returning either. An
operation with no answer, and any request past ``limit``, gets a 400 ``test#Unexpected``, so a
test that loops fails instead of hanging.

``requests`` lists every request as received (``Request``: request line, headers, body), in
arrival order; ``connections`` counts the connections accepted, TLS handshake or not.

``Canned(tls=context)`` serves HTTPS: the listening socket is wrapped with the given server
``SSLContext``, and each connection does its handshake on its own thread (a failed handshake,
what the TLS tests provoke, is no error here and records no request).

Leaving the ``with`` block (or ``close()``) stops the server, ends the connections still open
and joins every thread, so no socket is left for a ResourceWarning.

For hostile answers written byte by byte, see tests/hostile.py.
"""

from __future__ import annotations

import json
import socket
import ssl
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, NamedTuple

__all__ = ["Answer", "Canned", "Reply", "Request"]


class Reply(NamedTuple):
    """An answer with a status other than 200 (a DynamoDB error is a 400)."""

    status: int
    body: Any


Answer = dict[str, Any] | Reply | Callable[[dict[str, Any]], dict[str, Any] | Reply]


@dataclass(frozen=True)
class Request:
    """One request as the server received it."""

    line: str  # the request line as sent: BaseHTTPRequestHandler.path collapses leading "//"
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.line.split(" ")[1]

    @property
    def target(self) -> str:
        """``X-Amz-Target``, such as ``DynamoDB_20120810.GetItem``."""
        return self.headers.get("X-Amz-Target", "")

    @property
    def op(self) -> str:
        """The operation: ``GetItem``."""
        return self.target.rpartition(".")[2]

    def json(self) -> Any:
        return json.loads(self.body)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        # Before the streams exist: a failed handshake leaves nothing open but the socket,
        # which the server closes.
        if isinstance(self.request, ssl.SSLSocket):
            self.request.do_handshake()
        super().setup()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        request = Request(self.requestline, dict(self.headers.items()), body)
        status, data = self.server.canned._reply(request)
        encoded = json.dumps(data).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("x-amzn-RequestId", "canned")
        self.send_header("Content-Length", str(len(encoded)))
        self.end_headers()
        self.wfile.write(encoded)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = False  # so server_close joins every connection's thread
    canned: Canned

    def get_request(self) -> tuple[Any, Any]:
        conn, peer = super().get_request()
        self.canned._opened(conn)
        return conn, peer

    def shutdown_request(self, request: Any) -> None:
        super().shutdown_request(request)
        self.canned._closed(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client gone, a failed handshake: what the tests provoke. Anything else is a bug
        # of the test, worth the traceback on stderr.
        if not isinstance(sys.exc_info()[1], OSError):
            super().handle_error(request, client_address)


class Canned:
    """A local endpoint answering each operation with canned JSON (see the module docstring)."""

    def __init__(self, *, tls: ssl.SSLContext | None = None, limit: int | None = None) -> None:
        self.limit = limit
        self._answers: dict[str, Answer] = {}
        self._every: Answer | None = None
        self.requests: list[Request] = []
        self.connections = 0
        self._lock = threading.Lock()
        self._closed_already = False
        self._open: set[socket.socket] = set()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.canned = self
        if tls is not None:
            self._server.socket = tls.wrap_socket(
                self._server.socket, server_side=True, do_handshake_on_connect=False
            )
        scheme = "https" if tls is not None else "http"
        self.url = f"{scheme}://127.0.0.1:{self._server.server_address[1]}"
        # A short poll: close() waits up to one poll for the server to notice.
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()

    def answer(self, every: Answer | None = None, /, **answers: Answer) -> Canned:
        """Answer from now on (``every`` for the operations not named), and forget earlier
        requests."""
        with self._lock:
            self._every = every
            self._answers = dict(answers)
            self.requests.clear()
        return self

    def ops(self) -> list[str]:
        """The operations received, in arrival order."""
        with self._lock:
            return [request.op for request in self.requests]

    def _reply(self, request: Request) -> tuple[int, Any]:
        """Record ``request``; the status and JSON body to answer it with."""
        with self._lock:
            self.requests.append(request)
            answer = self._answers.get(request.op, self._every)
            endless = self.limit is not None and len(self.requests) > self.limit
        if callable(answer):
            answer = answer(request.json())
        status, data = answer if isinstance(answer, Reply) else (200, answer)
        if data is None or endless:  # endless: a paging loop fails the test instead of hanging
            status = 400
            data = {"__type": "test#Unexpected", "message": f"{request.op} unexpected"}
        return status, data

    def close(self) -> None:
        if self._closed_already:
            return
        self._closed_already = True
        self._server.shutdown()
        with self._lock:
            still_open = list(self._open)
        for conn in still_open:
            # The plain socket's shutdown (an SSLSocket's would drop its TLS state under the
            # thread reading it): the thread waiting on a keep-alive connection reads EOF.
            with suppress(OSError):
                socket.socket.shutdown(conn, socket.SHUT_RDWR)
        self._server.server_close()  # joins the connections' threads
        self._thread.join()

    def __enter__(self) -> Canned:
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _opened(self, conn: socket.socket) -> None:
        with self._lock:
            self.connections += 1
            self._open.add(conn)

    def _closed(self, conn: socket.socket) -> None:
        with self._lock:
            self._open.discard(conn)
