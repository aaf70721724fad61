"""Global secondary indexes whose partition and sort keys have several attributes (DynamoDB's
multi-attribute keys, November 2025: up to four each, in order): the CreateTable request
``IndexSpec`` makes, and the specs refused before anything is sent.

The request is checked as built (``create_table_request``) and as the client sends it, to a
canned server that records each request (tests/canned.py), through the async and the sync
API. The integration tests (tests/integration/test_multikey.py) create and query such an
index on the local servers.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from pydynox import DynamoDBClient, IndexSpec, ValidationException
from pydynox._protocol._tables import MAX_KEY_ATTRIBUTES, create_table_request
from pydynox.testing import local_client

from ..canned import Canned

BY_STATUS = IndexSpec(
    "by-status",
    partition_key=[("tenant", "S"), ("status", "S")],
    sort_key=[("day", "S"), ("n", "N")],
)


def request(
    global_indexes: Any = (),
    local_indexes: Any = (),
    partition_key: Any = ("pk", "S"),
    sort_key: Any = ("sk", "S"),
    billing_mode: Any = "PAY_PER_REQUEST",
    capacity: int | None = None,
) -> dict[str, Any]:
    return create_table_request(
        "orders",
        partition_key,
        sort_key,
        global_indexes,
        local_indexes,
        billing_mode,
        capacity,
        capacity,
    )


def definitions(params: dict[str, Any]) -> list[tuple[str, str]]:
    return [(d["AttributeName"], d["AttributeType"]) for d in params["AttributeDefinitions"]]


def schema(*parts: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": name, "KeyType": role} for name, role in parts]


# -- the request ----------------------------------------------------------------------------


def test_a_multi_attribute_index_lists_its_hash_then_its_range_attributes_in_order() -> None:
    params = request([BY_STATUS])
    (gsi,) = params["GlobalSecondaryIndexes"]
    assert gsi == {
        "IndexName": "by-status",
        "KeySchema": schema(
            ("tenant", "HASH"), ("status", "HASH"), ("day", "RANGE"), ("n", "RANGE")
        ),
        "Projection": {"ProjectionType": "ALL"},
    }
    assert params["KeySchema"] == schema(("pk", "HASH"), ("sk", "RANGE"))
    assert definitions(params) == [
        ("pk", "S"),
        ("sk", "S"),
        ("tenant", "S"),
        ("status", "S"),
        ("day", "S"),
        ("n", "N"),
    ]


def test_an_attribute_of_several_keys_is_defined_once() -> None:
    shared = IndexSpec(
        "by-owner", partition_key=[("pk", "S"), ("owner", "S")], sort_key=("day", "S")
    )
    params = request([BY_STATUS, shared])
    assert definitions(params) == [
        ("pk", "S"),
        ("sk", "S"),
        ("tenant", "S"),
        ("status", "S"),
        ("day", "S"),
        ("n", "N"),
        ("owner", "S"),
    ]
    assert params["GlobalSecondaryIndexes"][1]["KeySchema"] == schema(
        ("pk", "HASH"), ("owner", "HASH"), ("day", "RANGE")
    )


def test_four_attributes_each_is_the_most() -> None:
    four = IndexSpec(
        "by-four",
        partition_key=[(f"p{i}", "S") for i in range(MAX_KEY_ATTRIBUTES)],
        sort_key=[(f"s{i}", "N") for i in range(MAX_KEY_ATTRIBUTES)],
    )
    key = request([four])["GlobalSecondaryIndexes"][0]["KeySchema"]
    assert [part["KeyType"] for part in key] == ["HASH"] * 4 + ["RANGE"] * 4
    assert [part["AttributeName"] for part in key] == [
        *(f"p{i}" for i in range(4)),
        *(f"s{i}" for i in range(4)),
    ]


def test_the_single_pair_form_still_makes_the_same_request() -> None:
    pair = IndexSpec("by-day", partition_key=("day", "S"), sort_key=("at", "N"))
    listed = IndexSpec("by-day", partition_key=[("day", "S")], sort_key=(("at", "N"),))
    assert request([pair]) == request([listed])
    assert request([pair])["GlobalSecondaryIndexes"][0]["KeySchema"] == schema(
        ("day", "HASH"), ("at", "RANGE")
    )
    assert pair.partition_keys == listed.partition_keys == (("day", "S"),)
    assert pair.sort_keys == listed.sort_keys == (("at", "N"),)
    assert IndexSpec("by-x", partition_key=("x", "S")).sort_keys == ()


def test_the_attributes_are_listed_in_order() -> None:
    assert BY_STATUS.partition_keys == (("tenant", "S"), ("status", "S"))
    assert BY_STATUS.sort_keys == (("day", "S"), ("n", "N"))


def test_a_provisioned_table_gives_the_index_its_throughput() -> None:
    params = request([BY_STATUS], billing_mode="PROVISIONED", capacity=3)
    throughput = {"ReadCapacityUnits": 3, "WriteCapacityUnits": 3}
    assert params["GlobalSecondaryIndexes"][0]["ProvisionedThroughput"] == throughput


def test_a_local_index_may_name_its_one_sort_attribute_in_a_sequence() -> None:
    listed = IndexSpec("by-age", partition_key=[("pk", "S")], sort_key=[("age", "N")])
    pair = IndexSpec("by-age", sort_key=("age", "N"))
    assert request(local_indexes=[listed]) == request(local_indexes=[pair])


# -- refused before sending -----------------------------------------------------------------

FIVE = [(f"a{i}", "S") for i in range(5)]

BAD_GLOBAL = [
    pytest.param(IndexSpec("by-x", partition_key=FIVE), "1 to 4 attributes, not 5", id="5-hash"),
    pytest.param(
        IndexSpec("by-x", partition_key=("p", "S"), sort_key=FIVE),
        "1 to 4 attributes, not 5",
        id="5-range",
    ),
    pytest.param(IndexSpec("by-x", partition_key=[]), "1 to 4 attributes, not 0", id="no-hash"),
    pytest.param(
        IndexSpec("by-x", partition_key=("p", "S"), sort_key=()),
        "1 to 4 attributes, not 0",
        id="no-range",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=[("a", "S"), ("a", "S")]),
        "names the attribute 'a' twice",
        id="twice-in-hash",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=("a", "S"), sort_key=[("b", "S"), ("b", "N")]),
        "names the attribute 'b' twice",
        id="twice-in-range",
    ),
    pytest.param(
        IndexSpec(
            "by-x", partition_key=[("a", "S"), ("b", "S")], sort_key=[("c", "S"), ("a", "S")]
        ),
        "the key of index 'by-x' names the attribute 'a' twice",
        id="hash-and-range",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=("a", "S"), sort_key=("a", "S")),
        "names the attribute 'a' twice",
        id="pair-hash-and-range",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=[("a", "S"), ("b", "X")]),
        r"each attribute of partition_key of index 'by-x' must be \(name",
        id="bad-type",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=[("a", "S"), "b"]),
        "each attribute of partition_key",
        id="bare-name",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=["a", "S"]),  # type: ignore[arg-type]
        "each attribute of partition_key",
        id="list-not-a-pair",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=[("a", "S")], sort_key="day"),  # type: ignore[arg-type]
        r"sort_key of index 'by-x' must be \(name",
        id="string",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=[("sk", "N"), ("a", "S")]),
        "'sk' is declared with two key types",
        id="type-differs-from-table-key",
    ),
    pytest.param(
        IndexSpec("by-x", sort_key=[("a", "S"), ("b", "S")]),
        "needs a partition_key",
        id="no-partition-key",
    ),
]


@pytest.mark.parametrize(("index", "message"), BAD_GLOBAL)
def test_a_bad_global_index_is_refused(index: IndexSpec, message: str) -> None:
    with pytest.raises(ValidationException, match=message):
        request([index])


def test_two_indexes_giving_one_attribute_two_types_are_refused() -> None:
    other = IndexSpec("by-n", partition_key=[("n", "S"), ("m", "S")])
    with pytest.raises(ValidationException, match="'n' is declared with two key types"):
        request([BY_STATUS, other])


BAD_LOCAL = [
    pytest.param(
        IndexSpec("by-x", sort_key=[("a", "S"), ("b", "S")]),
        "takes one sort key attribute, not 2 .*for global secondary indexes only",
        id="two-range",
    ),
    pytest.param(
        IndexSpec("by-x", partition_key=[("pk", "S"), ("a", "S")], sort_key=("b", "S")),
        "shares the table's partition key",
        id="two-hash",
    ),
    pytest.param(
        IndexSpec("by-x", sort_key=[]),
        "1 to 4 attributes, not 0",
        id="no-range",
    ),
]


@pytest.mark.parametrize(("index", "message"), BAD_LOCAL)
def test_a_local_index_keeps_one_sort_attribute(index: IndexSpec, message: str) -> None:
    with pytest.raises(ValidationException, match=message):
        request(local_indexes=[index])


@pytest.mark.parametrize("which", ["partition_key", "sort_key"])
def test_a_table_key_of_several_attributes_is_refused_naming_global_indexes(which: str) -> None:
    several = [("a", "S"), ("b", "S")]
    with pytest.raises(ValidationException, match="for a global secondary index only"):
        request(**{which: several})


# -- through the client ---------------------------------------------------------------------


@pytest.fixture
def canned() -> Iterator[Canned]:
    with Canned() as server:
        server.answer(CreateTable={"TableDescription": {"TableStatus": "CREATING"}})
        yield server


@pytest.fixture
def client(canned: Canned) -> DynamoDBClient:
    return local_client(canned.url, max_attempts=1)


def create(client: DynamoDBClient, mode: str, **kwargs: Any) -> None:
    """``create_table("orders", ...)`` through the async or the sync API, closing after."""
    if mode == "sync":
        try:
            client.sync_create_table("orders", wait=False, **kwargs)
        finally:
            client.sync_close()
        return

    async def run() -> None:
        async with client:
            await client.create_table("orders", wait=False, **kwargs)

    asyncio.run(run())


@pytest.mark.parametrize("mode", ["async", "sync"])
def test_the_client_sends_the_multi_attribute_index(
    canned: Canned, client: DynamoDBClient, mode: str
) -> None:
    create(client, mode, sort_key=("sk", "S"), global_indexes=[BY_STATUS])
    (sent,) = canned.requests
    assert json.loads(sent.body) == request([BY_STATUS])


BAD_SPECS = [
    pytest.param({"global_indexes": [IndexSpec("by-x", partition_key=FIVE)]}, id="5-hash"),
    pytest.param(
        {"global_indexes": [IndexSpec("by-x", partition_key=("a", "S"), sort_key=("a", "S"))]},
        id="hash-and-range",
    ),
    pytest.param({"local_indexes": [IndexSpec("by-x", sort_key=FIVE[:2])]}, id="local-2-range"),
    pytest.param({"partition_key": FIVE[:2]}, id="table-2-hash"),
]


@pytest.mark.parametrize("mode", ["async", "sync"])
@pytest.mark.parametrize("spec", BAD_SPECS)
def test_the_client_sends_nothing_for_a_bad_spec(
    canned: Canned, client: DynamoDBClient, mode: str, spec: dict[str, Any]
) -> None:
    with pytest.raises(ValidationException):
        create(client, mode, **{"sort_key": ("sk", "S"), **spec})
    assert canned.requests == []
