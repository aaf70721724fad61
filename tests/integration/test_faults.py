"""pydynox under injected faults: throttling, 500s, dropped connections, unprocessed items.

Every client here talks to the local server through ``tests.faults.FaultProxy`` (a seeded
fault mix), and every check reads the server directly afterwards (plain boto3, ``boto``):
what was written is complete, nothing is duplicated, what a batch reports as not done is
exactly what is missing. The proxy's counters prove the faults happened. Each test prints one
``FAULTS {...}`` summary line and appends it to ``$PYDYNOX_FAULT_REPORT`` if set.

The last section is about retries that must not apply a request twice: a request whose
connection drops after the server applied it (``drop_after``) is retried only when applying
it twice is harmless.
"""

from __future__ import annotations

import dataclasses
import random
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    BatchGetError,
    BatchWriteError,
    ConnectionException,
    DynamoConfig,
    DynamoDBClient,
    Get,
    Model,
    PartitionKey,
    ProvisionedThroughputExceededException,
    Put,
    RetryPolicy,
    SortKey,
    Update,
)
from pydynox.testing import local_client

from ..faults import FaultProxy, iter_ids, report
from .api import Api

SEED = 6_2024
MIX = {"throttle": 0.1, "error500": 0.1, "drop_before": 0.1, "half_unprocessed": 0.1}
# Query, GetItem, PutItem... cannot be left unprocessed: only these kinds hit them.
SINGLE_KINDS = ("throttle", "error500", "drop_before")
FAST = {"base": 0.001, "cap": 0.01}

TRANSPORTS = ["wire", "botocore"]
MakeClient = Callable[..., DynamoDBClient]


@pytest.fixture(params=TRANSPORTS)
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def proxy(endpoint: str) -> Iterator[FaultProxy]:
    with FaultProxy(endpoint, seed=SEED) as running:
        yield running
        assert running.counts["upstream_errors"] == 0, running.summary()
        assert not running.errors, running.errors


def _speed_up(client: DynamoDBClient, batch_attempts: int) -> None:
    """Millisecond backoffs, for unprocessed batch items and for failed requests."""
    client.batch_retry = RetryPolicy(attempts=batch_attempts, **FAST)
    client.request_retry = dataclasses.replace(client.request_retry, **FAST)


@pytest.fixture
def faulty(proxy: FaultProxy, transport: str) -> Iterator[MakeClient]:
    """Makes clients that talk through the proxy, with millisecond backoffs."""
    made: list[DynamoDBClient] = []

    def make(max_attempts: int = 10, batch_attempts: int = 10, **settings: Any) -> DynamoDBClient:
        client = local_client(
            proxy.url,
            max_attempts=max_attempts,
            cursor_secret="fault-tests-cursor-secret",
            connect_timeout=2.0,
            read_timeout=20.0,
            transport=transport,
            **settings,
        )
        _speed_up(client, batch_attempts)
        made.append(client)
        return client

    yield make
    for client in made:  # the async side closes with the test's event loop
        client.sync_close()


def assert_faults(proxy: FaultProxy, kinds: Any = MIX) -> dict[str, int]:
    faults = dict(proxy.counts)
    for kind in kinds:
        assert faults.get(kind, 0) > 0, f"no {kind} fault was injected: {proxy.summary()}"
    return faults


def check_written(
    name: str, proxy: FaultProxy, boto: Any, table: str, expected: list[str], transport: str
) -> None:
    """Every expected id is stored exactly once, nothing else is, and the server applied
    each write exactly once (the proxy counts the writes it forwarded and saw answered)."""
    stored = Counter(iter_ids(boto, table))
    lost = sorted(set(expected) - set(stored))
    extra = sorted(set(stored) - set(expected))
    duplicated = sorted(i for i, n in stored.items() if n > 1)
    applied = proxy.units["BatchWriteItem"]
    report(
        name,
        transport=transport,
        items=len(expected),
        stored=sum(stored.values()),
        lost=len(lost),
        duplicated=len(duplicated),
        applied_twice=applied - len(expected),
        **proxy.summary(),
    )
    assert not lost, f"{len(lost)} items lost, e.g. {lost[:5]}"
    assert not extra and not duplicated
    assert applied == len(expected), "a write was sent to the server more than once"


# -- bulk writes and reads under the fault mix --------------------------------------------


# Each scenario runs through the async and the sync API; the sync runs are smaller (slower).
WRITES = {"async": 10_000, "sync": 3_000}
READS = {"async": (5_000, 40, 0.1), "sync": (1_500, 20, 0.15)}  # keys, missing, fault rate


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_batch_writer_writes_every_item_once(
    mode: str, proxy: FaultProxy, faulty: MakeClient, hash_table: str, boto: Any, transport: str
) -> None:
    client = faulty()
    proxy.configure(**MIX)
    ids = [f"{mode[0]}{i:05d}" for i in range(WRITES[mode])]
    async with Api(client, mode).batch_writer(hash_table) as writer:
        for n, id_ in enumerate(ids):
            await writer.put({"id": id_, "n": n})
    proxy.enabled = False
    await client.close()
    check_written(f"batch_writer_{mode}_{len(ids)}", proxy, boto, hash_table, ids, transport)
    faults = assert_faults(proxy)
    assert faults.get("throttle:ThrottlingException", 0) > 0
    assert faults.get("throttle:ProvisionedThroughputExceededException", 0) > 0


def _keys_with_repeats_and_missing(count: int, missing: int) -> list[dict[str, str]]:
    order = [f"g{i:05d}" for i in range(count)] + [f"missing{i}" for i in range(missing)]
    rng = random.Random(SEED)
    rng.shuffle(order)
    repeats = rng.sample(order, count // 50)
    return [{"id": id_} for id_ in order + repeats]


def _check_batch_get(
    name: str,
    proxy: FaultProxy,
    got: list[dict[str, Any]],
    keys: list[dict[str, str]],
    transport: str,
) -> None:
    wanted = list(dict.fromkeys(k["id"] for k in keys))
    expected = [{"id": id_, "n": int(id_[1:])} for id_ in wanted if id_.startswith("g")]
    seen = Counter(item["id"] for item in got)
    duplicated = sorted(i for i, n in seen.items() if n > 1)
    lost = len({e["id"] for e in expected} - set(seen))
    report(
        name,
        transport=transport,
        keys=len(wanted),
        items=len(got),
        lost=lost,
        duplicated=len(duplicated),
        asked_twice=proxy.units["BatchGetItem"] - len(wanted),
        **proxy.summary(),
    )
    assert got == expected  # every item once, in key order, missing keys left out
    assert not duplicated
    assert proxy.units["BatchGetItem"] == len(wanted), "a key was read more than once"


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_batch_get_returns_each_item_once(
    mode: str,
    proxy: FaultProxy,
    faulty: MakeClient,
    client: DynamoDBClient,
    hash_table: str,
    transport: str,
) -> None:
    count, missing, rate = READS[mode]
    await client.batch_write(
        hash_table, put_items=[{"id": f"g{i:05d}", "n": i} for i in range(count)]
    )
    keys = _keys_with_repeats_and_missing(count, missing=missing)
    reader = faulty()
    proxy.configure(**dict.fromkeys(MIX, rate))
    got = await Api(reader, mode).batch_get(hash_table, keys)
    proxy.enabled = False
    await reader.close()
    _check_batch_get(f"batch_get_{mode}_{count}", proxy, got, keys, transport)
    assert_faults(proxy)


async def test_paginated_query_returns_every_item_once_in_order(
    proxy: FaultProxy,
    faulty: MakeClient,
    client: DynamoDBClient,
    table: str,
    transport: str,
) -> None:
    items = [{"pk": "P#1", "sk": f"S#{i:04d}", "n": i} for i in range(300)]
    others = [{"pk": "P#2", "sk": f"S#{i:04d}", "n": i} for i in range(40)]
    await client.batch_write(table, put_items=items + others)
    expected = [item["sk"] for item in items]
    reader = faulty()
    proxy.configure(**MIX)
    key = Attr("pk") == "P#1"

    forward = [item async for item in reader.query(table, key, page_size=7)]
    backward = [
        item["sk"] for item in reader.sync_query(table, key, page_size=9, scan_index_forward=False)
    ]
    limited = await reader.query(table, key, page_size=6, limit=100).all()
    paged: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        page = await reader.query(table, key).page(11, cursor)
        paged += [item["sk"] for item in page.items]
        pages += 1
        cursor = page.next_cursor
        if cursor is None:
            break
    proxy.enabled = False
    await reader.close()

    got = [item["sk"] for item in forward]
    report(
        "query_pages",
        transport=transport,
        items=len(expected),
        lost=len(set(expected) - set(got)),
        duplicated=len(got) - len(set(got)),
        **proxy.summary(),
    )
    assert forward == items
    assert backward == expected[::-1]
    assert limited == items[:100]
    assert paged == expected and pages == 28
    assert_faults(proxy, SINGLE_KINDS)


async def test_model_crud_keeps_working(
    proxy: FaultProxy, faulty: MakeClient, table: str, boto: Any, transport: str
) -> None:
    client = faulty()

    class Note(Model):
        model_config = DynamoConfig(table=table, client=client)
        pk: Annotated[str, PartitionKey()]
        sk: Annotated[str, SortKey()]
        text: str
        rev: int = 0

    proxy.configure(**MIX)
    kept: dict[str, str] = {}
    for mode, numbers in (("async", range(40)), ("sync", range(40, 55))):
        api = Api(client, mode)
        for i in numbers:
            note = Note(pk="N", sk=f"{i:03d}", text=f"t{i}")
            await api.on(note).save()
            assert await api.on(Note).get(pk="N", sk=f"{i:03d}") == note
            await api.on(note).update(text=f"u{i}", rev=1)
            assert (note.text, note.rev) == (f"u{i}", 1)
            if i % 4 == 0:
                await api.on(note).delete()
                assert await api.on(Note).get(pk="N", sk=f"{i:03d}") is None
            else:
                kept[note.sk] = note.text
    proxy.enabled = False
    await client.close()

    stored = {
        item["sk"]["S"]: (item["text"]["S"], item["rev"]["N"])
        for page in boto.get_paginator("scan").paginate(TableName=table, ConsistentRead=True)
        for item in page["Items"]
    }
    report(
        "model_crud",
        transport=transport,
        items=55,
        kept=len(kept),
        lost=len(set(kept) - set(stored)),
        unexpected=len(set(stored) - set(kept)),
        **proxy.summary(),
    )
    assert stored == {sk: (text, "1") for sk, text in kept.items()}
    assert_faults(proxy, SINGLE_KINDS)


# -- faults that outlast the retries ------------------------------------------------------


def _stored(boto: Any, table: str) -> set[str]:
    return set(iter_ids(boto, table))


def _outcome(
    name: str,
    error: BatchWriteError,
    boto: Any,
    table: str,
    proxy: FaultProxy,
    transport: str,
    items: int,
) -> tuple[set[str], list[dict[str, Any]]]:
    """After a batch write of ``items`` gave up: the ids stored and the items it lists as
    not written (sorted by id), reported with the proxy's counters."""
    stored = _stored(boto, table)
    unprocessed = sorted((action.item for action in error.unprocessed), key=lambda i: i["id"])
    report(
        name,
        transport=transport,
        items=items,
        stored=len(stored),
        unprocessed=len(unprocessed),
        lost=items - len(stored) - len(unprocessed),
        **proxy.summary(),
    )
    return stored, unprocessed


async def test_batch_write_error_when_throttling_outlasts_the_retries(
    proxy: FaultProxy, faulty: MakeClient, hash_table: str, boto: Any, transport: str
) -> None:
    client = faulty(max_attempts=2)
    items = [{"id": f"b{i:04d}", "n": i} for i in range(600)]
    proxy.configure(half_unprocessed=0.3, ops={"BatchWriteItem"})
    proxy.force("throttle", ops={"BatchWriteItem"}, skip=8)
    with pytest.raises(BatchWriteError) as caught:
        await client.batch_write(hash_table, put_items=items)
    error = caught.value
    assert isinstance(error.__cause__, ProvisionedThroughputExceededException)
    assert all(
        isinstance(action, Put) and action.table == hash_table for action in error.unprocessed
    )
    stored, unprocessed = _outcome(
        "batch_write_error_throttled",
        error,
        boto,
        hash_table,
        proxy,
        transport=transport,
        items=len(items),
    )
    not_written = [item for item in items if item["id"] not in stored]
    assert stored and unprocessed
    assert unprocessed == not_written
    assert proxy.units["BatchWriteItem"] == len(stored)  # nothing written twice
    assert_faults(proxy, ["throttle", "half_unprocessed"])

    # Writing what the error lists completes the table, each item written once in all.
    proxy.clear()
    await client.batch_write(hash_table, put_items=unprocessed)
    assert _stored(boto, hash_table) == {item["id"] for item in items}
    assert proxy.units["BatchWriteItem"] == len(items)


# The two ways a batch gives up, each run through one API: throttling outlasts the request
# retries (async), or three responses in a row leave everything unprocessed (sync).
GIVING_UP = pytest.mark.parametrize(("way", "mode"), [("throttled", "async"), ("stalled", "sync")])


@GIVING_UP
async def test_batch_writer_error_lists_the_writes_not_made(
    proxy: FaultProxy,
    faulty: MakeClient,
    hash_table: str,
    boto: Any,
    transport: str,
    way: str,
    mode: str,
) -> None:
    proxy.configure(half_unprocessed=0.3, ops={"BatchWriteItem"})
    if way == "throttled":
        client = faulty(max_attempts=2)
        items = [{"id": f"b{i:04d}", "n": i} for i in range(500)]
        proxy.force("throttle", ops={"BatchWriteItem"}, skip=6, variant="ThrottlingException")
    else:
        client = faulty(batch_attempts=3)
        items = [{"id": f"b{i:04d}", "n": i} for i in range(400)]
        proxy.force("half_unprocessed", ops={"BatchWriteItem"}, skip=5, fraction=1.0)
    given = 0
    with pytest.raises(BatchWriteError) as caught:
        async with Api(client, mode).batch_writer(hash_table) as writer:
            for item in items:
                given += 1
                await writer.put(item)
    cause = caught.value.__cause__
    if way == "throttled":
        assert isinstance(cause, ProvisionedThroughputExceededException)
        assert cause.code == "ThrottlingException"
        assert proxy.counts["throttle:ThrottlingException"] >= 2
    else:
        assert cause is None  # given up after 3 responses without progress
    stored, unprocessed = _outcome(
        f"batch_writer_error_{way}",
        caught.value,
        boto,
        hash_table,
        proxy,
        transport=transport,
        items=given,
    )
    # Of the items the writer was given, each is either stored or listed, never both.
    assert 0 < given < len(items)
    assert stored | {item["id"] for item in unprocessed} == {item["id"] for item in items[:given]}
    assert unprocessed == [item for item in items[:given] if item["id"] not in stored]
    assert len(stored) + len(unprocessed) == given
    assert proxy.units["BatchWriteItem"] == len(stored)


@GIVING_UP
async def test_batch_get_error_lists_the_keys_not_read(
    proxy: FaultProxy,
    faulty: MakeClient,
    client: DynamoDBClient,
    hash_table: str,
    transport: str,
    way: str,
    mode: str,
) -> None:
    items = [{"id": f"g{i:04d}", "n": i} for i in range(700)]
    await client.batch_write(hash_table, put_items=items)
    reader = faulty(max_attempts=2, batch_attempts=3)
    proxy.configure(half_unprocessed=0.3, ops={"BatchGetItem"})
    if way == "throttled":
        proxy.force("throttle", ops={"BatchGetItem"}, skip=3)
    else:
        proxy.force("half_unprocessed", ops={"BatchGetItem"}, skip=3, fraction=1.0)
    keys = [{"id": item["id"]} for item in items]
    with pytest.raises(BatchGetError) as caught:
        await Api(reader, mode).batch_get(hash_table, keys)
    error = caught.value
    if way == "throttled":
        assert isinstance(error.__cause__, ProvisionedThroughputExceededException)
    else:
        assert error.__cause__ is None
    assert all(isinstance(get, Get) and get.table == hash_table for get in error.unprocessed)
    read = {item["id"] for item in error.items}
    left = [get.key["id"] for get in error.unprocessed]
    report(
        f"batch_get_error_{way}",
        transport=transport,
        keys=len(keys),
        read=len(error.items),
        unprocessed=len(left),
        **proxy.summary(),
    )
    assert read and left
    assert len(left) == len(set(left)) and len(error.items) == len(read)
    assert read.isdisjoint(left) and read | set(left) == {k["id"] for k in keys}
    assert sorted(error.items, key=lambda item: item["id"]) == [
        item for item in items if item["id"] in read
    ]
    assert proxy.units["BatchGetItem"] == len(read)  # no key was read twice


# -- retries that cannot apply a request twice --------------------------------------------


def _n(boto: Any, table: str, id_: str) -> int:
    item = boto.get_item(TableName=table, Key={"id": {"S": id_}}, ConsistentRead=True)["Item"]
    return int(item["n"]["N"])


async def test_counting_update_dropped_after_it_was_applied_is_not_retried(
    proxy: FaultProxy,
    faulty: MakeClient,
    client: DynamoDBClient,
    hash_table: str,
    boto: Any,
    transport: str,
) -> None:
    await client.put_item(hash_table, {"id": "c1", "n": 0})
    writer = faulty()
    add_one = [Attr("n").add(1)]
    for applied, mode in enumerate(["async", "sync"], start=1):
        proxy.force("drop_after", ops={"UpdateItem"}, times=1)
        with pytest.raises(ConnectionException) as caught:
            await Api(writer, mode).update_item(hash_table, {"id": "c1"}, atomic=add_one)
        assert getattr(caught.value, "sent", True) is True
        assert _n(boto, hash_table, "c1") == applied  # applied once, not retried
        assert proxy.seen["UpdateItem"] == applied
    report("drop_after_add_not_retried", transport=transport, applied=2, **proxy.summary())


async def test_counting_update_is_retried_when_the_client_opts_in(
    proxy: FaultProxy,
    faulty: MakeClient,
    client: DynamoDBClient,
    hash_table: str,
    boto: Any,
    transport: str,
) -> None:
    await client.put_item(hash_table, {"id": "c2", "n": 0})
    writer = faulty(retry_non_idempotent=True)
    proxy.force("drop_after", ops={"UpdateItem"}, times=1)
    new = await writer.update_item(hash_table, {"id": "c2"}, atomic=[Attr("n").add(1)])
    # the retry went out: the documented risk of the opt-in is a second application
    assert proxy.seen["UpdateItem"] == proxy.forwarded["UpdateItem"] == 2
    assert new["n"] == _n(boto, hash_table, "c2") == 2
    report("drop_after_add_opt_in_retried", transport=transport, **proxy.summary())


async def test_idempotent_writes_are_retried_after_a_dropped_answer(
    proxy: FaultProxy, faulty: MakeClient, hash_table: str, boto: Any, transport: str
) -> None:
    writer = faulty()
    ops = ("PutItem", "UpdateItem", "DeleteItem")
    for mode in ("async", "sync"):
        api, kept, gone = Api(writer, mode), f"{mode}-kept", f"{mode}-gone"
        for op in ops:
            proxy.force("drop_after", ops={op}, times=1)
        await api.put_item(hash_table, {"id": kept, "name": "a"})
        assert await api.update_item(hash_table, {"id": kept}, updates={"name": "b"}) == {
            "id": kept,
            "name": "b",
        }
        await api.put_item(hash_table, {"id": gone, "name": "x"})
        await api.delete_item(hash_table, {"id": gone})

    # Each op's first request of each run was dropped after the server applied it.
    assert proxy.counts["drop_after"] == 6
    assert proxy.seen["PutItem"] == 2 * (2 + 1) and proxy.seen["UpdateItem"] == 2 * (1 + 1)
    assert proxy.seen["DeleteItem"] == 2 * (1 + 1)
    for mode in ("async", "sync"):
        stored = boto.get_item(TableName=hash_table, Key={"id": {"S": f"{mode}-kept"}})["Item"]
        assert stored == {"id": {"S": f"{mode}-kept"}, "name": {"S": "b"}}
        assert "Item" not in boto.get_item(TableName=hash_table, Key={"id": {"S": f"{mode}-gone"}})
    report("drop_after_idempotent_retried", transport=transport, **proxy.summary())


@pytest.mark.needs("transactions")
async def test_transaction_is_retried_with_its_token_and_applied_once(
    proxy: FaultProxy,
    faulty: MakeClient,
    client: DynamoDBClient,
    hash_table: str,
    boto: Any,
    transport: str,
) -> None:
    await client.put_item(hash_table, {"id": "t1", "n": 0})
    writer = faulty()
    proxy.record.add("TransactWriteItems")
    proxy.force("drop_after", ops={"TransactWriteItems"}, times=1)
    await writer.transact_write(
        [
            Update(hash_table, {"id": "t1"}, atomic=[Attr("n").add(1)]),
            Put(hash_table, {"id": "t2", "v": 1}),
        ]
    )
    sent = proxy.requests["TransactWriteItems"]
    tokens = [request.get("ClientRequestToken") for request in sent]
    report(
        "drop_after_transaction", transport=transport, tokens=len(set(tokens)), **proxy.summary()
    )
    assert len(sent) == 2 and tokens[0] and tokens[0] == tokens[1]
    # the proxy, like DynamoDB, answered the repeated token without applying it again
    assert proxy.forwarded["TransactWriteItems"] == 1 and proxy.counts["replayed"] == 1
    assert _n(boto, hash_table, "t1") == 1
    assert boto.get_item(TableName=hash_table, Key={"id": {"S": "t2"}})["Item"]["v"] == {"N": "1"}
