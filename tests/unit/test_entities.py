"""Entities, key templates and collections, without a real server (issue 14 items 1, 2, 4).

Definition errors are raised when the class is created. What reads and writes send is read
off the requests a canned DynamoDB receives (``Canned``, tests/canned.py): it answers only the
operations a test names, and a write refused before sending leaves its request list empty
(``server.requests == []``), which is the proof that nothing was sent. The same scenarios
against moto and dynalite are in tests/integration/test_entities.py; the types that mypy
follows are pinned in tests/typing/user_entities.py.
"""

from __future__ import annotations

import datetime as dt
import enum
import importlib.util
import re
import sys
import types
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pytest
from pydantic import ValidationError

from pydynox import (
    Attr,
    Collection,
    DynamoConfig,
    DynamoDBClient,
    GlobalSecondaryIndex,
    Model,
    ModelDefinitionError,
    PartitionKey,
    SortKey,
    SyncBatchWriter,
    SyncTransaction,
    Transaction,
    ValidationException,
)
from pydynox.testing import local_client

from ..canned import Canned
from ..entity_models import AppTable, Order, User

ROOT = Path(__file__).resolve().parents[2]
TYPING_FILE = ROOT / "tests" / "typing" / "user_entities.py"


class Status(str, enum.Enum):
    open = "open"
    closed = "closed"


class Event(AppTable):
    """Templates over a date, a datetime and an Enum."""

    model_config = DynamoConfig(entity="Event", keys={"pk": "DAY#{day}", "sk": "AT#{at}#{status}"})
    day: dt.date
    at: dt.datetime
    status: Status


class Member(AppTable):
    """An optional field used only by an index-key template: the index is sparse."""

    model_config = DynamoConfig(
        entity="Member",
        keys={"pk": "TEAM#{team}", "sk": "MEMBER#{member_id}", "gsi1pk": "EMAIL#{email}"},
    )
    team: str
    member_id: str
    email: str | None = None


class Draft(AppTable):
    """An optional field used by a table-key template: the key needs it."""

    model_config = DynamoConfig(entity="Draft", keys={"pk": "OWNER#{owner}", "sk": "DRAFT"})
    owner: str | None = None


class Plain(Model):
    """A table of its own with no discriminator: not a base of entities."""

    model_config = DynamoConfig(table="plain")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]


# -- a canned DynamoDB ---------------------------------------------------------------------


def sent(server: Canned) -> dict[str, Any]:
    """The JSON body of the one request the server received."""
    assert len(server.requests) == 1, server.ops()
    body: dict[str, Any] = server.requests[0].json()
    return body


def expression(params: dict[str, Any], key: str) -> str:
    """An expression of a request with its placeholders replaced: ``pk = 'USER#1'``."""
    names: dict[str, str] = params.get("ExpressionAttributeNames", {})
    values: dict[str, dict[str, Any]] = params.get("ExpressionAttributeValues", {})

    def spelled(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in names:
            return names[token]
        if token in values:
            ((kind, value),) = values[token].items()
            return f"'{value}'" if kind == "S" else str(value)
        return token

    return re.sub(r"[#:][A-Za-z0-9_]+", spelled, str(params.get(key, "")))


def entity_filter(params: dict[str, Any]) -> set[str]:
    """The entities named by ``entity IN (...)`` in a request's filter."""
    found = re.search(r"entity IN \(([^)]*)\)", expression(params, "FilterExpression"))
    assert found, expression(params, "FilterExpression")
    return {name.strip(" '") for name in found.group(1).split(",")}


USER_ITEM: dict[str, Any] = {
    "pk": {"S": "USER#1"},
    "sk": {"S": "PROFILE"},
    "gsi1pk": {"S": "EMAIL#a@x.io"},
    "gsi1sk": {"S": "USER"},
    "entity": {"S": "User"},
    "user_id": {"S": "1"},
    "name": {"S": "Ann"},
    "email": {"S": "a@x.io"},
}
ORDER_ITEM: dict[str, Any] = {
    "pk": {"S": "USER#1"},
    "sk": {"S": "ORDER#00000042"},
    "entity": {"S": "Order"},
    "user_id": {"S": "1"},
    "order_id": {"N": "42"},
    "total": {"N": "9.5"},
}


def ann() -> User:
    return User(user_id="1", name="Ann", email="a@x.io")


def order_42() -> Order:
    return Order(user_id="1", order_id=42, total=Decimal("9.5"))


def query_answer(*items: dict[str, Any]) -> dict[str, Any]:
    return {"Items": list(items), "Count": len(items), "ScannedCount": len(items)}


# -- declaring: definition errors ----------------------------------------------------------


class WithoutDiscriminator(Model):
    model_config = DynamoConfig(table="plain2")
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[str, SortKey()] = ""


class NumberSorted(Model):
    model_config = DynamoConfig(table="numbers", discriminator="entity")
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[int, SortKey()] = 0


def define(
    base: type, config: dict[str, Any], annotations: dict[str, Any], **defaults: Any
) -> type:
    """``class Bad(base)`` with this config, these field annotations and defaults."""
    namespace = {"model_config": config, "__annotations__": dict(annotations), **defaults}

    def body(ns: dict[str, Any]) -> None:
        ns.update(namespace)
        ns["__module__"] = __name__

    return types.new_class("Bad", (base,), exec_body=body)


USER_FIELDS = {"user_id": str, "name": str}
DEFINITION_ERRORS = [
    pytest.param(
        WithoutDiscriminator,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id}", "sk": "PROFILE"}},
        USER_FIELDS,
        "discriminator",
        id="entity-on-a-base-without-a-discriminator",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{nope}", "sk": "PROFILE"}},
        USER_FIELDS,
        "nope",
        id="template-names-an-unknown-field",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id}", "sk": "COPY#{pk}"}},
        USER_FIELDS,
        "pk",
        id="template-names-the-table-key",
    ),
    pytest.param(
        AppTable,
        {
            "entity": "Bad",
            "keys": {"pk": "USER#{user_id}", "sk": "BY#{gsi1pk}", "gsi1pk": "X#{user_id}"},
        },
        USER_FIELDS,
        "gsi1pk",
        id="template-names-a-computed-index-key",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id}", "sk": "KIND#{entity}"}},
        USER_FIELDS,
        "entity",
        id="template-names-the-discriminator",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id}", "name": "NAME#{user_id}"}},
        USER_FIELDS,
        "name",
        id="keys-names-a-field-that-is-no-key",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id}", "nowhere": "X"}},
        USER_FIELDS,
        "nowhere",
        id="keys-names-no-field-at-all",
    ),
    pytest.param(
        NumberSorted,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id}", "sk": "{n}"}},
        {"user_id": str, "n": int},
        "sk",
        id="a-template-on-a-number-key",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id", "sk": "PROFILE"}},
        USER_FIELDS,
        "USER#{user_id",
        id="malformed-unclosed-brace",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#}{user_id}", "sk": "PROFILE"}},
        USER_FIELDS,
        "USER#}{user_id}",
        id="malformed-single-closing-brace",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{}", "sk": "PROFILE"}},
        USER_FIELDS,
        "USER#{}",
        id="malformed-positional-field",
    ),
    pytest.param(
        AppTable,
        {"entity": "Bad", "keys": {"pk": "USER#{user_id!r}", "sk": "PROFILE"}},
        USER_FIELDS,
        "USER#{user_id!r}",
        id="malformed-conversion",
    ),
]


@pytest.mark.parametrize(("base", "config", "annotations", "named"), DEFINITION_ERRORS)
def test_a_wrong_entity_declaration_is_a_definition_error(
    base: type, config: dict[str, Any], annotations: dict[str, Any], named: str
) -> None:
    with pytest.raises(ModelDefinitionError, match=re.escape(named)):
        define(base, DynamoConfig(**config), annotations)


def test_an_entity_field_named_like_the_discriminator_is_a_definition_error() -> None:
    with pytest.raises(ModelDefinitionError, match="entity"):
        define(
            AppTable,
            DynamoConfig(entity="Bad", keys={"pk": "USER#{user_id}", "sk": "PROFILE"}),
            {"user_id": str, "entity": str},
            entity="Bad",
        )


def test_a_base_field_named_like_its_discriminator_is_a_definition_error() -> None:
    with pytest.raises(ModelDefinitionError, match="kind"):
        define(
            Model,
            DynamoConfig(table="kinds", discriminator="kind"),
            {"pk": Annotated[str, PartitionKey()], "kind": str},
        )


def test_the_declarations_of_the_docs_are_valid() -> None:
    assert User.model_config.get("entity") == "User"
    assert Order.model_config.get("entity") == "Order"
    # The discriminator is not a field, of the base or of an entity.
    for model in (AppTable, User, Order):
        assert "entity" not in model.model_fields


# -- instances -----------------------------------------------------------------------------


def test_construction_computes_every_templated_key() -> None:
    user = ann()
    assert (user.pk, user.sk, user.gsi1pk, user.gsi1sk) == (
        "USER#1",
        "PROFILE",
        "EMAIL#a@x.io",
        "USER",
    )
    order = order_42()
    assert (order.pk, order.sk) == ("USER#1", "ORDER#00000042")
    assert (order.gsi1pk, order.gsi1sk) == (None, None)  # no template: the item is not in gsi1


def test_numbers_are_padded_by_the_format_spec_after_validation() -> None:
    assert Order(user_id="1", order_id="7", total=1).sk == "ORDER#00000007"
    assert Order(user_id="1", order_id=0, total=1).sk == "ORDER#00000000"
    assert Order(user_id="1", order_id=123456789, total=1).sk == "ORDER#123456789"  # wider
    # Padded, so string order is number order.
    sks = [Order(user_id="1", order_id=n, total=1).sk for n in (100, 3, 42, 7)]
    assert sorted(sks) == [Order(user_id="1", order_id=n, total=1).sk for n in (3, 7, 42, 100)]


def test_dates_datetimes_and_enums_are_formatted_as_iso_strings_and_values() -> None:
    at = dt.datetime(2025, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)
    event = Event(day=dt.date(2025, 1, 2), at=at, status=Status.open)
    assert event.pk == "DAY#2025-01-02"
    assert event.sk == "AT#2025-01-02T03:04:05.000006+00:00#open"
    validated = Event.model_validate(
        {"day": "2025-01-02", "at": "2025-01-02T03:04:05.000006Z", "status": "open"}
    )
    assert (validated.pk, validated.sk) == (event.pk, event.sk)


def test_giving_a_key_attribute_its_computed_value_is_accepted() -> None:
    user = User(pk="USER#1", sk="PROFILE", user_id="1", name="Ann", email="a@x.io")
    assert user == ann()
    assert User.model_validate(ann().model_dump()) == ann()  # a dump round-trips
    assert User.model_validate_json(ann().model_dump_json()) == ann()
    assert Order.model_validate(order_42().model_dump()) == order_42()


@pytest.mark.parametrize(
    ("given", "template"),
    [
        ({"pk": "USER#2"}, "USER#{user_id}"),
        ({"sk": "ORDER#1"}, "PROFILE"),
        ({"gsi1pk": "EMAIL#b@x.io"}, "EMAIL#{email}"),
    ],
)
def test_a_key_attribute_given_another_value_is_a_validation_error(
    given: dict[str, str], template: str
) -> None:
    with pytest.raises(ValidationError, match=re.escape(template)):
        User(user_id="1", name="Ann", email="a@x.io", **given)
    with pytest.raises(ValidationError, match=re.escape(template)):
        User.model_validate({"user_id": "1", "name": "Ann", "email": "a@x.io", **given})


def test_an_index_template_with_a_none_field_leaves_the_index_key_none(server: Canned) -> None:
    member = Member(team="red", member_id="7")
    assert (member.pk, member.sk, member.gsi1pk) == ("TEAM#red", "MEMBER#7", None)
    assert Member(team="red", member_id="7", email="m@x.io").gsi1pk == "EMAIL#m@x.io"
    server.answer(PutItem={})
    member.sync_save()
    item = sent(server)["Item"]
    assert "gsi1pk" not in item  # left out: the item is not in the sparse index
    assert item["pk"] == {"S": "TEAM#red"} and item["entity"] == {"S": "Member"}


def test_a_table_key_template_needs_every_field() -> None:
    with pytest.raises(ValidationError, match="owner"):
        Draft()
    with pytest.raises(ValidationError, match="owner"):
        Draft(owner=None)
    assert Draft(owner="ann").pk == "OWNER#ann"


def test_json_schema_has_templated_keys_read_only_and_not_required() -> None:
    schema = User.model_json_schema()
    required = set(schema.get("required", []))
    assert required == {"user_id", "name", "email"}
    for key in ("pk", "sk", "gsi1pk", "gsi1sk"):
        assert schema["properties"][key].get("readOnly") is True, schema["properties"][key]
    assert "entity" not in schema["properties"]
    # Left out of dumps and responses: how the item is stored, not what it is.
    serialization = User.model_json_schema(mode="serialization")
    for key in ("pk", "sk", "gsi1pk", "gsi1sk"):
        assert key not in serialization["properties"]
    user = User(user_id="1", name="Ann", email="a@x.io")
    assert "pk" not in user.model_dump() and user.pk == "USER#1"
    assert User.model_validate(user.model_dump()) == user
    order = Order.model_json_schema()
    assert set(order.get("required", [])) == {"user_id", "order_id", "total"}
    assert order["properties"]["sk"].get("readOnly") is True
    # Not templated on Order: an ordinary optional field.
    assert not order["properties"]["gsi1pk"].get("readOnly")


def test_an_api_body_without_keys_validates_into_an_entity() -> None:
    body = '{"user_id": "1", "name": "Ann", "email": "a@x.io"}'
    assert User.model_validate_json(body) == ann()


# -- writes --------------------------------------------------------------------------------


async def test_save_sends_plain_attributes_and_the_discriminator(server: Canned) -> None:
    server.answer(PutItem={})
    ann().sync_save()
    body = sent(server)
    assert body["TableName"] == "app"
    assert body["Item"] == USER_ITEM
    server.answer(PutItem={})
    await order_42().save()
    assert sent(server)["Item"] == ORDER_ITEM


async def test_a_key_set_by_hand_is_refused_before_sending(server: Canned) -> None:
    user = ann()
    with pytest.raises(ValidationException):
        user.pk = "USER#9"  # refused here, or by the save
        user.sync_save()
    with pytest.raises(ValidationException):
        user.sk = "OTHER"
        await user.save()
    assert server.requests == []


def test_assigning_a_template_field_keeps_the_keys_in_step(server: Canned) -> None:
    # The keys follow the fields: an instance never holds a key its fields do not give.
    user = ann()
    user.user_id = "2"
    user.email = "b@x.io"
    assert (user.pk, user.gsi1pk) == ("USER#2", "EMAIL#b@x.io")
    server.answer(PutItem={})
    user.sync_save()
    item = sent(server)["Item"]
    assert (item["pk"], item["gsi1pk"]) == ({"S": "USER#2"}, {"S": "EMAIL#b@x.io"})


def stale() -> User:
    """A user whose template field changed after construction without its key: pydantic's
    ``model_copy(update=...)`` neither validates nor assigns (a common PATCH idiom)."""
    moved = ann().model_copy(update={"user_id": "2"})
    assert (moved.user_id, moved.pk) == ("2", "USER#1")
    return moved


async def test_a_stale_key_is_refused_by_every_write_before_sending(
    server: Canned, canned_client: DynamoDBClient
) -> None:
    with pytest.raises(ValidationException, match="USER#"):
        stale().sync_save()
    with pytest.raises(ValidationException):
        await stale().save()
    with pytest.raises(ValidationException), SyncBatchWriter(canned_client) as batch:
        batch.put(stale())
    with pytest.raises(ValidationException), SyncTransaction(canned_client) as tx:
        tx.put(stale())
    with pytest.raises(ValidationException):
        async with Transaction(canned_client) as atx:
            atx.put(stale())
    assert server.requests == []


def test_update_by_key_takes_template_fields_and_requires_the_entity(server: Canned) -> None:
    server.answer(UpdateItem={"Attributes": {**USER_ITEM, "name": {"S": "Bo"}}})
    updated = User.sync_update_by_key(user_id="1", name="Bo")
    assert updated == User(user_id="1", name="Bo", email="a@x.io")
    body = sent(server)
    assert body["Key"] == {"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}}
    assert "entity = 'User'" in expression(body, "ConditionExpression")


def test_update_and_save_changes_require_the_entity(server: Canned) -> None:
    user = loaded_ann(server)
    server.answer(UpdateItem={"Attributes": {**USER_ITEM, "name": {"S": "Bo"}}})
    user.sync_update(name="Bo")
    assert "entity = 'User'" in expression(sent(server), "ConditionExpression")
    server.answer(UpdateItem={"Attributes": {**USER_ITEM, "name": {"S": "Cy"}}})
    user.name = "Cy"
    user.sync_save_changes()
    assert "entity = 'User'" in expression(sent(server), "ConditionExpression")


def loaded_ann(server: Canned) -> User:
    server.answer(GetItem={"Item": USER_ITEM})
    user = User.sync_get(user_id="1")
    assert user == ann()
    return user


def test_updating_a_table_key_template_field_is_refused(server: Canned) -> None:
    user = loaded_ann(server)
    server.answer()
    for fields in ({"user_id": "2"}, {"pk": "USER#2"}, {"sk": "OTHER"}):
        with pytest.raises(ValidationException):
            user.sync_update(**fields)
    with pytest.raises(ValidationException):
        User.sync_update_by_key(user_id="1", pk="USER#2")
    assert server.requests == []
    assert user == ann()


def test_delete_by_key_takes_template_fields(server: Canned) -> None:
    server.answer(DeleteItem={})
    Order.sync_delete_by_key(user_id="1", order_id=42)
    assert sent(server)["Key"] == {"pk": {"S": "USER#1"}, "sk": {"S": "ORDER#00000042"}}


# -- reads ---------------------------------------------------------------------------------


async def test_get_takes_the_fields_of_the_key_templates(server: Canned) -> None:
    server.answer(GetItem={})
    assert await Order.get(user_id="1", order_id="7") is None
    assert sent(server)["Key"] == {"pk": {"S": "USER#1"}, "sk": {"S": "ORDER#00000007"}}
    server.answer(GetItem={"Item": USER_ITEM})
    assert User.sync_get(user_id="1") == ann()
    assert sent(server)["Key"] == {"pk": {"S": "USER#1"}, "sk": {"S": "PROFILE"}}


@pytest.mark.parametrize(
    ("model", "key", "named"),
    [
        (User, {}, "missing: user_id"),
        (Order, {"user_id": "1"}, "missing: order_id"),
        (Order, {"order_id": 1}, "missing: user_id"),
        (User, {"user_id": "1", "name": "Ann"}, "unknown: name"),
        (User, {"pk": "USER#1", "sk": "PROFILE"}, "unknown: pk"),
    ],
)
async def test_get_names_the_missing_or_unknown_key_fields(
    server: Canned, model: type[AppTable], key: dict[str, Any], named: str
) -> None:
    with pytest.raises(ValidationException, match=named):
        model.sync_get(**key)
    with pytest.raises(ValidationException, match=named):
        await model.get(**key)
    with pytest.raises(ValidationException, match=named):
        model.sync_batch_get([key])
    assert server.requests == []


@pytest.mark.parametrize(
    "item",
    [
        {**USER_ITEM, "entity": {"S": "Order"}},
        {k: v for k, v in USER_ITEM.items() if k != "entity"},
        {**USER_ITEM, "entity": {"S": "user"}},
    ],
    ids=["another-entity", "no-discriminator", "another-case"],
)
async def test_get_of_an_item_of_another_entity_is_none(
    server: Canned, item: dict[str, Any]
) -> None:
    server.answer(GetItem={"Item": item})
    assert User.sync_get(user_id="1") is None
    assert await User.get(user_id="1") is None


def test_batch_get_takes_template_fields_and_leaves_other_entities_out(server: Canned) -> None:
    ghost = {**USER_ITEM, "pk": {"S": "USER#2"}, "user_id": {"S": "2"}, "entity": {"S": "Ghost"}}
    server.answer(BatchGetItem={"Responses": {"app": [USER_ITEM, ghost]}, "UnprocessedKeys": {}})
    assert User.sync_batch_get([{"user_id": "1"}, {"user_id": "2"}]) == [ann()]
    keys = sent(server)["RequestItems"]["app"]["Keys"]
    assert sorted(key["pk"]["S"] for key in keys) == ["USER#1", "USER#2"]
    assert all(key["sk"] == {"S": "PROFILE"} for key in keys)


def test_an_entity_query_reads_its_sort_key_prefix_and_filters_on_the_entity(
    server: Canned,
) -> None:
    server.answer(Query=query_answer(ORDER_ITEM))
    assert Order.sync_query(user_id="1").all() == [order_42()]
    body = sent(server)
    keys = expression(body, "KeyConditionExpression")
    assert "pk = 'USER#1'" in keys and "begins_with(sk, 'ORDER#')" in keys
    assert "entity = 'Order'" in expression(body, "FilterExpression")


def test_a_query_with_every_sort_key_field_reads_one_key(server: Canned) -> None:
    server.answer(Query=query_answer(ORDER_ITEM))
    assert Order.sync_query(user_id="1", order_id=42).all() == [order_42()]
    keys = expression(sent(server), "KeyConditionExpression")
    assert "sk = 'ORDER#00000042'" in keys and "begins_with" not in keys


def test_a_query_sort_key_condition_replaces_the_prefix_and_filters_are_anded(
    server: Canned,
) -> None:
    server.answer(Query=query_answer(ORDER_ITEM))
    Order.sync_query(
        user_id="1",
        sort_key_condition=Attr("sk").between("ORDER#00000001", "ORDER#00000050"),
        filter_condition=Attr("total") > 5,
    ).all()
    body = sent(server)
    keys = expression(body, "KeyConditionExpression")
    assert "BETWEEN 'ORDER#00000001' AND 'ORDER#00000050'" in keys
    assert "begins_with" not in keys
    filters = expression(body, "FilterExpression")
    assert "entity = 'Order'" in filters and "total > 5" in filters and " AND " in filters


def test_query_key_fields_are_checked_before_sending(server: Canned) -> None:
    with pytest.raises(ValidationException):
        Order.sync_query("USER#1").all()  # a positional partition key: an entity takes fields
    with pytest.raises(ValidationException, match="missing: user_id"):
        Order.sync_query().all()
    with pytest.raises(ValidationException, match="missing: user_id"):
        Order.sync_query(order_id=1).all()
    with pytest.raises(ValidationException, match="unknown: colour"):
        Order.sync_query(user_id="1", colour="red").all()
    assert server.requests == []


def test_a_scan_of_an_entity_filters_on_it(server: Canned) -> None:
    server.answer(Scan=query_answer(USER_ITEM))
    assert User.sync_scan().all() == [ann()]
    assert "entity = 'User'" in expression(sent(server), "FilterExpression")


def test_an_overloaded_index_is_queried_by_its_template_fields(server: Canned) -> None:
    server.answer(Query=query_answer(USER_ITEM))
    assert User.by_gsi1.sync_query(email="a@x.io").all() == [ann()]
    body = sent(server)
    assert body["IndexName"] == "gsi1"
    assert "gsi1pk = 'EMAIL#a@x.io'" in expression(body, "KeyConditionExpression")
    assert "entity = 'User'" in expression(body, "FilterExpression")


def test_the_discriminator_is_dropped_before_validation() -> None:
    class LooseTable(Model):
        model_config = DynamoConfig(table="loose", discriminator="kind", extra="allow")
        pk: Annotated[str, PartitionKey()] = ""

    class Note(LooseTable):
        model_config = DynamoConfig(entity="Note", keys={"pk": "NOTE#{n}"})
        n: int

    raw = {"pk": {"S": "NOTE#1"}, "kind": {"S": "Note"}, "n": {"N": "1"}, "x": {"S": "kept"}}
    with Canned() as server:
        client = local_client(server.url, max_attempts=1)
        bound = type("Note", (Note,), {"model_config": DynamoConfig(client=client)})
        server.answer(GetItem={"Item": raw})
        note = bound.sync_get(n=1)
        assert note is not None and note.model_extra == {"x": "kept"}
        server.answer(PutItem={})
        note.sync_save()
        assert server.requests[0].json()["Item"] == raw
        client.sync_close()


# -- the base of the entities --------------------------------------------------------------


async def test_the_base_refuses_item_operations(server: Canned) -> None:
    calls = [
        lambda: AppTable.sync_get(pk="USER#1", sk="PROFILE"),
        lambda: AppTable(pk="USER#1", sk="PROFILE").sync_save(),
        lambda: AppTable(pk="USER#1", sk="PROFILE").sync_delete(),
        lambda: AppTable.sync_query("USER#1").all(),
        lambda: AppTable.sync_scan().all(),
        lambda: AppTable.sync_batch_get([{"pk": "USER#1", "sk": "PROFILE"}]),
        lambda: AppTable.sync_delete_by_key(pk="USER#1", sk="PROFILE"),
        lambda: AppTable.sync_update_by_key(pk="USER#1", sk="PROFILE", gsi1pk="x"),
        lambda: AppTable.by_gsi1.sync_query("x").all(),
    ]
    for call in calls:
        with pytest.raises(ModelDefinitionError, match="Collection"):
            call()
    with pytest.raises(ModelDefinitionError, match="Collection"):
        await AppTable.get(pk="USER#1", sk="PROFILE")
    with pytest.raises(ModelDefinitionError, match="Collection"):
        await AppTable(pk="USER#1", sk="PROFILE").save()
    assert server.requests == []


# -- Collection ----------------------------------------------------------------------------


class OtherTable(Model):
    model_config = DynamoConfig(table="other", discriminator="entity")
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[str, SortKey()] = ""


class Elsewhere(OtherTable):
    model_config = DynamoConfig(entity="Elsewhere", keys={"pk": "USER#{user_id}", "sk": "X"})
    user_id: str


class KindTable(Model):
    """The same table as AppTable, another discriminator."""

    model_config = DynamoConfig(table="app", discriminator="kind")
    pk: Annotated[str, PartitionKey()] = ""
    sk: Annotated[str, SortKey()] = ""


class Kinded(KindTable):
    model_config = DynamoConfig(entity="Kinded", keys={"pk": "USER#{user_id}", "sk": "K"})
    user_id: str


class Team(AppTable):
    """Same table and discriminator, another partition key template."""

    model_config = DynamoConfig(entity="Team", keys={"pk": "TEAM#{team_id}", "sk": "TEAM"})
    team_id: str


class Admin(AppTable):
    """A second class for the entity name "User"."""

    model_config = DynamoConfig(entity="User", keys={"pk": "USER#{user_id}", "sk": "ADMIN"})
    user_id: str


@pytest.mark.parametrize(
    ("entities", "named"),
    [
        pytest.param((User, Elsewhere), "table", id="another-table"),
        pytest.param((User, Kinded), "discriminator", id="another-discriminator"),
        pytest.param((User, Team), "TEAM#{team_id}", id="another-partition-template"),
        pytest.param((User, AppTable), "AppTable", id="the-base-is-no-entity"),
        pytest.param((User, Plain), "Plain", id="a-model-that-is-no-entity"),
        pytest.param((User, Admin), "'User'", id="two-classes-of-one-entity-name"),
        pytest.param((User, int), "int", id="not-a-model"),
    ],
)
def test_a_collection_of_entities_that_do_not_share_a_partition_is_refused(
    entities: tuple[type, ...], named: str
) -> None:
    with pytest.raises(ModelDefinitionError, match=re.escape(named)):
        Collection(*entities)


def test_a_collection_query_reads_one_partition_as_each_item_s_entity(server: Canned) -> None:
    server.answer(Query=query_answer(ORDER_ITEM, USER_ITEM))
    items = Collection(User, Order).sync_query(user_id="1").all()
    assert items == [order_42(), ann()]
    assert [type(item) for item in items] == [Order, User]
    body = sent(server)
    assert body["TableName"] == "app"
    keys = expression(body, "KeyConditionExpression")
    assert keys == "pk = 'USER#1'"
    assert entity_filter(body) == {"User", "Order"}


def test_a_collection_that_raises_on_unknown_entities(server: Canned) -> None:
    ghost = {**ORDER_ITEM, "sk": {"S": "GHOST#1"}, "entity": {"S": "Ghost"}}
    server.answer(Query=query_answer(ORDER_ITEM, ghost, USER_ITEM))
    with pytest.raises(ValidationException, match="Ghost"):
        Collection(User, Order, unknown="raise").sync_query(user_id="1").all()
    anonymous = {k: v for k, v in ghost.items() if k != "entity"}
    server.answer(Query=query_answer(anonymous))
    with pytest.raises(ValidationException):
        Collection(User, Order, unknown="raise").sync_query(user_id="1").all()


async def test_a_collection_query_takes_the_partition_template_fields(server: Canned) -> None:
    both = Collection(User, Order)
    with pytest.raises(ValidationException, match="missing: user_id"):
        both.sync_query().all()
    with pytest.raises(ValidationException, match="missing: user_id"):
        await both.query().all()
    with pytest.raises(ValidationException, match="unknown: order_id"):
        both.sync_query(user_id="1", order_id=3).all()  # a field of one entity's sort key
    assert server.requests == []
    server.answer(Query=query_answer(USER_ITEM))
    assert [u async for u in both.query(user_id="1")] == [ann()]


def test_a_collection_query_passes_its_options(server: Canned) -> None:
    server.answer(Query=query_answer(USER_ITEM))
    Collection(User, Order).sync_query(
        user_id="1",
        sort_key_condition=Attr("sk") == "PROFILE",
        filter_condition=Attr("name") == "Ann",
        scan_index_forward=False,
        consistent_read=True,
        page_size=5,
    ).all()
    body = sent(server)
    keys = expression(body, "KeyConditionExpression")
    assert "pk = 'USER#1'" in keys and "sk = 'PROFILE'" in keys
    assert "name = 'Ann'" in expression(body, "FilterExpression")
    assert entity_filter(body) == {"User", "Order"}
    assert (body["ScanIndexForward"], body["ConsistentRead"], body["Limit"]) == (False, True, 5)


# -- the typing file -----------------------------------------------------------------------


def test_the_entities_typing_file_imports_without_io() -> None:
    """Its models are valid at run time too, and importing it sends nothing."""
    spec = importlib.util.spec_from_file_location("_typing_user_entities", TYPING_FILE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert module.User(user_id="1", name="Ann", email="a@x.io").pk == "USER#1"


def test_the_entities_typing_file_type_checks_under_strict() -> None:
    from .test_typing import run_mypy

    done = run_mypy(TYPING_FILE)
    assert done.returncode == 0, f"mypy --strict {TYPING_FILE.name}:\n{done.stdout}{done.stderr}"


def test_the_patch_model_of_an_entity_leaves_out_what_makes_its_key() -> None:
    # user_id makes pk (USER#{user_id}); a patch of it would be refused by apply_patch.
    assert set(User.patch_model().model_fields) == {"name", "email"}
    assert set(Order.patch_model().model_fields) == {"total", "gsi1pk", "gsi1sk"}


def test_the_base_creates_the_indexes_its_entities_declare(server: Canned) -> None:
    class Desk(Model):
        model_config = DynamoConfig(table="desk", discriminator="kind")
        pk: Annotated[str, PartitionKey()] = ""

    class Ticket(Desk):
        model_config = DynamoConfig(entity="Ticket", keys={"pk": "T#{n}"})
        n: int
        owner: str | None = None
        by_owner = GlobalSecondaryIndex("by-owner", partition_key="owner")

    class Clash(Desk):
        model_config = DynamoConfig(entity="Clash", keys={"pk": "C#{n}"})
        n: int
        owner: str | None = None

    server.answer(CreateTable={"TableDescription": {"TableStatus": "CREATING"}})
    Desk.sync_create_table(wait=False)
    (body,) = [request.json() for request in server.requests]
    assert [index["IndexName"] for index in body["GlobalSecondaryIndexes"]] == ["by-owner"]
    assert {"AttributeName": "owner", "AttributeType": "S"} in body["AttributeDefinitions"]

    class Other(Desk):
        model_config = DynamoConfig(entity="Other", keys={"pk": "O#{n}"})
        n: int
        owner: str | None = None
        by_owner = GlobalSecondaryIndex("by-owner", partition_key="n")

    with pytest.raises(ModelDefinitionError, match="'by-owner' of table 'desk' is declared twice"):
        Desk.sync_create_table(wait=False)
    assert Clash is not None and Ticket is not None
