"""A global index whose partition and sort keys have several attributes (DynamoDB's
multi-attribute keys, November 2025), created and queried through the client's async and
sync API: equality on every partition attribute, sort attributes from the left, a range
condition on the last one given; the queries DynamoDB refuses; paging over the index.

moto has the feature from 5.1.21 (getmoto/moto#9710); dynalite refuses such a KeySchema, so
these tests are skipped there (``needs("multi_attribute_keys")``, tests/local_servers.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pydynox import Attr, DynamoDBClient, IndexSpec, ValidationException

from .api import Api
from .tables import TablePool, unique

pytestmark = [pytest.mark.needs("multi_attribute_keys"), pytest.mark.both_transports]

BY_STATUS = IndexSpec(
    "by-status",
    partition_key=[("tenant", "S"), ("status", "S")],
    sort_key=[("day", "S"), ("n", "N")],
)
# The table's partition key is also the first attribute of this index's partition key.
BY_OWNER = IndexSpec(
    "by-owner",
    partition_key=[("pk", "S"), ("owner", "S")],
    sort_key=("n", "N"),
    projection="KEYS_ONLY",
)


def create(client: DynamoDBClient, name: str) -> None:
    client.sync_create_table(
        name, partition_key=("pk", "S"), sort_key=("sk", "S"), global_indexes=[BY_STATUS, BY_OWNER]
    )


@pytest.fixture
def orders(client: DynamoDBClient, table_pool: TablePool) -> Iterator[str]:
    """An empty table of its own, keyed pk/sk, with the two indexes above."""
    with table_pool.lend(
        "multikey: by-status, by-owner", lambda name: create(client, name)
    ) as name:
        yield name


def order(sk: str, status: str | None, day: str, n: int, tenant: str = "t1") -> dict[str, Any]:
    item = {"pk": "ORG#1", "sk": sk, "tenant": tenant, "day": day, "n": n, "owner": "ann"}
    if status is not None:
        item["status"] = status
    return item


ORDERS = [
    order("o1", "open", "2025-01-01", 3),
    order("o2", "open", "2025-01-01", 1),
    order("o3", "open", "2025-01-02", 2),
    order("o4", "done", "2025-01-01", 5),
    order("o5", "open", "2025-01-01", 7, tenant="t2"),
    order("o6", "open", "2025-01-03", 10),
    order("o7", None, "2025-01-01", 4),  # no status: not in by-status
    order("o8", "open", "2025-02-01", 20),
]

OPEN_T1 = (Attr("tenant") == "t1") & (Attr("status") == "open")


async def fill(api: Api, table: str) -> None:
    for item in ORDERS:
        await api.put_item(table, item)


def sks(items: list[dict[str, Any]]) -> list[str]:
    return [item["sk"] for item in items]


async def query(api: Api, table: str, condition: Any, **options: Any) -> list[str]:
    return sks(await api.query(table, condition, index_name="by-status", **options).all())


async def test_create_table_with_a_multi_attribute_index(api: Api, boto: Any) -> None:
    name = unique("multikey")
    await api.create_table(
        name, partition_key=("pk", "S"), sort_key=("sk", "S"), global_indexes=[BY_STATUS, BY_OWNER]
    )
    try:
        table = boto.describe_table(TableName=name)["Table"]
        assert table["TableStatus"] == "ACTIVE"
        indexes = {index["IndexName"]: index for index in table["GlobalSecondaryIndexes"]}
        assert indexes["by-status"]["KeySchema"] == [
            {"AttributeName": "tenant", "KeyType": "HASH"},
            {"AttributeName": "status", "KeyType": "HASH"},
            {"AttributeName": "day", "KeyType": "RANGE"},
            {"AttributeName": "n", "KeyType": "RANGE"},
        ]
        assert indexes["by-owner"]["KeySchema"] == [
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "owner", "KeyType": "HASH"},
            {"AttributeName": "n", "KeyType": "RANGE"},
        ]
        attributes = [
            (a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]
        ]
        defined = [("pk", "S"), ("sk", "S"), ("tenant", "S"), ("status", "S"), ("day", "S")]
        defined += [("n", "N"), ("owner", "S")]  # each once, "pk" and "n" shared by keys
        assert sorted(attributes) == sorted(defined)
    finally:
        await api.delete_table(name)


async def test_every_partition_attribute_selects_the_partition(api: Api, orders: str) -> None:
    await fill(api, orders)
    # ordered by day, then numerically by n; o4 (done), o5 (t2) and o7 (no status) are out
    assert await query(api, orders, OPEN_T1) == ["o2", "o1", "o3", "o6", "o8"]
    assert await query(api, orders, OPEN_T1, scan_index_forward=False) == [
        "o8",
        "o6",
        "o3",
        "o1",
        "o2",
    ]
    done = (Attr("tenant") == "t1") & (Attr("status") == "done")
    assert await query(api, orders, done) == ["o4"]
    assert await api.count(orders, OPEN_T1, index_name="by-status") == 5


async def test_sort_attributes_from_the_left_with_a_range_on_the_last(
    api: Api, orders: str
) -> None:
    await fill(api, orders)
    jan_1 = OPEN_T1 & (Attr("day") == "2025-01-01")
    assert await query(api, orders, jan_1) == ["o2", "o1"]
    assert await query(api, orders, jan_1 & (Attr("n") > 1)) == ["o1"]
    assert await query(api, orders, jan_1 & Attr("n").between(1, 3)) == ["o2", "o1"]
    assert await query(api, orders, OPEN_T1 & (Attr("day") >= "2025-01-02")) == ["o3", "o6", "o8"]
    assert await query(api, orders, OPEN_T1 & Attr("day").begins_with("2025-01")) == [
        "o2",
        "o1",
        "o3",
        "o6",
    ]
    filtered = await query(api, orders, OPEN_T1, filter_expression=Attr("n") >= 3)
    assert filtered == ["o1", "o6", "o8"]


async def test_a_raw_key_condition_over_several_attributes(api: Api, orders: str) -> None:
    await fill(api, orders)
    got = await api.query(
        orders,
        "tenant = :t AND #s = :s AND #d = :d AND n BETWEEN :lo AND :hi",
        expression_attribute_names={"#s": "status", "#d": "day"},
        expression_attribute_values={
            ":t": "t1",
            ":s": "open",
            ":d": "2025-01-01",
            ":lo": 2,
            ":hi": 9,
        },
        index_name="by-status",
    ).all()
    assert got == [ORDERS[0]]


async def test_an_index_keyed_partly_by_the_table_key(api: Api, orders: str) -> None:
    await fill(api, orders)
    mine = (Attr("pk") == "ORG#1") & (Attr("owner") == "ann") & (Attr("n") < 4)
    got = await api.query(orders, mine, index_name="by-owner").all()
    # the index projects only the keys: the table's, then its own
    assert got == [
        {"pk": "ORG#1", "sk": sk, "owner": "ann", "n": n}
        for sk, n in [("o2", 1), ("o3", 2), ("o1", 3)]
    ]


async def test_paging_over_the_index(api: Api, orders: str) -> None:
    await fill(api, orders)
    first = api.query(orders, OPEN_T1, index_name="by-status", limit=2, page_size=2)
    assert sks(await first.all()) == ["o2", "o1"]
    start = first.last_evaluated_key
    assert start is not None
    # a LastEvaluatedKey of the index holds the table's key and every attribute of the index's
    assert set(start) == {"pk", "sk", "tenant", "status", "day", "n"}
    rest = api.query(orders, OPEN_T1, index_name="by-status", last_evaluated_key=start)
    assert sks(await rest.all()) == ["o3", "o6", "o8"]

    seen: list[str] = []
    cursor = None
    while True:
        page = await api.query(orders, OPEN_T1, index_name="by-status").page(2, cursor)
        seen += sks(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert seen == ["o2", "o1", "o3", "o6", "o8"]


BAD_QUERIES = [
    pytest.param(Attr("tenant") == "t1", id="one-of-two-partition-attributes"),
    pytest.param(OPEN_T1 & (Attr("n") > 1), id="second-sort-attribute-without-the-first"),
    pytest.param(
        OPEN_T1 & (Attr("day") > "2025-01-01") & (Attr("n") > 1),
        id="range-before-the-last-sort-attribute",
    ),
    pytest.param(
        (Attr("tenant") == "t1") & (Attr("status") > "a"), id="range-on-a-partition-attribute"
    ),
]


@pytest.mark.parametrize("condition", BAD_QUERIES)
async def test_dynamodb_refuses_a_key_condition_against_the_rules(
    api: Api, orders: str, condition: Any
) -> None:
    with pytest.raises(ValidationException):
        await query(api, orders, condition)
