"""Canned data and the measuring loop, shared by the fake server and both workers.

Standard library only: the peers' worker runs in another virtual environment, isolated from
this repository, and loads this file by its path.

A worker is run once per measurement, in a fresh process::

    worker --list                                       # which clients it has, versions
    worker --measure ID --endpoint URL --seconds S --warmup W [--ops get,put,...]
    worker --cold ID --endpoint URL                     # import + construct + first get

and prints one line ``BENCH_RESULT <json>``. CPU time is ``time.process_time()`` of the
worker process (every thread of it, so a client that works in background threads pays for
them); throughput is operations per second of wall time.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

RESULT_PREFIX = "BENCH_RESULT "

TABLE = "bench"
PK = "USER#1"
SK = "PROFILE"
KEY: dict[str, str] = {"pk": PK, "sk": SK}
# The canned item: ten attributes (strings, numbers, a list, a map, a bool). Every client
# declares a model with these names and types; the fake server answers with this item.
ATTRIBUTES: dict[str, Any] = {
    "name": "Ada Lovelace",
    "email": "ada@example.com",
    "age": 36,
    "score": 98.5,
    "active": True,
    "tags": ["admin", "beta", "math"],
    "address": {"street": "12 St James's Square", "city": "London", "postcode": "SW1Y 4JH"},
    "created_at": "2025-01-02T03:04:05.000006+00:00",
}
ITEM: dict[str, Any] = {**KEY, **ATTRIBUTES}
UPDATED_AGE = 37  # update sets ``age`` to this
PAGE = 100  # items per query page and keys per batch_get
SORT_KEYS: list[str] = [f"ITEM#{i:03d}" for i in range(PAGE)]
BATCH_KEYS: list[dict[str, str]] = [{"pk": PK, "sk": sk} for sk in SORT_KEYS]
CONCURRENCY = 64

OPS: tuple[str, ...] = ("get", "put", "update", "query", "batch_get", "get_x64")
OP_TITLES: dict[str, str] = {
    "get": "get",
    "put": "put",
    "update": "update",
    "query": f"query ({PAGE} items)",
    "batch_get": f"batch_get ({PAGE} keys)",
    "get_x64": f"{CONCURRENCY} concurrent gets (per get)",
}
# The answers that benchmarks/parsers.py gives every HTTP parser: id -> title.
PARSER_CHUNK = 16 * 1024
PARSER_ANSWERS: dict[str, str] = {
    "get": "GetItem",
    "query": f"Query ({PAGE} items)",
    "query_chunked": f"Query ({PAGE} items), chunked by {PARSER_CHUNK // 1024} KiB",
}


def to_av(value: Any) -> dict[str, Any]:
    """A plain value in DynamoDB's typed JSON form (only the types of the canned item)."""
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, (int, float)):
        return {"N": repr(value)}
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, list):
        return {"L": [to_av(v) for v in value]}
    if isinstance(value, dict):
        return {"M": {k: to_av(v) for k, v in value.items()}}
    raise TypeError(f"no canned DynamoDB form for {type(value).__name__}")


def item_av(item: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: to_av(value) for name, value in item.items()}


SyncOp = Callable[[], object]
AsyncOp = Callable[[], Awaitable[object]]


@dataclass
class SyncClient:
    """A constructed sync client: one callable per operation it supports."""

    ops: dict[str, SyncOp]
    unsupported: dict[str, str] = field(default_factory=dict)


@dataclass
class AsyncClient:
    """A constructed async client; ``get_x64`` is made from ``get`` unless unsupported."""

    ops: dict[str, AsyncOp]
    unsupported: dict[str, str] = field(default_factory=dict)
    close: Callable[[], Awaitable[object]] | None = None


@dataclass(frozen=True)
class Spec:
    """A client the worker can run. ``make`` imports the library and builds the client."""

    id: str
    label: str
    mode: Literal["sync", "async"]
    make_sync: Callable[[str], SyncClient] | None = None
    make_async: Callable[[str], Awaitable[AsyncClient]] | None = None
    probe: Callable[[], str | None] = lambda: None  # a reason when it cannot run here
    note: str = ""
    optional: bool = False  # when it cannot run here, leave its row out (no "n/a" row)


def check(op: str, result: object) -> None:
    """Refuse a client that did not really do the work (so no number is made up)."""
    if op == "get" and result is None:
        raise AssertionError("get returned nothing")
    if op in ("query", "batch_get"):
        if not isinstance(result, list):
            raise AssertionError(f"{op} returned {type(result).__name__}, not a list")
        if len(result) != PAGE:
            raise AssertionError(f"{op} returned {len(result)} items, expected {PAGE}")


def _result(cpu: float, wall: float, count: int) -> dict[str, float]:
    return {"cpu_us": cpu / count * 1e6, "ops_s": count / wall, "count": count}


def measure_sync(fn: SyncOp, seconds: float, warmup: float) -> dict[str, float]:
    started = time.perf_counter()
    calls = 0
    while calls < 3 or time.perf_counter() - started < warmup:
        fn()
        calls += 1
    per_call = (time.perf_counter() - started) / calls
    iterations = max(3, round(seconds / per_call))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(iterations):
        fn()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return _result(cpu, wall, iterations)


async def measure_async(
    fn: AsyncOp, seconds: float, warmup: float, units: int = 1
) -> dict[str, float]:
    started = time.perf_counter()
    calls = 0
    while calls < 3 or time.perf_counter() - started < warmup:
        await fn()
        calls += 1
    per_call = (time.perf_counter() - started) / calls
    iterations = max(3, round(seconds / per_call))
    cpu0, wall0 = time.process_time(), time.perf_counter()
    for _ in range(iterations):
        await fn()
    wall, cpu = time.perf_counter() - wall0, time.process_time() - cpu0
    return _result(cpu, wall, iterations * units)


def _failure(error: BaseException) -> dict[str, str]:
    text = f"{type(error).__name__}: {error}".replace("\n", " ")
    return {"error": text[:300]}


def run_sync(
    spec: Spec, endpoint: str, ops: Sequence[str], seconds: float, warmup: float
) -> dict[str, Any]:
    assert spec.make_sync is not None
    client = spec.make_sync(endpoint)
    results: dict[str, Any] = {}
    for op in ops:
        if op == "get_x64":
            results[op] = {"na": "sync client: no concurrent calls"}
            continue
        if op in client.unsupported or op not in client.ops:
            results[op] = {"na": client.unsupported.get(op, "not supported")}
            continue
        fn = client.ops[op]
        try:
            check(op, fn())
            results[op] = measure_sync(fn, seconds, warmup)
        except Exception as error:
            results[op] = _failure(error)
    return results


def _gather_of(get: AsyncOp) -> Callable[[], Awaitable[list[object]]]:
    import asyncio

    async def many() -> list[object]:
        return list(await asyncio.gather(*(get() for _ in range(CONCURRENCY))))

    return many


async def run_async(
    spec: Spec, endpoint: str, ops: Sequence[str], seconds: float, warmup: float
) -> dict[str, Any]:
    assert spec.make_async is not None
    client = await spec.make_async(endpoint)
    results: dict[str, Any] = {}
    try:
        for op in ops:
            if op in client.unsupported:
                results[op] = {"na": client.unsupported[op]}
                continue
            base = "get" if op == "get_x64" else op
            if base not in client.ops:
                results[op] = {"na": client.unsupported.get(base, "not supported")}
                continue
            try:
                if op == "get_x64":
                    many = _gather_of(client.ops["get"])
                    for item in await many():
                        check("get", item)
                    results[op] = await measure_async(many, seconds, warmup, CONCURRENCY)
                else:
                    fn = client.ops[op]
                    check(op, await fn())
                    results[op] = await measure_async(fn, seconds, warmup)
            except Exception as error:
                results[op] = _failure(error)
    finally:
        if client.close is not None:
            await client.close()
    return results


def cold(spec: Spec, endpoint: str, started: float) -> dict[str, Any]:
    """Construct the client and do the first get; ``started`` is the worker's first clock."""
    if spec.mode == "sync":
        assert spec.make_sync is not None
        client = spec.make_sync(endpoint)
        check("get", client.ops["get"]())
        return {"in_process_ms": (time.perf_counter() - started) * 1e3}

    import asyncio

    async def first_get() -> dict[str, Any]:
        assert spec.make_async is not None
        aclient = await spec.make_async(endpoint)
        check("get", await aclient.ops["get"]())
        elapsed = {"in_process_ms": (time.perf_counter() - started) * 1e3}
        if aclient.close is not None:
            await aclient.close()
        return elapsed

    return asyncio.run(first_get())


def _emit(payload: object) -> None:
    import json

    sys.stdout.write(RESULT_PREFIX + json.dumps(payload) + "\n")
    sys.stdout.flush()


def _options(argv: Sequence[str]) -> dict[str, str]:
    options: dict[str, str] = {}
    index = 0
    while index < len(argv):
        name = argv[index]
        if not name.startswith("--"):
            raise SystemExit(f"unexpected argument {name!r}")
        if name == "--list":
            options["list"] = "1"
            index += 1
        else:
            if index + 1 >= len(argv):
                raise SystemExit(f"{name} needs a value")
            options[name[2:]] = argv[index + 1]
            index += 2
    return options


def worker_main(
    specs: Sequence[Spec],
    versions: Callable[[], dict[str, str]],
    started: float,
    argv: Sequence[str] | None = None,
) -> int:
    """The command line of a worker (see the module docstring)."""
    options = _options(sys.argv[1:] if argv is None else argv)
    if "list" in options:
        clients = []
        for spec in specs:
            try:
                reason = spec.probe()
            except Exception as error:
                reason = f"{type(error).__name__}: {error}"
            clients.append(
                {
                    "id": spec.id,
                    "label": spec.label,
                    "mode": spec.mode,
                    "note": spec.note,
                    "optional": spec.optional,
                    "unavailable": reason,
                }
            )
        _emit({"clients": clients, "versions": versions(), "python": sys.version.split()[0]})
        return 0
    by_id = {spec.id: spec for spec in specs}
    name = options.get("measure") or options.get("cold")
    if name not in by_id:
        raise SystemExit(f"unknown client {name!r}; known: {', '.join(by_id)}")
    spec = by_id[name]
    endpoint = options["endpoint"]
    if "cold" in options:
        _emit(cold(spec, endpoint, started))
        return 0
    ops = options.get("ops", ",".join(OPS)).split(",")
    seconds = float(options.get("seconds", "1.0"))
    warmup = float(options.get("warmup", "0.2"))
    if spec.mode == "sync":
        results = run_sync(spec, endpoint, ops, seconds, warmup)
    else:
        import asyncio

        results = asyncio.run(run_async(spec, endpoint, ops, seconds, warmup))
    _emit(results)
    return 0
