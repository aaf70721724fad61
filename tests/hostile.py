"""A misbehaving HTTP/1.1 server on 127.0.0.1, and a watchdog, for the tests of hostile answers.

``HostileServer(script)`` listens on a free port; each connection gets a thread that reads one
request at a time (head and ``Content-Length`` body), counts it, and hands it to
``script(peer, request)``. The script decides what the "server" does: write any bytes
(``peer.send``), drip them (``peer.drip``), never answer (``peer.hang``), close early
(``peer.close``). When the script returns with the connection still open, the next request
on it goes to the script again (keep-alive). ``server.requests`` holds the raw requests in
arrival order. Leaving the ``with`` block stops every script waiting in ``drip``/``hang``,
closes every socket and joins every thread.

``watchdog(seconds, what)`` fails a test whose block is still running after ``seconds``,
even when the code under test spins in a loop or blocks in ``recv`` (a SIGALRM interrupts
it), so a hang on the main thread becomes a test failure instead of a stuck suite.

``HOSTILE_NAMES`` and ``HOSTILE_VALUES`` are hostile input of another kind: attribute names and
string values that look like expression syntax, for the property tests that prove they only
travel as placeholders (tests/unit/test_expressions_hostile.py) and that the server agrees
(tests/integration/test_hostile_names.py).
"""

from __future__ import annotations

import signal
import socket
import threading
from collections.abc import Callable
from contextlib import suppress
from types import FrameType, TracebackType
from typing import Any

import pytest

__all__ = ["HOSTILE_NAMES", "HOSTILE_VALUES", "HostileServer", "Hung", "Peer", "Script", "watchdog"]

# Attribute names full of dots, brackets, ``#``, ``:``, quotes, unicode and DynamoDB reserved
# words, and blank-looking names: each must reach DynamoDB only as a placeholder.
HOSTILE_NAMES = [
    "name",
    "size",
    "count",
    "status",
    "year",
    "data",
    "key",
    "AND",
    "OR",
    "NOT",
    "BETWEEN",
    "IN",
    "SET",
    "REMOVE",
    "attribute_exists",
    "a.b",
    "a[0]",
    "[1]",
    "]",
    "#n0",
    "#n1",
    ":v0",
    ":v1",
    "#",
    ":",
    " ",
    "a b",
    "'quoted'",
    '"double"',
    "(",
    ")",
    ",",
    "=",
    "<>",
    "ünïcødé",
    "名前",
    "🙂",
    "\n",
    "a\tb",
    # More DynamoDB reserved words.
    "ABORT",
    "DATA",
    "KEY",
    "TABLE",
    "VALUE",
    "USER",
    "ORDER",
    "BY",
    "HASH",
    "RANGE",
    "TTL",
    # Empty-ish: invisible, blank or combining.
    "\u200b",
    "\ufeff",
    "\x00",
    " \t ",
    "a\u0301",
    # Placeholders and expressions spelt out.
    "#n0.#n1",
    ":v0 OR :v1",
    "size(#n0)",
]
# String values that look like expression syntax (and the blank ones).
HOSTILE_VALUES = ["#n0", ":v0", "a = b", "x) OR (y", "size", "NOT", "'", '"', "", " "]


class Peer:
    """The server's side of one connection, as a script sees it."""

    def __init__(self, sock: socket.socket, stopping: threading.Event) -> None:
        self.sock = sock
        self._stopping = stopping
        self.closed = False

    def send(self, data: bytes) -> bool:
        """Write ``data``; False once the client is gone (or the server stops)."""
        if self.closed or self._stopping.is_set():
            return False
        try:
            self.sock.settimeout(10.0)  # a client that stops reading: give up, do not block
            self.sock.sendall(data)
        except OSError:
            return False
        return True

    def drip(self, data: bytes, every: float) -> None:
        """Write ``data`` one byte at a time, ``every`` seconds apart."""
        for i in range(len(data)):
            if self._stopping.wait(every) or not self.send(data[i : i + 1]):
                return

    def hang(self) -> None:
        """Never answer: wait until the server stops."""
        self._stopping.wait()

    def close(self) -> None:
        """Close the connection (the client reads EOF)."""
        if not self.closed:
            self.closed = True
            self.shutdown()
            self.sock.close()

    def shutdown(self) -> None:
        """End the exchange both ways: a thread blocked on the socket wakes up."""
        with suppress(OSError):  # already closed, by the client or by the script
            self.sock.shutdown(socket.SHUT_RDWR)


Script = Callable[[Peer, bytes], None]


class HostileServer:
    """Answers every request with whatever ``script`` writes (see the module docstring)."""

    def __init__(self, script: Script) -> None:
        self._script = script
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._peers: list[Peer] = []
        self.requests: list[bytes] = []
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.bind(("127.0.0.1", 0))
        self._listener.listen(16)
        self._listener.settimeout(0.05)
        self.port: int = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)

    @property
    def count(self) -> int:
        """How many whole requests arrived so far."""
        with self._lock:
            return len(self.requests)

    def __enter__(self) -> HostileServer:
        self._acceptor.start()
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._stopping.set()
        self._acceptor.join()
        self._listener.close()
        with self._lock:
            threads, peers = list(self._threads), list(self._peers)
        for peer in peers:
            peer.shutdown()
        for thread in threads:
            thread.join()
        for peer in peers:
            peer.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            peer = Peer(sock, self._stopping)
            thread = threading.Thread(target=self._serve, args=(peer,), daemon=True)
            with self._lock:
                self._peers.append(peer)
                self._threads.append(thread)
            thread.start()

    def _serve(self, peer: Peer) -> None:
        buffer = b""
        while not peer.closed:
            request, buffer = self._read_request(peer, buffer)
            if request is None:
                peer.close()
                return
            with self._lock:
                self.requests.append(request)
            self._script(peer, request)

    def _read_request(self, peer: Peer, buffer: bytes) -> tuple[bytes | None, bytes]:
        """One request (head and body) and the bytes after it; None when the client leaves."""
        while True:
            end = buffer.find(b"\r\n\r\n")
            if end != -1:
                length = 0
                for line in buffer[:end].split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                total = end + 4 + length
                if len(buffer) >= total:
                    return buffer[:total], buffer[total:]
            if self._stopping.is_set():
                return None, b""
            try:
                peer.sock.settimeout(0.05)  # short, so the thread notices the server stopping
                data = peer.sock.recv(65536)
            except TimeoutError:
                continue
            except OSError:
                return None, b""
            if not data:
                return None, b""
            buffer += data


class Hung(BaseException):
    """Raised into the main thread by ``watchdog``. A BaseException, so the code under test
    does not handle it as one of its own errors."""


class watchdog:
    """Fails the test when its block still runs after ``seconds`` (main thread only).

    The alarm raises ``Hung`` wherever the main thread is: in a busy loop, in ``recv``, or in
    an asyncio protocol callback. asyncio swallows exceptions of callbacks (it logs them and
    drops the connection), so the verdict rests on whether the alarm fired, not on what the
    block raised.
    """

    def __init__(self, seconds: float, what: str) -> None:
        self.seconds = seconds
        self.what = what
        self.fired = False
        self._previous: Callable[[int, FrameType | None], Any] | int | None = None

    def _alarm(self, signum: int, frame: FrameType | None) -> None:
        self.fired = True
        raise Hung(f"{self.what} still running after {self.seconds} s")

    def __enter__(self) -> watchdog:
        self._previous = signal.signal(signal.SIGALRM, self._alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds)
        return self

    def __exit__(
        self, t: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, self._previous)
        if self.fired:
            pytest.fail(
                f"{self.what} still running after {self.seconds} s: it spins or blocks "
                f"(ended with {t.__name__ if t else 'no exception'})",
                pytrace=False,
            )
