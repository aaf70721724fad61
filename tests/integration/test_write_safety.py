"""No write ever vanishes: batch writers, ``batch_write`` and transactions stopped anywhere.

The seeded runs stop each kind of write at a random moment, through a fault proxy that
throttles, answers 500, drops connections before forwarding and leaves half of the batch
writes unprocessed (``tests.faults.FaultProxy``): the async ones by cancelling their task,
the sync ones by a ``KeyboardInterrupt`` that a SIGALRM handler raises, as Ctrl-C does.
After each run the proxy is left to finish what it was handed, the server is read directly
(plain boto3) and:

- every write whose ``put`` returned is stored or listed in ``BatchWriteError.unprocessed``
  (found as the stop's ``__cause__``, or raised when the retries were spent);
- a write listed as unprocessed and not as ``in_flight`` is not stored;
- nothing listed was never put, and the server applied no write twice (the proxy counts the
  writes it forwarded and the server answered).

A transaction is all or nothing, and a commit that was stopped keeps its actions and its
``ClientRequestToken``: committing again applies it exactly once (its counter is 1).

Then: a writer that gives up lists its never-sent writes too; a timeout stops the sending at
once; a writer never exited warns; writers and transactions use the models' own clients.
"""

from __future__ import annotations

import asyncio
import dataclasses
import functools
import gc
import random
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Callable, Iterator
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    BatchWriteError,
    BatchWriter,
    Delete,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    Put,
    RetryPolicy,
    SyncBatchWriter,
    SyncTransaction,
    Transaction,
    ValidationException,
    set_default_client,
)
from pydynox.testing import local_client

from ..faults import FaultProxy, report
from ..local_servers import Servers, boto_client
from .api import Api

SEED = 12_2026
RUNS = 200
MIX = {"throttle": 0.15, "error500": 0.1, "drop_before": 0.05, "half_unprocessed": 0.3}
WRITE_OPS = ("BatchWriteItem", "TransactWriteItems")
FAST = {"base": 0.001, "cap": 0.02}


@pytest.fixture(scope="module")
def moto(servers: Servers) -> str:
    return servers.endpoint("moto")


@pytest.fixture(scope="module")
def raw(moto: str) -> Iterator[Any]:
    client = boto_client(moto)
    yield client
    client.close()


def _create(raw: Any, prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:10]}"
    raw.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    return name


@pytest.fixture(scope="module")
def table(raw: Any) -> Iterator[str]:
    name = _create(raw, "safety")
    yield name
    raw.delete_table(TableName=name)


@pytest.fixture(scope="module")
def proxy(moto: str) -> Iterator[FaultProxy]:
    with FaultProxy(moto, seed=SEED, ops=WRITE_OPS, **MIX) as running:
        yield running
        assert running.counts["upstream_errors"] == 0, running.summary()
        assert not running.errors, running.errors


def _fast(client: DynamoDBClient, batch_attempts: int = 10) -> DynamoDBClient:
    client.batch_retry = RetryPolicy(attempts=batch_attempts, **FAST)
    client.request_retry = dataclasses.replace(client.request_retry, **FAST)
    return client


@pytest.fixture(scope="module")
def faulty(proxy: FaultProxy) -> Iterator[DynamoDBClient]:
    client = _fast(local_client(proxy.url, connect_timeout=2.0, read_timeout=20.0))
    yield client
    client.sync_close()


def stored_ids(raw: Any, table: str, ids: list[str]) -> set[str]:
    """The ids among ``ids`` stored in ``table`` (consistent reads, straight to the server)."""
    found: set[str] = set()
    for start in range(0, len(ids), 100):
        keys = [{"id": {"S": i}} for i in ids[start : start + 100]]
        request: dict[str, Any] = {table: {"Keys": keys, "ConsistentRead": True}}
        while request:
            answer = raw.batch_get_item(RequestItems=request)
            found.update(item["id"]["S"] for item in answer["Responses"].get(table, []))
            request = answer.get("UnprocessedKeys") or {}
    return found


def written_id(write: dict[str, Any]) -> str:
    """The id of a BatchWriteItem write request (a PutRequest or a DeleteRequest)."""
    request = write.get("PutRequest", {}).get("Item") or write["DeleteRequest"]["Key"]
    return str(request["id"]["S"])


def listed(actions: list[Any]) -> set[str]:
    ids = set()
    for action in actions:
        assert isinstance(action, Put | Delete), action
        ids.add(str(action.item["id"] if isinstance(action, Put) else action.key["id"]))
    return ids


def the_report(stop: BaseException | None) -> BatchWriteError | None:
    """The BatchWriteError a stop carries: itself, its cause, or (a signal landing while a
    BatchWriteError was on its way) its context."""
    for candidate in (stop, getattr(stop, "__cause__", None), getattr(stop, "__context__", None)):
        if isinstance(candidate, BatchWriteError):
            return candidate
    return None


@dataclasses.dataclass
class Tally:
    """What the seeded runs of one kind of write did, for the summary line."""

    runs: int = 0
    outcomes: dict[str, int] = dataclasses.field(default_factory=dict)
    put: int = 0
    stored: int = 0
    reported: int = 0
    in_flight: int = 0
    problems: list[str] = dataclasses.field(default_factory=list)

    def check(
        self,
        run: int,
        outcome: str,
        attempted: list[str],
        confirmed: list[str],
        error: BatchWriteError | None,
        stored: set[str],
        applied: int,
    ) -> None:
        self.runs += 1
        self.outcomes[outcome] = self.outcomes.get(outcome, 0) + 1
        unprocessed = listed(error.unprocessed) if error is not None else set()
        flying = listed(error.in_flight) if error is not None else set()
        lost = set(confirmed) - stored - unprocessed
        wrong = (unprocessed - flying) & stored
        strange = (stored | unprocessed) - set(attempted)
        self.put += len(confirmed)
        self.stored += len(stored)
        self.reported += len(unprocessed)
        self.in_flight += len(flying)
        if outcome == "completed" and (error is not None or stored != set(confirmed)):
            self.problems.append(f"run {run}: completed, yet stored {len(stored)}")
        for what, ids in (("lost", lost), ("listed as unprocessed but stored", wrong)):
            if ids:
                self.problems.append(f"run {run} ({outcome}): {what}: {sorted(ids)[:5]}")
        if strange:
            self.problems.append(f"run {run}: stored or listed but never put: {sorted(strange)}")
        if not flying <= unprocessed:
            self.problems.append(f"run {run}: in_flight not within unprocessed")
        if applied != len(stored):
            self.problems.append(f"run {run}: the server applied {applied} writes for {stored}")


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def interrupted(write: Callable[[], None], after: float) -> tuple[str, BaseException | None]:
    """Run ``write`` with a KeyboardInterrupt raised ``after`` seconds in (a SIGALRM handler
    raising it, as Ctrl-C's does): how it ended, and the exception it ended with."""
    previous = signal.signal(signal.SIGALRM, _interrupt)
    try:
        try:
            signal.setitimer(signal.ITIMER_REAL, after)
            try:
                write()
            finally:
                signal.setitimer(signal.ITIMER_REAL, 0)
        except KeyboardInterrupt as stop:
            return "interrupted", stop
        except BatchWriteError as error:
            return "gave up", error
    finally:
        signal.signal(signal.SIGALRM, previous)
    return "completed", None


async def cancelled(write: Callable[[], Any], after: float) -> tuple[str, BaseException | None]:
    """Run the coroutine ``write()`` as a task cancelled ``after`` seconds in."""
    task = asyncio.ensure_future(write())
    await asyncio.sleep(after)
    task.cancel()
    try:
        await task
    except asyncio.CancelledError as stop:
        return "cancelled", stop
    except BatchWriteError as error:
        return "gave up", error
    return "completed", None


async def write_async(
    client: DynamoDBClient,
    table: str,
    via: str,
    ids: list[str],
    awaited: bool,
    attempted: list[str],
    confirmed: list[str],
) -> None:
    if via == "batch_write":
        attempted.extend(ids)
        await client.batch_write(table, put_items=[{"id": i} for i in ids])
        confirmed.extend(ids)  # (all handed over at once: see the caller)
        return
    async with BatchWriter(client, table) as batch:
        for i in ids:
            attempted.append(i)
            sending = batch.put({"id": i})
            confirmed.append(i)
            if awaited:
                await sending


def write_sync(
    client: DynamoDBClient,
    table: str,
    via: str,
    ids: list[str],
    attempted: list[str],
    confirmed: list[str],
) -> None:
    if via == "batch_write":
        attempted.extend(ids)
        client.sync_batch_write(table, put_items=[{"id": i} for i in ids])
        return
    with SyncBatchWriter(client, table) as batch:
        for i in ids:
            attempted.append(i)
            batch.put({"id": i})
            confirmed.append(i)


# A KeyboardInterrupt landing in the few bytecodes between the standard library handing a
# socket over and the pool owning it leaves that socket to the collector, which closes it with
# a ResourceWarning (seen about once in 1,000 interrupted runs): not a lost write.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("via", ["writer", "batch_write"])
@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_seeded_stops_lose_no_write(
    mode: str, via: str, faulty: DynamoDBClient, proxy: FaultProxy, raw: Any, table: str
) -> None:
    tally = Tally()
    rng = random.Random(f"{SEED}-{mode}-{via}")
    for run in range(RUNS):
        prefix = uuid.uuid4().hex[:8]
        ids = [f"{prefix}-{n}" for n in range(rng.randint(1, 70))]
        attempted: list[str] = []
        confirmed: list[str] = []
        awaited = rng.random() < 0.5
        after = rng.uniform(0.0005, 0.012)
        before = len(proxy.applied)
        if mode == "sync":
            write = functools.partial(write_sync, faulty, table, via, ids, attempted, confirmed)
            outcome, stop = interrupted(write, after)
        else:
            write_a = functools.partial(
                write_async, faulty, table, via, ids, awaited, attempted, confirmed
            )
            outcome, stop = await cancelled(write_a, after)
        if via == "batch_write":
            # batch_write holds every write from its first step: each one counts as put.
            confirmed[:] = attempted
        proxy.wait_idle()
        stored = stored_ids(raw, table, ids)
        # This run's writes only: one of an earlier run cut in flight may reach the server
        # late (after that run's wait_idle on a loaded machine), and counts there as stored.
        applied = sum(1 for w in proxy.applied[before:] if written_id(w).startswith(prefix))
        tally.check(run, outcome, attempted, confirmed, the_report(stop), stored, applied)
    report(
        f"seeded stops: {mode} {via}",
        **dataclasses.asdict(tally) | {"problems": tally.problems[:3]},
    )
    assert tally.problems == []
    stopped = tally.runs - tally.outcomes.get("completed", 0)
    assert stopped >= RUNS // 4, tally.outcomes  # the stops did land mid-write
    assert tally.reported > 0 and tally.in_flight > 0, tally  # and some cut a request short


def add_actions(tx: Transaction | SyncTransaction, table: str, ids: list[str]) -> None:
    for i in ids[:-1]:
        tx.put(table, {"id": i})
    tx.update(table, {"id": ids[-1]}, atomic=[Attr("n").add(1)])  # the counter


async def commit_async(tx: Transaction, table: str, ids: list[str]) -> None:
    add_actions(tx, table, ids)
    await tx.commit()


def commit_sync(tx: SyncTransaction, table: str, ids: list[str]) -> None:
    add_actions(tx, table, ids)
    tx.commit()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # (as above)
@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_seeded_stops_apply_a_transaction_once(
    mode: str, faulty: DynamoDBClient, proxy: FaultProxy, raw: Any, table: str
) -> None:
    rng = random.Random(f"{SEED}-tx-{mode}")
    outcomes: dict[str, int] = {}
    problems: list[str] = []
    tables: list[str] = []
    for run in range(RUNS):
        if run % 25 == 0:  # moto's transactions slow down as a table grows: a fresh one
            tables.append(table := _create(raw, "tx"))
        prefix = uuid.uuid4().hex[:8]
        ids = [f"{prefix}-{n}" for n in range(rng.randint(1, 12))] + [f"{prefix}-count"]
        after = rng.uniform(0.0005, 0.008)
        if mode == "async":
            tx: Transaction | SyncTransaction = Transaction(faulty)
            outcome, _ = await cancelled(functools.partial(commit_async, tx, table, ids), after)
        else:
            tx = SyncTransaction(faulty)
            outcome, _ = interrupted(functools.partial(commit_sync, tx, table, ids), after)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
        proxy.wait_idle()
        stored = stored_ids(raw, table, ids)
        if stored not in (set(), set(ids)):
            problems.append(f"run {run}: half a transaction stored: {len(stored)} items")
        # The stopped commit kept its actions and token: committing again finishes it.
        if stored or outcome != "completed":
            if isinstance(tx, Transaction):
                await tx.commit()
            else:
                tx.commit()
        proxy.wait_idle()
        if stored_ids(raw, table, ids) != set(ids):
            problems.append(f"run {run}: committing again did not store the transaction")
        item = raw.get_item(TableName=table, Key={"id": {"S": ids[-1]}}, ConsistentRead=True)
        if item["Item"]["n"]["N"] != "1":
            problems.append(f"run {run}: applied {item['Item']['n']['N']} times")
    for name in tables:
        raw.delete_table(TableName=name)
    report(f"seeded stops: {mode} transaction", outcomes=outcomes, problems=problems[:3])
    assert problems == []
    assert RUNS - outcomes.get("completed", 0) >= RUNS // 4, outcomes


# -- giving up lists every write, never-sent ones included --------------------------------


@pytest.fixture
def refusing(moto: str) -> Iterator[tuple[FaultProxy, DynamoDBClient]]:
    """A client whose batch writes are all left unprocessed."""
    with FaultProxy(moto, seed=SEED) as running:
        running.force("half_unprocessed", ["BatchWriteItem"], fraction=1.0)
        client = _fast(local_client(running.url), batch_attempts=3)
        yield running, client
        client.sync_close()


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_a_writer_that_gives_up_lists_every_write_it_holds(
    mode: str, refusing: tuple[FaultProxy, DynamoDBClient], raw: Any, table: str
) -> None:
    _, client = refusing
    ids = [f"refused-{mode}-{uuid.uuid4().hex[:6]}-{n}" for n in range(1000)]
    with pytest.raises(BatchWriteError) as caught:
        if mode == "async":
            async with BatchWriter(client, table) as batch:
                for i in ids:
                    batch.put({"id": i})  # not awaited: all 1,000 wait for the exit
        else:
            with SyncBatchWriter(client, table) as sync_batch:
                for i in ids:
                    sync_batch.put({"id": i})
    # The async puts were not awaited: all 1,000 wait for the exit, and all are listed. The
    # sync writer sends each full batch at once: the 25th put raised, listing those 25.
    held = ids if mode == "async" else ids[:25]
    assert listed(caught.value.unprocessed) == set(held)
    assert len(caught.value.unprocessed) == len(held)
    assert caught.value.in_flight == []  # all refused: none is in doubt
    assert f"{len(held)} writes are not known to be stored" in str(caught.value)
    writer = batch if mode == "async" else sync_batch
    assert writer.pending == 0  # the error holds them now: the exit sent nothing more
    assert stored_ids(raw, table, ids) == set()


async def test_a_timeout_stops_the_sending_at_once(moto: str, raw: Any, table: str) -> None:
    with FaultProxy(moto, seed=SEED) as proxy:
        proxy.force("throttle", ["BatchWriteItem"])  # every request, forever
        client = local_client(proxy.url)  # the default backoff: up to 20 s in all
        ids = [f"timeout-{uuid.uuid4().hex[:6]}-{n}" for n in range(25)]

        async def write() -> None:
            async with BatchWriter(client, table) as batch:
                for i in ids:
                    await batch.put({"id": i})

        with pytest.raises(asyncio.TimeoutError) as caught:
            await asyncio.wait_for(write(), 0.3)
        seen = sum(proxy.seen.values())
        await asyncio.sleep(0.3)
        assert sum(proxy.seen.values()) == seen  # nothing was sent after the timeout
        stop = caught.value.__cause__ or caught.value.__context__
        error = the_report(stop)
        assert error is not None, repr(stop)
        assert listed(error.unprocessed) == set(ids)
        await client.close()


def _stop_when_called(name: str, stop: BaseException) -> Callable[[Any, str, Any], Any]:
    """A trace function raising ``stop`` the first time a function called ``name`` starts:
    Ctrl-C (or a cancellation) landing at that exact point, every time."""

    def trace(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and frame.f_code.co_name == name:
            sys.settrace(None)
            raise stop
        return trace

    return trace


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_a_stop_as_the_exit_starts_sending_lists_every_buffered_write(
    mode: str, client: DynamoDBClient, raw: Any, table: str
) -> None:
    """The block ended normally and the exit begins to send what is buffered: a stop landing
    before the sending plan took the writes lists them all (it used to leave them unlisted)."""
    ids = [f"exit-{uuid.uuid4().hex[:6]}-{n}" for n in range(5)]
    stop: BaseException = KeyboardInterrupt() if mode == "sync" else asyncio.CancelledError()
    stopped: type[BaseException] = type(stop)
    with pytest.raises(stopped) as caught:
        if mode == "sync":
            with SyncBatchWriter(client, table) as sync_batch:
                for i in ids:
                    sync_batch.put({"id": i})
                sys.settrace(_stop_when_called("_plan", stop))
        else:
            async with BatchWriter(client, table) as batch:
                for i in ids:
                    batch.put({"id": i})  # buffered: sent at the exit
                sys.settrace(_stop_when_called("_plan", stop))
    sys.settrace(None)
    error = the_report(caught.value)
    assert error is not None, repr(caught.value)
    assert listed(error.unprocessed) == set(ids)
    assert error.in_flight == []  # never sent
    writer = batch if mode == "async" else sync_batch
    assert writer.pending == 0
    assert stored_ids(raw, table, ids) == set()


# -- a writer never exited ----------------------------------------------------------------


def test_a_writer_collected_with_buffered_writes_warns(caplog: pytest.LogCaptureFixture) -> None:
    client = local_client("http://127.0.0.1:9")  # nothing is sent: 10 writes fill no batch
    batch = SyncBatchWriter(client, "things")
    for n in range(10):
        batch.put({"id": str(n)})
    with pytest.warns(ResourceWarning, match="never exited with 10 writes buffered"):
        del batch
        gc.collect()
    assert "never exited with 10 writes buffered" in caplog.text


def test_an_async_writer_left_in_a_finished_loop_warns() -> None:
    client = local_client("http://127.0.0.1:9")

    async def forget() -> None:
        batch = BatchWriter(client, "things")
        for n in range(3):
            batch.put({"id": str(n)})  # neither awaited nor exited

    with pytest.warns(ResourceWarning, match="never exited with 3 writes buffered"):
        asyncio.run(forget())
        gc.collect()


def test_a_script_exiting_with_a_writer_open_warns() -> None:
    script = textwrap.dedent(
        """
        from pydynox import SyncBatchWriter
        from pydynox.testing import local_client

        batch = SyncBatchWriter(local_client("http://127.0.0.1:9"), "things")
        for n in range(25 - 1):
            batch.put({"id": str(n)})
        print("done")
        """
    )
    done = subprocess.run(
        [sys.executable, "-X", "dev", "-W", "error", "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.stdout.strip() == "done"
    assert "ResourceWarning" in done.stderr, done.stderr
    assert "never exited with 24 writes buffered" in done.stderr, done.stderr


# -- writers and transactions go through the models' own clients ---------------------------


@dataclasses.dataclass
class Elsewhere:
    """A default client in us-east-1, a model client in eu-west-1 (moto keeps regions apart),
    a table that exists only in eu-west-1 and a model bound to it through its own client."""

    default: DynamoDBClient
    regional: DynamoDBClient
    table: str
    model: type[Model]


@pytest.fixture
def elsewhere(moto: str) -> Iterator[Elsewhere]:
    default = local_client(moto)
    regional = local_client(moto, region="eu-west-1")
    name = f"regional-{uuid.uuid4().hex[:8]}"
    regional.sync_create_table(name, partition_key=("id", "S"))

    class Regional(Model):
        model_config = DynamoConfig(table=name, client=regional)
        id: Annotated[str, PartitionKey()]

    set_default_client(default)
    yield Elsewhere(default, regional, name, Regional)
    set_default_client(None)
    regional.sync_delete_table(name, wait=False)
    default.sync_close()
    regional.sync_close()


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_writers_and_transactions_use_the_models_own_client(
    mode: str, elsewhere: Elsewhere
) -> None:
    model = elsewhere.model
    api = Api(None, mode)  # writers and transactions given no client
    async with api.batch_writer() as batch:
        batch.put(model(id="batched"))
    async with api.transaction() as tx:
        tx.put(model(id="transacted"))
        tx.update(model, {"id": "updated"}, atomic=[Attr("n").add(1)])
    keys = [{"id": i} for i in ("batched", "transacted", "updated")]
    assert len(await elsewhere.regional.batch_get(elsewhere.table, keys)) == 3
    # nothing went to the default region
    assert not await elsewhere.default.table_exists(elsewhere.table)


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_one_transaction_or_writer_cannot_mix_clients(
    mode: str, elsewhere: Elsewhere
) -> None:
    model, table = elsewhere.model, elsewhere.table
    api = Api(None, mode)  # writers and transactions given no client
    tx = api.transaction()
    tx.put(model(id="a"))
    with pytest.raises(ValidationException, match="one client"):
        tx.put(table, {"id": "b"})  # a plain write goes through the default client
    with pytest.raises(ValidationException, match="one client"):
        tx.condition_check(table, {"id": "b"}, condition=Attr("id").exists())
    writer = api.batch_writer()
    writer.put(model(id="y"))
    with pytest.raises(ValidationException, match="Regional's own client"):
        writer.put({"id": "x"}, table=table)
    assert writer.pending == 1  # the refused write was not buffered
    # Given the model's client, plain writes and the model's writes go together.
    together = api.transaction(elsewhere.regional)
    together.put(model(id="c"))
    together.put(table, {"id": "d"})
    await together.commit()
    await writer.flush()
    keys = [{"id": i} for i in ("c", "d", "y")]
    assert len(await elsewhere.regional.batch_get(table, keys)) == 3
