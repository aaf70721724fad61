"""A FastAPI app under test: ``TestClient(app)`` runs the app's lifespan, and the app's models
use the default client, which ``dynamodb_client`` sets for each test."""

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Annotated

import pytest
from fastapi import FastAPI, HTTPException, Query, Request, Response
from fastapi.responses import JSONResponse
from fastapi.testclient import TestClient

from pydynox import (
    ConditionalCheckFailedException,
    DynamoConfig,
    DynamoDBClient,
    InvalidCursorException,
    Model,
    Page,
    PartitionKey,
    get_default_client,
    path,
)

# -- the app (in a project: its own module, imported by the tests) -------------------------


class Note(Model):
    model_config = DynamoConfig(table="testing-fastapi-notes")
    note_id: Annotated[str, PartitionKey()]
    text: str


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # The default client: the environment's under uvicorn, the fixture's under test. No
    # set_default_client(None) at the end: that would take the fixture's client away.
    if not await Note.table_exists():
        await Note.create_table()
    yield


app = FastAPI(lifespan=lifespan)


@app.exception_handler(InvalidCursorException)
async def bad_cursor(request: Request, error: InvalidCursorException) -> JSONResponse:
    return JSONResponse({"detail": str(error)}, status_code=400)


@app.post("/notes", status_code=201)
async def create_note(note: Note) -> Note:
    await note.save()
    return note


@app.get("/notes")
async def list_notes(
    limit: Annotated[int, Query(ge=1, le=100)] = 20, cursor: str | None = None
) -> Page[Note]:
    return await Note.scan().page(limit, cursor)


@app.get("/notes/{note_id}")
async def read_note(note_id: str) -> Note:
    note = await Note.get(note_id=note_id)
    if note is None:
        raise HTTPException(404, "no such note")
    return note


@app.delete("/notes/{note_id}", status_code=204)
async def delete_note(note_id: str) -> Response:
    try:
        await Note.delete_by_key(note_id=note_id, condition=path(Note.note_id).exists())
    except ConditionalCheckFailedException:
        raise HTTPException(404, "no such note") from None
    return Response(status_code=204)


# -- the tests ------------------------------------------------------------------------------


@pytest.fixture
def http(dynamodb_client: DynamoDBClient) -> Iterator[TestClient]:
    """The app on the local DynamoDB, with a fresh table for each test."""
    with TestClient(app) as client:  # runs the lifespan: creates the table
        yield client
    Note.sync_delete_table()


def test_create_then_read(http: TestClient) -> None:
    created = http.post("/notes", json={"note_id": "n1", "text": "milk"})
    assert created.status_code == 201

    answer = http.get("/notes/n1")

    assert answer.status_code == 200
    assert answer.json() == {"note_id": "n1", "text": "milk"}
    assert http.get("/notes/nope").status_code == 404


def test_list_two_pages_by_cursor(http: TestClient) -> None:
    for n in range(3):
        http.post("/notes", json={"note_id": f"n{n}", "text": "x"})

    first = http.get("/notes", params={"limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"] is not None
    second = http.get("/notes", params={"limit": 2, "cursor": first["next_cursor"]}).json()

    assert len(second["items"]) == 1 and second["next_cursor"] is None
    ids = {note["note_id"] for note in first["items"] + second["items"]}
    assert ids == {"n0", "n1", "n2"}  # a scan's pages come in no particular order
    assert http.get("/notes", params={"cursor": "made-up"}).status_code == 400


def test_delete_then_404(http: TestClient) -> None:
    http.post("/notes", json={"note_id": "n1", "text": "milk"})

    assert http.delete("/notes/n1").status_code == 204
    assert http.get("/notes/n1").status_code == 404
    assert http.delete("/notes/n1").status_code == 404


def test_the_app_leaves_the_default_client_in_place(dynamodb_client: DynamoDBClient) -> None:
    with TestClient(app) as http:  # startup, requests, shutdown
        http.post("/notes", json={"note_id": "n1", "text": "milk"})

    assert get_default_client() is dynamodb_client  # still the fixture's after shutdown
    assert Note.sync_get(note_id="n1") == Note(note_id="n1", text="milk")
    Note.sync_delete_table()
