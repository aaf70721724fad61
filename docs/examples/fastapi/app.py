"""A FastAPI app whose request and response types are pydynox models."""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Annotated

from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import BaseModel

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    InvalidCursorException,
    Model,
    Page,
    PartitionKey,
    default_client_set_to,
    path,
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
    # Models use the default client: under uvicorn, one made from the environment (AWS_*
    # and PYDYNOX_CURSOR_SECRET) on first use; under test, the dynamodb_client fixture's.
    # Its connections on this event loop close when the loop shuts down.
    if not await User.table_exists():
        await User.create_table()
    yield


app = FastAPI(lifespan=lifespan)


@app.exception_handler(InvalidCursorException)
async def bad_cursor(request: Request, error: InvalidCursorException) -> JSONResponse:
    # The client sent a cursor that is not one of ours (altered, or from another list).
    return JSONResponse({"detail": str(error)}, status_code=400)


@app.post("/users", status_code=201)
async def create_user(user: User) -> User:
    try:
        await user.save(condition=path(User.user_id).not_exists())
    except ConditionalCheckFailedException:
        raise HTTPException(409, "that user exists") from None
    return user


@app.get("/users", responses={400: {"description": "The cursor is not one this API made."}})
async def list_users(
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
    cursor: str | None = None,
) -> Page[User]:
    # One page, in no particular order; next_cursor (None on the last page) asks for the next.
    return await User.scan().page(limit, cursor)


@app.get("/users/{user_id}", responses={404: {"description": "No such user."}})
async def read_user(user_id: str) -> User:
    user = await User.get(user_id=user_id)
    if user is None:
        raise HTTPException(404, "no such user")
    return user


@app.patch("/users/{user_id}", responses={404: {"description": "No such user."}})
async def patch_user(user_id: str, changes: UserPatch) -> User:
    user = await read_user(user_id)
    return await user.apply_patch(changes)  # one UpdateItem with only the fields sent


@app.delete("/users/{user_id}", status_code=204, responses={404: {"description": "No such user."}})
async def delete_user(user_id: str) -> Response:
    try:  # one DeleteItem, refused when there is nothing to delete
        await User.delete_by_key(user_id=user_id, condition=path(User.user_id).exists())
    except ConditionalCheckFailedException:
        raise HTTPException(404, "no such user") from None
    return Response(status_code=204)


if __name__ == "__main__":
    # A client of our own, with the cursor secret the app's servers share (here a random
    # one), made the default while the app runs; the previous default comes back after.
    with (
        DynamoDBClient(cursor_secret=secrets.token_urlsafe(32)) as client,
        default_client_set_to(client),
        TestClient(app) as http,  # runs the lifespan, as uvicorn would
    ):
        assert http.post("/users", json={"user_id": "ada", "name": "Ada"}).status_code == 201
        assert http.post("/users", json={"user_id": "ada", "name": "Eve"}).status_code == 409
        assert http.post("/users", json={"user_id": "bob"}).status_code == 422
        patched = http.patch("/users/ada", json={"nickname": "A"}).json()
        assert patched == {"user_id": "ada", "name": "Ada", "nickname": "A"}
        assert http.get("/users/nobody").status_code == 404
        print(http.get("/users/ada").json())

        for user_id in ("bob", "eve"):
            http.post("/users", json={"user_id": user_id, "name": user_id.title()})
        first = http.get("/users", params={"limit": 2}).json()
        assert len(first["items"]) == 2 and first["next_cursor"] is not None
        rest = http.get("/users", params={"limit": 2, "cursor": first["next_cursor"]}).json()
        assert len(rest["items"]) == 1 and rest["next_cursor"] is None  # None: nothing follows
        listed = sorted(user["user_id"] for user in first["items"] + rest["items"])
        print("listed:", listed)
        assert listed == ["ada", "bob", "eve"]
        assert http.get("/users", params={"cursor": "made-up"}).status_code == 400

        assert http.delete("/users/eve").status_code == 204
        assert http.get("/users/eve").status_code == 404
        assert http.delete("/users/eve").status_code == 404  # nothing left to delete
        print("deleted eve")
