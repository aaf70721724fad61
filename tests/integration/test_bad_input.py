"""Every wrong input a user can give, and the exact error each one gets.

``ROWS`` is the table: one row per wrong input, with the error class, a fragment of its
message, and whether anything is sent. Each row runs through the async and the sync API:

- ``test_against_a_dead_endpoint`` runs it on ``dead_client`` (an endpoint that does not
  listen, one attempt): a row marked ``sent="no"`` must raise its own error there, which
  proves pydynox refused it before any request (a request would have failed to connect);
  a row that DynamoDB itself must judge fails to connect instead, which proves it is sent.
- ``test_against_the_server`` runs it on each local server and checks the error and that
  nothing was written (every item of the tables is compared with the seed, independently
  of pydynox, through boto3).

Where a local server deviates from DynamoDB's documented answer, the row says so with
``deviates(server, reason=...)`` (a strict xfail on that server). docs/reliability.md lists
the same table; ``test_the_reliability_page_lists_every_row`` keeps the two in step
(``python -m tests.integration.test_bad_input`` prints the table).
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

import pydantic
import pytest

from pydynox import (
    Attr,
    BatchGetError,
    BatchWriteError,
    ConditionalCheckFailedException,
    ConnectionException,
    Delete,
    DynamoConfig,
    DynamoDBClient,
    Get,
    GlobalSecondaryIndex,
    InvalidCursorException,
    ItemTooLargeException,
    Model,
    PartitionKey,
    Put,
    PydynoxException,
    ResourceInUseException,
    ResourceNotFoundException,
    SerializationException,
    SortKey,
    Update,
    ValidationException,
    Version,
)
from pydynox.testing import local_client

from .api import Api
from .tables import unique

# --------------------------------------------------------------------------- models


class User(Model):
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    name: str | None = None
    n: int = 0
    score: float = 0.0
    by_name = GlobalSecondaryIndex("by-name", partition_key="name")


class Counter(Model):
    id: Annotated[int, PartitionKey()]
    hits: int = 0


class Versioned(Model):
    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    version: Annotated[int, Version()] = 0


def bind(model: type[Any], table: str, client: DynamoDBClient) -> Any:
    """``model`` on ``table`` through ``client`` (same class name, for the messages)."""
    config = DynamoConfig(table=table, client=client)
    return type(model.__name__, (model,), {"model_config": config, "__module__": __name__})


@dataclass
class Cursors:
    """Genuine page cursors, signed with the integration tests' secret, made on moto."""

    table: str  # the table they page through (not a table the rows use)
    client_query: str
    client_scan: str
    model_query: str


@dataclass
class Env:
    """What a row runs against: the tables and models of one client (live or dead)."""

    client: DynamoDBClient
    table: str  # pk/sk strings, GSI by-name (name)
    counters: str  # id number
    cursors: Cursors

    def __post_init__(self) -> None:
        self.User = bind(User, self.table, self.client)
        self.Counter = bind(Counter, self.counters, self.client)
        self.Versioned = bind(Versioned, self.table, self.client)

    def model_on_cursor_table(self) -> Any:
        return bind(User, self.cursors.table, self.client)


Call = Callable[[Api, Env], Awaitable[Any]]


@dataclass(frozen=True)
class Row:
    what: str  # the wrong input, as the docs table shows it
    api: str  # which API it goes through
    call: Call
    error: type[BaseException]
    fragment: str  # a part of str(error)
    sent: str  # "no": refused before any request; "yes": DynamoDB judges it; or what is sent


def row(
    id: str,
    what: str,
    api: str,
    call: Call,
    error: type[BaseException],
    fragment: str,
    sent: str = "no",
    marks: Any = (),
) -> Any:
    return pytest.param(Row(what, api, call, error, fragment, sent), id=id, marks=marks)


def deviates(server: str, reason: str, raises: type[BaseException] | None = None) -> Any:
    if raises is None:
        return pytest.mark.deviates(server, reason=reason)
    return pytest.mark.deviates(server, reason=reason, raises=raises)


async def _all(result: Any) -> Any:
    return await result.all()


KEY = {"pk": "a", "sk": "b"}
BIG = "x" * (400 * 1024)


async def _tx_101_in_a_block(api: Api, env: Env) -> None:
    async with api.transaction() as tx:
        for n in range(101):
            tx.put(env.table, {"pk": "tx", "sk": f"{n:03d}"})


async def _tx_model_twice(api: Api, env: Env) -> None:
    user = env.User(pk="a", sk="b")
    async with api.transaction() as tx:
        tx.put(user)
        tx.delete(user)


async def _batch_versioned(api: Api, env: Env) -> None:
    async with api.batch_writer() as batch:
        await batch.put(env.Versioned(pk="v", sk="v"))


async def _batch_without_table(api: Api, env: Env) -> None:
    async with api.batch_writer() as batch:
        await batch.put({"pk": "a", "sk": "b"})


def _tampered(cursor: str) -> str:
    version, payload, signature = cursor.split(".")
    return f"{version}.{payload[:-1] + ('A' if payload[-1] != 'A' else 'B')}.{signature}"


# --------------------------------------------------------------------------- the table

ROWS = [
    # -- keys, through the client ------------------------------------------------------------
    row(
        "client-key-wrong-attribute-name",
        '`{"id": "a", "sk": "b"}` for a `pk`/`sk` table',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"id": "a", "sk": "b"}),
        ValidationException,
        "The provided key element does not match the schema",
        sent="yes",
    ),
    row(
        "client-key-missing-sort-key",
        '`{"pk": "a"}` for a `pk`/`sk` table',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": "a"}),
        ValidationException,
        "The provided key element does not match the schema",
        sent="yes",
        marks=deviates("moto", "its message is only 'Validation Exception'"),
    ),
    row(
        "client-key-int-for-string-get",
        '`{"pk": 1, "sk": "b"}` for a string `pk`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": 1, "sk": "b"}),
        ValidationException,
        "The provided key element does not match the schema",
        sent="yes",
        marks=deviates("moto", "it answers 'no such item' instead of refusing the key"),
    ),
    row(
        "client-key-int-for-string-update",
        '`{"pk": 1, "sk": "b"}` for a string `pk`',
        "client update_item",
        lambda api, env: api.update_item(env.table, {"pk": 1, "sk": "b"}, updates={"n": 1}),
        ValidationException,
        "The provided key element does not match the schema",
        sent="yes",
        marks=deviates("moto", "its message is 'Type mismatch for key pk expected: S actual: N'"),
    ),
    row(
        "client-item-int-for-string-key",
        'item `{"pk": 1, "sk": "b"}` for a string `pk`',
        "client put_item",
        lambda api, env: api.put_item(env.table, {"pk": 1, "sk": "b"}),
        ValidationException,
        "Type mismatch for key pk expected: S actual: N",
        sent="yes",
    ),
    row(
        "client-item-missing-sort-key",
        'item `{"pk": "a"}` for a `pk`/`sk` table',
        "client put_item",
        lambda api, env: api.put_item(env.table, {"pk": "a"}),
        ValidationException,
        "Missing the key sk in the item",
        sent="yes",
    ),
    row(
        "client-item-wrong-key-names",
        'item `{"id": "a", "sk": "b"}` for a `pk`/`sk` table',
        "client put_item",
        lambda api, env: api.put_item(env.table, {"id": "a", "sk": "b"}),
        ValidationException,
        "Missing the key pk in the item",
        sent="yes",
    ),
    row(
        "client-item-empty-string-key",
        'item `{"pk": "", "sk": "b"}`',
        "client put_item",
        lambda api, env: api.put_item(env.table, {"pk": "", "sk": "b"}),
        ValidationException,
        "empty string",
        sent="yes",
    ),
    row(
        "client-item-empty-string-index-key",
        'item `{"pk": "a", "sk": "b", "name": ""}`, `name` an index key',
        "client put_item",
        lambda api, env: api.put_item(env.table, {"pk": "a", "sk": "b", "name": ""}),
        ValidationException,
        "cannot contain an empty string value",
        sent="yes",
        marks=deviates("dynalite", "it stores an empty string in an index key"),
    ),
    row(
        "client-key-empty-string",
        '`{"pk": "", "sk": "b"}`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": "", "sk": "b"}),
        ValidationException,
        "key attribute 'pk' is empty",
    ),
    row(
        "client-key-empty-bytes",
        '`{"pk": b"", "sk": "b"}`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": b"", "sk": "b"}),
        ValidationException,
        "key attribute 'pk' is empty",
    ),
    row(
        "client-key-none",
        '`{"pk": None, "sk": "b"}`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": None, "sk": "b"}),
        ValidationException,
        "key attribute 'pk' is None",
    ),
    row(
        "client-key-empty-mapping",
        "`{}`",
        "client get_item",
        lambda api, env: api.get_item(env.table, {}),
        ValidationException,
        "a key must be a non-empty mapping of attributes",
    ),
    row(
        "client-key-three-attributes",
        '`{"pk": "a", "sk": "b", "x": 1}`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": "a", "sk": "b", "x": 1}),
        ValidationException,
        "a key has a partition key and at most a sort key",
    ),
    row(
        "client-key-bool",
        '`{"pk": True}`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": True, "sk": "b"}),
        ValidationException,
        "key attribute 'pk' must be a string, number or bytes, not BOOL",
    ),
    row(
        "client-key-list",
        '`{"pk": [1]}`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"pk": [1], "sk": "b"}),
        ValidationException,
        "key attribute 'pk' must be a string, number or bytes, not L",
    ),
    row(
        "client-key-empty-attribute-name",
        '`{"": "a"}`',
        "client get_item",
        lambda api, env: api.get_item(env.table, {"": "a"}),
        ValidationException,
        "key attribute names must be non-empty strings",
    ),
    row(
        "client-delete-empty-string-key",
        '`{"pk": "", "sk": "b"}`',
        "client delete_item",
        lambda api, env: api.delete_item(env.table, {"pk": "", "sk": "b"}),
        ValidationException,
        "key attribute 'pk' is empty",
    ),
    row(
        "client-batch-get-empty-string-key",
        'keys `[{"pk": "", "sk": "b"}]`',
        "client batch_get",
        lambda api, env: api.batch_get(env.table, [KEY, {"pk": "", "sk": "b"}]),
        ValidationException,
        "key attribute 'pk' is empty",
    ),
    row(
        "client-batch-get-wrong-key-names",
        'keys `[{"id": "a", "sk": "b"}]` for a `pk`/`sk` table',
        "client batch_get",
        lambda api, env: api.batch_get(env.table, [{"id": "a", "sk": "b"}]),
        BatchGetError,
        "The provided key element does not match the schema",
        sent="yes",
        marks=deviates("moto", "its message is only 'Validation Exception'"),
    ),
    row(
        "client-batch-write-missing-sort-key",
        'put `{"pk": "a"}` for a `pk`/`sk` table',
        "client batch_write",
        lambda api, env: api.batch_write(env.table, put_items=[{"pk": "a"}]),
        ValidationException,
        "lacks its key attribute(s) ['sk']",
        sent="DescribeTable only, no write",
    ),
    # -- keys, through models ----------------------------------------------------------------
    row(
        "model-key-int-for-string",
        "`User.get(pk=1, sk='b')`, `pk: str`",
        "model get",
        lambda api, env: api.on(env.User).get(pk=1, sk="b"),
        pydantic.ValidationError,
        "Input should be a valid string",
    ),
    row(
        "model-key-string-for-int",
        "`Counter.get(id='abc')`, `id: int`",
        "model get",
        lambda api, env: api.on(env.Counter).get(id="abc"),
        pydantic.ValidationError,
        "Input should be a valid integer",
    ),
    row(
        "model-key-missing-sort-key",
        "`User.get(pk='a')`",
        "model get",
        lambda api, env: api.on(env.User).get(pk="a"),
        ValidationException,
        "User key takes pk, sk; missing: sk",
    ),
    row(
        "model-key-unknown-name",
        "`User.get(pk='a', sk='b', id='c')`",
        "model get",
        lambda api, env: api.on(env.User).get(pk="a", sk="b", id="c"),
        ValidationException,
        "User key takes pk, sk; unknown: id",
    ),
    row(
        "model-key-empty-string",
        "`User.get(pk='', sk='b')`",
        "model get",
        lambda api, env: api.on(env.User).get(pk="", sk="b"),
        ValidationException,
        "key attribute 'pk' is empty",
    ),
    row(
        "model-save-empty-string-key",
        "`user.save()` with `pk=''`",
        "model save",
        lambda api, env: api.on(env.User(pk="", sk="b")).save(),
        ValidationException,
        "User.pk is a table key and cannot be empty",
    ),
    row(
        "model-save-empty-string-index-key",
        "`user.save()` with `name=''`, an index key",
        "model save",
        lambda api, env: api.on(env.User(pk="a", sk="b", name="")).save(),
        ValidationException,
        "User.name is an index key and cannot be empty",
    ),
    row(
        "model-delete-by-key-missing-sort-key",
        "`User.delete_by_key(pk='a')`",
        "model delete_by_key",
        lambda api, env: api.on(env.User).delete_by_key(pk="a"),
        ValidationException,
        "User key takes pk, sk; missing: sk",
    ),
    row(
        "model-update-by-key-missing-sort-key",
        "`User.update_by_key(pk='a', n=1)`",
        "model update_by_key",
        lambda api, env: api.on(env.User).update_by_key(pk="a", n=1),
        ValidationException,
        "User key takes pk, sk; missing: sk",
    ),
    row(
        "model-query-empty-partition-key",
        "`User.query(partition_key='')`",
        "model query",
        lambda api, env: _all(api.on(env.User).query(partition_key="")),
        ValidationException,
        "User.pk is a table key and cannot be empty",
    ),
    row(
        "model-count-empty-partition-key",
        "`User.count(partition_key='')`",
        "model count",
        lambda api, env: api.on(env.User).count(partition_key=""),
        ValidationException,
        "User.pk is a table key and cannot be empty",
    ),
    row(
        "model-index-query-empty-partition-key",
        "`User.by_name.query(partition_key='')`",
        "model index query",
        lambda api, env: _all(api.on(env.User.by_name).query(partition_key="")),
        ValidationException,
        "User.name is an index key and cannot be empty",
    ),
    # -- values --------------------------------------------------------------------------------
    row(
        "value-nan",
        "NaN (`math.nan`)",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": math.nan}),
        SerializationException,
        "x: NaN cannot be stored in DynamoDB",
    ),
    row(
        "value-infinity",
        "infinity (`math.inf`)",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": math.inf}),
        SerializationException,
        "x: infinity cannot be stored in DynamoDB",
    ),
    row(
        "value-minus-infinity-nested",
        "`{'m': [-inf]}`",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "m": [-math.inf]}),
        SerializationException,
        "m[0]: infinity cannot be stored in DynamoDB",
    ),
    row(
        "value-39-digit-int",
        "`10**38 + 1` (39 significant digits)",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": 10**38 + 1}),
        SerializationException,
        "x: a number with 39 significant digits cannot be stored",
    ),
    row(
        "value-39-digit-decimal",
        "the Decimal `1.23456789012345678901234567890123456789`",
        "client put_item",
        lambda api, env: api.put_item(
            env.table, {**KEY, "x": Decimal("1.23456789012345678901234567890123456789")}
        ),
        SerializationException,
        "x: a number with 39 significant digits cannot be stored",
    ),
    row(
        "value-1e126",
        "the Decimal `1E+126`",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": Decimal("1E+126")}),
        SerializationException,
        "x: a number of magnitude 1E+126 cannot be stored",
    ),
    row(
        "value-int-10-to-126",
        "`10**126`",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": 10**126}),
        SerializationException,
        "below 1E+126",
    ),
    row(
        "value-1e-131",
        "the Decimal `1E-131`",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": Decimal("1E-131")}),
        SerializationException,
        "x: a number of magnitude 1E-131 cannot be stored",
    ),
    row(
        "value-empty-set-in-list",
        "an empty set inside a list",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": [set()]}),
        SerializationException,
        "x[0]: an empty set cannot be stored",
    ),
    row(
        "value-empty-set-in-condition",
        "`Attr('x') ==` an empty set",
        "client put_item condition",
        lambda api, env: api.put_item(env.table, KEY, condition=Attr("x") == set()),
        SerializationException,
        "x: an empty set cannot be stored",
    ),
    row(
        "value-mixed-set",
        "`{'a', 1}`",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": {"a", 1}}),
        SerializationException,
        "x: a set must hold only strings, only numbers or only bytes",
    ),
    row(
        "value-arbitrary-object",
        "an `object` instance",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": object()}),
        SerializationException,
        "x: cannot store a value of type object",
    ),
    row(
        "value-nan-in-update",
        "`updates={'x': nan}`",
        "client update_item",
        lambda api, env: api.update_item(env.table, KEY, updates={"x": math.nan}),
        SerializationException,
        "x: NaN cannot be stored in DynamoDB",
    ),
    row(
        "value-nan-in-batch",
        "put `{'x': nan}`",
        "client batch_write",
        lambda api, env: api.batch_write(env.table, put_items=[{**KEY, "x": math.nan}]),
        SerializationException,
        "x: NaN cannot be stored in DynamoDB",
    ),
    row(
        "model-value-nan",
        "`user.save()` with `score` NaN (pydantic accepts NaN floats)",
        "model save",
        lambda api, env: api.on(env.User(pk="a", sk="b", score=math.nan)).save(),
        SerializationException,
        "score: NaN cannot be stored in DynamoDB",
    ),
    row(
        "model-value-infinity",
        "`user.save()` with `score` infinity",
        "model save",
        lambda api, env: api.on(env.User(pk="a", sk="b", score=math.inf)).save(),
        SerializationException,
        "score: infinity cannot be stored in DynamoDB",
    ),
    # -- items ---------------------------------------------------------------------------------
    row(
        "item-over-400-kb",
        "an item over 400 KB",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "x": BIG}),
        ItemTooLargeException,
        "over DynamoDB's 400 KB item limit",
    ),
    row(
        "item-over-400-kb-in-batch",
        "an item over 400 KB",
        "client batch_write",
        lambda api, env: api.batch_write(env.table, put_items=[{**KEY, "x": BIG}]),
        ItemTooLargeException,
        "over DynamoDB's 400 KB item limit",
    ),
    row(
        "item-over-400-kb-in-transaction",
        "an item over 400 KB",
        "client transact_write",
        lambda api, env: api.transact_write([Put(env.table, {**KEY, "x": BIG})]),
        ItemTooLargeException,
        "over DynamoDB's 400 KB item limit",
    ),
    row(
        "item-over-400-kb-by-update",
        "an update that makes the item over 400 KB",
        "client update_item",
        lambda api, env: api.update_item(env.table, KEY, updates={"x": BIG}),
        ItemTooLargeException,
        "Item size to update has exceeded the maximum allowed size",
        sent="yes",
        marks=deviates("moto", "it refuses the update but creates the key-only item"),
    ),
    row(
        "item-empty-attribute-name",
        "`{'pk': 'a', 'sk': 'b', '': 1}`",
        "client put_item",
        lambda api, env: api.put_item(env.table, {**KEY, "": 1}),
        ValidationException,
        "DynamoDB attribute names are 1 to 65535 bytes long",
    ),
    row(
        "item-empty-attribute-name-in-batch",
        "`{'pk': 'a', 'sk': 'b', '': 1}`",
        "client batch_write",
        lambda api, env: api.batch_write(env.table, put_items=[{**KEY, "": 1}]),
        ValidationException,
        "DynamoDB attribute names are 1 to 65535 bytes long",
    ),
    row(
        "item-not-a-mapping",
        "`[('pk', 'a')]`",
        "client put_item",
        lambda api, env: api.put_item(env.table, [("pk", "a")]),
        ValidationException,
        "an item must be a mapping of attributes",
    ),
    # -- updates -------------------------------------------------------------------------------
    row(
        "update-nothing",
        "no `updates=` and no `atomic=`",
        "client update_item",
        lambda api, env: api.update_item(env.table, KEY),
        ValidationException,
        "an update needs at least one field in updates= or atomic=",
    ),
    row(
        "update-key-attribute",
        "`updates={'pk': 'z'}`",
        "client update_item",
        lambda api, env: api.update_item(env.table, KEY, updates={"pk": "z"}),
        ValidationException,
        "cannot update key attribute 'pk'",
    ),
    row(
        "update-empty-attribute-name",
        "`updates={'': 1}`",
        "client update_item",
        lambda api, env: api.update_item(env.table, KEY, updates={"": 1}),
        ValidationException,
        "an attribute name cannot be empty",
    ),
    row(
        "model-update-unknown-field",
        "`user.update(nmae='x')`",
        "model update",
        lambda api, env: api.on(env.User(pk="a", sk="b")).update(nmae="x"),
        ValidationException,
        "User has no field 'nmae' to update",
    ),
    row(
        "model-update-key-field",
        "`user.update(pk='z')`",
        "model update",
        lambda api, env: api.on(env.User(pk="a", sk="b")).update(pk="z"),
        ValidationException,
        "User.pk is a key: it cannot be updated",
    ),
    row(
        "model-update-version-field",
        "`versioned.update(version=7)`",
        "model update",
        lambda api, env: api.on(env.Versioned(pk="a", sk="b")).update(version=7),
        ValidationException,
        "Versioned.version is the version: pydynox sets it on every write",
    ),
    row(
        "model-update-wrong-type",
        "`user.update(n='abc')`, `n: int`",
        "model update",
        lambda api, env: api.on(env.User(pk="a", sk="b")).update(n="abc"),
        pydantic.ValidationError,
        "Input should be a valid integer",
    ),
    row(
        "model-update-by-key-unknown-field",
        "`User.update_by_key(pk='a', sk='b', nmae='x')`",
        "model update_by_key",
        lambda api, env: api.on(env.User).update_by_key(pk="a", sk="b", nmae="x"),
        ValidationException,
        "User has no field 'nmae' to update",
    ),
    # -- conditions and expressions ------------------------------------------------------------
    row(
        "model-condition-unknown-field",
        "`condition=User.nmae == 'x'`",
        "model save condition",
        lambda api, env: api.on(env.User(pk="a", sk="b")).save(condition=env.User.nmae == "x"),
        AttributeError,
        "'nmae' is not a field of User",
    ),
    row(
        "model-condition-undeclared-attribute",
        "`condition=Attr('nmae') == 'x'` (allowed: models may meet undeclared attributes)",
        "model save condition",
        lambda api, env: api.on(env.User(pk="a", sk="b")).save(condition=Attr("nmae") == "x"),
        ConditionalCheckFailedException,
        "The conditional request failed",
        sent="yes",
    ),
    row(
        "model-condition-bool",
        "`condition=True`",
        "model save condition",
        lambda api, env: api.on(env.User(pk="a", sk="b")).save(condition=True),
        ValidationException,
        "condition must be built from attribute paths",
    ),
    row(
        "client-condition-bool",
        "`condition=True`",
        "client put_item condition",
        lambda api, env: api.put_item(env.table, KEY, condition=True),
        ValidationException,
        "condition must be built from attribute paths",
    ),
    row(
        "condition-bad-path",
        "`Attr('a..b')`",
        "client condition",
        lambda api, env: api.put_item(env.table, KEY, condition=Attr("a..b").exists()),
        ValidationException,
        "invalid attribute path 'a..b': empty attribute name at position 2",
    ),
    row(
        "filter-not-a-condition",
        "`filter_expression=3`",
        "client scan",
        lambda api, env: _all(api.scan(env.table, filter_expression=3)),
        ValidationException,
        "an expression must be a non-empty string or a condition, not 3",
    ),
    row(
        "key-condition-empty",
        '`key_condition_expression=""`',
        "client query",
        lambda api, env: _all(api.query(env.table, "")),
        ValidationException,
        "an expression must be a non-empty string or a condition",
    ),
    row(
        "key-condition-bad-placeholder",
        "`expression_attribute_names={'pk': 'pk'}` (no `#`)",
        "client query",
        lambda api, env: _all(
            api.query(env.table, "#pk = :pk", {"pk": "pk"}, {":pk": "a"})  # type: ignore[dict-item]
        ),
        ValidationException,
        "expression attribute name placeholder 'pk' must be '#' followed by",
    ),
    row(
        "key-condition-on-non-key-attribute",
        "`Attr('n') == 1` as a key condition",
        "client query",
        lambda api, env: _all(api.query(env.table, Attr("n") == 1)),
        ValidationException,
        "Query condition missed key schema element: pk",
        sent="yes",
    ),
    row(
        "key-condition-empty-string",
        "`Attr('pk') == ''` as a key condition",
        "client query",
        lambda api, env: _all(api.query(env.table, Attr("pk") == "")),
        ValidationException,
        "cannot contain an empty string value",
        sent="yes",
        marks=deviates("dynalite", "it answers no items instead of refusing the empty key"),
    ),
    # -- transactions --------------------------------------------------------------------------
    row(
        "transaction-101-actions",
        "101 actions",
        "client transact_write",
        lambda api, env: api.transact_write(
            [Put(env.table, {"pk": "tx", "sk": f"{n:03d}"}) for n in range(101)]
        ),
        ValidationException,
        "a transaction takes at most 100 actions, got 101",
    ),
    row(
        "transaction-101-actions-in-a-block",
        "101 actions added in `async with Transaction()`",
        "Transaction",
        _tx_101_in_a_block,
        ValidationException,
        "a transaction takes at most 100 actions, got 101",
    ),
    row(
        "transaction-no-actions",
        "`transact_write([])`",
        "client transact_write",
        lambda api, env: api.transact_write([]),
        ValidationException,
        "a transaction needs at least one action",
    ),
    row(
        "transaction-two-actions-one-item",
        "an Update and a Delete of one key",
        "client transact_write",
        lambda api, env: api.transact_write(
            [Update(env.table, KEY, updates={"n": 1}), Delete(env.table, KEY)]
        ),
        ValidationException,
        "actions 0 and 1 of the transaction touch the same item",
    ),
    row(
        "transaction-put-and-delete-one-item",
        "a Delete and a Put of one item",
        "client transact_write",
        lambda api, env: api.transact_write([Delete(env.table, KEY), Put(env.table, KEY)]),
        ValidationException,
        "actions 0 and 1 of the transaction touch the same item",
    ),
    row(
        "transaction-model-twice",
        "`tx.put(user)` then `tx.delete(user)`",
        "Transaction",
        _tx_model_twice,
        ValidationException,
        "actions 0 and 1 of the transaction touch the same item",
    ),
    row(
        "transact-get-101",
        "101 Gets",
        "client transact_get",
        lambda api, env: api.transact_get(
            [Get(env.table, {"pk": "g", "sk": f"{n:03d}"}) for n in range(101)]
        ),
        ValidationException,
        "a transaction takes at most 100 actions, got 101",
    ),
    row(
        "transact-get-duplicate",
        "one key twice",
        "client transact_get",
        lambda api, env: api.transact_get([Get(env.table, KEY), Get(env.table, KEY)]),
        ValidationException,
        "actions 0 and 1 of the transaction touch the same item",
    ),
    row(
        "transact-get-not-a-get",
        "`transact_get([Put(...)])`",
        "client transact_get",
        lambda api, env: api.transact_get([Put(env.table, KEY)]),
        ValidationException,
        "transact_get takes Get actions",
    ),
    # -- batches -------------------------------------------------------------------------------
    row(
        "batch-writer-versioned-model",
        "a model with a `Version()` field",
        "BatchWriter",
        _batch_versioned,
        ValidationException,
        "has a Version() field, and batch writes take no conditions",
    ),
    row(
        "batch-writer-no-table",
        "a plain item and no `table=`",
        "BatchWriter",
        _batch_without_table,
        ValidationException,
        "no table: pass table= to the writer or to put/delete",
    ),
    # -- tables and indexes --------------------------------------------------------------------
    row(
        "table-name-too-short",
        "`'ab'`",
        "client get_item",
        lambda api, env: api.get_item("ab", KEY),
        ValidationException,
        "invalid table name 'ab'",
    ),
    row(
        "table-name-bad-characters",
        "`'my table!'`",
        "client get_item",
        lambda api, env: api.get_item("my table!", KEY),
        ValidationException,
        "invalid table name 'my table!'",
    ),
    row(
        "table-name-too-long",
        "256 characters",
        "client put_item",
        lambda api, env: api.put_item("t" * 256, KEY),
        ValidationException,
        "DynamoDB table and index names are 3 to 255 characters",
    ),
    row(
        "table-name-not-a-string",
        "`None`",
        "client query",
        lambda api, env: _all(api.query(None, Attr("pk") == "a")),
        ValidationException,
        "invalid table name None",
    ),
    row(
        "table-missing",
        "a valid name, no such table",
        "client get_item",
        lambda api, env: api.get_item("no-such-table-here", KEY),
        ResourceNotFoundException,
        "Requested resource not found",
        sent="yes",
    ),
    row(
        "create-table-bad-key-type",
        "`partition_key=('pk', 'BOOL')`",
        "client create_table",
        lambda api, env: api.create_table("bad-key-type", partition_key=("pk", "BOOL")),
        ValidationException,
        "partition_key must be (name, 'S' | 'N' | 'B')",
    ),
    row(
        "create-table-bad-name",
        "`'ab'`",
        "client create_table",
        lambda api, env: api.create_table("ab"),
        ValidationException,
        "invalid table name 'ab'",
    ),
    row(
        "create-table-exists",
        "a table that exists",
        "client create_table",
        lambda api, env: api.create_table(env.table, partition_key=("pk", "S")),
        ResourceInUseException,
        "Table already exists",
        sent="yes",
        marks=deviates("dynalite", "its message is only 'ResourceInUseException'"),
    ),
    row(
        "index-name-invalid",
        "`index_name='x'`",
        "client query",
        lambda api, env: _all(api.query(env.table, Attr("name") == "a", index_name="x")),
        ValidationException,
        "invalid index name 'x'",
    ),
    row(
        "index-unknown-query",
        "`index_name='no-such-index'`",
        "client query",
        lambda api, env: _all(
            api.query(env.table, Attr("name") == "a", index_name="no-such-index")
        ),
        ValidationException,
        "The table does not have the specified index: no-such-index",
        sent="yes",
        marks=deviates(
            "moto",
            "it raises ResourceNotFoundException 'Invalid index'",
            raises=ResourceNotFoundException,
        ),
    ),
    row(
        "index-unknown-scan",
        "`index_name='no-such-index'`",
        "client scan",
        lambda api, env: _all(api.scan(env.table, index_name="no-such-index")),
        ValidationException,
        "The table does not have the specified index: no-such-index",
        sent="yes",
    ),
    row(
        "index-global-consistent-read",
        "`consistent_read=True` on a global index",
        "client query",
        lambda api, env: _all(
            api.query(env.table, Attr("name") == "a", index_name="by-name", consistent_read=True)
        ),
        ValidationException,
        "Consistent reads are not supported on global secondary indexes",
        sent="yes",
    ),
    row(
        "model-index-global-consistent-read",
        "`User.by_name.query(..., consistent_read=True)`",
        "model index query",
        lambda api, env: _all(
            api.on(env.User.by_name).query(partition_key="a", consistent_read=True)
        ),
        ValidationException,
        "User.by_name is a global secondary index: DynamoDB offers no consistent reads",
    ),
    row(
        "model-index-global-consistent-scan",
        "`User.by_name.scan(consistent_read=True)`",
        "model index scan",
        lambda api, env: _all(api.on(env.User.by_name).scan(consistent_read=True)),
        ValidationException,
        "User.by_name is a global secondary index: DynamoDB offers no consistent reads",
    ),
    # -- limits and pages ----------------------------------------------------------------------
    row(
        "limit-zero",
        "`limit=0`",
        "client query",
        lambda api, env: _all(api.query(env.table, Attr("pk") == "a", limit=0)),
        ValidationException,
        "limit must be a positive whole number, not 0",
    ),
    row(
        "limit-negative",
        "`limit=-1`",
        "client scan",
        lambda api, env: _all(api.scan(env.table, limit=-1)),
        ValidationException,
        "limit must be a positive whole number, not -1",
    ),
    row(
        "limit-not-a-number",
        "`limit='3'`",
        "client scan",
        lambda api, env: _all(api.scan(env.table, limit="3")),
        ValidationException,
        "limit must be a positive whole number, not '3'",
    ),
    row(
        "page-size-zero",
        "`page_size=0`",
        "client query",
        lambda api, env: _all(api.query(env.table, Attr("pk") == "a", page_size=0)),
        ValidationException,
        "page_size must be a positive whole number, not 0",
    ),
    row(
        "model-limit-zero",
        "`User.query(..., limit=0)`",
        "model query",
        lambda api, env: _all(api.on(env.User).query(partition_key="a", limit=0)),
        ValidationException,
        "limit must be a positive whole number, not 0",
    ),
    row(
        "model-page-size-negative",
        "`User.scan(page_size=-5)`",
        "model scan",
        lambda api, env: _all(api.on(env.User).scan(page_size=-5)),
        ValidationException,
        "page_size must be a positive whole number, not -5",
    ),
    row(
        "page-zero",
        "`.page(0)`",
        "page()",
        lambda api, env: api.on(env.User).query(partition_key="a").page(0),
        ValidationException,
        "page_size must be a positive whole number, not 0",
    ),
    row(
        "page-negative",
        "`.page(-1)`",
        "page()",
        lambda api, env: api.query(env.table, Attr("pk") == "a").page(-1),
        ValidationException,
        "page_size must be a positive whole number, not -1",
    ),
    row(
        "page-size-over-int32",
        "`page_size=2**31` (DynamoDB's `Limit` is a 32-bit integer)",
        "client query",
        lambda api, env: _all(api.query(env.table, Attr("pk") == "a", page_size=2**31)),
        ValidationException,
        "page_size must be at most 2147483647",
    ),
    row(
        "scan-segment-out-of-range",
        "`segment=3, total_segments=2`",
        "client scan",
        lambda api, env: _all(api.scan(env.table, segment=3, total_segments=2)),
        ValidationException,
        "segment must be in 0..total_segments-1 and total_segments in 1..1000000",
    ),
    row(
        "scan-segment-alone",
        "`segment=0` without `total_segments`",
        "model scan",
        lambda api, env: _all(api.on(env.User).scan(segment=0)),
        ValidationException,
        "a parallel scan needs both segment and total_segments",
    ),
    row(
        "scan-too-many-segments",
        "`total_segments=1_000_001`",
        "client scan",
        lambda api, env: _all(api.scan(env.table, segment=0, total_segments=1_000_001)),
        ValidationException,
        "total_segments in 1..1000000",
    ),
    # -- cursors -------------------------------------------------------------------------------
    row(
        "cursor-tampered",
        "a cursor with one character changed",
        "page()",
        lambda api, env: api.query(env.cursors.table, Attr("pk") == "c").page(
            2, _tampered(env.cursors.client_query)
        ),
        InvalidCursorException,
        "invalid cursor: it was altered, or signed with another cursor secret",
    ),
    row(
        "cursor-garbage",
        "`'garbage'`",
        "page()",
        lambda api, env: api.on(env.User).query(partition_key="a").page(2, "garbage"),
        InvalidCursorException,
        "invalid cursor: not a pydynox page cursor",
    ),
    row(
        "cursor-other-table",
        "a cursor of the same query on another table",
        "page()",
        lambda api, env: api.query(env.table, Attr("pk") == "c").page(2, env.cursors.client_query),
        InvalidCursorException,
        "invalid cursor: it belongs to another table, index or partition key",
    ),
    row(
        "cursor-other-model",
        "a cursor of another model (another table)",
        "page()",
        lambda api, env: api.on(env.User).query(partition_key="c").page(2, env.cursors.model_query),
        InvalidCursorException,
        "invalid cursor: it belongs to another table, index or partition key",
    ),
    row(
        "cursor-client-on-model",
        "a client query's cursor given to a model query of that table",
        "page()",
        lambda api, env: (
            api.on(env.model_on_cursor_table())
            .query(partition_key="c")
            .page(2, env.cursors.client_query)
        ),
        InvalidCursorException,
        "invalid cursor: it belongs to another table, index or partition key",
    ),
    row(
        "cursor-scan-on-query",
        "a scan's cursor given to a query of that table",
        "page()",
        lambda api, env: api.query(env.cursors.table, Attr("pk") == "c").page(
            2, env.cursors.client_scan
        ),
        InvalidCursorException,
        "invalid cursor: it belongs to another table, index or partition key",
    ),
]


# --------------------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def cursors(servers: Any) -> Iterator[Cursors]:
    """Genuine cursors, made once on moto; the rows use them on other tables and queries."""
    client = local_client(servers.endpoint("moto"), cursor_secret="integration-tests")
    table = unique("cursors")
    model = bind(User, table, client)
    model.sync_create_table()
    client.sync_batch_write(table, put_items=[{"pk": "c", "sk": f"{n}"} for n in range(5)])
    yield Cursors(
        table=table,
        client_query=str(client.sync_query(table, Attr("pk") == "c").page(2).next_cursor),
        client_scan=str(client.sync_scan(table).page(2).next_cursor),
        model_query=str(model.sync_query(partition_key="c").page(2).next_cursor),
    )
    client.sync_delete_table(table, wait=False)
    client.sync_close()


SEED = [{"pk": {"S": "seed"}, "sk": {"S": "seed"}, "name": {"S": "seed"}, "n": {"N": "1"}}]
COUNTER_SEED = [{"id": {"N": "1"}, "hits": {"N": "0"}}]


@pytest.fixture(scope="module")
def live(client: DynamoDBClient, boto: Any, cursors: Cursors) -> Iterator[Env]:
    env = Env(client, unique("bad"), unique("badn"), cursors)
    env.User.sync_create_table()
    env.Counter.sync_create_table()
    for item in SEED:
        boto.put_item(TableName=env.table, Item=item)
    for item in COUNTER_SEED:
        boto.put_item(TableName=env.counters, Item=item)
    yield env
    client.sync_delete_table(env.table, wait=False)
    client.sync_delete_table(env.counters, wait=False)


def stored(boto: Any, table: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    kwargs: dict[str, Any] = {"TableName": table, "ConsistentRead": True}
    while True:
        page = boto.scan(**kwargs)
        items += page["Items"]
        if "LastEvaluatedKey" not in page:
            return items
        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]


def restore(boto: Any, table: str, keys: tuple[str, ...], seed: list[dict[str, Any]]) -> bool:
    """Put ``table`` back to ``seed``; True if it had changed."""
    found = stored(boto, table)
    if sorted(map(repr, found)) == sorted(map(repr, seed)):
        return False
    for item in found:
        boto.delete_item(TableName=table, Key={k: item[k] for k in keys})
    for item in seed:
        boto.put_item(TableName=table, Item=item)
    return True


def connection_failed(error: BaseException | None) -> bool:
    while error is not None:
        if isinstance(error, ConnectionException):
            return True
        error = error.__cause__
    return False


# --------------------------------------------------------------------------- the tests


@pytest.mark.parametrize("case", ROWS)
@pytest.mark.parametrize("mode", ["async", "sync"])
async def test_against_a_dead_endpoint(
    case: Row, mode: str, dead_client: DynamoDBClient, cursors: Cursors
) -> None:
    api = Api(dead_client, mode)
    env = Env(dead_client, "bad-input-table", "bad-input-counters", cursors)
    if case.sent == "no":
        with pytest.raises(case.error) as info:
            await case.call(api, env)
        assert case.fragment in str(info.value)
        assert not connection_failed(info.value)
    else:  # DynamoDB must judge it: the request is sent (and here fails to connect)
        with pytest.raises(PydynoxException) as failed:
            await case.call(api, env)
        assert connection_failed(failed.value), repr(failed.value)


@pytest.mark.parametrize("case", ROWS)
async def test_against_the_server(case: Row, api: Api, live: Env, boto: Any) -> None:
    try:
        with pytest.raises(case.error) as info:
            await case.call(api, live)
        assert case.fragment in str(info.value)
    finally:
        changed = restore(boto, live.table, ("pk", "sk"), SEED)
        changed |= restore(boto, live.counters, ("id",), COUNTER_SEED)
    assert not changed, "something was written"


# --------------------------------------------------------------------------- documented behaviour


async def test_batch_write_collapses_duplicate_keys_into_the_last_write(
    api: Api, table: str, boto: Any, dead_client: DynamoDBClient
) -> None:
    await api.batch_write(
        table,
        put_items=[{"pk": "d", "sk": "d", "v": 1}, {"pk": "d", "sk": "d", "v": 2}],
        delete_keys=[{"pk": "gone", "sk": "gone"}],
    )
    assert await api.get_item(table, {"pk": "d", "sk": "d"}) == {"pk": "d", "sk": "d", "v": 2}
    # A put and then a delete of one key: the delete (the last write) wins.
    await api.batch_write(table, put_items=[{"pk": "d", "sk": "d", "v": 3}], delete_keys=[KEY])
    await api.batch_write(table, put_items=[{**KEY, "v": 1}], delete_keys=[KEY])
    assert await api.get_item(table, KEY) is None
    assert [i["v"]["N"] for i in boto.scan(TableName=table)["Items"]] == ["3"]
    # Models know their key names, so the collapse happens before anything is sent: the
    # dead endpoint's error lists the one write that was left.
    dead = bind(User, table, dead_client)
    with pytest.raises(BatchWriteError) as info:
        async with api.batch_writer(client=dead_client) as batch:
            await batch.put(dead(pk="d", sk="d", n=1))
            await batch.put(dead(pk="d", sk="d", n=2))
            await batch.put(dead(pk="d", sk="d", n=3))
    assert [action.item["n"] for action in info.value.unprocessed] == [3]
    assert connection_failed(info.value)


async def test_batch_get_asks_once_for_duplicate_keys(
    api: Api, table: str, dead_client: DynamoDBClient
) -> None:
    await api.put_item(table, {**KEY, "v": 1})
    found = await api.batch_get(table, [KEY, {"sk": "b", "pk": "a"}, KEY, {"pk": "x", "sk": "y"}])
    assert found == [{**KEY, "v": 1}]
    with pytest.raises(BatchGetError) as info:
        await Api(dead_client, api.mode).batch_get(table, [KEY, KEY, {"sk": "b", "pk": "a"}])
    assert [get.key for get in info.value.unprocessed] == [KEY]  # one key asked, not three


async def test_an_empty_set_is_left_out_at_the_top_level_and_removes_in_an_update(
    api: Api, table: str, boto: Any
) -> None:
    await api.put_item(table, {**KEY, "tags": set(), "meta": {"empty": set(), "n": 1}})
    raw = boto.get_item(TableName=table, Key={"pk": {"S": "a"}, "sk": {"S": "b"}})["Item"]
    assert raw == {"pk": {"S": "a"}, "sk": {"S": "b"}, "meta": {"M": {"n": {"N": "1"}}}}
    await api.update_item(table, KEY, updates={"tags": {"x"}})
    assert await api.update_item(table, KEY, updates={"tags": set()}) == {
        **KEY,
        "meta": {"n": 1},
    }


# --------------------------------------------------------------------------- the docs table

DOC = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
BEGIN, END = "<!-- bad-input-table -->", "<!-- /bad-input-table -->"


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def markdown_table() -> str:
    lines = [
        "| id | input | API | error | message fragment | sent? |",
        "|---|---|---|---|---|---|",
    ]
    for param in ROWS:
        case: Row = param.values[0]
        error = case.error.__name__
        if case.error is pydantic.ValidationError:
            error = "pydantic `ValidationError`"
        else:
            error = f"`{error}`"
        sent = case.sent
        for mark in param.marks:
            if mark.name == "deviates":
                sent += f"; {mark.args[0]} deviates: {mark.kwargs['reason']}"
            if mark.name == "xfail":
                sent += " **(bug, xfail: sent today)**"
        lines.append(
            f"| `{param.id}` | {_cell(case.what)} | {case.api} | {error} | "
            f"{_cell(case.fragment)} | {_cell(sent)} |"
        )
    return "\n".join(lines)


def test_the_reliability_page_lists_every_row() -> None:
    text = DOC.read_text()
    match = re.search(re.escape(BEGIN) + r"\n(.*?)\n" + re.escape(END), text, re.S)
    assert match, f"{DOC} has no {BEGIN} ... {END} block"
    assert match.group(1) == markdown_table(), (
        "regenerate: python -m tests.integration.test_bad_input"
    )


def rewrite_page() -> None:
    """Put the current table between the markers of docs/reliability.md."""
    text = DOC.read_text()
    table = f"{BEGIN}\n{markdown_table()}\n{END}"
    DOC.write_text(
        re.sub(re.escape(BEGIN) + r"\n.*?\n" + re.escape(END), lambda _: table, text, flags=re.S)
    )


if __name__ == "__main__":
    rewrite_page()
