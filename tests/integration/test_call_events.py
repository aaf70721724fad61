"""Call events: ``client.on_call(listener)`` hears one frozen ``CallRecord`` per DynamoDB call.

Every client here talks to the local server through the fault proxy of tests/faults.py, as
``Recorder`` (tests/integration/test_capacity.py), which keeps each answer it gives: the
operation, the HTTP status and the request id, whether the server or an injected fault gave
it. So each record is checked against what really went over the wire: one record per call
(its attempts inside it: one answer per attempt that got one), the status and request id of
its last answer, its retries by cause (the error code of each failed attempt), its error.

Everything runs through the async and the sync API, on both transports and both servers.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from pydynox import (
    Attr,
    CallRecord,
    ConditionalCheckFailedException,
    ConnectionException,
    DynamoDBClient,
    Get,
    ProvisionedThroughputExceededException,
    Put,
    PydynoxException,
    ValidationException,
)
from pydynox.testing import local_client

from .api import Api
from .tables import unique
from .test_capacity import Answer, Recorder

pytestmark = pytest.mark.both_transports

PTEE = "ProvisionedThroughputExceededException"
MakeClient = Callable[..., DynamoDBClient]


@pytest.fixture
def recorder(endpoint: str) -> Iterator[Recorder]:
    with Recorder(endpoint, seed=15) as running:
        yield running
        assert running.counts["upstream_errors"] == 0, running.summary()
        assert not running.errors, running.errors


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make(recorder: Recorder, client_transport: str) -> Iterator[MakeClient]:
    """Makes clients on the recorder, with millisecond backoffs."""
    made: list[DynamoDBClient] = []

    def make_client(max_attempts: int = 10, **settings: Any) -> DynamoDBClient:
        client = local_client(
            recorder.url,
            transport=client_transport,
            max_attempts=max_attempts,
            connect_timeout=2.0,
            read_timeout=20.0,
            **settings,
        )
        client.request_retry = dataclasses.replace(client.request_retry, base=0.001, cap=0.01)
        made.append(client)
        return client

    yield make_client
    for client in made:  # the async side closes with the test's event loop
        client.sync_close()


class Heard:
    """The records a listener heard."""

    def __init__(self, client: DynamoDBClient) -> None:
        self.records: list[CallRecord] = []
        self.remove = client.on_call(self.records.append)

    def take(self) -> list[CallRecord]:
        taken = list(self.records)
        self.records.clear()
        return taken


def check_plain(records: list[CallRecord], answers: list[Answer]) -> None:
    """Calls with no fault: one record per answer, in order, each as answered."""
    assert [r.operation for r in records] == [a.op for a in answers]
    for record, answer in zip(records, answers, strict=True):
        assert record.attempts == 1 and record.retries == {}
        assert record.status == answer.status
        assert record.request_id == answer.request_id and record.request_id
        assert record.duration >= 0
        if answer.status == 200:
            assert record.error is None
        else:
            assert record.error == answer.body["__type"].rsplit("#", 1)[-1]
        table = answer.request.get("TableName")
        if table is not None:
            assert record.tables == (table,)
        if "RequestItems" in answer.request:  # batches: each table named, in order
            assert record.tables == tuple(answer.request["RequestItems"])
        assert record.index == answer.request.get("IndexName")


# -- one record per call ----------------------------------------------------------------


async def test_every_call_of_every_operation_is_one_record(
    make: MakeClient, recorder: Recorder, mode: str, table: str, boto: Any
) -> None:
    client = make()
    api, heard = Api(client, mode), Heard(client)
    fresh = unique("events")
    try:
        await api.create_table(fresh, partition_key=("pk", "S"))
        await api.put_item(table, {"pk": "A", "sk": "1", "n": 1})
        assert await api.get_item(table, {"pk": "A", "sk": "1"}) is not None
        await api.update_item(table, {"pk": "A", "sk": "1"}, atomic=[Attr("n").add(1)])
        await api.batch_write(table, put_items=[{"pk": "B", "sk": f"{i:02}"} for i in range(30)])
        keys = [{"pk": "B", "sk": f"{i:02}"} for i in range(110)]
        assert len(await api.batch_get(table, keys)) == 30
        assert len(await api.query(table, Attr("pk") == "B", page_size=10).all()) == 30
        assert len(await api.scan(table, page_size=20).all()) == 31
        assert await api.count(table, Attr("pk") == "B") == 30
        await api.delete_item(table, {"pk": "A", "sk": "1"})
        await api.delete_table(fresh)
    finally:
        if fresh in boto.list_tables()["TableNames"]:
            boto.delete_table(TableName=fresh)
    answers = recorder.take()
    records = heard.take()
    check_plain(records, answers)
    ops = Counter(r.operation for r in records)
    assert ops["Query"] >= 4 and ops["Scan"] >= 2 and ops["BatchGetItem"] >= 2
    assert ops["BatchWriteItem"] >= 2 and ops["CreateTable"] == ops["DeleteTable"] == 1
    # Waiting for the table to be gone ends on DescribeTable's ResourceNotFoundException:
    # a call that failed, and a record saying so.
    assert records[-1].operation == "DescribeTable"
    assert records[-1].error == "ResourceNotFoundException" and records[-1].status == 400


@pytest.mark.needs("transactions")
async def test_a_transaction_record_names_each_table_once(
    make: MakeClient, recorder: Recorder, mode: str, table: str, hash_table: str
) -> None:
    client = make()
    api, heard = Api(client, mode), Heard(client)
    await api.transact_write(
        [
            Put(table, {"pk": "A", "sk": "1"}),
            Put(hash_table, {"id": "A"}),
            Put(table, {"pk": "B", "sk": "1"}),
        ]
    )
    got = await api.transact_get([Get(hash_table, {"id": "A"}), Get(table, {"pk": "A", "sk": "1"})])
    assert all(got)
    records, answers = heard.take(), recorder.take()
    check_plain(records, answers)
    assert [r.tables for r in records] == [(table, hash_table), (hash_table, table)]
    assert [r.index for r in records] == [None, None]


async def test_records_carry_the_index_read(
    make: MakeClient, recorder: Recorder, mode: str, hash_table: str
) -> None:
    """``index`` is what the request named (the server refuses a missing index: the record
    of that failed call still names it)."""
    client = make(max_attempts=1)
    api, heard = Api(client, mode), Heard(client)
    with pytest.raises(PydynoxException) as refused:  # moto: not found; DynamoDB: invalid
        await api.query(hash_table, Attr("x") == "1", index_name="no-such-index").all()
    (record,) = heard.take()
    check_plain([record], recorder.take())
    assert record.index == "no-such-index" and record.error == type(refused.value).__name__


async def test_concurrent_calls_each_have_their_own_record(
    make: MakeClient, recorder: Recorder, table: str
) -> None:
    client = make()
    heard = Heard(client)
    await asyncio.gather(*(client.put_item(table, {"pk": f"{i}", "sk": "1"}) for i in range(8)))
    records, answers = heard.take(), recorder.take()
    assert len(records) == len(answers) == 8
    assert {r.request_id for r in records} == {a.request_id for a in answers}
    assert all(r.attempts == 1 and r.status == 200 for r in records)


# -- retries under the fault proxy -----------------------------------------------------------


async def test_a_throttled_call_is_one_record_with_its_attempts_and_causes(
    make: MakeClient, recorder: Recorder, mode: str, table: str
) -> None:
    client = make()
    api, heard = Api(client, mode), Heard(client)
    await api.put_item(table, {"pk": "A", "sk": "1"})
    heard.take(), recorder.take()
    recorder.force("throttle", {"GetItem"}, times=2, variant=PTEE)
    recorder.force("throttle", {"GetItem"}, times=1, variant="ThrottlingException")
    assert await api.get_item(table, {"pk": "A", "sk": "1"}) == {"pk": "A", "sk": "1"}
    answers = recorder.take()
    (record,) = heard.take()
    assert [a.status for a in answers] == [400, 400, 400, 200]
    assert record.operation == "GetItem" and record.tables == (table,)
    assert record.attempts == 4
    assert record.retries == {PTEE: 2, "ThrottlingException": 1}
    assert record.status == 200 and record.error is None
    assert record.request_id == answers[-1].request_id  # the last answer's


async def test_server_errors_and_dropped_connections_are_retries_by_cause(
    make: MakeClient, recorder: Recorder, mode: str, table: str
) -> None:
    client = make()
    api, heard = Api(client, mode), Heard(client)
    recorder.force("error500", {"PutItem"}, times=2)
    recorder.force("drop_before", {"PutItem"}, times=1)
    await api.put_item(table, {"pk": "A", "sk": "1"})
    answers = recorder.take()  # the dropped attempt got no answer
    (record,) = heard.take()
    assert [a.status for a in answers] == [500, 500, 200]
    assert record.attempts == 4
    assert record.retries == {"InternalServerError": 2, "ConnectionException": 1}
    assert record.status == 200 and record.request_id == answers[-1].request_id
    assert recorder.seen["PutItem"] == 4


async def test_a_call_that_gives_up_has_its_error_status_and_request_id(
    make: MakeClient, recorder: Recorder, mode: str, table: str
) -> None:
    client = make(max_attempts=3)
    api, heard = Api(client, mode), Heard(client)
    recorder.force("throttle", {"PutItem"}, variant=PTEE)
    with pytest.raises(ProvisionedThroughputExceededException) as raised:
        await api.put_item(table, {"pk": "A", "sk": "1"})
    answers = recorder.take()
    (record,) = heard.take()
    assert len(answers) == 3
    assert record.attempts == 3 and record.retries == {PTEE: 2}
    assert record.error == PTEE and record.status == 400
    assert record.request_id == answers[-1].request_id == raised.value.request_id

    recorder.clear()
    recorder.force("error500", {"GetItem"})
    with pytest.raises(PydynoxException) as failed:
        await api.get_item(table, {"pk": "A", "sk": "1"})
    answers = recorder.take()
    (record,) = heard.take()
    assert len(answers) == 3 and record.attempts == 3
    assert record.retries == {"InternalServerError": 2}
    assert record.error == type(failed.value).__name__ and record.status == 500
    assert record.request_id == answers[-1].request_id == failed.value.request_id


async def test_a_call_that_never_got_an_answer_has_no_status_nor_request_id(
    make: MakeClient, recorder: Recorder, mode: str, table: str
) -> None:
    client = make(max_attempts=2)
    api, heard = Api(client, mode), Heard(client)
    recorder.force("drop_before", {"GetItem"})
    with pytest.raises(ConnectionException):
        await api.get_item(table, {"pk": "A", "sk": "1"})
    (record,) = heard.take()
    assert recorder.take() == []
    assert record.attempts == 2 and record.retries == {"ConnectionException": 1}
    assert record.error == "ConnectionException"
    assert record.status is None and record.request_id is None


async def test_a_refused_call_is_one_attempt_with_its_error(
    make: MakeClient, recorder: Recorder, mode: str, table: str
) -> None:
    client = make()
    api, heard = Api(client, mode), Heard(client)
    with pytest.raises(ConditionalCheckFailedException) as refused:
        await api.put_item(table, {"pk": "A", "sk": "1"}, condition=Attr("pk").exists())
    (answer,) = recorder.take()
    (record,) = heard.take()
    check_plain([record], [answer])
    assert record.error == "ConditionalCheckFailedException" and record.status == 400
    assert record.request_id == refused.value.request_id


async def test_unprocessed_leftovers_are_calls_of_their_own(
    make: MakeClient, recorder: Recorder, mode: str, hash_table: str
) -> None:
    client = make()
    client.batch_retry = dataclasses.replace(client.batch_retry, base=0.001, cap=0.01)
    api, heard = Api(client, mode), Heard(client)
    recorder.force("half_unprocessed", {"BatchWriteItem"}, times=1)
    recorder.force("half_unprocessed", {"BatchGetItem"}, times=1)
    await api.batch_write(hash_table, put_items=[{"id": f"{i}"} for i in range(10)])
    assert len(await api.batch_get(hash_table, [{"id": f"{i}"} for i in range(10)])) == 10
    answers, records = recorder.take(), heard.take()
    check_plain(records, answers)
    batches = [r.operation for r in records if r.operation.startswith("Batch")]
    assert batches.count("BatchWriteItem") >= 2 and batches.count("BatchGetItem") >= 2


async def test_under_a_fault_mix_every_attempt_is_counted_once(
    make: MakeClient, recorder: Recorder, mode: str, hash_table: str
) -> None:
    """Many calls under random throttling, 500s and dropped connections: one record per
    call, their attempts add up to the requests the proxy saw, their retries by cause to
    the faults it injected."""
    client = make(max_attempts=20)
    api, heard = Api(client, mode), Heard(client)
    recorder.configure(throttle=0.15, error500=0.1, drop_before=0.1, ops={"PutItem", "GetItem"})
    calls = 30
    for i in range(calls):
        await api.put_item(hash_table, {"id": f"{i}"})
        assert await api.get_item(hash_table, {"id": f"{i}"}) == {"id": f"{i}"}
    recorder.clear()
    records = heard.take()
    recorder.take()
    assert len(records) == 2 * calls
    assert all(r.error is None and r.status == 200 for r in records)
    seen = recorder.seen["PutItem"] + recorder.seen["GetItem"]
    assert sum(r.attempts for r in records) == seen
    causes: Counter[str] = Counter()
    for record in records:
        assert sum(record.retries.values()) == record.attempts - 1
        causes.update(record.retries)
    faults = recorder.counts
    assert faults["throttle"] > 0 and faults["error500"] > 0 and faults["drop_before"] > 0
    throttles = causes[PTEE] + causes["ThrottlingException"]
    assert throttles == faults["throttle"]
    assert causes[PTEE] == faults[f"throttle:{PTEE}"]
    assert causes["InternalServerError"] == faults["error500"]
    assert causes["ConnectionException"] == faults["drop_before"]


async def test_a_cancelled_call_still_has_its_record(
    make: MakeClient, recorder: Recorder, table: str
) -> None:
    client = make()
    client.request_retry = dataclasses.replace(client.request_retry, base=5.0, cap=5.0)
    await client.get_item(table, {"pk": "A", "sk": "1"})  # warm: connections, botocore
    recorder.take()
    heard = Heard(client)
    recorder.force("throttle", {"GetItem"}, times=100, variant=PTEE)
    task = asyncio.ensure_future(client.get_item(table, {"pk": "A", "sk": "1"}))
    for _ in range(500):  # until the first (throttled) answer came back
        await asyncio.sleep(0.01)
        with recorder.lock:
            if recorder.answers:
                break
    task.cancel()  # while it waits to retry (or sends the retry): mid-call either way
    with pytest.raises(asyncio.CancelledError):
        await task
    assert {a.status for a in recorder.take()} == {400}
    records = heard.take()
    assert [r.operation for r in records] == ["GetItem"], "no record of the cancelled call"
    assert records[0].error is not None  # e.g. "CancelledError"


# -- listeners -------------------------------------------------------------------------------


async def test_removing_a_listener_stops_its_records_only(
    make: MakeClient, mode: str, table: str
) -> None:
    client = make()
    api = Api(client, mode)
    first, second = Heard(client), Heard(client)
    await api.put_item(table, {"pk": "A", "sk": "1"})
    assert len(first.records) == len(second.records) == 1
    assert first.records[0] is second.records[0]  # one frozen record for every listener
    with pytest.raises(dataclasses.FrozenInstanceError):
        first.records[0].attempts = 2  # type: ignore[misc]
    first.remove()
    first.remove()  # removing twice does nothing
    await api.get_item(table, {"pk": "A", "sk": "1"})
    assert len(first.records) == 1 and len(second.records) == 2
    second.remove()
    await api.get_item(table, {"pk": "A", "sk": "1"})
    assert len(second.records) == 2
    with pytest.raises(ValidationException):
        client.on_call("not a function")  # type: ignore[arg-type]


async def test_a_listener_that_raises_breaks_nothing_and_is_logged(
    make: MakeClient, mode: str, table: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.ERROR, logger="pydynox.calls")
    client = make()
    api = Api(client, mode)

    def broken(record: CallRecord) -> None:
        raise RuntimeError(f"listener bug on {record.operation}")

    client.on_call(broken)
    after = Heard(client)  # a listener added after the broken one still hears every call
    await api.put_item(table, {"pk": "A", "sk": "1", "n": 1})
    assert await api.get_item(table, {"pk": "A", "sk": "1"}) == {"pk": "A", "sk": "1", "n": 1}
    with pytest.raises(ConditionalCheckFailedException):  # the call's own error, not the bug
        await api.delete_item(table, {"pk": "A", "sk": "1"}, condition=Attr("n") == 2)
    assert [r.operation for r in after.records] == ["PutItem", "GetItem", "DeleteItem"]
    logged = [r for r in caplog.records if r.name == "pydynox.calls"]
    assert [r.getMessage() for r in logged] == [
        f"a call listener raised on a {op} record" for op in ("PutItem", "GetItem", "DeleteItem")
    ]
    for record in logged:
        assert record.levelno == logging.ERROR and record.exc_info is not None
        assert isinstance(record.exc_info[1], RuntimeError)
