"""Models whose global secondary indexes have keys of several fields (issue 14 item 3), on a
real server through the async and the sync API (``api``): the index ``create_table`` makes,
queries by every partition field, by leading sort fields, with a range on the next one,
descending, resumed from a ``last_evaluated_key`` or by page cursors; an item lacking an
index field is not in the index; entities of one table (tests/entity_models.py style) with
such an index over plain fields.

moto has the feature from 5.1.21 (getmoto/moto#9710); dynalite refuses such a KeySchema, so
these tests are skipped there (``needs("multi_attribute_keys")``, tests/local_servers.py).
The requests themselves and what is refused before sending are in
tests/unit/test_multikey_models.py; the client side in tests/integration/test_multikey.py.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    DynamoConfig,
    GlobalSecondaryIndex,
    InvalidCursorException,
    Model,
    PartitionKey,
    SortKey,
    ValidationException,
    path,
)

from .api import Api
from .model_tables import Tables, bind, stored, table_of

pytestmark = [pytest.mark.needs("multi_attribute_keys"), pytest.mark.both_transports]


class Order(Model):
    """The table named here is a placeholder: each test binds the model to one of its own."""

    model_config = DynamoConfig(table="multikey-orders")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    tenant: str
    status: str | None = None  # optional index fields: an item without one is not indexed
    day: dt.date | None = None
    n: int
    owner: str = "ann"
    by_status = GlobalSecondaryIndex(
        "by-status", partition_key=("tenant", "status"), sort_key=("day", "n")
    )
    # The table's partition key is also the first field of this index's partition key.
    by_owner = GlobalSecondaryIndex("by-owner", partition_key=("pk", "owner"), sort_key="n")


def order(
    sk: str, status: str | None, day: str | None, n: int, tenant: str = "t1"
) -> dict[str, Any]:
    return {
        "pk": "ORG#1",
        "sk": sk,
        "tenant": tenant,
        "status": status,
        "day": None if day is None else dt.date.fromisoformat(day),
        "n": n,
    }


ORDERS = [
    order("o1", "open", "2025-01-01", 3),
    order("o2", "open", "2025-01-01", 1),
    order("o3", "open", "2025-01-02", 2),
    order("o4", "done", "2025-01-01", 5),
    order("o5", "open", "2025-01-01", 7, tenant="t2"),
    order("o6", "open", "2025-01-03", 10),
    order("o7", None, "2025-01-01", 4),  # no status: not in by-status
    order("o8", "open", "2025-02-01", 20),
    order("o9", "open", None, 6),  # no day: not in by-status either
]
OPEN_T1 = ["o2", "o1", "o3", "o6", "o8"]  # ordered by day, then numerically by n


async def filled(api: Api, tables: Tables) -> type[Order]:
    """``Order`` bound to an empty table of its own (made by its ``create_table``), holding
    ``ORDERS``."""
    orders = await tables(Order)
    for data in ORDERS:
        await api.on(orders(**data)).save()
    return orders


def sks(items: list[Order]) -> list[str]:
    return [item.sk for item in items]


async def query(api: Api, orders: type[Order], **options: Any) -> list[str]:
    return sks(await api.on(orders.by_status).query(**options).all())


# -- create_table ---------------------------------------------------------------------------


async def test_create_table_makes_the_multi_attribute_indexes(
    api: Api, tables: Tables, boto: Any
) -> None:
    orders = tables.bind(Order)  # dropped at teardown
    await api.on(orders).create_table()
    table = boto.describe_table(TableName=table_of(orders))["Table"]
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
    assert {index["Projection"]["ProjectionType"] for index in indexes.values()} == {"ALL"}
    attributes = {(a["AttributeName"], a["AttributeType"]) for a in table["AttributeDefinitions"]}
    assert attributes == {
        ("pk", "S"),
        ("sk", "S"),
        ("tenant", "S"),
        ("status", "S"),
        ("day", "S"),
        ("n", "N"),
        ("owner", "S"),
    }


# -- queries ---------------------------------------------------------------------------------


async def test_every_partition_field_selects_the_partition(api: Api, tables: Tables) -> None:
    orders = await filled(api, tables)
    got = await api.on(orders.by_status).query(tenant="t1", status="open").all()
    assert sks(got) == OPEN_T1
    assert got[1] == orders(**ORDERS[0])  # whole items: the index projects ALL
    assert await query(api, orders, tenant="t1", status="done") == ["o4"]
    assert await query(api, orders, tenant="t2", status="open") == ["o5"]
    assert await query(api, orders, tenant="t3", status="open") == []


async def test_leading_sort_fields_narrow_the_partition(api: Api, tables: Tables) -> None:
    orders = await filled(api, tables)
    jan_1 = dt.date(2025, 1, 1)
    assert await query(api, orders, tenant="t1", status="open", day=jan_1) == ["o2", "o1"]
    assert await query(api, orders, tenant="t1", status="open", day="2025-01-01", n=3) == ["o1"]
    assert await query(api, orders, tenant="t1", status="open", day=jan_1, n=2) == []


async def test_a_range_on_the_sort_field_after_the_last_given(api: Api, tables: Tables) -> None:
    orders = await filled(api, tables)
    open_t1: dict[str, Any] = {"tenant": "t1", "status": "open"}
    jan_1 = {**open_t1, "day": dt.date(2025, 1, 1)}
    assert await query(api, orders, **jan_1, sort_key_condition=orders.n > 1) == ["o1"]
    between = path(orders.n).between(1, 3)
    assert await query(api, orders, **jan_1, sort_key_condition=between) == ["o2", "o1"]
    since = path(orders.day) >= dt.date(2025, 1, 2)
    assert await query(api, orders, **open_t1, sort_key_condition=since) == ["o3", "o6", "o8"]
    january = Attr("day").begins_with("2025-01")
    assert await query(api, orders, **open_t1, sort_key_condition=january) == [
        "o2",
        "o1",
        "o3",
        "o6",
    ]
    big = orders.n >= 3
    assert await query(api, orders, **open_t1, filter_condition=big) == ["o1", "o6", "o8"]


async def test_descending(api: Api, tables: Tables) -> None:
    orders = await filled(api, tables)
    backwards = await query(api, orders, tenant="t1", status="open", scan_index_forward=False)
    assert backwards == OPEN_T1[::-1]
    jan_1 = {"tenant": "t1", "status": "open", "day": dt.date(2025, 1, 1)}
    assert await query(api, orders, **jan_1, scan_index_forward=False) == ["o1", "o2"]


async def test_an_index_keyed_partly_by_the_table_key(api: Api, tables: Tables) -> None:
    orders = await filled(api, tables)
    got = api.on(orders.by_owner).query(pk="ORG#1", owner="ann", sort_key_condition=orders.n < 5)
    # every order of the partition, o7 and o9 too: this index needs neither status nor day
    assert sks(await got.all()) == ["o2", "o3", "o1", "o7"]


@pytest.mark.parametrize(
    "options",
    [
        pytest.param({}, id="limit"),
        # the filter makes the read stop inside a page: the key it resumes from is the last
        # item's, made of the table's and the index's key attributes
        pytest.param({"filter_condition": Attr("n") >= 2}, id="filtered"),
    ],
)
async def test_a_limited_read_resumes_from_its_last_evaluated_key(
    api: Api, tables: Tables, options: dict[str, Any]
) -> None:
    orders = await filled(api, tables)
    index = api.on(orders.by_status)
    first = index.query(tenant="t1", status="open", limit=2, **options)
    wanted = OPEN_T1 if not options else ["o1", "o3", "o6", "o8"]
    assert sks(await first.all()) == wanted[:2]
    last = next(data for data in ORDERS if data["sk"] == wanted[1])
    assert first.last_evaluated_key == {
        "pk": "ORG#1",
        "sk": wanted[1],
        "tenant": "t1",
        "status": "open",
        "day": last["day"].isoformat(),
        "n": last["n"],
    }
    rest = index.query(
        tenant="t1", status="open", last_evaluated_key=first.last_evaluated_key, **options
    )
    assert sks(await rest.all()) == wanted[2:]
    assert rest.last_evaluated_key is None


async def test_pages_with_cursors(api: Api, tables: Tables) -> None:
    orders = await filled(api, tables)
    index = api.on(orders.by_status)
    seen: list[str] = []
    cursors: list[str] = []
    cursor = None
    while True:
        page = await index.query(tenant="t1", status="open").page(2, cursor)
        seen += sks(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
        cursors.append(cursor)
    assert seen == OPEN_T1
    assert len(cursors) == 2  # pages of 2, 2 and 1: the last one has no cursor
    jan = {"tenant": "t1", "status": "open", "day": dt.date(2025, 1, 1)}
    first = await index.query(**jan).page(1)
    assert sks(first.items) == ["o2"]
    assert sks((await index.query(**jan).page(1, first.next_cursor)).items) == ["o1"]
    # a cursor belongs to its partition: the values of every field given
    for other in ({"tenant": "t2", "status": "open"}, {"tenant": "t1", "status": "done"}):
        with pytest.raises(InvalidCursorException):
            await index.query(**other).page(2, cursors[0])


async def test_an_item_lacking_an_index_field_is_not_in_the_index(
    api: Api, tables: Tables, boto: Any
) -> None:
    orders = await filled(api, tables)
    # stored without the attribute, not as NULL: DynamoDB refuses a NULL index key
    o7 = stored(boto, orders, pk="ORG#1", sk="o7")
    o9 = stored(boto, orders, pk="ORG#1", sk="o9")
    assert o7 is not None and "status" not in o7 and o7["day"] == {"S": "2025-01-01"}
    assert o9 is not None and "day" not in o9 and o9["status"] == {"S": "open"}
    assert await api.on(orders).get(pk="ORG#1", sk="o7") == orders(**ORDERS[6])
    everything = sks(await api.on(orders.by_status).scan().all())
    assert sorted(everything) == ["o1", "o2", "o3", "o4", "o5", "o6", "o8"]
    # given its fields, the item joins the index
    o9_dated = orders(**{**ORDERS[8], "day": dt.date(2025, 3, 1)})
    await api.on(o9_dated).save()
    assert await query(api, orders, tenant="t1", status="open") == [*OPEN_T1, "o9"]


async def test_dynamodb_refuses_a_range_that_skips_a_sort_field(api: Api, tables: Tables) -> None:
    """Not refused before sending: ``sort_key_condition`` is any condition, as for other
    indexes; DynamoDB refuses a range on the second sort field when the first is not given."""
    orders = await filled(api, tables)
    with pytest.raises(ValidationException):
        await query(api, orders, tenant="t1", status="open", sort_key_condition=orders.n > 1)


# -- entities of one table -------------------------------------------------------------------


class Desk(Model):
    """A base of entities with an index over plain fields that its entities share; the
    table named here is a placeholder."""

    model_config = DynamoConfig(table="multikey-desk", discriminator="entity")
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[str, SortKey()] = ""
    tenant: str | None = None
    status: str | None = None
    opened: dt.date | None = None
    priority: int | None = None
    by_status = GlobalSecondaryIndex(
        "by-status", partition_key=("tenant", "status"), sort_key=("opened", "priority")
    )


class Ticket(Desk):
    model_config = DynamoConfig(entity="Ticket", keys={"pk": "TICKET#{ticket_id}", "sk": "TICKET"})
    ticket_id: str


class Task(Desk):
    model_config = DynamoConfig(
        entity="Task", keys={"pk": "TICKET#{ticket_id}", "sk": "TASK#{task_id:>04}"}
    )
    ticket_id: str
    task_id: int


@dataclass
class Helpdesk:
    tickets: type[Ticket]
    tasks: type[Task]
    table: str

    def ticket(self, ticket_id: str, priority: int, day: int = 2, status: str = "open") -> Ticket:
        opened = dt.date(2025, 1, day)
        return self.tickets(
            ticket_id=ticket_id, tenant="t1", status=status, opened=opened, priority=priority
        )

    def task(self, ticket_id: str, task_id: int, priority: int) -> Task:
        opened = dt.date(2025, 1, 2)
        return self.tasks(
            ticket_id=ticket_id,
            task_id=task_id,
            tenant="t1",
            status="open",
            opened=opened,
            priority=priority,
        )


@pytest.fixture
async def desk(tables: Tables) -> Helpdesk:
    """Tickets and tasks in one empty table, made by the base's ``create_table``."""
    base = await tables(Desk)
    name = table_of(base)
    return Helpdesk(bind(Ticket, name), bind(Task, name), name)


async def test_entities_query_a_multi_attribute_index_of_their_table(
    api: Api, desk: Helpdesk, boto: Any
) -> None:
    tickets = [desk.ticket(str(i), priority=i) for i in (3, 1, 4, 2)]
    tickets.append(desk.ticket("9", priority=1, status="done"))
    tasks = [desk.task("1", 1, priority=2), desk.task("1", 2, priority=5)]
    for item in [*tickets, *tasks]:
        await api.on(item).save()
    # what the entity stores is plain DynamoDB: its computed keys, fields, discriminator
    assert stored(boto, desk.tickets, pk="TICKET#3", sk="TICKET") == {
        "pk": {"S": "TICKET#3"},
        "sk": {"S": "TICKET"},
        "entity": {"S": "Ticket"},
        "ticket_id": {"S": "3"},
        "tenant": {"S": "t1"},
        "status": {"S": "open"},
        "opened": {"S": "2025-01-02"},
        "priority": {"N": "3"},
    }
    index = api.on(desk.tickets.by_status)
    got = await index.query(tenant="t1", status="open").all()
    # tickets only (the tasks share the index partition), ordered by opened then priority
    assert [(t.ticket_id, t.priority) for t in got] == [("1", 1), ("2", 2), ("3", 3), ("4", 4)]
    assert got == sorted(tickets[:4], key=lambda t: t.priority or 0)
    two = await index.query(
        tenant="t1", status="open", opened="2025-01-02", sort_key_condition=Attr("priority") >= 2
    ).all()
    assert [t.ticket_id for t in two] == ["2", "3", "4"]
    assert await api.on(desk.tasks.by_status).query(tenant="t1", status="open").all() == tasks
    assert [t.ticket_id for t in await index.query(tenant="t1", status="done").all()] == ["9"]


async def test_an_entity_read_resumes_past_the_other_entity_s_items(
    api: Api, desk: Helpdesk
) -> None:
    """In index order: ticket 1 (p1), task 1 (p2), ticket 2 (p3), task 2 (p4), ticket 3
    (p5): a read of tickets is filtered on the entity, so its limit and pages count tickets
    and each resumes from the last ticket's key."""
    await api.on(desk.ticket("1", priority=1)).save()
    await api.on(desk.task("1", 1, priority=2)).save()
    await api.on(desk.ticket("2", priority=3)).save()
    await api.on(desk.task("1", 2, priority=4)).save()
    await api.on(desk.ticket("3", priority=5)).save()
    index = api.on(desk.tickets.by_status)
    first = index.query(tenant="t1", status="open", limit=2)
    assert [t.ticket_id for t in await first.all()] == ["1", "2"]
    assert first.last_evaluated_key == {
        "pk": "TICKET#2",
        "sk": "TICKET",
        "tenant": "t1",
        "status": "open",
        "opened": "2025-01-02",
        "priority": 3,
    }
    rest = index.query(tenant="t1", status="open", last_evaluated_key=first.last_evaluated_key)
    assert [t.ticket_id for t in await rest.all()] == ["3"]

    page = await index.query(tenant="t1", status="open").page(2)
    assert [t.ticket_id for t in page.items] == ["1", "2"]
    assert page.next_cursor is not None
    last = await index.query(tenant="t1", status="open").page(2, page.next_cursor)
    assert [t.ticket_id for t in last.items] == ["3"]
    assert last.next_cursor is None


async def test_an_item_written_by_boto3_reads_back_through_the_index(
    api: Api, desk: Helpdesk, boto: Any
) -> None:
    boto.put_item(
        TableName=desk.table,
        Item={
            "pk": {"S": "TICKET#7"},
            "sk": {"S": "TICKET"},
            "entity": {"S": "Ticket"},
            "ticket_id": {"S": "7"},
            "tenant": {"S": "t1"},
            "status": {"S": "open"},
            "opened": {"S": "2025-01-05"},
            "priority": {"N": "1"},
        },
    )
    got = await api.on(desk.tickets.by_status).query(tenant="t1", status="open").all()
    assert got == [desk.ticket("7", priority=1, day=5)]
