"""Dirty tracking and automatic timestamps, without a server.

The declaration errors of ``CreatedAt()`` / ``UpdatedAt()`` are raised when the class is
defined. What ``save_changes()`` sends is checked on its plan, driven step by step against
scripted DynamoDB answers (as tests/unit/test_plans.py drives the protocol plans): a model is
loaded through the GetItem plan ``User.get`` runs, changed, and the UpdateItem it would send
is read back from the request.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

import pytest
from pydantic import BaseModel

from pydynox import (
    TTL,
    CreatedAt,
    DynamoConfig,
    DynamoMixin,
    Model,
    ModelDefinitionError,
    PartitionKey,
    SortKey,
    UpdatedAt,
    ValidationException,
    Version,
    before_save,
)
from pydynox._protocol._plan import Call, Feed, Plan
from pydynox._values._codec import deserialize_item, deserialize_value, serialize_item
from pydynox.models._meta import DynamoMeta

from ..models import Address

# -- declarations --------------------------------------------------------------------------


def test_timestamp_fields_are_declared_on_datetime_fields() -> None:
    class Post(Model):
        model_config = DynamoConfig(table="posts")
        pk: Annotated[str, PartitionKey()]
        created_at: Annotated[dt.datetime | None, CreatedAt()] = None
        updated_at: Annotated[dt.datetime, UpdatedAt()] = dt.datetime(2000, 1, 1)

    info = Post._info()
    assert (info.created_at, info.updated_at) == ("created_at", "updated_at")


def test_a_base_with_timestamps_and_no_key_is_an_abstract_base() -> None:
    class Stamped(Model):
        created_at: Annotated[dt.datetime | None, CreatedAt()] = None
        updated_at: Annotated[dt.datetime | None, UpdatedAt()] = None

    class Post(Stamped):
        model_config = DynamoConfig(table="posts")
        pk: Annotated[str, PartitionKey()]

    assert Post._info().created_at == "created_at"
    assert Post._info().updated_at == "updated_at"


@pytest.mark.parametrize(
    ("annotation", "message"),
    [
        (Annotated[str, CreatedAt()], "CreatedAt() needs a datetime field"),
        (Annotated[int | None, UpdatedAt()], "UpdatedAt() needs a datetime field"),
        (Annotated[dt.date | None, CreatedAt()], "CreatedAt() needs a datetime field"),
        (Annotated[list[dt.datetime], UpdatedAt()], "UpdatedAt() needs a datetime field"),
        (Annotated[dt.datetime | None, CreatedAt(), UpdatedAt()], "the UpdatedAt() field"),
        (Annotated[dt.datetime | None, TTL(), UpdatedAt()], "the TTL() field"),
    ],
)
def test_a_misplaced_timestamp_marker_is_a_definition_error(annotation: Any, message: str) -> None:
    namespace = {
        "__module__": __name__,
        "__annotations__": {"pk": Annotated[str, PartitionKey()], "stamp": annotation},
        "model_config": DynamoConfig(table="bad"),
        "stamp": None,
    }
    with pytest.raises(ModelDefinitionError, match=r"Bad\.stamp: ") as caught:
        DynamoMeta("Bad", (Model,), namespace)
    assert message in str(caught.value)


def test_two_created_at_fields_are_a_definition_error() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Bad declares CreatedAt\(\) on 2 fields"):

        class Bad(Model):
            model_config = DynamoConfig(table="bad")
            pk: Annotated[str, PartitionKey()]
            a: Annotated[dt.datetime | None, CreatedAt()] = None
            b: Annotated[dt.datetime | None, CreatedAt()] = None


def test_two_updated_at_fields_are_a_definition_error() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Bad declares UpdatedAt\(\) on 2 fields"):

        class Bad(Model):
            model_config = DynamoConfig(table="bad")
            pk: Annotated[str, PartitionKey()]
            a: Annotated[dt.datetime | None, UpdatedAt()] = None
            b: Annotated[dt.datetime | None, UpdatedAt()] = None


def test_a_timestamp_marker_on_a_key_is_a_definition_error() -> None:
    with pytest.raises(ModelDefinitionError, match=r"Bad\.at: CreatedAt\(\) cannot mark the sort"):

        class Bad(Model):
            model_config = DynamoConfig(table="bad")
            pk: Annotated[str, PartitionKey()]
            at: Annotated[dt.datetime, SortKey(), CreatedAt()]


# -- save_changes: what is sent ------------------------------------------------------------


class Item(Model):
    model_config = DynamoConfig(table="items")
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str = ""
    age: int = 0
    nick: str | None = None
    tags: set[str] = set()
    history: list[str] = []
    meta: dict[str, Any] = {}
    address: Address | None = None
    anything: Any = None


class Versioned(Model):
    model_config = DynamoConfig(table="versioned")
    pk: Annotated[str, PartitionKey()]
    name: str = ""
    version: Annotated[int, Version()] = 0
    updated_at: Annotated[dt.datetime | None, UpdatedAt()] = None


class Loose(Model):
    model_config = DynamoConfig(table="loose", extra="allow")
    pk: Annotated[str, PartitionKey()]


STORED: dict[str, Any] = {
    "pk": "P",
    "sk": "S",
    "name": "Ann",
    "age": 30,
    "tags": {"a", "b", "c"},
    "history": ["x"],
    "meta": {"k": [1, 2]},
    "address": {"city": "Oslo"},
    "anything": {"deep": ["v"]},
}


def run(plan: Plan[Any], answer: Callable[[Call], dict[str, Any]]) -> tuple[Any, list[Call]]:
    """Drive a plan as the real drivers do, answering each call with ``answer``."""
    calls: list[Call] = []
    feed = Feed(plan)
    for step in feed:
        assert isinstance(step, Call), step
        calls.append(step)
        feed.answer(answer(step))
    return feed.result, calls


def loaded(model: type[Any], raw: dict[str, Any], **key: Any) -> Any:
    """The instance ``Model.get`` makes of the item DynamoDB sends as ``raw``."""
    instance, _ = run(model._get_plan(key, False), lambda call: {"Item": raw})
    return instance


def written(call: Call) -> dict[str, Any]:
    """What an UpdateItem writes: {attribute: value, or "REMOVE"}."""
    assert call.op == "UpdateItem"
    params = call.params
    names = params.get("ExpressionAttributeNames", {})
    values = params.get("ExpressionAttributeValues", {})
    sent: dict[str, Any] = {}
    set_part, _, remove_part = params["UpdateExpression"].partition(" REMOVE ")
    if set_part.startswith("REMOVE "):
        set_part, remove_part = "", set_part.removeprefix("REMOVE ")
    for clause in filter(None, set_part.removeprefix("SET ").split(", ")):
        name, value = clause.split(" = ")
        sent[names.get(name, name)] = deserialize_value(values[value])
    for name in filter(None, remove_part.split(", ")):
        sent[names.get(name, name)] = "REMOVE"
    return sent


def save_changes(instance: Any) -> list[Call]:
    """Run ``instance.save_changes()``'s plan; DynamoDB answers with the item as stored
    after the update (ReturnValues=ALL_NEW). The calls it made."""

    def answer(call: Call) -> dict[str, Any]:
        item = {**instance._data(), **written(call)}
        return {"Attributes": serialize_item({k: v for k, v in item.items() if v != "REMOVE"})}

    _, calls = run(instance._save_changes_plan(None), answer)
    return calls


def changes_sent(instance: Any) -> dict[str, Any] | None:
    """What ``save_changes()`` writes: {attribute: value, or "REMOVE"}; None if it sends
    nothing."""
    calls = save_changes(instance)
    if not calls:
        return None
    (call,) = calls
    return written(call)


def item() -> Item:
    user: Item = loaded(Item, serialize_item(STORED), pk="P", sk="S")
    return user


def test_a_loaded_instance_left_alone_sends_nothing() -> None:
    assert changes_sent(item()) is None


def test_one_changed_field_is_the_only_one_sent() -> None:
    user = item()
    user.name = "Bo"
    assert changes_sent(user) == {"name": "Bo"}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda u: u.history.append("y"), {"history": ["x", "y"]}),
        (lambda u: u.tags.add("d"), {"tags": {"a", "b", "c", "d"}}),
        (lambda u: u.tags.clear(), {"tags": "REMOVE"}),
        (lambda u: u.meta["k"].append(3), {"meta": {"k": [1, 2, 3]}}),
        (lambda u: setattr(u.address, "zip", "0150"), {"address": {"city": "Oslo", "zip": "0150"}}),
        (lambda u: u.anything["deep"].append("w"), {"anything": {"deep": ["v", "w"]}}),
        (lambda u: setattr(u, "nick", "Annie"), {"nick": "Annie"}),
        (lambda u: setattr(u, "address", None), {"address": "REMOVE"}),
    ],
    ids=["list", "set", "set-emptied", "dict", "nested-model", "any", "new-attr", "removed"],
)
def test_changes_in_place_and_removals_are_found(
    change: Callable[[Item], None], expected: dict[str, Any]
) -> None:
    user = item()
    change(user)
    assert changes_sent(user) == expected


def test_stored_forms_that_differ_only_in_spelling_are_not_changes() -> None:
    # Written by another client: a number with trailing zeros, a set in another order, and no
    # attribute at all for fields that then read as their defaults (as a projection gives).
    raw = serialize_item({"pk": "P", "sk": "S", "name": "Ann", "tags": {"c", "a", "b"}})
    raw["age"] = {"N": "30.00"}
    raw["tags"] = {"SS": ["c", "b", "a"]}
    user = loaded(Item, raw, pk="P", sk="S")
    assert user.age == 30 and user.history == [] and user.meta == {}
    assert changes_sent(user) is None


def test_a_batch_read_instance_tracks_in_place_changes_of_any_typed_fields() -> None:
    # batch_get hands over plain values; pydantic keeps an Any field's value as it is given.
    items, _ = run(
        Item._batch_get_plan([{"pk": "P", "sk": "S"}], False),
        lambda call: {"Responses": {"items": [serialize_item(STORED)]}},
    )
    (user,) = items
    user.anything["deep"].append("w")
    user.meta["k"].append(3)
    assert changes_sent(user) == {"anything": {"deep": ["v", "w"]}, "meta": {"k": [1, 2, 3]}}


def test_a_saved_instance_tracks_changes_from_what_it_wrote() -> None:
    user = Item(pk="P", sk="S", name="Ann", history=["x"])
    run(user._save_plan(None), lambda call: {})
    assert changes_sent(user) is None
    user.history.append("y")
    assert changes_sent(user) == {"history": ["x", "y"]}
    # save_changes adopted the stored result: nothing is pending any more.
    assert changes_sent(user) is None


def test_extras_of_a_model_that_keeps_them_are_tracked() -> None:
    raw = serialize_item({"pk": "P", "colour": "red", "size": 3})
    loose = loaded(Loose, raw, pk="P")
    assert changes_sent(loose) is None
    assert loose.__pydantic_extra__ is not None
    loose.__pydantic_extra__["colour"] = "blue"
    del loose.__pydantic_extra__["size"]
    assert changes_sent(loose) == {"colour": "blue", "size": "REMOVE"}


def test_a_changed_key_is_refused_before_sending() -> None:
    user = item()
    user.sk = "OTHER"
    with pytest.raises(ValidationException, match=r"Item\.sk is a key and changed"):
        changes_sent(user)


def test_a_new_instance_is_refused_before_any_hook() -> None:
    ran: list[str] = []

    class Hooked(Model):
        model_config = DynamoConfig(table="hooked")
        pk: Annotated[str, PartitionKey()]

        @before_save
        def note(self) -> None:
            ran.append("before_save")

    with pytest.raises(ValidationException, match=r"never loaded .* save\(\)"):
        changes_sent(Hooked(pk="1"))
    assert ran == []


def test_before_save_hooks_run_first_and_their_changes_are_sent() -> None:
    class Slugged(Model):
        model_config = DynamoConfig(table="slugged")
        pk: Annotated[str, PartitionKey()]
        title: str = ""
        slug: str = ""

        @before_save
        def make_slug(self) -> None:
            self.slug = self.title.lower().replace(" ", "-")

    post = loaded(Slugged, serialize_item({"pk": "1", "title": "A", "slug": "a"}), pk="1")
    post.title = "Hello World"
    assert changes_sent(post) == {"title": "Hello World", "slug": "hello-world"}


def test_a_versioned_change_checks_and_increments_the_version_and_stamps() -> None:
    raw = serialize_item({"pk": "1", "name": "a", "version": 4})
    account = loaded(Versioned, raw, pk="1")
    account.name = "b"
    (call,) = save_changes(account)
    params = call.params
    names = {v: k for k, v in params["ExpressionAttributeNames"].items()}
    values = deserialize_item(params["ExpressionAttributeValues"])
    condition = params["ConditionExpression"]
    assert f"attribute_exists({names['pk']})" in condition
    assert f"{names['version']} = " in condition
    assert 4 in values.values() and 5 in values.values()
    sent = changes_sent(loaded(Versioned, raw, pk="1"))
    assert sent is None  # unchanged: nothing sent, not even a new updated_at
    assert account.version == 5
    assert isinstance(account.updated_at, dt.datetime)


def test_the_version_and_updated_at_alone_are_not_changes() -> None:
    # pydynox sets both on every write (a committed transaction update sets them on the
    # instance without reloading it): on their own they are nothing to save.
    raw = serialize_item({"pk": "1", "name": "a", "version": 4})
    account = loaded(Versioned, raw, pk="1")
    account.version = 5
    account.updated_at = dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    assert changes_sent(account) is None


def test_pydantic_equality_and_dumps_ignore_the_remembered_form() -> None:
    user = item()
    fresh = Item.model_validate(STORED)
    assert user == fresh
    assert user.model_dump() == fresh.model_dump()
    assert dict(user) == dict(fresh)
    assert "__pydynox_stored__" not in user.model_dump_json()


def test_a_copy_is_a_new_instance_with_nothing_remembered() -> None:
    copy = item().model_copy(update={"name": "x"})
    with pytest.raises(ValidationException, match="never loaded"):
        changes_sent(copy)


def test_validated_assignment_keeps_what_was_remembered() -> None:
    class Strict(Model):
        model_config = DynamoConfig(table="strict", validate_assignment=True)
        pk: Annotated[str, PartitionKey()]
        n: int = 0

    strict = loaded(Strict, serialize_item({"pk": "1", "n": 1}), pk="1")
    strict.n = "2"  # validated into 2
    assert changes_sent(strict) == {"n": 2}


class Person(BaseModel):
    """An existing pydantic model, given persistence with the mixin."""

    name: str = ""
    emails: list[str] = []


class StoredPerson(DynamoMixin, Person):
    model_config = DynamoConfig(table="people")
    id: Annotated[str, PartitionKey()]


def test_a_mixin_model_tracks_its_changes_too() -> None:
    person = loaded(StoredPerson, serialize_item({"id": "1", "name": "A", "emails": []}), id="1")
    assert changes_sent(person) is None
    person.emails.append("a@example.com")
    assert changes_sent(person) == {"emails": ["a@example.com"]}
