"""Table names per environment: ``DynamoDBClient(table_prefix="dev-")``.

Two clients on one server, ``dev`` and ``prod``, name the same table ``logical``; DynamoDB
holds ``dev-<logical>`` and ``prod-<logical>``, read here with plain boto3. Every kind of
request lands in its client's table only (items, reads, batches, writers, transactions,
models, table operations), callers see the names they used (batch errors hand back actions
that resend through the same client), and a page cursor of one prefix is refused under
another. Every scenario runs through the async and the sync API and on both transports.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    BatchGetError,
    BatchWriteError,
    ConditionCheck,
    Delete,
    DynamoDBClient,
    Get,
    InvalidCursorException,
    Model,
    PartitionKey,
    Put,
    ResourceNotFoundException,
    RetryPolicy,
    SortKey,
    TransactionCanceledException,
    Update,
)
from pydynox.testing import local_client

from ..faults import FaultProxy
from .api import Api
from .model_tables import bind
from .tables import create_table, unique

pytestmark = pytest.mark.both_transports

SECRET = "integration-tests"
FAST = RetryPolicy(attempts=3, base=0.001, cap=0.01)


@dataclass
class Env:
    """Clients ``dev`` and ``prod`` (prefixes ``dev-`` and ``prod-``) and the table name
    they both use; ``boto`` reads the server as it is."""

    dev: DynamoDBClient
    prod: DynamoDBClient
    logical: str
    boto: Any

    def stored(self, prefix: str, **key: str) -> dict[str, Any] | None:
        """The item at ``key`` in ``<prefix><logical>``, read with plain boto3."""
        raw = {name: {"S": value} for name, value in key.items()}
        answer = self.boto.get_item(TableName=prefix + self.logical, Key=raw, ConsistentRead=True)
        item: dict[str, Any] | None = answer.get("Item")
        return item


def prefixed_client(endpoint: str, transport: str, prefix: str, **settings: Any) -> DynamoDBClient:
    return local_client(
        endpoint,
        cursor_secret=SECRET,
        transport=transport,
        table_prefix=prefix,
        **settings,
    )


@pytest.fixture(scope="module")
def tables(boto: Any) -> Iterator[str]:
    """``dev-<logical>`` and ``prod-<logical>`` (keys pk, sk), made with plain boto3; tests
    keep to partitions of their own."""
    logical = unique("prefixed")
    for prefix in ("dev-", "prod-"):
        create_table(boto, prefix + logical, ("pk", "S"), ("sk", "S"))
    yield logical
    for prefix in ("dev-", "prod-"):
        boto.delete_table(TableName=prefix + logical)


@pytest.fixture
def env(endpoint: str, client_transport: str, boto: Any, tables: str) -> Iterator[Env]:
    dev = prefixed_client(endpoint, client_transport, "dev-")
    prod = prefixed_client(endpoint, client_transport, "prod-")
    yield Env(dev, prod, tables, boto)
    dev.sync_close()
    prod.sync_close()


@pytest.fixture(params=["async", "sync"])
def api(request: pytest.FixtureRequest, env: Env) -> Api:
    """The ``dev`` client, through the async or the sync API."""
    return Api(env.dev, request.param)


def partition() -> str:
    return f"p-{uuid.uuid4().hex[:8]}"


async def test_items_go_to_the_prefixed_table_only(api: Api, env: Env) -> None:
    pk, table = partition(), env.logical
    await api.put_item(table, {"pk": pk, "sk": "a", "n": 1})
    assert await api.get_item(table, {"pk": pk, "sk": "a"}) == {"pk": pk, "sk": "a", "n": 1}
    assert env.stored("dev-", pk=pk, sk="a") is not None
    assert env.stored("prod-", pk=pk, sk="a") is None
    new = await api.update_item(table, {"pk": pk, "sk": "a"}, atomic=[Attr("n").add(1)])
    assert new["n"] == 2
    await api.delete_item(table, {"pk": pk, "sk": "a"}, condition=Attr("n") == 2)
    assert env.stored("dev-", pk=pk, sk="a") is None


async def test_two_prefixes_on_one_server_do_not_see_each_others_items(api: Api, env: Env) -> None:
    pk, table = partition(), env.logical
    prod = Api(env.prod, api.mode)
    await api.put_item(table, {"pk": pk, "sk": "a", "env": "dev"})
    await prod.put_item(table, {"pk": pk, "sk": "a", "env": "prod"})
    await prod.put_item(table, {"pk": pk, "sk": "b", "env": "prod"})
    assert (await api.get_item(table, {"pk": pk, "sk": "a"}))["env"] == "dev"
    assert (await prod.get_item(table, {"pk": pk, "sk": "a"}))["env"] == "prod"
    where = Attr("pk") == pk
    assert [i["sk"] for i in await api.query(table, where).all()] == ["a"]
    assert [i["sk"] for i in await prod.query(table, where).all()] == ["a", "b"]
    assert await api.count(table, where) == 1
    assert await prod.count(table, where) == 2
    scanned = await prod.scan(table, filter_expression=where).all()
    assert {i["env"] for i in scanned} == {"prod"}


async def test_pages_follow_their_cursor_and_a_cursor_of_another_prefix_is_refused(
    api: Api, env: Env
) -> None:
    pk, table = partition(), env.logical
    prod = Api(env.prod, api.mode)
    for n in range(5):
        await api.put_item(table, {"pk": pk, "sk": f"{n}"})
        await prod.put_item(table, {"pk": pk, "sk": f"{n}"})
    where = Attr("pk") == pk
    first = await api.query(table, where).page(2)
    assert [i["sk"] for i in first.items] == ["0", "1"]
    assert first.next_cursor is not None
    second = await api.query(table, where).page(2, first.next_cursor)
    assert [i["sk"] for i in second.items] == ["2", "3"]
    # The same query under "prod-" reads another table: the cursor is refused.
    with pytest.raises(InvalidCursorException):
        await prod.query(table, where).page(2, first.next_cursor)
    # Lazy paging (Limit 2, three requests) reads every item of its own table.
    assert len(await api.query(table, where, page_size=2).all()) == 5
    result = api.query(table, where, limit=3)
    assert len(await result.all()) == 3
    assert result.last_evaluated_key == {"pk": pk, "sk": "2"}


async def test_a_batch_writer_and_batch_write_store_in_the_prefixed_table(
    api: Api, env: Env
) -> None:
    pk, table = partition(), env.logical
    async with api.batch_writer(table) as batch:
        for n in range(30):
            await batch.put({"pk": pk, "sk": f"w{n:02d}"})
    await api.batch_write(table, delete_keys=[{"pk": pk, "sk": f"w{n:02d}"} for n in range(10)])
    await api.batch_write(table, put_items=[{"pk": pk, "sk": "extra"}])
    assert await api.count(table, Attr("pk") == pk) == 21
    assert await Api(env.prod, api.mode).count(table, Attr("pk") == pk) == 0
    assert env.stored("dev-", pk=pk, sk="w29") is not None


@pytest.fixture
def proxy(endpoint: str) -> Iterator[FaultProxy]:
    with FaultProxy(endpoint, seed=14) as running:
        yield running
        assert not running.errors, running.errors


@pytest.fixture
def faulty(proxy: FaultProxy, client_transport: str) -> Iterator[DynamoDBClient]:
    """The ``dev-`` client, through the fault proxy."""
    client = prefixed_client(proxy.url, client_transport, "dev-")
    client.batch_retry = FAST
    yield client
    client.sync_close()


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_unprocessed_batch_answers_are_retried_by_their_own_names(
    mode: str, env: Env, proxy: FaultProxy, faulty: DynamoDBClient
) -> None:
    pk, table = partition(), env.logical
    api = Api(faulty, mode)
    faulty.batch_retry = RetryPolicy(base=0.001, cap=0.01)
    proxy.force("half_unprocessed", ["BatchWriteItem"], times=3)
    proxy.force("half_unprocessed", ["BatchGetItem"], times=3)
    keys = [{"pk": pk, "sk": f"{n:02d}"} for n in range(40)]
    await api.batch_write(table, put_items=keys)
    assert len(await api.batch_get(table, keys)) == 40
    assert proxy.counts["half_unprocessed"] == 6  # both batches were left half done
    assert env.stored("dev-", pk=pk, sk="39") is not None


@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_batch_errors_hand_back_actions_that_resend_through_the_same_client(
    mode: str, env: Env, proxy: FaultProxy, faulty: DynamoDBClient
) -> None:
    pk, table = partition(), env.logical
    api = Api(faulty, mode)
    keys = [{"pk": pk, "sk": f"{n:02d}"} for n in range(5)]
    rule = proxy.force("half_unprocessed", ["BatchWriteItem"], fraction=1.0)
    with pytest.raises(BatchWriteError) as written:
        await api.batch_write(table, put_items=keys)
    assert written.value.unprocessed == [Put(table, key) for key in keys]
    proxy.rules.remove(rule)
    async with api.batch_writer() as batch:  # prefixed once: "dev-", not "dev-dev-"
        for action in written.value.unprocessed:
            await batch.put(action.item, table=action.table)
    assert env.stored("dev-", pk=pk, sk="04") is not None

    rule = proxy.force("half_unprocessed", ["BatchGetItem"], fraction=1.0)
    with pytest.raises(BatchGetError) as read:
        await api.batch_get(table, keys)
    assert read.value.unprocessed == [Get(table, key) for key in keys]
    proxy.rules.remove(rule)
    (logical,) = {get.table for get in read.value.unprocessed}
    assert await api.batch_get(logical, [get.key for get in read.value.unprocessed]) == keys


@pytest.mark.needs("transactions")
async def test_transactions_name_their_tables_as_the_caller_did(api: Api, env: Env) -> None:
    pk, table = partition(), env.logical
    await api.put_item(table, {"pk": pk, "sk": "gone"})
    await api.put_item(table, {"pk": pk, "sk": "kept", "n": 1})
    async with api.transaction() as tx:
        tx.put(table, {"pk": pk, "sk": "new"})
        tx.update(table, {"pk": pk, "sk": "kept"}, atomic=[Attr("n").add(1)])
        tx.delete(table, {"pk": pk, "sk": "gone"})
    assert env.stored("dev-", pk=pk, sk="new") is not None
    assert env.stored("dev-", pk=pk, sk="gone") is None
    got = await api.transact_get([Get(table, {"pk": pk, "sk": s}) for s in ("new", "kept", "x")])
    assert got == [{"pk": pk, "sk": "new"}, {"pk": pk, "sk": "kept", "n": 2}, None]
    # A cancelled transaction reports one reason per action, as without a prefix.
    with pytest.raises(TransactionCanceledException) as caught:
        await api.transact_write(
            [
                Put(table, {"pk": pk, "sk": "other"}),
                ConditionCheck(table, {"pk": pk, "sk": "kept"}, Attr("n") == 99),
                Update(table, {"pk": pk, "sk": "new"}, atomic=[Attr("n").add(1)]),
                Delete(table, {"pk": pk, "sk": "gone"}),
            ]
        )
    codes = [reason.code for reason in caught.value.reasons]
    assert codes == [None, "ConditionalCheckFailed", None, None]
    assert env.stored("dev-", pk=pk, sk="other") is None
    assert env.stored("prod-", pk=pk, sk="new") is None
    # A model's actions name its declared table too.
    notes = bind(Note, table, client=env.dev)
    async with api.transaction() as tx:
        tx.put(notes(pk=pk, sk="note"))
        tx.condition_check(notes, {"pk": pk, "sk": "kept"}, Attr("n") == 2)
    assert env.stored("dev-", pk=pk, sk="note") is not None


class Note(Model):
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    text: str = ""


async def test_a_model_names_its_table_as_declared(api: Api, env: Env) -> None:
    notes = bind(Note, env.logical, client=env.dev)
    pk = partition()
    await api.on(notes(pk=pk, sk="a", text="hello")).save()
    assert env.stored("dev-", pk=pk, sk="a") == {
        "pk": {"S": pk},
        "sk": {"S": "a"},
        "text": {"S": "hello"},
    }
    got = await api.on(notes).get(pk=pk, sk="a")
    assert got is not None and got.text == "hello"
    assert [n.sk for n in await api.on(notes).query(partition_key=pk).all()] == ["a"]
    page = await api.on(notes).query(partition_key=pk).page(1)
    assert page.next_cursor is None and len(page.items) == 1
    assert await api.on(notes).batch_get([{"pk": pk, "sk": "a"}]) == [got]
    async with api.batch_writer() as batch:
        await batch.put(notes(pk=pk, sk="b"))
    assert env.stored("dev-", pk=pk, sk="b") is not None
    await api.on(got).delete()
    assert env.stored("dev-", pk=pk, sk="a") is None
    assert await api.on(bind(Note, env.logical, client=env.prod)).get(pk=pk, sk="b") is None


async def test_tables_are_made_described_and_deleted_under_the_prefix(
    api: Api, env: Env, endpoint: str, client_transport: str
) -> None:
    name = unique("made")
    await api.create_table(name, partition_key=("id", "S"))
    assert env.boto.describe_table(TableName="dev-" + name)["Table"]["TableStatus"] == "ACTIVE"
    assert await api.table_exists(name)
    assert not await Api(env.prod, api.mode).table_exists(name)
    await api.wait_for_table(name)
    await api.put_item(name, {"id": "x"})
    await api.delete_table(name)
    assert not await api.table_exists(name)
    with pytest.raises(env.boto.exceptions.ResourceNotFoundException):
        env.boto.describe_table(TableName="dev-" + name)
    with pytest.raises(ResourceNotFoundException):
        await api.get_item(name, {"id": "x"})


async def test_a_model_makes_and_deletes_its_prefixed_table(api: Api, env: Env) -> None:
    made = bind(Note, unique("notes"), client=env.dev)
    name = made.model_config.get("table")
    await api.on(made).create_table()
    assert env.boto.describe_table(TableName=f"dev-{name}")["Table"]["TableStatus"] == "ACTIVE"
    assert await api.on(made).table_exists()
    await api.on(made(pk="a", sk="b")).save()
    await api.on(made).delete_table()
    assert not await api.on(made).table_exists()


@pytest.mark.needs("ttl")
async def test_ttl_is_set_on_the_prefixed_table(api: Api, env: Env) -> None:
    name = unique("ttl")
    await api.create_table(name, partition_key=("id", "S"), ttl_attribute="expires")
    described = env.boto.describe_time_to_live(TableName="dev-" + name)
    assert described["TimeToLiveDescription"]["AttributeName"] == "expires"
    await api.delete_table(name, wait=False)


@pytest.mark.needs("partiql")
async def test_partiql_statements_are_sent_as_written(api: Api, env: Env) -> None:
    pk = partition()
    await api.put_item(env.logical, {"pk": pk, "sk": "a"})
    # The statement names the table DynamoDB knows, prefix included: it is not rewritten.
    rows = await api.execute_statement(f'SELECT * FROM "dev-{env.logical}" WHERE pk = ?', [pk])
    assert rows == [{"pk": pk, "sk": "a"}]
    with pytest.raises(ResourceNotFoundException):
        await api.execute_statement(f'SELECT * FROM "{env.logical}" WHERE pk = ?', [pk])
