"""Projections through both APIs, on a real server: ``projection=[...]`` on get_item, query
and scan returns only those attributes; ``QueryResult.project(Model)`` yields the model;
limits, ``last_evaluated_key`` and page cursors stay exact when the key attributes are not
projected; bad projections send nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from pydantic import BaseModel

from pydynox import Attr, DynamoDBClient, Get, IndexSpec, ValidationException

from .api import Api, SyncResultAsAsync
from .tables import TablePool

pytestmark = pytest.mark.both_transports

P = "USER#1"


def person(i: int, pk: str = P) -> dict[str, Any]:
    return {
        "pk": pk,
        "sk": f"item#{i:02d}",
        "n": i,
        "name": f"N{i}",
        "size": i % 3,  # a reserved word
        "address": {"city": "Oslo", "zip": f"0{i}"},
        "tags": ["a", "b", "c"],
    }


async def fill(client: DynamoDBClient, table: str, n: int, pk: str = P) -> list[dict[str, Any]]:
    items = [person(i, pk) for i in range(n)]
    await client.batch_write(table, put_items=items)
    return items


def project(result: Any, model: type[BaseModel]) -> Any:
    """``result.project(model)``, the sync result kept awaitable for the test."""
    if isinstance(result, SyncResultAsAsync):
        return SyncResultAsAsync(result.result.project(model))
    return result.project(model)


class Card(BaseModel):
    name: str
    n: int


# -- projection=[...] -----------------------------------------------------------------------


async def test_get_item_returns_only_the_projected_attributes(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    await fill(client, table, 2)
    key = {"pk": P, "sk": "item#01"}
    got = await api.get_item(table, key, projection=["name", "address.city", "size"])
    assert got == {"name": "N1", "address": {"city": "Oslo"}, "size": 1}
    assert await api.get_item(table, key, True, ["n", "name", "n"]) == {"n": 1, "name": "N1"}
    missing = await api.get_item(table, {"pk": P, "sk": "none"}, projection=["name"])
    assert missing is None


@pytest.mark.deviates(
    "moto",
    reason="it does not resolve a name placeholder followed by a list index (#n0[1])",
    raises=ValidationException,
)
async def test_a_list_element_can_be_projected(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    await fill(client, table, 1)
    got = await api.get_item(table, {"pk": P, "sk": "item#00"}, projection=["tags[1]", "n"])
    assert got == {"tags": ["b"], "n": 0}


async def test_query_and_scan_return_only_the_projected_attributes(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    await fill(client, table, 4)
    await fill(client, table, 2, pk="USER#2")
    in_partition = Attr("pk") == P
    got = await api.query(table, in_partition, projection=["name", "address.zip"]).all()
    assert got == [{"name": f"N{i}", "address": {"zip": f"0{i}"}} for i in range(4)]
    # the filter reads attributes the projection leaves out, and shares its placeholders
    odd = await api.query(
        table, in_partition, filter_expression=Attr("n").is_in([1, 3]), projection=["name"]
    ).all()
    assert odd == [{"name": "N1"}, {"name": "N3"}]
    scanned = await api.scan(table, filter_expression=Attr("size") == 0, projection=["sk"]).all()
    assert sorted(item["sk"] for item in scanned) == ["item#00", "item#00", "item#03"]
    assert all(item.keys() == {"sk"} for item in scanned)


async def test_a_projection_merges_with_your_own_placeholders(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    await fill(client, table, 3)
    result = api.query(
        table,
        key_condition_expression="#n0 = :p AND #n1 > :after",
        expression_attribute_names={"#n0": "pk", "#n1": "sk"},
        expression_attribute_values={":p": P, ":after": "item#00"},
        projection=["sk", "name"],
    )
    assert await result.all() == [{"sk": "item#01", "name": "N1"}, {"sk": "item#02", "name": "N2"}]


async def test_bad_projections_send_nothing(api: Api, dead_client: DynamoDBClient) -> None:
    dead = Api(dead_client, api.mode)
    key = {"pk": P, "sk": "x"}
    for projection in ([], [""], ["a..b"], "name", ["a[0]", "a.b"]):
        with pytest.raises(ValidationException):
            await dead.get_item("tbl", key, projection=projection)
        with pytest.raises(ValidationException):
            await dead.query("tbl", Attr("pk") == P, projection=projection).all()
        with pytest.raises(ValidationException):
            await dead.scan("tbl", projection=projection).all()


# -- project(Model) -------------------------------------------------------------------------


async def test_project_yields_model_instances(api: Api, client: DynamoDBClient, table: str) -> None:
    await fill(client, table, 3)
    result = project(api.query(table, Attr("pk") == P), Card)
    assert await result.all() == [Card(name=f"N{i}", n=i) for i in range(3)]
    assert await result.first() == Card(name="N0", n=0)
    scanned = await project(api.scan(table, filter_expression=Attr("n") > 1), Card).all()
    assert scanned == [Card(name="N2", n=2)]
    # projecting a projected read narrows it; a field it did not read is refused
    with pytest.raises(ValidationException, match="'n' is not among the attributes"):
        project(api.query(table, Attr("pk") == P, projection=["name"]), Card)


# -- paging under a projection ----------------------------------------------------------------


async def test_pages_and_cursors_work_when_the_keys_are_not_projected(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    await fill(client, table, 9)
    in_partition = Attr("pk") == P
    kept = Attr("n") != 4
    query = api.query(table, in_partition, filter_expression=kept, projection=["n"])
    walked: list[Any] = []
    cursor = None
    while True:
        page = await query.page(3, cursor)
        assert page.items and all(item.keys() == {"n"} for item in page.items)
        walked += page.items
        cursor = page.next_cursor
        if cursor is None:
            break
    assert walked == [{"n": i} for i in range(9) if i != 4]
    # a cursor does not depend on the projection: the whole items continue from it
    first = await query.page(3)
    whole = await api.query(table, in_partition, filter_expression=kept).page(3, first.next_cursor)
    assert [item["n"] for item in whole.items] == [3, 5, 6]
    # and project(Model) pages alike
    cards = project(api.query(table, in_partition), Card)
    one = await cards.page(4)
    two = await cards.page(4, one.next_cursor)
    assert [card.n for card in one.items + two.items] == list(range(8))


async def test_a_limit_resumes_exactly_when_the_keys_are_not_projected(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    await fill(client, table, 10)
    options: dict[str, Any] = {"filter_expression": Attr("n") > 2, "projection": ["name"]}
    result = api.query(table, Attr("pk") == P, limit=2, **options)
    assert await result.all() == [{"name": "N3"}, {"name": "N4"}]
    assert result.last_evaluated_key == {"pk": P, "sk": "item#04"}
    rest = api.query(
        table, Attr("pk") == P, last_evaluated_key=result.last_evaluated_key, **options
    )
    assert [item["name"] for item in await rest.all()] == [f"N{i}" for i in range(5, 10)]
    scanned = api.scan(table, limit=1, **options)
    assert await scanned.first() is not None
    assert set(scanned.last_evaluated_key or {}) == {"pk", "sk"}


@pytest.fixture
def indexed_table(client: DynamoDBClient, table_pool: TablePool) -> Iterator[str]:
    """An empty table of its own with a global index ``by-email`` and a local ``by-age``
    (the shape of test_query_scan.py's, so the pool lends the same tables)."""

    def create(name: str) -> None:
        client.sync_create_table(
            name,
            partition_key=("pk", "S"),
            sort_key=("sk", "S"),
            global_indexes=[IndexSpec("by-email", partition_key=("email", "S"))],
            local_indexes=[IndexSpec("by-age", sort_key=("age", "N"))],
        )

    with table_pool.lend("by-email, by-age", create) as name:
        yield name


async def test_index_pages_under_a_projection_resume_with_the_index_keys(
    api: Api, client: DynamoDBClient, indexed_table: str
) -> None:
    people = [{"pk": f"ORG#{i % 2}", "sk": f"u{i}", "email": "a@x.org", "n": i} for i in range(7)]
    await client.batch_write(indexed_table, put_items=people)
    query = api.query(
        indexed_table, Attr("email") == "a@x.org", index_name="by-email", projection=["n"]
    )
    walked: list[int] = []
    cursor = None
    while True:
        page = await query.page(2, cursor)
        walked += [item["n"] for item in page.items]
        cursor = page.next_cursor
        if cursor is None:
            break
    assert sorted(walked) == list(range(7))


# -- transact_get ---------------------------------------------------------------------------


@pytest.mark.needs("transactions")
@pytest.mark.deviates("moto", reason="it ignores the ProjectionExpression of TransactGetItems")
async def test_transact_get_projects_each_get(api: Api, client: DynamoDBClient, table: str) -> None:
    await fill(client, table, 2)
    got = await api.transact_get(
        [Get(table, {"pk": P, "sk": "item#00"}, ["name"]), Get(table, {"pk": P, "sk": "item#01"})]
    )
    assert got == [{"name": "N0"}, person(1)]
