"""Query, scan and count through both APIs, on a real server: conditions, paging, indexes."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pydynox import (
    Attr,
    DynamoDBClient,
    IndexSpec,
    ResourceNotFoundException,
    ValidationException,
)

from .api import Api
from .tables import TablePool

pytestmark = pytest.mark.both_transports

P = "USER#1"


def sk(i: int) -> str:
    return f"item#{i:02d}"


def make_item(i: int, pk: str = P) -> dict[str, Any]:
    return {"pk": pk, "sk": sk(i), "n": i}


async def fill(client: DynamoDBClient, table: str, n: int, pk: str = P) -> list[dict[str, Any]]:
    items = [make_item(i, pk) for i in range(n)]
    await client.batch_write(table, put_items=items)
    return items


def in_partition(pk: str = P) -> Any:
    return Attr("pk") == pk


# -- key conditions -----------------------------------------------------------------------


async def test_query_with_attr_condition(api: Api, client: DynamoDBClient, table: str) -> None:
    items = await fill(client, table, 5)
    await fill(client, table, 3, pk="USER#2")
    assert await api.query(table, in_partition()).all() == items


async def test_query_with_raw_expression_names_and_values(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 12)
    await fill(client, table, 3, pk="USER#2")
    result = api.query(
        table,
        key_condition_expression="#p = :p AND begins_with(#s, :prefix)",
        filter_expression="#n <> :skip",
        expression_attribute_names={"#p": "pk", "#s": "sk", "#n": "n"},
        expression_attribute_values={":p": P, ":prefix": "item#1", ":skip": 11},
    )
    assert await result.all() == [items[10]]


async def test_raw_key_condition_mixes_with_attr_filter(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    """User placeholders that look like generated ones (#n0, :v0) are not overwritten."""
    items = await fill(client, table, 6)
    result = api.query(
        table,
        "#n0 = :v0",
        expression_attribute_names={"#n0": "pk"},
        expression_attribute_values={":v0": P},
        filter_expression=Attr("n") >= 4,
    )
    assert await result.all() == items[4:]


async def test_sort_key_begins_with_and_between(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 20)
    begins = in_partition() & Attr("sk").begins_with("item#1")
    assert await api.query(table, begins).all() == items[10:20]
    between = in_partition() & Attr("sk").between(sk(5), sk(8))
    assert await api.query(table, between).all() == items[5:9]
    after = in_partition() & (Attr("sk") > sk(17))
    assert await api.query(table, after).all() == items[18:]


async def test_scan_index_forward_false_reverses(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 7)
    got = await api.query(table, in_partition(), scan_index_forward=False, page_size=3).all()
    assert got == items[::-1]


# -- limit, page_size and resuming --------------------------------------------------------


async def test_limit_caps_total_and_last_evaluated_key_resumes(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 10)
    first = api.query(table, in_partition(), limit=7, page_size=3)
    got = await first.all()
    assert got == items[:7]
    assert first.last_evaluated_key == {"pk": P, "sk": sk(6)}

    rest = api.query(
        table, in_partition(), page_size=3, last_evaluated_key=first.last_evaluated_key
    )
    got_rest = await rest.all()
    assert got_rest == items[7:]  # no duplicate, no gap
    assert rest.last_evaluated_key is None


async def test_limit_larger_than_data_returns_everything(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 4)
    result = api.query(table, in_partition(), limit=50, page_size=3)
    assert await result.all() == items
    assert result.last_evaluated_key is None


async def test_page_size_alone_returns_everything(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 10)
    result = api.query(table, in_partition(), page_size=3)
    assert [item async for item in result] == items
    assert result.last_evaluated_key is None


async def test_filter_that_empties_first_pages_still_returns_limit(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 30)
    wanted = Attr("n") >= 25  # only the last 5 items match
    result = api.query(table, in_partition(), filter_expression=wanted, page_size=5, limit=3)
    assert await result.all() == items[25:28]
    assert result.last_evaluated_key == {"pk": P, "sk": sk(27)}
    rest = api.query(
        table,
        in_partition(),
        filter_expression=wanted,
        page_size=5,
        last_evaluated_key=result.last_evaluated_key,
    )
    assert await rest.all() == items[28:]


async def test_first_returns_the_first_item_or_none(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 8)
    assert await api.query(table, in_partition()).first() == items[0]
    assert await api.query(table, in_partition(), scan_index_forward=False).first() == items[-1]
    late = api.query(table, in_partition(), filter_expression=Attr("n") >= 6, page_size=2)
    assert await late.first() == items[6]
    assert await api.query(table, in_partition("nobody")).first() is None
    none_match = api.query(table, in_partition(), filter_expression=Attr("n") > 100)
    assert await none_match.first() is None


async def test_iterating_a_result_twice_gives_the_same_items(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 7)
    result = api.query(table, in_partition(), page_size=3)
    once = [item async for item in result]
    twice = [item async for item in result]
    assert once == twice == items
    assert await result.all() == items


async def test_breaking_out_of_iteration_early(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await fill(client, table, 7)
    seen = []
    async for item in api.query(table, in_partition(), page_size=2):
        seen.append(item)
        if len(seen) == 3:
            break
    assert seen == items[:3]


# -- scan ---------------------------------------------------------------------------------


async def populate_for_scan(client: DynamoDBClient, table: str) -> list[dict[str, Any]]:
    items = []
    for pk in ("A#1", "A#2", "B#1"):
        items += await fill(client, table, 6, pk=pk)
    return items


def ordered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: (item["pk"], item["sk"]))


async def test_scan_returns_everything_and_filters(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await populate_for_scan(client, table)
    assert ordered(await api.scan(table, page_size=4).all()) == ordered(items)
    filtered = await api.scan(
        table, filter_expression=Attr("pk").begins_with("A#") & (Attr("n") < 2)
    ).all()
    assert ordered(filtered) == ordered(
        [item for item in items if item["pk"].startswith("A#") and item["n"] < 2]
    )
    raw = api.scan(
        table,
        filter_expression="#n = :n",
        expression_attribute_names={"#n": "n"},
        expression_attribute_values={":n": 5},
    )
    assert ordered(await raw.all()) == ordered([item for item in items if item["n"] == 5])


async def test_scan_limit_and_resume(api: Api, client: DynamoDBClient, table: str) -> None:
    items = await populate_for_scan(client, table)
    first = api.scan(table, limit=10, page_size=4)
    got = await first.all()
    assert len(got) == 10
    assert first.last_evaluated_key is not None
    rest = await api.scan(table, page_size=4, last_evaluated_key=first.last_evaluated_key).all()
    assert ordered(got + rest) == ordered(items)


async def test_parallel_scan_segments_partition_the_table(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    items = await populate_for_scan(client, table)
    segments = [await api.scan(table, segment=s, total_segments=3).all() for s in range(3)]
    union = [item for segment in segments for item in segment]
    assert ordered(union) == ordered(items)  # every item, and none twice
    keys = [(item["pk"], item["sk"]) for item in union]
    assert len(keys) == len(set(keys))


# -- count --------------------------------------------------------------------------------


async def test_count_with_key_condition_filter_and_scan(
    api: Api, client: DynamoDBClient, table: str
) -> None:
    await populate_for_scan(client, table)
    assert await api.count(table, Attr("pk") == "A#1") == 6
    assert await api.count(table, Attr("pk") == "A#1", filter_expression=Attr("n") >= 4) == 2
    raw = await api.count(
        table,
        "#p = :p AND #s BETWEEN :lo AND :hi",
        expression_attribute_names={"#p": "pk", "#s": "sk"},
        expression_attribute_values={":p": "B#1", ":lo": sk(1), ":hi": sk(3)},
    )
    assert raw == 3
    assert await api.count(table) == 18  # a Scan
    assert await api.count(table, filter_expression=Attr("n") == 0) == 3
    assert await api.count(table, Attr("pk") == "nobody") == 0


# -- secondary indexes --------------------------------------------------------------------


@pytest.fixture
def indexed_table(client: DynamoDBClient, table_pool: TablePool) -> Iterator[str]:
    """An empty table of its own with a global index ``by-email`` and a local ``by-age``."""

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


PEOPLE = [
    {"pk": "ORG#1", "sk": "u1", "email": "ann@x.org", "age": 30},
    {"pk": "ORG#1", "sk": "u2", "email": "bob@x.org", "age": 20},
    {"pk": "ORG#1", "sk": "u3", "email": None, "age": 40},  # None: left out, so not in by-email
    {"pk": "ORG#1", "sk": "u4", "email": "ann@x.org"},  # no age: not in by-age
    {"pk": "ORG#2", "sk": "u5", "email": "ann@x.org", "age": 25},
]


def stored(person: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in person.items() if v is not None}


async def test_query_on_a_global_index(api: Api, indexed_table: str) -> None:
    for person in PEOPLE:
        await api.put_item(indexed_table, person)
    got = await api.query(indexed_table, Attr("email") == "ann@x.org", index_name="by-email").all()
    assert ordered(got) == ordered([stored(PEOPLE[0]), stored(PEOPLE[3]), stored(PEOPLE[4])])
    assert await api.count(indexed_table, Attr("email") == "bob@x.org", index_name="by-email") == 1
    # sparse: u3 was written without an email, so the index does not hold it
    in_index = await api.scan(indexed_table, index_name="by-email").all()
    assert sorted(item["sk"] for item in in_index) == ["u1", "u2", "u4", "u5"]
    assert "email" not in (await api.get_item(indexed_table, {"pk": "ORG#1", "sk": "u3"}))


async def test_query_on_a_local_index_is_ordered_by_its_sort_key(
    api: Api, indexed_table: str
) -> None:
    for person in PEOPLE:
        await api.put_item(indexed_table, person)
    org1 = Attr("pk") == "ORG#1"
    by_age = await api.query(indexed_table, org1, index_name="by-age").all()
    assert [item["sk"] for item in by_age] == ["u2", "u1", "u3"]  # u4 has no age
    assert by_age[0] == stored(PEOPLE[1])
    older = org1 & Attr("age").between(25, 40)
    got = await api.query(indexed_table, older, index_name="by-age", scan_index_forward=False).all()
    assert [item["sk"] for item in got] == ["u3", "u1"]
    paged = api.query(indexed_table, org1, index_name="by-age", limit=2, page_size=1)
    assert [item["sk"] for item in await paged.all()] == ["u2", "u1"]
    assert paged.last_evaluated_key is not None
    resumed = api.query(
        indexed_table, org1, index_name="by-age", last_evaluated_key=paged.last_evaluated_key
    )
    assert [item["sk"] for item in await resumed.all()] == ["u3"]


async def test_query_on_a_missing_index(api: Api, table: str) -> None:
    # DynamoDB answers ValidationException ("does not have the specified index");
    # moto deviates with ResourceNotFoundException ("Invalid index").
    with pytest.raises((ValidationException, ResourceNotFoundException), match="index"):
        await api.query(table, in_partition(), index_name="no-such-index").all()


# -- unhappy paths ------------------------------------------------------------------------


async def test_query_on_a_missing_table(api: Api) -> None:
    with pytest.raises(ResourceNotFoundException) as caught:
        await api.query("no-such-table", in_partition()).all()
    assert caught.value.status == 400  # answered by the server
    with pytest.raises(ResourceNotFoundException):
        await api.scan("no-such-table").first()
    with pytest.raises(ResourceNotFoundException):
        await api.count("no-such-table", in_partition())


@pytest.mark.parametrize("argument", ["limit", "page_size"])
@pytest.mark.parametrize("value", [0, -1, "3", 2.5, True])
async def test_invalid_limit_and_page_size_are_refused_before_sending(
    api: Api, dead_client: DynamoDBClient, argument: str, value: Any
) -> None:
    dead = Api(dead_client, api.mode)
    with pytest.raises(ValidationException, match=argument):
        await dead.query("users", in_partition(), **{argument: value}).all()
    with pytest.raises(ValidationException, match=argument):
        await dead.scan("users", **{argument: value}).first()


@pytest.mark.parametrize(
    "segments",
    [
        {"segment": 0},
        {"total_segments": 2},
        {"segment": 2, "total_segments": 2},
        {"segment": -1, "total_segments": 2},
        {"segment": 0, "total_segments": 0},
    ],
)
async def test_bad_parallel_scan_arguments_are_refused_before_sending(
    api: Api, dead_client: DynamoDBClient, segments: dict[str, int]
) -> None:
    with pytest.raises(ValidationException, match="segment"):
        await Api(dead_client, api.mode).scan("users", **segments).all()


@pytest.mark.parametrize("expression", ["", "   "])
async def test_empty_key_condition_is_refused_before_sending(
    api: Api, dead_client: DynamoDBClient, expression: str
) -> None:
    with pytest.raises(ValidationException, match="non-empty"):
        await Api(dead_client, api.mode).query("users", expression).all()
