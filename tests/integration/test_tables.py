"""Table management through both APIs: create (keys, indexes, TTL), exists, delete, wait."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from pydynox import (
    ConnectionException,
    DynamoDBClient,
    IndexSpec,
    ResourceInUseException,
    ResourceNotFoundException,
    ValidationException,
    WaitTimeoutException,
)
from pydynox.testing import local_client

from ..canned import Canned, Reply
from .api import Api
from .tables import unique

pytestmark = pytest.mark.both_transports


def by_name(indexes: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {index["IndexName"]: index for index in indexes}


@pytest.mark.needs("ttl")
async def test_create_table_with_keys_indexes_and_ttl(api: Api, boto: Any) -> None:
    name = unique("full")
    await api.create_table(
        name,
        partition_key=("pk", "S"),
        sort_key=("sk", "N"),
        global_indexes=[
            IndexSpec("by-email", partition_key=("email", "S")),
            IndexSpec("by-day", partition_key=("day", "S"), sort_key=("at", "N"), projection=["x"]),
        ],
        local_indexes=[IndexSpec("by-blob", sort_key=("blob", "B"), projection="KEYS_ONLY")],
        ttl_attribute="expires_at",
    )
    try:
        table = boto.describe_table(TableName=name)["Table"]
        assert table["TableStatus"] == "ACTIVE"
        assert table["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ]
        attributes = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
        assert attributes == {
            "pk": "S",
            "sk": "N",
            "email": "S",
            "day": "S",
            "at": "N",
            "blob": "B",
        }
        assert len(table["AttributeDefinitions"]) == 6
        assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"

        gsis = by_name(table["GlobalSecondaryIndexes"])
        assert gsis.keys() == {"by-email", "by-day"}
        assert gsis["by-email"]["KeySchema"] == [{"AttributeName": "email", "KeyType": "HASH"}]
        assert gsis["by-email"]["Projection"] == {"ProjectionType": "ALL"}
        assert gsis["by-day"]["KeySchema"] == [
            {"AttributeName": "day", "KeyType": "HASH"},
            {"AttributeName": "at", "KeyType": "RANGE"},
        ]
        assert gsis["by-day"]["Projection"] == {
            "ProjectionType": "INCLUDE",
            "NonKeyAttributes": ["x"],
        }

        lsis = by_name(table["LocalSecondaryIndexes"])
        assert lsis.keys() == {"by-blob"}
        assert lsis["by-blob"]["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "blob", "KeyType": "RANGE"},
        ]
        assert lsis["by-blob"]["Projection"] == {"ProjectionType": "KEYS_ONLY"}

        ttl = boto.describe_time_to_live(TableName=name)["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}
    finally:
        await api.delete_table(name)


async def test_create_table_defaults_and_provisioned(api: Api, boto: Any) -> None:
    plain, provisioned = unique("plain"), unique("prov")
    await api.create_table(plain)
    await api.create_table(
        provisioned,
        partition_key=("id", "N"),
        global_indexes=[IndexSpec("by-x", partition_key=("x", "S"))],
        billing_mode="PROVISIONED",
        read_capacity=3,
        write_capacity=4,
    )
    try:
        table = boto.describe_table(TableName=plain)["Table"]
        assert table["KeySchema"] == [{"AttributeName": "pk", "KeyType": "HASH"}]
        assert table["AttributeDefinitions"] == [{"AttributeName": "pk", "AttributeType": "S"}]
        assert not table.get("GlobalSecondaryIndexes")  # moto lists an empty one
        ttl = boto.describe_time_to_live(TableName=plain)["TimeToLiveDescription"]
        assert ttl["TimeToLiveStatus"] == "DISABLED"

        table = boto.describe_table(TableName=provisioned)["Table"]
        assert table["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
        throughput = table["ProvisionedThroughput"]
        assert (throughput["ReadCapacityUnits"], throughput["WriteCapacityUnits"]) == (3, 4)
        gsi = table["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"]
        assert (gsi["ReadCapacityUnits"], gsi["WriteCapacityUnits"]) == (3, 4)
    finally:
        await api.delete_table(plain)
        await api.delete_table(provisioned)


async def test_table_exists_and_delete(api: Api) -> None:
    name = unique("life")
    assert await api.table_exists(name) is False
    await api.create_table(name, partition_key=("id", "S"))
    assert await api.table_exists(name) is True
    await api.put_item(name, {"id": "a"})
    assert await api.delete_table(name) is None  # waits until it is gone
    assert await api.table_exists(name) is False
    with pytest.raises(ResourceNotFoundException):
        await api.get_item(name, {"id": "a"})


async def test_creating_an_existing_table_is_refused(api: Api, table: str) -> None:
    with pytest.raises(ResourceInUseException) as caught:
        await api.create_table(table, partition_key=("pk", "S"), sort_key=("sk", "S"))
    assert caught.value.code == "ResourceInUseException"
    assert caught.value.status == 400  # answered by the server


async def test_deleting_a_missing_table_is_refused(api: Api) -> None:
    with pytest.raises(ResourceNotFoundException) as caught:
        await api.delete_table(unique("missing"))
    assert caught.value.status == 400  # answered by the server


async def test_create_without_waiting_then_wait_for_table(api: Api, boto: Any) -> None:
    name = unique("later")
    await api.create_table(name, partition_key=("id", "S"), wait=False)
    try:
        assert await api.wait_for_table(name, timeout=30) is None
        assert boto.describe_table(TableName=name)["Table"]["TableStatus"] == "ACTIVE"
    finally:
        await api.delete_table(name, wait=False)


async def test_wait_for_a_missing_table_times_out(api: Api) -> None:
    with pytest.raises(WaitTimeoutException, match=r"not ACTIVE .* \(last seen: not found\)"):
        await api.wait_for_table(unique("never"), timeout=0.2)


# -- waits that time out: a server of our own keeps a table CREATING or DELETING ----------------


def described(status: str, index_status: str = "ACTIVE") -> dict[str, Any]:
    return {
        "Table": {
            "TableName": "slow",
            "TableStatus": status,
            "KeySchema": [{"AttributeName": "pk", "KeyType": "HASH"}],
            "GlobalSecondaryIndexes": [
                {
                    "IndexName": "by-email",
                    "KeySchema": [{"AttributeName": "email", "KeyType": "HASH"}],
                    "IndexStatus": index_status,
                }
            ],
        }
    }


NOT_FOUND = Reply(
    400,
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found",
    },
)


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=50) as server:
        yield server


@pytest.fixture(params=["async", "sync"])
def slow(request: pytest.FixtureRequest, canned: Canned) -> Iterator[Api]:
    """The API over a client of the canned server (no endpoint: it runs once, not per
    server), one attempt per request."""
    client = local_client(canned.url, max_attempts=1)
    yield Api(client, request.param)
    client.sync_close()


async def test_wait_for_a_table_that_stays_creating_times_out(slow: Api, canned: Canned) -> None:
    canned.answer(DescribeTable=described("CREATING"))
    started = time.monotonic()
    with pytest.raises(WaitTimeoutException, match="last seen: CREATING") as caught:
        await slow.wait_for_table("slow", timeout=0.3)
    assert 0.3 <= time.monotonic() - started < 2
    assert not isinstance(caught.value, ResourceNotFoundException)  # the table exists
    assert set(canned.ops()) == {"DescribeTable"} and len(canned.ops()) >= 2

    # An index still being built keeps the wait going too; the message says which.
    canned.answer(DescribeTable=described("ACTIVE", "CREATING"))
    with pytest.raises(WaitTimeoutException, match="index by-email CREATING"):
        await slow.wait_for_table("slow", timeout=0.2)


async def test_create_table_waiting_times_out_the_same_way(slow: Api, canned: Canned) -> None:
    canned.answer(CreateTable={}, DescribeTable=described("CREATING"))
    with pytest.raises(WaitTimeoutException, match="not ACTIVE"):
        await slow.create_table("slow", partition_key=("pk", "S"), timeout=0.2)
    assert canned.ops()[0] == "CreateTable"


async def test_wait_for_table_returns_once_active(slow: Api, canned: Canned) -> None:
    answers = [described("CREATING"), described("ACTIVE", "CREATING"), described("ACTIVE")]
    canned.answer(DescribeTable=lambda request: answers.pop(0))
    assert await slow.wait_for_table("slow", timeout=30) is None
    assert canned.ops() == ["DescribeTable"] * 3


async def test_delete_table_waiting_for_a_table_that_stays_deleting_times_out(
    slow: Api, canned: Canned
) -> None:
    canned.answer(DeleteTable={}, DescribeTable=described("DELETING"))
    with pytest.raises(
        WaitTimeoutException, match=r"not gone .* \(last seen: DELETING\)"
    ) as caught:
        await slow.delete_table("slow", wait=True, timeout=0.2)
    assert not isinstance(caught.value, ValidationException)
    assert canned.ops()[0] == "DeleteTable"

    # Once DescribeTable no longer finds it, the wait ends.
    answers: list[Any] = [described("DELETING"), NOT_FOUND]
    canned.answer(DeleteTable={}, DescribeTable=lambda request: answers.pop(0))
    assert await slow.delete_table("slow", wait=True, timeout=30) is None
    assert canned.ops() == ["DeleteTable", "DescribeTable", "DescribeTable"]


@pytest.mark.parametrize(
    "spec",
    [
        pytest.param({"partition_key": ("id", "X")}, id="key-type-X"),
        pytest.param({"partition_key": "id"}, id="key-not-a-pair"),
        pytest.param({"sort_key": ("sk", "BOOL")}, id="sort-key-type-BOOL"),
        pytest.param(
            {"local_indexes": [IndexSpec("by-age", sort_key=("age", "N"))]},
            id="local-index-without-table-sort-key",
        ),
        pytest.param(
            {"sort_key": ("sk", "S"), "local_indexes": [IndexSpec("by-age")]},
            id="local-index-without-sort-key",
        ),
        pytest.param(
            {"global_indexes": [IndexSpec("by-email", sort_key=("email", "S"))]},
            id="global-index-without-partition-key",
        ),
        pytest.param({"billing_mode": "PROVISIONED"}, id="provisioned-without-capacities"),
        pytest.param(
            {"billing_mode": "PROVISIONED", "read_capacity": 5}, id="provisioned-without-write"
        ),
        pytest.param(
            {"global_indexes": [IndexSpec("by-pk", partition_key=("pk", "N"))]},
            id="one-attribute-two-types",
        ),
        pytest.param(
            {"global_indexes": [IndexSpec("x", partition_key=("email", "S"))]},
            id="index-name-too-short",
        ),
        pytest.param(
            {"global_indexes": [IndexSpec("by-e", partition_key=("e", "S"), projection="SOME")]},
            id="unknown-projection",
        ),
    ],
)
async def test_bad_table_specs_are_refused_before_sending(
    api: Api, dead_client: DynamoDBClient, spec: dict[str, Any]
) -> None:
    with pytest.raises(ValidationException):
        await Api(dead_client, api.mode).create_table("users", **spec)


async def test_a_good_spec_is_sent(api: Api, dead_client: DynamoDBClient) -> None:
    """The counterpart of the test above: the same client does send a valid request."""
    with pytest.raises(ConnectionException):
        await Api(dead_client, api.mode).create_table(
            "users",
            sort_key=("sk", "S"),
            local_indexes=[IndexSpec("by-age", sort_key=("age", "N"))],
            billing_mode="PROVISIONED",
            read_capacity=1,
            write_capacity=1,
        )
