"""Load and lifecycle: many concurrent callers on one client, many event loops on one
client, and closing that leaves nothing behind.

- 64 coroutines run mixed operations (put, get, update, query, count, delete, batch write,
  batch get) on one client for a bounded time with zero errors; each owns a partition and
  keeps a model of what it wrote, checked after every read and, at the end, against a scan of
  the whole table. The same worker runs on 16 threads through the sync API.
- 1,000 ``asyncio.run`` calls with one shared client, each doing one get, leave no socket
  and no aiohttp session open (sockets counted in /proc/self/fd).
- ``close()`` / ``sync_close()`` are idempotent, also on a client never used, and nothing
  warns about an unclosed session or socket, in this process or in a fresh interpreter run
  with ``-X dev -W error``.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import random
import subprocess
import sys
import textwrap
import threading
import time
import warnings
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest

from pydynox import Attr, DynamoDBClient
from pydynox.testing import local_client

from ..tls import https_server
from .api import Api

WORKERS = 64
SECONDS = 5.0
LOOPS = 1000


@dataclass
class Worker:
    """One caller: owns partition ``pk`` and knows exactly what is stored in it."""

    api: Api
    table: str
    pk: str
    seed: int
    stored: dict[str, dict[str, Any]] = field(default_factory=dict)
    done: Counter[str] = field(default_factory=Counter)

    def key(self, sk: str) -> dict[str, str]:
        return {"pk": self.pk, "sk": sk}

    async def run(self, deadline: float) -> None:
        rng = random.Random(self.seed)
        sks = [f"{n:02d}" for n in range(12)]
        ops = ["put", "get", "update", "query", "count", "delete", "batch_write", "batch_get"]
        weights = [4, 4, 3, 2, 1, 2, 1, 1]
        api, table = self.api, self.table
        while time.monotonic() < deadline:
            op = rng.choices(ops, weights)[0]
            sk = rng.choice(sks)
            if op == "put":
                item = {**self.key(sk), "n": rng.randrange(10**6), "tags": {f"t{rng.random()}"}}
                await api.put_item(table, item)
                self.stored[sk] = item
            elif op == "get":
                found = await api.get_item(table, self.key(sk), consistent_read=True)
                assert found == self.stored.get(sk), (self.pk, sk)
            elif op == "update":
                name = f"name-{rng.random()}"
                new = await api.update_item(
                    table, self.key(sk), updates={"name": name}, atomic=[Attr("hits").add(1)]
                )
                before = self.stored.get(sk, self.key(sk))
                self.stored[sk] = {**before, "name": name, "hits": before.get("hits", 0) + 1}
                assert new == self.stored[sk]
            elif op == "query":
                found = await api.query(table, Attr("pk") == self.pk, consistent_read=True).all()
                assert found == [self.stored[s] for s in sorted(self.stored)]
            elif op == "count":
                assert await api.count(table, Attr("pk") == self.pk) == len(self.stored)
            elif op == "delete":
                await api.delete_item(table, self.key(sk))
                self.stored.pop(sk, None)
            elif op == "batch_write":
                chosen = rng.sample(sks, 4)
                puts = [{**self.key(s), "n": rng.randrange(10**6)} for s in chosen[:3]]
                await api.batch_write(table, put_items=puts, delete_keys=[self.key(chosen[3])])
                self.stored.update({item["sk"]: item for item in puts})
                self.stored.pop(chosen[3], None)
            else:
                wanted = rng.sample(sks, 5)
                found = await api.batch_get(table, [self.key(s) for s in wanted])
                assert found == [self.stored[s] for s in wanted if s in self.stored]
            self.done[op] += 1


def check_table(client: DynamoDBClient, table: str, workers: list[Worker]) -> None:
    everything = client.sync_scan(table, consistent_read=True).all()
    by_key = {(i["pk"], i["sk"]): i for i in everything}
    expected = {(w.pk, sk): item for w in workers for sk, item in w.stored.items()}
    assert len(by_key) == len(everything)
    assert by_key == expected


def report(what: str, workers: list[Worker], seconds: float) -> str:
    done: Counter[str] = Counter()
    for worker in workers:
        done.update(worker.done)
    total = sum(done.values())
    return f"{what}: {total} operations in {seconds:.1f} s ({total / seconds:.0f}/s): {dict(done)}"


async def test_64_coroutines_mixed_operations_without_errors(
    client: DynamoDBClient, table: str
) -> None:
    api = Api(client, "async")
    workers = [Worker(api, table, f"w{n}", seed=n) for n in range(WORKERS)]
    start = time.monotonic()
    results = await asyncio.gather(
        *(w.run(start + SECONDS) for w in workers), return_exceptions=True
    )
    elapsed = time.monotonic() - start
    errors = [r for r in results if isinstance(r, BaseException)]
    assert errors == []
    assert all(sum(w.done.values()) > 0 for w in workers)
    check_table(client, table, workers)
    print(report(f"{WORKERS} coroutines", workers, elapsed))


def test_16_threads_mixed_operations_through_the_sync_api(
    client: DynamoDBClient, table: str
) -> None:
    api = Api(client, "sync")
    workers = [Worker(api, table, f"t{n}", seed=1000 + n) for n in range(16)]
    errors: list[BaseException] = []
    start = time.monotonic()

    def work(worker: Worker) -> None:
        try:
            asyncio.run(worker.run(start + SECONDS / 2))  # the sync calls block in this loop
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    assert errors == []
    check_table(client, table, workers)
    print(report("16 threads", workers, elapsed))


# --------------------------------------------------------------------------- lifecycle


def open_sockets() -> int:
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            if os.readlink(f"/proc/self/fd/{fd}").startswith("socket:"):
                count += 1
        except OSError:  # closed while listing
            pass
    return count


def open_sessions() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, aiohttp.ClientSession) and not o.closed)


def settled_sockets(limit: int, wait: float = 5.0) -> int:
    """Open sockets once the in-process server has closed its side (at most ``wait`` s)."""
    deadline = time.monotonic() + wait
    count = open_sockets()
    while count > limit and time.monotonic() < deadline:
        time.sleep(0.05)
        gc.collect()
        count = open_sockets()
    return count


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc/self/fd")
def test_a_thousand_event_loops_on_one_client_leave_nothing_open(
    endpoint: str, table: str, client: DynamoDBClient
) -> None:
    client.sync_put_item(table, {"pk": "p", "sk": "s"})
    shared = local_client(endpoint)
    assert asyncio.run(shared.get_item(table, {"pk": "p", "sk": "s"})) is not None
    baseline = settled_sockets(0, wait=1.0)
    sessions = open_sessions()
    start = time.monotonic()
    for _ in range(LOOPS):
        assert asyncio.run(shared.get_item(table, {"pk": "p", "sk": "s"})) is not None
    elapsed = time.monotonic() - start
    right_after = open_sockets()
    after = settled_sockets(baseline)
    print(
        f"{LOOPS} asyncio.run calls in {elapsed:.1f} s ({elapsed / LOOPS * 1000:.1f} ms each); "
        f"sockets: baseline {baseline}, right after {right_after}, settled {after}; "
        f"open aiohttp sessions: {open_sessions() - sessions} new"
    )
    assert after <= baseline
    assert open_sessions() == sessions
    shared.sync_close()


async def test_close_is_idempotent_used_or_not(endpoint: str, table: str) -> None:
    never_used = local_client(endpoint)
    await never_used.close()
    await never_used.close()
    never_used.sync_close()
    never_used.sync_close()

    used = local_client(endpoint)
    await used.get_item(table, {"pk": "p", "sk": "s"})
    used.sync_get_item(table, {"pk": "p", "sk": "s"})
    for _ in range(2):
        await used.close()
        used.sync_close()
        # nothing is left open: no sender for this loop, no sync sender
        assert all(state.sender is None for state in used._async._loops.values())
        assert used._sync._sender is None
    # and a closed client opens again on demand
    await used.put_item(table, {"pk": "p", "sk": "reopened"})
    assert await used.get_item(table, {"pk": "p", "sk": "reopened"}) is not None
    await used.close()
    async with local_client(endpoint) as scoped:
        await scoped.get_item(table, {"pk": "p", "sk": "s"})
    await scoped.close()  # closing after the block is fine too
    with local_client(endpoint) as sync_scoped:
        sync_scoped.sync_get_item(table, {"pk": "p", "sk": "s"})
    sync_scoped.sync_close()


def test_sync_close_is_idempotent_used_or_not(endpoint: str, table: str) -> None:
    never_used = local_client(endpoint)
    never_used.sync_close()
    never_used.sync_close()
    asyncio.run(never_used.close())
    used = local_client(endpoint)
    used.sync_get_item(table, {"pk": "p", "sk": "s"})
    asyncio.run(used.get_item(table, {"pk": "p", "sk": "s"}))
    used.sync_close()
    used.sync_close()
    asyncio.run(used.close())
    asyncio.run(used.close())


def test_nothing_warns_about_unclosed_sessions_or_sockets(
    endpoint: str, table: str, caplog: pytest.LogCaptureFixture
) -> None:
    unraisable: list[Any] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    caplog.set_level(logging.DEBUG)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            client = local_client(endpoint)
            for _ in range(20):
                asyncio.run(client.get_item(table, {"pk": "p", "sk": "s"}))
            client.sync_get_item(table, {"pk": "p", "sk": "s"})

            async def use_and_close() -> None:
                await client.get_item(table, {"pk": "p", "sk": "s"})
                await client.close()

            asyncio.run(use_and_close())
            client.sync_close()
            gc.collect()
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                gc.collect()
    finally:
        sys.unraisablehook = previous_hook
    assert [w for w in caught if issubclass(w.category, ResourceWarning)] == []
    assert unraisable == []
    assert [r.getMessage() for r in caplog.records if "Unclosed" in r.getMessage()] == []


SCRIPT = textwrap.dedent(
    """
    import asyncio, gc, sys
    from pydynox import Attr
    from pydynox.testing import local_client

    endpoint, table, close = sys.argv[1], sys.argv[2], sys.argv[3] == "close"
    client = local_client(endpoint)
    key = {"pk": "p", "sk": "s"}
    for _ in range(5):
        assert asyncio.run(client.get_item(table, key)) is not None
    assert client.sync_get_item(table, key) is not None
    assert client.sync_query(table, Attr("pk") == "p").all()

    async def main():
        await asyncio.gather(*(client.get_item(table, key) for _ in range(10)))
        if close:
            await client.close()

    asyncio.run(main())
    if close:
        client.sync_close()
    gc.collect()
    print("done")
    """
)


def run_script(endpoint: str, table: str, close: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-X", "dev", "-W", "error", "-c", SCRIPT, endpoint, table, close]
    run = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "done"
    return run


# What the stderr of a script in dev mode must not hold, whether it closes its client or
# leaves it to the interpreter's exit (each asyncio.run closed its loop's session at
# shutdown: nothing async is left over, and no socket).
LEFT_OVER = {
    "close": ("Unclosed", "ResourceWarning", "Exception ignored", "Traceback"),
    "never-close": (
        "Unclosed client session",
        "Unclosed connector",
        "ResourceWarning",
        "Traceback",
    ),
}


@pytest.mark.parametrize("close", list(LEFT_OVER))
def test_a_fresh_interpreter_in_dev_mode_leaves_nothing_open(
    endpoint: str, table: str, client: DynamoDBClient, close: str
) -> None:
    client.sync_put_item(table, {"pk": "p", "sk": "s"})
    run = run_script(endpoint, table, close)
    for word in LEFT_OVER[close]:
        assert word not in run.stderr, run.stderr


@pytest.fixture(scope="module")
def https_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """A local HTTPS server answering like DynamoDB (tests/tls.py): URL, certificate."""
    pytest.importorskip("cryptography")
    with https_server(tmp_path_factory.mktemp("tls-load")) as (url, cert):
        yield url, str(cert)


@pytest.mark.parametrize(
    "transport",
    ["wire", "botocore"],
)
def test_event_loops_on_an_https_endpoint_leave_nothing_open(
    https_endpoint: tuple[str, str], transport: str
) -> None:
    url, cert = https_endpoint
    client = DynamoDBClient(
        region="us-east-1",
        endpoint_url=url,
        access_key="testing",
        secret_key="testing",
        verify=cert,
        transport=transport,  # type: ignore[arg-type]
    )
    unraisable: list[Any] = []
    previous_hook = sys.unraisablehook
    sys.unraisablehook = unraisable.append
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            baseline = settled_sockets(0, wait=0.5)
            for _ in range(20):
                assert asyncio.run(client.get_item("abc", {"pk": "a"})) is None

            async def use_and_close() -> None:
                await client.get_item("abc", {"pk": "a"})
                await client.close()

            asyncio.run(use_and_close())
            client.sync_close()
            gc.collect()
            after = settled_sockets(baseline)
    finally:
        sys.unraisablehook = previous_hook
    leaks = [str(w.message) for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaks == []
    assert unraisable == []
    assert after <= baseline
