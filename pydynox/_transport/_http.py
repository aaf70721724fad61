"""HTTP/1.1 basics shared by the two connection pools: the request bytes and where to send them.

DynamoDB has one request shape: ``POST`` with a body, keep-alive. Measured on 127.0.0.1
(docs/performance.md), ``http.client`` spends about 100 µs of CPU per request and urllib3
another 100 µs on top, while the socket round trip itself costs about 12 µs; for a GetItem
that overhead is most of the client's cost. DynamoDB needs none of a general HTTP client's
features (redirects, cookies, compression, multipart, ``Expect``), so pydynox writes the
request in one buffer (``request_bytes``) and parses the answer with ``_response.Response`` (a
strict sans-I/O parser), in two pools:

- ``_sync_pool.SyncPool``: blocking sockets, a thread-safe stack of idle keep-alive
  connections;
- ``_async_pool.AsyncPool``: asyncio protocols on the running loop (the default loop or
  uvloop), at most ``size`` requests in flight.

Time limits, the same on both (``Target``): ``connect_timeout`` for opening a connection,
``read_timeout`` for the whole answer once the request is written (not per read: a server
dripping bytes cannot stretch it), and an optional ``deadline`` per request
(``time.monotonic()`` based, set from the client's ``call_timeout`` by the plan driver) that
bounds both.

Connection failures are raised as ``ConnectionException`` with ``sent=False`` when the request
cannot have reached the server (connecting failed, or an idle connection the server had
closed refused the request) and ``sent=True`` otherwise, for the retry rules (``_retry``); a
certificate that fails verification is ``permanent`` (retrying cannot help).
"""

from __future__ import annotations

import platform
import ssl
import time

from pydynox._transport._response import DEFAULT_MAX_ANSWER
from pydynox._version import __version__
from pydynox.exceptions import ConnectionException

__all__ = ["USER_AGENT", "Request", "Target", "no_proxy_for", "request_bytes"]


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

    def connect_within(self, deadline: float | None) -> float:
        """The time left to connect: ``connect_timeout``, cut short by the call's deadline."""
        if deadline is None:
            return self.connect_timeout
        left = deadline - time.monotonic()
        if left <= 0:
            raise ConnectionException(
                "the call's deadline (call_timeout) passed before DynamoDB could be reached",
                sent=False,
            )
        return min(self.connect_timeout, left)


def no_proxy_for(url: str) -> bool:
    """Whether ``url`` is reached directly: this client does not speak to HTTP proxies."""
    from urllib.parse import urlsplit
    from urllib.request import getproxies, proxy_bypass

    parts = urlsplit(url)
    proxies = getproxies()
    if not proxies.get(parts.scheme):
        return True
    return bool(proxy_bypass(parts.hostname or ""))
