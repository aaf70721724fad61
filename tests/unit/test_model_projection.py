"""Model projections without a real server (issue 14 item 6, model side): what each form sends
and what is refused before sending.

``await User.get(..., project=UserCard)`` reads UserCard's fields and the discriminator (an
item of another entity, or of none, gives None); ``User.query(...).project(UserCard)``, scans
and index reads project the card's fields and the key attributes (the entity is checked by the
server-side filter); ``Collection(User, Order).project(Summary)`` projects the fields every
entity has, the keys, and the discriminator it checks each item with. The requests are read
off a canned DynamoDB (``Canned``, tests/canned.py), which answers only what a test names: a
refusal leaves its request list empty (``server.requests == []``), the proof that nothing was
sent. The same reads on moto and dynalite are in tests/integration/test_model_projection.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from pydynox import (
    Collection,
    DynamoConfig,
    GlobalSecondaryIndex,
    Model,
    ModelDefinitionError,
    PartitionKey,
    SortKey,
    ValidationException,
)

from ..canned import Canned
from ..entity_models import AppTable, Order, User


class UserCard(BaseModel):
    name: str


class OrderTotal(BaseModel):
    order_id: int
    total: Decimal


class Summary(BaseModel):
    """Fields every entity of the collection has (``sk`` from the base, ``user_id`` its own)."""

    user_id: str
    sk: str


class Wide(BaseModel):
    name: str
    nickname: str  # no model here has it


class Empty(BaseModel):
    pass


class Person(Model):
    """A plain model (no discriminator) with a sort key and a global index."""

    model_config = DynamoConfig(table="people")
    org: Annotated[str, PartitionKey()]
    id: Annotated[str, SortKey()]
    name: str
    email: str | None = None
    age: int = 0
    by_email = GlobalSecondaryIndex("by-email", partition_key="email")


class PersonCard(BaseModel):
    name: str
    age: int = 0


# -- a canned DynamoDB ---------------------------------------------------------------------


def bodies(server: Canned) -> list[dict[str, Any]]:
    """The JSON body of each request the server received, in order."""
    return [request.json() for request in server.requests]


def projection_of(body: dict[str, Any]) -> tuple[str, dict[str, str]]:
    """A request's ProjectionExpression and its attribute names."""
    return body["ProjectionExpression"], body["ExpressionAttributeNames"]


def spelled(body: dict[str, Any], key: str) -> str:
    """An expression of a request with its name placeholders replaced: ``entity = :v0``."""
    names: dict[str, str] = body.get("ExpressionAttributeNames", {})
    return re.sub(r"#[A-Za-z0-9_]+", lambda m: names[m.group(0)], str(body.get(key, "")))


def answer(*items: dict[str, Any]) -> dict[str, Any]:
    return {"Items": list(items), "Count": len(items), "ScannedCount": len(items)}


def s(value: str) -> dict[str, str]:
    return {"S": value}


# What DynamoDB returns for the projections below (a projected item holds only what was asked).
USER_CARD = {"name": s("Ann"), "pk": s("USER#1"), "sk": s("PROFILE")}
USER_CARD_IN_INDEX = USER_CARD | {"gsi1pk": s("EMAIL#a@x.io"), "gsi1sk": s("USER")}
PERSON_CARD = {"org": s("o"), "id": s("1"), "name": s("Ann"), "age": {"N": "7"}}


# -- get(..., project=) --------------------------------------------------------------------


async def test_get_project_reads_the_fields_and_the_discriminator(server: Canned) -> None:
    server.answer(GetItem={"Item": {"name": s("Ann"), "entity": s("User")}})
    got = await User.get(user_id="1", project=UserCard)
    assert type(got) is UserCard and got == UserCard(name="Ann")
    assert User.sync_get(True, user_id="1", project=UserCard) == UserCard(name="Ann")
    first, second = bodies(server)
    assert first == {
        "TableName": "app",
        "Key": {"pk": s("USER#1"), "sk": s("PROFILE")},
        "ConsistentRead": False,
        "ProjectionExpression": "#n0, #n1",
        "ExpressionAttributeNames": {"#n0": "name", "#n1": "entity"},
    }
    assert second == first | {"ConsistentRead": True}


async def test_get_project_of_an_order_reads_its_fields(server: Canned) -> None:
    item = {"order_id": {"N": "42"}, "total": {"N": "9.5"}, "entity": s("Order")}
    server.answer(GetItem={"Item": item})
    wanted = OrderTotal(order_id=42, total=Decimal("9.5"))
    assert await Order.get(user_id="1", order_id=42, project=OrderTotal) == wanted
    assert Order.sync_get(user_id="1", order_id="42", project=OrderTotal) == wanted
    for body in bodies(server):
        assert body["Key"] == {"pk": s("USER#1"), "sk": s("ORDER#00000042")}
        assert projection_of(body) == (
            "#n0, #n1, #n2",
            {"#n0": "order_id", "#n1": "total", "#n2": "entity"},
        )


@pytest.mark.parametrize(
    "response",
    [
        {},
        {"Item": {"name": s("Ann"), "entity": s("Order")}},
        {"Item": {"name": s("Ann"), "entity": s("user")}},
        {"Item": {"name": s("Ann")}},
    ],
    ids=["no-item", "another-entity", "another-case", "no-discriminator"],
)
async def test_get_project_of_no_item_or_another_entitys_is_none(
    server: Canned, response: dict[str, Any]
) -> None:
    server.answer(GetItem=response)
    assert await User.get(user_id="1", project=UserCard) is None
    assert User.sync_get(user_id="1", project=UserCard) is None
    assert server.ops() == ["GetItem", "GetItem"]


async def test_get_project_of_a_plain_model_reads_only_the_fields(server: Canned) -> None:
    server.answer(GetItem={"Item": {"name": s("Ann")}})  # no age stored: its default
    assert await Person.get(org="o", id="1", project=PersonCard) == PersonCard(name="Ann")
    assert Person.sync_get(org="o", id="1", project=PersonCard) == PersonCard(name="Ann")
    for body in bodies(server):
        assert body["Key"] == {"org": s("o"), "id": s("1")}
        assert projection_of(body) == ("#n0, #n1", {"#n0": "name", "#n1": "age"})


# -- query, scan and index reads ---------------------------------------------------------------


async def test_an_entity_query_projects_the_fields_and_the_keys(server: Canned) -> None:
    server.answer(Query=answer(USER_CARD))
    assert await User.query(user_id="1").project(UserCard).all() == [UserCard(name="Ann")]
    assert User.sync_query(user_id="1").project(UserCard).all() == [UserCard(name="Ann")]
    assert await User.query(user_id="1").project(UserCard).first() == UserCard(name="Ann")
    first, second, third = bodies(server)
    assert spelled(first, "KeyConditionExpression") == "pk = :v0 AND sk = :v1"
    assert spelled(first, "FilterExpression") == "entity = :v2"
    # the key attributes' placeholders are the key condition's; the entity is checked by the
    # filter, so the discriminator is not read
    names = {"#n0": "pk", "#n1": "sk", "#n2": "entity", "#n3": "name"}
    for body in (first, second, third):
        assert projection_of(body) == ("#n3, #n0, #n1", names)
    assert first == second == third


async def test_an_entity_scan_projects_the_fields_and_the_keys(server: Canned) -> None:
    server.answer(Scan=answer(USER_CARD))
    assert await User.scan().project(UserCard).all() == [UserCard(name="Ann")]
    assert User.sync_scan(limit=1).project(UserCard).all() == [UserCard(name="Ann")]
    for body in bodies(server):
        assert spelled(body, "FilterExpression") == "entity = :v0"
        assert projection_of(body) == (
            "#n1, #n2, #n3",
            {"#n0": "entity", "#n1": "name", "#n2": "pk", "#n3": "sk"},
        )


async def test_an_index_query_projects_the_table_and_index_keys(server: Canned) -> None:
    server.answer(Query=answer(USER_CARD_IN_INDEX))
    cards = await User.by_gsi1.query(email="a@x.io").project(UserCard).all()
    assert cards == [UserCard(name="Ann")]
    assert User.by_gsi1.sync_query(email="a@x.io").project(UserCard).all() == cards
    for body in bodies(server):
        assert body["IndexName"] == "gsi1"
        assert spelled(body, "KeyConditionExpression") == "gsi1pk = :v0 AND gsi1sk = :v1"
        assert projection_of(body) == (
            "#n3, #n4, #n5, #n0, #n1",
            {
                "#n0": "gsi1pk",
                "#n1": "gsi1sk",
                "#n2": "entity",
                "#n3": "name",
                "#n4": "pk",
                "#n5": "sk",
            },
        )


async def test_an_index_scan_projects_the_table_and_index_keys(server: Canned) -> None:
    server.answer(Scan=answer(USER_CARD_IN_INDEX))
    assert await User.by_gsi1.scan().project(UserCard).all() == [UserCard(name="Ann")]
    assert User.by_gsi1.sync_scan().project(UserCard).all() == [UserCard(name="Ann")]
    for body in bodies(server):
        assert body["IndexName"] == "gsi1"
        assert projection_of(body) == (
            "#n1, #n2, #n3, #n4, #n5",
            {
                "#n0": "entity",
                "#n1": "name",
                "#n2": "pk",
                "#n3": "sk",
                "#n4": "gsi1pk",
                "#n5": "gsi1sk",
            },
        )


async def test_plain_model_reads_project_the_fields_and_the_keys(server: Canned) -> None:
    server.answer(Query=answer(PERSON_CARD), Scan=answer(PERSON_CARD))
    card = PersonCard(name="Ann", age=7)
    assert await Person.query("o").project(PersonCard).all() == [card]
    assert Person.sync_scan().project(PersonCard).all() == [card]
    query, scan = bodies(server)
    indexed = PERSON_CARD | {"email": s("a@x.io")}
    server.answer(Query=answer(indexed), Scan=answer(indexed))  # (forgets the requests)
    assert Person.by_email.sync_query("a@x.io").project(PersonCard).all() == [card]
    assert await Person.by_email.scan().project(PersonCard).all() == [card]
    index_query, index_scan = bodies(server)
    assert "FilterExpression" not in query and "FilterExpression" not in scan
    assert projection_of(query) == (
        "#n1, #n2, #n0, #n3",
        {"#n0": "org", "#n1": "name", "#n2": "age", "#n3": "id"},
    )
    assert projection_of(scan) == (
        "#n0, #n1, #n2, #n3",
        {"#n0": "name", "#n1": "age", "#n2": "org", "#n3": "id"},
    )
    assert projection_of(index_query) == (
        "#n1, #n2, #n3, #n4, #n0",
        {"#n0": "email", "#n1": "name", "#n2": "age", "#n3": "org", "#n4": "id"},
    )
    assert projection_of(index_scan) == (
        "#n0, #n1, #n2, #n3, #n4",
        {"#n0": "name", "#n1": "age", "#n2": "org", "#n3": "id", "#n4": "email"},
    )


# -- Collection(...).project(...) --------------------------------------------------------------


ORDER_SUMMARY = {"user_id": s("1"), "pk": s("USER#1"), "sk": s("ORDER#00000042")}
USER_SUMMARY = {"user_id": s("1"), "pk": s("USER#1"), "sk": s("PROFILE")}


async def test_a_collection_projects_common_fields_keys_and_the_discriminator(
    server: Canned,
) -> None:
    items = [ORDER_SUMMARY | {"entity": s("Order")}, USER_SUMMARY | {"entity": s("User")}]
    server.answer(Query=answer(*items))
    wanted = [Summary(user_id="1", sk="ORDER#00000042"), Summary(user_id="1", sk="PROFILE")]
    both = Collection(User, Order).project(Summary)
    assert await both.query(user_id="1").all() == wanted
    assert both.sync_query(user_id="1").all() == wanted
    raising = Collection(User, Order, unknown="raise").project(Summary)
    assert raising.sync_query(user_id="1").all() == wanted
    skip, sync_skip, raise_ = bodies(server)
    assert skip == sync_skip
    assert spelled(skip, "KeyConditionExpression") == "pk = :v0"
    assert spelled(skip, "FilterExpression") == "entity IN (:v1, :v2)"
    assert projection_of(skip) == (
        "#n2, #n3, #n0, #n1",
        {"#n0": "pk", "#n1": "entity", "#n2": "user_id", "#n3": "sk"},
    )
    # unknown="raise" filters nothing: the discriminator is projected to check each item
    assert "FilterExpression" not in raise_
    assert projection_of(raise_) == (
        "#n1, #n2, #n0, #n3",
        {"#n0": "pk", "#n1": "user_id", "#n2": "sk", "#n3": "entity"},
    )


@pytest.mark.parametrize(
    "item",
    [USER_SUMMARY | {"entity": s("Ghost")}, USER_SUMMARY],
    ids=["unknown-entity", "no-discriminator"],
)
async def test_a_projected_collection_raises_on_an_item_of_no_entity_it_names(
    server: Canned, item: dict[str, Any]
) -> None:
    server.answer(Query=answer(ORDER_SUMMARY | {"entity": s("Order")}, item))
    raising = Collection(User, Order, unknown="raise").project(Summary)
    with pytest.raises(ValidationException, match="unknown='raise'"):
        raising.sync_query(user_id="1").all()
    with pytest.raises(ValidationException, match="unknown='raise'"):
        await raising.query(user_id="1").all()


async def test_projecting_a_collection_leaves_the_collection_as_it_was(server: Canned) -> None:
    both = Collection(User, Order)
    both.project(Summary)
    server.answer(Query=answer())
    assert await both.query(user_id="1").all() == []
    (body,) = bodies(server)
    assert "ProjectionExpression" not in body


# -- refused before sending ------------------------------------------------------------------


REFUSED: list[Any] = [
    # get(project=): a field the entity lacks, a non-model, a model without fields
    pytest.param(
        lambda: User.get(user_id="1", project=Wide),
        "cannot project Wide: 'nickname' is not a field of User",
        id="get-unknown-field",
    ),
    pytest.param(
        lambda: User.get(user_id="1", project=OrderTotal),
        "cannot project OrderTotal: 'order_id' is not a field of User",
        id="get-field-of-another-entity",
    ),
    pytest.param(
        lambda: Order.sync_get(user_id="1", order_id=1, project=UserCard),
        "cannot project UserCard: 'name' is not a field of Order",
        id="sync-get-field-of-another-entity",
    ),
    pytest.param(
        lambda: Person.sync_get(org="o", id="1", project=Wide),
        "'nickname' is not a field of Person",
        id="plain-get",
    ),
    pytest.param(
        lambda: User.get(user_id="1", project=dict),  # type: ignore[type-var]
        "project= takes a pydantic model class, not <class 'dict'>",
        id="get-a-dict",
    ),
    pytest.param(
        lambda: User.sync_get(user_id="1", project=UserCard(name="Ann")),  # type: ignore[call-overload]
        "project= takes a pydantic model class, not UserCard(name='Ann')",
        id="get-an-instance",
    ),
    pytest.param(
        lambda: User.get(user_id="1", project=Empty), "Empty has no fields", id="get-no-fields"
    ),
    # query, scan, index query and scan: refused by project() itself
    pytest.param(
        lambda: User.query(user_id="1").project(Wide),
        "cannot make this projection of Wide: 'nickname' is not a field of User",
        id="query",
    ),
    pytest.param(
        lambda: User.sync_query(user_id="1").project(Wide),
        "'nickname' is not a field of User",
        id="sync-query",
    ),
    pytest.param(
        lambda: Order.query(user_id="1").project(UserCard),
        "'name' is not a field of Order",
        id="query-field-of-another-entity",
    ),
    pytest.param(lambda: User.scan().project(Wide), "'nickname' is not a field of User", id="scan"),
    pytest.param(
        lambda: User.sync_scan().project(Wide), "'nickname' is not a field of User", id="sync-scan"
    ),
    pytest.param(
        lambda: User.by_gsi1.query(email="a@x.io").project(Wide),
        "'nickname' is not a field of User",
        id="index-query",
    ),
    pytest.param(
        lambda: User.by_gsi1.sync_query(email="a@x.io").project(Wide),
        "'nickname' is not a field of User",
        id="sync-index-query",
    ),
    pytest.param(
        lambda: User.by_gsi1.scan().project(Wide),
        "'nickname' is not a field of User",
        id="index-scan",
    ),
    pytest.param(
        lambda: Person.query("o").project(Wide),
        "'nickname' is not a field of Person",
        id="plain-query",
    ),
    pytest.param(
        lambda: Person.by_email.sync_query("a@x.io").project(Wide),
        "'nickname' is not a field of Person",
        id="plain-index-query",
    ),
    pytest.param(
        lambda: User.query(user_id="1").project(dict),  # type: ignore[type-var]
        "project() takes a pydantic model class, not <class 'dict'>",
        id="query-a-dict",
    ),
    pytest.param(
        lambda: User.sync_scan().project(Empty), "Empty has no fields", id="scan-no-fields"
    ),
    # a collection: the fields of every entity it names
    pytest.param(
        lambda: Collection(User, Order).project(UserCard).query(user_id="1"),
        "cannot make this projection of UserCard: 'name' is not a field of User and Order",
        id="collection-field-of-one-entity",
    ),
    pytest.param(
        lambda: Collection(User, Order).project(OrderTotal).sync_query(user_id="1"),
        "'order_id' is not a field of User and Order",
        id="sync-collection-field-of-one-entity",
    ),
    pytest.param(
        lambda: Collection(User, Order).project(Wide).query(user_id="1"),
        "'name' is not a field of User and Order",
        id="collection-unknown-field",
    ),
]


@pytest.mark.parametrize(("call", "message"), REFUSED)
async def test_a_bad_projection_is_refused_before_sending(
    server: Canned, call: Callable[[], Any], message: str
) -> None:
    server.answer(answer())  # anything sent would be answered: the refusal must come first
    with pytest.raises(ValidationException, match=re.escape(message)):
        made = call()
        if hasattr(made, "__await__"):
            await made
    assert server.requests == []


async def test_the_base_of_the_entities_refuses_a_projected_get(server: Canned) -> None:
    class Keys(BaseModel):
        pk: str

    with pytest.raises(ModelDefinitionError, match="Collection"):
        await AppTable.get(pk="USER#1", sk="PROFILE", project=Keys)
    with pytest.raises(ModelDefinitionError, match="Collection"):
        AppTable.sync_get(pk="USER#1", sk="PROFILE", project=Keys)
    assert server.requests == []


@pytest.mark.parametrize(
    ("model", "named"),
    [(dict, "<class 'dict'>"), (3, "3"), (UserCard(name="Ann"), "UserCard(name='Ann')")],
    ids=["a-dict", "a-number", "an-instance"],
)
async def test_a_collection_refuses_a_non_model_projection_before_sending(
    server: Canned, model: Any, named: str
) -> None:
    server.answer(answer())
    message = f"project() takes a pydantic model class, not {named}"
    with pytest.raises(ValidationException, match=re.escape(message)):
        Collection(User, Order).project(model).sync_query(user_id="1")
    with pytest.raises(ValidationException, match=re.escape(message)):
        Collection(User, Order).project(model).query(user_id="1")
    assert server.requests == []


async def test_a_discriminator_with_a_dot_is_projected_as_one_attribute(server: Canned) -> None:
    class Dotted(Model):
        model_config = DynamoConfig(table="dotted", discriminator="meta.kind")
        pk: Annotated[str, PartitionKey()] = ""

    class Note(Dotted):
        model_config = DynamoConfig(entity="Note", keys={"pk": "NOTE#{n}"})
        n: int

    class NoteCard(BaseModel):
        n: int

    server.answer(GetItem={"Item": {"n": {"N": "1"}, "meta.kind": s("Note")}})
    assert await Note.get(n=1, project=NoteCard) == NoteCard(n=1)
    (body,) = bodies(server)
    assert projection_of(body) == ("#n0, #n1", {"#n0": "n", "#n1": "meta.kind"})
