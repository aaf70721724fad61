"""Declaring models: real pydantic models, the mixin, DynamoConfig, class-level attribute
paths, and the definition errors raised when the class is created. No I/O: where an operation
is called, the default client points at a port nothing listens on, so any error other than a
ConnectionException proves the call was refused before sending.

This file exercises run-time behaviour that type checkers do not see (``User.age > 18`` is a
path comparison here, a bool to mypy); typed user code is pinned in ``tests/typing/``."""

import datetime as dt
import enum
import uuid
import warnings
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, ClassVar, NewType

import pydantic
import pytest
from pydantic import BaseModel, Field, ValidationError, field_validator
from pydantic._internal._model_construction import ModelMetaclass

from pydynox import (
    TTL,
    Attr,
    BoundIndex,
    Condition,
    DynamoConfig,
    DynamoDBClient,
    DynamoMixin,
    GlobalSecondaryIndex,
    LocalSecondaryIndex,
    Model,
    ModelDefinitionError,
    PartitionKey,
    SortKey,
    Transaction,
    ValidationException,
    Version,
    before_save,
    path,
    set_default_client,
)
from pydynox.expressions import Placeholders, render_condition, render_update
from pydynox.models._meta import DynamoMeta
from pydynox.testing import local_client

from ..models import Address, Status


class User(Model):
    model_config = DynamoConfig(table="users")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str
    email: str | None = None
    age: int = 0
    balance: Decimal = Decimal("0")
    tags: set[str] = set()
    history: list[str] = Field(default_factory=list)
    status: Status = Status.open
    address: Address | None = None
    created: dt.datetime | None = None
    version: Annotated[int, Version()] = 0
    expires_at: Annotated[dt.datetime | None, TTL()] = None

    kind: ClassVar[str] = "user"

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")
    by_age = LocalSecondaryIndex("age-index", sort_key="age")


FIELDS = [
    "pk",
    "sk",
    "name",
    "email",
    "age",
    "balance",
    "tags",
    "history",
    "status",
    "address",
    "created",
    "version",
    "expires_at",
]


def rendered(condition: Condition) -> tuple[str, dict[str, str], dict[str, Any]]:
    ph = Placeholders()
    text = render_condition(condition, ph)
    return text, ph.names, ph.values


@pytest.fixture
def offline() -> Iterator[DynamoDBClient]:
    """A default client whose endpoint does not listen: a request sent would fail to connect."""
    client = local_client("http://127.0.0.1:9", max_attempts=1, connect_timeout=0.5)
    set_default_client(client)
    yield client
    set_default_client(None)
    client.sync_close()


# --------------------------------------------------------------------------- a real pydantic model


class TestPydanticModel:
    def test_validation_coerces_and_refuses_like_pydantic(self) -> None:
        user = User(pk="USER#1", sk="PROFILE", name="Jane", age="42", balance="1.50")
        assert user.age == 42 and type(user.age) is int
        assert user.balance == Decimal("1.50")
        with pytest.raises(ValidationError) as wrong_type:
            User(pk="USER#1", sk="PROFILE", name="Jane", age="old")
        assert wrong_type.value.errors()[0]["loc"] == ("age",)
        with pytest.raises(ValidationError) as missing:
            User(pk="USER#1", sk="PROFILE")
        assert [e["loc"] for e in missing.value.errors()] == [("name",)]

    def test_model_dump_has_the_fields_and_not_the_indexes(self) -> None:
        user = User(pk="USER#1", sk="PROFILE", name="Jane", tags={"a"}, address={"city": "Oslo"})
        dumped = user.model_dump()
        assert list(dumped) == FIELDS
        assert dumped["address"] == {"city": "Oslo", "zip": None}
        assert dumped["tags"] == {"a"}
        assert user.model_dump(mode="json")["balance"] == "0"
        assert User.model_validate_json(user.model_dump_json()) == user
        assert user.model_copy(update={"age": 3}).age == 3

    def test_json_schema_has_the_fields_and_not_the_indexes(self) -> None:
        schema = User.model_json_schema()
        assert list(schema["properties"]) == FIELDS
        assert schema["required"] == ["pk", "sk", "name"]
        assert schema["title"] == "User"
        assert "Address" in schema["$defs"]
        text = str(schema)
        for word in ("by_email", "by_age", "email-index", "age-index", "kind"):
            assert word not in text
        assert list(User.model_fields) == FIELDS

    def test_index_declarations_are_class_attributes_not_fields(self) -> None:
        assert isinstance(User.__dict__["by_email"], GlobalSecondaryIndex)
        assert isinstance(User.__dict__["by_age"], LocalSecondaryIndex)
        bound = User.by_email
        assert isinstance(bound, BoundIndex)
        assert bound.model is User and bound.index.index_name == "email-index"
        user = User(pk="USER#1", sk="PROFILE", name="Jane")
        assert user.by_age.index.index_name == "age-index"
        ignored = User(pk="USER#1", sk="PROFILE", name="Jane", by_email="x")
        assert isinstance(ignored.by_email, BoundIndex)  # not a field: the input is ignored
        assert "by_email" not in ignored.model_dump()

    def test_ordinary_pydantic_features_still_work(self) -> None:
        class Person(Model):
            model_config = DynamoConfig(table="people")
            pk: Annotated[str, PartitionKey()]
            name: str
            nick: str = ""

            @field_validator("name")
            @classmethod
            def capitalised(cls, value: str) -> str:
                return value.capitalize()

            @pydantic.computed_field
            @property
            def label(self) -> str:
                return f"{self.name} ({self.nick})"

        person = Person(pk="P#1", name="ada", nick="countess")
        assert person.name == "Ada"
        assert person.model_dump() == {
            "pk": "P#1",
            "name": "Ada",
            "nick": "countess",
            "label": "Ada (countess)",
        }
        assert person == Person(pk="P#1", name="Ada", nick="countess")


# --------------------------------------------------------------------------- DynamoMixin


class Account(BaseModel):
    """An existing pydantic hierarchy, knowing nothing of DynamoDB."""

    model_config = pydantic.ConfigDict(str_strip_whitespace=True)

    id: str
    owner: str
    opened: dt.date

    @field_validator("owner")
    @classmethod
    def lower(cls, value: str) -> str:
        return value.lower()

    def describe(self) -> str:
        return f"{self.id} of {self.owner}"


class StoredAccount(DynamoMixin, Account):
    model_config = DynamoConfig(table="accounts", extra="forbid")

    id: Annotated[str, PartitionKey()]
    balance: Decimal = Decimal("0")


class TestDynamoMixin:
    def test_an_existing_hierarchy_gains_persistence(self) -> None:
        account = StoredAccount(id=" A1 ", owner="ADA", opened="2020-01-02")
        assert isinstance(account, Account) and isinstance(account, BaseModel)
        assert type(StoredAccount) is DynamoMeta
        assert account.id == "A1"  # the base's config is merged with the DynamoConfig
        assert account.owner == "ada"  # the base's validator still runs
        assert account.describe() == "A1 of ada"
        assert StoredAccount.model_config["table"] == "accounts"
        with pytest.raises(ValidationError):
            StoredAccount(id="A1", owner="ada", opened="2020-01-02", surplus=1)
        for method in ("get", "sync_get", "save", "sync_save", "query", "sync_query", "batch_get"):
            assert callable(getattr(StoredAccount, method)), method
        assert list(StoredAccount.model_json_schema()["properties"]) == [
            "id",
            "owner",
            "opened",
            "balance",
        ]

    def test_fields_of_the_base_give_paths_too(self) -> None:
        assert rendered(StoredAccount.owner == "ada") == (
            "#n0 = :v0",
            {"#n0": "owner"},
            {":v0": {"S": "ada"}},
        )
        assert rendered(StoredAccount.opened < dt.date(2021, 1, 1))[2] == {
            ":v0": {"S": "2021-01-01"}
        }
        assert str(StoredAccount.id) == "id"

    def test_the_mixin_may_also_come_last(self) -> None:
        class Late(Account, DynamoMixin):
            model_config = DynamoConfig(table="late-accounts")
            id: Annotated[str, PartitionKey()]

        assert type(Late) is DynamoMeta
        assert Late(id="x", owner="A", opened=dt.date(2020, 1, 1)).owner == "a"
        assert isinstance(Late.owner, Attr)

    def test_model_is_the_mixin_on_base_model(self) -> None:
        assert issubclass(Model, DynamoMixin) and issubclass(Model, BaseModel)
        mixin = DynamoMixin.__mro__[:-1]  # DynamoMixin and its private layers, not object
        assert Model.__mro__[1 : len(mixin) + 2] == (*mixin, BaseModel)


# --------------------------------------------------------------------------- DynamoConfig


class TestDynamoConfig:
    def test_it_is_a_pydantic_config_dict_with_table_and_client(self) -> None:
        client = local_client("http://127.0.0.1:9")
        config = DynamoConfig(table="things", client=client, extra="forbid")
        assert config == {"table": "things", "client": client, "extra": "forbid"}
        assert isinstance(config, dict)

        class Thing(Model):
            model_config = config
            pk: Annotated[str, PartitionKey()]

        assert Thing.model_config["client"] is client
        assert Thing.model_json_schema()["properties"] == {"pk": {"title": "Pk", "type": "string"}}

    def test_normal_pydantic_keys_take_effect(self) -> None:
        class Strict(Model):
            model_config = DynamoConfig(
                table="strict", extra="forbid", str_strip_whitespace=True, validate_assignment=True
            )
            pk: Annotated[str, PartitionKey()]
            name: str = ""
            age: int = 0

        item = Strict(pk="  a  ", name=" Jane ")
        assert (item.pk, item.name) == ("a", "Jane")
        with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
            Strict(pk="a", surplus=1)
        with pytest.raises(ValidationError):
            item.age = "old"

    def test_extra_allow_keeps_unknown_attributes(self) -> None:
        class Open(Model):
            model_config = DynamoConfig(table="open-table", extra="allow")
            pk: Annotated[str, PartitionKey()]

        item = Open(pk="a", colour="red")
        assert item.model_dump() == {"pk": "a", "colour": "red"}

    def test_a_subclass_inherits_the_config_and_may_change_the_table(self) -> None:
        class Archived(User):
            model_config = DynamoConfig(table="users-archive")

        assert Archived.model_config["table"] == "users-archive"
        assert User.model_config["table"] == "users"
        assert Archived.__dynamo__.table == "users-archive"
        assert Archived.__dynamo__.key_names == ("pk", "sk")


# --------------------------------------------------------------------------- class-level paths


class TestClassLevelPaths:
    def test_a_comparison_renders_with_placeholders(self) -> None:
        assert rendered(User.age > 18) == ("#n0 > :v0", {"#n0": "age"}, {":v0": {"N": "18"}})

    def test_a_map_key_of_a_nested_model(self) -> None:
        assert rendered(User.address["city"] == "Oslo") == (
            "#n0.#n1 = :v0",
            {"#n0": "address", "#n1": "city"},
            {":v0": {"S": "Oslo"}},
        )

    def test_contains_on_a_set(self) -> None:
        assert rendered(User.tags.contains("x")) == (
            "contains(#n0, :v0)",
            {"#n0": "tags"},
            {":v0": {"S": "x"}},
        )

    def test_combinations_and_functions(self) -> None:
        condition = ((User.age >= 18) & User.name.begins_with("J")) | ~User.email.exists()
        assert rendered(condition) == (
            "#n0 >= :v0 AND begins_with(#n1, :v1) OR NOT attribute_exists(#n2)",
            {"#n0": "age", "#n1": "name", "#n2": "email"},
            {":v0": {"N": "18"}, ":v1": {"S": "J"}},
        )
        assert rendered(User.history[0] == "first") == (
            "#n0[0] = :v0",
            {"#n0": "history"},
            {":v0": {"S": "first"}},
        )
        assert rendered(User.age.between(18, 65))[0] == "#n0 BETWEEN :v0 AND :v1"
        assert rendered(User.tags.size() > 3)[0] == "size(#n0) > :v0"

    def test_values_are_converted_with_the_field_type(self) -> None:
        assert rendered(User.age > "18")[2] == {":v0": {"N": "18"}}
        assert rendered(User.created > "2025-01-02T03:04:05Z")[2] == {
            ":v0": {"S": "2025-01-02T03:04:05.000000+00:00"}
        }
        assert rendered(User.status == "closed")[2] == {":v0": {"S": "closed"}}
        assert rendered(User.status == Status.closed)[2] == {":v0": {"S": "closed"}}
        with pytest.raises(ValidationError):
            User.age > "old"  # noqa: B015

    def test_update_actions_from_paths(self) -> None:
        ph = Placeholders()
        text = render_update([User.age.add(1), User.tags.delete({"x"}), User.email.remove()], ph)
        assert text == "REMOVE #n0 ADD #n1 :v0 DELETE #n2 :v1"
        assert ph.names == {"#n0": "email", "#n1": "age", "#n2": "tags"}

    def test_path_is_the_typed_view_of_the_same_attr(self) -> None:
        assert path(User.age) is User.age
        assert isinstance(User.age, Attr)
        with pytest.raises(ValidationException, match="path"):
            path(3)
        with pytest.raises(ValidationException):
            path(User(pk="a", sk="b", name="n").age)

    def test_an_instance_gives_values_not_paths(self) -> None:
        user = User(pk="USER#1", sk="PROFILE", name="Jane", age=30, address={"city": "Oslo"})
        assert user.age == 30 and type(user.age) is int
        assert user.name == "Jane"
        assert user.address == Address(city="Oslo")
        assert user.email is None

    def test_a_condition_has_no_truth_value(self) -> None:
        with pytest.raises(TypeError, match="no truth value"):
            bool(User.age > 3)
        with pytest.raises(TypeError):
            if User.age > 3:
                pass
        with pytest.raises(TypeError):
            _ = (User.age > 3) and (User.age < 9)

    def test_other_class_attributes_are_untouched(self) -> None:
        assert User.kind == "user"
        assert User.model_config["table"] == "users"
        with pytest.raises(AttributeError):
            User.no_such_field  # noqa: B018

    def test_paths_survive_subclassing(self) -> None:
        class Admin(User):
            level: int = 1

        assert rendered(Admin.level >= 2) == ("#n0 >= :v0", {"#n0": "level"}, {":v0": {"N": "2"}})
        assert rendered(Admin.age > 18) == ("#n0 > :v0", {"#n0": "age"}, {":v0": {"N": "18"}})
        assert rendered(Admin.address["city"] == "Oslo")[0] == "#n0.#n1 = :v0"
        assert Admin.model_config["table"] == "users"
        assert Admin.__dynamo__.key_names == ("pk", "sk")
        assert Admin.__dynamo__.version == "version" and Admin.__dynamo__.ttl == "expires_at"
        assert Admin.by_email.model is Admin
        assert Admin.by_email.index.index_name == "email-index"
        assert list(Admin.model_json_schema()["properties"]) == [*FIELDS, "level"]
        # the base class is unchanged
        assert not hasattr(User(pk="a", sk="b", name="n"), "level")
        with pytest.raises(AttributeError):
            User.level  # noqa: B018

    @pytest.mark.filterwarnings("ignore:Field name .* shadows an attribute in parent:UserWarning")
    def test_a_subclass_may_redeclare_a_field(self) -> None:
        class Senior(User):
            age: int = 65
            email: str  # now required

        assert Senior(pk="a", sk="b", name="n", email="e").age == 65
        assert isinstance(Senior.age, Attr) and isinstance(Senior.email, Attr)
        with pytest.raises(ValidationError):
            Senior(pk="a", sk="b", name="n")
        assert rendered(Senior.age > 70)[2] == {":v0": {"N": "70"}}

    def test_redeclaring_a_parent_field_does_not_warn(self) -> None:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")

            class Senior(User):
                age: int = 65

        assert [str(w.message) for w in caught] == []
        assert Senior(pk="a", sk="b", name="n").age == 65

    def test_a_forward_reference_resolved_later_gives_a_typed_path(self) -> None:
        class Holder(Model):
            model_config = DynamoConfig(table="holders")
            pk: Annotated[str, PartitionKey()]
            place: "Place | None" = None

        class Place(BaseModel):
            city: str

        Holder.model_rebuild()
        assert Holder(pk="a", place={"city": "Oslo"}).place == Place(city="Oslo")
        assert rendered(Holder.place["city"] == "Oslo")[0] == "#n0.#n1 = :v0"
        assert rendered(Holder.place == Place(city="Oslo"))[2] == {
            ":v0": {"M": {"city": {"S": "Oslo"}}}
        }

    def test_attr_names_a_field_that_is_also_a_method(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # declaring it is quiet: no "shadows" warning

            class Counter(Model):
                model_config = DynamoConfig(table="counters")
                pk: Annotated[str, PartitionKey()]
                count: int = 0

        assert callable(Counter.count)  # the class keeps its method...
        assert Counter(pk="a", count=3).count == 3  # ...the instance its value
        assert rendered(Attr("count") > 3) == ("#n0 > :v0", {"#n0": "count"}, {":v0": {"N": "3"}})
        ph = Placeholders()
        assert render_update([Attr("count").add(1)], ph) == "ADD #n0 :v0"
        assert ph.names == {"#n0": "count"}


# --------------------------------------------------------------------------- definition errors


def key_model(annotation: Any, marker: type) -> type[Model]:
    """A model whose field ``key`` is the partition key (or the sort key) of type ``annotation``."""
    if marker is PartitionKey:

        class KeyModel(Model):
            model_config = DynamoConfig(table="keyed")
            key: Annotated[annotation, PartitionKey()]

        return KeyModel

    class KeyModel(Model):
        model_config = DynamoConfig(table="keyed")
        pk: Annotated[str, PartitionKey()]
        key: Annotated[annotation, SortKey()]

    return KeyModel


class TestKeyDeclarations:
    def test_a_model_with_a_table_needs_a_partition_key(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Orphan has no PartitionKey\(\)"):

            class Orphan(Model):
                model_config = DynamoConfig(table="orphans")
                name: str

    def test_a_sort_key_alone_is_not_enough(self) -> None:
        with pytest.raises(ModelDefinitionError, match="Halfway has no PartitionKey"):

            class Halfway(Model):
                model_config = DynamoConfig(table="halfway")
                sk: Annotated[str, SortKey()]

    def test_two_partition_keys_name_both_fields(self) -> None:
        with pytest.raises(ModelDefinitionError) as error:

            class Twice(Model):
                model_config = DynamoConfig(table="twice")
                first: Annotated[str, PartitionKey()]
                second: Annotated[str, PartitionKey()]

        message = str(error.value)
        assert "Twice" in message and "first" in message and "second" in message
        assert "PartitionKey" in message

    def test_two_sort_keys(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"TwoSorts .*SortKey.*\(a, b\)"):

            class TwoSorts(Model):
                model_config = DynamoConfig(table="two-sorts")
                pk: Annotated[str, PartitionKey()]
                a: Annotated[str, SortKey()]
                b: Annotated[str, SortKey()]

    def test_one_field_cannot_be_both_keys(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Both\.pk cannot be both keys"):

            class Both(Model):
                model_config = DynamoConfig(table="both")
                pk: Annotated[str, PartitionKey(), SortKey()]

    @pytest.mark.parametrize(
        "annotation",
        [
            float,
            bool,
            list[str],  # on Python 3.10 isinstance(list[str], type) is True: must not crash
            set[str],
            dict[str, int],
            str | None,
            int | None,
            enum.IntEnum("Level", "LOW HIGH"),
            enum.Enum("Colour", {"RED": 1, "BLUE": 2}),
            Address,
            Any,
        ],
        ids=lambda a: getattr(a, "__name__", None) or repr(a),
    )
    @pytest.mark.parametrize("marker", [PartitionKey, SortKey])
    def test_an_unkeyable_type_names_the_class_and_field(
        self, annotation: Any, marker: type
    ) -> None:
        with pytest.raises(ModelDefinitionError, match=r"KeyModel\.key: a key must be"):
            key_model(annotation, marker)

    @pytest.mark.parametrize(
        "annotation",
        [
            str,
            int,
            Decimal,
            bytes,
            dt.datetime,
            dt.date,
            uuid.UUID,
            Status,
            Annotated[str, Field(min_length=1)],
            pydantic.StrictInt,
        ],
        ids=lambda a: getattr(a, "__name__", None) or repr(a),
    )
    def test_keyable_types_are_accepted(self, annotation: Any) -> None:
        assert key_model(annotation, PartitionKey).__dynamo__.partition_key == "key"
        assert key_model(annotation, SortKey).__dynamo__.sort_key == "key"

    def test_a_new_type_over_str_is_a_string_key(self) -> None:
        user_id = NewType("user_id", str)
        assert key_model(user_id, PartitionKey).__dynamo__.partition_key == "key"


class TestVersionAndTTL:
    @pytest.mark.parametrize("annotation", [str, float, bool, Decimal, dt.datetime])
    def test_version_needs_an_int(self, annotation: Any) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Versioned\.rev: Version\(\) needs an int"):

            class Versioned(Model):
                model_config = DynamoConfig(table="versioned")
                pk: Annotated[str, PartitionKey()]
                rev: Annotated[annotation, Version()]

    def test_two_version_fields(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Version\(\) on 2 fields \(a, b\)"):

            class Versions(Model):
                model_config = DynamoConfig(table="versions")
                pk: Annotated[str, PartitionKey()]
                a: Annotated[int, Version()] = 0
                b: Annotated[int, Version()] = 0

    @pytest.mark.parametrize("annotation", [str, dt.date, float, Decimal])
    def test_ttl_needs_a_datetime_or_int(self, annotation: Any) -> None:
        with pytest.raises(
            ModelDefinitionError, match=r"Expiring\.expires: TTL\(\) needs a datetime"
        ):

            class Expiring(Model):
                model_config = DynamoConfig(table="expiring")
                pk: Annotated[str, PartitionKey()]
                expires: Annotated[annotation, TTL()]

    def test_accepted_version_and_ttl_fields(self) -> None:
        class Fine(Model):
            model_config = DynamoConfig(table="fine")
            pk: Annotated[str, PartitionKey()]
            rev: Annotated[int | None, Version()] = None
            expires: Annotated[int | None, TTL()] = None

        assert (Fine.__dynamo__.version, Fine.__dynamo__.ttl) == ("rev", "expires")


class TestIndexDeclarations:
    def test_an_index_key_must_be_a_field(self) -> None:
        with pytest.raises(
            ModelDefinitionError, match=r"Lost\.by_phone: partition_key 'phone' is not a field"
        ):

            class Lost(Model):
                model_config = DynamoConfig(table="lost")
                pk: Annotated[str, PartitionKey()]
                email: str | None = None
                by_phone = GlobalSecondaryIndex("phone-index", partition_key="phone")

    def test_an_index_sort_key_must_be_a_field(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Lost\.by_email: sort_key 'when'"):

            class Lost(Model):
                model_config = DynamoConfig(table="lost")
                pk: Annotated[str, PartitionKey()]
                email: str | None = None
                by_email = GlobalSecondaryIndex(
                    "email-index", partition_key="email", sort_key="when"
                )

    def test_a_local_index_sort_key_must_be_a_field(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Lost\.by_rank: sort_key 'rank'"):

            class Lost(Model):
                model_config = DynamoConfig(table="lost")
                pk: Annotated[str, PartitionKey()]
                sk: Annotated[str, SortKey()]
                by_rank = LocalSecondaryIndex("rank-index", sort_key="rank")

    def test_a_local_index_needs_a_table_sort_key(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Flat\.by_age: a local index needs"):

            class Flat(Model):
                model_config = DynamoConfig(table="flat")
                pk: Annotated[str, PartitionKey()]
                age: int = 0
                by_age = LocalSecondaryIndex("age-index", sort_key="age")

    def test_an_index_key_needs_a_keyable_type_but_may_be_optional(self) -> None:
        with pytest.raises(ModelDefinitionError, match=r"Scored\.score: a key must be"):

            class Scored(Model):
                model_config = DynamoConfig(table="scored")
                pk: Annotated[str, PartitionKey()]
                score: float = 0.0
                by_score = GlobalSecondaryIndex("score-index", partition_key="score")

        class Sparse(Model):
            model_config = DynamoConfig(table="sparse")
            pk: Annotated[str, PartitionKey()]
            email: str | None = None
            by_email = GlobalSecondaryIndex("email-index", partition_key="email")

        assert Sparse.by_email.index.partition_key == "email"

    def test_indexes_are_inherited(self) -> None:
        class Shared(Model):
            email: str | None = None
            by_email = GlobalSecondaryIndex("email-index", partition_key="email")

        class Member(Shared):
            model_config = DynamoConfig(table="members")
            pk: Annotated[str, PartitionKey()]

        assert Member.by_email.model is Member
        assert list(Member.__dynamo__.indexes) == ["by_email"]
        assert "by_email" not in Member.model_json_schema()["properties"]


# --------------------------------------------------------------------------- abstract bases


class Stamped(Model):
    """No keys and no table: an abstract base that only shares fields."""

    created_by: str = "system"
    note: str = ""


class Note(Stamped):
    model_config = DynamoConfig(table="notes")
    pk: Annotated[str, PartitionKey()]


class KeyedNoTable(Model):
    pk: Annotated[str, PartitionKey()]


class TestAbstractBases:
    def test_an_abstract_base_is_a_plain_pydantic_model(self) -> None:
        base = Stamped(note="hi")
        assert base.model_dump() == {"created_by": "system", "note": "hi"}
        assert list(Stamped.model_json_schema()["properties"]) == ["created_by", "note"]

    def test_a_concrete_subclass_gets_the_shared_fields_and_paths(self) -> None:
        assert Note(pk="n1").created_by == "system"
        assert rendered(Note.created_by == "ada")[1] == {"#n0": "created_by"}
        assert Note.__dynamo__.key_names == ("pk",)

    async def test_io_on_an_abstract_base_raises_model_definition_error(
        self, offline: DynamoDBClient
    ) -> None:
        error = ModelDefinitionError
        with pytest.raises(error, match="Stamped has no PartitionKey"):
            Stamped.sync_get(pk="x")
        with pytest.raises(error):
            await Stamped.get(pk="x")
        with pytest.raises(error):
            Stamped(note="x").sync_save()
        with pytest.raises(error):
            await Stamped(note="x").save()
        with pytest.raises(error):
            Stamped.sync_query("x")
        with pytest.raises(error):
            Stamped.scan()
        with pytest.raises(error):
            await Stamped.batch_get([{"pk": "x"}])
        with pytest.raises(error):
            Stamped.sync_create_table()
        with pytest.raises(error, match="Model has no PartitionKey"):
            Model.sync_get(pk="x")

    def test_a_keyed_model_without_a_table_refuses_io(self, offline: DynamoDBClient) -> None:
        with pytest.raises(ValidationException, match=r"KeyedNoTable has no table.*DynamoConfig"):
            KeyedNoTable.sync_get(pk="x")

    def test_keys_of_a_concrete_subclass_are_checked_before_sending(
        self, offline: DynamoDBClient
    ) -> None:
        with pytest.raises(ValidationException, match="missing: sk"):
            User.sync_get(pk="USER#1")
        with pytest.raises(ValidationException, match="unknown: name"):
            User.sync_get(pk="USER#1", sk="PROFILE", name="x")


# --------------------------------------------------------------------------- hooks


class TestHookDeclarations:
    def test_an_overridden_hook_runs_only_the_override(self, offline: DynamoDBClient) -> None:
        calls: list[str] = []

        class Parent(Model):
            model_config = DynamoConfig(table="hooked")
            pk: Annotated[str, PartitionKey()]

            @before_save
            def stamp(self) -> None:
                calls.append("parent")

        class Child(Parent):
            @before_save
            def stamp(self) -> None:
                calls.append("child")

        Transaction(offline).put(Child(pk="a"))  # before_save runs as the action is added
        assert calls == ["child"]

    def test_hooks_run_in_declaration_order_inherited_first(self, offline: DynamoDBClient) -> None:
        calls: list[str] = []

        class Parent(Model):
            model_config = DynamoConfig(table="hooked")
            pk: Annotated[str, PartitionKey()]

            @before_save
            def first(self) -> None:
                calls.append("parent")

        class Child(Parent):
            @before_save
            def second(self) -> None:
                calls.append("child-1")

            @before_save
            def third(self) -> None:
                calls.append("child-2")

        Transaction(offline).put(Child(pk="a"))
        assert calls == ["parent", "child-1", "child-2"]


# --------------------------------------------------------------------------- pydantic internals


class TestPydanticInternals:
    """DynamoMeta subclasses pydantic's private ModelMetaclass and relies on pydantic not
    leaving field defaults on the class (so class-level access reaches ``__getattr__``). If a
    pydantic release changes either, these fail first and loudly."""

    def test_pydantic_models_use_the_private_model_metaclass(self) -> None:
        assert pydantic.VERSION.startswith("2.")
        assert type(BaseModel) is ModelMetaclass
        assert issubclass(DynamoMeta, ModelMetaclass)
        assert type(DynamoMixin) is DynamoMeta
        assert type(Model) is DynamoMeta and type(User) is DynamoMeta

    def test_field_defaults_are_not_class_attributes(self) -> None:
        class Defaults(Model):
            model_config = DynamoConfig(table="defaults")
            pk: Annotated[str, PartitionKey()] = "x"
            plain: int = 5
            spec: int = Field(default=6)
            factory: list[int] = Field(default_factory=list)
            optional: str | None = None

        for name in ("pk", "plain", "spec", "factory", "optional"):
            attr = getattr(Defaults, name)
            assert isinstance(attr, Attr), (name, attr)
            assert attr.segments == (name,)
        assert Defaults().model_dump() == {
            "pk": "x",
            "plain": 5,
            "spec": 6,
            "factory": [],
            "optional": None,
        }
