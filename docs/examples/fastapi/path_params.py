"""Path parameters: validate them where FastAPI can see them, so a bad one is a 422."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Annotated

import pydantic
from fastapi import FastAPI, HTTPException, Path, Request
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient
from pydantic import Field

from pydynox import DynamoConfig, Model, PartitionKey, SortKey

# The rules of an id, written once: the model's field and the path parameter share them.
ItemId = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[\w-]+$")]


class Note(Model):
    model_config = DynamoConfig(table="fastapi-notes")
    owner: Annotated[ItemId, PartitionKey()]
    note_id: Annotated[ItemId, SortKey()]
    text: str = ""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Models use the default client (the environment's; a test's dynamodb_client fixture).
    if not await Note.table_exists():
        await Note.create_table()
    yield


app = FastAPI(lifespan=lifespan)


# Risky: the path parameters are plain strings, and the handler builds a model from them.
# A value the model refuses raises pydantic's ValidationError inside the handler: FastAPI
# does not know it is the client's mistake, so it is a 500.
@app.put("/unchecked/{owner}/{note_id}")
async def put_unchecked(owner: str, note_id: str) -> Note:
    note = Note(owner=owner, note_id=note_id)  # raises on "has spaces"
    await note.save()
    return note


# 1. Typed path parameters: FastAPI checks them before the handler runs, answers 422 with
#    the parameter's place (["path", "note_id"]), and the OpenAPI document shows the rules.
@app.put("/notes/{owner}/{note_id}")
async def put_note(
    owner: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w-]+$")],
    note_id: Annotated[str, Path(min_length=1, max_length=64, pattern=r"^[\w-]+$")],
) -> Note:
    note = Note(owner=owner, note_id=note_id)
    await note.save()
    return note


@app.get("/notes/{owner}/{note_id}")
async def get_note(
    owner: Annotated[str, Path(pattern=r"^[\w-]+$")],
    note_id: Annotated[str, Path(pattern=r"^[\w-]+$")],
) -> Note:
    note = await Note.get(owner=owner, note_id=note_id)
    if note is None:
        raise HTTPException(404, "no such note")
    return note


# 2. And a net for the rest: a model refusing a value inside any handler is a 422 too.
#    (An app whose own bugs may raise ValidationError would rather log those as 500s: then
#    catch it in the handler that builds the model, not app-wide.)
@app.exception_handler(pydantic.ValidationError)
async def invalid(request: Request, error: pydantic.ValidationError) -> JSONResponse:
    return JSONResponse({"detail": error.errors(include_url=False)}, status_code=422)


if __name__ == "__main__":
    with TestClient(app) as http:
        assert http.put("/notes/ada/n-1").status_code == 200
        assert http.get("/notes/ada/n-1").json() == {"owner": "ada", "note_id": "n-1", "text": ""}
        bad = http.put("/notes/ada/has spaces")
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["loc"] == ["path", "note_id"]
        assert http.get("/notes/ada/has spaces").status_code == 422
        # The unchecked route: without the exception handler above this would be a 500.
        caught = http.put("/unchecked/ada/has spaces")
        assert caught.status_code == 422
        assert caught.json()["detail"][0]["loc"] == ["note_id"]
        print(bad.json()["detail"][0]["msg"])
    bare = FastAPI()  # the unchecked route without the handler: the 500 it would be
    bare.put("/unchecked/{owner}/{note_id}")(put_unchecked)
    with TestClient(bare, raise_server_exceptions=False) as plain:
        assert plain.put("/unchecked/ada/has spaces").status_code == 500
