"""Models whose global secondary indexes have keys of several fields (issue 14 item 3:
``GlobalSecondaryIndex("by-status", partition_key=("tenant", "status"), sort_key=("placed",
"n"))``), without a real server.

Definition errors are raised when the class is created. What ``create_table`` and an index's
``query`` send is read off the requests a canned DynamoDB receives (``Canned``,
tests/canned.py), through the async and the sync API; a query refused before sending leaves
the request list empty (``server.requests == []``), the proof that nothing was sent. The same
scenarios on moto are in tests/integration/test_multikey_models.py; the client side of the
feature (``IndexSpec``) is in tests/unit/test_multikey.py.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
import uuid
from decimal import Decimal
from typing import Annotated, Any

import pytest

from pydynox import (
    DynamoConfig,
    GlobalSecondaryIndex,
    InvalidCursorException,
    LocalSecondaryIndex,
    Model,
    ModelDefinitionError,
    PartitionKey,
    SortKey,
    ValidationException,
    path,
)

from ..canned import Canned


class Status(str, enum.Enum):
    open = "open"
    done = "done"


class Order(Model):
    """One index keyed by two fields and two fields, one partly keyed by the table's own
    partition key, and a local index naming its one sort field in a tuple."""

    model_config = DynamoConfig(table="orders")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    tenant: str
    status: Status | None = None  # an optional index field: the index is sparse
    placed: dt.datetime
    n: int
    owner: str = "ann"
    by_status = GlobalSecondaryIndex(
        "by-status", partition_key=("tenant", "status"), sort_key=("placed", "n")
    )
    by_owner = GlobalSecondaryIndex(
        "by-owner", partition_key=("pk", "owner"), sort_key="n", projection="KEYS_ONLY"
    )
    by_placed = LocalSecondaryIndex("by-placed", sort_key=("placed",))  # type: ignore[arg-type]


class Wide(Model):
    """Four fields each, of every key type."""

    model_config = DynamoConfig(table="wide")
    pk: Annotated[str, PartitionKey()]
    a: str
    b: int
    c: bytes
    d: uuid.UUID
    e: dt.date
    f: Decimal
    g: Status
    h: int
    wide = GlobalSecondaryIndex(
        "wide", partition_key=("a", "b", "c", "d"), sort_key=("e", "f", "g", "h")
    )


class Desk(Model):
    """A base of entities (tests/entity_models.py style) with an index over plain fields."""

    model_config = DynamoConfig(table="desk", discriminator="entity")
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


# -- a canned DynamoDB ---------------------------------------------------------------------


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def sent(server: Canned) -> dict[str, Any]:
    """The JSON body of the one request the server received."""
    assert len(server.requests) == 1, server.ops()
    body: dict[str, Any] = server.requests[0].json()
    return body


def answer(*items: dict[str, Any], last: dict[str, Any] | None = None) -> dict[str, Any]:
    found: dict[str, Any] = {"Items": list(items), "Count": len(items), "ScannedCount": len(items)}
    if last is not None:
        found["LastEvaluatedKey"] = last
    return found


async def query_all(mode: str, index: Any, **options: Any) -> list[Any]:
    """``index.query(**options).all()`` through the async or the sync API."""
    if mode == "sync":
        items: list[Any] = index.sync_query(**options).all()
        return items
    found: list[Any] = await index.query(**options).all()
    return found


def condition(*names: str, last: str = "=") -> str:
    """``#n0 = :v0 AND #n1 = :v1 ...``, the last comparison being ``last``."""
    parts = [f"#n{i} = :v{i}" for i in range(len(names))]
    parts[-1] = parts[-1].replace(" = ", f" {last} ")
    return " AND ".join(parts)


def query_request(
    names: tuple[str, ...],
    values: list[Any],
    key_condition: str | None = None,
    index: str = "by-status",
    **extra: Any,
) -> dict[str, Any]:
    """A Query of an index of ``orders`` as pydynox spells it: one placeholder per key
    attribute, in the order given (``extra``: other parameters, ``Limit=5``)."""
    return {
        "TableName": "orders",
        "KeyConditionExpression": key_condition or condition(*names),
        "IndexName": index,
        "ExpressionAttributeNames": {f"#n{i}": name for i, name in enumerate(names)},
        "ExpressionAttributeValues": {f":v{i}": value for i, value in enumerate(values)},
        **extra,
    }


PLACED = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
PLACED_STORED = {"S": "2025-01-02T03:04:05.000000+00:00"}
T1 = {"S": "t1"}
OPEN = {"S": "open"}


def order_item(sk: str, n: int, status: str | None = "open") -> dict[str, Any]:
    item = {
        "pk": {"S": "ORG#1"},
        "sk": {"S": sk},
        "tenant": T1,
        "placed": PLACED_STORED,
        "n": {"N": str(n)},
        "owner": {"S": "ann"},
    }
    if status is not None:
        item["status"] = {"S": status}
    return item


def order(sk: str, n: int) -> Order:
    return Order(pk="ORG#1", sk=sk, tenant="t1", status=Status.open, placed=PLACED, n=n)


# -- declaring -----------------------------------------------------------------------------


def declare(index: Any, **annotations: Any) -> type[Model]:
    """``class Bad(Model)`` keyed pk/sk with str fields ``a`` to ``e`` (and ``annotations``)
    and ``index`` as its attribute ``index``."""
    fields: dict[str, Any] = {
        "pk": Annotated[str, PartitionKey()],
        "sk": Annotated[str, SortKey()],
        **{name: str for name in "abcde"},
        **annotations,
    }

    def body(namespace: dict[str, Any]) -> None:
        namespace["model_config"] = DynamoConfig(table="bad")
        namespace["__annotations__"] = fields
        namespace["__module__"] = __name__
        namespace["index"] = index

    return types.new_class("Bad", (Model,), exec_body=body)


def test_the_fields_of_each_key_are_kept_in_order() -> None:
    index = Order.by_status.index
    assert index.partition_keys == ("tenant", "status")
    assert index.sort_keys == ("placed", "n")
    assert index.multi_attribute
    assert repr(Order.by_status) == (
        "Order.by_status -> GlobalSecondaryIndex('by-status', "
        "partition_key=('tenant', 'status'), sort_key=('placed', 'n'))"
    )
    assert Order.by_placed.index.sort_keys == ("placed",)
    assert not Order.by_placed.index.multi_attribute
    assert Wide.wide.index.partition_keys == ("a", "b", "c", "d")


DEFINITION_ERRORS = [
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key=("a", "b", "c", "d", "e")),
        {},
        "Bad.index: an index key is one to four fields",
        id="5-partition-fields",
    ),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key="a", sort_key=("a", "b", "c", "d", "e")),
        {},
        "Bad.index: an index key is one to four fields",
        id="5-sort-fields",
    ),
    pytest.param(
        LocalSecondaryIndex("by-x", sort_key=("a", "b")),  # type: ignore[arg-type]
        {},
        "Bad.index: only global indexes have multi-attribute keys",
        id="local-index-2-sort-fields",
    ),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key=("a", "nope")),
        {},
        "Bad.index: partition_key 'nope' is not a field of the model",
        id="unknown-partition-field",
    ),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key=("a", "b"), sort_key=("c", "nope")),
        {},
        "Bad.index: sort_key 'nope' is not a field of the model",
        id="unknown-sort-field",
    ),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key=("a", "flag")),
        {"flag": bool},
        "Bad.flag: a key must be str, int",
        id="bool-partition-field",
    ),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key=("a", "b"), sort_key=("c", "tags")),
        {"tags": list[str]},
        "Bad.tags: a key must be str, int",
        id="list-sort-field",
    ),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key="a", sort_key=("c", "ratio")),
        {"ratio": float | None},
        "Bad.ratio: a key must be str, int",
        id="float-sort-field",
    ),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key=()),
        {},
        "Bad.index: an index key is one to four fields",
        id="no-partition-field",
    ),
]


@pytest.mark.parametrize(("index", "annotations", "message"), DEFINITION_ERRORS)
def test_a_wrong_multi_attribute_index_is_a_definition_error(
    index: Any, annotations: dict[str, Any], message: str
) -> None:
    with pytest.raises(ModelDefinitionError, match=message.replace(".", r"\.")):
        declare(index, **annotations)


def test_four_fields_each_and_optional_fields_are_accepted() -> None:
    model = declare(
        GlobalSecondaryIndex(
            "by-x", partition_key=("a", "b", "c", "d"), sort_key=("e", "pk", "sk", "o")
        ),
        o=int | None,
    )
    assert model.index.index.sort_keys == ("e", "pk", "sk", "o")


# -- create_table --------------------------------------------------------------------------


def schema(*parts: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": name, "KeyType": role} for name, role in parts]


def definitions(*parts: tuple[str, str]) -> list[dict[str, str]]:
    return [{"AttributeName": name, "AttributeType": kind} for name, kind in parts]


async def created(server: Canned, mode: str, model: type[Model]) -> dict[str, Any]:
    """The CreateTable request ``model.create_table(wait=False)`` sends."""
    server.answer(CreateTable={"TableDescription": {"TableStatus": "CREATING"}})
    if mode == "sync":
        model.sync_create_table(wait=False)
    else:
        await model.create_table(wait=False)
    assert server.ops() == ["CreateTable"]
    return sent(server)


async def test_create_table_sends_every_field_of_each_index_key(server: Canned, mode: str) -> None:
    assert await created(server, mode, Order) == {
        "TableName": "orders",
        "KeySchema": schema(("pk", "HASH"), ("sk", "RANGE")),
        "BillingMode": "PAY_PER_REQUEST",
        "GlobalSecondaryIndexes": [
            {
                "IndexName": "by-status",
                "KeySchema": schema(
                    ("tenant", "HASH"), ("status", "HASH"), ("placed", "RANGE"), ("n", "RANGE")
                ),
                "Projection": {"ProjectionType": "ALL"},
            },
            {
                "IndexName": "by-owner",
                "KeySchema": schema(("pk", "HASH"), ("owner", "HASH"), ("n", "RANGE")),
                "Projection": {"ProjectionType": "KEYS_ONLY"},
            },
        ],
        "LocalSecondaryIndexes": [
            {
                "IndexName": "by-placed",
                "KeySchema": schema(("pk", "HASH"), ("placed", "RANGE")),
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        # each attribute once, typed by its field: "pk" and "n" serve two keys
        "AttributeDefinitions": definitions(
            ("pk", "S"), ("sk", "S"), ("tenant", "S"), ("status", "S"), ("placed", "S"),
            ("n", "N"), ("owner", "S"),
        ),
    }  # fmt: skip


async def test_create_table_types_each_field_of_a_four_by_four_key(
    server: Canned, mode: str
) -> None:
    params = await created(server, mode, Wide)
    (index,) = params["GlobalSecondaryIndexes"]
    assert index["KeySchema"] == schema(
        *((name, "HASH") for name in "abcd"), *((name, "RANGE") for name in "efgh")
    )
    assert params["AttributeDefinitions"] == definitions(
        ("pk", "S"), ("a", "S"), ("b", "N"), ("c", "B"), ("d", "S"),
        ("e", "S"), ("f", "N"), ("g", "S"), ("h", "N"),
    )  # fmt: skip


async def test_a_base_of_entities_creates_its_multi_attribute_index(
    server: Canned, mode: str
) -> None:
    params = await created(server, mode, Desk)
    assert params["GlobalSecondaryIndexes"] == [
        {
            "IndexName": "by-status",
            "KeySchema": schema(
                ("tenant", "HASH"), ("status", "HASH"), ("opened", "RANGE"), ("priority", "RANGE")
            ),
            "Projection": {"ProjectionType": "ALL"},
        }
    ]


MALFORMED = [
    pytest.param(GlobalSecondaryIndex("by-x", partition_key=("a", "a")), id="twice-in-partition"),
    pytest.param(
        GlobalSecondaryIndex("by-x", partition_key=("a", "b"), sort_key=("c", "b")),
        id="in-partition-and-sort",
    ),
]


@pytest.mark.parametrize("index", MALFORMED)
def test_an_index_naming_a_field_twice_is_a_definition_error(index: Any) -> None:
    with pytest.raises(ModelDefinitionError, match=r"an index key names each field once"):
        declare(index)


# -- queries -------------------------------------------------------------------------------


async def test_every_partition_field_by_keyword(server: Canned, mode: str) -> None:
    server.answer(Query=answer(order_item("o1", 3), order_item("o2", 1)))
    got = await query_all(mode, Order.by_status, tenant="t1", status=Status.open)
    assert got == [order("o1", 3), order("o2", 1)]
    assert sent(server) == query_request(("tenant", "status"), [T1, OPEN])


async def test_values_are_stored_by_each_field_s_type(server: Canned, mode: str) -> None:
    """A str for an Enum field, an ISO string for a datetime, a str for an int: each value
    is validated with its field's type, as it is stored."""
    server.answer(Query=answer())
    options = {"tenant": "t1", "status": "open", "placed": "2025-01-02T03:04:05Z", "n": "3"}
    assert await query_all(mode, Order.by_status, **options) == []
    names = ("tenant", "status", "placed", "n")
    assert sent(server) == query_request(names, [T1, OPEN, PLACED_STORED, {"N": "3"}])


async def test_leading_sort_fields_by_keyword(server: Canned, mode: str) -> None:
    server.answer(Query=answer())
    await query_all(mode, Order.by_status, tenant="t1", status="open", placed=PLACED)
    names = ("tenant", "status", "placed")
    assert sent(server) == query_request(names, [T1, OPEN, PLACED_STORED])


async def test_a_range_on_the_first_sort_field(server: Canned, mode: str) -> None:
    server.answer(Query=answer())
    since = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
    await query_all(
        mode, Order.by_status, tenant="t1", status="open", sort_key_condition=Order.placed >= since
    )
    since_stored = {"S": "2025-01-01T00:00:00.000000+00:00"}
    names = ("tenant", "status", "placed")
    expected = query_request(
        names, [T1, OPEN, since_stored], key_condition=condition(*names, last=">=")
    )
    assert sent(server) == expected


async def test_a_range_on_the_field_after_the_last_given(server: Canned, mode: str) -> None:
    server.answer(Query=answer())
    await query_all(
        mode,
        Order.by_status,
        tenant="t1",
        status="open",
        placed=PLACED,
        sort_key_condition=path(Order.n).between(1, 3),
    )
    assert sent(server) == {
        "TableName": "orders",
        "KeyConditionExpression": "#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2 AND #n3 BETWEEN :v3 AND :v4",
        "IndexName": "by-status",
        "ExpressionAttributeNames": {"#n0": "tenant", "#n1": "status", "#n2": "placed", "#n3": "n"},
        "ExpressionAttributeValues": {
            ":v0": T1, ":v1": OPEN, ":v2": PLACED_STORED, ":v3": {"N": "1"}, ":v4": {"N": "3"},
        },
    }  # fmt: skip


async def test_descending_with_a_limit_and_a_filter(server: Canned, mode: str) -> None:
    server.answer(Query=answer(order_item("o1", 3)))
    got = await query_all(
        mode,
        Order.by_status,
        tenant="t1",
        status="open",
        scan_index_forward=False,
        limit=1,
        filter_condition=Order.owner == "ann",
    )
    assert got == [order("o1", 3)]
    assert sent(server) == {
        "TableName": "orders",
        "KeyConditionExpression": "#n0 = :v0 AND #n1 = :v1",
        "FilterExpression": "#n2 = :v2",
        "ScanIndexForward": False,
        "IndexName": "by-status",
        "ExpressionAttributeNames": {"#n0": "tenant", "#n1": "status", "#n2": "owner"},
        "ExpressionAttributeValues": {":v0": T1, ":v1": OPEN, ":v2": {"S": "ann"}},
    }


async def test_an_index_keyed_partly_by_the_table_key(server: Canned, mode: str) -> None:
    server.answer(Query=answer())
    await query_all(
        mode, Order.by_owner, pk="ORG#1", owner="ann", sort_key_condition=Order.n < 4, limit=5
    )
    names = ("pk", "owner", "n")
    values = [{"S": "ORG#1"}, {"S": "ann"}, {"N": "4"}]
    expected = query_request(
        names, values, key_condition=condition(*names, last="<"), index="by-owner", Limit=5
    )
    assert sent(server) == expected


LAST_KEY = {
    "pk": {"S": "ORG#1"},
    "sk": {"S": "o1"},
    "tenant": T1,
    "status": OPEN,
    "placed": PLACED_STORED,
    "n": {"N": "3"},
}
LAST_KEY_PLAIN = {
    "pk": "ORG#1",
    "sk": "o1",
    "tenant": "t1",
    "status": "open",
    "placed": "2025-01-02T03:04:05.000000+00:00",
    "n": 3,
}


async def test_a_read_resumes_from_the_last_evaluated_key_of_the_index(
    server: Canned, mode: str
) -> None:
    server.answer(Query=answer(order_item("o1", 3), last=LAST_KEY))
    index = Order.by_status
    if mode == "sync":
        first: Any = index.sync_query(tenant="t1", status="open", limit=1)
        assert first.all() == [order("o1", 3)]
    else:
        first = index.query(tenant="t1", status="open", limit=1)
        assert await first.all() == [order("o1", 3)]
    assert first.last_evaluated_key == LAST_KEY_PLAIN
    assert sent(server)["Limit"] == 1

    server.answer(Query=answer(order_item("o3", 5)))
    rest = await query_all(
        mode, index, tenant="t1", status="open", last_evaluated_key=first.last_evaluated_key
    )
    assert rest == [order("o3", 5)]
    assert sent(server)["ExclusiveStartKey"] == LAST_KEY


def ticket_item(n: int) -> dict[str, Any]:
    return {
        "pk": {"S": f"TICKET#{n}"},
        "sk": {"S": "TICKET"},
        "entity": {"S": "Ticket"},
        "ticket_id": {"S": str(n)},
        "tenant": T1,
        "status": OPEN,
        "opened": {"S": "2025-01-02"},
        "priority": {"N": str(n)},
    }


def ticket(n: int) -> Ticket:
    return Ticket(
        ticket_id=str(n), tenant="t1", status="open", opened=dt.date(2025, 1, 2), priority=n
    )


TICKET_2_KEY = {
    "pk": "TICKET#2",
    "sk": "TICKET",
    "tenant": "t1",
    "status": "open",
    "opened": "2025-01-02",
    "priority": 2,
}


async def test_an_entity_query_filters_on_the_entity_and_resumes_after_its_last_item(
    server: Canned, mode: str
) -> None:
    """The entity filter makes DynamoDB's Limit useless: the read stops after the items
    wanted and resumes from the last one's key, which names every attribute of the index."""
    server.answer(Query=answer(ticket_item(1), ticket_item(2), ticket_item(3)))
    options: dict[str, Any] = {"tenant": "t1", "status": "open", "opened": dt.date(2025, 1, 2)}
    if mode == "sync":
        result: Any = Ticket.by_status.sync_query(**options, limit=2)
        assert result.all() == [ticket(1), ticket(2)]
    else:
        result = Ticket.by_status.query(**options, limit=2)
        assert await result.all() == [ticket(1), ticket(2)]
    assert result.last_evaluated_key == TICKET_2_KEY
    assert sent(server) == {
        "TableName": "desk",
        "KeyConditionExpression": "#n0 = :v0 AND #n1 = :v1 AND #n2 = :v2",
        "FilterExpression": "#n3 = :v3",
        "IndexName": "by-status",
        "ExpressionAttributeNames": {"#n0": "tenant", "#n1": "status", "#n2": "opened", "#n3": "entity"},
        "ExpressionAttributeValues": {
            ":v0": T1, ":v1": OPEN, ":v2": {"S": "2025-01-02"}, ":v3": {"S": "Ticket"},
        },
    }  # fmt: skip


async def page(mode: str, index: Any, size: int, cursor: str | None, **key: Any) -> Any:
    if mode == "sync":
        return index.sync_query(**key).page(size, cursor)
    return await index.query(**key).page(size, cursor)


async def test_page_cursors_hold_every_attribute_of_the_index_and_its_partition(
    server: Canned, mode: str
) -> None:
    server.answer(Query=answer(ticket_item(1), ticket_item(2), ticket_item(3)))
    first = await page(mode, Ticket.by_status, 2, None, tenant="t1", status="open")
    assert first.items == [ticket(1), ticket(2)]
    assert first.next_cursor is not None

    server.answer(Query=answer(ticket_item(3)))
    second = await page(mode, Ticket.by_status, 2, first.next_cursor, tenant="t1", status="open")
    assert second.items == [ticket(3)]
    assert second.next_cursor is None
    assert sent(server)["ExclusiveStartKey"] == {
        "pk": {"S": "TICKET#2"},
        "sk": {"S": "TICKET"},
        "tenant": T1,
        "status": OPEN,
        "opened": {"S": "2025-01-02"},
        "priority": {"N": "2"},
    }

    server.answer(Query=answer())
    for other in ({"tenant": "t2", "status": "open"}, {"tenant": "t1", "status": "done"}):
        with pytest.raises(InvalidCursorException):
            await page(mode, Ticket.by_status, 2, first.next_cursor, **other)
    assert server.requests == []


# -- refused before sending ----------------------------------------------------------------

REFUSED = [
    pytest.param(("t1",), {"status": "open"}, "query with each partition attribute", id="positional"),
    pytest.param((), {}, "missing: tenant, status", id="no-key"),
    pytest.param((), {"tenant": "t1"}, "missing: status", id="one-of-two-partition-fields"),
    pytest.param((), {"status": "open", "n": 1}, "missing: tenant", id="sort-field-not-partition"),
    pytest.param((), {"tenant": "t1", "status": "open", "colour": "red"}, "unknown: colour", id="unknown"),
    pytest.param((), {"tenant": "t1", "status": "open", "owner": "ann"}, "unknown: owner", id="field-of-another-index"),
    pytest.param((), {"tenant": "t1", "status": "open", "n": 1}, "then sort attributes from the left", id="gap"),
    pytest.param((), {"tenant": "", "status": "open"}, "Order.tenant is an index key and cannot be empty", id="empty-partition-value"),
    pytest.param((), {"tenant": "t1", "status": "open", "consistent_read": True}, "no consistent reads", id="consistent-read"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "options", "message"), REFUSED)
async def test_a_wrong_key_is_refused_before_sending(
    server: Canned, mode: str, args: tuple[Any, ...], options: dict[str, Any], message: str
) -> None:
    server.answer(Query=answer())
    with pytest.raises(ValidationException, match=message):
        if mode == "sync":
            Order.by_status.sync_query(*args, **options).all()
        else:
            await Order.by_status.query(*args, **options).all()
    assert server.requests == []


async def test_a_value_not_of_its_field_s_type_is_refused_before_sending(
    server: Canned, mode: str
) -> None:
    server.answer(Query=answer())
    with pytest.raises(ValueError, match="Status"):  # pydantic's ValidationError
        await query_all(mode, Order.by_status, tenant="t1", status="bogus")
    assert server.requests == []


async def test_an_entity_query_names_the_index_fields_not_the_templates(
    server: Canned, mode: str
) -> None:
    server.answer(Query=answer())
    with pytest.raises(ValidationException, match="unknown: ticket_id"):
        await query_all(mode, Ticket.by_status, tenant="t1", status="open", ticket_id="1")
    assert server.requests == []
