"""``Unique()`` fields without a real server (issue 14 item 10): definition errors, the writes
refused before anything is sent, what the guarded writes send, and UniqueConstraintError.

Definition errors are raised when the class is created. What writes send is read off the
requests a canned DynamoDB receives (``Canned``, tests/canned.py): it answers only the
operations a test names, and a write refused before sending leaves its request list empty
(``server.requests == []``), which is the proof that nothing was sent. The same scenarios
against moto and dynalite are in tests/integration/test_unique.py.
"""

from __future__ import annotations

import datetime as dt
import pickle
import re
from collections.abc import Callable
from typing import Annotated, Any

import pytest

import pydynox.exceptions
from pydynox import (
    TTL,
    Attr,
    BatchWriter,
    ConditionalCheckFailedException,
    CreatedAt,
    DynamoConfig,
    DynamoDBClient,
    Model,
    ModelDefinitionError,
    PartitionKey,
    PydynoxException,
    SortKey,
    SyncBatchWriter,
    SyncTransaction,
    Transaction,
    Unique,
    UniqueConstraintError,
    UpdatedAt,
    ValidationException,
    Version,
)

from ..canned import Canned, Reply
from ..entity_models import AppTable
from ..unique_models import Account, Handle, Member

# -- declaring: definition errors ----------------------------------------------------------


def test_a_model_with_unique_fields_is_declared() -> None:
    account = Account(pk="a", email="ann@x.io")
    assert (account.email, account.phone) == ("ann@x.io", None)
    assert Member(user_id="1", email="ann@x.io").pk == "USER#1"


@pytest.mark.parametrize(
    ("marker", "annotation"),
    [
        (PartitionKey(), str),
        (SortKey(), str),
        (Version(), int),
        (TTL(), dt.datetime),
        (CreatedAt(), dt.datetime),
        (UpdatedAt(), dt.datetime),
    ],
    ids=["partition-key", "sort-key", "version", "ttl", "created-at", "updated-at"],
)
def test_unique_is_refused_on_a_field_pydynox_manages(marker: Any, annotation: Any) -> None:
    fields: dict[str, Any] = {"field": Annotated[annotation, marker, Unique()]}
    if not isinstance(marker, PartitionKey):
        fields = {"pk": Annotated[str, PartitionKey()], **fields}
    namespace = {"__annotations__": fields, "model_config": DynamoConfig(table="taken")}
    with pytest.raises(ModelDefinitionError, match=r"Taken\.field: Unique\(\) marks a field"):
        type("Taken", (Model,), namespace)


def test_unique_is_refused_on_a_key_attribute_computed_from_a_template() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Indexed\.gsi1pk: Unique\(\)"):

        class Indexed(AppTable):
            model_config = DynamoConfig(
                entity="Indexed", keys={"pk": "I#{code}", "sk": "I", "gsi1pk": "C#{code}"}
            )
            gsi1pk: Annotated[str | None, Unique()] = None
            code: str


@pytest.mark.parametrize(
    ("partition", "sort"),
    [(int, None), (str, int), (bytes, None)],
    ids=["number-partition-key", "number-sort-key", "bytes-partition-key"],
)
def test_unique_needs_a_table_whose_keys_are_strings(partition: Any, sort: Any) -> None:
    # The guards' keys are text made of the model, the field and the value.
    namespace: dict[str, Any] = {
        "__annotations__": {
            "pk": Annotated[partition, PartitionKey()],
            "email": Annotated[str, Unique()],
        },
        "model_config": DynamoConfig(table="numbered"),
    }
    if sort is not None:
        namespace["__annotations__"]["sk"] = Annotated[sort, SortKey()]
    with pytest.raises(ModelDefinitionError, match=r"Numbered: Unique\(\) keeps guard items"):
        type("Numbered", (Model,), namespace)


def test_a_field_named_like_the_guard_attribute_is_refused() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Marked\.pydynox_unique is the attribute"):

        class Marked(Model):
            model_config = DynamoConfig(table="marked")
            pk: Annotated[str, PartitionKey()]
            email: Annotated[str, Unique()]
            pydynox_unique: str = ""

    class Unmarked(Model):  # without Unique() fields, the name is the user's
        model_config = DynamoConfig(table="unmarked")
        pk: Annotated[str, PartitionKey()]
        pydynox_unique: str = ""


@pytest.mark.parametrize(
    "annotation", [float, list[str], dict[str, str]], ids=["float", "list", "dict"]
)
def test_unique_takes_fields_with_one_text_form(annotation: Any) -> None:
    fields = {"pk": Annotated[str, PartitionKey()], "value": Annotated[annotation, Unique()]}
    namespace = {"__annotations__": fields, "model_config": DynamoConfig(table="odd")}
    with pytest.raises(ModelDefinitionError, match=r"Odd\.value: Unique\(\) needs a str"):
        type("Odd", (Model,), namespace)


# -- a canned DynamoDB ---------------------------------------------------------------------


def spelled(params: dict[str, Any], key: str = "ConditionExpression") -> str:
    """An expression of a request with its placeholders replaced: ``attribute_not_exists(pk)``."""
    names: dict[str, str] = params.get("ExpressionAttributeNames", {})
    values: dict[str, dict[str, Any]] = params.get("ExpressionAttributeValues", {})

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in names:
            return names[token]
        if token in values:
            ((kind, value),) = values[token].items()
            return f"'{value}'" if kind == "S" else str(value)
        return token

    return re.sub(r"[#:][A-Za-z0-9_]+", one, str(params.get(key, "")))


def transact_items(server: Canned) -> list[tuple[str, dict[str, Any]]]:
    """The actions of the one TransactWriteItems the server received: (kind, params)."""
    assert server.ops() == ["TransactWriteItems"], server.ops()
    items = server.requests[0].json()["TransactItems"]
    return [next(iter(entry.items())) for entry in items]


ANN_ITEM = {"pk": {"S": "a"}, "email": {"S": "ann@x.io"}, "name": {"S": ""}}


def loaded_ann(server: Canned, **changed: Any) -> Account:
    """Account ``a`` as read from the table (a loaded instance)."""
    server.answer(GetItem={"Item": {**ANN_ITEM, **changed}})
    ann = Account.sync_get(pk="a")
    assert ann is not None
    server.answer()
    return ann


def cancelled(*codes: str | None) -> Reply:
    """A TransactionCanceledException with one reason per action."""
    return Reply(
        400,
        {
            "__type": "com.amazonaws.dynamodb.v20120810#TransactionCanceledException",
            "message": "Transaction cancelled",
            "CancellationReasons": [{"Code": code or "None"} for code in codes],
        },
    )


# -- refused before anything is sent -------------------------------------------------------


async def test_update_by_key_of_a_unique_field_is_refused(server: Canned) -> None:
    with pytest.raises(ValidationException, match=r"Account\.email is Unique\(\): update_by_key"):
        Account.sync_update_by_key(pk="a", email="bo@x.io")
    with pytest.raises(ValidationException, match=r"Account\.phone is Unique\(\)"):
        await Account.update_by_key(pk="a", name="Bo", phone="555")
    with pytest.raises(ValidationException, match=r"Account\.email is Unique\(\): an atomic"):
        await Account.update_by_key(pk="a", atomic=[Attr("email").set("bo@x.io")])
    assert server.requests == []
    # Its other fields are not guarded: updated by key as any model's.
    server.answer(UpdateItem={"Attributes": {**ANN_ITEM, "name": {"S": "Bo"}}})
    assert Account.sync_update_by_key(pk="a", name="Bo") == Account(
        pk="a", email="ann@x.io", name="Bo"
    )
    assert server.ops() == ["UpdateItem"]


async def test_delete_by_key_is_refused(server: Canned) -> None:
    # Without the item, its values and so its guards are unknown.
    with pytest.raises(ValidationException, match=r"Account\.email is Unique\(\): delete_by_key"):
        Account.sync_delete_by_key(pk="a")
    with pytest.raises(ValidationException, match="delete_by_key"):
        await Member.delete_by_key(user_id="1")
    assert server.requests == []


async def test_an_atomic_action_on_a_unique_field_is_refused(server: Canned) -> None:
    ann = loaded_ann(server)
    with pytest.raises(ValidationException, match=r"Account\.email is Unique\(\): an atomic"):
        ann.sync_update(atomic=[Attr("email").set("bo@x.io")])
    with pytest.raises(ValidationException, match="atomic"):
        await ann.update(atomic=[Attr("phone").set("555")])
    assert server.requests == []
    assert ann == Account(pk="a", email="ann@x.io")


async def test_batch_writers_refuse_a_model_with_unique_fields(
    server: Canned, canned_client: DynamoDBClient
) -> None:
    ann = Account(pk="a", email="ann@x.io")
    refused = r"Account\.email is Unique\(\): a batch writer"
    with pytest.raises(ValidationException, match=refused), SyncBatchWriter(canned_client) as b:
        b.put(ann)
    with pytest.raises(ValidationException, match=refused), SyncBatchWriter(canned_client) as b:
        b.delete(ann)
    with pytest.raises(ValidationException, match="batch writer"):
        async with BatchWriter(canned_client) as abatch:
            await abatch.put(Member(user_id="1", email="ann@x.io"))
    with pytest.raises(ValidationException, match="batch writer"):
        async with BatchWriter(canned_client) as abatch:
            await abatch.delete(ann)
    assert server.requests == []


def sync_transaction(client: DynamoDBClient, write: Callable[[Any], None]) -> None:
    with SyncTransaction(client) as tx:
        write(tx)


async def async_transaction(client: DynamoDBClient, write: Callable[[Any], None]) -> None:
    async with Transaction(client) as tx:
        write(tx)


TRANSACTION_WRITES: list[Any] = [
    pytest.param(lambda tx, m: tx.put(m), id="put"),
    pytest.param(lambda tx, m: tx.delete(m), id="delete"),
    pytest.param(lambda tx, m: tx.update(m, updates={"email": "bo@x.io"}), id="update"),
    pytest.param(lambda tx, m: tx.update(m, updates={"phone": None}), id="update-to-none"),
]


@pytest.mark.parametrize("write", TRANSACTION_WRITES)
async def test_transactions_refuse_the_writes_of_unique_fields(
    server: Canned, canned_client: DynamoDBClient, write: Callable[[Any, Any], None]
) -> None:
    ann = loaded_ann(server, phone={"S": "555"})

    def after_another(tx: Any) -> None:
        tx.put("other", {"pk": "o"})  # a write of another table, accepted
        write(tx, ann)

    refused = r"Account\.(email|phone) is Unique\(\): a (batch writer or )?transaction"
    with pytest.raises(ValidationException, match=refused):
        sync_transaction(canned_client, after_another)
    with pytest.raises(ValidationException, match="transaction"):
        await async_transaction(canned_client, lambda tx: write(tx, ann))
    assert server.requests == []


async def test_a_transaction_may_update_the_other_fields(
    server: Canned, canned_client: DynamoDBClient
) -> None:
    ann = loaded_ann(server)
    server.answer(TransactWriteItems={})
    sync_transaction(canned_client, lambda tx: tx.update(ann, updates={"name": "Bo"}))
    ((kind, params),) = transact_items(server)
    assert kind == "Update" and "email" not in str(params["UpdateExpression"])


# A transaction naming a model class and a key, or an atomic action, would write a unique
# field or delete its item without its guards: refused (these were sent before the fix).
@pytest.mark.parametrize(
    "write",
    [
        pytest.param(lambda tx: tx.delete(Account, {"pk": "a"}), id="delete-by-class"),
        pytest.param(
            lambda tx: tx.update(Account, {"pk": "a"}, updates={"email": "bo@x.io"}),
            id="update-by-class",
        ),
        pytest.param(
            lambda tx: tx.update(Account, {"pk": "a"}, atomic=[Attr("email").set("bo@x.io")]),
            id="atomic-by-class",
        ),
        pytest.param(
            lambda tx: tx.put(Account, {"pk": "a", "email": "bo@x.io"}), id="put-by-class"
        ),
        pytest.param(
            lambda tx: tx.update(
                Account(pk="a", email="ann@x.io"), atomic=[Attr("email").set("bo@x.io")]
            ),
            id="atomic-of-an-instance",
        ),
    ],
)
def test_transactions_by_class_and_key_refuse_unique_writes(
    server: Canned, canned_client: DynamoDBClient, write: Callable[[Any], None]
) -> None:
    server.answer(TransactWriteItems={})
    with pytest.raises(ValidationException, match=r"Unique\(\)"):
        sync_transaction(canned_client, write)
    assert server.requests == []


# -- what the guarded writes send ----------------------------------------------------------


def guard_put(
    field: str, value: str, owner: dict[str, Any], keys: tuple[str, ...] = ("pk",)
) -> dict[str, Any]:
    """A guard item as DynamoDB spells it."""
    text = f"UNIQUE#{field}#{value}"
    return {
        **{name: {"S": text} for name in keys},
        "pydynox_unique": {"S": field},
        "pydynox_owner": {"M": owner},
    }


async def test_a_create_sends_the_item_and_a_guard_per_value_in_one_transaction(
    server: Canned,
) -> None:
    server.answer(TransactWriteItems={})
    await Account(pk="a", email="ann@x.io", phone="555").save()
    (item_kind, item), (kind1, guard1), (kind2, guard2) = transact_items(server)
    assert (item_kind, kind1, kind2) == ("Put", "Put", "Put")
    assert item["Item"] == {**ANN_ITEM, "phone": {"S": "555"}}
    assert spelled(item) == "attribute_not_exists(pk)"  # else its old guards would stay
    owner = {"pk": {"S": "a"}}
    assert guard1["Item"] == guard_put("Account.email", "ann@x.io", owner)
    assert guard2["Item"] == guard_put("Account.phone", "555", owner)
    assert spelled(guard1) == spelled(guard2) == "attribute_not_exists(pk)"
    assert guard1["TableName"] == item["TableName"] == "accounts"


async def test_an_entity_guard_holds_its_text_in_both_keys(server: Canned) -> None:
    server.answer(TransactWriteItems={})
    Member(user_id="1", email="ann@x.io").sync_save()
    (_, item), (_, guard) = transact_items(server)
    assert item["Item"]["entity"] == {"S": "Member"}
    owner = {"pk": {"S": "USER#1"}, "sk": {"S": "MEMBER"}}
    assert guard["Item"] == guard_put("Member.email", "ann@x.io", owner, ("pk", "sk"))
    assert "entity" not in guard["Item"]  # a guard is no entity's item


async def test_a_none_value_has_no_guard(server: Canned) -> None:
    server.answer(TransactWriteItems={})
    await Account(pk="a", email="ann@x.io").save()
    assert [kind for kind, _ in transact_items(server)] == ["Put", "Put"]


async def test_an_unchanged_save_of_a_loaded_item_is_a_plain_put(server: Canned) -> None:
    ann = loaded_ann(server)
    ann.name = "Ann B."
    server.answer(PutItem={})
    await ann.save()
    assert server.ops() == ["PutItem"]
    # Conditioned on the unique values it was loaded with: a stale instance is refused.
    assert (
        spelled(server.requests[-1].json()) == "email = 'ann@x.io' AND attribute_not_exists(phone)"
    )
    server.answer(UpdateItem={"Attributes": {**ANN_ITEM, "name": {"S": "Cy"}}})
    ann.sync_update(name="Cy")
    assert server.ops() == ["UpdateItem"]


async def test_a_change_deletes_the_old_guard_and_puts_the_new_one(server: Canned) -> None:
    ann = loaded_ann(server)
    ann.email = "bo@x.io"
    server.answer(TransactWriteItems={})
    await ann.save()
    (k0, item), (k1, old), (k2, new) = transact_items(server)
    assert (k0, k1, k2) == ("Put", "Delete", "Put")
    # A loaded item is replaced as by save(), if it still holds the values it was loaded
    # with (another instance may have changed them since, and their guards with them).
    assert spelled(item) == "email = 'ann@x.io' AND attribute_not_exists(phone)"
    assert old["Key"] == {"pk": {"S": "UNIQUE#Account.email#ann@x.io"}}
    assert new["Item"] == guard_put("Account.email", "bo@x.io", {"pk": {"S": "a"}})
    assert spelled(new) == "attribute_not_exists(pk)"


async def test_a_delete_removes_the_item_and_its_guards(server: Canned) -> None:
    ann = loaded_ann(server, phone={"S": "555"})
    server.answer(TransactWriteItems={})
    ann.sync_delete()
    actions = transact_items(server)
    assert [kind for kind, _ in actions] == ["Delete", "Delete", "Delete"]
    assert [params["Key"]["pk"]["S"] for _, params in actions] == [
        "a",
        "UNIQUE#Account.email#ann@x.io",
        "UNIQUE#Account.phone#555",
    ]


async def test_a_taken_value_raises_unique_constraint_error_naming_the_field(
    server: Canned,
) -> None:
    server.answer(TransactWriteItems=cancelled(None, None, "ConditionalCheckFailed"))
    with pytest.raises(UniqueConstraintError) as raised:
        await Account(pk="a", email="ann@x.io", phone="555").save()
    assert (raised.value.field, raised.value.value) == ("phone", "555")
    assert "Account.phone '555' is already taken" in str(raised.value)
    assert raised.value.code == "ConditionalCheckFailedException"


async def test_an_existing_item_is_a_failed_condition_not_a_taken_value(server: Canned) -> None:
    server.answer(TransactWriteItems=cancelled("ConditionalCheckFailed", None))
    with pytest.raises(ConditionalCheckFailedException, match="already exists") as raised:
        Account(pk="a", email="ann@x.io").sync_save()
    assert type(raised.value) is ConditionalCheckFailedException


async def test_scans_and_counts_leave_the_guards_out(server: Canned) -> None:
    server.answer(Scan={"Items": [ANN_ITEM], "Count": 1, "ScannedCount": 2})
    assert await Account.scan().all() == [Account(pk="a", email="ann@x.io")]
    assert "attribute_not_exists(pydynox_unique)" in spelled(
        server.requests[0].json(), "FilterExpression"
    )
    server.answer(Scan={"Count": 1, "ScannedCount": 2})
    assert Account.sync_count() == 1
    assert "attribute_not_exists(pydynox_unique)" in spelled(
        server.requests[0].json(), "FilterExpression"
    )


# -- the error -----------------------------------------------------------------------------


def test_unique_constraint_error_is_a_conditional_check_failure() -> None:
    assert issubclass(UniqueConstraintError, ConditionalCheckFailedException)
    assert issubclass(UniqueConstraintError, PydynoxException)
    assert pydynox.exceptions.UniqueConstraintError is UniqueConstraintError
    error = UniqueConstraintError("taken", field="email", value="ann@x.io")
    assert (error.field, error.value, error.item) == ("email", "ann@x.io", None)
    with pytest.raises(ConditionalCheckFailedException):
        raise error


def test_unique_constraint_error_pickles_whole() -> None:
    error = UniqueConstraintError(
        "Account.email 'ann@x.io' is already taken: nothing was written",
        field="email",
        value="ann@x.io",
        code="ConditionalCheckFailedException",
    )
    back = pickle.loads(pickle.dumps(error))
    assert type(back) is UniqueConstraintError
    assert str(back) == str(error)
    assert vars(back) == vars(error)
    assert (back.field, back.value, back.code) == ("email", "ann@x.io", error.code)


def test_a_versioned_model_may_have_unique_fields() -> None:
    assert Handle(pk="h", handle="ann").version == 0
