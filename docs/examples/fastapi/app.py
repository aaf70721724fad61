"""A FastAPI app whose request and response types are pydynox models."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient
from pydantic import BaseModel

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    Model,
    PartitionKey,
    path,
    set_default_client,
)


class User(Model):
    model_config = DynamoConfig(table="fastapi-users")
    user_id: Annotated[str, PartitionKey()]
    name: str
    nickname: str | None = None


if TYPE_CHECKING:
    UserPatch = BaseModel
else:
    UserPatch = User.patch_model()  # every field but the key, each optional


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    client = DynamoDBClient()  # one client for the app: reads the AWS environment
    set_default_client(client)
    if not await User.table_exists():
        await User.create_table()
    yield
    await client.close()  # closes this event loop's connections


app = FastAPI(lifespan=lifespan)


@app.post("/users", status_code=201)
async def create_user(user: User) -> User:
    try:
        await user.save(condition=path(User.user_id).not_exists())
    except ConditionalCheckFailedException:
        raise HTTPException(409, "that user exists") from None
    return user


@app.get("/users/{user_id}")
async def read_user(user_id: str) -> User:
    user = await User.get(user_id=user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    return user


@app.patch("/users/{user_id}")
async def patch_user(user_id: str, changes: UserPatch) -> User:
    user = await read_user(user_id)
    return await user.apply_patch(changes)  # one UpdateItem with only the fields sent


if __name__ == "__main__":
    with TestClient(app) as http:  # runs the lifespan, as uvicorn would
        assert http.post("/users", json={"user_id": "ada", "name": "Ada"}).status_code == 201
        assert http.post("/users", json={"user_id": "ada", "name": "Eve"}).status_code == 409
        assert http.post("/users", json={"user_id": "bob"}).status_code == 422
        patched = http.patch("/users/ada", json={"nickname": "A"}).json()
        assert patched == {"user_id": "ada", "name": "Ada", "nickname": "A"}
        assert http.get("/users/nobody").status_code == 404
        print(http.get("/users/ada").json())
