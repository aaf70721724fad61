"""batch_get, batch_write and the batch writers through both APIs, on a real server."""

from __future__ import annotations

import asyncio
import math
import random
from typing import Any

import pytest

from pydynox import (
    BatchGetError,
    BatchWriteError,
    Delete,
    DynamoDBClient,
    Get,
    Put,
    ResourceNotFoundException,
    SerializationException,
    ValidationException,
)

from .api import Api
from .tables import unique

pytestmark = pytest.mark.both_transports


def key(i: int) -> dict[str, str]:
    return {"id": f"item-{i:03d}"}


def item(i: int, **extra: Any) -> dict[str, Any]:
    return {**key(i), "n": i, **extra}


async def stored_ids(api: Api, table: str) -> list[str]:
    return sorted(found["id"] for found in await api.scan(table).all())


# -- batch_get ----------------------------------------------------------------------------


async def test_batch_get_over_100_keys_in_key_order(
    api: Api, client: DynamoDBClient, hash_table: str
) -> None:
    await client.batch_write(hash_table, put_items=[item(i) for i in range(150)])
    order = list(range(150))
    random.Random(7).shuffle(order)
    got = await api.batch_get(hash_table, [key(i) for i in order])
    assert got == [item(i) for i in order]


async def test_batch_get_collapses_duplicates_and_skips_missing(
    api: Api, client: DynamoDBClient, hash_table: str
) -> None:
    await client.batch_write(hash_table, put_items=[item(i) for i in range(5)])
    keys = [key(3), key(900), key(1), key(3), {"id": "item-001"}, key(901), key(4)]
    assert await api.batch_get(hash_table, keys) == [item(3), item(1), item(4)]
    assert await api.batch_get(hash_table, [key(900), key(901)]) == []


async def test_batch_get_of_no_keys_sends_nothing(api: Api, dead_client: DynamoDBClient) -> None:
    assert await Api(dead_client, api.mode).batch_get("users", []) == []
    assert await Api(dead_client, api.mode).batch_get("users", iter(())) == []


async def test_batch_get_with_consistent_read_and_composite_keys(api: Api, table: str) -> None:
    items = [{"pk": f"P{i % 2}", "sk": f"S{i}", "v": i} for i in range(6)]
    await api.batch_write(table, put_items=items)
    keys = [{"sk": "S4", "pk": "P0"}, {"pk": "P1", "sk": "S1"}, {"pk": "P1", "sk": "S4"}]
    assert await api.batch_get(table, keys, consistent_read=True) == [items[4], items[1]]


async def test_batch_get_on_a_missing_table_raises_batch_get_error(api: Api) -> None:
    with pytest.raises(BatchGetError) as caught:
        await api.batch_get("no-such-table", [key(1), key(2), key(1)])
    error = caught.value
    assert error.unprocessed == [Get("no-such-table", key(1)), Get("no-such-table", key(2))]
    assert error.items == []
    assert isinstance(error.__cause__, ResourceNotFoundException)
    assert "ResourceNotFoundException" in str(error)


# -- batch_write --------------------------------------------------------------------------


async def test_batch_write_puts_then_deletes(api: Api, hash_table: str) -> None:
    await api.batch_write(hash_table, put_items=[item(i) for i in range(60)])
    assert await api.count(hash_table) == 60
    assert await api.get_item(hash_table, key(59)) == item(59)
    await api.batch_write(hash_table, delete_keys=[key(i) for i in range(0, 60, 3)])
    left = [f"item-{i:03d}" for i in range(60) if i % 3]
    assert await stored_ids(api, hash_table) == left
    # puts and deletes in one call
    await api.batch_write(hash_table, put_items=[item(100)], delete_keys=[key(1), key(2)])
    assert await stored_ids(api, hash_table) == sorted([*left[2:], "item-100"])


async def test_batch_write_collapses_duplicate_keys_into_the_last_write(
    api: Api, table: str
) -> None:
    # moto refuses duplicate keys in one BatchWriteItem, so success proves the collapse
    await api.batch_write(
        table,
        put_items=[
            {"pk": "a", "sk": "1", "v": "first"},
            {"pk": "b", "sk": "1", "v": "kept"},
            {"sk": "1", "pk": "a", "v": "last"},
            {"pk": "c", "sk": "1", "v": "deleted later"},
        ],
        delete_keys=[{"pk": "c", "sk": "1"}, {"pk": "d", "sk": "1"}],
    )
    got = await api.scan(table).all()
    assert sorted(got, key=lambda found: found["pk"]) == [
        {"pk": "a", "sk": "1", "v": "last"},
        {"pk": "b", "sk": "1", "v": "kept"},
    ]


async def test_batch_write_with_nothing_to_write(api: Api, dead_client: DynamoDBClient) -> None:
    assert await Api(dead_client, api.mode).batch_write("users") is None


async def test_batch_write_refuses_bad_items_before_sending(
    api: Api, dead_client: DynamoDBClient
) -> None:
    dead = Api(dead_client, api.mode)
    with pytest.raises(SerializationException):
        await dead.batch_write("users", put_items=[{"id": "x", "bad": math.nan}])
    with pytest.raises(ValidationException):
        await dead.batch_write("users", delete_keys=[{"id": ""}])
    with pytest.raises(ValidationException):
        await dead.batch_write("users", put_items=["not a mapping"])


async def test_batch_write_item_without_its_key_is_refused(api: Api, hash_table: str) -> None:
    with pytest.raises(ValidationException, match="lacks its key"):
        await api.batch_write(hash_table, put_items=[item(1), {"n": 2}])
    assert await stored_ids(api, hash_table) == []


@pytest.fixture
async def vanished(api: Api, client: DynamoDBClient, boto: Any) -> str:
    """A table that vanished after the client learnt its key."""
    name = unique("gone")
    await client.create_table(name, partition_key=("id", "S"))
    await api.batch_write(name, put_items=[item(0)])  # the client now knows the key of `name`
    boto.delete_table(TableName=name)  # deleted behind the client's back
    return name


async def test_batch_write_error_lists_the_writes_not_made(api: Api, vanished: str) -> None:
    """A table that vanished after the client learnt its key: BatchWriteError."""
    with pytest.raises(BatchWriteError) as caught:
        await api.batch_write(vanished, put_items=[item(1), item(2)], delete_keys=[key(3)])
    error = caught.value
    assert error.unprocessed == [
        Put(vanished, item(1)),
        Put(vanished, item(2)),
        Delete(vanished, key(3)),
    ]
    assert isinstance(error.__cause__, ResourceNotFoundException)


async def test_batch_write_to_a_missing_table_raises_batch_write_error(api: Api) -> None:
    name = unique("missing")
    with pytest.raises(BatchWriteError) as caught:
        await api.batch_write(name, put_items=[item(1)], delete_keys=[key(2)])
    assert caught.value.unprocessed == [Put(name, item(1)), Delete(name, key(2))]
    assert isinstance(caught.value.__cause__, ResourceNotFoundException)


async def test_batch_writer_with_a_missing_table_lists_every_write_not_made(
    api: Api, hash_table: str
) -> None:
    missing = unique("missing")
    with pytest.raises(BatchWriteError) as caught:
        async with api.batch_writer(hash_table) as batch:
            batch.put(item(1))
            batch.put(item(2), table=missing)
    unprocessed = caught.value.unprocessed
    assert Put(missing, item(2)) in unprocessed
    # the other write was either made or is listed as not made: never lost unannounced
    written = await api.get_item(hash_table, key(1)) == item(1)
    assert written != (Put(hash_table, item(1)) in unprocessed)


async def wait_until_deleted(boto: Any, table: str) -> None:
    """DeleteTable only starts the deletion: DynamoDB refuses to create the same name
    (ResourceInUseException) until the table is gone."""
    while True:
        try:
            boto.describe_table(TableName=table)
        except boto.exceptions.ResourceNotFoundException:
            return
        await asyncio.sleep(0.02)


async def test_batch_write_after_a_table_is_recreated_with_another_key(
    api: Api, client: DynamoDBClient, boto: Any
) -> None:
    name = unique("again")
    await client.create_table(name, partition_key=("id", "S"))
    await api.batch_write(name, put_items=[item(0)])  # the client learns the key: id
    boto.delete_table(TableName=name)  # e.g. another process resets the table
    await wait_until_deleted(boto, name)
    await client.create_table(name, partition_key=("pk", "S"))
    try:
        await api.batch_write(name, put_items=[{"pk": "a", "v": 1}, {"pk": "a", "v": 2}])
        assert await api.get_item(name, {"pk": "a"}) == {"pk": "a", "v": 2}
    finally:
        await client.delete_table(name, wait=False)


# -- BatchWriter --------------------------------------------------------------------------


async def test_batch_writer_sends_each_full_batch_as_it_goes(api: Api, hash_table: str) -> None:
    async with api.batch_writer(hash_table) as batch:
        for i in range(24):
            await batch.put(item(i))
        assert batch.pending == 24
        assert await api.get_item(hash_table, key(0)) is None
        await batch.put(item(24))
        assert batch.pending == 0
        assert await api.get_item(hash_table, key(0)) == item(0)
        assert await api.count(hash_table) == 25  # before the block exits
        for i in range(25, 30):
            await batch.put(item(i))
        await batch.delete(key(0))
        assert batch.pending == 6
    assert await stored_ids(api, hash_table) == [f"item-{i:03d}" for i in range(1, 30)]


async def test_batch_writer_without_await_sends_at_exit(api: Api, hash_table: str) -> None:
    async with api.batch_writer(hash_table) as batch:
        for i in range(30):
            batch.put(item(i))  # not awaited: async buffers all, sync sends at the 25th
        assert batch.pending == (30 if api.mode == "async" else 5)
    assert batch.pending == 0
    assert await api.count(hash_table) == 30


async def test_batch_writer_flush_sends_now(api: Api, hash_table: str) -> None:
    async with api.batch_writer(hash_table) as batch:
        await batch.put(item(1))
        await batch.flush()
        assert batch.pending == 0
        assert await api.get_item(hash_table, key(1)) == item(1)


async def test_batch_writer_sends_buffered_items_when_the_block_raises(
    api: Api, hash_table: str
) -> None:
    with pytest.raises(RuntimeError, match="boom"):
        async with api.batch_writer(hash_table) as batch:
            for i in range(3):
                await batch.put(item(i))
            raise RuntimeError("boom")
    assert await stored_ids(api, hash_table) == ["item-000", "item-001", "item-002"]


async def test_batch_writer_collapses_duplicates_in_a_batch(api: Api, hash_table: str) -> None:
    async with api.batch_writer(hash_table) as batch:
        await batch.put(item(1, v="old"))
        await batch.put(item(1, v="new"))
        await batch.put(item(2))
        await batch.delete(key(2))
    assert await api.scan(hash_table).all() == [item(1, v="new")]


async def test_batch_writer_table_per_write(api: Api, table: str, hash_table: str) -> None:
    async with api.batch_writer() as batch:
        await batch.put(item(1), table=hash_table)
        await batch.put({"pk": "a", "sk": "b"}, table=table)
    assert await api.get_item(hash_table, key(1)) == item(1)
    assert await api.get_item(table, {"pk": "a", "sk": "b"}) == {"pk": "a", "sk": "b"}


async def test_batch_writer_without_a_table_refuses_writes(
    api: Api, dead_client: DynamoDBClient
) -> None:
    async with api.batch_writer(client=dead_client) as batch:
        with pytest.raises(ValidationException, match="no table"):
            await batch.put(item(1))
        with pytest.raises(ValidationException, match="no table"):
            await batch.delete(key(1))
        assert batch.pending == 0


async def test_batch_writer_refuses_a_bad_value_at_put_time(api: Api, hash_table: str) -> None:
    async with api.batch_writer(hash_table) as batch:
        await batch.put(item(1))
        with pytest.raises(SerializationException) as caught:
            await batch.put(item(2, score=math.nan))
        assert caught.value.path == "score"
        assert batch.pending == 1
    assert await stored_ids(api, hash_table) == ["item-001"]


async def test_batch_writer_refuses_a_bad_value_before_sending(
    api: Api, dead_client: DynamoDBClient
) -> None:
    async with api.batch_writer("users", client=dead_client) as batch:
        with pytest.raises(SerializationException):
            batch.put(item(2, score=math.inf))
        assert batch.pending == 0  # nothing buffered, so the exit sends nothing


async def test_batch_writer_to_a_vanished_table_raises_batch_write_error(
    api: Api, vanished: str
) -> None:
    with pytest.raises(BatchWriteError) as caught:
        async with api.batch_writer(vanished) as batch:
            batch.put(item(1))
            batch.delete(key(2))
    assert caught.value.unprocessed == [Put(vanished, item(1)), Delete(vanished, key(2))]
    assert isinstance(caught.value.__cause__, ResourceNotFoundException)
