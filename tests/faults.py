"""A fault-injecting HTTP/1.1 reverse proxy in front of the local DynamoDB, for tests.

``FaultProxy(endpoint, seed=...)`` listens on a free port of 127.0.0.1 and forwards each
request to ``endpoint`` (one upstream keep-alive connection per client connection). Faults
are drawn from a seeded ``random.Random`` with one probability per kind, at most one fault
per request:

- ``throttle``: HTTP 400 ``ProvisionedThroughputExceededException``, or (a share of them,
  ``throttling_share``) ``com.amazon.coral.availability#ThrottlingException``; not forwarded.
  Counted as ``throttle`` and in a sub-count ``throttle:<ExceptionName>``.
- ``error500``: HTTP 500 ``InternalServerError``, not forwarded.
- ``drop_before``: the connection is closed without forwarding nor answering.
- ``drop_after``: the request is forwarded (the server applies it), then the connection is
  closed without answering.
- ``half_unprocessed``: BatchWriteItem / BatchGetItem only: a share (``unprocessed_fraction``,
  half by default) of the writes / keys of each table is held back, the rest forwarded, and
  the held-back part is returned in ``UnprocessedItems`` / ``UnprocessedKeys``. Requests of
  other operations drawn for it pass unharmed (and are not counted as faults).

``proxy.configure(...)`` sets the random mix (``ops=`` restricts it to some operations,
named as in ``X-Amz-Target``: ``"BatchWriteItem"``); ``proxy.force(kind, ...)`` adds a
deterministic rule (``skip`` matching requests pass first, then at most ``times`` faults);
``proxy.enabled = False`` turns every fault off. Counters (thread safe, read under
``proxy.lock`` or via ``summary()``): ``counts`` (faults by kind), ``seen`` / ``forwarded``
(requests by operation), ``units`` (write requests / keys of batch requests the server
answered with 200, by operation; a repeated write shows up as a surplus here) and
``requests`` (parsed bodies of the operations named in ``record``, in arrival order);
``applied`` the single writes of the BatchWriteItem requests the server answered with 200.
``wait_idle()`` returns once no request is being handled.

Like DynamoDB, the proxy keeps the ``ClientRequestToken`` of every TransactWriteItems the
server applied and answers a repeat of that token with 200 without forwarding it (moto
ignores the token), counted as ``replayed``; ``idempotent_transactions=False`` turns it off.

A context manager: leaving it closes every socket and joins every thread.
"""

from __future__ import annotations

import http.client
import json
import os
import random
import socket
import socketserver
import sys
import threading
import time
import zlib
from collections import Counter
from collections.abc import Collection, Iterator
from contextlib import suppress
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

__all__ = ["KINDS", "FaultProxy", "Rule", "report"]

KINDS = ("throttle", "error500", "drop_before", "drop_after", "half_unprocessed")
BATCH_OPS = frozenset({"BatchWriteItem", "BatchGetItem"})
THROTTLES = {
    "ProvisionedThroughputExceededException": (
        "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
        "The level of configured provisioned throughput for the table was exceeded "
        "(injected by the fault proxy)",
    ),
    "ThrottlingException": (
        "com.amazon.coral.availability#ThrottlingException",
        "Rate of requests exceeds the allowed throughput (injected by the fault proxy)",
    ),
}
INTERNAL_ERROR = (
    "com.amazonaws.dynamodb.v20120810#InternalServerError",
    "Internal server error (injected by the fault proxy)",
)
JSON_TYPE = "application/x-amz-json-1.0"
_HOP_BY_HOP = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "proxy-connection",
        "te",
        "trailer",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)
_NOT_FORWARDED_BACK = _HOP_BY_HOP | {"date", "server"}


@dataclass
class Rule:
    """A deterministic fault: the requests of ``ops`` (None: all) after the first ``skip``
    of them get ``kind``, at most ``times`` times (None: always)."""

    kind: str
    ops: frozenset[str] | None = None
    skip: int = 0
    times: int | None = None
    variant: str | None = None  # throttle: the exception name
    fraction: float | None = None  # half_unprocessed: the share held back
    matched: int = 0
    fired: int = 0

    def fire(self, op: str) -> bool:
        if self.ops is not None and op not in self.ops:
            return False
        self.matched += 1
        if self.matched <= self.skip or (self.times is not None and self.fired >= self.times):
            return False
        if self.kind == "half_unprocessed" and op not in BATCH_OPS:
            return False
        self.fired += 1
        return True


@dataclass(frozen=True)
class _Fault:
    kind: str
    variant: str | None = None
    fraction: float = 0.5


def crc32(body: bytes) -> str:
    return str(zlib.crc32(body) & 0xFFFFFFFF)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


class FaultProxy:
    """See the module docstring."""

    def __init__(
        self,
        upstream: str,
        seed: int = 0,
        *,
        throttle: float = 0.0,
        error500: float = 0.0,
        drop_before: float = 0.0,
        drop_after: float = 0.0,
        half_unprocessed: float = 0.0,
        ops: Collection[str] | None = None,
        throttling_share: float = 0.5,
        unprocessed_fraction: float = 0.5,
        record: Collection[str] = (),
        idempotent_transactions: bool = True,
        enabled: bool = True,
    ) -> None:
        parts = urlsplit(upstream)
        if parts.scheme != "http" or parts.hostname is None:
            raise ValueError(f"the fault proxy forwards to an http:// endpoint, not {upstream!r}")
        self.upstream_host = parts.hostname
        self.upstream_port = parts.port or 80
        self.seed = seed
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.enabled = enabled
        self.throttling_share = throttling_share
        self.unprocessed_fraction = unprocessed_fraction
        self.record = set(record)
        self.idempotent_transactions = idempotent_transactions
        self.mix: dict[str, float] = {}
        self.mix_ops: frozenset[str] | None = None
        self.rules: list[Rule] = []
        self.counts: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()
        self.forwarded: Counter[str] = Counter()
        self.units: Counter[str] = Counter()
        self.requests: dict[str, list[dict[str, Any]]] = {}
        self._tokens: set[str] = set()
        self.active = 0  # requests being handled right now
        self.applied: list[dict[str, Any]] = []  # the batch writes the server applied
        self.configure(
            throttle=throttle,
            error500=error500,
            drop_before=drop_before,
            drop_after=drop_after,
            half_unprocessed=half_unprocessed,
            ops=ops,
        )
        self._server = _Server(self)
        host, port = self._server.server_address[:2]
        self.url = f"http://{host}:{port}"
        self._serving = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fault-proxy",
            daemon=True,
        )
        self._serving.start()
        self._closed = False

    # -- configuration ------------------------------------------------------------------

    def configure(self, *, ops: Collection[str] | None = None, **probabilities: float) -> None:
        """Set the random mix: a probability per kind (the others become 0)."""
        unknown = set(probabilities) - set(KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {KINDS}")
        mix = {kind: float(p) for kind, p in probabilities.items() if p}
        if sum(mix.values()) > 1.0:
            raise ValueError(f"fault probabilities add up to more than 1: {mix}")
        with self.lock:
            self.mix = mix
            self.mix_ops = frozenset(ops) if ops is not None else None

    def force(
        self,
        kind: str,
        ops: Collection[str] | None = None,
        *,
        skip: int = 0,
        times: int | None = None,
        variant: str | None = None,
        fraction: float | None = None,
    ) -> Rule:
        """Add a deterministic rule, checked before the random mix."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; known: {KINDS}")
        if variant is not None and variant not in THROTTLES:
            raise ValueError(f"unknown throttle variant {variant!r}")
        rule = Rule(kind, frozenset(ops) if ops is not None else None, skip, times)
        rule.variant, rule.fraction = variant, fraction
        with self.lock:
            self.rules.append(rule)
        return rule

    def clear(self) -> None:
        """No more faults: the mix and the rules are emptied (the counters are kept)."""
        with self.lock:
            self.mix = {}
            self.rules = []

    @property
    def errors(self) -> list[BaseException]:
        """Unexpected errors of the proxy's own connection threads (should stay empty)."""
        return list(self._server.errors)

    def wait_idle(self, timeout: float = 10.0, quiet: float = 0.01) -> None:
        """Wait until no request has been handled for ``quiet`` seconds (one a client gave up
        on may still be on its way to the server, and applied after the client stopped)."""
        deadline = time.monotonic() + timeout
        idle_since: float | None = None
        while True:
            now = time.monotonic()
            with self.lock:
                busy = self.active > 0
            if busy:
                idle_since = None
            elif idle_since is None:
                idle_since = now
            elif now - idle_since >= quiet:
                return
            if now > deadline:
                raise TimeoutError(f"the fault proxy still handles {self.active} requests")
            time.sleep(0.002)

    def summary(self) -> dict[str, Any]:
        with self.lock:
            return {
                "faults": dict(self.counts),
                "seen": dict(self.seen),
                "forwarded": dict(self.forwarded),
                "units": dict(self.units),
            }

    # -- per request (called from the connection threads) -------------------------------

    def _decide(self, op: str, body: bytes) -> _Fault | None:
        with self.lock:
            self.seen[op] += 1
            if op in self.record:
                try:
                    parsed = json.loads(body) if body else {}
                except ValueError:
                    parsed = {"__raw__": body.decode("latin-1")}
                self.requests.setdefault(op, []).append(parsed)
            if not self.enabled:
                return None
            fault = None
            for rule in self.rules:
                if rule.fire(op):
                    fault = self._fault(rule.kind, rule.variant, rule.fraction)
                    break
            if fault is None and self.mix and (self.mix_ops is None or op in self.mix_ops):
                draw, total = self.rng.random(), 0.0
                for kind in KINDS:
                    total += self.mix.get(kind, 0.0)
                    if draw < total:
                        if kind != "half_unprocessed" or op in BATCH_OPS:
                            fault = self._fault(kind, None, None)
                        break
            if fault is not None:
                self.counts[fault.kind] += 1
                if fault.variant is not None:
                    self.counts[f"{fault.kind}:{fault.variant}"] += 1
            return fault

    def _fault(self, kind: str, variant: str | None, fraction: float | None) -> _Fault:
        if kind == "throttle" and variant is None:
            share = self.throttling_share
            variant = (
                "ThrottlingException"
                if self.rng.random() < share
                else "ProvisionedThroughputExceededException"
            )
        return _Fault(kind, variant, self.unprocessed_fraction if fraction is None else fraction)

    def _split(self, fault: _Fault, op: str, body: bytes) -> tuple[bytes | None, dict[str, Any]]:
        """For half_unprocessed: the request to forward (None: nothing left to forward) and
        what to add to the response as UnprocessedItems / UnprocessedKeys."""
        request = json.loads(body)
        held: dict[str, Any] = {}
        forward: dict[str, Any] = {}
        with self.lock:
            for table, entry in request["RequestItems"].items():
                parts = entry if op == "BatchWriteItem" else entry["Keys"]
                n = len(parts)
                count = min(n, max(1, round(n * fault.fraction))) if n else 0
                chosen = set(self.rng.sample(range(n), count))
                kept = [p for i, p in enumerate(parts) if i not in chosen]
                back = [p for i, p in enumerate(parts) if i in chosen]
                if op == "BatchWriteItem":
                    if back:
                        held[table] = back
                    if kept:
                        forward[table] = kept
                else:
                    rest = {k: v for k, v in entry.items() if k != "Keys"}
                    if back:
                        held[table] = {**rest, "Keys": back}
                    if kept:
                        forward[table] = {**rest, "Keys": kept}
        if not forward:
            return None, held
        return _dumps({**request, "RequestItems": forward}), held

    def _units(self, op: str, body: bytes) -> int:
        """The writes or keys of a batch request the server answered with 200; its writes
        (``PutRequest`` / ``DeleteRequest``) are kept in ``applied``, in arrival order."""
        request = json.loads(body)
        if op == "BatchWriteItem":
            writes = [w for entry in request["RequestItems"].values() for w in entry]
            with self.lock:
                self.applied.extend(writes)
            return len(writes)
        return sum(len(entry["Keys"]) for entry in request["RequestItems"].values())

    # -- lifecycle ----------------------------------------------------------------------

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._server.shutdown()  # stops serve_forever
        self._serving.join()
        self._server.close_connections()
        self._server.server_close()
        self._server.join_threads(timeout=10.0)

    def __enter__(self) -> FaultProxy:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A threading TCP server that remembers its connections and threads, so closing it can
    shut every connection down and join every thread."""

    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 256

    def __init__(self, proxy: FaultProxy) -> None:
        self.proxy = proxy
        self.connections: set[socket.socket] = set()
        self.threads: set[threading.Thread] = set()
        self.track = threading.Lock()
        self.errors: list[BaseException] = []
        super().__init__(("127.0.0.1", 0), _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._run, args=(request, client_address), name="fault-proxy-conn"
        )
        thread.daemon = True
        with self.track:
            self.connections.add(request)
            self.threads.add(thread)
        thread.start()

    def _run(self, request: socket.socket, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self.track:
                self.connections.discard(request)
                self.threads.discard(threading.current_thread())

    def handle_error(self, request: Any, client_address: Any) -> None:
        error = sys.exc_info()[1]
        if error is not None and not isinstance(error, (ConnectionError, TimeoutError)):
            self.errors.append(error)
        with self.proxy.lock:
            self.proxy.counts["connection_errors"] += 1

    def close_connections(self) -> None:
        with self.track:
            connections = list(self.connections)
        for connection in connections:
            with suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def join_threads(self, timeout: float) -> None:
        with self.track:
            threads = list(self.threads)
        for thread in threads:
            thread.join(timeout)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server: _Server
    upstream: http.client.HTTPConnection | None = None

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            if self.upstream is not None:
                self.upstream.close()
                self.upstream = None

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _serve(self) -> None:
        proxy = self.server.proxy
        with proxy.lock:
            proxy.active += 1
        try:
            self._serve_one()
        finally:
            with proxy.lock:
                proxy.active -= 1

    def _serve_one(self) -> None:
        proxy = self.server.proxy
        body = self._read_body()
        target = self.headers.get("X-Amz-Target", "")
        op = target.rsplit(".", 1)[-1] if target else ""
        fault = proxy._decide(op, body)
        if fault is None or fault.kind == "drop_after":
            self._forward(op, body, drop=fault is not None)
        elif fault.kind == "throttle":
            self._error(400, *THROTTLES[fault.variant or "ProvisionedThroughputExceededException"])
        elif fault.kind == "error500":
            self._error(500, *INTERNAL_ERROR)
        elif fault.kind == "drop_before":
            self.close_connection = True
        else:  # half_unprocessed
            self._forward_half(op, body, fault)

    def _upstream(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """Send the request on to the server; None (and the connection closed) if that
        fails."""
        proxy = self.server.proxy
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        if self.upstream is None:
            self.upstream = http.client.HTTPConnection(
                proxy.upstream_host, proxy.upstream_port, timeout=60
            )
        try:
            self.upstream.request(self.command, self.path, body=body, headers=headers)
            response = self.upstream.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.upstream.close()
            self.upstream = None
            with proxy.lock:
                proxy.counts["upstream_errors"] += 1
            self.close_connection = True
            return None
        if response.will_close:
            self.upstream.close()
            self.upstream = None
        return response.status, response.getheaders(), data

    def _forward(self, op: str, body: bytes, drop: bool = False) -> None:
        proxy = self.server.proxy
        token = None
        if op == "TransactWriteItems" and proxy.idempotent_transactions:
            token = json.loads(body).get("ClientRequestToken")
            if token is not None:
                with proxy.lock:
                    replay = token in proxy._tokens
                    if replay:
                        proxy.counts["replayed"] += 1
                if replay:  # DynamoDB answers a repeated token without applying it again
                    if drop:
                        self.close_connection = True
                    else:
                        self._answer(200, [("Content-Type", JSON_TYPE)], b"{}")
                    return
        result = self._upstream(body)
        if result is None:
            return
        status, headers, data = result
        units = proxy._units(op, body) if status == 200 and op in BATCH_OPS else 0
        with proxy.lock:
            proxy.forwarded[op] += 1
            if units:
                proxy.units[op] += units
            if status == 200 and token is not None:
                proxy._tokens.add(token)
        if drop:
            self.close_connection = True
            return
        self._answer(status, self._back(headers), data)

    def _forward_half(self, op: str, body: bytes, fault: _Fault) -> None:
        proxy = self.server.proxy
        forward, held = proxy._split(fault, op, body)
        if forward is None:
            response: dict[str, Any] = {}
            status, headers = 200, [("Content-Type", JSON_TYPE)]
        else:
            result = self._upstream(forward)
            if result is None:
                return
            status, raw_headers, data = result
            units = proxy._units(op, forward) if status == 200 else 0
            with proxy.lock:
                proxy.forwarded[op] += 1
                if units:
                    proxy.units[op] += units
            headers = self._back(raw_headers)
            if status != 200:
                self._answer(status, headers, data)
                return
            response = json.loads(data)
        if op == "BatchWriteItem":
            unprocessed = response.setdefault("UnprocessedItems", {})
            for table, requests in held.items():
                unprocessed.setdefault(table, []).extend(requests)
        else:
            response.setdefault("Responses", {})
            unprocessed = response.setdefault("UnprocessedKeys", {})
            for table, entry in held.items():
                if table in unprocessed:
                    unprocessed[table]["Keys"].extend(entry["Keys"])
                else:
                    unprocessed[table] = entry
        headers = [(k, v) for k, v in headers if k.lower() != "x-amz-crc32"]
        self._answer(status, headers, _dumps(response))

    @staticmethod
    def _back(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        return [(k, v) for k, v in headers if k.lower() not in _NOT_FORWARDED_BACK]

    def _error(self, status: int, kind: str, message: str) -> None:
        body = _dumps({"__type": kind, "message": message})
        self._answer(status, [("Content-Type", JSON_TYPE)], body)

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        """One write: status line, headers (a fresh Content-Length and x-amz-crc32), body."""
        headers = [(k, v) for k, v in headers if k.lower() not in ("x-amz-crc32",)]
        headers.append(("x-amz-crc32", crc32(body)))
        if not any(k.lower() == "x-amzn-requestid" for k, _ in headers):
            headers.append(("x-amzn-RequestId", os.urandom(16).hex()))
        headers.append(("Content-Length", str(len(body))))
        if self.close_connection:
            headers.append(("Connection", "close"))
        lines = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}"]
        lines += [f"{k}: {v}" for k, v in headers]
        self.wfile.write(("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body)


def report(test: str, **figures: Any) -> dict[str, Any]:
    """Print one summary line and append it as JSON to $PYDYNOX_FAULT_REPORT, if set."""
    line = {"test": test, **figures}
    print("FAULTS", json.dumps(line, sort_keys=True, default=str))
    path = os.environ.get("PYDYNOX_FAULT_REPORT")
    if path:
        with open(path, "a", encoding="utf-8") as out:
            out.write(json.dumps(line, sort_keys=True, default=str) + "\n")
    return line


def iter_ids(boto: Any, table: str, attribute: str = "id") -> Iterator[str]:
    """Every value of ``attribute`` stored in ``table``, read with plain boto3 (consistent)."""
    for page in boto.get_paginator("scan").paginate(TableName=table, ConsistentRead=True):
        for item in page["Items"]:
            yield item[attribute]["S"]
