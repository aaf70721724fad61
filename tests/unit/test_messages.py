"""Messages that tell a user what went wrong and what to do (issue 16, item 7).

- DynamoDB's missing-table answer ("Requested resource not found") names nothing: the error
  pydynox raises names the tables the request named (as the caller named them and, with a
  table prefix, as sent) and says how to create one, for every operation, through both
  transports (the wire and botocore), async and sync, on a canned DynamoDB (tests/canned.py);
  ``code``, ``status`` and ``request_id`` are kept.
- Awaiting a query or scan result (instead of ``.all()`` or ``async for``) raises a
  ``TypeError`` that names both, before anything is sent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Annotated, Any

import pytest

from pydynox import (
    Attr,
    DynamoConfig,
    DynamoDBClient,
    Get,
    Model,
    PartitionKey,
    PydynoxException,
    ResourceNotFoundException,
    SortKey,
    ValidationException,
    set_default_client,
)
from pydynox.local import local_client

from ..canned import Canned, Reply

NOT_FOUND = Reply(
    400,
    {
        "__type": "com.amazonaws.dynamodb.v20120810#ResourceNotFoundException",
        "message": "Requested resource not found",
    },
)
CREATE_IT = "create it first: client.create_table(...), or Model.create_table() for a model"


@pytest.fixture(scope="module")
def canned() -> Iterator[Canned]:
    with Canned(limit=20) as made:
        yield made


@pytest.fixture(scope="module", params=["wire", "botocore"])
def transport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def clients(canned: Canned, transport: str) -> Iterator[dict[str, DynamoDBClient]]:
    """A client of the canned DynamoDB without a table prefix and one with ``dev-``."""
    made = {
        prefix: local_client(
            canned.url,
            max_attempts=1,
            table_prefix=prefix,
            transport=transport,
        )
        for prefix in ("", "dev-")
    }
    yield made
    for client in made.values():
        client.sync_close()


@pytest.fixture(params=["async", "sync"])
def mode(request: pytest.FixtureRequest, transport: str) -> str:
    if transport == "botocore" and request.param == "async":
        # The botocore transport's async side is aioboto3 (absent in the floors and newest
        # CI jobs).
        pytest.importorskip("aiobotocore")
    return str(request.param)


def run(client: DynamoDBClient, mode: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """Call the client's async method ``name`` (awaited on a loop of its own) or its twin."""
    if mode == "sync":
        return getattr(client, f"sync_{name}")(*args, **kwargs)

    async def go() -> Any:
        return await getattr(client, name)(*args, **kwargs)

    return asyncio.run(go())


def missing(client: DynamoDBClient, mode: str, name: str, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ResourceNotFoundException) as caught:
        run(client, mode, name, *args, **kwargs)
    error = caught.value
    assert error.code == "ResourceNotFoundException"
    assert error.status == 400 and error.request_id == "canned"
    assert str(error) == error.message and error.message.startswith("Requested resource not found")
    return error.message


def test_a_missing_table_is_named_with_the_fix(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    canned.answer(NOT_FOUND)
    message = missing(clients[""], mode, "get_item", "users", {"pk": "a"})
    assert message == (
        "Requested resource not found: table 'users' does not exist (or is not ACTIVE yet); "
        + CREATE_IT
    )
    assert canned.ops() == ["GetItem"]


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("put_item", ({"pk": "a"},)),
        ("update_item", ({"pk": "a"}, {"n": 1})),
        ("delete_item", ({"pk": "a"},)),
        ("count", (Attr("pk") == "a",)),
        ("batch_get", ([{"pk": "a"}],)),  # BatchGetError, its cause the missing table
        ("batch_write", ([{"pk": "a"}],)),  # BatchWriteError, likewise
    ],
)
def test_every_operation_names_it(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str, name: str, args: tuple[Any]
) -> None:
    canned.answer(NOT_FOUND)
    with pytest.raises(PydynoxException) as caught:
        run(clients[""], mode, name, "orders", *args)
    error = caught.value
    cause = error if isinstance(error, ResourceNotFoundException) else error.__cause__
    assert isinstance(cause, ResourceNotFoundException), repr(error)
    assert "table 'orders' does not exist" in cause.message and cause.message.endswith(CREATE_IT)
    assert cause.message in str(error)


def test_a_query_names_the_table(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    canned.answer(NOT_FOUND)
    client = clients[""]
    with pytest.raises(ResourceNotFoundException) as caught:
        if mode == "sync":
            client.sync_query("users", Attr("pk") == "a").all()
        else:
            asyncio.run(client.query("users", Attr("pk") == "a").all())
    assert "table 'users' does not exist" in caught.value.message
    assert caught.value.message.endswith(CREATE_IT)


def test_with_a_prefix_the_table_is_named_as_called_and_as_sent(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    canned.answer(NOT_FOUND)
    message = missing(clients["dev-"], mode, "get_item", "users", {"pk": "a"})
    assert "table 'users' (sent as 'dev-users') does not exist" in message
    assert canned.requests[0].json()["TableName"] == "dev-users"


def test_a_batch_names_every_table_it_named(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    canned.answer(NOT_FOUND)
    gets = [Get("users", {"pk": "a"}), Get("orders", {"pk": "b"})]
    message = missing(clients["dev-"], mode, "transact_get", gets)
    assert (
        "one of the tables 'users' (sent as 'dev-users'), 'orders' (sent as 'dev-orders') "
        "does not exist"
    ) in message


def test_deleting_a_missing_table_does_not_suggest_creating_it(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    canned.answer(NOT_FOUND)
    message = missing(clients[""], mode, "delete_table", "users")
    assert message == "Requested resource not found: table 'users' does not exist"


def test_a_missing_index_is_named_not_the_table(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    # moto answers a query on a missing index with ResourceNotFoundException "Invalid index".
    canned.answer(Reply(400, {"__type": "x#ResourceNotFoundException", "message": "Invalid index"}))
    client = clients[""]
    with pytest.raises(ResourceNotFoundException) as caught:
        if mode == "sync":
            client.sync_query("users", Attr("email") == "a", index_name="by-email").all()
        else:
            asyncio.run(client.query("users", Attr("email") == "a", index_name="by-email").all())
    assert caught.value.message == "Invalid index (table 'users', index 'by-email')"


class Note(Model):
    model_config = DynamoConfig(table="notes")

    pk: Annotated[str, PartitionKey()]
    sk: Annotated[str, SortKey()]
    text: str = ""


def test_a_model_names_its_table(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    canned.answer(NOT_FOUND)

    class Bound(Note):
        model_config = DynamoConfig(table="notes", client=clients["dev-"])

    with pytest.raises(ResourceNotFoundException) as caught:
        if mode == "sync":
            Bound(pk="a", sk="b").sync_save()
        else:
            asyncio.run(Bound(pk="a", sk="b").save())
    assert caught.value.message == (
        "Requested resource not found: table 'notes' (sent as 'dev-notes') does not exist "
        "(or is not ACTIVE yet); " + CREATE_IT
    )


def test_other_errors_are_left_as_they_were(
    canned: Canned, clients: dict[str, DynamoDBClient], mode: str
) -> None:
    canned.answer(Reply(400, {"__type": "x#ValidationException", "message": "bad key"}))
    with pytest.raises(ValidationException) as caught:
        run(clients[""], mode, "get_item", "users", {"pk": "a"})
    assert caught.value.message == "bad key"


# -- awaiting a result --------------------------------------------------------------------


@pytest.fixture
def default(clients: dict[str, DynamoDBClient]) -> Iterator[DynamoDBClient]:
    """The client without a prefix, as the default client (the one ``Note`` uses)."""
    set_default_client(clients[""])
    yield clients[""]
    set_default_client(None)


def test_awaiting_a_query_result_says_to_use_all_or_async_for(
    canned: Canned, default: DynamoDBClient
) -> None:
    canned.answer()
    client = default

    async def mistakes() -> None:
        for result in (
            client.query("users", Attr("pk") == "a"),
            client.scan("users"),
            Note.query(partition_key="a"),
        ):
            with pytest.raises(TypeError, match=r"`await result\.all\(\)`.*`async for item"):
                await result  # type: ignore[misc]

    asyncio.run(mistakes())
    assert canned.requests == []  # nothing was sent


def test_awaiting_a_sync_result_says_what_to_do(canned: Canned, default: DynamoDBClient) -> None:
    canned.answer()
    client = default

    async def mistakes() -> None:
        for result in (
            client.sync_query("users", Attr("pk") == "a"),
            Note.sync_query(partition_key="a"),
        ):
            with pytest.raises(TypeError, match=r"`\.all\(\)`.*`async for item"):
                await result  # type: ignore[misc]

    asyncio.run(mistakes())
    assert canned.requests == []
