"""Runtimes the wire transport must survive: a forked child process (also while other threads
use the pool), file descriptors numbered above 1024, and event loops closed without shutting
down their async generators.

moto answers every request with ``Connection: close``, so a client of moto never keeps a
connection: the clients here talk to moto through tests/faults.py's proxy (with no faults),
which keeps its client connections alive, so their pools really hold connections.

These tests drive their event loops themselves (a fork inside a running loop is not a thing a
program can do safely), so they are sync tests parametrized by loop (``asyncio``, ``uvloop``
where installed) rather than async tests. A forked child never returns into pytest: it
reports through a pipe and ends with ``os._exit``.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import threading
import time
import traceback
import warnings
import weakref
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, NoReturn, TypeVar
from urllib.parse import urlsplit

import pytest

from pydynox import DynamoDBClient
from pydynox.testing import local_client

from ..faults import FaultProxy
from ..local_servers import Servers
from .conftest import LOOPS
from .tables import unique

T = TypeVar("T")
Factory = Callable[[], asyncio.AbstractEventLoop]

N = 300  # items per process: keys p-0..p-299 (parent) and c-0..c-299 (child)

needs_fork = pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork does not exist here")
# Python 3.12+ warns when a process with threads forks (moto serves from threads of this one).
fork_with_threads = pytest.mark.filterwarnings(
    "ignore:.*use of fork\\(\\) may lead to deadlocks:DeprecationWarning"
)


@pytest.fixture(scope="module")
def moto(servers: Servers) -> str:
    return servers.endpoint("moto")


@pytest.fixture(scope="module")
def kept_alive(moto: str) -> Iterator[str]:
    """The URL of moto behind a proxy that keeps connections alive."""
    with FaultProxy(moto, enabled=False) as proxy:
        yield proxy.url


@pytest.fixture(scope="module")
def keyed_table(moto: str) -> Iterator[str]:
    """A table of items ``{"id": key, "n": i}`` for the keys p-i and c-i, i < N."""
    setup = local_client(moto)
    name = unique("rt")
    setup.sync_create_table(name, partition_key=("id", "S"))
    setup.sync_batch_write(
        name, put_items=[{"id": f"{who}-{i}", "n": i} for who in "pc" for i in range(N)]
    )
    yield name
    setup.sync_delete_table(name, wait=False)
    setup.sync_close()


def run(factory: Factory, work: Coroutine[Any, Any, T]) -> T:
    """``asyncio.run`` on a loop made by ``factory`` (``loop_factory`` is Python 3.12+)."""
    loop = factory()
    try:
        return loop.run_until_complete(work)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()


def sockets_to(port: int) -> int | None:
    """How many TCP sockets this process holds open to ``port`` (None without Linux's /proc)."""
    fd_dir = Path("/proc/self/fd")
    if not fd_dir.is_dir():
        return None
    inodes = set()
    for fd in os.listdir(fd_dir):
        try:
            target = os.readlink(fd_dir / fd)
        except OSError:  # closed meanwhile
            continue
        if target.startswith("socket:["):
            inodes.add(target[len("socket:[") : -1])
    count = 0
    for table in ("/proc/self/net/tcp", "/proc/self/net/tcp6"):
        try:
            rows = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()  # sl local_address rem_address st ... uid timeout inode
            if int(fields[2].rsplit(":", 1)[1], 16) == port and fields[9] in inodes:
                count += 1
    return count


def proxy_port(url: str) -> int:
    port = urlsplit(url).port
    assert port is not None
    return port


def _check(key: str, item: dict[str, Any] | None) -> str | None:
    if item is None or item.get("id") != key:
        return f"{key}: got {item!r}"
    return None


def sync_read(client: DynamoDBClient, table: str, key: str) -> str | None:
    """Get the item ``key``: what went wrong, or None when it came back as itself."""
    try:
        return _check(key, client.sync_get_item(table, {"id": key}))
    except Exception as error:
        return f"{key}: {type(error).__name__}: {error}"


def sync_reads(client: DynamoDBClient, table: str, prefix: str, n: int = N) -> list[str]:
    """Get the items ``prefix-0`` .. ``prefix-(n-1)``; what went wrong (a few at most)."""
    problems: list[str] = []
    for i in range(n):
        key = f"{prefix}-{i}"
        problem = sync_read(client, table, key)
        if problem is not None:
            problems.append(problem)
            if len(problems) == 3:  # enough to tell, and each may have waited read_timeout
                break
    return problems


async def async_reads(client: DynamoDBClient, table: str, prefix: str, n: int = N) -> list[str]:
    """``sync_reads`` through the async API."""
    problems: list[str] = []
    for i in range(n):
        key = f"{prefix}-{i}"
        try:
            problem = _check(key, await client.get_item(table, {"id": key}))
        except Exception as error:
            problem = f"{key}: {type(error).__name__}: {error}"
        if problem is not None:
            problems.append(problem)
            if len(problems) == 3:
                break
    return problems


def _child(work: Callable[[], list[str]], pipe: int) -> NoReturn:
    code, report = 1, "the child failed before reporting"
    try:
        problems = work()
        code, report = (0, "ok") if not problems else (1, "\n".join(problems))
    except BaseException as error:
        report = "".join(traceback.format_exception(error))
    finally:
        try:
            os.write(pipe, report.encode()[-4000:])  # less than a pipe holds: never blocks
        finally:
            os._exit(code)


class Child:
    """``work`` run in a forked child process; its problems come back through a pipe."""

    def __init__(self, work: Callable[[], list[str]]) -> None:
        self._pipe, write = os.pipe()
        self.pid = os.fork()
        if self.pid == 0:
            os.close(self._pipe)
            _child(work, write)
        os.close(write)

    def wait(self, timeout: float) -> str:
        """The child's report ("ok" when it exited 0); fails the test, after killing the
        child, if it does not end within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
                os.close(self._pipe)
                pytest.fail(f"the forked child did not finish in {timeout} s: it hangs")
            time.sleep(0.02)
        with os.fdopen(self._pipe, "rb") as pipe:
            report = pipe.read().decode(errors="replace")
        code = os.waitstatus_to_exitcode(status)
        if code != 0 and report == "ok":
            report = f"the child exited with {code}"
        return report


# --------------------------------------------------------------------------- fork


@needs_fork
@fork_with_threads
def test_a_forked_child_and_its_parent_each_get_their_own_answers_sync(
    kept_alive: str, keyed_table: str
) -> None:
    port = proxy_port(kept_alive)
    client = local_client(kept_alive, max_attempts=1, read_timeout=2)
    try:
        assert sync_reads(client, keyed_table, "p", 10) == []
        held = sockets_to(port)  # the pool keeps a connection, which the child inherits
        assert held is None or held >= 1
        child = Child(lambda: sync_reads(client, keyed_table, "c"))
        in_parent = sync_reads(client, keyed_table, "p")
        in_child = child.wait(timeout=120)
    finally:
        client.sync_close()
    assert in_parent == []
    assert in_child == "ok"


@needs_fork
@fork_with_threads
@pytest.mark.parametrize("loop", list(LOOPS))
def test_a_forked_child_and_its_parent_each_get_their_own_answers_async(
    kept_alive: str, keyed_table: str, loop: str
) -> None:
    factory = LOOPS[loop]
    client = local_client(kept_alive, max_attempts=1, read_timeout=2)
    # The parent keeps its loop, and that loop's connections, across the fork; the child
    # runs a loop of its own (a loop does not survive a fork).
    parent_loop = factory()
    try:
        assert parent_loop.run_until_complete(async_reads(client, keyed_table, "p", 10)) == []
        held = sockets_to(proxy_port(kept_alive))
        assert held is None or held >= 1
        child = Child(lambda: run(factory, async_reads(client, keyed_table, "c")))
        in_parent = parent_loop.run_until_complete(async_reads(client, keyed_table, "p"))
        in_child = child.wait(timeout=120)
    finally:
        try:
            parent_loop.run_until_complete(client.close())
            parent_loop.run_until_complete(parent_loop.shutdown_asyncgens())
        finally:
            parent_loop.close()
            client.sync_close()
    assert in_parent == []
    assert in_child == "ok"


@needs_fork
@fork_with_threads
def test_forking_while_threads_use_the_sync_pool_does_not_hang_the_child(
    kept_alive: str, keyed_table: str
) -> None:
    client = local_client(kept_alive, max_attempts=1, read_timeout=2)
    stop = threading.Event()
    in_threads: list[str] = []

    def hammer(offset: int) -> None:
        i = offset
        while not stop.is_set() and len(in_threads) < 3:
            key = f"p-{i % N}"
            problem = sync_read(client, keyed_table, key)
            if problem is not None:
                in_threads.append(problem)
            i += 1

    # First more connections than the threads use, so some are idle at every fork.
    together = threading.Barrier(8)

    def warm_up() -> None:
        together.wait(10)
        in_threads.extend(sync_reads(client, keyed_table, "p", 5))

    warm = [threading.Thread(target=warm_up) for _ in range(8)]
    threads = [threading.Thread(target=hammer, args=(n * 75,), daemon=True) for n in range(4)]
    for thread in [*warm, *threads]:
        thread.start()
    reports = []
    try:
        for thread in warm:
            thread.join(30)
        for _ in range(40):  # each fork lands at another moment of the threads' work
            reports.append(Child(lambda: sync_reads(client, keyed_table, "c", 10)).wait(20))
    finally:
        stop.set()
        for thread in threads:
            thread.join(10)
        client.sync_close()
    assert reports == ["ok"] * 40
    assert in_threads == []


# --------------------------------------------------------------------------- descriptors


@pytest.mark.parametrize("mode", ["sync", *LOOPS])
def test_requests_work_with_descriptors_numbered_above_1024(
    kept_alive: str, keyed_table: str, mode: str
) -> None:
    resource = pytest.importorskip("resource")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096
    if hard != resource.RLIM_INFINITY and hard < wanted:
        pytest.skip(f"the hard limit of open files ({hard}) is below {wanted}")
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))
    fillers: list[int] = []
    client = local_client(kept_alive, max_attempts=1)
    try:
        while not fillers or fillers[-1] < 1100:
            fillers += os.pipe()
        with socket.socket() as probe:
            assert probe.fileno() > 1024  # the client's sockets get numbers as high
        # The first get opens a connection, the others reuse it after the idle check.
        if mode == "sync":
            assert sync_reads(client, keyed_table, "p", 20) == []
            held = sockets_to(proxy_port(kept_alive))
            assert held is None or held >= 1  # so the idle check did run
        else:
            assert run(LOOPS[mode], async_reads(client, keyed_table, "p", 20)) == []
    finally:
        client.sync_close()
        for fd in fillers:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# --------------------------------------------------------------------------- closed loops


@pytest.mark.parametrize("loop", list(LOOPS))
def test_loops_closed_without_shutting_down_are_not_kept_by_the_client(
    kept_alive: str, keyed_table: str, loop: str
) -> None:
    factory = LOOPS[loop]
    port = proxy_port(kept_alive)
    client = local_client(kept_alive, max_attempts=1)
    before = sockets_to(port)
    closed: list[weakref.ref[asyncio.AbstractEventLoop]] = []
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for i in range(30):
                # What some runners and hand-written scripts do: no shutdown_asyncgens().
                bare = factory()
                item = bare.run_until_complete(client.get_item(keyed_table, {"id": f"p-{i}"}))
                assert _check(f"p-{i}", item) is None
                bare.close()
                closed.append(weakref.ref(bare))
                del bare
            item = run(factory, client.get_item(keyed_table, {"id": "p-30"}))
            assert _check("p-30", item) is None
            # Their connections, no longer referenced, are closed when collected (the
            # server's side ends shortly after): wait a little for both.
            deadline = time.monotonic() + 5
            while True:
                gc.collect()
                kept = [ref for ref in closed if ref() is not None]
                now = sockets_to(port)
                leaked = None if now is None or before is None else now - before
                if (len(kept) <= 1 and (leaked is None or leaked <= 1)) or (
                    time.monotonic() > deadline
                ):
                    break
                time.sleep(0.1)
    finally:
        client.sync_close()
    # A collected transport of a closed loop may say so: "unclosed transport".
    unexpected = [
        f"{w.category.__name__}: {w.message}"
        for w in caught
        if not (issubclass(w.category, ResourceWarning) and "unclosed" in str(w.message))
    ]
    assert len(kept) <= 1, f"the client still holds {len(kept)} of the 30 closed loops"
    if leaked is not None:
        assert leaked <= 1, f"{leaked} sockets to the server are still open after 31 loops"
    assert unexpected == []
