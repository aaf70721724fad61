"""A model is a FastAPI request body and response model, unchanged.

The app below is what a user writes: module-level models, handlers that await model
operations, a lifespan that closes the client. It runs through FastAPI's TestClient (its own
event loop in a worker thread) against the local DynamoDB.
"""

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from datetime import datetime, timezone
from decimal import Decimal
from typing import Annotated, Any

import aiohttp
import pytest
from fastapi import FastAPI, HTTPException, Response
from fastapi.testclient import TestClient
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    GlobalSecondaryIndex,
    Model,
    PartitionKey,
    get_default_client,
    path,
    set_default_client,
)
from pydynox.testing import local_client

TABLE = "fastapi-users"


class Address(BaseModel):
    street: str = ""
    city: str


class User(Model):
    model_config = DynamoConfig(table=TABLE, extra="forbid")

    pk: Annotated[str, PartitionKey()]
    name: str = Field(min_length=1)
    email: str | None = None
    age: int = 0
    balance: Decimal = Decimal("0")
    tags: set[str] = set()
    address: Address | None = None
    joined: datetime | None = None

    by_email = GlobalSecondaryIndex("email-index", partition_key="email")


class UserPatch(BaseModel):
    """A partial body: only the fields sent are changed (``exclude_unset``)."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1)
    email: str | None = None
    age: int | None = None
    tags: set[str] | None = None
    address: Address | None = None


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    yield
    await get_default_client().close()


app = FastAPI(lifespan=lifespan)


@app.post("/users", status_code=201, response_model=User)
async def create_user(user: User) -> User:
    try:
        await user.save(condition=path(User.pk).not_exists())
    except ConditionalCheckFailedException as error:
        raise HTTPException(409, f"user {user.pk} exists") from error
    return user


@app.get("/users/{pk}", response_model=User)
async def read_user(pk: str) -> User:
    user = await User.get(pk=pk)
    if user is None:
        raise HTTPException(404, f"no user {pk}")
    return user


@app.patch("/users/{pk}", response_model=User)
async def patch_user(pk: str, patch: UserPatch) -> User:
    user = await User.get(pk=pk)
    if user is None:
        raise HTTPException(404, f"no user {pk}")
    changes = patch.model_dump(exclude_unset=True)
    try:
        await user.update(**changes)
    except ValidationError as error:  # e.g. age=null on a field that is not optional
        raise HTTPException(422, error.errors(include_url=False)) from error
    return user


@app.get("/users", response_model=list[User])
async def find_users(email: str) -> list[User]:
    return await User.by_email.query(partition_key=email).all()


@app.delete("/users/{pk}", status_code=204)
async def delete_user(pk: str) -> Response:
    await User.delete_by_key(pk=pk)
    return Response(status_code=204)


# --------------------------------------------------------------------------- fixtures


def open_sessions() -> int:
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, aiohttp.ClientSession) and not o.closed)


@pytest.fixture
def app_client(endpoint: str) -> Iterator[DynamoDBClient]:
    """A client of its own, set as the default (the app's lifespan closes it), and the table."""
    client = local_client(endpoint)
    set_default_client(client)
    User.sync_create_table()
    yield client
    User.sync_delete_table()
    set_default_client(None)
    client.sync_close()


@pytest.fixture
def http(app_client: DynamoDBClient) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


JANE: dict[str, Any] = {
    "pk": "user-1",
    "name": "Jane",
    "email": "jane@example.com",
    "age": 33,
    "balance": "10.50",
    "tags": ["admin"],
    "address": {"city": "Oslo"},
    "joined": "2025-01-02T03:04:05Z",
}


def dumped(user: User) -> dict[str, Any]:
    return user.model_dump(mode="json")


# --------------------------------------------------------------------------- requests


def test_post_saves_the_body_and_returns_the_model(http: TestClient) -> None:
    response = http.post("/users", json=JANE)
    assert response.status_code == 201, response.text
    stored = User.sync_get(pk="user-1")
    assert stored is not None
    assert stored.name == "Jane" and stored.age == 33 and stored.tags == {"admin"}
    assert stored.balance == Decimal("10.5")
    assert stored.joined == datetime(2025, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    assert stored.address == Address(city="Oslo")
    body = response.json()
    assert body == dumped(User.model_validate(JANE))
    assert User.model_validate(body) == stored


def test_post_on_an_existing_key_is_a_409_and_changes_nothing(http: TestClient) -> None:
    assert http.post("/users", json=JANE).status_code == 201
    response = http.post("/users", json={**JANE, "name": "Impostor"})
    assert response.status_code == 409
    assert response.json() == {"detail": "user user-1 exists"}
    stored = User.sync_get(pk="user-1")
    assert stored is not None and stored.name == "Jane"


def test_get_returns_the_stored_model_as_json(http: TestClient) -> None:
    http.post("/users", json=JANE)
    response = http.get("/users/user-1")
    assert response.status_code == 200
    stored = User.sync_get(pk="user-1")
    assert stored is not None
    assert response.json() == dumped(stored)
    assert response.json()["balance"] == "10.5"  # stored normalised, read back exactly
    assert response.json()["tags"] == ["admin"]


def test_get_of_a_missing_key_is_a_404(http: TestClient) -> None:
    response = http.get("/users/user-404")
    assert response.status_code == 404
    assert response.json() == {"detail": "no user user-404"}


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({**JANE, "age": "old"}, ["body", "age"]),
        ({k: v for k, v in JANE.items() if k != "name"}, ["body", "name"]),
        ({**JANE, "name": ""}, ["body", "name"]),
        ({**JANE, "address": {"street": "x"}}, ["body", "address", "city"]),
        ({**JANE, "balance": "lots"}, ["body", "balance"]),
        ({**JANE, "surplus": 1}, ["body", "surplus"]),
        ({k: v for k, v in JANE.items() if k != "pk"}, ["body", "pk"]),
    ],
    ids=["wrong-type", "missing-name", "too-short", "nested", "decimal", "extra", "missing-key"],
)
def test_a_bad_body_is_a_422_and_nothing_is_written(
    http: TestClient, body: dict[str, Any], location: list[str]
) -> None:
    response = http.post("/users", json=body)
    assert response.status_code == 422, response.text
    assert location in [error["loc"] for error in response.json()["detail"]]
    assert User.sync_count() == 0


def test_patch_applies_only_the_fields_sent(http: TestClient) -> None:
    http.post("/users", json=JANE)
    response = http.patch("/users/user-1", json={"age": 34, "tags": ["admin", "ops"]})
    assert response.status_code == 200, response.text
    stored = User.sync_get(pk="user-1")
    assert stored is not None
    assert stored.age == 34 and stored.tags == {"admin", "ops"}
    assert stored.name == "Jane" and stored.email == "jane@example.com"
    assert stored.address == Address(city="Oslo")
    assert User.model_validate(response.json()) == stored


def test_patch_with_null_removes_an_optional_attribute(http: TestClient) -> None:
    http.post("/users", json=JANE)
    response = http.patch("/users/user-1", json={"email": None, "address": {"city": "Bergen"}})
    assert response.status_code == 200, response.text
    assert response.json()["email"] is None
    assert response.json()["address"] == {"street": "", "city": "Bergen"}
    stored = User.sync_get(pk="user-1")
    assert stored is not None and stored.email is None
    assert http.get("/users", params={"email": "jane@example.com"}).json() == []  # sparse index


def test_patch_errors(http: TestClient) -> None:
    assert http.patch("/users/user-404", json={"age": 1}).status_code == 404
    http.post("/users", json=JANE)
    bad_type = http.patch("/users/user-1", json={"age": "old"})
    assert bad_type.status_code == 422
    assert bad_type.json()["detail"][0]["loc"] == ["body", "age"]
    unknown = http.patch("/users/user-1", json={"pk": "user-2"})
    assert unknown.status_code == 422
    null_int = http.patch("/users/user-1", json={"age": None})  # refused by the model
    assert null_int.status_code == 422
    assert null_int.json()["detail"][0]["loc"] == ["age"]
    stored = User.sync_get(pk="user-1")
    assert stored is not None and stored.age == 33


def test_an_index_query_as_a_list_response(http: TestClient) -> None:
    http.post("/users", json=JANE)
    http.post("/users", json={**JANE, "pk": "user-2", "name": "Jane Two"})
    http.post("/users", json={**JANE, "pk": "user-3", "email": "other@example.com"})
    response = http.get("/users", params={"email": "jane@example.com"})
    assert response.status_code == 200
    assert sorted(u["pk"] for u in response.json()) == ["user-1", "user-2"]
    assert http.get("/users").status_code == 422  # the query parameter is required


def test_delete_then_get_is_a_404(http: TestClient) -> None:
    http.post("/users", json=JANE)
    assert http.delete("/users/user-1").status_code == 204
    assert http.get("/users/user-1").status_code == 404


# --------------------------------------------------------------------------- schema


def test_openapi_shows_the_fields_and_not_the_indexes(http: TestClient) -> None:
    schema = http.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    fields = list(User.model_fields)
    user_schemas = {name: s for name, s in components.items() if name.startswith("User")}
    user_schemas.pop("UserPatch")
    assert user_schemas, sorted(components)
    for name, model_schema in user_schemas.items():
        assert list(model_schema["properties"]) == fields, name
        assert "pk" in model_schema["required"] and "name" in model_schema["required"]
        assert model_schema.get("additionalProperties") is False  # extra="forbid"
    text = str(schema)
    assert "by_email" not in text and "email-index" not in text
    assert "Address" in components
    post = schema["paths"]["/users"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["$ref"].startswith(
        "#/components/schemas/User"
    )
    assert "422" in post["responses"]
    assert User.model_json_schema()["properties"].keys() == set(fields)


# --------------------------------------------------------------------------- lifecycle


def test_two_app_runs_share_the_client_and_close_it(app_client: DynamoDBClient) -> None:
    before = open_sessions()
    for n in range(2):  # two lifespans: two event loops, one client
        with TestClient(app) as http:
            assert http.post("/users", json={**JANE, "pk": f"user-{n}"}).status_code == 201
            assert http.get(f"/users/user-{n}").status_code == 200
        assert open_sessions() == before  # the lifespan closed this loop's connections
    assert User.sync_count() == 2
